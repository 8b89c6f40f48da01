/**
 * The call half of the CTIPS mapper: one leg per (station user, CallId). CTIPS reports a call through
 * the agents on it (every call event names a CallId and an AgentId, L1119-1126); the legs of one call
 * share a `correlationId` (docs/protocols/aspect-ctips.md, "Correlation"), and what one agent's event
 * means for the other agents' legs of the same call (the caller hears ringing when the callee's phone
 * rings, is answered when the callee answers, is held when the callee holds, is released when the
 * 2-party call is cleared) is derived here, each change once, whichever agent's event shows it first.
 */
import type { Call, CallState, EventType } from '../../../shared/events/model.js';

/** One event of one leg or conference, before it is addressed to a target. */
export interface Mapped {
  type: EventType;
  data: Record<string, unknown>;
}

/** One event for one user, in emission order. */
export interface UserMapped {
  user: string;
  mapped: Mapped;
}

/** A party as the mapper knows it (address and, where given, name). */
export interface Party {
  address: string;
  name?: string;
}

/** A call as a snapshot (CTISnapShotCallData) describes it. */
export interface SnapshotCall {
  id: string;
  correlationId: string;
  state: CallState;
  direction: 'inbound' | 'outbound';
  remote: Party;
}

interface Leg {
  user: string;
  call: Call;
  /** Other CallIds this leg is known by (a transfer's TransferredCallId, the call it was joined to). */
  aliases: Set<string>;
  /** The leg waits for its far end to answer (an outbound call, or a call blind-transferred onwards). */
  awaiting?: boolean;
  /** The far end holds this leg (reported once, as `call.updated`). */
  remoteHeld?: boolean;
  conference?: string;
}

interface Conference {
  id: string;
  user: string;
  calls: string[];
}

const TOMBSTONES = 4096;
/** The most blind transfers remembered by TransferredCallId (far more than ever wait at once). */
export const PENDING_MAX = 1024;
const RINGING: ReadonlySet<CallState> = new Set(['dialing', 'alerting']);

/**
 * Per-user call legs of a CTIPS link.
 *
 * @example
 * const book = new CtipsCallBook(() => new Date());
 * book.originated('1001', '7', '1:900', { address: '1002' }, false);
 * // → [{ user: '1001', mapped: { type: 'call.originated', data: { call: {..., state: 'dialing'} } } }]
 */
export class CtipsCallBook {
  private readonly users = new Map<string, Map<string, Leg>>();
  private readonly released = new Set<string>();
  private readonly confs = new Map<string, Conference>();
  /**
   * CallId → correlation, for a leg yet to come (a blind transfer's TransferredCallId), until a CallEnd
   * names that CallId. The document does not say that one does (L1631-1653 only name the field; the
   * Appendix E flows are lost, L2746-2826), and a CallEnd sent while the link was down never comes, so
   * beyond `PENDING_MAX` entries the oldest goes (a leg that still comes is correlated as any new leg).
   */
  private readonly pending = new Map<string, string>();

  constructor(private readonly now: () => Date) {}

  /** The cached calls of `user` (copies). */
  callsOf(user: string): Call[] {
    return [...(this.users.get(user)?.values() ?? [])].map((l) => structuredClone(l.call));
  }

  /** One cached leg (by CallId or an alias). */
  callOf(user: string, callId: string): Call | undefined {
    const l = this.leg(user, callId);
    return l ? structuredClone(l.call) : undefined;
  }

  /** The correlation of the first live leg known by `callId`, any user. */
  correlationOfCall(callId: string | undefined): string | undefined {
    if (!callId) return undefined;
    for (const legs of this.users.values())
      for (const l of legs.values())
        if (l.call.id === callId || l.aliases.has(callId)) return l.call.correlationId;
    return this.pending.get(callId);
  }

  /**
   * The ringing outbound leg of `user` to `to`, or its leg waiting after a blind transfer (a callee's
   * new leg adopts its correlation).
   */
  callerLeg(user: string | undefined, to: string): Call | undefined {
    if (!user) return undefined;
    for (const l of this.users.get(user)?.values() ?? [])
      if (
        l.call.direction === 'outbound' &&
        RINGING.has(l.call.state) &&
        (l.call.remote.address === to || (l.awaiting && l.call.via?.type === 'transfer'))
      )
        return structuredClone(l.call);
    return undefined;
  }

