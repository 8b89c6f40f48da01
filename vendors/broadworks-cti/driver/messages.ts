/**
 * BroadWorks CTI wire messages: classification of inbound `XspXMLInterface` envelopes into typed
 * messages (response, event, keepalive, ...), typed BroadWorks events, and the outbound envelopes
 * (request, eventResponse, keepalive, keepaliveResponse).
 *
 * Everything here is lenient: names are matched by local name, case-insensitively, in any order;
 * unknown elements are ignored. See docs/protocols/broadworks-cti.md for the decisions.
 */
import {
  ENVELOPE_VERSION,
  RawXml,
  XSI1_NS,
  XSI_NS,
  XSP_NS,
  XmlParseError,
  child,
  childrenNamed,
  el,
  find,
  findAll,
  flagOf,
  intOf,
  message,
  parseXml,
  textOf,
  tx,
  type XChild,
  type XNode,
} from '../wire/index.js';

// ---------------------------------------------------------------------------------------------------
// typed BroadWorks data

export interface BwParty {
  name?: string;
  address?: string;
  userId?: string;
  userDN?: string;
  callType?: string;
  privacy?: boolean;
}

export interface BwCall {
  callId: string;
  extTrackingId?: string;
  networkCallId?: string;
  personality?: string;
  state?: string;
  remoteParty?: BwParty;
  addressOfRecord?: string;
  appearance?: number;
  startTime?: number;
  answerTime?: number;
  heldTime?: number;
  releaseTime?: number;
  detachedTime?: number;
  totalHeldTime?: number;
  releasingParty?: string;
  releaseCause?: string;
  redirect?: { address?: string; reason?: string; redirectTime?: number };
  redirections?: { party?: BwParty; reason?: string }[];
  acdUserId?: string;
  allowAnswer?: boolean;
  allowRetrieve?: boolean;
}

export interface BwConference {
  state?: string;
  callIds: string[];
  mutedCallIds: string[];
  conferenceType?: string;
}

export interface BwQueueEntry {
  callId: string;
  extTrackingId?: string;
  remoteParty?: BwParty;
  position?: number;
  answeringUserId?: string;
  answeringCallId?: string;
  reason?: string;
  /** When the call entered the queue (epoch ms). */
  addTime?: number;
  /** The ACD number the call came in on, and its name (§8.9.3). */
  acdNumber?: string;
  acdName?: string;
  /** ACDPriorityType as given, e.g. `0-Highest` (Premium call centers only). */
  acdPriority?: string;
}

export interface BwCommon {
  requestId?: string;
  eventId?: string;
  sequenceNumber?: number;
  userId?: string;
  externalApplicationId?: string;
  subscriptionId?: string;
  sharedSubscriptionId?: string;
  channelId?: string;
  targetId?: string;
  targetSubId?: string;
}

export interface BwEvent extends BwCommon {
  /** Canonical BroadWorks type name, e.g. `CallReceivedEvent`; `undefined` when it cannot be told. */
  type?: string;
  /** The type as found on the wire (after prefix removal). */
  wireType?: string;
  calls: BwCall[];
  conference?: BwConference;
  hookStatus?: string;
  queueEntries: BwQueueEntry[];
  agent?: { state?: string; unavailableCode?: string };
  service?: { active?: boolean; forwardTo?: string };
  reason?: string;
  /** The XML needed repairs before it parsed. */
  repaired: boolean;
}

export interface BwErrorInfo {
  errorCode?: string;
  summary?: string;
  summaryEnglish?: string;
}

export type Inbound =
  | {
      kind: 'response';
      requestId?: string;
      sessionId?: string;
      statusCode: number;
      reason?: string;
      errorInfo?: BwErrorInfo;
      payload?: XNode;
      root: XNode;
    }
  | { kind: 'event'; event: BwEvent }
  | { kind: 'channelTerminated'; requestId?: string; channelId?: string; reason?: string }
  | { kind: 'keepalive'; requestId?: string; period?: number }
  | { kind: 'keepaliveResponse'; requestId?: string }
  | { kind: 'garbage'; reason: string; requestId?: string; eventId?: string };

// ---------------------------------------------------------------------------------------------------
// event type catalogue

