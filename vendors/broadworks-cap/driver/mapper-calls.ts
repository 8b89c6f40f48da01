/**
 * The call half of the CAP mapper: one cache entry per (user, callId), because a callUpdate is a
 * snapshot of one call (L1404) and the event model wants transitions. Each callUpdate is compared with
 * the cached entry and the difference becomes the reference's events (docs/protocols/broadworks-cap.md,
 * "Mapping (CAP → event model)"). The cache also completes partial documents (the Attendant Console
 * form carries state, number and name only), so every emitted `data.call` is whole.
 */
import type { Call, CallState, EventType } from '../../../shared/events/model.js';
import { CALL_STATE, PERSONALITY, type CapCall, type CapConference } from '../wire/index.js';
import { bridgeCallState, isoFromMs, partyAddress, releaseCauseName } from './mapper-codes.js';

/** One event of one call or conference, before it is addressed to a target. */
export interface Mapped {
  type: EventType;
  data: Record<string, unknown>;
}

/** How a callUpdate is read. */
export interface UpdateMode {
  /**
   * One of the N callUpdates that follow a registration sessionUpdate (`numCalls`, L953): state, not a
   * transition. New calls are cached silently and known ones report only a change of state (as the CTI
   * mapper reads a CallSubscriptionEvent).
   */
  snapshot?: boolean;
  /**
   * The Attendant Console form (L1607-1637): state 2 or 5 only, no personality. Only changes of the
   * bridge state are reported, so a user watched through both its own login and a console reports once.
   */
  monitor?: boolean;
  /** The user's own number, from its profile, for `local.address` when the call does not carry one. */
  localAddress?: string;
}

/** What a callUpdate changed. */
export interface UpdateOutcome {
  events: Mapped[];
  /** The call was seen for the first time. */
  created: boolean;
  /** The bridge view after the update (undefined: the document was ignored). */
  call?: Call;
}

interface Entry {
  call: Call;
  capState?: number;
  personality?: number;
  /** The last update was an Attendant Console form. */
  fromMonitor: boolean;
  /** Another call of the user was just transferred with this one: its own detach is the same consult. */
  consultPartner?: boolean;
}

interface Step {
  type: EventType;
  extra?: Record<string, unknown>;
  /** Overrides of the emitted call view (the prompt-answered update reports `dialing`). */
  patch?: Partial<Call>;
}

interface Conference {
  id: string;
  state: 'active' | 'held';
  calls: string[];
}

const TOMBSTONES = 4096;
const RINGING: ReadonlySet<CallState> = new Set(['dialing', 'alerting']);

/** Where the call came from: a call centre, a transfer or another redirection (L1410-1711). */
function viaOf(c: CapCall): Call['via'] | undefined {
  const centre = c.callCenterUserId?.trim() || c.callCenter?.id?.trim();
  if (centre) return { type: 'queue', id: centre };
  const reason = c.redirectFromReason?.trim().toLowerCase() ?? '';
  if (reason === 'call-center') return { type: 'queue' };
  if (reason === 'transfer') return { type: 'transfer' };
  if (reason || c.redirectFromNumber?.trim()) return { type: 'forwarded' };
  return undefined;
}

/** The transition events between two bridge states of a known call. */
function stateChange(p: CallState, s: CallState): Step[] {
  if (p === s) return [];
  if (RINGING.has(p) && s === 'active') return [{ type: 'call.answered' }];
  if (RINGING.has(p) && s === 'held') return [{ type: 'call.answered' }, { type: 'call.held' }];
  if (p === 'active' && s === 'held') return [{ type: 'call.held' }];
  if (p === 'held' && s === 'active') return [{ type: 'call.retrieved' }];
  return [{ type: 'call.updated' }];
}

/**
 * Per-user call and conference state of a CAP link.
 *
 * @example
 * const book = new CapCallBook(() => new Date());
 * book.update('alice@sim.example', { callId: 'c1', extTrackingId: 'x:1', personality: 1, state: 1 }, {});
 * // → { created: true, events: [{ type: 'call.originated', data: { call: {...} } }], call }
 */
export class CapCallBook {
  private readonly users = new Map<string, Map<string, Entry>>();
  private readonly released = new Set<string>();
  private readonly conferences = new Map<string, Conference>();
  private confCounter = 0;

