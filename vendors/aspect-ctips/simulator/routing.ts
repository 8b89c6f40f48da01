/**
 * External routing (digest §5.3, §6.3, §9.2): a call queued at a route point gets a RouteRequest
 * (RequestId 0, RouteTimeout in whole seconds); a RouteSelect in time routes it (RouteUsed with the
 * RouteSelect's RequestId and RouteSuccess, before the destination's own events); a destination that
 * cannot be reached gets RouteRejected (NoRouteToDestination) and the request stays open; no valid
 * RouteSelect in time routes by default (RouteUsed with RequestId 0 and RouteDefaultUsed only).
 */
import { PbxError, type LegSnapshot } from '../../../simulator/core/index.js';
import type { CallRecord } from './call-book.js';
import type { SimContext } from './context.js';

interface PendingRoute {
  rec: CallRecord;
  legId: string;
  queueId: string;
  timer: ReturnType<typeof setTimeout>;
}

const ccOf = (rec: CallRecord) => ({
  CallId: rec.callId,
  CallSequenceId: rec.sequenceId,
  CallOriginatingSiteId: 1,
});

/**
 * @example
 * const desk = new RouteDesk(ctx);
 * desk.select(7, 42, 'RouteToService', '2001'); // RouteUsed(RequestId 42) then the queue's events
 */
export class RouteDesk {
  private readonly pending = new Map<number, PendingRoute>();

  constructor(private readonly ctx: SimContext) {}

  /** The destination of default routing: the option, else the first ACD queue's extension. */
  defaultDestination(): string | undefined {
    return (
      this.ctx.opts.defaultRoute ?? this.ctx.core.listQueues().find((q) => q.kind === 'queue')?.extension
    );
  }

  request(rec: CallRecord, leg: LegSnapshot, queueId: string): void {
    const ms = this.ctx.opts.routeTimeoutMs;
    const timer = setTimeout(() => this.timeout(rec.callId), ms);
    timer.unref?.();
    this.pending.set(rec.callId, { rec, legId: leg.id, queueId, timer });
    this.ctx.emit('RouteRequest', {
      ...ccOf(rec),
      RequestId: 0,
      ServiceId: rec.serviceId,
      RouteTimeout: Math.max(1, Math.ceil(ms / 1000)),
      ResourceGroupId: 0,
      CircuitId: 0,
      ChannelId: 0,
      MediaType: 'VoiceAnalog',
      SipIpAddress: '',
      SipPortNumber: '',
      CallInfo: [{ ANI: rec.ani, DNIS: rec.dnis, CallerId: rec.ani, PhoneNumber: rec.ani, CallData: [] }],
    });
  }

  /** A call left the route point without routing (caller hung up). */
  forget(callId: number): void {
    const p = this.pending.get(callId);
    if (p) clearTimeout(p.timer);
    this.pending.delete(callId);
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  /** Resolves a RouteSelect destination to a core address, or undefined. */
  resolve(type: string, destination: string): string | undefined {
    const d = destination.trim();
    switch (type) {
      case 'RouteToAgent': {
        const byId = /^\d+$/.test(d) ? this.ctx.agents.byId(Number(d)) : undefined;
        const u = byId ? this.ctx.core.getUser(byId.userId) : this.ctx.agents.userOf(d);
        return u?.extension;
      }
      case 'RouteToService':
        return this.ctx.core.listQueues().find((q) => q.extension === d)?.extension;
      case 'RouteToExternal':
        return this.ctx.core.resolve(d).kind === 'external' ? d : undefined;
      case 'RouteToDefault':
        return this.defaultDestination();
      default:
        return undefined;
    }
  }

  /** RouteSelect (after validation): routes, rejects or fails with events. */
  select(callId: number, type: string, destination: string, userData: string[] = []): void {
    const p = this.pending.get(callId);
    const rec = p?.rec ?? this.ctx.calls.get(callId);
    if (!p) {
      this.ctx.emit('RouteRequestFailed', {
        CallId: callId,
        ...(rec ? ccOf(rec) : {}),
        FailureType: 'InvalidCallId',
        FailureReason: `no route request for call ${callId}`,
      });
      return;
    }
    const to = this.resolve(type, destination);
    if (!to) {
      this.ctx.emit('RouteReject', {
        ...ccOf(p.rec),
        ServiceId: p.rec.serviceId,
        RouteRejectReason: 'NoRouteToDestination',
      });
      return;
    }
    // the call data the route select gives travels with the call (the agent's screen pop, L1062)
    if (userData.length) p.rec.userData = userData;
    this.route(p, to, type, destination, this.ctx.requestId, 'RouteSuccess');
  }

  private timeout(callId: number): void {
    const p = this.pending.get(callId);
    const to = this.defaultDestination();
    if (!p || !to) return;
    this.route(p, to, 'RouteToDefault', to, 0, 'RouteDefaultUsed');
  }

  private route(
    p: PendingRoute,
    to: string,
    type: string,
    dest: string,
    requestId: number,
    status: string,
  ): void {
    clearTimeout(p.timer);
    this.pending.delete(p.rec.callId);
    const before = this.ctx.requestId;
    this.ctx.requestId = requestId;
    try {
      this.ctx.emit('RouteUsed', {
        ...ccOf(p.rec),
        RequestId: requestId,
        ServiceId: p.rec.serviceId,
        RouteStatus: status,
        RouteType: type,
        RouteDestination: dest,
      });
      this.ctx.core.distribute(p.queueId, p.legId, to);
    } catch (err) {
      if (!(err instanceof PbxError)) throw err;
      this.ctx.emit('RouteRequestFailed', {
        ...ccOf(p.rec),
        FailureType: 'RequestFailed',
        FailureReason: err.message,
      });
    } finally {
      this.ctx.requestId = before;
    }
  }
}
