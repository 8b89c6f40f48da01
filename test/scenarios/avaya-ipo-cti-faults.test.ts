/**
 * IP Office CTI WebServices faults through the whole local stack (`sim-ipo-cti`, the application user):
 * the event WebSocket dropped mid-call (link.down, link.up, a new login and a snapshot that releases the
 * call that ended meanwhile), and an IP Office failover and fallback (OutOfServiceEvent to every client,
 * logins refused until the fallback) with no call left stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { IpoCtiFrontEnd } from '../../vendors/avaya-ipo-cti/simulator/index.js';
import { testStack, until } from '../support/stack.js';
import {
  EventTap,
  newCallWorks,
  releasedOf,
  ringBob,
  scenarioEnv,
  subscribe,
  type ScenarioEnv,
} from './harness.js';

const LINK = 'sim-ipo-cti';
let env: ScenarioEnv;
let tap: EventTap;
let ipo: IpoCtiFrontEnd;
const calls = (ext: string) => `/v1/links/${LINK}/users/${ext}/calls`;
const released = releasedOf;
const ups = (evs: BridgeEvent[]) => evs.filter((x) => x.type === 'link.up').length;
const downs = (evs: BridgeEvent[]) => evs.filter((x) => x.type === 'link.down').length;

beforeAll(async () => {
  const stack = await testStack({
    simulator: true,
    connector: { subscriptionPollMs: 50, reconcileMs: 100, backoff: { baseMs: 50, maxMs: 200 } },
  });
  env = scenarioEnv(stack, LINK);
  ipo = stack.simulator!.frontEnd<IpoCtiFrontEnd>('avaya-ipo-cti').frontEnd;
  await until(
    async () => stack.connector!.runner('default', LINK)?.state,
    (s) => s === 'up',
    20_000,
  );
  tap = new EventTap(env);
  await subscribe(
    env,
    [
      { type: 'user', id: '1001' },
      { type: 'user', id: '1002' },
    ],
    ['call', 'link'],
  );
}, 60_000);
afterAll(async () => env?.stop());

describe('avaya-ipo-cti faults (application user)', () => {
  it('WebSocket dropped mid-call: link.down, link.up, re-login and snapshot release the call that ended meanwhile', async () => {
    const { corr, bobLeg } = await ringBob(env, tap);
    const [d, u] = [downs(tap.events), ups(tap.events)];
    await ipo.fault('POST', 'drop-websockets', {});
    env.sim.core.release(bobLeg); // same tick: no socket is left to hear about it
    await tap.until((evs) => downs(evs) > d, 'link.down');
    await tap.until((evs) => ups(evs) > u, 'link.up');
    await tap.until((evs) => released(evs, corr).length === 2, 'both legs released by the resync');
    expect(
      released(tap.events, corr).map(
        (e) => (e.data as { call: { releaseCause?: string } }).call.releaseCause,
      ),
    ).toEqual(['resync', 'resync']);
    expect((await env.client.get(calls('1001'))).body.items).toEqual([]);
    await newCallWorks(env, tap);
  }, 60_000);

  it('IP Office failover and fallback: link.down on OutOfService, back up after the fallback, no call left stale', async () => {
    const { corr, bobLeg } = await ringBob(env, tap);
    const [d, u] = [downs(tap.events), ups(tap.events)];
    await ipo.fault('POST', 'ipo-failover', {});
    await tap.until((evs) => downs(evs) > d, 'link.down on the failover');
    env.sim.core.release(bobLeg); // the call ends while IP Office is failing over
    await ipo.fault('POST', 'ipo-fallback', {});
    await tap.until((evs) => ups(evs) > u, 'link.up after the fallback', 20_000);
    await tap.until((evs) => released(evs, corr).length === 2, 'both legs released');
    expect((await env.client.get(calls('1001'))).body.items).toEqual([]);
    expect((await env.client.get(calls('1002'))).body.items).toEqual([]);
    await newCallWorks(env, tap);
  }, 60_000);
});