  constructor(private readonly now: () => Date) {}

  /** The cached calls of `user` (copies). */
  callsOf(user: string): Call[] {
    return [...(this.users.get(user)?.values() ?? [])].map((e) => structuredClone(e.call));
  }

  /** The cached view of one call. */
  callOf(user: string, callId: string): Call | undefined {
    const e = this.users.get(user)?.get(callId);
    return e ? structuredClone(e.call) : undefined;
  }

  /** Forgets the calls and the conference of `user`; its released ids stay, so late updates stay ignored. */
  forget(user: string): void {
    this.users.delete(user);
    this.conferences.delete(user);
  }

  /** Applies one `<call>` of a callUpdate for `user`. */
  update(user: string, c: CapCall, mode: UpdateMode): UpdateOutcome {
    if (!c.callId) return { events: [], created: false };
    const calls = this.users.get(user) ?? new Map<string, Entry>();
    const prev = calls.get(c.callId);
    if (!prev && this.released.has(`${user}\n${c.callId}`)) return { events: [], created: false }; // late
    const next = this.view(user, c, prev, mode);
    const steps = mode.snapshot
      ? this.snapshotSteps(prev, next, c)
      : mode.monitor
        ? this.monitorSteps(prev, next, c)
        : this.steps(user, prev, next, c);
    if (next.call.state === 'released') {
      calls.delete(c.callId);
      this.tombstone(user, c.callId);
    } else {
      calls.set(c.callId, next);
    }
    if (calls.size) this.users.set(user, calls);
    else this.users.delete(user);
    const events = steps.map((s) => ({
      type: s.type,
      data: { call: { ...structuredClone(next.call), ...s.patch }, ...s.extra },
    }));
    return { events, created: !prev, call: structuredClone(next.call) };
  }

  /**
   * After a re-login: the calls of `user` not in `current` ended while nobody watched. Each is released
   * (cause `resync`); a conference left with none of its calls is released too.
   */
  releaseStale(user: string, current: ReadonlySet<string>): Mapped[] {
    const out: Mapped[] = [];
    const calls = this.users.get(user);
    for (const [id, e] of [...(calls ?? [])]) {
      if (current.has(id)) continue;
      calls!.delete(id);
      this.tombstone(user, id);
      const call: Call = {
        ...structuredClone(e.call),
        state: 'released',
        releasedAt: this.now().toISOString(),
        releaseCause: 'resync',
      };
      out.push({ type: 'call.released', data: { call } });
    }
    if (calls && !calls.size) this.users.delete(user);
    const conf = this.conferences.get(user);
    if (conf && !conf.calls.some((id) => current.has(id))) {
      this.conferences.delete(user);
      out.push(this.conferenceEvent('conference.released', user, { ...conf, state: 'released' }));
    }
    return out;
  }

  /**
   * A sessionUpdate `<conference>` of `user` (L958-1017): Active/Held start or update the user's
   * conference, Released ends it. `snapshot` (the registration sessionUpdate) only seeds it.
   */
  conference(user: string, conf: CapConference, snapshot: boolean): Mapped[] {
    const state = conf.state.trim().toLowerCase();
    const ids = conf.callIds.filter((id) => id !== '');
    const prev = this.conferences.get(user);
    if (state === 'released') {
      this.conferences.delete(user);
      if (!prev || snapshot) return [];
      const calls = ids.length ? ids : prev.calls;
      return [this.conferenceEvent('conference.released', user, { id: prev.id, state: 'released', calls })];
    }
    if (state !== 'active' && state !== 'held') return [];
    const calls = ids.length ? ids : (prev?.calls ?? []);
    const id = prev?.id ?? `${user}#${calls[0] ?? `conference-${++this.confCounter}`}`;
    this.conferences.set(user, { id, state, calls });
    if (snapshot) return [];
    if (prev && prev.state === state && prev.calls.join('\n') === calls.join('\n')) return [];
    return [
      this.conferenceEvent(prev ? 'conference.updated' : 'conference.started', user, { id, state, calls }),
    ];
  }

  /** A registration sessionUpdate without `<conference>`: the user is in none (cache only, as CTI). */
  noConference(user: string): void {
    this.conferences.delete(user);
  }

