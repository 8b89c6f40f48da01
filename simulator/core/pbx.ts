/**
 * The vendor-neutral PBX core: a directory, calls made of per-party legs, services (DND, forwarding),
 * ACD queues with agents, route points and 3-way conferences. Every operation is synchronous and emits
 * its change events, in causal order, before it returns. The only timers are forward-no-answer and
 * agent wrap-up; both durations are options.
 */
import type { SeedDirectory } from '../directory.js';
import {
  DEFAULT_QUEUE_PRIORITY,
  PbxError,
  type AgentInfo,
  type AgentState,
  type ConferenceSnapshot,
  type CoreEvent,
  type Direction,
  type ForwardType,
  type ForwardingSetting,
  type LegSnapshot,
  type LegState,
  type PartyInfo,
  type QueueEntrySnapshot,
  type QueueSnapshot,
  type Redirection,
  type RedirectReason,
  type ReleaseCause,
  type UserSnapshot,
} from './types.js';

export interface PbxOptions {
  /** Clock, ms since epoch. */
  now?: () => number;
  /** Length of one ring, ms; forward-no-answer fires after numberOfRings rings. Default 6000. */
  ringDurationMs?: number;
  /** A click-to-dial call goes off-hook by itself (a phone with auto-answer). Default true. */
  autoAnswerClickToDial?: boolean;
  /** Format of leg ids. Default `call-<n>`. */
  legId?: (n: number) => string;
  /** Format of correlation ids. Default `<n>:1`. */
  correlationId?: (n: number) => string;
  /** Max participants in a conference (3-way by default). */
  maxConferenceParticipants?: number;
  /**
   * Where the id counters (legs, calls, queue entries, conferences) start: the first id is `idBase + 1`.
   * Default 0. A simulator whose events land in a kept log starts elsewhere on every run (see
   * `simulatorIdBase`), so that two different calls never share an id there.
   */
  idBase?: number;
}

/**
 * An id base that a later run never falls below: tenths of a second since 2026-01-01 (it fits the
 * 32-bit call ids of MTCTI-3 until 2039). A run would have to start more than ten calls per second of
 * its life on average to reach the next run's base.
 *
 * @example
 * new PbxCore(directory, { idBase: simulatorIdBase() }); // first call: `<about 3e8>:1`
 */
export function simulatorIdBase(now = Date.now()): number {
  return Math.max(0, Math.floor((now - Date.UTC(2026, 0, 1)) / 100));
}

export type CoreListener = (event: CoreEvent) => void;

interface User {
  userId: string;
  extension: string;
  name: string;
  phone: string;
  groupId: string;
  enterpriseId: string;
  dnd: boolean;
  callWaiting: boolean;
  forwarding: Record<ForwardType, ForwardingSetting>;
  agent?: AgentInfo;
  offHook: boolean;
}

interface Leg {
  id: string;
  correlationId: string;
  userId?: string;
  self: PartyInfo;
  direction: Direction;
  clickToDial: boolean;
  state: LegState;
  peerId?: string;
  remote: PartyInfo;
  startTime: number;
  answerTime?: number;
  heldTime?: number;
  totalHeldMs: number;
  releaseTime?: number;
  detachedTime?: number;
  releaseCause?: ReleaseCause;
  releasingParty?: 'local' | 'remote';
  redirect?: { address: string; reason: RedirectReason; time: number };
  redirections: Redirection[];
  conferenceId?: string;
  queue?: { queueId: string; entryId: string; kind: 'queue' | 'route-point' };
  /** Destination still to reach after a click-to-dial goes off-hook. */
  pendingDestination?: string;
  noAnswerTimer?: ReturnType<typeof setTimeout>;
}

interface Queue {
  id: string;
  kind: 'queue' | 'route-point';
  extension: string;
  name: string;
  phone: string;
  agents: string[];
  wrapUpMs?: number;
  entries: QueueEntry[];
}

interface QueueEntry {
  id: string;
  queueId: string;
  callerLegId: string;
  addTime: number;
  offeredTo?: { userId: string; legId: string };
  priority?: number;
  priorityTime?: number;
  reordered?: boolean;
}

interface Conference {
  id: string;
  controller: string;
  state: 'active' | 'held' | 'released';
  legIds: string[];
}

