/**
 * MTCTI-3 snapshots → normalized `EventDraft`s.
 *
 * MTCTI-3 sends full snapshots of the calls that changed (and may skip states), never "events". The
 * mapper keeps the last snapshot of every call per user (and per queue) and derives the transitions from
 * two consecutive snapshots, including ones it never saw (a call first seen CONNECTED is received and
 * answered, with `alertingObserved: false`). The derivation table is in docs/protocols/avaya-mtcti3.md.
 */
import type { Call, CallState, EventDraft, EventType } from '../../../shared/events/model.js';
import { draftFor, type MapContext } from '../../driver-kit/mapping.js';
import type { CallInfo, CallLost, NotifyCallControl, NotifyQueue, NotifyUser } from '../wire/codec.js';

export const VENDOR = 'avaya-mtcti3' as const;

export type { MapContext };

export interface UserContext extends MapContext {
  /** Bridge user id (the IP Office user name). */
  user: string;
  /** The user's extension (local.address). */
  extension?: string;
}

export interface QueueContext extends MapContext {
  /** Bridge queue id (the IP Office hunt group name). */
  queue: string;
}

/** Resolves an extension / number to a bridge user id (agents, queue numbers). */
export interface Directory {
  userByNumber(number: string | undefined): string | undefined;
  queueByNumber(number: string | undefined): string | undefined;
}

const DIALING = new Set([
  'DIALTONE',
  'DIALLING',
  'DIALLED',
  'WAITINGFORACCT',
  'WAITINGFORAUTH',
  'WAITINGFORLINE',
]);
const ALERTING = new Set([
  'RINGING',
  'RINGBACK',
  'RINGINGDIVERT',
  'RINGINVOICEMAIL',
  'QUEUEING',
  'RETARGETING',
]);
const ACTIVE = new Set(['CONNECTED', 'ANSWEREDBYVOICEMAIL', 'LEAVINGVOICEMAILMESSAGE', 'AFTERCALLWORK']);
const HELD = new Set(['ONHOLD', 'ONHOLDPENDTRANSFER', 'ONHOLDPENDCONF', 'REMINDER']);

/** MTCTI-3 call state → bridge state (BUSY, FAILED, DISCONNECTED, UNKNOWN keep the previous one). */
export function bridgeState(state: string | undefined, prev: CallState | undefined): CallState {
  const s = state ?? 'UNKNOWN';
  if (DIALING.has(s)) return 'dialing';
  if (ALERTING.has(s)) return 'alerting';
  if (ACTIVE.has(s)) return 'active';
  if (HELD.has(s)) return 'held';
  return prev ?? 'dialing';
}

export function gcidHex(gcid: Uint8Array | undefined): string | undefined {
  return gcid && gcid.length ? Buffer.from(gcid).toString('hex').toUpperCase() : undefined;
}

interface Entry {
  call: Call;
  vstate: string;
  activeheld: boolean;
  members: number;
  memberParties: { address: string; name?: string }[];
  fa: number;
  info: CallInfo;
}

interface QueueEntry {
  state: string;
  offeredTo?: string;
  answered: boolean;
  data: { id: string; correlationId: string; remote: { address: string; name?: string } };
}

interface ConferenceEntry {
  id: string;
  state: 'active' | 'held';
  calls: string[];
}

const TOMBSTONES = 2048;

export class Mtcti3Mapper {
  private readonly calls = new Map<string, Entry>(); // user|callid
  private readonly released = new Map<string, number>();
  private readonly transfers = new Map<string, { mode: 'blind' | 'consult'; to?: string }>();
  private readonly conferences = new Map<string, ConferenceEntry>(); // by user
  private readonly queueCalls = new Map<string, QueueEntry>(); // queue|callid
  private readonly users = new Map<string, NotifyUser>();
  private readonly emitted = new Map<string, string>();
  private readonly membership = new Map<string, Map<string, boolean>>(); // queue → extn → disabled
  private confCounter = 0;

