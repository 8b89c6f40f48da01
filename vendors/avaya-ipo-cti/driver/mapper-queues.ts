/**
 * Hunt-group queues of the IP Office mapper. A QueuedEvent whose cause is not `park` puts a call in the
 * queue its `queue` device names (`queue.call.added`, with its position); the call's ringing at an
 * agent is the offer (`queue.call.offered`), the agent's answer `queue.call.answered`, and a release
 * before any answer `queue.call.abandoned`. A queued call is matched to an agent's leg by its linkage
 * (correlationId), its callID, else the first call not yet offered from the same caller number.
 * The document has only the park sample of QueuedEvent (L4128-4216); the hunt-group use is (inf).
 */
import type { Call } from '../../../shared/events/model.js';
import type { Mapped } from './mapper-calls.js';
import { releaseCauseName, sameDevice } from './mapper-codes.js';

interface Entry {
  queue: string;
  callId: string;
  correlationId: string;
  remote: { address: string; name?: string };
  offeredTo?: string;
}

/** A call as the queue book needs to know it. */
export interface QueueCallRef {
  callId?: string;
  correlationId?: string;
  caller?: string;
}

/**
 * The queued calls of an IP Office link, by queue, in arrival order.
 *
 * @example
 * const book = new IpoQueueBook();
 * book.added('2001', { callId: 'c1', correlationId: 'c1', caller: '+15550100' });
 * // → [{ type: 'queue.call.added', data: { queue: { id: '2001' }, call: {..., position: 1} } }]
 */
export class IpoQueueBook {
  private readonly queues = new Map<string, Entry[]>();

  /** Whether `device` was seen as a queue (its own events are the queue's, not a user's). */
  isQueue(device: string | undefined): boolean {
    return !!device && [...this.queues.keys()].some((q) => sameDevice(q, device));
  }

  /** The queue's calls in order (ids and callers). */
  callsOf(queue: string): { id: string; position: number; from?: string }[] {
    return (this.queues.get(queue) ?? []).map((e, i) => ({
      id: e.callId,
      position: i + 1,
      ...(e.remote.address ? { from: e.remote.address } : {}),
    }));
  }

  /** A call entered `queue`; a call already queued there gives nothing. */
  added(queue: string, ref: QueueCallRef & { callerName?: string }): Mapped[] {
    if (!ref.callId) return [];
    const list = this.queues.get(queue) ?? [];
    this.queues.set(queue, list);
    if (this.find(list, ref)) return [];
    const remote = ref.callerName
      ? { address: ref.caller ?? '', name: ref.callerName }
      : { address: ref.caller ?? '' };
    const e: Entry = { queue, callId: ref.callId, correlationId: ref.correlationId ?? ref.callId, remote };
    list.push(e);
    return [this.event('queue.call.added', e, { position: list.length })];
  }

  /** The queue a call reaching an agent comes from (undefined: not a queued call). */
  match(ref: QueueCallRef): string | undefined {
    return this.lookup(ref)?.queue;
  }

  /** The call rings at `agent`: `queue.call.offered` once per agent. */
  offered(ref: QueueCallRef, agent: string, call?: Call): { queue: string; events: Mapped[] } | undefined {
    const e = this.lookup(ref);
    if (!e) return undefined;
    if (call) e.correlationId = call.correlationId;
    if (e.offeredTo !== undefined && sameDevice(e.offeredTo, agent)) return { queue: e.queue, events: [] };
    e.offeredTo = agent;
    return { queue: e.queue, events: [this.event('queue.call.offered', e, { agent })] };
  }

  /** The agent answered: the call leaves the queue (`queue.call.answered`). */
  answered(ref: QueueCallRef, agent: string): { queue: string; events: Mapped[] } | undefined {
    const e = this.lookup(ref);
    if (!e) return undefined;
    this.remove(e);
    return { queue: e.queue, events: [this.event('queue.call.answered', e, { agent })] };
  }

  /** The call ended while queued: `queue.call.abandoned` with the cause. */
  cleared(ref: QueueCallRef, cause: string | undefined): { queue: string; events: Mapped[] } | undefined {
    const e = this.lookup(ref, false);
    if (!e) return undefined;
    this.remove(e);
    return {
      queue: e.queue,
      events: [this.event('queue.call.abandoned', e, { reason: releaseCauseName(cause) })],
    };
  }

  private lookup(ref: QueueCallRef, byCaller = true): Entry | undefined {
    for (const list of this.queues.values()) {
      const e = this.find(list, ref);
      if (e) return e;
    }
    if (!byCaller || !ref.caller) return undefined;
    for (const list of this.queues.values()) {
      const e = list.find((x) => x.offeredTo === undefined && sameDevice(x.remote.address, ref.caller));
      if (e) return e;
    }
    return undefined;
  }

  private find(list: Entry[], ref: QueueCallRef): Entry | undefined {
    return list.find(
      (e) =>
        (ref.callId !== undefined && (e.callId === ref.callId || e.correlationId === ref.callId)) ||
        (ref.correlationId !== undefined &&
          (e.correlationId === ref.correlationId || e.callId === ref.correlationId)),
    );
  }

  private remove(e: Entry): void {
    const list = this.queues.get(e.queue);
    const at = list?.indexOf(e) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }

  private event(type: Mapped['type'], e: Entry, extra: Record<string, unknown>): Mapped {
    return {
      type,
      data: {
        queue: { id: e.queue },
        call: { id: e.callId, correlationId: e.correlationId, remote: { ...e.remote }, ...extra },
      },
    };
  }
}
