/**
 * The call half of the IP Office mapper: one cache entry per (user, callID), because a CSTA event names
 * one connection and the event model wants whole calls. Each call event of a user's device moves the
 * cached leg and the move becomes the reference sequences' events (docs/protocols/avaya-ipo-cti.md,
 * "Mapping (CSTA → event model)"): ServiceInitiated/Originated/Delivered/Established/Held/Retrieved/
 * ConnectionCleared/Failed/Transferred, and snapshots (CallInformationEvent) as state.
 *
 * Correlation (`correlationId`, one value for every leg of one call): the CSTA
 * `globallyUniqueCallLinkageID` when the event carries one (not the `no call linkage` placeholder);
 * otherwise, for a new inbound leg, the correlationId of the caller's ringing outbound leg to this
 * device when the link sees the caller's device too; otherwise the cached value; otherwise the callID
 * (which IP Office takes from the request's correlatorData, so the caller's leg and the linkage agree).
 *
 * A leg leaves the book on its release, but a link has no replay: a release lost while the link was
 * down leaves the leg behind. A resync reconciles only the watched users (`releaseStale`), and an
 * application link keeps the legs of every device. So a leg no event touched for `LEG_MAX_IDLE_MS` is
 * dropped silently (`expire`), without a tombstone: a later event of it maps as a call not seen before.
 */
import type { Call, CallState, EventType } from '../../../shared/events/model.js';
import { nameOf, remoteOf, type CstaCall } from './mapper-csta.js';
import { causeClass, releaseCauseName, sameDevice } from './mapper-codes.js';
import { idleSweep } from '../../../shared/idle-sweep.js';

/** One event of one call or conference, before it is addressed to a target. */
export interface Mapped {
  type: EventType;
  data: Record<string, unknown>;
}

/** What applying one event changed for one user. */
export interface Applied {
  events: Mapped[];
  /** The leg was seen for the first time. */
  created: boolean;
  /** The leg after the event (undefined: ignored). */
  call?: Call;
}

/** A call as a snapshot (CallInformationEvent) describes it. */
export interface SnapshotCall {
  id: string;
  linkage?: string;
  state: CallState;
  direction: 'inbound' | 'outbound';
  remote: { address: string; name?: string };
  at?: string;
}

interface Leg {
  call: Call;
  /** A Queued (cause park) came for this leg: its release is `parked`. */
  parked?: boolean;
  /** The cause of a Failed event, given to the release that follows. */
  failedCause?: string;
  /** Another leg of the user was just transferred with this one (the same consultative transfer). */
  consultPartner?: boolean;
  /** The conference the leg belongs to. */
  conference?: string;
  /** The far end holds this leg (reported once, as `call.updated`). */
  remoteHeld?: boolean;
  /** When an event last touched it (ms, the mapper's clock). */
  at: number;
}

/** An event for another user's leg (the far end of a hold), emitted after the event's own drafts. */
export interface OtherMapped {
  user: string;
  mapped: Mapped;
}

interface Step {
  type: EventType;
  extra?: Record<string, unknown>;
}

const TOMBSTONES = 4096;
const RINGING: ReadonlySet<CallState> = new Set(['dialing', 'alerting']);
/** No leg goes this long without an event (a hold, a transfer, its release): an older one ended unseen. */
export const LEG_MAX_IDLE_MS = 24 * 60 * 60 * 1000;
/** How often `expire` walks the legs (it looks at every one). */
export const LEG_SWEEP_MS = 60 * 60 * 1000;

/**
 * Per-user call legs of an IP Office link.
 *
 * @example
 * const book = new IpoCallBook(() => new Date());
 * book.apply('201', { kind: 'originated', callId: 'u1', called: '202', permitted: new Set(), info, connections: [] });
 * // → { created: true, events: [{ type: 'call.originated', data: { call: {..., state: 'dialing'} } }] }
 */
