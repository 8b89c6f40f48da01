/**
 * BroadWorks events → normalized `EventDraft`s.
 *
 * The mapper keeps a small per-call cache (one entry per BroadWorks callId, i.e. per call half) so every
 * emitted `data.call` is complete even when BroadWorks sends partial data (snapshot lists, OCR-damaged
 * samples). The full field-by-field table is in docs/protocols/broadworks-cti.md.
 */
import type {
  AgentStateValue,
  Call,
  CallState,
  EventDraft,
  EventFamily,
  EventType,
  Target,
} from '../../../shared/events/model.js';
import type { BwCall, BwEvent, BwQueueEntry } from './messages.js';
import { idleSweep } from '../../../shared/idle-sweep.js';

export const VENDOR = 'broadworks-cti' as const;

interface CacheEntry {
  call: Call;
  /** Last BroadWorks state and personality (Remote Held vs Held matters). */
  bwState: string;
  personality: string;
  /** When an event last touched it (ms, the mapper's clock). */
  at: number;
}

interface Before {
  state: CallState;
  bwState: string;
  answered: boolean;
}

interface ConferenceEntry {
  id: string;
  state: 'active' | 'held' | 'released';
  calls: string[];
}

export interface MapContext {
  /** Bridge target the events go to (from the subscription that delivered the event). */
  target: Target;
  /** Families the bridge asked for on that target; events of other families are not emitted. */
  families: ReadonlySet<EventFamily>;
}