  /**
   * An agent's outbound call: CallStarted naming the agent (an internal or manual call starts when it
   * is initiated, L1607-1613) or CallOriginated (L1538-1559). A new leg gives `call.originated`
   * (`dialing`); CallOriginated naming a new destination for a known dialing leg gives `call.updated`
   * (`dialing`, the destination now known); `ringing` (CallProgressSignal Ringing) then moves a dialing leg to `alerting`.
   */
  originated(
    user: string,
    id: string,
    corr: string,
    remote: Party | undefined,
    ringing: boolean,
  ): UserMapped[] {
    const out: UserMapped[] = [];
    let l = this.leg(user, id);
    if (!l) {
      if (this.gone(user, id)) return [];
      l = this.create(user, id, corr, 'outbound', 'dialing', remote ?? { address: '' });
      l.awaiting = true;
      out.push(this.ev(l, 'call.originated'));
    } else if (l.call.state === 'dialing' && remote?.address && remote.address !== l.call.remote.address) {
      l.call.remote = { ...remote };
      out.push(this.ev(l, 'call.updated'));
    }
    if (ringing && l.call.state === 'dialing') {
      l.call.state = 'alerting';
      out.push(this.ev(l, 'call.updated'));
    }
    return out;
  }

  /** The call rings somewhere (CallDelivered to a service, or a callee's CallConnected): `alerting`. */
  farRinging(corr: string, except?: string): UserMapped[] {
    return this.legsOf(corr, except)
      .filter((l) => l.call.state === 'dialing' && l.awaiting)
      .map((l) => {
        l.call.state = 'alerting';
        return this.ev(l, 'call.updated');
      });
  }

  /**
   * CallConnected: the call is presented to `user`'s station (L1357-1385). A new leg gives
   * `call.received` (`alerting`), after the caller's `call.updated alerting`; when another user's
   * inbound leg of the call was ringing, the call moved on (redirected): that leg gets `call.forwarded`
   * + `call.released` (`forwarded`) and the waiting caller `call.forwarded` (`alerting`).
   */
  connected(user: string, id: string, corr: string, remote: Party, via?: Call['via']): UserMapped[] {
    if (this.leg(user, id) || this.gone(user, id)) return [];
    const out = this.farRinging(corr, user);
    const l = this.create(user, id, corr, 'inbound', 'alerting', remote);
    if (via) l.call.via = via;
    out.push(this.ev(l, 'call.received'));
    // a blind-transferred party now waits for this station
    for (const o of this.legsOf(l.call.correlationId, user))
      if (o.awaiting && o.call.via?.type === 'transfer') o.call.remote = { address: user };
    const moved = this.legsOf(corr, user).filter(
      (o) => o.call.direction === 'inbound' && o.call.state === 'alerting',
    );
    if (!moved.length) return out;
    for (const o of moved) {
      this.end(o, 'forwarded');
      out.push(this.ev(o, 'call.forwarded', { forwardedTo: user }), this.ev(o, 'call.released'));
      this.drop(o);
    }
    for (const o of this.legsOf(corr, user).filter((x) => x.awaiting && x.call.state === 'alerting')) {
      o.call.via = { type: 'forwarded' };
      out.push(this.ev(o, 'call.forwarded', { forwardedTo: user }));
    }
    return out;
  }

  /**
   * CallEstablished (L1470-1495) or CallConsultation (the consultation was answered, L1387-1404):
   * `user`'s ringing leg is answered (a leg never seen is created answered, `alertingObserved: false`);
   * then the other legs of the call that wait for this answer.
   */
  established(user: string, id: string, corr: string, remote: Party): UserMapped[] {
    const out: UserMapped[] = [];
    let l = this.leg(user, id);
    if (!l) {
      if (this.gone(user, id)) return [];
      l = this.create(user, id, corr, 'inbound', 'active', remote);
      l.call.answeredAt = l.call.startedAt;
      l.call.alertingObserved = false;
      out.push(this.ev(l, 'call.received'), this.ev(l, 'call.answered'));
    } else if (RINGING.has(l.call.state)) {
      l.call.state = 'active';
      l.call.answeredAt = this.iso();
      l.awaiting = false;
      out.push(this.ev(l, 'call.answered'));
    } else return [];
    for (const o of this.legsOf(l.call.correlationId, user)) {
      if (!o.awaiting || !RINGING.has(o.call.state)) continue;
      o.awaiting = false;
      o.call.state = 'active';
      o.call.answeredAt ??= this.iso();
      out.push(this.ev(o, 'call.answered'));
    }
    return out;
  }

