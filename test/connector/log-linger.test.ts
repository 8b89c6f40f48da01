/**
 * Group commit and linger (docs/delivery.md), through a connector and DynamoDB Local: a quiet link's
 * event is written at once; after a segment of `lingerFromEvents` or more, the next write waits until
 * `lingerMs` after that one began, and what arrives meanwhile shares it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import type { EventDraft } from '../../shared/events/model.js';
import { logItemsOf, newTenantWithLink, testStack, until } from '../support/stack.js';
import { callDraft } from './delivery/helpers.js';
import { TestVendor } from './test-driver.js';

const LINGER_MS = 3_000;
const vendor = new TestVendor();
let stack: LocalStack;
let tenant: string;

beforeAll(async () => {
  stack = await testStack({
    connector: {
      id: 'linger',
      drivers: { 'broadworks-cti': vendor.factory },
      reconcileMs: 100,
      logLinger: { lingerMs: LINGER_MS, lingerFromEvents: 3 },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** The log's segments of the link, as `[first seq, last seq]`. */
const segments = async (link: string): Promise<[number, number][]> =>
  (await logItemsOf(stack, tenant, link))
    .filter((i) => i.type === 'segment')
    .map((i) => [i.first as number, i.last as number]);

describe('event log linger', () => {
  it('writes a quiet link at once and gathers what follows a big segment for lingerMs', async () => {
    tenant = (await newTenantWithLink(stack)).id;
    await vendor.until((s) => s.kind === 'connect' && s.link === `${tenant}/pbx`, 'driver connected');
    const hooks = vendor.context(`${tenant}/pbx`).hooks;
    // the link's own `link.up` is logged first: segments are counted after it
    await until(
      () => stack.deps.repos.events.latest(tenant, 'pbx', 1, new Date()),
      (e) => e[0]?.type === 'link.up',
    );
    const before = (await segments('pbx')).length;
    const after = async () => (await segments('pbx')).slice(before).map(([a, b]) => b - a + 1);
    let n = 0;
    const emit = () => {
      const d: EventDraft = callDraft('alice@sim.example', `corr-${++n}`);
      return Promise.resolve(hooks.onEvent({ ...d, vendor: { ...d.vendor, id: `v-${n}` } }));
    };

    // quiet: one event, written at once (no linger after a small segment)
    let t0 = performance.now();
    await emit();
    expect(performance.now() - t0).toBeLessThan(LINGER_MS - 200);

    // a segment of one, and three events arriving while it is written: the three go out together next,
    // at once (the segment before them was small)
    t0 = performance.now();
    const first = emit();
    await new Promise((r) => setImmediate(r)); // its write began: what follows waits for the next
    const threeAt = performance.now();
    const three = [emit(), emit(), emit()];
    await first;
    await Promise.all(three);
    expect(performance.now() - t0).toBeLessThan(LINGER_MS - 200);
    expect(await after()).toEqual([1, 1, 3]); // events per segment

    // that segment held three: the next write waits until LINGER_MS after it began (after `threeAt`),
    // and the events arriving meanwhile share it
    const next = [emit()];
    await new Promise((r) => setTimeout(r, 50));
    next.push(emit(), emit());
    await Promise.all(next);
    expect(performance.now() - threeAt).toBeGreaterThanOrEqual(LINGER_MS - 2); // timers round to 1 ms
    expect(await after()).toEqual([1, 1, 3, 3]);
  });
});
