/**
 * Connectors share the links (docs/connector.md, "Sharing the links"): the plan itself, then three
 * connector processes' worth of connectors on one table (real DynamoDB Local, leases and
 * announcements): a second connector gets half the links while the first runs, a third its share, and
 * the links of a killed one fail over to the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balance, mayTake } from '../../connector/balance.js';
import { startConnector, type Connector } from '../../connector/connector.js';
import type { LocalStack } from '../../local/stack.js';
import { testStack, until, api } from '../support/stack.js';
import { TestVendor } from './test-driver.js';

describe('balance plan', () => {
  const peers = (...links: number[]) => links.map((n, i) => ({ id: `c${i}`, links: n }));

  it('a lone connector takes every link', () => {
    const p = balance({ self: 'c0', mine: 0, links: 5, peers: peers(0) });
    expect(p).toEqual({ fair: 5, roomElsewhere: false, giveBack: 0 });
    expect(mayTake(p, 4)).toBe(true);
  });

  it('over the share with a peer that has room: give one back, take none', () => {
    const p = balance({ self: 'c0', mine: 5, links: 5, peers: peers(5, 0) });
    expect(p).toEqual({ fair: 3, roomElsewhere: true, giveBack: 1 });
    expect(mayTake(p, 5)).toBe(false);
    // at the share: nothing moves
    expect(balance({ self: 'c0', mine: 3, links: 5, peers: peers(3, 2) })).toMatchObject({ giveBack: 0 });
  });

  it('every peer full: a free link is taken anyway (a link is never left unowned)', () => {
    const p = balance({ self: 'c0', mine: 2, links: 5, peers: peers(2, 2, 1) });
    expect(p.fair).toBe(2);
    expect(p.roomElsewhere).toBe(true);
    expect(mayTake(p, 2)).toBe(false);
    const full = balance({ self: 'c0', mine: 2, links: 6, peers: peers(2, 2, 2) });
    expect(full.roomElsewhere).toBe(false);
    expect(mayTake(full, 2)).toBe(true);
  });
});

describe('connectors sharing one table', () => {
  // long enough for a loaded 2-core machine to renew in time: a late renewal lets another connector take
  // a link while its owner still runs it, which `owners()` would count as two
  const LEASE_MS = 3_000;
  const vendor = new TestVendor();
  let stack: LocalStack;
  const connectors: Connector[] = [];
  const LINKS = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];

  async function connector(id: string): Promise<Connector> {
    const c = await startConnector({
      deps: stack.deps,
      drivers: { 'broadworks-cti': vendor.factory },
      commandToken: stack.deps.config.connectorToken!,
      id,
      leaseMs: LEASE_MS,
      reconcileMs: 100,
      backoff: { baseMs: 20, maxMs: 50 },
    });
    connectors.push(c);
    return c;
  }
  const counts = () => connectors.map((c) => c.runners().length);
  /** Every link is run by exactly one of the connectors. */
  const owners = () =>
    LINKS.map((l) => connectors.filter((c) => c.runner('default', l)).length).every((n) => n === 1);

  beforeAll(async () => {
    stack = await testStack();
    const client = api(stack, stack.adminKey);
    for (const id of LINKS)
      expect(
        (
          await client.post('/v1/links', {
            id,
            vendor: 'broadworks-cti',
            endpoint: 'tcp://127.0.0.1:9',
            credentials: { username: 'u', password: 'p' },
          })
        ).status,
      ).toBe(201);
  });
  afterAll(async () => {
    for (const c of connectors) await c.stop();
    await stack?.stop();
  });

  it('a second and a third connector get their share; a killed one’s links fail over to the others', async () => {
    const a = await connector('a');
    await until(
      async () => a.runners().length,
      (n) => n === 6,
    );
    await connector('b');
    await until(
      async () => counts(),
      (n) => n[0] === 3 && n[1] === 3,
      10_000,
    );
    expect(owners()).toBe(true);
    const c = await connector('c');
    await until(
      async () => counts(),
      (n) => n.every((x) => x === 2),
      10_000,
    );
    expect(owners()).toBe(true);
    // c dies without a word: its leases and its announcement lapse, a and b take its links
    await c.kill();
    connectors.splice(connectors.indexOf(c), 1);
    await until(
      async () => counts(),
      (n) => n[0]! + n[1]! === 6 && n.every((x) => x === 3),
      10_000,
    );
    expect(owners()).toBe(true);
    // a stops gracefully: b runs everything at once (no lease to wait for)
    await a.stop();
    connectors.splice(connectors.indexOf(a), 1);
    await until(
      async () => counts(),
      (n) => n[0] === 6,
      5_000,
    );
  }, 60_000);
});