  /** CallHeld (`held`) / CallRetrieved (`active`) of `user`'s leg; the far end gets `call.updated`. */
  hold(user: string, id: string, held: boolean): UserMapped[] {
    const l = this.leg(user, id);
    if (!l || l.call.state !== (held ? 'active' : 'held')) return [];
    l.call.state = held ? 'held' : 'active';
    return [this.ev(l, held ? 'call.held' : 'call.retrieved'), ...this.farEnd(l, held)];
  }

  /**
   * CallCleared of `user`'s leg (L1297-1316): the other users' legs of the 2-party call first (a
   * conference's other calls stay), then the user's own, then the end of a conference left with
   * fewer than two calls. `cause`: from ClearingPartyType.
   */
  cleared(user: string, id: string, cause: string): UserMapped[] {
    const l = this.leg(user, id);
    if (!l) return [];
    const out: UserMapped[] = [];
    for (const o of this.legsOf(l.call.correlationId, user)) out.push(...this.release(o, 'normal'));
    out.push(...this.release(l, cause));
    return out;
  }

  /** CallEnd (all connections cleared, L1451-1468): every leg still known by the CallId. */
  ended(id: string, corr: string | undefined): UserMapped[] {
    const out: UserMapped[] = [];
    for (const legs of [...this.users.values()])
      for (const l of [...legs.values()])
        if (l.call.id === id || l.aliases.has(id) || (corr !== undefined && l.call.correlationId === corr))
          out.push(...this.release(l, 'normal'));
    this.pending.delete(id);
    return out;
  }

  /** A failed MakeCall / ConsultationCall (CallRequestFailed): the user's unanswered outbound leg ends. */
  failed(user: string, id: string, cause: string): UserMapped[] {
    const l = this.leg(user, id);
    if (!l || l.call.direction !== 'outbound' || !RINGING.has(l.call.state)) return [];
    return this.release(l, cause);
  }

  /**
   * CallTransferred (L1631-1653), `user` the transferring agent. Blind (no consultation named): the
   * user's leg is transferred and released, then the other party's leg is `call.transferred`
   * (`alerting`, waiting for `to` to answer). Consultative (`consulted` names the user's consultation
   * leg): the two other parties' legs are `call.transferred` (`active`, now connected to each other),
   * then the user's two legs are transferred and released, then the far end is no longer held.
   */
  transferred(
    user: string,
    main: string,
    consulted: string | undefined,
    to: Party | undefined,
    newId: string | undefined,
  ): UserMapped[] {
    const a = this.leg(user, main) ?? (consulted ? this.leg(user, consulted) : undefined);
    if (!a) return [];
    const c = consulted && consulted !== a.call.id ? this.leg(user, consulted) : undefined;
    const out: UserMapped[] = [];
    if (!c) {
      const others = this.legsOf(a.call.correlationId, user);
      const dest = to?.address ? to : undefined;
      out.push(...this.giveAway(a, 'blind', dest));
      if (newId && newId !== a.call.id) this.expect(newId, a.call.correlationId);
      for (const o of others) {
        if (o.call.state === 'released') continue;
        o.call.state = 'alerting';
        o.awaiting = true;
        o.remoteHeld = false;
        o.call.via = { type: 'transfer' };
        if (dest) o.call.remote = { ...dest };
        out.push(
          this.ev(o, 'call.transferred', {
            transfer: { mode: 'blind', ...(dest ? { to: dest.address } : {}) },
          }),
        );
      }
      return out;
    }
    const left = this.legsOf(a.call.correlationId, user);
    const right = this.legsOf(c.call.correlationId, user);
    const corr = a.call.correlationId;
    for (const [side, peer] of [
      [left, right],
      [right, left],
    ] as const)
      for (const o of side) {
        const p = peer[0];
        if (p) o.call.remote = { address: p.user };
        o.call.via = { type: 'transfer' };
        if (o.call.state === 'held') o.call.state = 'active';
        o.call.correlationId = corr;
        o.aliases.add(a.call.id);
        const toAddr = p ? { to: p.user } : {};
        out.push(this.ev(o, 'call.transferred', { transfer: { mode: 'consult', ...toAddr } }));
      }
    const heldSides = [a, c].filter((l) => l.call.state === 'held');
    out.push(...this.giveAway(a, 'consult'), ...this.giveAway(c, 'consult'));
    for (const l of heldSides) out.push(...this.farEnd(l, false, left.concat(right)));
    return out;
  }