export class IpoCallBook {
  private readonly users = new Map<string, Map<string, Leg>>();
  private readonly released = new Set<string>();
  private others: OtherMapped[] = [];
  /**
   * Drops the legs idle for over `LEG_MAX_IDLE_MS` (their release was lost), untombstoned and without
   * events; walks the legs at most once per `LEG_SWEEP_MS`. The mapper calls it before each event.
   */
  readonly expire: () => void;

  constructor(private readonly now: () => Date) {
    this.expire = idleSweep(
      LEG_SWEEP_MS,
      (at) => {
        for (const [user, legs] of this.users) {
          for (const [id, l] of legs) if (at - l.at > LEG_MAX_IDLE_MS) legs.delete(id);
          if (!legs.size) this.users.delete(user);
        }
      },
      () => this.now().getTime(),
    );
  }

  /**
   * The events the last operations gave for other users' legs: the far end of a leg this user held,
   * retrieved, joined to a conference or transferred away (`call.updated`, state unchanged). Cleared
   * by the call.
   */
  drainOthers(): OtherMapped[] {
    const out = this.others;
    this.others = [];
    return out;
  }

  /** The cached calls of `user` (copies). */
  callsOf(user: string): Call[] {
    return [...(this.users.get(user)?.values() ?? [])].map((l) => structuredClone(l.call));
  }

  /** The cached view of one leg. */
  callOf(user: string, callId: string): Call | undefined {
    const l = this.users.get(user)?.get(callId);
    return l ? structuredClone(l.call) : undefined;
  }

  /** The conference a leg belongs to, if any. */
  conferenceOf(user: string, callId: string): string | undefined {
    return this.users.get(user)?.get(callId)?.conference;
  }

  /**
   * Marks `ids` as the legs of `user` in conference `conf`. A held one is active again in the
   * conference: `call.retrieved` (the reference's conference sequence).
   */
  join(user: string, ids: readonly string[], conf: string): Mapped[] {
    const out: Mapped[] = [];
    for (const id of ids) {
      const l = this.users.get(user)?.get(id);
      if (!l) continue;
      l.conference = conf;
      l.at = this.now().getTime();
      if (l.call.state === 'held') {
        l.call.state = 'active';
        out.push(this.mapped(l, { type: 'call.retrieved' }));
        this.farEnd(user, l, false);
      }
    }
    return out;
  }

  /** Forgets the conference mark of every leg of `conf`. */
  leave(conf: string): void {
    for (const legs of this.users.values())
      for (const l of legs.values()) if (l.conference === conf) delete l.conference;
  }

  /** Applies one call event of `user`'s device. `via`: where a new inbound leg came from (a queue). */
  apply(user: string, ev: CstaCall, via?: Call['via']): Applied {
    if (ev.kind === 'transferred') return this.transferred(user, ev);
    const id = ev.callId;
    if (!id) return { events: [], created: false };
    const legs = this.users.get(user);
    const leg = legs?.get(id);
    if (!leg && this.released.has(`${user}\n${id}`)) return { events: [], created: false };
    const applied = leg
      ? this.finish(user, leg, this.steps(user, leg, ev), false)
      : this.first(user, id, ev, via);
    const now = this.users.get(user)?.get(id);
    if (now) this.adopt(user, now);
    return applied;
  }

  /**
   * The callee's leg came first (two device users' sockets race): a ringing outbound leg of `user`
   * gives its correlationId to the callee's ringing inbound leg from `user` that has only its own
   * callID as correlation.
   */
  private adopt(user: string, leg: Leg): void {
    const c = leg.call;
    if (c.direction !== 'outbound' || !RINGING.has(c.state) || !c.remote.address) return;
    for (const [other, legs] of this.users) {
      if (!sameDevice(other, c.remote.address)) continue;
      for (const l of legs.values())
        if (
          l.call.direction === 'inbound' &&
          RINGING.has(l.call.state) &&
          l.call.correlationId === l.call.id &&
          sameDevice(l.call.remote.address, user)
        )
          l.call.correlationId = c.correlationId;
    }
  }

