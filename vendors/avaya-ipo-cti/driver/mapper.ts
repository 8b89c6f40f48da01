/**
 * IP Office CTI WebServices events (CSTA ECMA-323 in openapi `Events` frames) → normalized
 * `EventDraft`s.
 *
 * A CSTA event names one connection of one monitored device; the mapper keeps every leg, conference,
 * queued call and agent/service value it has seen and turns each event into the events of the shared
 * reference sequences. The field-by-field table, the correlation rule and every decision are in
 * docs/protocols/avaya-ipo-cti.md, "Mapping (CSTA → event model)". The state lives in four books:
 * calls (`mapper-calls.ts`), conferences (`mapper-conference.ts`), queues (`mapper-queues.ts`) and
 * agents/services (`mapper-agents.ts`); this class finds whom an event is about and addresses the
 * results.
 *
 * Errors: `map` returns `[]` for events the model has no use for (unknown names included) and never
 * throws anything but `IpoMapError`, which means "unmappable": a call event that names no connection,
 * or one that cannot be attributed to a device. The caller counts those as garbage.
 *
 * A hold is reported to the far end too (`call.updated` on the other legs of the same call, once),
 * whether or not the far end's own monitor reports it; see "Far-end hold" in the document.
 */
import type { AgentStateValue, Call, EventDraft, Target } from '../../../shared/events/model.js';
import { draftFor, type MapContext } from '../../driver-kit/mapping.js';
import type { WireEvent } from '../wire/events.js';
import type { XmlNode } from '../wire/xml.js';
import { IpoAgentBook } from './mapper-agents.js';
import { IpoCallBook, type Mapped, type SnapshotCall } from './mapper-calls.js';
import { connectionState, sameDevice, vendorInfo } from './mapper-codes.js';
import { IpoConferenceBook, readConferenced } from './mapper-conference.js';
import {
  additionalInfoOf,
  CALL_EVENTS,
  callIdOf,
  deviceOf,
  kid,
  linkageOf,
  permittedOf,
  readCall,
  text,
  type CstaCall,
} from './mapper-csta.js';
import { IpoQueueBook, type QueueCallRef } from './mapper-queues.js';

/**
 * An event the mapper cannot map (no connection id, no device to attribute it to). The only error
 * `IpoMapper.map` throws.
 *
 * @example
 * try { mapper.map(ev); } catch (e) { if (e instanceof IpoMapError) garbage++; }
 */
export class IpoMapError extends Error {
  constructor(
    /** The event's element name. */
    readonly event: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IpoMapError';
  }
}

export interface IpoMapperOptions {
  /** The MapContext of a target the link watches, or undefined (state is still kept, nothing emitted). */
  contextOf(target: Target): MapContext | undefined;
  /** The clock for times the event does not give (no ADDITIONALEVENTINFO timestamp). */
  now?: () => Date;
}

/** `Event@device` values that name no device (L2939, L7973). */
const NOT_A_DEVICE = new Set(['conference', 'directory']);
const userTarget = (id: string): Target => ({ type: 'user', id });
const queueTarget = (id: string): Target => ({ type: 'queue', id });

/**
 * Maps the events of one IP Office link, keeping the state the mapping needs across events.
 *
 * @example
 * const mapper = new IpoMapper({ contextOf: (t) => ({ target: t, families: new Set(['call']) }) });
 * const { events } = parseEventsFrame(frame);
 * const drafts = events.flatMap((e) => mapper.map(e));
 * // [{ type: 'call.received', target: { type: 'user', id: '202' }, data: { call }, vendor }]
 */
export class IpoMapper {
  private readonly contextOf: (target: Target) => MapContext | undefined;
  private readonly calls: IpoCallBook;
  private readonly confs: IpoConferenceBook;
  private readonly queues: IpoQueueBook;
  private readonly agents = new IpoAgentBook();