/** Every event type name of §6, plus the spellings the flows and OCR use (folded onto one name). */
const EVENT_TYPES = [
  // call (§6.2)
  'CallOriginatingEvent',
  'CallOriginatedEvent',
  'CallReceivedEvent',
  'CallAnsweredEvent',
  'CallHeldEvent',
  'CallRetrievedEvent',
  'CallUpdatedEvent',
  'CallRedirectedEvent',
  'CallTransferredEvent',
  'CallReleasingEvent',
  'CallReleasedEvent',
  'CallCollectingEvent',
  'CallPickedUpEvent',
  'CallBargedInEvent',
  'CallMonitoredEvent',
  'CallForwardedEvent',
  'CallDetachedEvent',
  'CallParkRetrievedEvent',
  'CallRecordingStartingEvent',
  'CallRecordingStartedEvent',
  'CallRecordingPausedEvent',
  'CallRecordingResumedEvent',
  'CallRecordingStoppedEvent',
  'CallSubscriptionEvent',
  'CallSubscriptionResyncEvent',
  'CallSecurityClassificationUpdatedEvent',
  'CallClientSessionInfoUpdatedEvent',
  'HookStatusEvent',
  'PlayMusicOnHoldFailureEvent',
  // conference (§6.3)
  'ConferenceStartedEvent',
  'ConferenceHeldEvent',
  'ConferenceRetrievedEvent',
  'ConferenceUpdatedEvent',
  'ConferenceReleasedEvent',
  'ConferenceMutedEvent',
  'ConferenceUnmutedEvent',
  'ConferenceCallMutedEvent',
  'ConferenceCallUnmutedEvent',
  'ConferenceCallMadeDeafEvent',
  'ConferenceCallMadeUndeafEvent',
  // route point (§6.4)
  'RoutePointCallAddedEvent',
  'RoutePointCallOfferedToAgentEvent',
  'RoutePointCallAnsweredByAgentEvent',
  'RoutePointCallAbandonedEvent',
  'RoutePointCallBouncedEvent',
  'RoutePointCallTransferredEvent',
  'RoutePointCallUpdatedEvent',
  'RoutePointCallReleasedEvent',
  'RoutePointCallFailedEvent',
  'RoutePointCallOverflowedEvent',
  'RoutePointCallOriginatedEvent',
  'RoutePointOutgoingCallAnsweredEvent',
  'RoutePointSubscriptionEvent',
  'RoutePointSubscriptionResyncEvent',
  'RoutePointFailedEvent',
  'RoutePointRecoveredEvent',
  // ACD (§6.5)
  'ACDCallAddedEvent',
  'ACDCallOfferedToAgentEvent',
  'ACDWhisperStartedEvent',
  'ACDCallAnsweredByAgentEvent',
  'ACDCallAbandonedEvent',
  'ACDCallReleasedEvent',
  'ACDCallTransferredEvent',
  'ACDCallUpdatedEvent',
  'ACDCallBouncedEvent',
  'ACDCallReorderedEvent',
  'ACDCallPromotedEvent',
  'ACDCallOverflowedEvent',
  'ACDCallStrandedEvent',
  'ACDCallStrandedUnavailableEvent',
  'ACDCallEscapedEvent',
  'ACDCallForwardedEvent',
  'ACDSubscriptionEvent',
  'ACDSubscriptionResyncEvent',
  // agent (§6.6)
  'AgentStateEvent',
  'AgentSubscriptionEvent',
  'AgentDispositionCodeAddedEvent',
  'ACDAgentJoinUpdateEvent',
  // services (§6.13)
  'DoNotDisturbEvent',
  'CallForwardingAlwaysEvent',
  'CallForwardingBusyEvent',
  'CallForwardingNoAnswerEvent',
  'VoiceMessagingEvent',
  'NWayCallEvent',
  'CallTransferEvent',
  'CallParkedAgainstEvent',
  // channel / subscription (§6.14-6.15)
  'SubscriptionTerminatedEvent',
  'ChannelTerminatedEvent',
] as const;

function typeKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/event$/, '');
}

const TYPE_BY_KEY = new Map<string, string>(EVENT_TYPES.map((t) => [typeKey(t), t]));
// spellings from the flows and the §6 text (digest C §8.1)
for (const [alias, canonical] of [
  ['RoutePointOutgoingCallOriginatedEvent', 'RoutePointCallOriginatedEvent'],
  ['VoiceMesssagingEvent', 'VoiceMessagingEvent'],
  ['N-WayCallEvent', 'NWayCallEvent'],
  ['SubscriptionTerminated', 'SubscriptionTerminatedEvent'],
  ['ChannelTerminated', 'ChannelTerminatedEvent'],
] as const) {
  TYPE_BY_KEY.set(typeKey(alias), canonical);
}

