/**
 * Hunt-group queues of the IP Office mapper. A QueuedEvent whose cause is not `park` puts a call in the
 * queue its `queue` device names (`queue.call.added`, with its position); the call's ringing at an
 * agent is the offer (`queue.call.offered`), the agent's answer `queue.call.answered`, and a release
 * before any answer `queue.call.abandoned`. A queued call is matched to an agent's leg by its linkage
 * (correlationId), its callID, else the first call not yet offered from the same caller number.
 * The document has only the park sample of QueuedEvent (L4128-4216); the hunt-group use is (inf).
 *
 * A call can leave a hunt group without an event that removes it here: to voicemail, overflow or night
 * service (the document has no Diverted event; docs/protocols/avaya-ipo-cti.md reads one as a Delivered,
 * not as leaving the queue), or answered by an agent this link does not see. So the book is bounded:
 * an entry older than `QUEUED_MAX_AGE_MS` is dropped at the next add or lookup, and beyond `QUEUED_MAX`
 * entries the oldest goes. Both silently: nothing says where the call went.
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
  /** When it was queued (ms, the mapper's clock). */
  at: number;
}

/** No hunt-group call waits this long: an older entry left its queue unseen. */
export const QUEUED_MAX_AGE_MS = 4 * 60 * 60 * 1000;
/** The most queued calls kept, over all queues (far more than a system's hunt groups hold at once). */
export const QUEUED_MAX = 2000;

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
  /** By queue, in arrival order (each list's head is its oldest entry). */
  private readonly queues = new Map<string, Entry[]>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Whether `device` was seen as a queue (its own events are the queue's, not a user's). */
  isQueue(device: string | undefined): boolean {
    return !!device && [...this.queues.keys()].some((q) => sameDevice(q, device));
  }

  /** The queue's calls in order (ids and callers). */
  callsOf(queue: string): { id: string; position: number; from?: string }[] {
    this.expire();
    return (this.queues.get(queue) ?? []).map((e, i) => ({
      id: e.callId,
      position: i + 1,
      ...(e.remote.address ? { from: e.remote.address } : {}),
    }));
  }

  /** A call entered `queue`; a call already queued there gives nothing. */
  added(queue: string, ref: QueueCallRef & { callerName?: string }): Mapped[] {
    if (!ref.callId) return [];
    this.expire();
    const list = this.queues.get(queue) ?? [];
    this.queues.set(queue, list);
    if (this.find(list, ref)) return [];
    const remote = ref.callerName
      ? { address: ref.caller ?? '', name: ref.callerName }
      : { address: ref.caller ?? '' };
    const e: Entry = {
      queue,
      callId: ref.callId,
      correlationId: ref.correlationId ?? ref.callId,
      remote,
      at: this.now().getTime(),
    };
    list.push(e);
    this.evict();
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

  /**
   * The entries of every queue (none kept, the hunt groups stay known as queues): the link was down and
   * no event of the calls queued meanwhile will come (no replay).
   */
  clear(): void {
    for (const list of this.queues.values()) list.length = 0;
  }

  private lookup(ref: QueueCallRef, byCaller = true): Entry | undefined {
    this.expire();
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

  /** Drops the entries older than `QUEUED_MAX_AGE_MS`: a list's oldest are at its head. */
  private expire(): void {
    const oldest = this.now().getTime() - QUEUED_MAX_AGE_MS;
    for (const list of this.queues.values()) while (list.length && list[0]!.at < oldest) list.shift();
  }

  /** Beyond `QUEUED_MAX` entries, the oldest of all goes (the earliest head of a list). */
  private evict(): void {
    let size = 0;
    let oldest: Entry[] | undefined;
    for (const list of this.queues.values()) {
      size += list.length;
      if (list.length && (!oldest || list[0]!.at < oldest[0]!.at)) oldest = list;
    }
    if (size > QUEUED_MAX) oldest?.shift();
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