  constructor(
    private readonly directory: Directory,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ------------------------------------------------------------------------------------ queries

  callsOf(user: string): Call[] {
    const prefix = `${user}|`;
    return [...this.calls.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, e]) => structuredClone(e.call));
  }

  call(
    user: string,
    callId: string,
  ): { call: Call; state: string; featuresavailable: number; info: CallInfo } | undefined {
    const e = this.calls.get(`${user}|${callId}`);
    return e
      ? { call: structuredClone(e.call), state: e.vstate, featuresavailable: e.fa, info: e.info }
      : undefined;
  }

  user(user: string): NotifyUser | undefined {
    return this.users.get(user);
  }

  /** A transfer the bridge asked for: the call's coming CallLost is reported as `call.transferred`. */
  expectTransfer(user: string, callId: string, mode: 'blind' | 'consult', to?: string): void {
    this.transfers.set(`${user}|${callId}`, { mode, ...(to ? { to } : {}) });
  }

  cancelTransfer(user: string, callId: string): void {
    this.transfers.delete(`${user}|${callId}`);
  }

  /** Drop what is cached for a user that is no longer subscribed (no events). */
  forgetUser(user: string): void {
    const prefix = `${user}|`;
    for (const k of [...this.calls.keys()]) if (k.startsWith(prefix)) this.calls.delete(k);
    this.conferences.delete(user);
  }

  // ------------------------------------------------------------------------------------ helpers

  /** Adds the event's draft if the bridge asked for its family on the context's target. */
  private push(out: EventDraft[], ctx: MapContext, type: EventType, data: unknown, event: string): void {
    const draft = draftFor(ctx, type, data, { name: VENDOR, event });
    if (draft) out.push(draft);
  }

  private tombstone(key: string): void {
    this.released.set(key, Date.now());
    if (this.released.size > TOMBSTONES) {
      const first = this.released.keys().next().value;
      if (first !== undefined) this.released.delete(first);
    }
  }

  private remoteOf(info: CallInfo, inbound: boolean): { address: string; name?: string } {
    const p = info.connectedparty ?? (inbound ? info.callingparty : undefined);
    const address =
      p?.number ??
      (inbound ? info.callingparty?.number : info.calledparty) ??
      (p?.withheld ? 'anonymous' : '');
    const name = p?.name ?? (inbound ? info.callingparty?.name : undefined);
    return name ? { address, name } : { address };
  }

  private view(ctx: UserContext, info: CallInfo, prev: Entry | undefined): Entry {
    const vstate = info.state ?? 'UNKNOWN';
    const state = bridgeState(vstate, prev?.call.state);
    const direction = prev?.call.direction ?? (info.direction === 'OUTBOUND' ? 'outbound' : 'inbound');
    const remote = this.remoteOf(info, direction === 'inbound');
    const call: Call = {
      id: String(info.callid),
      correlationId: gcidHex(info.gcid) ?? prev?.call.correlationId ?? `${ctx.user}:${info.callid}`,
      state,
      direction,
      local: ctx.extension ? { user: ctx.user, address: ctx.extension } : { user: ctx.user },
      remote: remote.address ? remote : (prev?.call.remote ?? remote),
      startedAt: prev?.call.startedAt ?? this.now().toISOString(),
    };
    const answeredAt =
      prev?.call.answeredAt ??
      (state === 'active' || state === 'held' ? this.now().toISOString() : undefined);
    if (answeredAt) call.answeredAt = answeredAt;
    const alerted = prev?.call.alertingObserved === true || ALERTING.has(vstate);
    if (alerted) call.alertingObserved = true;
    else if (answeredAt) call.alertingObserved = false;
    const queue = info.queueinfo?.number ? this.directory.queueByNumber(info.queueinfo.number) : undefined;
    const via: Call['via'] =
      prev?.call.via ??
      (queue
        ? { type: 'queue', id: queue }
        : info.originalcalledparty?.number
          ? { type: 'forwarded' }
          : undefined);
    if (via) call.via = via;
    const members = info.conferencemember ?? [];
    return {
      call,
      vstate,
      activeheld: !!info.activeheld,
      members: members.length,
      memberParties: members
        .map((m) =>
          m.connectedparty?.number
            ? {
                address: m.connectedparty.number,
                ...(m.connectedparty.name ? { name: m.connectedparty.name } : {}),
              }
            : undefined,
        )
        .filter((p): p is { address: string; name?: string } => !!p),
      fa: (info.featuresavailable ?? 0) >>> 0,
      info,
    };
  }

  // ------------------------------------------------------------------------------------ user calls

  /**
   * One NotifyCallControl of a user subscription. With `full` (the first one after subscribing) the
   * snapshot lists every call the user has, so cached calls missing from it are released (`resync`).
   */
  userCalls(ctx: UserContext, n: NotifyCallControl, full = false): EventDraft[] {
    const out: EventDraft[] = [];
    const ev = 'NotifyCallControl';
    const emit = (t: EventType, data: unknown) => this.push(out, ctx, t, data, ev);
    if (full) {
      const seen = new Set((n.callinfo ?? []).map((c) => String(c.callid)));
      const lost = new Set((n.calllost ?? []).map((c) => String(c.callid)));
      for (const cached of this.callsOf(ctx.user)) {
        if (seen.has(cached.id) || lost.has(cached.id)) continue;
        const key = `${ctx.user}|${cached.id}`;
        this.calls.delete(key);
        this.transfers.delete(key);
        this.tombstone(key);
        emit('call.released', {
          call: {
            ...cached,
            state: 'released',
            releasedAt: this.now().toISOString(),
            releaseCause: 'resync',
          },
        });
      }
    }
    for (const info of n.callinfo ?? []) {
      if (info.callid === undefined) continue;
      const key = `${ctx.user}|${info.callid}`;
      if (this.released.has(key) && !this.calls.has(key)) continue; // late snapshot of a finished call
      const prev = this.calls.get(key);
      const next = this.view(ctx, info, prev);
      this.calls.set(key, next);
      for (const [t, extra] of this.derive(prev, next))
        emit(t, { call: structuredClone(next.call), ...extra });
    }
    for (const l of n.calllost ?? []) this.lost(ctx, l, emit);
    this.conference(ctx, out);
    return out;
  }

  /** Transitions from `prev` to `next`, in order. */
  private derive(prev: Entry | undefined, next: Entry): [EventType, Record<string, unknown>][] {
    const s = next.call.state;
    const created: EventType = next.call.direction === 'inbound' ? 'call.received' : 'call.originated';
    if (!prev) {
      if (s === 'dialing' || s === 'alerting') return [[created, {}]];
      const out: [EventType, Record<string, unknown>][] = [
        [created, {}],
        ['call.answered', {}],
      ];
      if (s === 'held') out.push(['call.held', {}]);
      return out;
    }
    const p = prev.call.state;
    const remoteChanged =
      !!prev.call.remote.address &&
      !!next.call.remote.address &&
      prev.call.remote.address !== next.call.remote.address &&
      s !== 'dialing';
    if (remoteChanged) {
      const out: [EventType, Record<string, unknown>][] = [];
      if (p === 'alerting' || p === 'dialing') {
        out.push(['call.forwarded', { forwardedTo: next.call.remote.address }]);
        if (s === 'active') out.push(['call.answered', {}]);
      } else {
        out.push([
          'call.transferred',
          { transfer: { mode: s === 'alerting' ? 'blind' : 'consult', to: next.call.remote.address } },
        ]);
        if (s === 'held' && p !== 'held') out.push(['call.held', {}]);
      }
      return out;
    }
    if (p !== s) {
      if ((p === 'dialing' || p === 'alerting') && s === 'active') return [['call.answered', {}]];
      if ((p === 'dialing' || p === 'alerting') && s === 'held')
        return [
          ['call.answered', {}],
          ['call.held', {}],
        ];
      if (p === 'active' && s === 'held') return [['call.held', {}]];
      if (p === 'held' && s === 'active') return [['call.retrieved', {}]];
      return [['call.updated', {}]];
    }
    // same bridge state: report what a listener can see (vendor state, far-end hold, joining a conference)
    if (
      prev.vstate !== next.vstate ||
      prev.activeheld !== next.activeheld ||
      (prev.members === 0 && next.members > 0)
    )
      return [['call.updated', {}]];
    return [];
  }

  private lost(ctx: UserContext, l: CallLost, emit: (t: EventType, data: unknown) => void): void {
    if (l.callid === undefined) return;
    const key = `${ctx.user}|${l.callid}`;
    const e = this.calls.get(key);
    if (!e) return;
    this.calls.delete(key);
    this.tombstone(key);
    const releasedAt = this.now().toISOString();
    const transfer = this.transfers.get(key);
    this.transfers.delete(key);
    const base = { ...structuredClone(e.call), state: 'released' as const, releasedAt };
    if (transfer) {
      const call = { ...base, releaseCause: 'transferred' };
      emit('call.transferred', { call, transfer });
      emit('call.released', { call });
      return;
    }
    if (e.vstate === 'RINGINGDIVERT') {
      const call = { ...base, releaseCause: 'forwarded' };
      emit('call.forwarded', { call });
      emit('call.released', { call });
      return;
    }
    const cause = l.reason === 16 || l.reason === undefined ? 'normal' : `cause-${l.reason}`;
    emit('call.released', { call: { ...base, releaseCause: cause } });
  }

  /** Conferences: a user is in one while any of its calls lists conference members. */
  private conference(ctx: UserContext, out: EventDraft[]): void {
    const prefix = `${ctx.user}|`;
    const entries = [...this.calls.entries()]
      .filter(([k, e]) => k.startsWith(prefix) && e.members > 0)
      .map(([, e]) => e);
    const prev = this.conferences.get(ctx.user);
    const calls = entries.map((e) => e.call.id).sort((a, b) => Number(a) - Number(b));
    const ev = 'NotifyCallControl';
    if (!calls.length) {
      if (!prev) return;
      this.conferences.delete(ctx.user);
      this.push(
        out,
        ctx,
        'conference.released',
        { conference: { id: prev.id, state: 'released', calls: prev.calls }, local: { user: ctx.user } },
        ev,
      );
      return;
    }
    const state: 'active' | 'held' = entries.every((e) => e.call.state === 'held') ? 'held' : 'active';
    const parties: { address: string; name?: string }[] = [];
    for (const e of entries)
      for (const p of e.memberParties) if (!parties.some((x) => x.address === p.address)) parties.push(p);
    if (!prev) {
      const id = `${ctx.user}#${calls[0] ?? ++this.confCounter}`;
      this.conferences.set(ctx.user, { id, state, calls });
      this.push(
        out,
        ctx,
        'conference.started',
        {
          conference: { id, state, calls, ...(parties.length ? { parties } : {}) },
          local: { user: ctx.user },
        },
        ev,
      );
      return;
    }
    if (prev.state === state && prev.calls.join() === calls.join()) return;
    this.conferences.set(ctx.user, { id: prev.id, state, calls });
    this.push(
      out,
      ctx,
      'conference.updated',
      {
        conference: { id: prev.id, state, calls, ...(parties.length ? { parties } : {}) },
        local: { user: ctx.user },
      },
      ev,
    );
  }

  // ------------------------------------------------------------------------------------ user object

  /** NotifyUser: DND and forwarding (IP Office uses the forward-on-busy number for no answer too). */
  userObject(ctx: UserContext, n: NotifyUser): EventDraft[] {
    const out: EventDraft[] = [];
    this.users.set(ctx.user, n);
    const ev = 'NotifyUser';
    const dnd = !!n.dnd;
    if (this.changed(`${ctx.user}|dnd`, String(dnd)))
      this.push(out, ctx, 'service.dnd', { user: ctx.user, enabled: dnd }, ev);
    const kinds: ['always' | 'busy' | 'no-answer', boolean, string | undefined][] = [
      ['always', !!n.fwdu, n.fwdunumber],
      ['busy', !!n.fwdb, n.fwdbnumber],
      ['no-answer', !!n.fwdna, n.fwdbnumber],
    ];
    for (const [kind, enabled, to] of kinds) {
      if (this.changed(`${ctx.user}|fwd-${kind}`, `${enabled}|${to ?? ''}`)) {
        this.push(
          out,
          ctx,
          'service.forwarding',
          { user: ctx.user, kind, enabled, ...(to ? { to } : {}) },
          ev,
        );
      }
    }
    return out;
  }

  private changed(key: string, value: string): boolean {
    if (this.emitted.get(key) === value) return false;
    this.emitted.set(key, value);
    return true;
  }

  // ------------------------------------------------------------------------------------ queues and agents

  /** Records a queue's member list (NotifyQueue.queuemembers). */
  queueObject(queue: string, n: NotifyQueue): void {
    if (!n.queuemembers) return;
    const m = new Map<string, boolean>();
    for (const x of n.queuemembers.member ?? []) if (x.extn) m.set(x.extn, !!x.disabled);
    this.membership.set(queue, m);
  }

  /** Agent state of an extension from the hunt group memberships: enabled anywhere = available. */
  agentState(extension: string): 'available' | 'sign-out' | undefined {
    let member = false;
    for (const m of this.membership.values()) {
      const disabled = m.get(extension);
      if (disabled === undefined) continue;
      member = true;
      if (!disabled) return 'available';
    }
    return member ? 'sign-out' : undefined;
  }

  /** Queues an extension is a member of. */
  queuesOf(extension: string): string[] {
    return [...this.membership.entries()].filter(([, m]) => m.has(extension)).map(([q]) => q);
  }

  /** agent.state for a watched user whose state changed (or was never reported). */
  agentEvents(ctx: UserContext): EventDraft[] {
    const out: EventDraft[] = [];
    if (!ctx.extension) return out;
    const state = this.agentState(ctx.extension);
    if (!state) return out;
    if (!ctx.families.has('agent')) return out;
    if (this.changed(`${ctx.user}|agent`, state))
      this.push(out, ctx, 'agent.state', { agent: { id: ctx.user, state } }, 'NotifyQueue');
    return out;
  }

  /** A queue subscription's NotifyCallControl → queue.call.* events. */
  queueCallControl(ctx: QueueContext, n: NotifyCallControl): EventDraft[] {
    const out: EventDraft[] = [];
    const ev = 'NotifyCallControl';
    const emit = (t: EventType, data: unknown) => this.push(out, ctx, t, data, ev);
    const agentOf = (info: CallInfo, state: string) =>
      this.directory.userByNumber(
        state === 'CONNECTED' ? info.connectedparty?.number : info.targets?.target?.[0]?.partyinfo?.number,
      );
    for (const info of n.callinfo ?? []) {
      if (info.callid === undefined) continue;
      const key = `${ctx.queue}|${info.callid}`;
      if (this.released.has(key) && !this.queueCalls.has(key)) continue;
      const state = info.state ?? 'UNKNOWN';
      let e = this.queueCalls.get(key);
      const remote = info.callingparty?.number
        ? {
            address: info.callingparty.number,
            ...(info.callingparty.name ? { name: info.callingparty.name } : {}),
          }
        : { address: '' };
      const data = () => ({
        queue: { id: ctx.queue },
        call: { ...structuredClone(e!.data), ...(agent ? { agent } : {}) },
      });
      const agent = agentOf(info, state);
      if (!e) {
        e = {
          state: 'QUEUEING',
          answered: false,
          data: {
            id: String(info.callid),
            correlationId: gcidHex(info.gcid) ?? `${ctx.queue}:${info.callid}`,
            remote,
          },
        };
        this.queueCalls.set(key, e);
        emit('queue.call.added', { queue: { id: ctx.queue }, call: structuredClone(e.data) });
      }
      if ((state === 'RINGING' || state === 'RETARGETING') && agent && e.offeredTo !== agent) {
        e.offeredTo = agent;
        emit('queue.call.offered', data());
      }
      if (state === 'CONNECTED' && !e.answered) {
        e.answered = true;
        emit('queue.call.answered', data());
      }
      if (state === 'QUEUEING') e.offeredTo = undefined;
      e.state = state;
    }
    for (const l of n.calllost ?? []) {
      const key = `${ctx.queue}|${l.callid}`;
      const e = this.queueCalls.get(key);
      if (!e) continue;
      this.queueCalls.delete(key);
      this.tombstone(key);
      if (!e.answered)
        emit('queue.call.abandoned', {
          queue: { id: ctx.queue },
          call: { ...structuredClone(e.data), reason: 'abandoned' },
        });
    }
    return out;
  }

  /** Queue calls cached for a queue (resync). */
  forgetQueue(queue: string): void {
    const prefix = `${queue}|`;
    for (const k of [...this.queueCalls.keys()]) if (k.startsWith(prefix)) this.queueCalls.delete(k);
  }
}