function iso(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** BroadWorks state + personality → bridge call state. */
export function mapCallState(
  bwState: string | undefined,
  personality: string | undefined,
  fallback: CallState,
): CallState {
  const s = (bwState ?? '').toLowerCase().replace(/[^a-z]/g, '');
  const p = (personality ?? '').toLowerCase().replace(/[^a-z]/g, '');
  switch (s) {
    case 'alerting':
      return p === 'clicktodial' ? 'dialing' : 'alerting';
    case 'active':
      return 'active';
    case 'held':
      return 'held';
    case 'remoteheld':
      return 'active'; // the far party holds; from local.user's side the call is still up (see docs)
    case 'detached':
    case 'released':
      return 'released';
    case 'idle':
      return 'dialing';
    default:
      return fallback;
  }
}

const AGENT_STATES: Record<string, AgentStateValue> = {
  signin: 'sign-in',
  available: 'available',
  unavailable: 'unavailable',
  wrapup: 'wrap-up',
  signout: 'sign-out',
};

export function mapAgentState(bw: string | undefined): AgentStateValue | undefined {
  return AGENT_STATES[(bw ?? '').toLowerCase().replace(/[^a-z]/g, '')];
}

export function bwAgentState(state: AgentStateValue): string {
  return {
    'sign-in': 'Sign-In',
    available: 'Available',
    unavailable: 'Unavailable',
    'wrap-up': 'Wrap-Up',
    'sign-out': 'Sign-Out',
  }[state];
}

const TOMBSTONES = 2048;
/** A call half no event touched for a day ended unseen (a call that lasts over a day is rare). */
export const CALL_MAX_IDLE_MS = 24 * 60 * 60 * 1000;
/** How often `map` looks for such halves. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * The call, conference, agent and service state of one bridge target.
 *
 * Only a user target's calls are reconciled: by its subscription's initial CallSubscriptionEvent and by
 * `resync`. A group or system subscription gets no initial event (L1732, L12113), so a call half whose
 * release was missed there (an outage), or seeded in the fallback by a re-sent event, would stay for the
 * life of the link. Any half no event touched for `CALL_MAX_IDLE_MS` is therefore dropped silently and
 * without a tombstone: a later event of that call maps as one of a call not seen before.
 */
export class CallMapper {
  private readonly calls = new Map<string, CacheEntry>();
  private readonly released = new Map<string, number>();
  private readonly conferences = new Map<string, ConferenceEntry>(); // by controller user
  private readonly agentStates = new Map<string, string>();
  private readonly services = new Map<string, string>();
  private confCounter = 0;
  /** Drops the call halves idle for over `CALL_MAX_IDLE_MS`, at most once per `SWEEP_EVERY_MS`. */
  private readonly sweep: () => void;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.sweep = idleSweep(
      SWEEP_EVERY_MS,
      (at) => {
        for (const [id, e] of this.calls) if (at - e.at > CALL_MAX_IDLE_MS) this.calls.delete(id);
      },
      () => this.now().getTime(),
    );
  }

  /** Calls currently cached for one user (call halves of `user`). */
  callsOf(user: string): Call[] {
    return [...this.calls.values()]
      .filter((e) => e.call.local.user === user)
      .map((e) => structuredClone(e.call));
  }

  /** Whether `callId` is cached (a live call half). */
  has(callId: string): boolean {
    return this.calls.has(callId);
  }

  cachedCall(callId: string): Call | undefined {
    const e = this.calls.get(callId);
    return e ? structuredClone(e.call) : undefined;
  }

  isReleased(callId: string): boolean {
    return this.released.has(callId);
  }

  /** The bridge view of a BroadWorks Call, completed from the cache, without changing the cache. */
  preview(user: string, bw: BwCall, via?: Call['via']): Call {
    return this.compute(user, bw, this.calls.get(bw.callId), via).call;
  }

  private compute(user: string, bw: BwCall, prev: CacheEntry | undefined, via?: Call['via']): CacheEntry {
    const personality = bw.personality ?? prev?.personality ?? '';
    const bwState = bw.state ?? prev?.bwState ?? '';
    const state = mapCallState(bwState, personality, prev?.call.state ?? 'alerting');
    // direction is fixed by the first personality seen (a transfer can turn a Terminator into an Originator)
    const direction =
      prev?.call.direction ?? (personality.toLowerCase() === 'terminator' ? 'inbound' : 'outbound');
    const remoteAddress =
      bw.remoteParty?.address ??
      bw.remoteParty?.userDN ??
      (bw.remoteParty?.privacy ? 'anonymous' : undefined);
    const call: Call = {
      id: bw.callId,
      correlationId: bw.extTrackingId ?? prev?.call.correlationId ?? bw.callId,
      state,
      direction,
      local: { user },
      remote: { address: remoteAddress ?? prev?.call.remote.address ?? '' },
      startedAt: iso(bw.startTime) ?? prev?.call.startedAt ?? this.now().toISOString(),
    };
    const localAddress = bw.addressOfRecord ?? prev?.call.local.address;
    if (localAddress) call.local.address = localAddress;
    const sameRemote = remoteAddress === undefined || remoteAddress === prev?.call.remote.address;
    const name = bw.remoteParty?.name ?? (sameRemote ? prev?.call.remote.name : undefined);
    if (name) call.remote.name = name;
    const answeredAt = iso(bw.answerTime) ?? prev?.call.answeredAt;
    if (answeredAt) call.answeredAt = answeredAt;
    if (state === 'released') {
      call.releasedAt = iso(bw.releaseTime) ?? iso(bw.detachedTime) ?? this.now().toISOString();
    }
    const cause = bw.releaseCause ?? prev?.call.releaseCause;
    if (cause) call.releaseCause = cause;
    const v =
      via ??
      prev?.call.via ??
      (bw.acdUserId ? { type: 'queue' as const, id: bw.acdUserId } : undefined) ??
      (bw.redirections?.length ? { type: 'forwarded' as const } : undefined);
    if (v) call.via = v;
    return { call, bwState, personality, at: this.now().getTime() };
  }

  /** Merge a BroadWorks Call into the cache and return the bridge view (without emitting anything). */
  merge(user: string, bw: BwCall, via?: Call['via']): { entry: CacheEntry; before?: Before } {
    const prev = this.calls.get(bw.callId);
    const before: Before | undefined = prev
      ? { state: prev.call.state, bwState: prev.bwState, answered: !!prev.call.answeredAt }
      : undefined;
    const entry = this.compute(user, bw, prev, via);
    if (entry.call.state === 'released') {
      this.calls.delete(bw.callId);
      this.tombstone(bw.callId);
    } else {
      this.calls.set(bw.callId, entry);
    }
    return before ? { entry, before } : { entry };
  }

  private tombstone(callId: string): void {
    this.released.set(callId, Date.now());
    if (this.released.size > TOMBSTONES) {
      const first = this.released.keys().next().value;
      if (first !== undefined) this.released.delete(first);
    }
  }

  /** Mark a call gone (resync / snapshot) and return its final view. */
  drop(callId: string, cause: string): Call | undefined {
    const e = this.calls.get(callId);
    if (!e) return undefined;
    this.calls.delete(callId);
    this.tombstone(callId);
    const call = {
      ...e.call,
      state: 'released' as const,
      releasedAt: this.now().toISOString(),
      releaseCause: cause,
    };
    return call;
  }

  /**
   * Reconcile a user's cached calls against an authoritative list (snapshot event or resync):
   * vanished → call.released (cause `resync`), changed state → call.updated, new → seeded silently.
   */
  reconcile(
    user: string,
    calls: BwCall[],
    ctx: MapContext,
    vendorEvent: string,
    vendorId?: string,
  ): EventDraft[] {
    const out: EventDraft[] = [];
    const seen = new Set(calls.map((c) => c.callId));
    for (const cached of this.callsOf(user)) {
      if (seen.has(cached.id)) continue;
      const gone = this.drop(cached.id, 'resync');
      if (gone) this.push(out, ctx, 'call.released', { call: gone }, vendorEvent, vendorId);
    }
    for (const bw of calls) {
      if (this.released.has(bw.callId) && !this.calls.has(bw.callId)) continue;
      const { entry, before } = this.merge(user, bw);
      if (before && (before.state !== entry.call.state || before.bwState !== entry.bwState)) {
        const type: EventType = entry.call.state === 'released' ? 'call.released' : 'call.updated';
        this.push(out, ctx, type, { call: structuredClone(entry.call) }, vendorEvent, vendorId);
      }
    }
    return out;
  }

  private push(
    out: EventDraft[],
    ctx: MapContext,
    type: EventType,
    data: unknown,
    vendorEvent: string,
    vendorId?: string,
  ): void {
    const family: EventFamily =
      type === 'subscription.terminated' ? 'link' : (type.split('.')[0] as EventFamily);
    if (type !== 'subscription.terminated' && !ctx.families.has(family)) return;
    const draft = {
      type,
      target: ctx.target,
      data,
      vendor: { name: VENDOR, event: vendorEvent },
    } as EventDraft;
    if (vendorId) draft.vendor.id = vendorId;
    out.push(draft);
  }

  /** Map one BroadWorks event. Never throws on missing fields; returns the drafts to emit in order. */
  map(ev: BwEvent, ctx: MapContext): EventDraft[] {
    this.sweep();
    const out: EventDraft[] = [];
    const type = ev.type ?? '';
    const vendorEvent = type || ev.wireType || 'unknown';
    const user = ev.targetId ?? ev.userId ?? ctx.target.id ?? '';
    const emit = (t: EventType, data: unknown) => this.push(out, ctx, t, data, vendorEvent, ev.eventId);

    const callEvent = (
      bw: BwCall,
      decide: (before: Before | undefined, call: Call) => EventType | null,
      extra?: (call: Call) => Record<string, unknown>,
      via?: Call['via'],
    ) => {
      if (this.released.has(bw.callId) && !this.calls.has(bw.callId)) return; // late event for a finished call
      const { entry, before } = this.merge(user, bw, via);
      const t = decide(before, entry.call);
      if (t) emit(t, { call: structuredClone(entry.call), ...(extra ? extra(entry.call) : {}) });
    };

    switch (type) {
      case 'CallOriginatingEvent':
        for (const c of ev.calls) callEvent(c, (b) => (b ? 'call.updated' : 'call.originated'));
        break;
      case 'CallOriginatedEvent':
        for (const c of ev.calls) callEvent(c, (b) => (b ? 'call.updated' : 'call.originated'));
        break;
      case 'CallCollectingEvent':
        for (const c of ev.calls)
          callEvent({ ...c, state: 'Idle' }, (b) => (b ? 'call.updated' : 'call.originated'));
        break;
      case 'CallReceivedEvent':
        for (const c of ev.calls) callEvent(c, (b) => (b ? 'call.updated' : 'call.received'));
        break;
      case 'CallAnsweredEvent':
        for (const c of ev.calls) callEvent(c, () => 'call.answered');
        break;
      case 'CallHeldEvent':
        for (const c of ev.calls) {
          const remote = (c.state ?? '').toLowerCase().replace(/\s/g, '') === 'remoteheld';
          callEvent(c, () => (remote ? 'call.updated' : 'call.held'));
        }
        break;
      case 'CallRetrievedEvent':
        for (const c of ev.calls) {
          callEvent(c, (b) => (b && b.bwState.toLowerCase() === 'held' ? 'call.retrieved' : 'call.updated'));
        }
        break;
      case 'CallTransferredEvent':
        for (const c of ev.calls) {
          const mode = (c.state ?? '').toLowerCase() === 'alerting' ? 'blind' : 'consult';
          callEvent(
            c,
            () => 'call.transferred',
            (call) => ({ transfer: { mode, to: call.remote.address } }),
            { type: 'transfer' },
          );
        }
        break;
      case 'CallRedirectedEvent': {
        const mode = ev.calls.length > 1 ? 'consult' : 'blind';
        for (const c of ev.calls) {
          if (this.released.has(c.callId) && !this.calls.has(c.callId)) continue;
          const reason = c.redirect?.reason;
          const isTransfer = (reason ?? '').toLowerCase() === 'transfer';
          // the redirected half leaves the user: report the redirection, then its release
          const { entry } = this.merge(user, { ...c, state: c.state });
          const view = structuredClone(entry.call);
          if (isTransfer) {
            emit('call.transferred', {
              call: view,
              transfer: { mode, ...(c.redirect?.address ? { to: c.redirect.address } : {}) },
            });
          } else {
            emit('call.forwarded', {
              call: view,
              ...(c.redirect?.address ? { forwardedTo: c.redirect.address } : {}),
              ...(reason ? { reason } : {}),
            });
          }
          const gone =
            this.drop(c.callId, isTransfer ? 'transferred' : 'redirected') ??
            (view.state === 'released' ? view : undefined);
          if (gone) {
            const final = { ...gone, releaseCause: isTransfer ? 'transferred' : 'redirected' };
            if (c.detachedTime) final.releasedAt = iso(c.detachedTime) ?? final.releasedAt;
            emit('call.released', { call: final });
          }
        }
        break;
      }
      case 'CallForwardedEvent':
        for (const c of ev.calls) {
          callEvent(
            c,
            () => 'call.forwarded',
            (call) => ({ forwardedTo: call.remote.address }),
            { type: 'forwarded' },
          );
        }
        break;
      case 'CallDetachedEvent':
        for (const c of ev.calls) {
          callEvent(
            { ...c, state: 'Detached', releaseCause: c.releaseCause ?? 'detached' },
            () => 'call.released',
          );
        }
        break;
      case 'CallReleasingEvent':
        for (const c of ev.calls) callEvent(c, () => 'call.updated');
        break;
      case 'CallReleasedEvent':
        for (const c of ev.calls) {
          const cause = c.releaseCause ?? this.calls.get(c.callId)?.call.releaseCause ?? c.releasingParty;
          callEvent(
            { ...c, state: 'Released', ...(cause ? { releaseCause: cause } : {}) },
            () => 'call.released',
          );
        }
        break;
      case 'CallUpdatedEvent':
      case 'CallPickedUpEvent':
      case 'CallBargedInEvent':
      case 'CallMonitoredEvent':
      case 'CallParkRetrievedEvent':
        for (const c of ev.calls) {
          // a pick-up (or barge-in) that connects a call not yet answered is its answer
          callEvent(c, (b, call) =>
            call.state === 'active' && b && (b.state === 'alerting' || b.state === 'dialing') && !b.answered
              ? 'call.answered'
              : 'call.updated',
          );
        }
        break;
      case 'CallRecordingStartingEvent':
      case 'CallRecordingStartedEvent':
      case 'CallRecordingPausedEvent':
      case 'CallRecordingResumedEvent':
      case 'CallRecordingStoppedEvent':
      case 'CallSecurityClassificationUpdatedEvent':
      case 'CallClientSessionInfoUpdatedEvent':
        for (const c of ev.calls) callEvent(c, () => null); // cache only
        break;
      case 'HookStatusEvent':
      case 'PlayMusicOnHoldFailureEvent':
        break;
      case 'CallSubscriptionEvent':
      case 'CallSubscriptionResyncEvent':
        out.push(...this.reconcile(user, ev.calls, ctx, vendorEvent, ev.eventId));
        if (ev.conference && ev.conference.callIds.length)
          this.conferenceEvent(user, ev, ctx, out, 'snapshot');
        else this.conferences.delete(user);
        break;
      case 'ConferenceStartedEvent':
      case 'ConferenceHeldEvent':
      case 'ConferenceRetrievedEvent':
      case 'ConferenceUpdatedEvent':
      case 'ConferenceReleasedEvent':
      case 'ConferenceMutedEvent':
      case 'ConferenceUnmutedEvent':
      case 'ConferenceCallMutedEvent':
      case 'ConferenceCallUnmutedEvent':
      case 'ConferenceCallMadeDeafEvent':
      case 'ConferenceCallMadeUndeafEvent':
        this.conferenceEvent(user, ev, ctx, out, type);
        break;
      case 'AgentStateEvent':
      case 'AgentSubscriptionEvent': {
        const state = mapAgentState(ev.agent?.state);
        if (!state) break;
        const key = `${state}|${ev.agent?.unavailableCode ?? ''}`;
        if (type === 'AgentSubscriptionEvent' && this.agentStates.get(user) === key) break;
        this.agentStates.set(user, key);
        emit('agent.state', {
          agent: {
            id: user,
            state,
            ...(ev.agent?.unavailableCode ? { reason: ev.agent.unavailableCode } : {}),
          },
        });
        break;
      }
      case 'DoNotDisturbEvent': {
        const enabled = ev.service?.active ?? false;
        if (this.changed(`${user}|dnd`, String(enabled))) emit('service.dnd', { user, enabled });
        break;
      }
      case 'CallForwardingAlwaysEvent':
      case 'CallForwardingBusyEvent':
      case 'CallForwardingNoAnswerEvent': {
        const kind =
          type === 'CallForwardingAlwaysEvent'
            ? 'always'
            : type === 'CallForwardingBusyEvent'
              ? 'busy'
              : 'no-answer';
        const enabled = ev.service?.active ?? false;
        const to = ev.service?.forwardTo;
        if (this.changed(`${user}|cf-${kind}`, `${enabled}|${to ?? ''}`)) {
          emit('service.forwarding', { user, kind, enabled, ...(to ? { to } : {}) });
        }
        break;
      }
      case 'ACDCallAddedEvent':
      case 'RoutePointCallAddedEvent':
        for (const q of ev.queueEntries) {
          emit('queue.call.added', this.queueData(user, q));
          if (type === 'RoutePointCallAddedEvent') {
            emit('route.request', {
              routePoint: { id: user },
              call: {
                id: q.callId,
                correlationId: q.extTrackingId ?? q.callId,
                remote: { address: this.partyAddress(q) },
              },
            });
          }
        }
        break;
      case 'ACDCallOfferedToAgentEvent':
      case 'RoutePointCallOfferedToAgentEvent':
        for (const q of ev.queueEntries) emit('queue.call.offered', this.queueData(user, q));
        break;
      case 'ACDCallAnsweredByAgentEvent':
      case 'RoutePointCallAnsweredByAgentEvent':
        for (const q of ev.queueEntries) emit('queue.call.answered', this.queueData(user, q));
        break;
      case 'ACDCallAbandonedEvent':
      case 'RoutePointCallAbandonedEvent':
        for (const q of ev.queueEntries) emit('queue.call.abandoned', this.queueData(user, q));
        break;
      case 'ACDCallReleasedEvent':
      case 'ACDCallTransferredEvent':
      case 'ACDCallOverflowedEvent':
      case 'ACDCallEscapedEvent':
      case 'ACDCallStrandedEvent':
      case 'ACDCallStrandedUnavailableEvent':
      case 'RoutePointCallReleasedEvent':
      case 'RoutePointCallTransferredEvent':
      case 'RoutePointCallFailedEvent':
      case 'RoutePointCallOverflowedEvent': {
        const reason = type
          .replace(/^(ACD|RoutePoint)Call/, '')
          .replace(/Event$/, '')
          .toLowerCase();
        for (const q of ev.queueEntries) emit('queue.call.removed', this.queueData(user, q, reason));
        break;
      }
      case 'SubscriptionTerminatedEvent':
        emit('subscription.terminated', {
          ...(ev.subscriptionId ? { subscription: ev.subscriptionId } : {}),
          ...(ev.reason ? { reason: ev.reason } : {}),
        });
        break;
      default:
        break; // other packages/types: acknowledged, not mapped
    }
    return out;
  }

  private changed(key: string, value: string): boolean {
    if (this.services.get(key) === value) return false;
    this.services.set(key, value);
    return true;
  }

  private partyAddress(q: BwQueueEntry): string {
    return q.remoteParty?.address ?? q.remoteParty?.userDN ?? (q.remoteParty?.privacy ? 'anonymous' : '');
  }

  private queueData(queue: string, q: BwQueueEntry, reason?: string): unknown {
    const remote: { address: string; name?: string } = { address: this.partyAddress(q) };
    if (q.remoteParty?.name) remote.name = q.remoteParty.name;
    return {
      queue: { id: queue },
      call: {
        id: q.callId,
        correlationId: q.extTrackingId ?? q.callId,
        remote,
        ...(q.position !== undefined && Number.isInteger(q.position) ? { position: q.position } : {}),
        ...(q.answeringUserId ? { agent: q.answeringUserId } : {}),
        ...(reason ? { reason } : {}),
      },
    };
  }

  private conferenceEvent(user: string, ev: BwEvent, ctx: MapContext, out: EventDraft[], type: string): void {
    const conf = ev.conference;
    const prev = this.conferences.get(user);
    const bwState = (conf?.state ?? '').toLowerCase();
    let state: ConferenceEntry['state'] =
      type === 'ConferenceReleasedEvent' || bwState === 'released'
        ? 'released'
        : type === 'ConferenceHeldEvent' || bwState === 'held'
          ? 'held'
          : type === 'ConferenceRetrievedEvent' || bwState === 'active'
            ? 'active'
            : (prev?.state ?? 'active');
    if (type === 'ConferenceStartedEvent' && state === 'released') state = 'active';
    const calls = conf && conf.callIds.length ? conf.callIds : (prev?.calls ?? []);
    const id =
      prev && type !== 'ConferenceStartedEvent'
        ? prev.id
        : `${user}#${calls[0] ?? `conference-${++this.confCounter}`}`;
    const entry: ConferenceEntry = { id, state, calls };
    if (state === 'released') this.conferences.delete(user);
    else this.conferences.set(user, entry);
    if (type === 'snapshot') return;
    const parties = calls
      .map((c) => this.calls.get(c)?.call.remote)
      .filter((r): r is Call['remote'] => !!r && !!r.address)
      .map((r) => ({ ...r }));
    const eventType: EventType =
      state === 'released'
        ? 'conference.released'
        : type === 'ConferenceStartedEvent' || !prev
          ? 'conference.started'
          : 'conference.updated';
    this.push(
      out,
      ctx,
      eventType,
      {
        conference: { id, state, calls: [...calls], ...(parties.length ? { parties } : {}) },
        local: { user },
      },
      type,
      ev.eventId,
    );
  }
}