  constructor(opts: IpoMapperOptions) {
    this.contextOf = (t) => opts.contextOf(t);
    const now = opts.now ?? (() => new Date());
    this.calls = new IpoCallBook(now);
    this.confs = new IpoConferenceBook(this.calls, now);
    this.queues = new IpoQueueBook(now);
  }

  /**
   * One event of a frame. `owner`: the extension of the device user whose session carried it (bare
   * events); for the application user `ev.device` names the device. Drafts in emit order.
   */
  map(ev: WireEvent, owner?: string): EventDraft[] {
    try {
      this.calls.expire(); // legs whose release was lost (mapper-calls.ts), before the event looks them up
      const out = this.dispatch(ev, owner);
      this.emitOthers(out, String(ev.name));
      return out;
    } catch (err) {
      this.calls.drainOthers();
      if (err instanceof IpoMapError) throw err;
      throw new IpoMapError(String(ev?.name ?? '?'), 'unmappable event', { cause: err });
    }
  }

  /** The last agent state an agent event reported for `agent` (AgentLoggedOn → `sign-in`, ...). */
  agentStateOf(agent: string): AgentStateValue | undefined {
    return this.agents.agentState(agent);
  }

  /** The cached calls of `user` (listCalls). */
  callsOf(user: string): Call[] {
    return this.calls.callsOf(user);
  }

  /** One cached call of `user` (getCall). */
  call(user: string, callId: string): Call | undefined {
    return this.calls.callOf(user, callId);
  }

  /**
   * The link was down: its events in between are lost (no replay), so a queued call may have left its
   * hunt group unseen. The queues start empty rather than keep entries no event will remove.
   */
  forgetQueued(): void {
    this.queues.clear();
  }

  /** After a resync: `call.released` (with `cause`) for the calls of `user` not in `liveCallIds`. */
  releaseStale(user: string, liveCallIds: Set<string>, cause: string): EventDraft[] {
    const out: EventDraft[] = [];
    const confs = new Set(
      this.calls
        .callsOf(user)
        .filter((c) => !liveCallIds.has(c.id))
        .map((c) => this.calls.conferenceOf(user, c.id)),
    );
    this.emit(out, userTarget(user), this.calls.releaseStale(user, liveCallIds, cause), 'resync');
    for (const conf of confs) this.emit(out, userTarget(user), this.confs.legReleased(user, conf), 'resync');
    this.emitOthers(out, 'resync');
    return out;
  }

  /**
   * A snapshot of `user`'s device: the GET snapshot's CallInformationEvents (one per call, L5241-5280),
   * a frame of them, or a CSTA SnapshotDevice answer (`snapshotDeviceResponseInfo` items). New calls
   * are cached silently; a known call in another state gives `call.updated`.
   */
  snapshot(user: string, node: XmlNode): EventDraft[] {
    const out: EventDraft[] = [];
    for (const n of snapshotItems(node)) {
      const s = readSnapshot(user, n);
      if (s) this.emit(out, userTarget(user), this.calls.snapshot(user, s), n.name);
    }
    this.emitOthers(out, node.name);
    return out;
  }

  // ------------------------------------------------------------------ dispatch

  private dispatch(ev: WireEvent, owner: string | undefined): EventDraft[] {
    const name = ev.name;
    const device = ev.device?.trim();
    const subject = device && !NOT_A_DEVICE.has(device) ? device : owner?.trim() || undefined;
    const out: EventDraft[] = [];
    if (Object.hasOwn(CALL_EVENTS, name)) {
      this.callEvent(out, ev, readCall(CALL_EVENTS[name as keyof typeof CALL_EVENTS], ev.node), subject);
      return out;
    }
    switch (name) {
      case 'ConferencedEvent': {
        const r = this.confs.conferenced(
          readConferenced(ev.node),
          device === 'conference' ? undefined : subject,
        );
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        return out;
      }
      case 'QueuedEvent':
        this.queued(out, ev.node, subject);
        return out;
      case 'CallInformationEvent': {
        const user = subject ?? deviceOf(ev.node, 'device');
        return user ? this.snapshot(user, ev.node) : [];
      }
      case 'DoNotDisturbEvent': {
        const r = this.agents.dnd(ev.node, subject);
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        return out;
      }
      case 'ForwardingEvent': {
        const r = this.agents.forwarding(ev.node, subject);
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        return out;
      }
      default: {
        if (!name.startsWith('Agent')) return out; // OutOfService/BackInService, Hookswitch, mute, AVM*, ...
        const r = this.agents.agent(name, ev.node, subject);
        if (r) this.emit(out, userTarget(r.user), r.events, name);
        return out;
      }
    }
  }

