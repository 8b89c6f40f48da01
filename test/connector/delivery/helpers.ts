/** Delivery test helpers: a recording webhook receiver, event drafts and a wired delivery service. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventLogWriter } from '../../../connector/event-log-writer.js';
import { startDelivery, type Delivery, type DeliveryOptions } from '../../../connector/delivery/index.js';
import type { EventDraft } from '../../../shared/events/model.js';
import type { NewSegment } from '../../../shared/repos/channel-log.js';
import type { LocalStack } from '../../../local/stack.js';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { newTenantWithLink, until } from '../../support/stack.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/** An HTTP receiver on 127.0.0.1:0; `answer` decides each response (default 204). */
export async function receiver(answer?: (r: Received, res: ServerResponse, n: number) => unknown) {
  const got: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = { headers: req.headers, body, json: JSON.parse(body || 'null'), at: Date.now() };
      got.push(r);
      for (const w of [...waiters]) if (got.length >= w.n) w.resolve();
      if (answer) void Promise.resolve(answer(r, res, got.length)).catch(() => res.destroy());
      else res.writeHead(204).end();
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    got,
    /** TCP connections accepted so far. */
    connections: () => connections,
    /** Resolves once `n` requests arrived in total (fails the test after `ms`). */
    waitFor: (n: number, ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (got.length >= n) return resolve();
        const t = setTimeout(() => reject(new Error(`expected ${n} requests, got ${got.length}`)), ms);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The vendor the drafts below claim: one event per occurrence, tagged with the user it is about, so a
 * `system` subscription matches them (BroadWorks CTI logs per-subscription copies instead: see
 * shared/events/matching.ts and its own scenario tests).
 */
export const DRAFT_VENDOR = 'avaya-ipo-cti' as const;

export function callDraft(
  user: string,
  correlationId: string,
  type: 'call.received' | 'call.answered' | 'call.released' = 'call.received',
): EventDraft {
  return {
    type,
    target: { type: 'user', id: user },
    data: {
      call: {
        id: `call-${correlationId}`,
        correlationId,
        state: type === 'call.released' ? 'released' : type === 'call.answered' ? 'active' : 'alerting',
        direction: 'inbound',
        local: { user },
        remote: { address: '+15551230000' },
        startedAt: new Date().toISOString(),
      },
    },
    vendor: { name: DRAFT_VENDOR, event: 'CallEvent' },
  };
}

export function dndDraft(user: string, enabled = true): EventDraft {
  return {
    type: 'service.dnd',
    target: { type: 'user', id: user },
    data: { user, enabled },
    vendor: { name: DRAFT_VENDOR, event: 'DoNotDisturbEvent' },
  };
}

export function agentDraft(agent: string): EventDraft {
  return {
    type: 'agent.state',
    target: { type: 'user', id: agent },
    data: { agent: { id: agent, state: 'available' } },
    vendor: { name: DRAFT_VENDOR, event: 'AgentStateEvent' },
  };
}

/** Fast settings: retries in milliseconds, caches and scans at 100 ms, 1 s sequencer leases. */
export const FAST: Partial<DeliveryOptions> = {
  retryScheduleMs: [0, 60, 60, 60],
  retryJitter: 0,
  recoverMs: 100,
  channelCacheMs: 100,
  subscriptionCacheMs: 100,
  webhookTimeoutMs: 2000,
  resumeHoldMs: 2000,
  allowLoopbackWebhooks: true,
  sequencerLeaseMs: 1000,
  recentMs: 100,
};

/** A writer (what the connector does) feeding a delivery service on the stack. */
export function wire(
  stack: LocalStack,
  opts: Partial<DeliveryOptions> = {},
): { writer: EventLogWriter; delivery: Delivery } {
  const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
  const delivery = startDelivery({
    deps: stack.deps,
    managementEndpoint: stack.managementEndpoint,
    apiUrl: stack.httpUrl,
    ...FAST,
    ...opts,
  });
  writer.listen(delivery.onEvent);
  return { writer, delivery };
}

export { until } from '../../support/stack.js';

/** `n` frame rows of a channel log segment or journal entry: events `from..` of `link`. */
export const frameRows = (link: string, from: number, n: number): NewSegment['frames'] =>
  Array.from({ length: n }, (_, i) => ({
    link,
    eventSeq: from + i,
    eventId: `evt_${link}_${from + i}`,
    eventType: 'call.received',
  }));

/** A WebSocket channel with a `system` call subscription on each link, connected; its frames as they come. */
export async function connectedChannel(t: Awaited<ReturnType<typeof newTenantWithLink>>, links = ['pbx']) {
  for (const link of links.filter((l) => l !== 'pbx'))
    await t.client.post('/v1/links', {
      id: link,
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    });
  const ch = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
  for (const link of links)
    await t.client.post('/v1/subscriptions', {
      channel: ch.id,
      link,
      target: { type: 'system' },
      events: ['call'],
    });
  const ws = new WebSocket(ch.url);
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((r, j) => (ws.once('open', () => r()), ws.once('error', j)));
  await until(
    () => t.client.get(`/v1/channels/${ch.id}`),
    (r) => typeof r.body.connectionId === 'string',
  );
  /** What a client processes: one event per channelSeq (a repeat must carry the same event). */
  const events = (): [number, string][] => {
    const bySeq = new Map<number, string>();
    for (const f of frames.filter((f) => f.type === 'event')) {
      const had = bySeq.get(f.channelSeq);
      if (had && had !== f.event.id)
        throw new Error(`channelSeq ${f.channelSeq} carried two events: ${had}, ${f.event.id}`);
      bySeq.set(f.channelSeq, f.event.id);
    }
    return [...bySeq].sort(([x], [y]) => x - y);
  };
  /**
   * The events once `n` arrived and no more followed for half a second (a second copy would), each
   * event once whatever its channelSeq.
   */
  const settled = async (n: number) => {
    await until(
      async () => events().length,
      (k) => k >= n,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(new Set(frames.filter((f) => f.type === 'event').map((f) => f.event.id)).size).toBe(n);
    return events();
  };
  return { ch, ws, frames, events, settled };
}