/** Canonical event type for a wire spelling (any prefix, case, with or without the `Event` suffix). */
export function canonicalEventType(wire: string): string | undefined {
  const local = wire.includes(':') ? wire.slice(wire.lastIndexOf(':') + 1) : wire;
  return TYPE_BY_KEY.get(typeKey(local));
}

// ---------------------------------------------------------------------------------------------------
// inbound

const COMMON_SKIP = ['eventdata', 'payloadxml'];

function party(node: XNode | undefined): BwParty | undefined {
  if (!node) return undefined;
  const p: BwParty = {};
  const name = textOf(node, 'name');
  if (name) p.name = name;
  const address = textOf(node, 'address');
  if (address) p.address = address;
  const userId = textOf(node, 'userid');
  if (userId) p.userId = userId;
  const userDN = textOf(node, 'userdn');
  if (userDN) p.userDN = userDN;
  const callType = textOf(node, 'calltype');
  if (callType) p.callType = callType;
  if (child(node, 'privacy')) p.privacy = true;
  return p;
}

/** A BroadWorks `Call` element (event body or RetrieveCallDetails response). */
export function parseCall(node: XNode): BwCall | undefined {
  const skip = ['remoteparty', 'redirect', 'redirections', 'acdcallinfo', 'recallfromparty'];
  const callId = textOf(node, 'callid', skip);
  if (!callId) return undefined;
  const call: BwCall = { callId };
  const set = <K extends keyof BwCall>(k: K, v: BwCall[K] | undefined) => {
    if (v !== undefined) call[k] = v;
  };
  set('extTrackingId', textOf(node, 'exttrackingid', skip));
  set('networkCallId', textOf(node, 'networkcallid', skip));
  set('personality', textOf(node, 'personality', skip));
  set('state', textOf(node, 'state', skip));
  set('remoteParty', party(child(node, 'remoteparty') ?? find(node, 'remoteparty')));
  set('addressOfRecord', textOf(child(node, 'endpoint') ?? node, 'addressofrecord', ['remoteparty']));
  set('appearance', intOf(node, 'appearance', skip));
  // timestamps may sit inside an unclosed remoteParty in damaged samples: search everywhere but redirect
  const tskip = ['redirect', 'redirections'];
  set('startTime', intOf(node, 'starttime', tskip));
  set('answerTime', intOf(node, 'answertime', tskip));
  set('heldTime', intOf(node, 'heldtime', tskip));
  set('releaseTime', intOf(node, 'releasetime', tskip));
  set('detachedTime', intOf(node, 'detachedtime', tskip));
  set('totalHeldTime', intOf(node, 'totalheldtime', tskip));
  set('releasingParty', textOf(node, 'releasingparty', skip));
  const rc = child(node, 'releasecause') ?? find(node, 'releasecause', ['redirect']);
  if (rc) set('releaseCause', textOf(rc, 'internalreleasecause') ?? (rc.text || undefined));
  const redirect = child(node, 'redirect');
  if (redirect) {
    const r: NonNullable<BwCall['redirect']> = {};
    const a = textOf(redirect, 'address');
    if (a) r.address = a;
    const reason = textOf(redirect, 'reason') ?? textOf(redirect, 'redirectreason');
    if (reason) r.reason = reason;
    const t = intOf(redirect, 'redirecttime');
    if (t !== undefined) r.redirectTime = t;
    call.redirect = r;
  }
  const redirections = child(node, 'redirections');
  if (redirections) {
    call.redirections = childrenNamed(redirections, 'redirection').map((r) => {
      const out: { party?: BwParty; reason?: string } = {};
      const p = party(child(r, 'party'));
      if (p) out.party = p;
      const reason = textOf(r, 'redirectreason') ?? textOf(r, 'reason');
      if (reason) out.reason = reason;
      return out;
    });
  }
  const acd = child(node, 'acdcallinfo');
  if (acd) set('acdUserId', textOf(acd, 'acduserid'));
  if (child(node, 'allowanswer')) call.allowAnswer = true;
  if (child(node, 'allowretrieve')) call.allowRetrieve = true;
  return call;
}

