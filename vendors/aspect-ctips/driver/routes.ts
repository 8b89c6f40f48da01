/**
 * RouteRequests (L1677-1704): CTIPS asks an externally routed service's calls for a route and routes
 * by default when no RouteSelect came within the request's RouteTimeout (L1695). The bridge emits the
 * request (`route.request`, through the mapper) and, since the command contract has no route-select
 * command yet, answers every request still pending after `routeDeadlineMs` with
 * RouteSelect(RouteToDefault): CTIPS's default routing, without waiting for CTIPS's own timeout. A
 * RouteUsed, RouteReject or RouteRequestFailed for the call ends it. `select()` is the seam a future
 * route-select command uses.
 */
import type { DriverLogger } from '../../driver-kit/seam.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { CtipsConnection } from './connection.js';
import { fieldOf, type EventLike } from './outcomes.js';

const ENDS = new Set(['RouteUsed', 'RouteReject', 'RouteRejected', 'RouteRequestFailed']);

export interface RoutesDeps {
  timers: DriverTimers;
  deadlineMs: number;
  logger: DriverLogger;
  /** The online connection, if any. */
  connection(): CtipsConnection | undefined;
}

/**
 * @example
 * routes.observe(routeRequestEvent); // RouteSelect(RouteToDefault) after routeDeadlineMs unless routed
 */
export class Routes {
  private readonly pending = new Map<number, CtipsConnection>();

  constructor(private readonly deps: RoutesDeps) {}

  /** Call ids of the RouteRequests not answered yet. */
  get open(): number[] {
    return [...this.pending.keys()];
  }

  observe(ev: EventLike): void {
    const callId = fieldOf(ev, 'CallId');
    if (callId === undefined) return;
    if (ENDS.has(ev.name)) {
      this.pending.delete(callId);
      return;
    }
    if (ev.name !== 'RouteRequest') return;
    const conn = this.deps.connection();
    if (!conn) return;
    this.pending.set(callId, conn);
    this.deps.timers.later(this.deps.deadlineMs, () => {
      if (this.pending.get(callId) !== conn) return;
      void this.select(callId, 'RouteToDefault', '').catch((err: unknown) =>
        this.deps.logger.warn('aspect-ctips: default RouteSelect failed', {
          callId,
          error: (err as Error).message,
        }),
      );
    });
  }

  /** RouteSelect for a pending RouteRequest (L1038-1070); resolves on CTIPS's acknowledgement. */
  async select(
    callId: number,
    routeType: string,
    destination: string,
    userData: string[] = [],
  ): Promise<void> {
    const conn = this.pending.get(callId);
    this.pending.delete(callId);
    if (!conn || conn !== this.deps.connection()) return;
    await conn.request('RouteSelect', {
      RequestId: conn.nextRequestId(),
      CallId: callId,
      RouteActionType: routeType,
      RouteDestination: destination,
      UserData: userData,
    });
  }

  clear(): void {
    this.pending.clear();
  }
}
