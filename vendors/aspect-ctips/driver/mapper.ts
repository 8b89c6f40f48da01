/**
 * CTIPS events (PublishCTIEvent callbacks, Chapter 4, L1075-1811) → normalized `EventDraft`s.
 *
 * Every CTIPS event is a `CTIEvent`: a header naming the agent and service it concerns (AgentId,
 * ServiceId, L1119-1126) and, for call events, the call (CallId, CallSequenceId,
 * CallOriginatingSiteId). Call events go to the station the agent is logged into (`{type:'user', id:
 * <station>}`), agent events are `agent.state` on that station, a service's queue events go to
 * `{type:'queue', id: <ServiceId>}` and a RouteRequest to `{type:'routePoint', id: <ServiceId>}`. The
 * field-by-field table, the correlation rule and every decision are in docs/protocols/aspect-ctips.md,
 * "Mapping (CTIPS → event model)". The state lives in three books: calls (`mapper-calls.ts`), agents
 * (`mapper-agents.ts`) and queues/routes (`mapper-routes.ts`); this class reads an event and addresses
 * the results.
 *
 * Errors: `map` returns `[]` for events the model has no use for (unknown names included) and never
 * throws anything but `CtipsMapError` ("unmappable"): a call event without a CallId, or anything
 * unexpected while reading one. The caller counts those as garbage.
 */
import type { AgentStateValue, Call, EventDraft, Target } from '../../../shared/events/model.js';
import { draftFor, type MapContext } from '../../driver-kit/mapping.js';
import type { CtipsEvent } from '../wire/callbacks.js';
import type { XmlNode } from '../wire/xml.js';
import { CtipsAgentBook, type StationLookup } from './mapper-agents.js';
import {
  CtipsCallBook,
  type Mapped,
  type Party,
  type SnapshotCall,
  type UserMapped,
} from './mapper-calls.js';
import {
  AGENT_STATES,
  CALL_STATES,
  CALL_TYPES,
  CLEARING_PARTIES,
  clearingCause,
  DEST_TYPES,
  kebab,
  PROGRESS_SIGNALS,
  snapshotCallState,
  vendorInfo,
} from './mapper-codes.js';
import {
  callDataOf,
  callerInfoOf,
  callKeyOf,
  correlationOf,
  enumField,
  field,
  idField,
  kid,
} from './mapper-fields.js';
import { CtipsQueueBook, type CallRef, type TargetMapped } from './mapper-routes.js';
import { routeOfAction, type RouteDecision } from './routes.js';

/**
 * An event the mapper cannot map (a call event without a CallId, an unreadable event). The only error
 * `CtipsMapper.map` throws.
 *
 * @example
 * try { mapper.map(ev); } catch (e) { if (e instanceof CtipsMapError) garbage++; }
 */
export class CtipsMapError extends Error {
  constructor(
    /** The event type name. */
    readonly event: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CtipsMapError';
  }
}

export interface CtipsMapperOptions {
  /** The MapContext of a target the link watches, or undefined (state is still kept, nothing emitted). */
  contextOf(target: Target): MapContext | undefined;
  /** The clock (CTIPS events carry no time). */
  now?: () => Date;
  /**
   * The station of an agent the events have not placed yet (no AgentStationAddress seen): e.g. the
   * station the driver logged it into. Default: the agent's login name.
   */
  stationOf?: StationLookup;
  /** Routing state (the driver's `Routes`): a request's deadline and who chose a call's route. */
  routes?: {
    deadlineOf(callId: number): number | undefined;
    decisionOf(callId: number): RouteDecision | undefined;
  };
}

/** The call events: each carries the CC block (L1119-1126) and needs its CallId. */
const CALL_EVENTS = new Set([
  'CallStarted',
  'CallOffered',
  'CallDelivered',
  'CallConnected',
  'CallEstablished',
  'CallConsultation',
  'CallHeld',
  'CallRetrieved',
  'CallOriginated',
  'CallCleared',
  'CallEnd',
  'CallTransferred',
  'CallConferenced',
  'CallRequestFailed',
]);

/** CallRequestFailed FailureTypes that end an outbound call being set up (CTIFailureType, L2464-2509). */
const SETUP_FAILURES = new Set([
  'DestinationBusy',
  'DestinationNoAnswer',
  'DestinationNoRoute',
  'NoRouteToDestination',
  'DestinationAgentNotAvailable',
  'DestinationInvalidSwitchIdentifier',
  'DestinationInvalidNumber',
  'DestinationInvalidServiceIdentifier',
  'TrunkLicenseExceeded',
  'MakeCallFailure',
  'ConsultationFailure',
]);