  private callEvent(out: EventDraft[], ev: WireEvent, call: CstaCall, subject: string | undefined) {
    if (!subject) throw new IpoMapError(ev.name, 'no device to attribute the event to');
    if (!call.callId && call.kind !== 'transferred') throw new IpoMapError(ev.name, 'no connection callID');
    const user = subject;
    if (this.queues.isQueue(user)) return this.queueSide(out, ev.name, user, call);
    const ref: QueueCallRef = { callId: call.callId, correlationId: call.linkage, caller: call.calling };
    let via: Call['via'] | undefined;
    const fresh = call.callId !== undefined && !this.calls.callOf(user, call.callId);
    if (call.kind === 'delivered' && fresh && sameDevice(call.alerting, user)) {
      const q = this.queues.match(ref);
      if (q) via = { type: 'queue', id: q };
    }
    const conf =
      (call.kind === 'cleared' || call.kind === 'callCleared') && call.callId
        ? this.calls.conferenceOf(user, call.callId)
        : undefined;
    const applied = this.calls.apply(user, call, via);
    const c = applied.call;
    if (via && applied.created && c) {
      const o = this.queues.offered(ref, user, c);
      if (o) this.emit(out, queueTarget(o.queue), o.events, ev.name);
    }
    if (c?.via?.type === 'queue' && applied.events.some((e) => e.type === 'call.answered')) {
      const a = this.queues.answered(
        { callId: c.id, correlationId: c.correlationId, caller: undefined },
        user,
      );
      if (a) this.emit(out, queueTarget(a.queue), a.events, ev.name);
    }
    this.emit(out, userTarget(user), applied.events, ev.name);
    if (c?.state === 'released') {
      if (c.direction === 'outbound' && !c.answeredAt) {
        const q = this.queues.cleared({ callId: c.id, correlationId: c.correlationId }, call.cause);
        if (q) this.emit(out, queueTarget(q.queue), q.events, ev.name);
      }
      this.emit(out, userTarget(user), this.confs.legReleased(user, conf), ev.name);
    }
  }

  /** An event of a hunt group's own device: the queue's side of its calls. */
  private queueSide(out: EventDraft[], event: string, queue: string, call: CstaCall) {
    const ref: QueueCallRef = { callId: call.callId, correlationId: call.linkage, caller: call.calling };
    let r: { queue: string; events: Mapped[] } | undefined;
    if (call.kind === 'delivered' && call.alerting && !sameDevice(call.alerting, queue))
      r = this.queues.offered(ref, call.alerting);
    else if (call.kind === 'established' && call.answering && !sameDevice(call.answering, queue))
      r = this.queues.answered(ref, call.answering);
    else if (call.kind === 'cleared' || call.kind === 'callCleared') r = this.queues.cleared(ref, call.cause);
    if (r) this.emit(out, queueTarget(r.queue), r.events, event);
  }