  /**
   * A Queued event with cause `park` for a leg: its coming release is `parked` (L4173-4177).
   */
  parked(user: string, callId: string | undefined): void {
    const l = callId ? this.users.get(user)?.get(callId) : undefined;
    if (l) {
      l.parked = true;
      l.at = this.now().getTime();
    }
  }

  /**
   * One call of a snapshot: a new call is cached silently, a known one in another state gives
   * `call.updated`, the same state gives nothing.
   */
  snapshot(user: string, s: SnapshotCall): Mapped[] {
    if (this.released.has(`${user}\n${s.id}`)) return [];
    const legs = this.legsOf(user);
    const prev = legs.get(s.id);
    if (!prev) {
      const linkage = s.linkage !== s.id ? s.linkage : undefined;
      const call: Call = {
        id: s.id,
        correlationId: this.peerCorrelation(user, s.remote.address, s.direction) ?? linkage ?? s.id,
        state: s.state,
        direction: s.direction,
        local: { user, address: user },
        remote: { ...s.remote },
        startedAt: s.at ?? this.iso(),
      };
      if (s.state === 'active' || s.state === 'held') {
        call.answeredAt = call.startedAt;
        call.alertingObserved = false;
      }
      if (s.state === 'released') return [];
      legs.set(s.id, { call, at: this.now().getTime() });
      return [];
    }
    prev.at = this.now().getTime();
    if (s.linkage && s.linkage !== s.id) prev.call.correlationId = s.linkage;
    if (s.remote.address && !prev.call.remote.address) prev.call.remote = { ...s.remote };
    if (prev.call.state === s.state) return [];
    prev.call.state = s.state;
    if ((s.state === 'active' || s.state === 'held') && !prev.call.answeredAt)
      prev.call.answeredAt = this.iso();
    if (s.state === 'released') return this.finish(user, prev, [{ type: 'call.released' }], false).events;
    return [this.mapped(prev, { type: 'call.updated' })];
  }

  /** Releases the legs of `user` not in `live` (after a resync), with `cause`. */
  releaseStale(user: string, live: ReadonlySet<string>, cause: string): Mapped[] {
    const out: Mapped[] = [];
    for (const l of [...(this.users.get(user)?.values() ?? [])]) {
      if (live.has(l.call.id)) continue;
      l.call.state = 'released';
      l.call.releaseCause = cause;
      out.push(...this.finish(user, l, [{ type: 'call.released' }], false).events);
    }
    return out;
  }

  // ------------------------------------------------------------------ internals

  private legsOf(user: string): Map<string, Leg> {
    let legs = this.users.get(user);
    if (!legs) this.users.set(user, (legs = new Map()));
    return legs;
  }

  private iso(at?: string): string {
    return at ?? this.now().toISOString();
  }

  /**
   * A snapshot leg's correlation: the cached leg of the same call at the far end (the caller's
   * outbound leg to this device, or the callee's inbound leg from it), in any live state.
   */
  private peerCorrelation(user: string, remote: string, direction: Call['direction']): string | undefined {
    if (!remote) return undefined;
    const want = direction === 'inbound' ? 'outbound' : 'inbound';
    for (const [other, legs] of this.users) {
      if (!sameDevice(other, remote)) continue;
      for (const l of legs.values())
        if (l.call.direction === want && sameDevice(l.call.remote.address, user)) return l.call.correlationId;
    }
    return undefined;
  }

  /** A new inbound leg's correlation: the caller's ringing outbound leg to this device, if cached. */
  private pairedCorrelation(user: string, caller: string | undefined): string | undefined {
    if (!caller) return undefined;
    const legs = this.users.get(caller);
    for (const l of legs?.values() ?? [])
      if (
        l.call.direction === 'outbound' &&
        RINGING.has(l.call.state) &&
        sameDevice(l.call.remote.address, user)
      )
        return l.call.correlationId;
    return undefined;
  }