const userTarget = (id: string): Target => ({ type: 'user', id });

/** Calls whose call data is remembered. */
const USER_DATA_KEPT = 2000;

/**
 * Maps the events of one CTIPS link, keeping the state the mapping needs across events.
 *
 * @example
 * const mapper = new CtipsMapper({ contextOf: (t) => ({ target: t, families: new Set(['call']) }) });
 * const { event } = parseCallback(xml);
 * const drafts = event ? mapper.map(event) : [];
 * // [{ type: 'call.received', target: { type: 'user', id: '1002' }, data: { call }, vendor }]
 */
export class CtipsMapper {
  private readonly contextOf: (target: Target) => MapContext | undefined;
  private readonly calls: CtipsCallBook;
  private readonly agents: CtipsAgentBook;
  private readonly queues = new CtipsQueueBook();
  /** Call data by correlation id, as the last event carrying it gave it (`call.userData`). */
  private readonly userData = new Map<string, Record<string, string>>();
  private readonly routes: CtipsMapperOptions['routes'];

  constructor(opts: CtipsMapperOptions) {
    this.contextOf = (t) => opts.contextOf(t);
    this.routes = opts.routes;
    this.calls = new CtipsCallBook(opts.now ?? (() => new Date()));
    this.agents = new CtipsAgentBook(opts.stationOf);
  }

  /** One PublishCTIEvent's event. Drafts in emit order. */
  map(ev: CtipsEvent): EventDraft[] {
    const name = typeof ev?.name === 'string' ? ev.name : '?';
    try {
      return this.dispatch(name, ev.node);
    } catch (err) {
      if (err instanceof CtipsMapError) throw err;
      throw new CtipsMapError(name, 'unmappable event', { cause: err });
    }
  }

  /** The cached calls of `user` (listCalls). */
  callsOf(user: string): Call[] {
    return this.calls.callsOf(user);
  }

  /** One cached call of `user` (getCall), by its CallId. */
  call(user: string, callId: string): Call | undefined {
    return this.calls.callOf(user, callId);
  }

  /** The station an agent is logged into, as the events and snapshots placed it. */
  stationOfAgent(agentId: string): string | undefined {
    return this.agents.stationOf(agentId);
  }

  /** The last agent state reported for an AgentId. */
  agentStateOf(agentId: string): AgentStateValue | undefined {
    return this.agents.agentState(agentId);
  }

  /** After a resync: `call.released` (with `cause`) for the calls of `user` not in `liveCallIds`. */
  releaseStale(user: string, liveCallIds: Set<string>, cause: string): EventDraft[] {
    const out: EventDraft[] = [];
    this.emitUsers(out, this.calls.releaseStale(user, liveCallIds, cause), 'resync');
    return out;
  }

  /**
   * SnapShotUpdate events (L1775-1793; one entity each), or any element holding some: agents place
   * their stations and seed their state, calls are cached silently when new (a known call in another
   * state gives `call.updated`), services give nothing. Agents are read before calls.
   */
  snapshot(node: XmlNode): EventDraft[] {
    try {
      const out: EventDraft[] = [];
      const items = snapshotItems(node);
      for (const it of items) {
        const a = kid(it, 'AgentData');
        if (a && a.children.length) {
          const r = this.agents.snapshotAgent(a);
          if (r) this.emit(out, userTarget(r.user), r.events, 'SnapShotUpdate');
        }
      }
      for (const it of items) {
        const c = kid(it, 'CallData');
        if (c && kid(c, 'CallId')) this.snapshotCall(out, c);
      }
      return out;
    } catch (err) {
      throw new CtipsMapError('SnapShotUpdate', 'unreadable snapshot', { cause: err });
    }
  }

  // ------------------------------------------------------------------ dispatch