function parseConference(node: XNode): BwConference {
  const conf: BwConference = { callIds: [], mutedCallIds: [] };
  const state = child(node, 'state')?.text;
  if (state) conf.state = state;
  const type = textOf(node, 'conferencetype');
  if (type) conf.conferenceType = type;
  for (const p of findAll(node, 'conferenceparticipant')) {
    const id = textOf(p, 'callid');
    if (!id) continue;
    conf.callIds.push(id);
    if (flagOf(p, 'muted')) conf.mutedCallIds.push(id);
  }
  return conf;
}

/**
 * An `ACDQueueEntry` / `RoutePointQueueEntry` (events and the Get ACD response).
 *
 * @example
 * parseQueueEntry(find(payload, 'queueentry')!); // {callId, extTrackingId?, remoteParty?, addTime?, …}
 */
export function parseQueueEntry(node: XNode): BwQueueEntry | undefined {
  const callId = textOf(node, 'callid', ['remoteparty']);
  if (!callId) return undefined;
  const q: BwQueueEntry = { callId };
  const ext = textOf(node, 'exttrackingid', ['remoteparty']);
  if (ext) q.extTrackingId = ext;
  const rp = party(child(node, 'remoteparty'));
  if (rp) q.remoteParty = rp;
  const au = textOf(node, 'answeringuserid');
  if (au) q.answeringUserId = au;
  const ac = textOf(node, 'answeringcallid');
  if (ac) q.answeringCallId = ac;
  const added = intOf(node, 'addtime', ['remoteparty']);
  if (added !== undefined) q.addTime = added;
  const acdNumber = textOf(node, 'acdnumber', ['remoteparty']);
  if (acdNumber) q.acdNumber = acdNumber;
  const acdName = textOf(node, 'acdname', ['remoteparty']);
  if (acdName) q.acdName = acdName;
  const priority = textOf(node, 'acdpriority', ['remoteparty']);
  if (priority) q.acdPriority = priority;
  return q;
}

function typeAttr(node: XNode | undefined): string | undefined {
  const t = node?.attrs['type'];
  return t ? t.slice(t.lastIndexOf(':') + 1) : undefined;
}

function parseEvent(root: XNode, repaired: boolean): BwEvent {
  const requestId = textOf(root, 'requestid', COMMON_SKIP);
  // the inner xsi:Event, if it exists (it shares its local name with the envelope)
  const payload = child(root, 'payload') ?? find(root, 'payload', ['eventdata']);
  const inner = child(payload, 'event') ?? find(payload, 'event', ['eventdata']) ?? root;
  const scope = inner === root ? root : inner;
  const eventData = find(scope, 'eventdata') ?? find(root, 'eventdata');
  const ev: BwEvent = { calls: [], queueEntries: [], repaired };
  const set = <K extends keyof BwEvent>(k: K, v: BwEvent[K] | undefined) => {
    if (v !== undefined) ev[k] = v;
  };
  set('requestId', requestId);
  set('eventId', textOf(scope, 'eventid', COMMON_SKIP) ?? textOf(root, 'eventid', COMMON_SKIP));
  const seq = intOf(scope, 'sequencenumber', COMMON_SKIP);
  if (seq !== undefined && Number.isInteger(seq)) ev.sequenceNumber = seq;
  set('userId', textOf(scope, 'userid', ['eventdata', 'remoteparty']));
  set('externalApplicationId', textOf(scope, 'externalapplicationid', COMMON_SKIP));
  set('subscriptionId', textOf(scope, 'subscriptionid', COMMON_SKIP));
  set('sharedSubscriptionId', textOf(scope, 'sharedsubscriptionid', COMMON_SKIP));
  set('channelId', textOf(scope, 'channelid', COMMON_SKIP));
  set('targetId', textOf(scope, 'targetid', COMMON_SKIP));
  set('targetSubId', textOf(scope, 'targetsubid', COMMON_SKIP));

  // event type: eventData/@type, else a child element named like an event type, else the inner type
  let wire = typeAttr(eventData);
  if (!wire || !canonicalEventType(wire)) {
    const named = eventData?.children.find((c) => canonicalEventType(c.raw));
    if (named) wire = named.raw.slice(named.raw.lastIndexOf(':') + 1);
  }
  if (!wire) {
    const t = typeAttr(inner);
    if (t && !/^subscriptionevent$/i.test(t)) wire = t;
  }
  if (wire) {
    ev.wireType = wire;
    set('type', canonicalEventType(wire));
  }
  if (!eventData) return ev;

  const body =
    eventData.children.length === 1 && canonicalEventType(eventData.children[0]!.raw)
      ? eventData.children[0]!
      : eventData;
  // calls: eventData/call, eventData/callList|calls/call
  const callNodes = [...childrenNamed(body, 'call')];
  for (const list of [...childrenNamed(body, 'calllist'), ...childrenNamed(body, 'calls')]) {
    callNodes.push(...childrenNamed(list, 'call'), ...childrenNamed(list, 'callinfo'));
  }
  for (const n of callNodes) {
    const c = parseCall(n);
    if (c) ev.calls.push(c);
  }
  const conf = child(body, 'conference');
  if (conf) ev.conference = parseConference(conf);
  set('hookStatus', textOf(body, 'hookstatus'));
  for (const q of findAll(body, 'queueentry')) {
    const e = parseQueueEntry(q);
    if (e) ev.queueEntries.push(e);
  }
  const position = intOf(body, 'position', ['queueentry']);
  if (position !== undefined && ev.queueEntries[0]) ev.queueEntries[0].position = position;
  const agentInfo = child(body, 'agentstateinfo') ?? child(body, 'stateinfo') ?? find(body, 'agentstateinfo');
  if (agentInfo) {
    const a: NonNullable<BwEvent['agent']> = {};
    const st = child(agentInfo, 'state')?.text;
    if (st) a.state = st;
    const uc = textOf(agentInfo, 'unavailablecode');
    if (uc) a.unavailableCode = uc;
    ev.agent = a;
  }
  const active = flagOf(body, 'active');
  const forwardTo = textOf(body, 'forwardtophonenumber');
  if (active !== undefined || forwardTo !== undefined) {
    ev.service = {};
    if (active !== undefined) ev.service.active = active;
    if (forwardTo !== undefined) ev.service.forwardTo = forwardTo;
  }
  set('reason', textOf(body, 'reason', ['call', 'calllist', 'calls', 'queueentry', 'redirect']));
  return ev;
}

