/**
 * Services (queues) and external routing of the CTIPS mapper. CallDelivered queues a call to a service
 * (L1427-1447): `queue.call.added` on `{type:'queue', id: <ServiceId>}`; its CallConnected at an agent
 * is the offer (`queue.call.offered`), its CallEstablished the answer (`queue.call.answered`), and its
 * end before any answer `queue.call.abandoned`. RouteRequest (L1677-1704) is `route.request` on
 * `{type:'routePoint', id: <ServiceId>}`; a call routed from there reaches its agent with
 * `via: {type:'routePoint'}`. The outcomes (RouteUsed, RouteRejected, RouteRequestFailed) are
 * `route.used` / `route.defaulted` / `route.rejected` / `route.failed` on the same route point (mapper.ts).
 */
import type { Call } from '../../../shared/events/model.js';
import type { Mapped, Party } from './mapper-calls.js';

interface Entry {
  queue: string;
  callId: string;
  correlationId: string;
  remote: Party;
  offeredTo?: string;
}

/** An event for a queue or route point. */
export interface TargetMapped {
  target: { type: 'queue' | 'routePoint'; id: string };
  mapped: Mapped;
}

/** A call as the queue book needs it. */
export interface CallRef {
  callId: string;
  correlationId: string;
}

/**
 * The queued and routed calls of a CTIPS link.
 *
 * @example
 * const book = new CtipsQueueBook();
 * book.delivered('3', { callId: '7', correlationId: '1:900' }, { address: '+15550100' });
 * // → [{ target: { type: 'queue', id: '3' }, mapped: { type: 'queue.call.added', ... position: 1 } }]
 */
export class CtipsQueueBook {
  private readonly queues = new Map<string, Entry[]>();
  private readonly routed = new Map<string, string>();

  /** CallDelivered: the call entered `queue` (a call already there gives nothing). */
  delivered(queue: string, ref: CallRef, remote: Party): TargetMapped[] {
    const list = this.queues.get(queue) ?? [];
    this.queues.set(queue, list);
    if (this.find(ref)) return [];
    const e: Entry = { queue, ...ref, remote: { ...remote } };
    list.push(e);
    return [this.event('queue.call.added', e, { position: list.length })];
  }

  /** The caller of a queued call (CallConnected often names none). */
  callerOf(ref: CallRef): Party | undefined {
    const e = this.find(ref);
    return e && e.remote.address ? { ...e.remote } : undefined;
  }

  /** Where a call reaching an agent came from: its queue, else the route point that routed it. */
  viaOf(ref: CallRef): Call['via'] | undefined {
    const e = this.find(ref);
    if (e) return { type: 'queue', id: e.queue };
    const rp = this.routed.get(ref.callId) ?? this.routed.get(ref.correlationId);
    return rp ? { type: 'routePoint', id: rp } : undefined;
  }

  /** CallConnected at `agent`: `queue.call.offered`, once per agent. */
  offered(ref: CallRef, agent: string): TargetMapped[] {
    const e = this.find(ref);
    if (!e || e.offeredTo === agent) return [];
    e.offeredTo = agent;
    return [this.event('queue.call.offered', e, { agent })];
  }

  /** CallEstablished at `agent`: `queue.call.answered`; the call leaves the queue. */
  answered(ref: CallRef, agent: string): TargetMapped[] {
    const e = this.find(ref);
    if (!e) return [];
    this.remove(e);
    return [this.event('queue.call.answered', e, { agent })];
  }

  /** The call ended while queued (CallCleared, CallEnd): `queue.call.abandoned`. */
  abandoned(ref: CallRef, reason: string): TargetMapped[] {
    const e = this.find(ref);
    if (!e) return [];
    this.remove(e);
    this.routed.delete(ref.callId);
    return [this.event('queue.call.abandoned', e, { reason })];
  }

  /** The call was routed elsewhere (RouteUsed to an agent, service or number): it left the queue. */
  removed(ref: CallRef, reason: string): TargetMapped[] {
    const e = this.find(ref);
    if (!e) return [];
    this.remove(e);
    return [this.event('queue.call.removed', e, { reason })];
  }

  /** RouteRequest at `routePoint`: `route.request`, with the caller, DNIS, call data and deadline. */
  routeRequest(
    routePoint: string,
    ref: CallRef,
    info: { remote: Party; dnis?: string; userData?: Record<string, string>; deadline?: string },
  ): TargetMapped[] {
    this.routed.set(ref.callId, routePoint);
    return [
      {
        target: { type: 'routePoint', id: routePoint },
        mapped: {
          type: 'route.request',
          data: {
            routePoint: { id: routePoint },
            call: {
              id: ref.callId,
              correlationId: ref.correlationId,
              remote: { address: info.remote.address },
              ...(info.dnis ? { dnis: info.dnis } : {}),
              ...(info.userData ? { userData: { ...info.userData } } : {}),
            },
            ...(info.deadline ? { deadline: info.deadline } : {}),
          },
        },
      },
    ];
  }

  /** The route point a call was requested a route at, while the call is known. */
  routePointOf(callId: string): string | undefined {
    return this.routed.get(callId);
  }

  /** Forgets a call (CallEnd). */
  forget(callId: string): void {
    this.routed.delete(callId);
  }

  private find(ref: CallRef): Entry | undefined {
    for (const list of this.queues.values()) {
      const e = list.find((x) => x.callId === ref.callId || x.correlationId === ref.correlationId);
      if (e) return e;
    }
    return undefined;
  }

  private remove(e: Entry): void {
    const list = this.queues.get(e.queue);
    const at = list?.indexOf(e) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }

  private event(type: Mapped['type'], e: Entry, extra: Record<string, unknown>): TargetMapped {
    return {
      target: { type: 'queue', id: e.queue },
      mapped: {
        type,
        data: {
          queue: { id: e.queue },
          call: { id: e.callId, correlationId: e.correlationId, remote: { ...e.remote }, ...extra },
        },
      },
    };
  }
}