  /**
   * CallConferenced (L1336-1355), `user` the conferencing agent: `conference.started` with the user's
   * legs `ids`, then each held one `call.retrieved` (active in the conference) and its far end
   * `call.updated`. A repeat with other calls gives `conference.updated`.
   */
  conferenced(user: string, confId: string, ids: string[]): UserMapped[] {
    const legs = [...new Set(ids)].map((i) => this.leg(user, i)).filter((l): l is Leg => !!l);
    if (!legs.length) return [];
    const prev = this.confs.get(confId);
    const calls = legs.map((l) => l.call.id);
    const out: UserMapped[] = [];
    if (prev && prev.calls.join() === calls.join()) return [];
    const conf: Conference = { id: confId, user, calls };
    this.confs.set(confId, conf);
    for (const l of legs) l.conference = confId;
    out.push(this.confEvent(conf, prev ? 'conference.updated' : 'conference.started', 'active'));
    for (const l of legs) {
      if (l.call.state !== 'held') continue;
      l.call.state = 'active';
      out.push(this.ev(l, 'call.retrieved'), ...this.farEnd(l, false));
    }
    return out;
  }

  /** A snapshot's call: cached silently when new; a known one in another state gives `call.updated`. */
  snapshot(user: string, s: SnapshotCall): UserMapped[] {
    if (this.gone(user, s.id)) return [];
    const l = this.leg(user, s.id);
    if (!l) {
      if (s.state === 'released') return [];
      const n = this.create(user, s.id, s.correlationId, s.direction, s.state, s.remote);
      if (s.direction === 'outbound' && RINGING.has(s.state)) n.awaiting = true;
      if (s.state === 'active' || s.state === 'held') {
        n.call.answeredAt = n.call.startedAt;
        n.call.alertingObserved = false;
      }
      return [];
    }
    if (l.call.state === s.state) return [];
    if (s.state === 'released') return this.release(l, 'normal');
    l.call.state = s.state;
    if (s.state === 'active' || s.state === 'held') l.call.answeredAt ??= this.iso();
    return [this.ev(l, 'call.updated')];
  }

  /** Releases the legs of `user` not in `live` (after a resync), with `cause`. */
  releaseStale(user: string, live: ReadonlySet<string>, cause: string): UserMapped[] {
    const out: UserMapped[] = [];
    for (const l of [...(this.users.get(user)?.values() ?? [])])
      if (!live.has(l.call.id) && ![...l.aliases].some((a) => live.has(a)))
        out.push(...this.release(l, cause));
    return out;
  }

  // ------------------------------------------------------------------ internals

  private iso(): string {
    return this.now().toISOString();
  }

  /** Remembers the correlation of the leg `id` yet to come; beyond `PENDING_MAX` the oldest goes. */
  private expect(id: string, corr: string): void {
    this.pending.set(id, corr);
    if (this.pending.size > PENDING_MAX) {
      const first = this.pending.keys().next().value;
      if (first !== undefined) this.pending.delete(first);
    }
  }

  private leg(user: string, id: string): Leg | undefined {
    const legs = this.users.get(user);
    if (!legs) return undefined;
    return legs.get(id) ?? [...legs.values()].find((l) => l.aliases.has(id));
  }

  private gone(user: string, id: string): boolean {
    return this.released.has(`${user}\n${id}`);
  }

