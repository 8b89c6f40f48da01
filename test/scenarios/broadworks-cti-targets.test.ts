/**
 * BroadWorks CTI with overlapping subscriptions on one link: a `system` subscription and `user`
 * subscriptions see the same call halves, each through its own BroadWorks subscription. Each target's
 * events must be what that target alone would get (the reference sequence), not a mix of both: the
 * mapper's per-call cache is kept per target.
 */
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/events/model.js';
import { testStack } from '../support/stack.js';
import {
  callsOf,
  describe,
  EventTap,
  lastSeq,
  loggedEvents,
  releasedOf,
  scenarioEnv,
  subscribe,
  type ScenarioEnv,
} from './harness.js';
import { REFERENCE } from './suite.js';

let env: ScenarioEnv;
let tap: EventTap;

beforeAll(async () => {
  const stack = await testStack({
    simulator: { frontEnds: { 'broadworks-cti': { eventResponseTimeoutMs: 2000 } } },
    connector: { subscriptionPollMs: 50, reconcileMs: 200 },
  });
  env = scenarioEnv(stack, 'sim-broadworks');
  tap = new EventTap(env);
  // the system subscription first, the users' after it (the order the defect needed)
  await subscribe(env, [{ type: 'system' }], ['call']);
  await subscribe(
    env,
    [
      { type: 'user', id: 'alice@sim.example' },
      { type: 'user', id: 'bob@sim.example' },
    ],
    ['call'],
  );
}, 60_000);
afterAll(async () => env?.stop());

/** `who type state` lines of the system target's events, `who` being the call half's user. */
function systemLines(events: BridgeEvent[]): string[] {
  return events
    .filter((e) => e.target.type === 'system')
    .map((e) => {
      const call = (e.data as { call: { local: { user: string }; state: string } }).call;
      return `${call.local.user.split('@')[0]} ${e.type} ${call.state}`;
    });
}

suite('broadworks-cti: system and user subscriptions on one link', () => {
  it('each target gets the reference sequence of a basic call, none mixed with the other', async () => {
    const from = lastSeq(tap);
    const calls = (user: string) => `/v1/links/${env.link}/users/${encodeURIComponent(user)}/calls`;
    const dial = await env.client.post(calls('alice@sim.example'), { to: '1002' });
    expect(dial.status, JSON.stringify(dial.body)).toBe(201);
    const corr = dial.body.correlationId as string;
    const ringing = (evs: BridgeEvent[]) =>
      callsOf(evs, corr).filter((e) => e.type === 'call.received').length >= 2; // user and system copy
    await tap.until(ringing, 'bob rings for both targets');
    const bobLeg = env.sim.core.listLegs({ userId: 'bob@sim.example' })[0]!.id;
    env.sim.core.answer(bobLeg);
    await tap.until(
      (evs) => callsOf(evs, corr).filter((e) => e.type === 'call.answered').length >= 4,
      'both halves answered for both targets',
    );
    const released = await env.client.post(`${calls('alice@sim.example')}/${dial.body.callId}/release`);
    expect(released.status, JSON.stringify(released.body)).toBeLessThan(300);
    await tap.until((evs) => releasedOf(evs, corr).length >= 4, 'both halves released for both targets');
    await env.stack.connector!.runner('default', env.link)!.drained();

    const events = callsOf(await loggedEvents(env, from), corr);
    const user = events.filter((e) => e.target.type === 'user');
    expect(describe(user)).toEqual(REFERENCE.basic);
    expect(systemLines(events)).toEqual(REFERENCE.basic);
  });
});