  /** QueuedEvent: a parked leg (cause `park`, L4173-4177), or a call entering a hunt-group queue. */
  private queued(out: EventDraft[], node: XmlNode, subject: string | undefined) {
    const callId = callIdOf(node, 'queuedConnection');
    const cause = text(node, 'cause')?.toLowerCase();
    if (cause === 'park') {
      if (subject) this.calls.parked(subject, callId);
      return;
    }
    const queue = deviceOf(node, 'queue') ?? subject;
    if (!queue || !callId) return;
    const info = additionalInfoOf(node);
    const caller = deviceOf(node, 'callingDevice') ?? info.calling?.number;
    const callerName = info.calling?.name;
    const linkage = linkageOf(node);
    const callerLeg = caller ? this.calls.callOf(caller, callId) : undefined;
    const ref = {
      callId,
      correlationId: linkage ?? callerLeg?.correlationId ?? callId,
      ...(caller ? { caller } : {}),
      ...(callerName ? { callerName } : {}),
    };
    this.emit(out, queueTarget(queue), this.queues.added(queue, ref), 'QueuedEvent');
  }

  /** The far-end events the call book collected (after the event's own drafts). */
  private emitOthers(out: EventDraft[], event: string) {
    for (const o of this.calls.drainOthers()) this.emit(out, userTarget(o.user), [o.mapped], event);
  }

  private emit(out: EventDraft[], target: Target, mapped: Mapped[], event: string) {
    if (!mapped.length) return;
    const ctx = this.contextOf(target);
    if (!ctx) return;
    for (const m of mapped) {
      const draft = draftFor(ctx, m.type, m.data, vendorInfo(event));
      if (draft) out.push(draft);
    }
  }
}

/** The snapshot items below `node`: CallInformationEvents and CSTA snapshot entries (depth ≤ 4). */
function snapshotItems(node: XmlNode, depth = 0): XmlNode[] {
  if (node.name === 'CallInformationEvent' || node.name === 'snapshotDeviceResponseInfo') return [node];
  if (depth >= 4) return [];
  return node.children.flatMap((c) => snapshotItems(c, depth + 1));
}

/**
 * One snapshot item as a call of `user`. The state is the item's connection state when it names one
 * (`localConnectionInfo`, CSTA `localConnectionState`), else read from the permitted services: answer
 * → alerting, retrieve → held, hold or a two-way media flow → active, make/dial → dialing, otherwise
 * alerting (a ringing outgoing call permits only clear and transfer, as Delivered does).
 */
function readSnapshot(user: string, n: XmlNode): SnapshotCall | undefined {
  const id = callIdOf(n, 'connection', 'connectionIdentifier');
  if (!id) return undefined;
  const info = additionalInfoOf(n);
  const permitted = permittedOf(n);
  const calling = deviceOf(n, 'callingDevice') ?? info.calling?.number;
  const called = deviceOf(n, 'calledDevice') ?? info.called?.number;
  const local = kid(n, 'localCallState');
  const explicit = connectionState(
    text(n, 'localConnectionInfo') ??
      text(n, 'localConnectionState') ??
      text(local, 'compoundCallState', 'localConnectionState') ??
      text(local, 'simpleCallState'),
  );
  const flow = text(kid(n, 'connectionInfo'), 'flowDirection')?.toLowerCase();
  const state =
    explicit ??
    (permitted.has('answerCall')
      ? 'alerting'
      : permitted.has('retrieveCall')
        ? 'held'
        : permitted.has('holdCall') || flow === 'transmitandreceive'
          ? 'active'
          : permitted.has('makeCall') || permitted.has('dialDigits')
            ? 'dialing'
            : 'alerting');
  const outbound = sameDevice(calling, user);
  const address = (outbound ? called : calling) ?? '';
  const party = [info.calling, info.called].find((p) => p?.name && sameDevice(p.number, address));
  const s: SnapshotCall = {
    id,
    state,
    direction: outbound ? 'outbound' : 'inbound',
    remote: party?.name ? { address, name: party.name } : { address },
  };
  const linkage = linkageOf(n);
  if (linkage) s.linkage = linkage;
  if (info.at) s.at = info.at;
  return s;
}