/** Classifies one framed message. Never throws. */
export function parseInbound(text: string): Inbound {
  let root: XNode;
  let repaired = false;
  try {
    ({ root, repaired } = parseXml(text));
  } catch (err) {
    const reason =
      err instanceof XmlParseError ? err.message : `parser failure: ${(err as Error)?.message ?? err}`;
    const requestId = /<(?:[\w-]+:)?requestId>\s*([^<\s]+)\s*</i.exec(text)?.[1];
    const eventId = /<(?:[\w-]+:)?eventI[dD]>\s*([^<\s]+)\s*</.exec(text)?.[1];
    return { kind: 'garbage', reason, ...(requestId ? { requestId } : {}), ...(eventId ? { eventId } : {}) };
  }
  try {
    return classify(root, repaired);
  } catch (err) {
    return { kind: 'garbage', reason: `classification failure: ${(err as Error)?.message ?? err}` };
  }
}

function isChannelTerminated(root: XNode): boolean {
  const stack: XNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== root && canonicalEventType(n.raw) === 'ChannelTerminatedEvent') return true;
    const t = typeAttr(n);
    if (t && canonicalEventType(t) === 'ChannelTerminatedEvent') return true;
    stack.push(...n.children);
  }
  return false;
}

function classify(root: XNode, repaired: boolean): Inbound {
  const requestId = textOf(root, 'requestid', ['payload']) ?? textOf(root, 'requestid');
  switch (root.name) {
    case 'event': {
      if (isChannelTerminated(root)) {
        const out: Inbound = { kind: 'channelTerminated' };
        if (requestId) out.requestId = requestId;
        const ch = textOf(root, 'channelid');
        if (ch) out.channelId = ch;
        const reason = textOf(child(root, 'payload') ?? root, 'reason');
        if (reason) out.reason = reason;
        return out;
      }
      const event = parseEvent(root, repaired);
      if (!event.requestId || !event.eventId) {
        return {
          kind: 'garbage',
          reason: `event without ${event.requestId ? 'eventID' : 'requestId'}`,
          ...(event.requestId ? { requestId: event.requestId } : {}),
          ...(event.eventId ? { eventId: event.eventId } : {}),
        };
      }
      return { kind: 'event', event };
    }
    case 'response': {
      const statusText = textOf(root, 'statuscode', ['payload']) ?? textOf(root, 'statuscode');
      const statusCode = statusText !== undefined && /^\d{3}$/.test(statusText) ? Number(statusText) : 0;
      const out: Extract<Inbound, { kind: 'response' }> = { kind: 'response', statusCode, root };
      if (requestId) out.requestId = requestId;
      const sessionId = textOf(root, 'sessionid', ['payload']);
      if (sessionId) out.sessionId = sessionId;
      const reason = child(root, 'reason')?.text;
      if (reason) out.reason = reason;
      const ei = find(root, 'errorinfo');
      if (ei) {
        const e: BwErrorInfo = {};
        const code = textOf(ei, 'errorcode');
        if (code) e.errorCode = code;
        const s = textOf(ei, 'summary');
        if (s) e.summary = s;
        const se = textOf(ei, 'summaryenglish');
        if (se) e.summaryEnglish = se;
        out.errorInfo = e;
      }
      const payload = child(root, 'payload');
      if (payload) out.payload = payload;
      return out;
    }
    case 'keepalive': {
      const out: Inbound = { kind: 'keepalive' };
      if (requestId) out.requestId = requestId;
      const period = intOf(root, 'period');
      if (period !== undefined) out.period = period;
      return out;
    }
    case 'keepaliveresponse':
      return requestId ? { kind: 'keepaliveResponse', requestId } : { kind: 'keepaliveResponse' };
    default:
      return { kind: 'garbage', reason: `unexpected root element <${root.raw}>` };
  }
}