  private dispatch(name: string, node: XmlNode | undefined): EventDraft[] {
    if (!node || !Array.isArray(node.children)) throw new CtipsMapError(name, 'no event element');
    const out: EventDraft[] = [];
    if (CALL_EVENTS.has(name)) {
      this.callEvent(out, name, node);
      return out;
    }
    switch (name) {
      case 'AgentLoginStateChange': {
        const r = this.agents.loginState(node);
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        return out;
      }
      case 'AgentStateChange': {
        const r = this.agents.stateChange(node);
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        if (r && enumField(node, 'AgentState', AGENT_STATES) === 'Active') this.acceptedByState(out, r.user);
        return out;
      }
      case 'RouteRequest': {
        const rp = idField(node, 'ServiceId');
        const callId = idField(node, 'CallId');
        if (!callId) throw new CtipsMapError(name, 'RouteRequest without a CallId');
        if (!rp) return out;
        const info = callerInfoOf(node);
        const ref = this.ref(node, callId);
        const data = this.keepCallData(ref.correlationId, node);
        const deadline = this.routes?.deadlineOf(Number(callId));
        this.emitTargets(
          out,
          this.queues.routeRequest(rp, ref, {
            remote: { address: info.ani ?? info.number ?? '' },
            ...(info.dnis ? { dnis: info.dnis } : {}),
            ...(data ? { userData: data } : {}),
            ...(deadline !== undefined ? { deadline: new Date(deadline).toISOString() } : {}),
          }),
          name,
        );
        return out;
      }
      case 'RouteUsed': {
        const callId = idField(node, 'CallId');
        const type = field(node, 'RouteType');
        if (!callId) return out;
        const ref = this.ref(node, callId);
        if (type && /^Route(ToExternal|ToService)$/i.test(type))
          this.emitTargets(out, this.queues.removed(ref, kebab(type)), name);
        const status = field(node, 'RouteStatus') ?? '';
        const byDefault = /default/i.test(status) || /^RouteToDefault$/i.test(type ?? '');
        this.routeOutcome(out, name, ref, byDefault ? 'route.defaulted' : 'route.used', {
          routeType: type,
          destination: field(node, 'RouteDestination'),
        });
        return out;
      }
      case 'RouteReject':
      case 'RouteRejected':
      case 'RouteRequestFailed': {
        const callId = idField(node, 'CallId');
        if (!callId) return out;
        const rejected = name !== 'RouteRequestFailed';
        const reason = rejected
          ? field(node, 'RouteRejectReason')
          : [field(node, 'FailureType'), field(node, 'FailureReason')].filter(Boolean).join(': ');
        this.routeOutcome(out, name, this.ref(node, callId), rejected ? 'route.rejected' : 'route.failed', {
          ...(reason ? { reason } : {}),
        });
        return out;
      }
      case 'SnapShotUpdate':
        return this.snapshot(node);
      default:
        // AgentLoginRequestFailed, AgentRequestFailed, AudioPathStateChange, EnterPasscode,
        // ServiceStateChange, LinkStatus, SnapShotRequestFailed, ...
        return out;
    }
  }