  private conferenceEvent(
    type: EventType,
    user: string,
    conf: { id: string; state: 'active' | 'held' | 'released'; calls: string[] },
  ): Mapped {
    const calls = this.users.get(user);
    const parties = conf.calls
      .map((id) => calls?.get(id)?.call.remote)
      .filter((r): r is Call['remote'] => !!r?.address)
      .map((r) => ({ ...r }));
    return {
      type,
      data: {
        conference: { ...conf, calls: [...conf.calls], ...(parties.length ? { parties } : {}) },
        local: { user },
      },
    };
  }

  private tombstone(user: string, callId: string): void {
    this.released.add(`${user}\n${callId}`);
    if (this.released.size > TOMBSTONES) {
      const first = this.released.values().next().value;
      if (first !== undefined) this.released.delete(first);
    }
  }

  /** The bridge view of `c`, completed from the cache. */
  private view(user: string, c: CapCall, prev: Entry | undefined, mode: UpdateMode): Entry {
    const personality = c.personality ?? prev?.personality;
    const capState = c.state ?? prev?.capState;
    const state = bridgeCallState(capState, personality, prev?.call.state ?? 'alerting');
    // the first personality fixes the direction (a transfer does not turn an outgoing call around)
    const direction =
      prev && prev.personality !== undefined
        ? prev.call.direction
        : personality === undefined || personality === PERSONALITY.terminator
          ? (prev?.call.direction ?? 'inbound')
          : 'outbound';
    const address = partyAddress(c.remoteNumber) ?? partyAddress(c.remoteTelUri);
    const now = this.now().toISOString();
    const call: Call = {
      id: c.callId,
      correlationId: c.extTrackingId || prev?.call.correlationId || c.callId,
      state,
      direction,
      local: { user },
      remote: { address: address ?? prev?.call.remote.address ?? '' },
      startedAt: isoFromMs(c.callStartTime) ?? prev?.call.startedAt ?? now,
    };
    const local = partyAddress(c.localNumber) ?? prev?.call.local.address ?? mode.localAddress;
    if (local) call.local.address = local;
    const sameRemote = address === undefined || address === prev?.call.remote.address;
    const name = c.remoteName?.trim() || (sameRemote ? prev?.call.remote.name : undefined);
    if (name) call.remote.name = name;
    const answeredAt =
      isoFromMs(c.callAnswerTime) ??
      prev?.call.answeredAt ??
      (state === 'active' || state === 'held' ? now : undefined);
    if (answeredAt) call.answeredAt = answeredAt;
    if (state === 'released') call.releasedAt = now;
    const via = viaOf(c) ?? prev?.call.via;
    if (via) call.via = via;
    if (prev ? prev.call.alertingObserved === false : state === 'active' || state === 'held')
      call.alertingObserved = false;
    const entry: Entry = { call, fromMonitor: !!mode.monitor };
    if (capState !== undefined) entry.capState = capState;
    if (personality !== undefined) entry.personality = personality;
    if (prev?.consultPartner) entry.consultPartner = true;
    return entry;
  }

  /** A callUpdate of the Call Client form: the transitions from `prev` to `next`. */
  private steps(user: string, prev: Entry | undefined, next: Entry, c: CapCall): Step[] {
    const s = next.call.state;
    if (s === 'released') return this.ending(user, prev, next, c);
    if (!prev) return this.created(next);
    let p = prev.call.state;
    const out: Step[] = [];
    if (
      prev.personality === PERSONALITY.broadWorksOriginator &&
      c.personality !== undefined &&
      c.personality !== PERSONALITY.broadWorksOriginator
    ) {
      // the user answered BroadWorks' ring of its own phone: the click-to-dial now calls the destination
      out.push({ type: 'call.updated', patch: { state: 'dialing' } });
      p = 'dialing';
      return [...out, ...stateChange(p, s)];
    }
    const before = prev.call.remote.address;
    const after = next.call.remote.address;
    if (before && after && before !== after && s !== 'dialing') {
      if (RINGING.has(p) && next.call.direction === 'outbound') {
        next.call.via = { type: 'forwarded' };
        return [{ type: 'call.forwarded', extra: { forwardedTo: after } }, ...stateChange('alerting', s)];
      }
      next.call.via = { type: 'transfer' };
      const mode = s === 'alerting' || RINGING.has(p) ? 'blind' : 'consult';
      out.push({ type: 'call.transferred', extra: { transfer: { mode, to: after } } });
      if (RINGING.has(p)) out.push(...stateChange('alerting', s));
      else if (s === 'held' && p !== 'held') out.push({ type: 'call.held' });
      return out;
    }
    if (p !== s) return stateChange(p, s);
    // the same bridge state: the server reported a change the model has no field for (a conference
    // join, far-end hold, a hold reminder), unless it only repeats what a console form already said
    if (prev.fromMonitor && prev.capState === next.capState) return [];
    return [{ type: 'call.updated' }];
  }