  private first(user: string, id: string, ev: CstaCall, via: Call['via'] | undefined): Applied {
    const r = remoteOf(user, ev);
    let state: CallState;
    const steps: Step[] = [];
    switch (ev.kind) {
      case 'initiated':
      case 'originated':
        state = 'dialing';
        break;
      case 'delivered':
      case 'diverted':
        if (!sameDevice(ev.alerting, user) && r.inbound) return { events: [], created: false }; // left before seen
        state = 'alerting';
        break;
      case 'established':
        state = 'active';
        break;
      case 'held':
        state = sameDevice(ev.actor, user) || !ev.actor ? 'held' : 'active';
        break;
      case 'retrieved':
        state = 'active';
        break;
      default:
        return { events: [], created: false }; // a release or failure of a leg never seen
    }
    const at = this.iso(ev.info.at);
    const address = r.address ?? '';
    const call: Call = {
      id,
      correlationId: (r.inbound ? this.pairedCorrelation(user, address) : undefined) ?? ev.linkage ?? id,
      state,
      direction: r.inbound ? 'inbound' : 'outbound',
      local: { user, address: user },
      remote: { address },
      startedAt: at,
    };
    const name = nameOf(ev, address);
    if (name) call.remote.name = name;
    if (via) call.via = via;
    else if (r.inbound && ev.lastRedirection && !sameDevice(ev.lastRedirection, ev.calling))
      call.via = { type: causeClass(ev.cause) === 'transfer' ? 'transfer' : 'forwarded' };
    steps.push({ type: call.direction === 'inbound' ? 'call.received' : 'call.originated' });
    if (state === 'active' || state === 'held') {
      call.answeredAt = at;
      call.alertingObserved = false;
      steps.push({ type: 'call.answered' });
      if (state === 'held') steps.push({ type: 'call.held' });
    }
    const leg: Leg = { call, at: this.now().getTime() };
    this.legsOf(user).set(id, leg);
    return this.finish(user, leg, steps, true);
  }

  /** The transitions of a known leg. */
  private steps(user: string, leg: Leg, ev: CstaCall): Step[] {
    const c = leg.call;
    const s = c.state;
    const mine = (d: string | undefined) => sameDevice(d, user);
    const r = remoteOf(user, ev);
    const changed = !!r.address && !!c.remote.address && !sameDevice(r.address, c.remote.address);
    const setRemote = () => {
      if (!r.address) return;
      const name = nameOf(ev, r.address);
      c.remote = name ? { address: r.address, name } : { address: r.address };
    };
    // a linkage equal to the leg's own callID says nothing more (IP Office writes the callID there)
    if (ev.linkage && ev.linkage !== c.id && ev.kind !== 'cleared') c.correlationId = ev.linkage;
    switch (ev.kind) {
      case 'initiated':
        return [];
      case 'originated':
        if (!c.remote.address) setRemote();
        return s === 'dialing' ? [{ type: 'call.updated' }] : [];
      case 'delivered':
      case 'diverted': {
        if (mine(ev.alerting)) return [];
        if (c.direction === 'inbound' && s === 'alerting') {
          // the user's ringing call now rings elsewhere: forwarded away from the user
          c.state = 'released';
          c.releasedAt = this.iso(ev.info.at);
          c.releaseCause = 'forwarded';
          return [
            { type: 'call.forwarded', extra: forwardedExtra(r.address, ev.cause) },
            { type: 'call.released' },
          ];
        }
        if (s === 'dialing') {
          setRemote();
          c.state = 'alerting';
          return [{ type: 'call.updated' }];
        }
        if (!changed) return [];
        setRemote();
        if (s === 'alerting') {
          c.via = { type: 'forwarded' };
          return [{ type: 'call.forwarded', extra: forwardedExtra(r.address, ev.cause) }];
        }
        c.via = { type: 'transfer' };
        c.state = 'alerting';
        return [{ type: 'call.transferred', extra: { transfer: { mode: 'blind', to: r.address } } }];
      }
      case 'established':
        if (RINGING.has(s)) {
          if (changed || !c.remote.address) setRemote();
          c.state = 'active';
          c.answeredAt ??= this.iso(ev.info.at);
          return [{ type: 'call.answered' }];
        }
        if (changed) {
          setRemote();
          c.via = { type: 'transfer' };
          c.state = 'active';
          return [{ type: 'call.transferred', extra: { transfer: { mode: 'consult', to: r.address } } }];
        }
        return [];
      case 'held':
        if (ev.actor && !mine(ev.actor)) return this.remoteHold(leg, true);
        if (s === 'held') return [];
        c.state = 'held';
        c.answeredAt ??= this.iso(ev.info.at);
        this.farEnd(user, leg, true);
        return RINGING.has(s) ? [{ type: 'call.answered' }, { type: 'call.held' }] : [{ type: 'call.held' }];
      case 'retrieved':
        if (ev.actor && !mine(ev.actor)) return this.remoteHold(leg, false);
        if (s !== 'held') return [];
        c.state = 'active';
        this.farEnd(user, leg, false);
        return [{ type: 'call.retrieved' }];
      case 'failed':
        if (releaseCauseName(ev.cause) !== 'normal') leg.failedCause = releaseCauseName(ev.cause);
        return [];
      case 'cleared':
      case 'callCleared':
        return this.ending(user, leg, ev);
      default:
        return [];
    }
  }

