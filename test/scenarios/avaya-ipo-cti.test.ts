/**
 * The shared scenario suite against Avaya IP Office CTI WebServices links on the same simulator core, in
 * both user modes: `sim-ipo-cti` (the application user: one login, every device's events wrapped per
 * device) and a device-user link made here (each seed user logs in through a session of its own, with
 * its own WebSocket and REST heartbeat). Targets are extensions (the document addresses devices by
 * extension, L701-710). Differences from the BroadWorks reference are listed here with their reason and
 * documented in docs/protocols/avaya-ipo-cti.md.
 */
import { expect } from 'vitest';
import type { AgentStateValue } from '../../shared/events/model.js';
import { DEFAULT_DIRECTORY } from '../../simulator/directory.js';
import { testStack, until } from '../support/stack.js';
import { loggedEvents, scenarioEnv, type ScenarioEnv, type VendorHarness } from './harness.js';
import { REFERENCE, runScenarioSuite } from './suite.js';

/** Seed name (alice, ..., sales) → extension. */
const EXT: Record<string, string> = Object.fromEntries(
  [...DEFAULT_DIRECTORY.users, ...DEFAULT_DIRECTORY.queues].map((u) => [
    u.userId.split('@')[0]!,
    u.extension,
  ]),
);
const ext = (n: string) => {
  const e = EXT[n];
  if (!e) throw new Error(`no extension for ${n}`);
  return e;
};

/**
 * Set Agent State is "currently not supported" (L4661): the agent sets the state on the phone, and the
 * scenario goes on once the bridge logged it. (Not through GET .../state: CSTA reads a signed-in agent
 * who is not ready as `agentNotReady`, so `sign-in` reads back as `unavailable`.)
 */
async function agentStateOnPhone(env: ScenarioEnv, agent: string, state: AgentStateValue): Promise<void> {
  const seed = DEFAULT_DIRECTORY.users.find((u) => u.extension === agent);
  const logged = async () =>
    (await loggedEvents(env, 0)).filter(
      (e) => e.type === 'agent.state' && (e.data as { agent: { id: string } }).agent.id === agent,
    ).length;
  const now = await env.client.get(`/v1/links/${env.link}/agents/${encodeURIComponent(agent)}/state`);
  if (now.status === 200 && now.body.state === state) return; // nothing to change: no event will come
  const before = await logged();
  env.sim.core.setAgentState(seed?.userId ?? agent, state);
  await until(logged, (n) => n > before);
}

/**
 * IP Office reports a conference with one ConferencedEvent to the controller: nothing like BroadWorks'
 * `call.updated held` / `call.updated active` of the consultation leg comes before `conference.started`.
 */
const conference = (() => {
  const lines = [...REFERENCE['conference']!];
  const started = lines.indexOf('alice conference.started active');
  const dropped = lines.splice(started - 2, 2);
  if (dropped.join() !== 'alice call.updated held,alice call.updated active')
    throw new Error(`the reference conference changed: ${dropped.join()}`);
  return lines;
})();

const common: Omit<VendorHarness, 'vendor' | 'start' | 'label'> = {
  agentState: agentStateOnPhone,
};

/** The application-user link the local stack creates. */
async function application(): Promise<ScenarioEnv> {
  const stack = await testStack({
    simulator: true,
    connector: { subscriptionPollMs: 50, reconcileMs: 200, sessionReconcileMs: 200 },
  });
  await until(
    async () => stack.connector!.runner('default', 'sim-ipo-cti')?.state,
    (s) => s === 'up',
    20_000,
  );
  return scenarioEnv(stack, 'sim-ipo-cti');
}

/** A device-user link to the same server, and an active session for each seed user. */
async function device(): Promise<ScenarioEnv> {
  const stack = await testStack({
    simulator: true,
    connector: { subscriptionPollMs: 50, reconcileMs: 200, sessionReconcileMs: 200 },
  });
  const env = scenarioEnv(stack, 'ipo-device');
  const link = await env.client.post('/v1/links', {
    id: 'ipo-device',
    vendor: 'avaya-ipo-cti',
    endpoint: stack.simulator!.frontEnd('avaya-ipo-cti').url,
    options: { user: 'device', applicationName: 'scenarios' },
  });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  await stack.connector!.reconcile();
  await until(
    async () => stack.connector!.runner('default', 'ipo-device')?.state,
    (s) => s === 'up',
    20_000,
  );
  const password = stack.simulator!.credentials[0]!.password;
  for (const u of [...DEFAULT_DIRECTORY.users]) {
    const name = u.userId.split('@')[0]!;
    const res = await env.client.post('/v1/sessions', {
      link: 'ipo-device',
      user: u.extension,
      credentials: { password },
      options: { userName: name },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.state).toBe('active');
  }
  return env;
}

runScenarioSuite({
  ...common,
  vendor: 'avaya-ipo-cti',
  label: 'avaya-ipo-cti (application user)',
  user: ext,
  start: application,
  expectations: {
    conference,
  },
});

runScenarioSuite({
  ...common,
  vendor: 'avaya-ipo-cti',
  label: 'avaya-ipo-cti (device users)',
  user: ext,
  start: device,
  // each device user has its own WebSocket: no order across users
  perTargetOrder: 'one WebSocket per device user: no order across users',
  expectations: {
    conference,
    // A device user receives its own device's events only (L520-534): nobody logs in as the hunt
    // group, so no queue.* events; the agent's own events are the reference's.
    acd: [
      'carol agent.state available',
      'carol call.received alerting',
      'carol call.answered active',
      'carol call.released released',
    ],
  },
});