// ---------------------------------------------------------------------------------------------------
// outbound

export interface RequestSpec {
  /** CTI request type name (AddChannelRequest, DialRequest, ...), sent as xsi1:type on the payload. */
  type: string;
  uri: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** One element per URI wildcard, in order. */
  params: [string, string][];
  /** Inner XML of the request `payload` element (already escaped / built). */
  payloadXml?: string;
}

/** An `xsp:request` envelope carrying one CTI request. */
export function buildRequest(
  spec: RequestSpec,
  envelope: { requestId: string; credential: string; sessionId?: string; version: string },
): string {
  return message(
    el(
      'xsp:request',
      { version: envelope.version, 'xmlns:xsp': XSP_NS },
      tx('requestId', envelope.requestId),
      tx('credential', envelope.credential),
      envelope.sessionId ? tx('sessionId', envelope.sessionId) : undefined,
      el(
        'xsp:payload',
        { 'xmlns:xsi1': XSI1_NS, 'xsi1:type': spec.type },
        tx('uri', spec.uri),
        tx('method', spec.method),
        tx('version', envelope.version),
        el('params', null, ...spec.params.map(([k, v]) => tx(k, v))),
        el('payload', null, spec.payloadXml ? new RawXml(spec.payloadXml) : undefined),
      ),
    ),
  );
}

/** The `xsp:eventResponse` that acknowledges one event. */
export function buildEventResponse(
  requestId: string,
  eventId: string,
  statusCode: number,
  reason: string,
  version = ENVELOPE_VERSION,
): string {
  return message(
    el(
      'xsp:eventResponse',
      { version, 'xmlns:xsp': XSP_NS },
      tx('requestId', requestId),
      el(
        'xsp:payload',
        null,
        el(
          'xsi:EventResponse',
          { 'xmlns:xsi': XSI_NS },
          tx('xsi:eventID', eventId),
          tx('xsi:statusCode', statusCode),
          tx('xsi:reason', reason),
        ),
      ),
    ),
  );
}

/** The answer to the server's keepalive. */
export function buildKeepaliveResponse(requestId: string | undefined, version = ENVELOPE_VERSION): string {
  return message(el('xsp:keepaliveResponse', { version, 'xmlns:xsp': XSP_NS }, tx('requestId', requestId)));
}

/** A keepalive of our own. */
export function buildKeepalive(requestId: string, version = ENVELOPE_VERSION): string {
  return message(el('xsp:keepalive', { version, 'xmlns:xsp': XSP_NS }, tx('requestId', requestId)));
}

/** `<Name xmlns="xsi">` + children, for request payloads. `undefined` fields are skipped. */
export function xsiElement(
  name: string,
  fields: [string, string | number | boolean | undefined][],
  ...inner: XChild[]
): string {
  return el(name, { xmlns: XSI_NS }, ...fields.map(([k, v]) => tx(k, v)), ...inner).render();
}