  private callEvent(out: EventDraft[], name: string, node: XmlNode): void {
    const id = idField(node, 'CallId');
    if (!id) throw new CtipsMapError(name, 'call event without a CallId');
    const user = this.agents.stationOf(idField(node, 'AgentId'));
    const ref = this.ref(node, id);
    const corr = ref.correlationId;
    this.keepCallData(corr, node);
    switch (name) {
      case 'CallStarted':
        if (user) this.emitUsers(out, this.calls.originated(user, id, corr, undefined, false), name);
        return;
      case 'CallOriginated': {
        if (!user) return;
        const dest = field(node, 'Destination');
        const type = enumField(node, 'DestType', DEST_TYPES);
        const address = (type === 'Agent' ? this.agents.stationOfDestination(dest) : undefined) ?? dest ?? '';
        const ringing = enumField(node, 'CallProgressSignal', PROGRESS_SIGNALS) === 'Ringing';
        this.emitUsers(out, this.calls.originated(user, id, corr, { address }, ringing), name);
        return;
      }
      case 'CallDelivered': {
        const queue = idField(node, 'ServiceId');
        const info = callerInfoOf(node);
        if (queue)
          this.emitTargets(out, this.queues.delivered(queue, ref, { address: info.ani ?? '' }), name);
        this.emitUsers(out, this.calls.farRinging(corr), name);
        return;
      }
      case 'CallConnected': {
        if (!user) return;
        if (this.calls.callOf(user, id)) {
          this.emitUsers(out, this.calls.farRinging(corr, user), name);
          return;
        }
        const origin = this.agents.stationOf(idField(node, 'OriginatingAgentId'));
        const callerLeg = this.calls.callerLeg(origin, user);
        const info = callerInfoOf(node);
        const remote: Party = origin
          ? { address: origin }
          : (this.queues.callerOf(ref) ?? { address: info.ani ?? info.number ?? '' });
        if (!origin && info.name) remote.name = info.name;
        const via = this.queues.viaOf(ref);
        this.emitTargets(out, this.queues.offered(ref, user), name);
        this.emitUsers(
          out,
          this.calls.connected(user, id, callerLeg?.correlationId ?? corr, remote, via),
          name,
        );
        return;
      }
      case 'CallEstablished': {
        if (!user) return;
        const info = callerInfoOf(node);
        this.emitTargets(out, this.queues.answered(ref, user), name);
        this.emitUsers(out, this.calls.established(user, id, corr, { address: info.ani ?? '' }), name);
        return;
      }
      case 'CallConsultation': {
        const consult = idField(node, 'ConsultationCallId');
        if (!user || !consult || !this.calls.callOf(user, consult)) return;
        this.emitUsers(out, this.calls.established(user, consult, corr, { address: '' }), name);
        return;
      }
      case 'CallHeld':
      case 'CallRetrieved':
        if (user) this.emitUsers(out, this.calls.hold(user, id, name === 'CallHeld'), name);
        return;
      case 'CallCleared': {
        const cause = clearingCause(enumField(node, 'ClearingPartyType', CLEARING_PARTIES));
        const consult = idField(node, 'ConsultationCallId');
        const legId = user && !this.calls.callOf(user, id) && consult ? consult : id;
        if (!user || !this.calls.callOf(user, legId) || !this.calls.callOf(user, legId)?.answeredAt)
          this.emitTargets(out, this.queues.abandoned(ref, cause), name);
        if (user) this.emitUsers(out, this.calls.cleared(user, legId, cause), name);
        return;
      }
      case 'CallEnd':
        this.emitTargets(out, this.queues.abandoned(ref, 'normal'), name);
        this.emitUsers(out, this.calls.ended(id, undefined), name);
        this.queues.forget(id);
        return;
      case 'CallTransferred': {
        if (!user) return;
        const to = this.agents.stationOf(idField(node, 'ConsultationAgentId'));
        const consulted = idField(node, 'ConsultedCallId');
        const main =
          idField(node, 'ConsultingCallId') && !this.calls.callOf(user, id)
            ? idField(node, 'ConsultingCallId')!
            : id;
        const next = idField(node, 'TransferredCallId');
        this.emitUsers(
          out,
          this.calls.transferred(user, main, consulted, to ? { address: to } : undefined, next),
          name,
        );
        return;
      }
      case 'CallConferenced': {
        if (!user) return;
        const ids = ['CallId', 'ConsultingCallId', 'ConsultedCallId']
          .map((f) => idField(node, f))
          .filter((x): x is string => !!x);
        const conf = idField(node, 'ConferenceCallId') ?? id;
        this.emitUsers(out, this.calls.conferenced(user, conf, ids), name);
        return;
      }
      case 'CallRequestFailed': {
        const failure = field(node, 'FailureType');
        if (user && failure && SETUP_FAILURES.has(failure))
          this.emitUsers(out, this.calls.failed(user, id, kebab(failure)), name);
        return;
      }
      default:
        // CallStarted without an agent, CallOffered (monitoring only, L1518), CallCompleted
        return;
    }
  }

  /**
   * AgentStateChange(Active): "generated after the agent accepts the call" (L352). A ringing inbound
   * leg of the agent's station is answered, for a call whose CallEstablished came with an earlier
   * answer (a call transferred or forwarded to the agent: CallEstablished is sent once per call).
   */
  private acceptedByState(out: EventDraft[], user: string): void {
    const ringing = this.calls.callsOf(user).find((c) => c.direction === 'inbound' && c.state === 'alerting');
    if (!ringing) return;
    const ref = { callId: ringing.id, correlationId: ringing.correlationId };
    this.emitTargets(out, this.queues.answered(ref, user), 'AgentStateChange');
    this.emitUsers(
      out,
      this.calls.established(user, ringing.id, ringing.correlationId, ringing.remote),
      'AgentStateChange',
    );
  }

  /** The call reference of an event: its CallId and its correlation (a known leg's, else the CC's). */
  private ref(node: XmlNode, callId: string): CallRef {
    const corr = this.calls.correlationOfCall(callId) ?? correlationOf(callKeyOf(node)) ?? callId;
    return { callId, correlationId: corr };
  }

