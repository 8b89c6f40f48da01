/**
 * BroadWorks CAP-C faults through the whole local stack (`sim-cap`, a session per seed user): the OCS
 * drops every socket mid-call (link.down, link.up, every session logged in again, the call that ended
 * meanwhile released by the re-login's snapshot), and a ForceLogoutC (the OCS lost the AS) is a re-login
 * of that user alone, with no link.down and nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { BroadWorksCapFrontEnd } from '../../vendors/broadworks-cap/simulator/server.js';
import { testStack } from '../support/stack.js';
import { sessionsActive } from './broadworks-cap-support.js';
import {
  callsOf,
  describe as describeEvents,
  EventTap,
  scenarioEnv,
  subscribe,
  type ScenarioEnv,
} from './harness.js';

const LINK = 'sim-cap';
const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';
let env: ScenarioEnv;
let tap: EventTap;
let ocs: BroadWorksCapFrontEnd;
const calls = (u: string) => `/v1/links/${LINK}/users/${encodeURIComponent(u)}/calls`;
const released = (evs: BridgeEvent[], corr: string) =>
  callsOf(evs, corr).filter((x) => x.type === 'call.released');

beforeAll(async () => {
  const stack = await testStack({
    simulator: true,
    connector: {
      subscriptionPollMs: 50,
      reconcileMs: 100,
      sessionReconcileMs: 100,
      backoff: { baseMs: 50, maxMs: 200 },
    },
  });
  env = scenarioEnv(stack, LINK);
  ocs = stack.simulator!.frontEnd<BroadWorksCapFrontEnd>('broadworks-cap').frontEnd;
  await sessionsActive(env);
  tap = new EventTap(env);
  await subscribe(
    env,
    [
      { type: 'user', id: ALICE },
      { type: 'user', id: BOB },
    ],
    ['call', 'link'],
  );
}, 60_000);
afterAll(async () => env?.stop());

/** Alice dials Bob; resolves when Bob rings, with the call's correlation id and Bob's leg. */
async function ring(): Promise<{ corr: string; bobLeg: string }> {
  const dial = await env.client.post(calls(ALICE), { to: '1002' });
  expect(dial.status, JSON.stringify(dial.body)).toBe(201);
  const corr = dial.body.correlationId as string;
  await tap.until((evs) => callsOf(evs, corr).some((x) => x.type === 'call.received'), 'bob rings');
  return { corr, bobLeg: env.sim.core.listLegs({ userId: BOB })[0]!.id };
}

describe('broadworks-cap faults (CAP-C)', () => {
  it('socket dropped mid-call: link.down, link.up, sessions logged in again, the call that ended meanwhile released', async () => {
    const { corr, bobLeg } = await ring();
    const downs = tap.events.filter((x) => x.type === 'link.down').length;
    ocs.dropConnections();
    env.sim.core.release(bobLeg); // same tick: no socket is left to hear about it
    await tap.until((evs) => evs.filter((x) => x.type === 'link.down').length > downs, 'link.down');
    await tap.until(
      (evs) => evs.some((x) => x.type === 'link.up' && (x.data as { resynced?: boolean }).resynced),
      'link.up',
    );
    await sessionsActive(env);
    await tap.until((evs) => released(evs, corr).length === 2, 'both legs released by the resync');
    expect(
      released(tap.events, corr).map(
        (e) => (e.data as { call: { releaseCause?: string } }).call.releaseCause,
      ),
    ).toEqual(['resync', 'resync']);
    expect((await env.client.get(calls(ALICE))).body.items).toEqual([]);
    // subscriptions and logins are back: a new call is seen
    const again = await ring();
    env.sim.core.release(again.bobLeg);
    await tap.until((evs) => released(evs, again.corr).length === 2, 'the new call released');
  }, 60_000);

  it('ForceLogoutC: that user alone logs in again, no link.down; a call that ended meanwhile is released', async () => {
    const { corr, bobLeg } = await ring();
    const downs = tap.events.filter((x) => x.type === 'link.down').length;
    // alice's own logins (another user's late re-login from the previous test may still come in)
    const aliceLogins = () =>
      ocs.received.filter((m) => m.type === 'registerRequest' && m.user?.id === ALICE).length;
    const logins = aliceLogins();
    expect(ocs.forceLogout('ForceLogoutC', ALICE), JSON.stringify(ocs.snapshot().connections)).toBe(1);
    env.sim.core.release(bobLeg); // bob hears it; alice, logged out, does not
    await tap.until((evs) => released(evs, corr).length === 2, "alice's leg released after her re-login");
    const story = () => describeEvents(tap.events).join('\n');
    const who = ocs.received.filter((m) => m.type === 'registerRequest').map((m) => m.user?.id);
    expect(aliceLogins(), `${story()}\nregisterRequests: ${who.join(', ')}`).toBe(logins + 1);
    expect(tap.events.filter((x) => x.type === 'link.down').length, story()).toBe(downs);
    expect(
      tap.events.some((x) => x.type === 'session.ended'),
      story(),
    ).toBe(false);
    await sessionsActive(env);
    // alice acts again on her new dialog
    const again = await ring();
    env.sim.core.release(again.bobLeg);
    await tap.until((evs) => released(evs, again.corr).length === 2, 'the new call released');
  }, 60_000);
});
