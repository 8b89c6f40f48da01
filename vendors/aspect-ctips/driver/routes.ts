/**
 * RouteRequests (L1677-1704): CTIPS asks for a route for each call of an externally routed service and
 * routes by default when no valid RouteSelect came within the request's RouteTimeout (L1695, L1730).
 *
 * Each request is a small state machine, `open → selecting → open | done`:
 * - `open`: the request is pending; `route.request` (mapper) carries its deadline, `deadlineOf`.
 * - `selecting`: a RouteSelect was sent (`select`, from the API or a routing webhook); RouteUsed ends
 *   it (`done`), RouteRejected puts it back to `open` (the request stays open, L1730) and answers the
 *   caller 422, RouteRequestFailed ends it with 422.
 * - at the deadline (`routeDeadlineMs`, at most the RouteTimeout less a second) an `open` request is
 *   answered RouteSelect(RouteToDefault) by the bridge, so that a late answer is refused (409) and never
 *   sent; a `selecting` one is defaulted if it is rejected after its deadline.
 * A RouteUsed with RequestId 0 (CTIPS's own default routing) ends any state. `decisionOf` tells the
 * mapper who chose a route, for the `route.*` outcome events.
 */
import type { RouteChoice } from '../../../shared/events/model.js';
import type { CommandResult } from '../../driver-kit/seam.js';
import { VendorError, type DriverLogger } from '../../driver-kit/seam.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import { textOf } from '../wire/xml.js';
import type { AgentDirectory } from './agents.js';
import type { CtipsConnection } from './connection.js';
import { badRequest, VENDOR } from './errors.js';
import { fieldOf, type EventLike, type Outcomes } from './outcomes.js';

/** Who decided a route: the API, a routing webhook, the bridge at the deadline, CTIPS itself. */
export type RouteDecider = 'api' | 'webhook' | 'timeout' | 'vendor';

export interface RouteDecision {
  route: { type: RouteChoice['type']; destination?: string };
  by: RouteDecider;
}

type RouteState = 'open' | 'selecting' | 'done';

interface PendingRoute {
  callId: number;
  conn: CtipsConnection;
  state: RouteState;
  deadline: number;
  expired: boolean;
  decision?: RouteDecision;
}

export interface RoutesDeps {
  timers: DriverTimers;
  /** The longest the bridge waits for a decision (capped by each request's RouteTimeout). */
  deadlineMs: number;
  logger: DriverLogger;
  outcomes: Outcomes;
  agents: AgentDirectory;
  /** The online connection, if any. */
  connection(): CtipsConnection | undefined;
  now?: () => number;
}

/** RouteActionType (CTIRouteType, L2361-2372) of each route type of the model. */
const ACTION: Record<RouteChoice['type'], string> = {
  agent: 'RouteToAgent',
  service: 'RouteToService',
  external: 'RouteToExternal',
  default: 'RouteToDefault',
};

/**
 * The model's route of a CTIRouteType and destination (RouteUsed's RouteType / RouteDestination), where
 * the type is one a RouteSelect can ask for (not Invalid, IVR, Voicemail).
 *
 * @example
 * routeOfAction('RouteToAgent', '1003'); // { type: 'agent', destination: '1003' }
 */
export function routeOfAction(
  action: string,
  destination: string | undefined,
): RouteDecision['route'] | undefined {
  const type = (Object.keys(ACTION) as RouteChoice['type'][]).find((t) => ACTION[t] === action);
  if (!type) return undefined;
  return { type, ...(destination && type !== 'default' ? { destination } : {}) };
}

/** Finished requests remembered for `decisionOf` and for refusing late answers. */
const DONE_KEPT = 512;

/**
 * @example
 * routes.observe(routeRequestEvent); // open, deadline min(routeDeadlineMs, RouteTimeout - 1 s)
 * await routes.select('9', { type: 'agent', destination: '1003' }, 'api'); // { outcome: 'used', ... }
 */
export class Routes {
  private readonly requests = new Map<number, PendingRoute>();