  /** ConnectionCleared / CallCleared: why the leg ended, from the cause and what the leg was doing. */
  private ending(user: string, leg: Leg, ev: CstaCall): Step[] {
    const c = leg.call;
    const cls = causeClass(ev.cause);
    const wasHeld = c.state === 'held';
    c.state = 'released';
    c.releasedAt = this.iso(ev.info.at);
    if (cls === 'transfer') {
      if (wasHeld) this.farEnd(user, leg, false);
      c.releaseCause = 'transferred';
      return [
        { type: 'call.transferred', extra: { transfer: { mode: this.transferMode(user, leg) } } },
        { type: 'call.released' },
      ];
    }
    if (cls === 'forward' && c.direction === 'inbound' && !c.answeredAt) {
      c.releaseCause = 'forwarded';
      return [
        { type: 'call.forwarded', extra: forwardedExtra(undefined, ev.cause) },
        { type: 'call.released' },
      ];
    }
    const cause = releaseCauseName(ev.cause);
    c.releaseCause =
      leg.parked || cls === 'park' ? 'parked' : cause === 'normal' ? (leg.failedCause ?? cause) : cause;
    return [{ type: 'call.released' }];
  }

  /**
   * A Held / Retrieved of `leg` by the far end: `call.updated` once per change (the state stays; the
   * far end's own monitor may report it too, after `farEnd` already did).
   */
  private remoteHold(leg: Leg, held: boolean): Step[] {
    const s = leg.call.state;
    if (s !== 'active' && s !== 'held') return [];
    if (!!leg.remoteHeld === held) return [];
    leg.remoteHeld = held;
    return [{ type: 'call.updated' }];
  }

  /**
   * `user` held or retrieved `leg` (or its held leg was transferred away or joined a conference): the
   * other users' legs of the same call (the same correlationId) are told once, as CSTA reports a hold
   * to every monitored device of the call.
   */
  private farEnd(user: string, leg: Leg, held: boolean): void {
    for (const [other, legs] of this.users) {
      if (other === user) continue;
      for (const l of legs.values()) {
        if (l.call.correlationId !== leg.call.correlationId) continue;
        const steps = this.remoteHold(l, held);
        for (const st of steps) this.others.push({ user: other, mapped: this.mapped(l, st) });
      }
    }
  }

  /**
   * Blind or consultative, for the transferring user: consultative when the user has another answered
   * leg at that moment (the consultation), which is marked so its own release is the same transfer.
   */
  private transferMode(user: string, leg: Leg): 'blind' | 'consult' {
    if (leg.consultPartner) return 'consult';
    const other = [...(this.users.get(user)?.values() ?? [])].find(
      (o) => o !== leg && (o.call.state === 'active' || o.call.state === 'held'),
    );
    if (!other) return 'blind';
    other.consultPartner = true;
    return 'consult';
  }

