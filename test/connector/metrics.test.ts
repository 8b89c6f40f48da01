import { afterAll, describe, expect, it, vi } from 'vitest';
import { emfMetrics, type ConnectorMetrics } from '../../connector/metrics.js';
import { BRIDGE_METRICS } from '../../shared/config.js';
import type { LocalStack } from '../../local/stack.js';
import { testStack } from '../support/stack.js';

let stack: LocalStack | undefined;
afterAll(async () => stack?.stop());

describe('connector metrics', () => {
  it('writes CloudWatch EMF lines with the names the alarms use', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const m = emfMetrics('connector');
      m.count(BRIDGE_METRICS.webhookAttempts);
      m.count(BRIDGE_METRICS.webhookAttempts);
      m.count(BRIDGE_METRICS.webhookFailures);
      m.max(BRIDGE_METRICS.deliveryBacklogAge, 3, 'Seconds');
      m.max(BRIDGE_METRICS.deliveryBacklogAge, 7, 'Seconds');
      m.flush();
    } finally {
      spy.mockRestore();
    }
    const emf = lines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const doc = emf[0];
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('CtiBridge');
    expect(doc[BRIDGE_METRICS.webhookAttempts]).toBe(2);
    expect(doc[BRIDGE_METRICS.webhookFailures]).toBe(1);
    expect(doc[BRIDGE_METRICS.deliveryBacklogAge]).toBe(7);
    expect(doc.service).toBe('connector');
  });

  it('samples owned and down links', async () => {
    const seen: Record<string, number[]> = {};
    const sink: ConnectorMetrics = {
      count: () => undefined,
      max: (name, value) => void (seen[name] ??= []).push(value),
      flush: () => undefined,
    };
    stack = await testStack({
      simulator: true,
      connector: { metrics: sink, metricsMs: 50, reconcileMs: 100 },
    });
    const deadline = Date.now() + 10_000;
    while (!(seen[BRIDGE_METRICS.linksDown] ?? []).includes(0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const links = (await stack.deps.repos.links.listAll(new Date())).length;
    expect(links).toBeGreaterThan(0);
    expect(seen[BRIDGE_METRICS.linksOwned]).toContain(links);
    expect(seen[BRIDGE_METRICS.linksDown]).toContain(0);
  });
});