  constructor(private readonly deps: RoutesDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Call ids of the RouteRequests not answered yet. */
  get open(): number[] {
    return [...this.requests.values()].filter((r) => r.state !== 'done').map((r) => r.callId);
  }

  /** The deadline of a pending request (epoch ms), as `route.request` announces it. */
  deadlineOf(callId: number): number | undefined {
    const r = this.requests.get(callId);
    return r && r.state !== 'done' ? r.deadline : undefined;
  }

  /** Who chose the route of a call, once a RouteSelect was sent for it. */
  decisionOf(callId: number): RouteDecision | undefined {
    return this.requests.get(callId)?.decision;
  }

  /** Every event, before the mapper: a RouteRequest opens a request; its outcome events move it on. */
  observe(ev: EventLike): void {
    const callId = fieldOf(ev, 'CallId');
    if (callId === undefined) return;
    if (ev.name === 'RouteRequest') return this.opened(callId, fieldOf(ev, 'RouteTimeout'));
    const r = this.requests.get(callId);
    if (!r) return;
    switch (ev.name) {
      case 'RouteUsed':
        if (fieldOf(ev, 'RequestId') === 0 && r.state !== 'done')
          r.decision = { route: { type: 'default' }, by: 'vendor' };
        return this.finish(r);
      case 'RouteReject':
      case 'RouteRejected':
        if (r.state !== 'selecting') return;
        r.state = 'open';
        if (r.expired) this.byDefault(r);
        return;
      case 'RouteRequestFailed':
        return this.finish(r);
      case 'CallEnd':
      case 'CallCleared':
        return this.finish(r);
      default:
        return;
    }
  }

  /**
   * RouteSelect for a pending RouteRequest (L1038-1070), answered on its outcome: RouteUsed → `used`;
   * RouteRejected or RouteRequestFailed → 422; not pending (routed, defaulted, never requested) → 409.
   */
  async select(
    call: string,
    route: RouteChoice,
    by: 'api' | 'webhook',
  ): Promise<CommandResult<'routeSelect'>> {
    if (!/^\d+$/.test(call)) throw badRequest(`CTIPS call ids are integers, got ${JSON.stringify(call)}`);
    const r = this.requests.get(Number(call));
    if (!r || r.state !== 'open' || r.expired || this.now() >= r.deadline)
      throw new VendorError(
        409,
        `aspect-ctips: no route request is pending for call ${call} (${
          !r
            ? 'none was received'
            : r.state === 'selecting'
              ? 'a route select is in progress'
              : 'it was routed or defaulted at its deadline'
        })`,
        { name: VENDOR, code: 'route-not-pending' },
      );
    const destination = this.destinationOf(route);
    const decision: RouteDecision = {
      route: { type: route.type, ...(route.destination ? { destination: route.destination } : {}) },
      by,
    };
    await this.send(r, route.type, destination, decision, route.userData);
    return { outcome: 'used', route };
  }

  clear(): void {
    this.requests.clear();
  }

  private opened(callId: number, timeoutS: number | undefined): void {
    const conn = this.deps.connection();
    if (!conn) return;
    const vendorMs = timeoutS && timeoutS > 0 ? Math.max(250, timeoutS * 1000 - 1000) : Infinity;
    const ms = Math.min(this.deps.deadlineMs, vendorMs);
    const r: PendingRoute = { callId, conn, state: 'open', deadline: this.now() + ms, expired: false };
    this.requests.set(callId, r);
    this.deps.timers.later(ms, () => {
      if (this.requests.get(callId) !== r || r.state === 'done') return;
      r.expired = true;
      if (r.state === 'open') this.byDefault(r);
    });
  }

  private byDefault(r: PendingRoute): void {
    void this.send(r, 'default', '', { route: { type: 'default' }, by: 'timeout' }).catch((err: unknown) =>
      this.deps.logger.warn('aspect-ctips: default RouteSelect failed', {
        callId: r.callId,
        error: (err as Error).message,
      }),
    );
  }

  /** Sends RouteSelect and waits for RouteUsed (resolves), RouteRejected / RouteRequestFailed (throw). */
  private async send(
    r: PendingRoute,
    type: RouteChoice['type'],
    destination: string,
    decision: RouteDecision,
    userData?: Record<string, string>,
  ): Promise<void> {
    const conn = this.deps.connection();
    if (!conn || conn !== r.conn) {
      this.finish(r);
      throw new VendorError(
        409,
        `aspect-ctips: the route request for call ${r.callId} was on a lost connection`,
        {
          name: VENDOR,
          code: 'route-not-pending',
        },
      );
    }
    r.state = 'selecting';
    r.decision = decision;
    const requestId = conn.nextRequestId();
    const wait = this.deps.outcomes.expect((ev) => {
      if (fieldOf(ev, 'CallId') !== r.callId) return undefined;
      if (ev.name === 'RouteUsed') return true;
      if (fieldOf(ev, 'RequestId') !== requestId) return undefined;
      if (ev.name === 'RouteReject' || ev.name === 'RouteRejected')
        throw routeRefused(ev.name, textOf(ev.node, 'RouteRejectReason'));
      if (ev.name === 'RouteRequestFailed')
        throw routeRefused(
          ev.name,
          [textOf(ev.node, 'FailureType'), textOf(ev.node, 'FailureReason')].filter(Boolean).join(': '),
        );
      return undefined;
    }, `RouteUsed after RouteSelect for call ${r.callId}`);
    try {
      await conn.request('RouteSelect', {
        RequestId: requestId,
        CallId: r.callId,
        RouteActionType: ACTION[type],
        RouteDestination: destination,
        UserData: userDataList(userData),
      });
    } catch (err) {
      wait.cancel();
      if (r.state === 'selecting') r.state = 'open';
      throw err;
    }
    await wait.promise;
  }

  /**
   * RouteDestination (L1068): an agent as its AgentLoginName (the field table; the prose of L1044 says
   * "the index of the agent", which CTIPS servers also read: an agent the bridge knows no name of is
   * sent as given), a ServiceId or a number as given.
   */
  private destinationOf(route: RouteChoice): string {
    if (route.type === 'default') return '';
    const dest = route.destination ?? '';
    if (route.type !== 'agent') return dest;
    return this.deps.agents.find(dest)?.loginName ?? dest;
  }

  private finish(r: PendingRoute): void {
    r.state = 'done';
    if (this.requests.size > DONE_KEPT)
      for (const [id, x] of this.requests) {
        if (this.requests.size <= DONE_KEPT) break;
        if (x.state === 'done') this.requests.delete(id);
      }
  }
}

/** The 20 user fields of RouteSelect / SetCallData (String[], L1062, L912) from keys "1".."20". */
export function userDataList(userData: Record<string, string> | undefined): string[] {
  if (!userData) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(userData)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 1 || i > 20)
      throw badRequest(`CTIPS user data has 20 fields, keyed "1".."20"; got key ${JSON.stringify(k)}`);
    out[i - 1] = v;
  }
  return Array.from({ length: out.length }, (_, i) => out[i] ?? '');
}

function routeRefused(event: string, reason: string | undefined): VendorError {
  return new VendorError(422, `aspect-ctips ${event}${reason ? `: ${reason}` : ''}`, {
    name: VENDOR,
    code: event,
    ...(reason ? { text: reason } : {}),
  });
}