  /**
   * The CSTA Transferred event (the "Transfered" of the event list, L801-972; no sample). The
   * transferring device's named legs are transferred and released; a transferred party's leg gets its
   * new far end (and its new callID when `transferredConnections` names one).
   */
  private transferred(user: string, ev: CstaCall): Applied {
    const legs = this.users.get(user);
    if (!legs) return { events: [], created: false };
    // two different old calls: a consultative transfer; one (or the same twice): a blind one
    const mode = ev.primaryOld && ev.secondaryOld && ev.primaryOld !== ev.secondaryOld ? 'consult' : 'blind';
    if (sameDevice(ev.transferring, user)) {
      const mine = [...new Set([ev.primaryOld, ev.secondaryOld])]
        .map((id) => (id ? legs.get(id) : undefined))
        .filter((l): l is Leg => !!l);
      const events: Mapped[] = [];
      for (const l of mine) {
        if (l.call.state === 'held') this.farEnd(user, l, false);
        l.call.state = 'released';
        l.call.releaseCause = 'transferred';
        const to = ev.transferredTo ? { to: ev.transferredTo } : {};
        events.push(
          ...this.finish(
            user,
            l,
            [{ type: 'call.transferred', extra: { transfer: { mode, ...to } } }, { type: 'call.released' }],
            false,
          ).events,
        );
      }
      return { events, created: false };
    }
    const conn = ev.connections.find((k) => sameDevice(k.endpoint, user));
    const candidates = [conn?.oldId, ev.primaryOld, ev.secondaryOld, conn?.id];
    let leg = candidates.map((id) => (id ? legs.get(id) : undefined)).find((l) => !!l);
    leg ??= [...legs.values()].find((l) => sameDevice(l.call.remote.address, ev.transferring));
    if (!leg) return { events: [], created: false };
    const to =
      ev.connections.find(
        (k) => k.endpoint && !sameDevice(k.endpoint, user) && !sameDevice(k.endpoint, ev.transferring),
      )?.endpoint ?? (sameDevice(ev.transferredTo, user) ? undefined : ev.transferredTo);
    if (conn?.id && conn.id !== leg.call.id) {
      legs.delete(leg.call.id);
      this.tombstone(user, leg.call.id);
      leg.call.id = conn.id;
      legs.set(conn.id, leg);
    }
    if (ev.linkage) leg.call.correlationId = ev.linkage;
    if (to) leg.call.remote = { address: to };
    leg.call.via = { type: 'transfer' };
    const ringing = (ev.localConnectionInfo ?? '').toLowerCase() === 'alerting';
    if (ringing) leg.call.state = 'alerting';
    else if (leg.call.state === 'held' || leg.call.state === 'dialing') leg.call.state = 'active';
    const transfer = { mode: ringing ? 'blind' : mode, ...(to ? { to } : {}) };
    return this.finish(user, leg, [{ type: 'call.transferred', extra: { transfer } }], false);
  }

  /** Notes the event on the leg, emits the steps with its final view, and drops it once released. */
  private finish(user: string, leg: Leg, steps: Step[], created: boolean): Applied {
    const c = leg.call;
    leg.at = this.now().getTime();
    if (c.state === 'released') {
      c.releasedAt ??= this.iso();
      this.users.get(user)?.delete(c.id);
      if (!this.users.get(user)?.size) this.users.delete(user);
      this.tombstone(user, c.id);
    }
    return { events: steps.map((s) => this.mapped(leg, s)), created, call: structuredClone(c) };
  }

  private mapped(leg: Leg, s: Step): Mapped {
    return { type: s.type, data: { call: structuredClone(leg.call), ...s.extra } };
  }

  private tombstone(user: string, id: string): void {
    this.released.add(`${user}\n${id}`);
    if (this.released.size > TOMBSTONES) {
      const first = this.released.values().next().value;
      if (first !== undefined) this.released.delete(first);
    }
  }
}

function forwardedExtra(to: string | undefined, cause: string | undefined): Record<string, unknown> {
  const reason = cause && causeClass(cause) === 'forward' ? cause : undefined;
  return { ...(to ? { forwardedTo: to } : {}), ...(reason ? { reason } : {}) };
}