  /** The live legs of other users (not `except`) with correlation `corr`. */
  private legsOf(corr: string, except?: string): Leg[] {
    const out: Leg[] = [];
    for (const [u, legs] of this.users) {
      if (u === except) continue;
      for (const l of legs.values())
        if (l.call.correlationId === corr && l.call.state !== 'released') out.push(l);
    }
    return out;
  }

  private create(
    user: string,
    id: string,
    corr: string,
    direction: Call['direction'],
    state: CallState,
    remote: Party,
  ): Leg {
    const call: Call = {
      id,
      correlationId: this.pending.get(id) ?? corr,
      state,
      direction,
      local: { user, address: user },
      remote: { ...remote },
      startedAt: this.iso(),
    };
    if (this.pending.has(id)) call.via = { type: 'transfer' };
    const l: Leg = { user, call, aliases: new Set() };
    let legs = this.users.get(user);
    if (!legs) this.users.set(user, (legs = new Map()));
    legs.set(id, l);
    return l;
  }

  /** `user`'s leg left by a transfer: `call.transferred` + `call.released` (`transferred`). */
  private giveAway(l: Leg, mode: 'blind' | 'consult', to?: Party): UserMapped[] {
    const held = l.call.state === 'held';
    this.end(l, 'transferred');
    const out = [
      this.ev(l, 'call.transferred', { transfer: { mode, ...(to ? { to: to.address } : {}) } }),
      this.ev(l, 'call.released'),
    ];
    this.drop(l);
    if (held && mode === 'blind') out.push(...this.farEnd(l, false));
    return out;
  }

  private end(l: Leg, cause: string): void {
    l.call.state = 'released';
    l.call.releasedAt = this.iso();
    l.call.releaseCause = cause;
  }

  /** `call.released` for a live leg, and the end of its conference when fewer than two calls remain. */
  private release(l: Leg, cause: string): UserMapped[] {
    if (l.call.state === 'released') return [];
    this.end(l, cause);
    const out = [this.ev(l, 'call.released')];
    this.drop(l);
    const conf = l.conference ? this.confs.get(l.conference) : undefined;
    if (conf) {
      const live = conf.calls.filter((id) => this.leg(conf.user, id));
      if (live.length < 2) {
        this.confs.delete(conf.id);
        for (const id of live) delete this.leg(conf.user, id)?.conference;
        out.push(this.confEvent(conf, 'conference.released', 'released'));
      }
    }
    return out;
  }

  private drop(l: Leg): void {
    const legs = this.users.get(l.user);
    legs?.delete(l.call.id);
    if (legs && !legs.size) this.users.delete(l.user);
    for (const id of [l.call.id, ...l.aliases]) {
      this.released.add(`${l.user}\n${id}`);
      if (this.released.size > TOMBSTONES) {
        const first = this.released.values().next().value;
        if (first !== undefined) this.released.delete(first);
      }
    }
  }

  /**
   * `l`'s user held or retrieved it (or it left held): the other users' answered legs of the same call
   * get `call.updated` once per change (the state stays: the far end holds).
   */
  private farEnd(l: Leg, held: boolean, among?: Leg[]): UserMapped[] {
    const out: UserMapped[] = [];
    for (const o of among ?? this.legsOf(l.call.correlationId, l.user)) {
      if (o.user === l.user || (o.call.state !== 'active' && o.call.state !== 'held')) continue;
      if (!!o.remoteHeld === held) continue;
      o.remoteHeld = held;
      out.push(this.ev(o, 'call.updated'));
    }
    return out;
  }

  private ev(l: Leg, type: EventType, extra?: Record<string, unknown>): UserMapped {
    return { user: l.user, mapped: { type, data: { call: structuredClone(l.call), ...extra } } };
  }

  private confEvent(conf: Conference, type: EventType, state: 'active' | 'released'): UserMapped {
    const parties = conf.calls
      .map((id) => this.leg(conf.user, id)?.call.remote)
      .filter((r): r is Call['remote'] => !!r?.address)
      .map((r) => ({ ...r }));
    return {
      user: conf.user,
      mapped: {
        type,
        data: {
          conference: { id: conf.id, state, calls: [...conf.calls], ...(parties.length ? { parties } : {}) },
          local: { user: conf.user },
        },
      },
    };
  }
}
