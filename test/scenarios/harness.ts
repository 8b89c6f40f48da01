/**
 * The shared scenario suite's harness. A vendor plugs in by giving a `VendorHarness`: how to start a
 * local stack with the simulator and a link of that vendor. Scenarios drive calls through the bridge's
 * HTTP API (and the simulator's phones where a person would act), and assert the normalized events the
 * link logs, through `GET /v1/events`.
 */
import { expect } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import type { AgentStateValue, BridgeEvent, EventFamily, Target } from '../../shared/events/model.js';
import { DEFAULT_DIRECTORY } from '../../simulator/directory.js';
import type { RunningSimulator } from '../../simulator/index.js';
import { api } from '../support/stack.js';

export interface ScenarioEnv {
  stack: LocalStack;
  sim: RunningSimulator;
  link: string;
  client: ReturnType<typeof api>;
  stop(): Promise<void>;
}

/** The scenario environment of a stack started with the simulator, acting as the tenant `default`. */
export function scenarioEnv(stack: LocalStack, link: string): ScenarioEnv {
  return { stack, sim: stack.simulator!, link, client: api(stack, stack.adminKey), stop: () => stack.stop() };
}

export interface VendorHarness {
  vendor: string;
  /** Names the suite when a vendor runs it more than once (e.g. per mode); default the vendor id. */
  label?: string;
  start(): Promise<ScenarioEnv>;
  /** Documented, justified differences from the BroadWorks reference sequences (scenario → override). */
  expectations?: Partial<Record<string, string[]>>;
  /**
   * For vendors whose API cannot set an agent's state (CAP only reports it): how the agent sets it on
   * their own phone instead (the simulator). Absent: `PUT /v1/links/{link}/agents/{agent}/state`.
   */
  agentState?(env: ScenarioEnv, agent: string, state: AgentStateValue): Promise<void>;
  /**
   * Set (to the reason) where the vendor defines no order across targets, e.g. one socket per user: the
   * suite then asserts each target's own sequence against the reference, in order, and no event more or
   * less, instead of one order across all targets.
   */
  perTargetOrder?: string;
  /** Scenarios the vendor cannot run at all (scenario → reason); the suite skips them, naming the reason. */
  skip?: Partial<Record<string, string>>;
}

/** Records every event the connector logs, and lets tests await conditions on them. */
export class EventTap {
  readonly events: BridgeEvent[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  constructor(env: ScenarioEnv) {
    env.stack.connector!.log.listen((e) => {
      if (e.link !== env.link) return;
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
    });
  }
  until(pred: (events: BridgeEvent[]) => boolean, what: string, ms = 10_000): Promise<void> {
    if (pred(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got:\n${describe(this.events).join('\n')}`)),
        ms,
      );
      this.waiters.push({
        pred: () => pred(this.events),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** `target type.id  event-type  call-state` lines, the form scenario expectations are written in. */
/** Seed names by extension, for vendors that address devices by extension (`1001` → `alice`). */
const SEED_BY_EXTENSION = new Map(
  [...DEFAULT_DIRECTORY.users, ...DEFAULT_DIRECTORY.queues].map((u) => [
    u.extension,
    u.userId.split('@')[0]!,
  ]),
);

export function describe(events: BridgeEvent[]): string[] {
  return events.map((e) => {
    const d = e.data as Record<string, any>;
    const state =
      d.call?.state ??
      d.agent?.state ??
      d.conference?.state ??
      (d.enabled === undefined ? '' : d.enabled ? 'on' : 'off');
    const id = e.target.id;
    const who = id ? (SEED_BY_EXTENSION.get(id) ?? id.split('@')[0]) : e.target.type;
    return `${who} ${e.type}${state ? ` ${state}` : ''}`;
  });
}

/** Creates a websocket channel and one subscription per target, and waits until the driver watches them. */
export async function subscribe(env: ScenarioEnv, targets: Target[], events: EventFamily[]): Promise<void> {
  const ch = await env.client.post('/v1/channels', { type: 'websocket' });
  expect(ch.status).toBe(201);
  for (const target of targets) {
    const s = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: env.link,
      target,
      events,
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
  }
  const runner = env.stack.connector!.runner('default', env.link)!;
  const deadline = Date.now() + 10_000;
  const want = targets.map((t) => `${t.type}:${t.id ?? ''}`);
  for (;;) {
    const have = runner.watching().map((w) => `${w.target.type}:${w.target.id ?? ''}`);
    if (want.every((w) => have.includes(w))) break;
    if (Date.now() > deadline)
      throw new Error(`driver never watched ${want.join(', ')} (has ${have.join(', ')})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The logged events of the link through the public API (in seq order), after `afterSeq`. */
export async function loggedEvents(env: ScenarioEnv, afterSeq: number): Promise<BridgeEvent[]> {
  const out: BridgeEvent[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { items: BridgeEvent[]; nextCursor: string | null } } =
      await env.client.get(
        `/v1/events?link=${env.link}&after=${afterSeq}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

export const callsOf = (events: BridgeEvent[], correlationId: string) =>
  events.filter(
    (e) => (e.data as { call?: { correlationId?: string } }).call?.correlationId === correlationId,
  );

export const lastSeq = (tap: EventTap) => tap.events.at(-1)?.seq ?? 0;

/** The `call.released` events of a call. */
export const releasedOf = (events: BridgeEvent[], correlationId: string) =>
  callsOf(events, correlationId).filter((e) => e.type === 'call.released');

/**
 * Alice (1001) dials Bob (1002) through the API of a link that addresses users by extension; resolves
 * when Bob rings, with the call's correlation id and Bob's leg in the simulator.
 */
export async function ringBob(env: ScenarioEnv, tap: EventTap): Promise<{ corr: string; bobLeg: string }> {
  const dial = await env.client.post(`/v1/links/${env.link}/users/1001/calls`, { to: '1002' });
  expect(dial.status, JSON.stringify(dial.body)).toBe(201);
  const corr = dial.body.correlationId as string;
  await tap.until((evs) => callsOf(evs, corr).some((x) => x.type === 'call.received'), 'bob rings');
  return { corr, bobLeg: env.sim.core.listLegs({ userId: 'bob@sim.example' })[0]!.id };
}

/** A new call is seen and ends (Bob hangs up): the link works again, events and commands. */
export async function newCallWorks(env: ScenarioEnv, tap: EventTap): Promise<void> {
  const again = await ringBob(env, tap);
  env.sim.core.release(again.bobLeg);
  await tap.until((evs) => releasedOf(evs, again.corr).length === 2, 'the new call released');
}
