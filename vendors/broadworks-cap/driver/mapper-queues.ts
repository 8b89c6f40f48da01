/**
 * The queue half of the CAP mapper: the calls of each call-centre queue in queue order, kept from
 * queueUpdate (L2721-2877), and the `queue.call.*` events of each update reason. The full list comes on
 * login (Initial), on CallReordered and on Refresh; every other reason names only the affected call
 * (L2723-2724, L3321), so the order is kept here for `listQueueCalls`.
 */
import type { Call } from '../../../shared/events/model.js';
import type { QueuedCall } from '../../../shared/commands/contract.js';
import type { CapQueueCall } from '../wire/index.js';
import type { Mapped } from './mapper-calls.js';
import { isoFromMs, partyAddress } from './mapper-codes.js';

interface Entry {
  call: CapQueueCall;
  /** The agent the call was last offered to (seen on the agent's callUpdate). */
  offeredTo?: string;
  /** The extTrackingId, once the agent's call revealed it (queueCall carries none). */
  correlationId?: string;
}

/** What each single-call reason does: the event type and, for removals, the reason given. */
const SINGLE: Readonly<Record<string, { type: Mapped['type']; reason?: string } | undefined>> = {
  calladded: { type: 'queue.call.added' },
  callanswered: { type: 'queue.call.answered' },
  callabandoned: { type: 'queue.call.abandoned', reason: 'abandoned' },
  calltransferred: { type: 'queue.call.removed', reason: 'transferred' },
  queuetimeout: { type: 'queue.call.removed', reason: 'timeout' },
  queueoverflow: { type: 'queue.call.removed', reason: 'overflow' },
};
const FULL_LIST: ReadonlySet<string> = new Set(['initial', 'refresh', 'callreordered']);

const digits = (s: string | undefined) => (s ?? '').replace(/\D/g, '');
const text = (s: string | undefined) => (s?.trim() ? s.trim() : undefined);

