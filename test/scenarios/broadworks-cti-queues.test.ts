/**
 * Queue control and disposition codes on `broadworks-cti`, end to end: the HTTP API, the connector's
 * driver, the simulator's BroadWorks CTI front-end and its core (link `sim-broadworks`, queue `sales`).
 * Two outside callers wait in the queue; the API lists them in order, promotes and reorders them
 * (BroadWorks reorders 0-Highest calls only, and says so with its own code), takes one out by a transfer
 * and the other by a release, and tags an agent's ACD call with a disposition code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/events/model.js';
import { testStack, until } from '../support/stack.js';
import { EventTap, scenarioEnv, subscribe, type ScenarioEnv } from './harness.js';

const SALES = 'sales@sim.example';
const BOB = 'bob@sim.example';
const CAROL = 'carol@sim.example';
const L = '/v1/links/sim-broadworks';
const Q = `${L}/queues/${SALES}/calls`;

let env: ScenarioEnv;
let tap: EventTap;

type QueueEvent = { call: { id: string; reason?: string } };
const removed = (id: string, reason: string) => (evs: BridgeEvent[]) =>
  evs.some(
    (e) =>
      e.type === 'queue.call.removed' &&
      (e.data as QueueEvent).call.id === id &&
      (e.data as QueueEvent).call.reason === reason,
  );

beforeAll(async () => {
  const stack = await testStack({
    simulator: { frontEnds: { 'broadworks-cti': { eventResponseTimeoutMs: 2000 } } },
    connector: { subscriptionPollMs: 50, reconcileMs: 100 },
  });
  env = scenarioEnv(stack, 'sim-broadworks');
  await until(
    () => env.client.get(L),
    (r) => r.body.status === 'up',
  );
  tap = new EventTap(env);
  await subscribe(
    env,
    [
      { type: 'queue', id: SALES },
      { type: 'user', id: BOB },
      { type: 'user', id: CAROL },
    ],
    ['queue', 'call'],
  );
}, 60_000);
afterAll(async () => env?.stop());

describe('broadworks-cti queue control through the API', () => {
  it('lists, promotes, reorders and removes queued calls', async () => {
    const c1 = env.sim.core.dial('+15550100', '2001').id;
    const c2 = env.sim.core.dial('+15550101', '2001').id;
    await tap.until(
      (evs) => evs.filter((e) => e.type === 'queue.call.added').length >= 2,
      'two calls queued',
    );
    const listed = await env.client.get(Q);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items).toMatchObject([
      { id: c1, position: 1, from: 'tel:+15550100', dnisName: 'Sales Queue' },
      { id: c2, position: 2, from: 'tel:+15550101' },
    ]);

    expect((await env.client.post(`${Q}/${c2}/promote`)).status).toBe(204);
    const promoted = await env.client.get(Q);
    expect(promoted.body.items.map((c: { id: string; priority?: number }) => [c.id, c.priority])).toEqual([
      [c2, 0],
      [c1, undefined],
    ]);

    // BroadWorks reorders only 0-Highest calls: its refusal keeps its code
    const refused = await env.client.post(`${Q}/${c1}/reorder`, { position: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:cti-bridge:problem:vendor-error',
      vendor: { name: 'broadworks-cti', code: '110207', status: 400 },
    });

    expect((await env.client.post(`${Q}/${c1}/promote`)).status).toBe(204);
    expect((await env.client.post(`${Q}/${c1}/reorder`, { position: 1 })).status).toBe(204);
    const reordered = await env.client.get(Q);
    expect(reordered.body.items.map((c: { id: string; position: number }) => [c.id, c.position])).toEqual([
      [c1, 1],
      [c2, 2],
    ]);

    // with `to`: ACD Blind Transfer; bob's phone rings
    expect((await env.client.del(`${Q}/${c2}?to=1002`)).status).toBe(204);
    await tap.until(removed(c2, 'transferred'), 'c2 transferred out of the queue');
    await tap.until((evs) => evs.some((e) => e.type === 'call.received' && e.target.id === BOB), 'bob rings');
    // without: ACD Release Call
    expect((await env.client.del(`${Q}/${c1}`)).status).toBe(204);
    await tap.until(removed(c1, 'released'), 'c1 released from the queue');
    expect((await env.client.get(Q)).body.items).toEqual([]);
    const gone = await env.client.post(`${Q}/${c1}/promote`);
    expect(gone.status).toBe(404);
    expect(gone.body.vendor).toMatchObject({ code: '101002' });
  });

  it("tags an agent's ACD call with a disposition code (204)", async () => {
    const state = await env.client.put(`${L}/agents/${CAROL}/state`, { state: 'available' });
    expect(state.status, JSON.stringify(state.body)).toBe(200);
    env.sim.core.dial('+15550102', '2001');
    await tap.until(
      (evs) => evs.some((e) => e.type === 'call.received' && e.target.id === CAROL),
      'offered to carol',
    );
    const call = tap.events.find((e) => e.type === 'call.received' && e.target.id === CAROL)!;
    const callId = (call.data as { call: { id: string } }).call.id;
    const base = `${L}/users/${CAROL}/calls/${callId}`;
    expect((await env.client.post(`${base}/answer`)).status).toBe(204);
    const tagged = await env.client.post(`${base}/disposition`, { code: 'Promotion' });
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(204);
    const unknown = await env.client.post(`${L}/users/${CAROL}/calls/nope/disposition`, {
      code: 'Promotion',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.vendor).toMatchObject({ name: 'broadworks-cti', code: '101002' });
  });
});