  private snapshotCall(out: EventDraft[], data: XmlNode): void {
    const key = callKeyOf(data);
    const user = this.agents.stationOf(idField(data, 'AgentId'));
    const state = snapshotCallState(enumField(data, 'CallState', CALL_STATES));
    if (!key.callId || !user || !state) return;
    const type = enumField(data, 'CallType', CALL_TYPES);
    const outbound = !!type?.startsWith('Outbound') || (state === 'dialing' && !type?.startsWith('Inbound'));
    const dest = field(data, 'Destination');
    const destType = enumField(data, 'DestType', DEST_TYPES);
    const address = outbound
      ? ((destType === 'Agent' ? this.agents.stationOfDestination(dest) : undefined) ?? dest ?? '')
      : (field(data, 'ANI') ?? '');
    const s: SnapshotCall = {
      id: key.callId,
      correlationId: this.calls.correlationOfCall(key.callId) ?? correlationOf(key) ?? key.callId,
      state,
      direction: outbound ? 'outbound' : 'inbound',
      remote: { address },
    };
    this.emitUsers(out, this.calls.snapshot(user, s), 'SnapShotUpdate');
  }

  private emitUsers(out: EventDraft[], mapped: UserMapped[], event: string): void {
    for (const m of mapped) this.emit(out, userTarget(m.user), [this.withUserData(m.mapped)], event);
  }

  /** Keeps the call data an event carries (CallInfo's or its own CallData); returns what is known. */
  private keepCallData(corr: string, node: XmlNode): Record<string, string> | undefined {
    const data = callDataOf(node);
    if (data && Object.keys(data).length) {
      this.userData.delete(corr);
      this.userData.set(corr, data);
      if (this.userData.size > USER_DATA_KEPT) this.userData.delete(this.userData.keys().next().value!);
    }
    return this.userData.get(corr);
  }

  /** A call event's call with the call data known for it (`call.userData`). */
  private withUserData(m: Mapped): Mapped {
    const call = (m.data as { call?: Call }).call;
    const data = call && this.userData.get(call.correlationId);
    if (!call || !data) return m;
    return { ...m, data: { ...m.data, call: { ...call, userData: { ...data } } } } as Mapped;
  }

  /** RouteUsed / RouteRejected / RouteRequestFailed as `route.*` on the route point of the request. */
  private routeOutcome(
    out: EventDraft[],
    event: string,
    ref: CallRef,
    type: 'route.used' | 'route.defaulted' | 'route.rejected' | 'route.failed',
    fields: { routeType?: string | undefined; destination?: string | undefined; reason?: string },
  ): void {
    const rp = this.queues.routePointOf(ref.callId);
    if (!rp) return;
    const decision = this.routes?.decisionOf(Number(ref.callId));
    const route =
      decision?.route ??
      (fields.routeType ? routeOfAction(fields.routeType, fields.destination) : undefined) ??
      (type === 'route.defaulted' ? { type: 'default' as const } : undefined);
    const by = decision?.by ?? (type === 'route.defaulted' ? 'vendor' : undefined);
    this.emit(
      out,
      { type: 'routePoint', id: rp },
      [
        {
          type,
          data: {
            routePoint: { id: rp },
            call: { id: ref.callId, correlationId: ref.correlationId },
            ...(route ? { route } : {}),
            ...(by ? { by } : {}),
            ...(fields.reason ? { reason: fields.reason } : {}),
          },
        } as Mapped,
      ],
      event,
    );
  }

  private emitTargets(out: EventDraft[], mapped: TargetMapped[], event: string): void {
    for (const m of mapped) this.emit(out, m.target, [m.mapped], event);
  }

  private emit(out: EventDraft[], target: Target, mapped: Mapped[], event: string): void {
    if (!mapped.length) return;
    const ctx = this.contextOf(target);
    if (!ctx) return;
    for (const m of mapped) {
      const draft = draftFor(ctx, m.type, m.data, vendorInfo(event));
      if (draft) out.push(draft);
    }
  }
}

/** The snapshot items at or below `node`: elements with AgentData / CallData / ServiceData (depth ≤ 4). */
function snapshotItems(node: XmlNode, depth = 0): XmlNode[] {
  if (kid(node, 'SnapShotType') || kid(node, 'AgentData') || kid(node, 'ServiceData')) return [node];
  if (depth >= 4) return [];
  return node.children.flatMap((c) => snapshotItems(c, depth + 1));
}