const LIVE: ReadonlySet<LegState> = new Set(['dialing', 'alerting', 'active', 'held']);
const DTMF_RE = /^[0-9*#A-D,]+$/;

export class PbxCore {
  readonly directory: SeedDirectory;
  private readonly users = new Map<string, User>();
  /** The other names `findUser` knows a user by (the directory is fixed once built). */
  private readonly userAliases = new Map<string, User>();
  private readonly queues = new Map<string, Queue>();
  private readonly legs = new Map<string, Leg>();
  private readonly conferences = new Map<string, Conference>();
  private readonly listeners = new Set<CoreListener>();
  private readonly wrapUpTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly now: () => number;
  private ringDurationMs: number;
  private readonly autoAnswerClickToDial: boolean;
  private readonly legIdFormat: (n: number) => string;
  private readonly correlationFormat: (n: number) => string;
  private readonly maxConference: number;
  /** Where the id counters started (`PbxOptions.idBase`): front-ends with ids of their own start there too. */
  readonly idBase: number;
  private legCounter: number;
  private correlationCounter: number;
  private entryCounter: number;
  private conferenceCounter: number;

  constructor(directory: SeedDirectory, options: PbxOptions = {}) {
    this.directory = structuredClone(directory);
    this.now = options.now ?? Date.now;
    this.ringDurationMs = options.ringDurationMs ?? 6000;
    this.autoAnswerClickToDial = options.autoAnswerClickToDial ?? true;
    this.legIdFormat = options.legId ?? ((n) => `call-${n}`);
    this.correlationFormat = options.correlationId ?? ((n) => `${n}:1`);
    this.maxConference = options.maxConferenceParticipants ?? 2;
    const base = (this.idBase = options.idBase ?? 0);
    this.legCounter = this.correlationCounter = this.entryCounter = this.conferenceCounter = base;
    for (const u of directory.users) {
      this.users.set(u.userId, {
        ...u,
        groupId: directory.groupId,
        enterpriseId: directory.enterpriseId,
        dnd: false,
        callWaiting: true,
        forwarding: {
          always: { active: false },
          busy: { active: false },
          'no-answer': { active: false, numberOfRings: 3 },
        },
        offHook: false,
      });
    }
    for (const u of this.users.values())
      for (const alias of [u.extension, u.phone, u.userId.split('@')[0]!, u.phone.replace('+', '')])
        if (!this.userAliases.has(alias)) this.userAliases.set(alias, u);
    for (const q of directory.queues) {
      this.queues.set(q.userId, {
        id: q.userId,
        kind: 'queue',
        extension: q.extension,
        name: q.name,
        phone: q.phone,
        agents: [...q.agents],
        wrapUpMs: q.wrapUpMs,
        entries: [],
      });
      for (const a of q.agents) {
        const u = this.users.get(a);
        if (!u) continue;
        u.agent ??= { state: 'sign-out', stateSince: this.now(), queues: [] };
        u.agent.queues.push(q.userId);
      }
    }
    for (const rp of directory.routePoints) {
      this.queues.set(rp.userId, {
        id: rp.userId,
        kind: 'route-point',
        extension: rp.extension,
        name: rp.name,
        phone: rp.phone,
        agents: [],
        entries: [],
      });
    }
  }

  // ---------------------------------------------------------------- listeners

  /** Register a listener; returns an unsubscribe function. */
  on(listener: CoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: CoreEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a listener must not break the core
      }
    }
  }

  /** Change the ring duration (ms) used by forward-no-answer. */
  setRingDuration(ms: number): void {
    this.ringDurationMs = ms;
  }

  /** Cancel every timer. */
  dispose(): void {
    for (const l of this.legs.values()) if (l.noAnswerTimer) clearTimeout(l.noAnswerTimer);
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
    this.listeners.clear();
  }

  // ---------------------------------------------------------------- lookups

  listUsers(): UserSnapshot[] {
    return [...this.users.values()].map((u) => this.userSnap(u));
  }

  getUser(idOrExtension: string): UserSnapshot | undefined {
    const u = this.findUser(idOrExtension);
    return u ? this.userSnap(u) : undefined;
  }

  listQueues(): QueueSnapshot[] {
    return [...this.queues.values()].map((q) => this.queueSnap(q));
  }

  getQueue(id: string): QueueSnapshot | undefined {
    const q = this.queues.get(id) ?? [...this.queues.values()].find((x) => x.extension === id);
    return q ? this.queueSnap(q) : undefined;
  }

  /** Is this id a directory entry (user, queue or route point)? */
  isDirectoryId(id: string): boolean {
    return this.users.has(id) || this.queues.has(id);
  }

  listLegs(filter: { userId?: string; includeEnded?: boolean } = {}): LegSnapshot[] {
    return [...this.legs.values()]
      .filter(
        (l) =>
          (filter.userId === undefined || l.userId === filter.userId) &&
          (filter.includeEnded || LIVE.has(l.state)),
      )
      .map((l) => this.snap(l));
  }

  getLeg(id: string): LegSnapshot | undefined {
    const l = this.legs.get(id);
    return l ? this.snap(l) : undefined;
  }

  getConference(userId: string): ConferenceSnapshot | undefined {
    const c = [...this.conferences.values()].find((x) => x.controller === userId && x.state !== 'released');
    return c ? this.confSnap(c) : undefined;
  }

  /** Full state, for inspection. */
  state(): {
    users: UserSnapshot[];
    queues: QueueSnapshot[];
    calls: LegSnapshot[];
    conferences: ConferenceSnapshot[];
  } {
    return {
      users: this.listUsers(),
      queues: this.listQueues(),
      calls: this.listLegs(),
      conferences: [...this.conferences.values()]
        .filter((c) => c.state !== 'released')
        .map((c) => this.confSnap(c)),
    };
  }

  /** Resolve an address (extension, user id, E.164, tel:/sip: URI, external number) to a party. */
  resolve(address: string): PartyInfo {
    const a = normalizeAddress(address);
    const u = this.findUser(a);
    if (u) return this.userParty(u);
    const q = [...this.queues.values()].find(
      (x) => x.id === a || x.extension === a || x.phone === a || x.id.split('@')[0] === a,
    );
    if (q) return { kind: q.kind, id: q.id, name: q.name, number: q.extension, phone: q.phone };
    if (/^\+?[0-9*#]+$/.test(a) && a.length >= 7) return { kind: 'external', number: a };
    return { kind: 'unknown', number: a };
  }

  // ---------------------------------------------------------------- services

  setDnd(userId: string, active: boolean): UserSnapshot {
    const u = this.requireUser(userId);
    u.dnd = active;
    const s = this.userSnap(u);
    this.emit({ type: 'user.dnd', user: s });
    return s;
  }

  setCallWaiting(userId: string, active: boolean): UserSnapshot {
    const u = this.requireUser(userId);
    u.callWaiting = active;
    return this.userSnap(u);
  }

  setForwarding(userId: string, type: ForwardType, setting: Partial<ForwardingSetting>): UserSnapshot {
    const u = this.requireUser(userId);
    const cur = u.forwarding[type];
    const next: ForwardingSetting = {
      active: setting.active ?? cur.active,
      to: setting.to !== undefined ? setting.to || undefined : cur.to,
      numberOfRings: type === 'no-answer' ? (setting.numberOfRings ?? cur.numberOfRings ?? 3) : undefined,
    };
    if (next.active && !next.to)
      throw new PbxError('FORWARD_NUMBER_REQUIRED', 'A forward-to number is required to activate forwarding');
    if (type !== 'no-answer') delete next.numberOfRings;
    u.forwarding[type] = next;
    const s = this.userSnap(u);
    this.emit({ type: 'user.forwarding', user: s, forwardType: type });
    return s;
  }

  setAgentState(userId: string, state: AgentState, unavailableCode?: string): UserSnapshot {
    const u = this.requireUser(userId);
    if (!u.agent) throw new PbxError('NOT_AN_AGENT', `User ${userId} is not an ACD agent`);
    this.applyAgentState(u, state, unavailableCode);
    this.distributeAll();
    return this.userSnap(u);
  }

  private applyAgentState(u: User, state: AgentState, unavailableCode?: string): void {
    const a = u.agent!;
    const t = this.wrapUpTimers.get(u.userId);
    if (t) {
      clearTimeout(t);
      this.wrapUpTimers.delete(u.userId);
    }
    if (state === 'sign-in' || (a.state === 'sign-out' && state !== 'sign-out')) a.signInTime = this.now();
    if (state === 'sign-out') a.signInTime = undefined;
    a.state = state;
    a.stateSince = this.now();
    a.unavailableCode = state === 'unavailable' ? unavailableCode : undefined;
    this.emit({ type: 'agent.state', user: this.userSnap(u) });
  }

  // ---------------------------------------------------------------- call control

  /**
   * Place a call. `from` is a user (id, extension, number) or an external number. With `clickToDial`
   * (a user only), the user's own phone is first alerted and the destination is called once it goes
   * off-hook (automatically unless autoAnswerClickToDial is false).
   */
  dial(from: string, to: string, opts: { clickToDial?: boolean } = {}): LegSnapshot {
    if (!to || !to.trim()) throw new PbxError('INVALID_ADDRESS', 'Destination address is required');
    const fromUser = this.findUser(normalizeAddress(from));
    if (!fromUser) {
      const party = this.resolve(from);
      if (party.kind !== 'external') throw new PbxError('USER_NOT_FOUND', `Caller ${from} not found`);
      const leg = this.newLeg({
        self: party,
        direction: 'originator',
        state: 'alerting',
        remote: this.resolve(to),
        correlationId: this.nextCorrelation(),
      });
      this.emit({ type: 'leg.originated', leg: this.snap(leg) });
      this.route(leg, to, []);
      return this.snap(this.legs.get(leg.id)!);
    }
    if (opts.clickToDial) {
      const leg = this.newLeg({
        userId: fromUser.userId,
        self: this.userParty(fromUser),
        direction: 'originator',
        clickToDial: true,
        state: 'dialing',
        remote: { kind: 'unknown', number: normalizeAddress(to) },
        correlationId: this.nextCorrelation(),
      });
      leg.pendingDestination = to;
      this.emit({ type: 'leg.originating', leg: this.snap(leg) });
      const result = this.snap(leg);
      if (this.autoAnswerClickToDial) this.offHookClickToDial(leg);
      return result;
    }
    this.holdOthers(fromUser.userId, undefined);
    const leg = this.newLeg({
      userId: fromUser.userId,
      self: this.userParty(fromUser),
      direction: 'originator',
      state: 'alerting',
      remote: this.resolve(to),
      correlationId: this.nextCorrelation(),
    });
    this.hookOff(fromUser);
    this.emit({ type: 'leg.originated', leg: this.snap(leg) });
    this.route(leg, to, []);
    return this.snap(this.legs.get(leg.id)!);
  }

  /** Answer an alerting leg (or take a click-to-dial prompt off-hook). */
  answer(legId: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (leg.state === 'dialing' && leg.clickToDial) {
      this.offHookClickToDial(leg);
      return this.snap(leg);
    }
    if (leg.state !== 'alerting' || leg.direction !== 'terminator') {
      throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    }
    if (leg.noAnswerTimer) {
      clearTimeout(leg.noAnswerTimer);
      leg.noAnswerTimer = undefined;
    }
    if (leg.userId) this.holdOthers(leg.userId, leg.id);
    const caller = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    // ACD offer answered by the agent
    if (leg.queue && caller && caller.queue && caller.peerId === undefined) {
      const q = this.queues.get(leg.queue.queueId);
      const entry = q?.entries.find((e) => e.id === leg.queue!.entryId);
      if (q && entry) {
        this.emit({
          type: 'queue.answered',
          entry: this.entrySnap(q, entry),
          agentUserId: leg.userId ?? '',
          agentLegId: leg.id,
        });
        q.entries = q.entries.filter((e) => e !== entry);
        this.emit({
          type: 'queue.removed',
          entry: { ...this.entrySnap(q, entry), position: 0 },
          reason: 'distributed',
        });
      }
      caller.peerId = leg.id;
      caller.remote = leg.self;
    }
    const t = this.now();
    leg.state = 'active';
    leg.answerTime ??= caller?.answerTime ?? t;
    this.emit({ type: 'leg.answered', leg: this.snap(leg) });
    if (leg.userId) this.hookOff(this.users.get(leg.userId)!);
    if (caller && caller.state === 'alerting') {
      caller.state = 'active';
      caller.answerTime ??= leg.answerTime;
      this.emit({ type: 'leg.answered', leg: this.snap(caller) });
    } else if (caller && caller.state === 'active') {
      // re-answer after a transfer: the far side already counted its first answer
      this.emit({ type: 'leg.answered', leg: this.snap(caller) });
    }
    return this.snap(leg);
  }

  hold(legId: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (leg.state !== 'active') throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    this.doHold(leg, false);
    return this.snap(leg);
  }

  /** Retrieve (un-hold) a held leg. Another active call of the same user is held first. */
  retrieve(legId: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (leg.state !== 'held') throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    if (leg.userId) this.holdOthers(leg.userId, leg.id);
    this.doRetrieve(leg);
    return this.snap(leg);
  }

  /**
   * Release a leg. For an alerting terminator, `decline: false` detaches the leg and leaves the caller
   * ringing (BroadWorks semantics); the default declines, releasing the caller too.
   */
  release(legId: string, opts: { decline?: boolean } = {}): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (!LIVE.has(leg.state)) throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    const decline = opts.decline ?? true;
    if (leg.state === 'alerting' && leg.direction === 'terminator' && !decline && !leg.queue) {
      this.detach(leg);
      return this.snap(leg);
    }
    // an ACD/route-point offer rejected by the agent: back to the queue
    if (leg.state === 'alerting' && leg.direction === 'terminator' && leg.queue && leg.peerId) {
      const caller = this.legs.get(leg.peerId);
      if (caller && caller.peerId === undefined) {
        this.endLeg(leg, 'local');
        const q = this.queues.get(leg.queue.queueId);
        const entry = q?.entries.find((e) => e.id === leg.queue!.entryId);
        if (entry) entry.offeredTo = undefined;
        const agent = leg.userId ? this.users.get(leg.userId) : undefined;
        if (agent?.agent) this.applyAgentState(agent, 'unavailable');
        this.hookOnIfIdle(leg.userId);
        this.distributeAll();
        return this.snap(leg);
      }
    }
    const peer = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    const conf = leg.conferenceId ? this.conferences.get(leg.conferenceId) : undefined;
    if (peer && LIVE.has(peer.state)) {
      this.endLeg(
        peer,
        'remote',
        leg.state === 'alerting' && leg.direction === 'terminator' ? 'temporarily-unavailable' : undefined,
      );
    } else if (leg.queue && leg.peerId === undefined) {
      this.abandonQueued(leg);
    }
    this.hookOnIfIdle(leg.userId, leg.id);
    this.endLeg(leg, 'local');
    if (peer) this.hookOnIfIdle(peer.userId);
    if (peer) this.afterAcdCall(peer);
    this.afterAcdCall(leg);
    if (conf) this.leaveConference(conf, leg.id);
    if (peer?.conferenceId) {
      const pc = this.conferences.get(peer.conferenceId);
      if (pc) this.leaveConference(pc, peer.id);
    }
    return this.snap(leg);
  }

  dtmf(legId: string, digits: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (!DTMF_RE.test(digits)) throw new PbxError('INVALID_DTMF', `DTMF string ${digits} is not valid.`);
    if (leg.state !== 'active') throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    if (!leg.peerId) throw new PbxError('NO_REMOTE', `Call ${legId} has no remote call.`);
    this.emit({ type: 'leg.dtmf', leg: this.snap(leg), digits });
    return this.snap(leg);
  }

  /** Blind transfer: the leg's owner drops out and its peer is connected to `to`. */
  blindTransfer(legId: string, to: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    const ok =
      leg.state === 'active' ||
      leg.state === 'held' ||
      (leg.state === 'alerting' && leg.direction === 'terminator');
    if (!ok) throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    const peer = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    if (!peer || !LIVE.has(peer.state)) throw new PbxError('NO_REMOTE', `Call ${legId} has no remote call.`);
    const target = this.resolve(to);
    if (target.kind === 'unknown') throw new PbxError('INVALID_ADDRESS', `Address ${to} is not valid.`);
    const t = this.now();
    if (leg.noAnswerTimer) clearTimeout(leg.noAnswerTimer);
    leg.redirect = { address: target.number, reason: 'transfer', time: t };
    leg.state = 'detached';
    leg.detachedTime = t;
    leg.peerId = undefined;
    this.emit({ type: 'leg.redirected', legs: [this.snap(leg)] });
    peer.peerId = undefined;
    peer.remote = target;
    if (peer.state === 'held' || peer.state === 'active') {
      if (peer.state === 'held' && peer.heldTime !== undefined) peer.totalHeldMs += t - peer.heldTime;
      peer.heldTime = undefined;
      peer.state = 'alerting';
    }
    peer.direction = 'originator';
    this.emit({ type: 'leg.transferred', leg: this.snap(peer) });
    this.hookOnIfIdle(leg.userId);
    const redirection: Redirection = { party: leg.self, reason: 'deflection' };
    this.route(peer, to, [redirection]);
    return this.snap(leg);
  }

  /** Consultative transfer: connect the peers of two legs of the same user; the user drops out. */
  consultTransfer(legId1: string, legId2: string): LegSnapshot {
    const l1 = this.requireLeg(legId1);
    const l2 = this.requireLeg(legId2);
    if (l1 === l2 || l1.userId === undefined || l1.userId !== l2.userId)
      throw new PbxError('INVALID_CALL_IDS', 'Call ids are not valid for a transfer.');
    if (!LIVE.has(l1.state) || !LIVE.has(l2.state))
      throw new PbxError('INVALID_STATE', 'State for the calls is not valid.');
    if (l1.state === 'alerting' && l2.state === 'alerting')
      throw new PbxError('BOTH_ALERTING', 'Both calls are alerting.');
    for (const l of [l1, l2]) {
      if (l.state === 'dialing') throw new PbxError('INVALID_STATE', `State for call ${l.id} is not valid.`);
      if (l.state === 'alerting' && l.direction !== 'originator')
        throw new PbxError('INVALID_STATE', `State for call ${l.id} is not valid.`);
    }
    const p1 = l1.peerId ? this.legs.get(l1.peerId) : undefined;
    const p2 = l2.peerId ? this.legs.get(l2.peerId) : undefined;
    if (!p1 || !p2 || !LIVE.has(p1.state) || !LIVE.has(p2.state))
      throw new PbxError('NO_REMOTE', 'A call has no remote call.');
    const t = this.now();
    const corr = this.nextCorrelation();
    const p1WasRemoteHeld = p1.state === 'active' && l1.state === 'held';
    const p2WasRemoteHeld = p2.state === 'active' && l2.state === 'held';
    // reconnect the two far ends
    p1.peerId = p2.id;
    p2.peerId = p1.id;
    p1.remote = p2.self;
    p2.remote = p1.self;
    p1.correlationId = corr;
    p2.correlationId = corr;
    if (p2.state === 'alerting') {
      // the consulted party is still ringing: the other far end now calls it
      p1.direction = 'originator';
      if (p1.state === 'active') p1.state = 'alerting';
    } else if (p1.state === 'alerting') {
      p2.direction = 'originator';
      if (p2.state === 'active') p2.state = 'alerting';
    }
    l1.peerId = undefined;
    l2.peerId = undefined;
    this.emit({ type: 'leg.transferred', leg: { ...this.snap(p1), remoteHeld: p1WasRemoteHeld } });
    this.emit({ type: 'leg.transferred', leg: { ...this.snap(p2), remoteHeld: p2WasRemoteHeld } });
    for (const l of [l1, l2]) {
      const far = l === l1 ? p1 : p2;
      l.redirect = { address: (l === l1 ? p2 : p1).self.number, reason: 'transfer', time: t };
      void far;
      if (l.state === 'held' && l.heldTime !== undefined) l.totalHeldMs += t - l.heldTime;
      l.state = 'detached';
      l.detachedTime = t;
    }
    this.emit({ type: 'leg.redirected', legs: [this.snap(l1), this.snap(l2)] });
    if (p1WasRemoteHeld && p1.state === 'active' && p2.state === 'active')
      this.emit({ type: 'leg.retrieved', leg: this.snap(p1) });
    if (p2WasRemoteHeld && p2.state === 'active' && p1.state === 'active')
      this.emit({ type: 'leg.retrieved', leg: this.snap(p2) });
    this.hookOnIfIdle(l1.userId);
    return this.snap(p1);
  }

  /** Reconnect: release the user's other calls (except alerting incoming ones) and retrieve this one. */
  reconnect(legId: string): LegSnapshot {
    const leg = this.requireLeg(legId);
    if (leg.state !== 'held') throw new PbxError('INVALID_STATE', `State for call ${legId} is not valid.`);
    if (leg.conferenceId) throw new PbxError('INVALID_STATE', `Call ${legId} is in a conference.`);
    for (const other of this.userLegs(leg.userId)) {
      if (other === leg || (other.state === 'alerting' && other.direction === 'terminator')) continue;
      this.release(other.id);
    }
    this.doRetrieve(leg);
    return this.snap(leg);
  }

  /** Start a 3-way conference controlled by `userId` over its legs. */
  startConference(userId: string, legIds: string[]): ConferenceSnapshot {
    const u = this.requireUser(userId);
    if (this.getConference(u.userId)) throw new PbxError('CONFERENCE_EXISTS', 'A conference already exists.');
    const ids = [...new Set(legIds)];
    if (ids.length < 2) throw new PbxError('INVALID_CALL_IDS', 'At least two calls are required.');
    if (ids.length > this.maxConference)
      throw new PbxError('TOO_MANY_PARTICIPANTS', 'Too many participants.');
    const legs = ids.map((id) => {
      const l = this.legs.get(id);
      if (!l || l.userId !== u.userId || !LIVE.has(l.state))
        throw new PbxError('CALL_NOT_FOUND', `Call ${id} not found.`);
      if (l.state === 'dialing') throw new PbxError('INVALID_STATE', `State for call ${id} is not valid.`);
      return l;
    });
    if (legs.filter((l) => l.state === 'alerting' && l.direction === 'terminator').length > 1) {
      throw new PbxError('INVALID_STATE', 'At most one alerting incoming call may join a conference.');
    }
    const conf: Conference = {
      id: `conf-${++this.conferenceCounter}`,
      controller: u.userId,
      state: 'active',
      legIds: legs.map((l) => l.id),
    };
    this.conferences.set(conf.id, conf);
    for (const l of legs) {
      l.conferenceId = conf.id;
      this.emit({ type: 'leg.updated', leg: this.snap(l) });
    }
    this.emit({ type: 'conference.started', conference: this.confSnap(conf) });
    for (const l of legs) {
      if (l.state === 'held') this.doRetrieve(l);
      else if (l.state === 'alerting' && l.direction === 'terminator') this.answer(l.id);
    }
    return this.confSnap(conf);
  }

  addToConference(userId: string, legId: string): ConferenceSnapshot {
    const c = this.requireConference(userId);
    const l = this.legs.get(legId);
    if (!l || l.userId !== userId || !LIVE.has(l.state))
      throw new PbxError('CALL_NOT_FOUND', `Call ${legId} not found.`);
    if (c.legIds.includes(legId))
      throw new PbxError('ALREADY_IN_CONFERENCE', `Call ${legId} is already in the conference.`);
    if (c.legIds.length >= this.maxConference)
      throw new PbxError('TOO_MANY_PARTICIPANTS', 'Too many participants.');
    c.legIds.push(legId);
    l.conferenceId = c.id;
    this.emit({ type: 'leg.updated', leg: this.snap(l) });
    this.emit({ type: 'conference.updated', conference: this.confSnap(c) });
    if (l.state === 'held') this.doRetrieve(l);
    else if (l.state === 'alerting' && l.direction === 'terminator') this.answer(l.id);
    return this.confSnap(c);
  }

  holdConference(userId: string): ConferenceSnapshot {
    const c = this.requireConference(userId);
    if (c.state !== 'active') throw new PbxError('INVALID_STATE', 'The conference is not active.');
    c.state = 'held';
    this.emit({ type: 'conference.held', conference: this.confSnap(c) });
    return this.confSnap(c);
  }

  retrieveConference(userId: string): ConferenceSnapshot {
    const c = this.requireConference(userId);
    if (c.state !== 'held') throw new PbxError('INVALID_STATE', 'The conference is not held.');
    c.state = 'active';
    this.emit({ type: 'conference.retrieved', conference: this.confSnap(c) });
    return this.confSnap(c);
  }

  /** Release the conference and every call in it. */
  releaseConference(userId: string): ConferenceSnapshot {
    const c = this.requireConference(userId);
    c.state = 'released';
    this.emit({ type: 'conference.released', conference: this.confSnap(c) });
    const legs = c.legIds.map((id) => this.legs.get(id)).filter((l): l is Leg => !!l && LIVE.has(l.state));
    const peers: Leg[] = [];
    for (const l of legs) {
      const p = l.peerId ? this.legs.get(l.peerId) : undefined;
      if (p && LIVE.has(p.state)) {
        this.endLeg(p, 'remote');
        peers.push(p);
      }
    }
    for (const p of peers) this.hookOnIfIdle(p.userId);
    for (const l of legs) {
      l.conferenceId = undefined;
      this.endLeg(l, 'local');
    }
    this.hookOnIfIdle(userId);
    this.conferences.delete(c.id);
    return this.confSnap(c);
  }

  /** Route point (or queue) call distribution to a destination chosen by the application. */
  distribute(queueId: string, entryOrLegId: string, to: string): LegSnapshot {
    const q = this.queues.get(queueId);
    if (!q) throw new PbxError('NOT_A_QUEUE', `${queueId} is not a queue or route point`);
    const entry = q.entries.find((e) => e.id === entryOrLegId || e.callerLegId === entryOrLegId);
    if (!entry) throw new PbxError('CALL_NOT_FOUND', `Call ${entryOrLegId} not found.`);
    const caller = this.requireLeg(entry.callerLegId);
    q.entries = q.entries.filter((e) => e !== entry);
    this.emit({ type: 'queue.removed', entry: this.entrySnap(q, entry), reason: 'distributed' });
    caller.queue = undefined;
    this.route(caller, to, [
      {
        party: { kind: q.kind, id: q.id, name: q.name, number: q.extension, phone: q.phone },
        reason: 'call-center',
      },
    ]);
    return this.snap(caller);
  }

  /**
   * Move a waiting call to `position` (1 = first) in its queue; positions beyond the end put it last.
   * Emits no event: the front-end that asked reports the new order in its own protocol.
   */
  reorderQueue(queueId: string, entryOrLegId: string, position: number): QueueSnapshot {
    const q = this.queues.get(queueId);
    if (!q) throw new PbxError('NOT_A_QUEUE', `${queueId} is not a queue or route point`);
    const entry = q.entries.find((e) => e.id === entryOrLegId || e.callerLegId === entryOrLegId);
    if (!entry) throw new PbxError('CALL_NOT_FOUND', `Call ${entryOrLegId} not found.`);
    if (!Number.isInteger(position) || position < 1)
      throw new PbxError('INVALID_ARGUMENT', `Position ${position} is not valid.`);
    q.entries = q.entries.filter((e) => e !== entry);
    q.entries.splice(Math.min(position - 1, q.entries.length), 0, entry);
    entry.reordered = true;
    return this.queueSnap(q);
  }

  /**
   * Give a waiting call `priority` (0 highest .. 3 low) and move it behind the calls of the same or a
   * more urgent priority, ahead of the less urgent ones. Emits no event (like `reorderQueue`); whether a
   * priority may be raised or lowered is the front-end's rule.
   *
   * @example
   * core.promoteQueue('sales@sim.example', 'call-7', 0).entries.map((e) => e.callerLegId); // call-7 first
   */
  promoteQueue(queueId: string, entryOrLegId: string, priority: number): QueueSnapshot {
    const { q, entry } = this.queueEntry(queueId, entryOrLegId);
    if (!Number.isInteger(priority) || priority < 0 || priority > 3)
      throw new PbxError('INVALID_ARGUMENT', `Priority ${priority} is not valid.`);
    entry.priority = priority;
    entry.priorityTime = this.now();
    q.entries = q.entries.filter((e) => e !== entry);
    const after = q.entries.findIndex((e) => (e.priority ?? DEFAULT_QUEUE_PRIORITY) > priority);
    q.entries.splice(after < 0 ? q.entries.length : after, 0, entry);
    return this.queueSnap(q);
  }

  /**
   * An application takes a waiting call out of its queue and releases it (an agent it was offered to
   * stops ringing). Emits `queue.removed` (reason `released`, no `queue.abandoned`: the caller did not
   * hang up), then the caller's `leg.released`.
   *
   * @example
   * core.releaseQueued('sales@sim.example', 'call-7'); // the caller's leg, released
   */
  releaseQueued(queueId: string, entryOrLegId: string): LegSnapshot {
    const { q, entry } = this.queueEntry(queueId, entryOrLegId);
    const caller = this.requireLeg(entry.callerLegId);
    if (entry.offeredTo) {
      const agentLeg = this.legs.get(entry.offeredTo.legId);
      if (agentLeg && LIVE.has(agentLeg.state)) {
        this.endLeg(agentLeg, 'remote');
        this.hookOnIfIdle(agentLeg.userId);
      }
    }
    q.entries = q.entries.filter((e) => e !== entry);
    caller.queue = undefined;
    this.emit({ type: 'queue.removed', entry: this.entrySnap(q, entry), reason: 'released' });
    this.endLeg(caller, 'remote');
    this.hookOnIfIdle(caller.userId);
    return this.snap(caller);
  }

  private queueEntry(queueId: string, entryOrLegId: string): { q: Queue; entry: QueueEntry } {
    const q = this.queues.get(queueId);
    if (!q) throw new PbxError('NOT_A_QUEUE', `${queueId} is not a queue or route point`);
    const entry = q.entries.find((e) => e.id === entryOrLegId || e.callerLegId === entryOrLegId);
    if (!entry) throw new PbxError('CALL_NOT_FOUND', `Call ${entryOrLegId} not found.`);
    return { q, entry };
  }

  // ---------------------------------------------------------------- internals

  private offHookClickToDial(leg: Leg): void {
    const u = this.users.get(leg.userId!)!;
    this.holdOthers(u.userId, leg.id, true);
    leg.clickToDial = false;
    leg.state = 'alerting';
    leg.startTime = this.now();
    const dest = leg.pendingDestination ?? leg.remote.number;
    leg.pendingDestination = undefined;
    leg.remote = this.resolve(dest);
    this.hookOff(u);
    this.emit({ type: 'leg.originated', leg: this.snap(leg) });
    this.route(leg, dest, []);
  }

  /** Connect a caller leg to a destination, applying services. */
  private route(caller: Leg, to: string, redirections: Redirection[], depth = 0): void {
    const target = this.resolve(to);
    caller.remote = target;
    if (target.kind === 'unknown' || depth > 5) {
      caller.releaseCause = 'user-not-found';
      this.emit({ type: 'leg.releasing', leg: this.snap(caller) });
      this.endLeg(caller, 'remote', 'user-not-found');
      this.hookOnIfIdle(caller.userId);
      return;
    }
    if (target.kind === 'external') {
      const ext = this.newLeg({
        self: target,
        direction: 'terminator',
        state: 'alerting',
        remote: caller.self,
        correlationId: caller.correlationId,
      });
      ext.redirections = redirections;
      this.link(caller, ext);
      this.emit({ type: 'leg.received', leg: this.snap(ext) });
      return;
    }
    if (target.kind === 'queue' || target.kind === 'route-point') {
      const q = this.queues.get(target.id!)!;
      const entry: QueueEntry = {
        id: `entry-${++this.entryCounter}`,
        queueId: q.id,
        callerLegId: caller.id,
        addTime: this.now(),
      };
      q.entries.push(entry);
      caller.queue = { queueId: q.id, entryId: entry.id, kind: q.kind };
      caller.peerId = undefined;
      this.emit({ type: 'queue.added', entry: this.entrySnap(q, entry) });
      if (q.kind === 'queue') this.distributeAll();
      return;
    }
    const u = this.users.get(target.id!)!;
    if (caller.userId === u.userId && depth === 0 && !redirections.length) {
      // calling yourself: busy
      this.rejectBusy(caller, u, redirections, depth);
      return;
    }
    const fa = u.forwarding.always;
    if (fa.active && fa.to) {
      this.forwardVia(caller, u, fa.to, 'unconditional', redirections, depth);
      return;
    }
    const busy = u.dnd || (!u.callWaiting && this.userLegs(u.userId).length > 0);
    if (busy) {
      this.rejectBusy(caller, u, redirections, depth);
      return;
    }
    const leg = this.newLeg({
      userId: u.userId,
      self: this.userParty(u),
      direction: 'terminator',
      state: 'alerting',
      remote: caller.self,
      correlationId: caller.correlationId,
    });
    leg.redirections = redirections;
    this.link(caller, leg);
    this.emit({ type: 'leg.received', leg: this.snap(leg) });
    const fna = u.forwarding['no-answer'];
    if (fna.active && fna.to) {
      const dest = fna.to;
      const ms = Math.max(0, (fna.numberOfRings ?? 3) * this.ringDurationMs);
      leg.noAnswerTimer = setTimeout(() => {
        leg.noAnswerTimer = undefined;
        if (leg.state !== 'alerting' || leg.peerId !== caller.id) return;
        this.redirectAlerting(caller, leg, dest, 'no-answer', redirections, depth);
      }, ms);
      leg.noAnswerTimer.unref?.();
    }
  }

  private rejectBusy(caller: Leg, u: User, redirections: Redirection[], depth: number): void {
    const fb = u.forwarding.busy;
    if (fb.active && fb.to) {
      this.forwardVia(caller, u, fb.to, u.dnd ? 'do-not-disturb' : 'user-busy', redirections, depth);
      return;
    }
    caller.releaseCause = 'busy';
    this.emit({ type: 'leg.releasing', leg: this.snap(caller) });
    this.endLeg(caller, 'remote', 'busy');
    this.hookOnIfIdle(caller.userId);
  }

  /** Forwarding before the forwarding user's phone rings: a detached leg is shown to that user. */
  private forwardVia(
    caller: Leg,
    u: User,
    to: string,
    reason: RedirectReason,
    redirections: Redirection[],
    depth: number,
  ): void {
    const leg = this.newLeg({
      userId: u.userId,
      self: this.userParty(u),
      direction: 'terminator',
      state: 'alerting',
      remote: caller.self,
      correlationId: caller.correlationId,
    });
    leg.redirections = redirections;
    leg.peerId = caller.id;
    this.emit({ type: 'leg.received', leg: this.snap(leg), serviceHandled: true });
    this.redirectAlerting(caller, leg, to, reason, redirections, depth);
  }

  private redirectAlerting(
    caller: Leg,
    leg: Leg,
    to: string,
    reason: RedirectReason,
    redirections: Redirection[],
    depth: number,
  ): void {
    const u = this.users.get(leg.userId!)!;
    const t = this.now();
    const target = this.resolve(to);
    leg.redirect = { address: target.number, reason, time: t };
    leg.state = 'detached';
    leg.detachedTime = t;
    leg.peerId = undefined;
    caller.peerId = undefined;
    const before = this.legs.size;
    this.route(caller, to, [...redirections, { party: this.userParty(u), reason }], depth + 1);
    void before;
    this.emit({ type: 'leg.redirected', legs: [this.snap(leg)] });
    if (LIVE.has(caller.state)) this.emit({ type: 'leg.forwarded', leg: this.snap(caller) });
  }

  private detach(leg: Leg): void {
    const t = this.now();
    if (leg.noAnswerTimer) clearTimeout(leg.noAnswerTimer);
    leg.state = 'detached';
    leg.detachedTime = t;
    const peer = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    if (peer && peer.peerId === leg.id) peer.peerId = undefined;
    leg.peerId = undefined;
    this.emit({ type: 'leg.detached', leg: this.snap(leg) });
  }

  private abandonQueued(caller: Leg): void {
    const qref = caller.queue;
    if (!qref) return;
    const q = this.queues.get(qref.queueId);
    const entry = q?.entries.find((e) => e.id === qref.entryId);
    if (!q || !entry) return;
    if (entry.offeredTo) {
      const agentLeg = this.legs.get(entry.offeredTo.legId);
      if (agentLeg && LIVE.has(agentLeg.state)) {
        this.endLeg(agentLeg, 'remote');
        this.hookOnIfIdle(agentLeg.userId);
      }
    }
    this.emit({ type: 'queue.abandoned', entry: this.entrySnap(q, entry) });
    q.entries = q.entries.filter((e) => e !== entry);
    this.emit({ type: 'queue.removed', entry: this.entrySnap(q, entry), reason: 'released' });
  }

  private afterAcdCall(leg: Leg): void {
    if (!leg.queue || leg.direction !== 'terminator' || !leg.userId || leg.answerTime === undefined) return;
    const u = this.users.get(leg.userId);
    const q = this.queues.get(leg.queue.queueId);
    if (!u?.agent || !q || q.wrapUpMs === undefined) return;
    this.applyAgentState(u, 'wrap-up');
    const timer = setTimeout(() => {
      this.wrapUpTimers.delete(u.userId);
      if (u.agent?.state === 'wrap-up') {
        this.applyAgentState(u, 'available');
        this.distributeAll();
      }
    }, q.wrapUpMs);
    timer.unref?.();
    this.wrapUpTimers.set(u.userId, timer);
  }

  /** Offer waiting ACD calls to available idle agents, longest-available first. */
  private distributeAll(): void {
    for (const q of this.queues.values()) {
      if (q.kind !== 'queue') continue;
      for (const entry of [...q.entries]) {
        if (entry.offeredTo) continue;
        const caller = this.legs.get(entry.callerLegId);
        if (!caller || !LIVE.has(caller.state)) continue;
        const agent = q.agents
          .map((id) => this.users.get(id))
          .filter(
            (u): u is User =>
              !!u?.agent && u.agent.state === 'available' && this.userLegs(u.userId).length === 0,
          )
          .sort((a, b) => a.agent!.stateSince - b.agent!.stateSince)[0];
        if (!agent) break;
        const leg = this.newLeg({
          userId: agent.userId,
          self: this.userParty(agent),
          direction: 'terminator',
          state: 'alerting',
          remote: caller.self,
          correlationId: caller.correlationId,
        });
        leg.queue = { queueId: q.id, entryId: entry.id, kind: 'queue' };
        leg.redirections = [
          {
            party: { kind: 'queue', id: q.id, name: q.name, number: q.extension, phone: q.phone },
            reason: 'call-center',
          },
        ];
        leg.peerId = caller.id;
        entry.offeredTo = { userId: agent.userId, legId: leg.id };
        this.emit({ type: 'queue.offered', entry: this.entrySnap(q, entry) });
        this.emit({ type: 'leg.received', leg: this.snap(leg) });
      }
    }
  }

  private leaveConference(conf: Conference, legId: string): void {
    if (conf.state === 'released') return;
    conf.legIds = conf.legIds.filter((id) => id !== legId);
    const live = conf.legIds.filter((id) => LIVE.has(this.legs.get(id)?.state ?? 'released'));
    conf.legIds = live;
    if (live.length < 2) {
      conf.state = 'released';
      for (const id of live) {
        const l = this.legs.get(id);
        if (l) l.conferenceId = undefined;
      }
      this.emit({ type: 'conference.released', conference: this.confSnap(conf) });
      this.conferences.delete(conf.id);
    } else {
      this.emit({ type: 'conference.updated', conference: this.confSnap(conf) });
    }
  }

  private doHold(leg: Leg, remoteFirst: boolean): void {
    const t = this.now();
    const peer = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    leg.state = 'held';
    leg.heldTime = t;
    const local = { type: 'leg.held' as const, leg: this.snap(leg) };
    const remote =
      peer && LIVE.has(peer.state) && peer.state !== 'held'
        ? { type: 'leg.held' as const, leg: this.snap(peer) }
        : undefined;
    if (remoteFirst && remote) this.emit(remote);
    this.emit(local);
    if (!remoteFirst && remote) this.emit(remote);
  }

  private doRetrieve(leg: Leg): void {
    const t = this.now();
    if (leg.heldTime !== undefined) leg.totalHeldMs += t - leg.heldTime;
    leg.heldTime = undefined;
    leg.state = 'active';
    this.emit({ type: 'leg.retrieved', leg: this.snap(leg) });
    const peer = leg.peerId ? this.legs.get(leg.peerId) : undefined;
    if (peer && peer.state === 'active') this.emit({ type: 'leg.retrieved', leg: this.snap(peer) });
  }

  /** Hold the user's active calls (not in a conference) other than `except`. */
  private holdOthers(userId: string, except: string | undefined, remoteFirst = false): void {
    for (const l of this.userLegs(userId)) {
      if (l.id !== except && l.state === 'active' && !l.conferenceId) this.doHold(l, remoteFirst);
    }
  }

  private endLeg(leg: Leg, releasingParty: 'local' | 'remote', cause?: ReleaseCause): void {
    if (!LIVE.has(leg.state)) return;
    const t = this.now();
    if (leg.noAnswerTimer) {
      clearTimeout(leg.noAnswerTimer);
      leg.noAnswerTimer = undefined;
    }
    if (leg.state === 'held' && leg.heldTime !== undefined) leg.totalHeldMs += t - leg.heldTime;
    leg.heldTime = undefined;
    leg.state = 'released';
    leg.releaseTime = t;
    leg.releasingParty = releasingParty;
    if (cause) leg.releaseCause = cause;
    if (leg.queue && leg.direction === 'originator') this.abandonQueued(leg);
    this.emit({ type: 'leg.released', leg: this.snap(leg) });
    this.pruneEnded();
  }

  /** Keep ended legs for a while for inspection, then forget them. */
  private pruneEnded(): void {
    const ended = [...this.legs.values()].filter((l) => !LIVE.has(l.state));
    if (ended.length <= 200) return;
    for (const l of ended.slice(0, ended.length - 200)) this.legs.delete(l.id);
  }

  private hookOff(u: User): void {
    if (u.offHook) return;
    u.offHook = true;
    this.emit({ type: 'hook', userId: u.userId, offHook: true });
  }

  private hookOnIfIdle(userId: string | undefined, ignoring?: string): void {
    if (!userId) return;
    const u = this.users.get(userId);
    if (!u || !u.offHook) return;
    const busy = this.userLegs(userId).some(
      (l) =>
        l.id !== ignoring &&
        (l.state === 'active' ||
          l.state === 'held' ||
          (l.state === 'alerting' && l.direction === 'originator')),
    );
    if (busy) return;
    u.offHook = false;
    this.emit({ type: 'hook', userId, offHook: false });
  }

  private link(a: Leg, b: Leg): void {
    a.peerId = b.id;
    b.peerId = a.id;
  }

  private userLegs(userId: string | undefined): Leg[] {
    if (!userId) return [];
    return [...this.legs.values()].filter((l) => l.userId === userId && LIVE.has(l.state));
  }

  private newLeg(init: {
    userId?: string;
    self: PartyInfo;
    direction: Direction;
    clickToDial?: boolean;
    state: LegState;
    remote: PartyInfo;
    correlationId: string;
  }): Leg {
    const leg: Leg = {
      id: this.legIdFormat(++this.legCounter),
      correlationId: init.correlationId,
      userId: init.userId,
      self: init.self,
      direction: init.direction,
      clickToDial: init.clickToDial ?? false,
      state: init.state,
      remote: init.remote,
      startTime: this.now(),
      totalHeldMs: 0,
      redirections: [],
    };
    this.legs.set(leg.id, leg);
    return leg;
  }

  private nextCorrelation(): string {
    return this.correlationFormat(++this.correlationCounter);
  }

  /** A user by id, else by extension, phone, local part of the id or phone without `+` (the first user in directory order). */
  private findUser(a: string): User | undefined {
    return this.users.get(a) ?? this.userAliases.get(a);
  }

  private requireUser(idOrExt: string): User {
    const u = this.findUser(idOrExt);
    if (!u) throw new PbxError('USER_NOT_FOUND', `User ${idOrExt} not found.`);
    return u;
  }

  private requireLeg(id: string): Leg {
    const l = this.legs.get(id);
    if (!l) throw new PbxError('CALL_NOT_FOUND', `Call ${id} not found.`);
    return l;
  }

  private requireConference(userId: string): Conference {
    const c = [...this.conferences.values()].find((x) => x.controller === userId && x.state !== 'released');
    if (!c) throw new PbxError('NO_CONFERENCE', 'No conference exists.');
    return c;
  }

  private userParty(u: User): PartyInfo {
    return { kind: 'user', id: u.userId, name: u.name, number: u.extension, phone: u.phone };
  }

  private snap(l: Leg): LegSnapshot {
    const peer = l.peerId ? this.legs.get(l.peerId) : undefined;
    return {
      id: l.id,
      correlationId: l.correlationId,
      userId: l.userId,
      self: { ...l.self },
      direction: l.direction,
      clickToDial: l.clickToDial,
      state: l.state,
      remoteHeld: l.state === 'active' && peer?.state === 'held',
      peerLegId: l.peerId,
      remote: { ...l.remote },
      startTime: l.startTime,
      answerTime: l.answerTime,
      heldTime: l.heldTime,
      totalHeldMs: l.totalHeldMs,
      releaseTime: l.releaseTime,
      detachedTime: l.detachedTime,
      releaseCause: l.releaseCause,
      releasingParty: l.releasingParty,
      redirect: l.redirect ? { ...l.redirect } : undefined,
      redirections: l.redirections.map((r) => ({ party: { ...r.party }, reason: r.reason })),
      conferenceId: l.conferenceId,
      queue: l.queue ? { ...l.queue } : undefined,
    };
  }

  private userSnap(u: User): UserSnapshot {
    return {
      userId: u.userId,
      extension: u.extension,
      name: u.name,
      phone: u.phone,
      groupId: u.groupId,
      enterpriseId: u.enterpriseId,
      dnd: u.dnd,
      callWaiting: u.callWaiting,
      forwarding: structuredClone(u.forwarding),
      agent: u.agent ? { ...u.agent, queues: [...u.agent.queues] } : undefined,
      offHook: u.offHook,
    };
  }

  private entrySnap(q: Queue, e: QueueEntry): QueueEntrySnapshot {
    const caller = this.legs.get(e.callerLegId);
    return {
      id: e.id,
      queueId: q.id,
      kind: q.kind,
      callerLegId: e.callerLegId,
      caller: caller ? { ...caller.self } : { kind: 'unknown', number: '' },
      correlationId: caller?.correlationId ?? '',
      addTime: e.addTime,
      position: q.entries.indexOf(e) + 1,
      offeredTo: e.offeredTo ? { ...e.offeredTo } : undefined,
      ...(e.priority !== undefined ? { priority: e.priority, priorityTime: e.priorityTime } : {}),
      ...(e.reordered ? { reordered: true } : {}),
    };
  }

  private queueSnap(q: Queue): QueueSnapshot {
    return {
      id: q.id,
      kind: q.kind,
      extension: q.extension,
      name: q.name,
      phone: q.phone,
      agents: [...q.agents],
      entries: q.entries.map((e) => this.entrySnap(q, e)),
    };
  }

  private confSnap(c: Conference): ConferenceSnapshot {
    return { id: c.id, controller: c.controller, state: c.state, legIds: [...c.legIds] };
  }
}

/** Strip tel:/sip: schemes, ;parameters and a domain on numeric SIP URIs. */
export function normalizeAddress(address: string): string {
  let a = address.trim();
  a = a.replace(/^tel:\s*/i, '').replace(/^sips?:/i, '');
  a = a.split(';')[0] ?? a;
  const at = a.indexOf('@');
  if (at > 0 && /^\+?[0-9]+$/.test(a.slice(0, at))) a = a.slice(0, at);
  return a.replace(/%2b/gi, '+');
}