/** Copies the fields `update` gives over `base` (a partial queueCall keeps what was known). */
function merged(base: CapQueueCall | undefined, update: CapQueueCall): CapQueueCall {
  const out: CapQueueCall = { ...base, callId: update.callId };
  for (const [k, v] of Object.entries(update) as [keyof CapQueueCall, unknown][])
    if (v !== undefined && v !== '') (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Per-queue call lists of a CAP link.
 *
 * @example
 * const book = new CapQueueBook();
 * book.update('sales@sim.example', 'CallAdded', [{ callId: 'q1', remoteNumber: '+15550100', position: 1 }]);
 * // → [{ type: 'queue.call.added', data: { queue: { id: 'sales@sim.example' }, call: {..., position: 1} } }]
 */
export class CapQueueBook {
  private readonly queues = new Map<string, Entry[]>();

  /** The queue's calls in queue order, as `listQueueCalls` answers them. */
  callsOf(queue: string): QueuedCall[] {
    return (this.queues.get(queue) ?? []).map((e, i) => {
      const q: QueuedCall = { id: e.call.callId, position: i + 1 };
      const from = text(e.call.remoteNumber);
      if (from) q.from = from;
      const fromName = text(e.call.remoteName);
      if (fromName) q.fromName = fromName;
      const dnis = text(e.call.DNISNumber);
      if (dnis) q.dnis = dnis;
      const dnisName = text(e.call.DNISName);
      if (dnisName) q.dnisName = dnisName;
      const enteredAt = isoFromMs(e.call.timeAdded);
      if (enteredAt) q.enteredAt = enteredAt;
      if (e.call.priority !== undefined) q.priority = e.call.priority;
      return q;
    });
  }

  forget(queue: string): void {
    this.queues.delete(queue);
  }

  /** The cached queue a call-centre id names: the same id, else the same local part (`sales` = `sales@x`). */
  resolve(id: string): string | undefined {
    if (this.queues.has(id)) return id;
    const local = id.split('@')[0];
    return [...this.queues.keys()].find((q) => q.split('@')[0] === local);
  }

  /** One queueUpdate of `queue`. */
  update(queue: string, updateReason: string, calls: CapQueueCall[]): Mapped[] {
    const reason = updateReason.trim().toLowerCase();
    const list = this.queues.get(queue) ?? [];
    this.queues.set(queue, list);
    const named = calls.filter((c) => c.callId !== '');
    if (FULL_LIST.has(reason)) return this.replace(queue, list, named, reason === 'initial');
    const single = SINGLE[reason];
    const out: Mapped[] = [];
    for (const c of named) {
      const at = list.findIndex((e) => e.call.callId === c.callId);
      const entry: Entry = at >= 0 ? list[at]! : { call: c };
      entry.call = merged(entry.call, c);
      if (single?.type === 'queue.call.added' || (!single && at >= 0)) {
        // added, or an attribute change (CallUpdated, CallPromoted) that may move the call
        if (at >= 0) list.splice(at, 1);
        const to = c.position !== undefined && c.position > 0 ? c.position - 1 : at >= 0 ? at : list.length;
        list.splice(Math.min(to, list.length), 0, entry);
        if (single) out.push(this.event(single.type, queue, entry, { position: list.indexOf(entry) + 1 }));
        continue;
      }
      if (!single) continue; // an update of a call never listed: nothing to change
      if (at >= 0) list.splice(at, 1);
      const extra: Record<string, unknown> = single.reason ? { reason: single.reason } : {};
      if (single.type === 'queue.call.answered' && entry.offeredTo) extra['agent'] = entry.offeredTo;
      out.push(this.event(single.type, queue, entry, extra));
    }
    return out;
  }

  /**
   * The agent's side of an offer: `agentCall` reached `agent` through `queue` (the callUpdate's
   * `callCenterUserId` or `callCenter@id`). CAP has no offer message and queueCall no extTrackingId, so
   * the queued call is the first one not yet offered with the same caller number (digits compared).
   */
  offer(queue: string, agent: string, agentCall: Call): Mapped | undefined {
    const list = this.queues.get(queue);
    if (!list?.length) return undefined;
    const number = digits(agentCall.remote.address);
    const same = number ? list.filter((e) => digits(e.call.remoteNumber) === number) : list;
    const entry = same.find((e) => e.offeredTo === undefined) ?? same[0];
    if (!entry) return undefined;
    entry.offeredTo = agent;
    entry.correlationId = agentCall.correlationId;
    return this.event('queue.call.offered', queue, entry, { agent });
  }

  /** A full list: new calls are added, known calls missing from it left while nobody watched. */
  private replace(queue: string, list: Entry[], calls: CapQueueCall[], initial: boolean): Mapped[] {
    const out: Mapped[] = [];
    const known = new Map(list.map((e) => [e.call.callId, e]));
    const seen = new Set(calls.map((c) => c.callId));
    for (const e of list)
      if (!seen.has(e.call.callId))
        out.push(this.event('queue.call.removed', queue, e, { reason: initial ? 'resync' : 'refresh' }));
    const order: Entry[] = [];
    for (const c of calls) {
      if (order.some((e) => e.call.callId === c.callId)) continue; // a repeated queueCall
      const prev = known.get(c.callId);
      const entry: Entry = prev ? { ...prev, call: merged(prev.call, c) } : { call: c };
      order.push(entry);
      if (!prev) out.push(this.event('queue.call.added', queue, entry, { position: order.length }));
    }
    list.splice(0, list.length, ...order);
    return out;
  }

  private event(type: Mapped['type'], queue: string, e: Entry, extra: Record<string, unknown>): Mapped {
    const remote: { address: string; name?: string } = { address: partyAddress(e.call.remoteNumber) ?? '' };
    const name = text(e.call.remoteName);
    if (name) remote.name = name;
    return {
      type,
      data: {
        queue: { id: queue },
        call: { id: e.call.callId, correlationId: e.correlationId ?? e.call.callId, remote, ...extra },
      },
    };
  }
}
