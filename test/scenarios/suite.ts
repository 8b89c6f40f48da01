/**
 * The shared scenario suite: the same call scenarios for every vendor, asserting the exact normalized
 * sequence per call. BroadWorks CTI is the reference; a vendor harness may override a scenario's
 * expectation only with a documented reason (each vendor's docs/protocols/<vendor>.md, its section on the
 * shared scenario suite).
 */
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import type { AgentStateValue, BridgeEvent } from '../../shared/events/model.js';
import {
  callsOf,
  describe,
  EventTap,
  lastSeq,
  loggedEvents,
  subscribe,
  type ScenarioEnv,
  type VendorHarness,
} from './harness.js';

export interface Names {
  /** Vendor-native id of a seed user (alice, bob, carol, dave) or the queue (sales). */
  user(name: string): string;
}

/** The reference sequences (BroadWorks CTI). `who type state` per line, in log order. */
export const REFERENCE: Record<string, string[]> = {
  basic: [
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'bob call.answered active',
    'alice call.answered active',
    'bob call.released released',
    'alice call.released released',
  ],
  hold: [
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'bob call.answered active',
    'alice call.answered active',
    'bob call.held held',
    'alice call.updated active',
    'bob call.retrieved active',
    'alice call.updated active',
    'alice call.released released',
    'bob call.released released',
  ],
  'blind-transfer': [
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'bob call.answered active',
    'alice call.answered active',
    'bob call.transferred released',
    'bob call.released released',
    'alice call.transferred alerting',
    'carol call.received alerting',
    'carol call.answered active',
    'alice call.answered active',
    'alice call.released released',
    'carol call.released released',
  ],
  'consult-transfer': [
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'bob call.answered active',
    'alice call.answered active',
    'bob call.held held',
    'alice call.updated active',
    'bob call.originated dialing',
    'bob call.updated dialing',
    'bob call.updated alerting',
    'carol call.received alerting',
    'carol call.answered active',
    'bob call.answered active',
    'alice call.transferred active',
    'carol call.transferred active',
    'bob call.transferred released',
    'bob call.released released',
    'bob call.transferred released',
    'bob call.released released',
    'alice call.updated active',
    'alice call.released released',
    'carol call.released released',
  ],
  conference: [
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'bob call.answered active',
    'alice call.answered active',
    'alice call.held held',
    'bob call.updated active',
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'carol call.received alerting',
    'carol call.answered active',
    'alice call.answered active',
    'alice call.updated held',
    'alice call.updated active',
    'alice conference.started active',
    'alice call.retrieved active',
    'bob call.updated active',
    'bob call.released released',
    'alice call.released released',
    'alice conference.released released',
    'carol call.released released',
    'alice call.released released',
  ],
  services: [
    'bob service.dnd on',
    'bob service.dnd off',
    'bob service.forwarding on',
    'alice call.originated dialing',
    'alice call.updated dialing',
    'alice call.updated alerting',
    'bob call.received alerting',
    'carol call.received alerting',
    'bob call.forwarded released',
    'bob call.released released',
    'alice call.forwarded alerting',
    'carol call.released released',
    'alice call.released released',
    'bob service.forwarding off',
  ],
  'agent-states': [
    'dave agent.state sign-in',
    'dave agent.state available',
    'dave agent.state unavailable',
    'dave agent.state wrap-up',
    'dave agent.state available',
    'dave agent.state sign-out',
  ],
  acd: [
    'carol agent.state available',
    'sales queue.call.added',
    'sales queue.call.offered',
    'carol call.received alerting',
    'sales queue.call.answered',
    'carol call.answered active',
    'carol call.released released',
  ],
};

/**
 * What each scenario asserts on: its calls, plus the families it exercises. (Subscribing also yields the
 * users' initial service and agent states, which belong to no scenario.)
 */
const isCall = (type: string) => type.startsWith('call.') || type.startsWith('conference.');
const SCOPE: Record<string, (who: string, type: string) => boolean> = {
  basic: (_w, t) => isCall(t),
  hold: (_w, t) => isCall(t),
  'blind-transfer': (_w, t) => isCall(t),
  'consult-transfer': (_w, t) => isCall(t),
  conference: (_w, t) => isCall(t),
  services: (w, t) => isCall(t) || (t.startsWith('service.') && w === 'bob'),
  'agent-states': (w, t) => t.startsWith('agent.') && w === 'dave',
  acd: (w) => w !== 'dave',
};