  private created(next: Entry): Step[] {
    const s = next.call.state;
    const out: Step[] = [{ type: next.call.direction === 'inbound' ? 'call.received' : 'call.originated' }];
    if (s === 'active' || s === 'held') out.push({ type: 'call.answered' });
    if (s === 'held') out.push({ type: 'call.held' });
    return out;
  }

  /**
   * The end of a call. Released (5) carries its releaseCause. Detached (6) means the call left the user
   * (L1425): CCC2 names why (`redirectToReason`, `redirectToNum`); CAP-C does not, so a call detached
   * while ringing was forwarded (deflection, forwarding, pick-up) and one detached after the answer was
   * transferred.
   */
  private ending(user: string, prev: Entry | undefined, next: Entry, c: CapCall): Step[] {
    if (next.capState !== CALL_STATE.detached) {
      next.call.releaseCause = releaseCauseName(c.releaseCause);
      return [{ type: 'call.released' }];
    }
    const reason = c.redirectToReason?.trim().toLowerCase() ?? '';
    const to = partyAddress(c.redirectToNum);
    const ringing = !prev || RINGING.has(prev.call.state);
    if (reason ? reason === 'transfer' : !ringing) {
      next.call.releaseCause = 'transferred';
      const mode = this.transferMode(user, prev, to);
      return [
        { type: 'call.transferred', extra: { transfer: { mode, ...(to ? { to } : {}) } } },
        { type: 'call.released' },
      ];
    }
    next.call.releaseCause = 'forwarded';
    return [
      {
        type: 'call.forwarded',
        extra: { ...(to ? { forwardedTo: to } : {}), ...(reason ? { reason } : {}) },
      },
      { type: 'call.released' },
    ];
  }

  /**
   * Blind or consultative, for the transferring user. A consultative transfer joins the far ends of two
   * answered calls of the user and detaches both: with CCC2's `redirectToNum` the target is the far end of
   * the other call; without it, another answered call of the user is taken as the consultation. The other
   * call is marked, so its own detach is the same consultative transfer.
   */
  private transferMode(user: string, entry: Entry | undefined, to: string | undefined): 'blind' | 'consult' {
    if (entry?.consultPartner) return 'consult';
    const others = [...(this.users.get(user)?.values() ?? [])].filter(
      (o) => o.call.id !== entry?.call.id && (o.call.state === 'active' || o.call.state === 'held'),
    );
    const partner = to ? others.find((o) => o.call.remote.address === to) : others[0];
    if (!partner) return 'blind';
    partner.consultPartner = true;
    return 'consult';
  }

  private snapshotSteps(prev: Entry | undefined, next: Entry, c: CapCall): Step[] {
    if (next.call.state === 'released') {
      next.call.releaseCause =
        next.capState === CALL_STATE.detached ? 'detached' : releaseCauseName(c.releaseCause);
      return prev ? [{ type: 'call.released' }] : [];
    }
    if (!prev) return [];
    return prev.call.state !== next.call.state || prev.capState !== next.capState
      ? [{ type: 'call.updated' }]
      : [];
  }

  private monitorSteps(prev: Entry | undefined, next: Entry, c: CapCall): Step[] {
    if (next.call.state === 'released') {
      next.call.releaseCause = releaseCauseName(c.releaseCause);
      return [{ type: 'call.released' }];
    }
    if (!prev) return this.created(next);
    return stateChange(prev.call.state, next.call.state);
  }
}