/** Scenario lines grouped by target (the first word), each group in its own order. */
function byTarget(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of lines) (out[l.split(' ')[0]!] ??= []).push(l);
  return out;
}

export function runScenarioSuite(harness: VendorHarness & Names): void {
  const print = process.env.SCENARIO_PRINT === '1';
  let env: ScenarioEnv;
  let tap: EventTap;
  const u = (n: string) => harness.user(n);
  const path = (user: string, rest = '') =>
    `/v1/links/${env.link}/users/${encodeURIComponent(u(user))}/calls${rest}`;

  beforeAll(async () => {
    env = await harness.start();
    tap = new EventTap(env);
    await subscribe(
      env,
      ['alice', 'bob', 'carol', 'dave'].map((n) => ({ type: 'user' as const, id: u(n) })),
      ['call', 'conference', 'agent', 'service'],
    );
  }, 60_000);
  afterAll(async () => env?.stop());

  /** Runs a scenario from the current end of the log; returns its events (via GET /v1/events). */
  async function scenario(
    name: string,
    body: () => Promise<(events: BridgeEvent[]) => boolean>,
  ): Promise<string[]> {
    const from = lastSeq(tap);
    const done = await body();
    // The scenario's own end, and as many of its lines as expected (a vendor's trailing events, e.g. an
    // agent's wrap-up after the last release, arrive after the event the body waits for).
    const want = (harness.expectations?.[name] ?? REFERENCE[name] ?? []).length;
    const inScope = (evs: BridgeEvent[]) =>
      describe(evs).filter((l) => SCOPE[name]!(l.split(' ')[0]!, l.split(' ')[1]!)).length;
    await tap.until((evs) => {
      const fresh = evs.filter((e) => e.seq > from);
      return done(fresh) && inScope(fresh) >= want;
    }, `end of ${name}`);
    // Let the driver flush anything that follows the last awaited event, then read through the API.
    await env.stack.connector!.runner('default', env.link)!.drained();
    const events = await loggedEvents(env, from);
    const lines = describe(events);
    if (print) console.log(`--- ${harness.vendor} ${name}\n${lines.join('\n')}`);
    return lines;
  }
  const expectSeq = (name: string, all: string[]) => {
    const lines = all.filter((l) => SCOPE[name]!(l.split(' ')[0]!, l.split(' ')[1]!));
    const want = harness.expectations?.[name] ?? REFERENCE[name];
    expect(want, `reference sequence for ${name}`).toBeDefined();
    if (print) return;
    if (harness.perTargetOrder) expect(byTarget(lines)).toEqual(byTarget(want!));
    else expect(lines).toEqual(want);
  };
  const callIdOf = async (user: string, state?: string) => {
    const res = await env.client.get(path(user));
    expect(res.status).toBe(200);
    const call = (res.body.items as { id: string; state: string }[]).find((c) => !state || c.state === state);
    expect(call, `${user} has a ${state ?? ''} call`).toBeDefined();
    return call!.id;
  };
  const post = async (p: string, body?: unknown) => {
    const res = await env.client.post(p, body);
    expect(res.status, `${p}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const released = (corr: string, n: number) => (evs: BridgeEvent[]) =>
    callsOf(evs, corr).filter((e) => e.type === 'call.released').length >= n;

  /** `from` dials `ext`; resolves when the callee's leg rings. Returns the caller's call and the callee's leg. */
  const ring = async (from: string, ext: string, callee: string) => {
    const dialed: { callId: string; correlationId: string } = await post(path(from), { to: ext });
    await tap.until(
      (evs) => callsOf(evs, dialed.correlationId).some((e) => e.type === 'call.received'),
      `${callee} rings`,
    );
    return { ...dialed, calleeCall: await callIdOf(callee, 'alerting') };
  };
  /** The callee answers; resolves when both legs are answered. */
  const answer = async (callee: string, call: { correlationId: string; calleeCall: string }) => {
    await post(path(callee, `/${call.calleeCall}/answer`));
    await tap.until(
      (evs) => callsOf(evs, call.correlationId).filter((e) => e.type === 'call.answered').length >= 2,
      `${callee} answers`,
    );
  };
  /** `from` calls `callee` (at `ext`) and the callee answers. */
  const connect = async (from: string, ext: string, callee: string) => {
    const call = await ring(from, ext, callee);
    await answer(callee, call);
    return call;
  };

  /** The agent takes `state`: through the API, or on the simulated phone where the vendor only reports it. */
  const setAgentState = async (agent: string, state: AgentStateValue, reason?: string) => {
    if (harness.agentState) return harness.agentState(env, u(agent), state);
    const res = await env.client.put(`/v1/links/${env.link}/agents/${encodeURIComponent(u(agent))}/state`, {
      state,
      ...(reason ? { reason } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  /** `it`, or `it.skip` with the vendor's reason in the title when the harness skips the scenario. */
  const test = (name: string, title: string, fn: () => Promise<void>) => {
    const reason = harness.skip?.[name];
    if (reason) it.skip(`${title} (not for ${harness.vendor}: ${reason})`, fn);
    else it(title, fn);
  };

  suite(`${harness.label ?? harness.vendor}: call scenarios`, () => {
    test('basic', 'basic call: dial, answer, release', async () => {
      const lines = await scenario('basic', async () => {
        const { callId, correlationId } = await connect('alice', '1002', 'bob');
        expect(callId).toEqual(expect.any(String));
        await post(path('alice', `/${callId}/release`));
        return released(correlationId, 2);
      });
      expectSeq('basic', lines);
    });

    test('hold', 'hold and retrieve', async () => {
      const lines = await scenario('hold', async () => {
        const call = await ring('alice', '1002', 'bob');
        const { correlationId, calleeCall: bobCall } = call;
        // Hold on a ringing call is refused by the vendor, with its own code kept.
        const early = await env.client.post(path('bob', `/${bobCall}/hold`));
        expect(early.status).toBeGreaterThanOrEqual(400);
        expect(early.headers.get('content-type')).toContain('application/problem+json');
        expect(early.body.vendor.name).toBe(harness.vendor);
        await answer('bob', call);
        await post(path('bob', `/${bobCall}/hold`));
        await tap.until((evs) => callsOf(evs, correlationId).some((e) => e.type === 'call.held'), 'held');
        await post(path('bob', `/${bobCall}/retrieve`));
        await tap.until(
          (evs) => callsOf(evs, correlationId).some((e) => e.type === 'call.retrieved'),
          'retrieved',
        );
        await post(path('bob', `/${bobCall}/release`));
        return released(correlationId, 2);
      });
      expectSeq('hold', lines);
    });

    test('blind-transfer', 'blind transfer', async () => {
      const lines = await scenario('blind-transfer', async () => {
        const { calleeCall: bobCall } = await connect('alice', '1002', 'bob');
        await post(path('bob', `/${bobCall}/transfer`), { mode: 'blind', to: '1003' });
        await tap.until(
          (evs) => evs.some((e) => e.type === 'call.received' && e.target.id === u('carol')),
          'carol rings',
        );
        const carolCall = await callIdOf('carol', 'alerting');
        await post(path('carol', `/${carolCall}/answer`));
        await tap.until(
          (evs) => evs.some((e) => e.type === 'call.answered' && e.target.id === u('carol')),
          'carol answers',
        );
        await post(path('carol', `/${carolCall}/release`));
        return (evs) => evs.filter((e) => e.type === 'call.released').length >= 3;
      });
      expectSeq('blind-transfer', lines);
    });

    test('consult-transfer', 'consultative transfer', async () => {
      const lines = await scenario('consult-transfer', async () => {
        const { correlationId, calleeCall: first } = await connect('alice', '1002', 'bob');
        await post(path('bob', `/${first}/hold`));
        await tap.until((evs) => callsOf(evs, correlationId).some((e) => e.type === 'call.held'), 'held');
        const consult = await connect('bob', '1003', 'carol');
        await post(path('bob', `/${first}/transfer`), { mode: 'consult', withCall: consult.callId });
        await tap.until(
          (evs) => evs.filter((e) => e.type === 'call.released' && e.target.id === u('bob')).length >= 2,
          'bob out of both calls',
        );
        const carolCall = await callIdOf('carol');
        await post(path('carol', `/${carolCall}/release`));
        return (evs) => evs.filter((e) => e.type === 'call.released').length >= 4;
      });
      expectSeq('consult-transfer', lines);
    });

    test('conference', 'three-way conference', async () => {
      const lines = await scenario('conference', async () => {
        const a = await connect('alice', '1002', 'bob');
        await post(path('alice', `/${a.callId}/hold`));
        await tap.until((evs) => callsOf(evs, a.correlationId).some((e) => e.type === 'call.held'), 'held');
        const b = await connect('alice', '1003', 'carol');
        await post(path('alice', `/${a.callId}/conference`), { withCall: b.callId });
        await tap.until((evs) => evs.some((e) => e.type === 'conference.started'), 'conference');
        await post(path('alice', `/${a.callId}/release`));
        await post(path('alice', `/${b.callId}/release`));
        return (evs) => evs.filter((e) => e.type === 'call.released').length >= 4;
      });
      expectSeq('conference', lines);
    });

    test('services', 'DND and call forwarding', async () => {
      const lines = await scenario('services', async () => {
        const base = `/v1/links/${env.link}/users/${encodeURIComponent(u('bob'))}`;
        const dnd = await env.client.put(`${base}/dnd`, { enabled: true });
        expect(dnd.status, JSON.stringify(dnd.body)).toBe(200);
        expect((await env.client.get(`${base}/dnd`)).body).toEqual({ enabled: true });
        await tap.until((evs) => evs.some((e) => e.type === 'service.dnd'), 'dnd on');
        expect((await env.client.put(`${base}/dnd`, { enabled: false })).status).toBe(200);
        await tap.until((evs) => evs.filter((e) => e.type === 'service.dnd').length >= 2, 'dnd off');
        const fwd = await env.client.put(`${base}/forwarding/always`, { enabled: true, to: '1003' });
        expect(fwd.status, JSON.stringify(fwd.body)).toBe(200);
        expect((await env.client.get(`${base}/forwarding/always`)).body).toMatchObject({ enabled: true });
        await tap.until((evs) => evs.some((e) => e.type === 'service.forwarding'), 'forwarding on');
        const { correlationId } = await post(path('alice'), { to: '1002' });
        await tap.until(
          (evs) => evs.some((e) => e.type === 'call.received' && e.target.id === u('carol')),
          'carol rings instead',
        );
        await post(path('alice', `/${(await env.client.get(path('alice'))).body.items[0].id}/release`));
        await tap.until(released(correlationId, 2), 'released');
        expect((await env.client.put(`${base}/forwarding/always`, { enabled: false })).status).toBe(200);
        return (evs) => evs.filter((e) => e.type === 'service.forwarding').length >= 2;
      });
      expectSeq('services', lines);
    });

    test('agent-states', 'agent states', async () => {
      const lines = await scenario('agent-states', async () => {
        const state = `/v1/links/${env.link}/agents/${encodeURIComponent(u('dave'))}/state`;
        for (const s of [
          'sign-in',
          'available',
          'unavailable',
          'wrap-up',
          'available',
          'sign-out',
        ] as const) {
          await setAgentState('dave', s, s === 'unavailable' ? 'lunch' : undefined);
          const got = await env.client.get(state);
          expect(got.body.state).toBe(s);
        }
        return (evs) => evs.filter((e) => e.type === 'agent.state').length >= 5;
      });
      expectSeq('agent-states', lines);
    });

    test('acd', 'ACD call offered to and answered by an agent', async () => {
      const lines = await scenario('acd', async () => {
        // waits below look at this scenario's events only (carol had calls in earlier scenarios)
        const since = lastSeq(tap);
        const fresh = (evs: BridgeEvent[]) => evs.filter((e) => e.seq > since);
        await subscribe(env, [{ type: 'queue', id: u('sales') }], ['queue']);
        await setAgentState('dave', 'sign-out');
        await setAgentState('carol', 'available');
        await tap.until(
          (evs) => fresh(evs).some((e) => e.type === 'agent.state' && e.target.id === u('carol')),
          'carol available',
        );
        // An outside caller dials the queue (as a person would, from the simulator's "outside world").
        env.sim.core.dial('+15550100', '2001');
        await tap.until(
          (evs) => fresh(evs).some((e) => e.type === 'call.received' && e.target.id === u('carol')),
          'offered to carol',
        );
        await post(path('carol', `/${await callIdOf('carol', 'alerting')}/answer`));
        await tap.until(
          (evs) =>
            fresh(evs).some(
              (e) =>
                e.type === 'queue.call.answered' ||
                (e.type === 'call.answered' && e.target.id === u('carol')),
            ),
          'answered',
        );
        await post(path('carol', `/${await callIdOf('carol')}/release`));
        return (evs) => evs.some((e) => e.type === 'call.released' && e.target.id === u('carol'));
      });
      expectSeq('acd', lines);
    });
  });
}
