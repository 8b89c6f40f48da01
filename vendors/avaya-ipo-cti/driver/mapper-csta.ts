/**
 * Reading the CSTA ECMA-323 events of the IP Office CTI WebServices into plain records the mapper
 * works on. Everything here is lenient: elements are found by local name (prefixes vary between the
 * vendor's samples), a missing field is `undefined`, hex-ASCII fields that do not decode are dropped,
 * and the AdditionalInfo list is read in any order and count (L2899-2901). Nothing here throws.
 *
 * The field-by-field table is in docs/protocols/avaya-ipo-cti.md, "Mapping (CSTA → event model)".
 */
import { hexToAscii } from '../wire/hex.js';
import type { XmlNode } from '../wire/xml.js';
import { isoFromMs, sameDevice } from './mapper-codes.js';

/** The first direct child with this local name (the first of `names` that is present). */
export function kid(node: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
  if (!node) return undefined;
  for (const n of names) {
    const c = node.children.find((x) => x.name === n);
    if (c) return c;
  }
  return undefined;
}

/** Every direct child with this local name. */
export function kids(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The trimmed text at `path`, undefined when absent or empty. */
export function text(node: XmlNode | undefined, ...path: string[]): string | undefined {
  let cur = node;
  for (const p of path) cur = kid(cur, p);
  const t = cur?.text?.trim();
  return t ? t : undefined;
}

/**
 * A CSTA device reference (`callingDevice`, `alertingDevice`, `releasingDevice`, ...): the text of its
 * `deviceIdentifier` (`numberDialed` in `lastRedirectionDevice`), or its own text (request forms and
 * `acdGroup` carry the number directly).
 */
export function deviceOf(node: XmlNode | undefined, role: string): string | undefined {
  const r = kid(node, role);
  if (!r) return undefined;
  return text(r, 'deviceIdentifier') ?? text(r, 'deviceID') ?? text(r, 'numberDialed') ?? text(r);
}

/** The `callID` of a connection role (`connection`, `droppedConnection`, ...). Ids keep inner spaces. */
export function callIdOf(node: XmlNode | undefined, ...roles: string[]): string | undefined {
  for (const r of roles) {
    const c = kid(node, r);
    if (!c) continue;
    const id = text(c, 'callID') ?? text(c, 'callId');
    if (id) return id;
  }
  return undefined;
}

/** A hex-ASCII `string` field (`correlatorData`, `userData`, `privateData`) decoded; undefined if not hex. */
export function hexField(node: XmlNode | undefined, role: string): string | undefined {
  const raw = text(kid(node, role), 'string') ?? text(node, role);
  if (!raw) return undefined;
  const s = hexToAscii(raw)?.trim();
  return s ? s : undefined;
}

/** The placeholder IP Office writes where no linkage exists (L4198). */
const NO_LINKAGE = /^no\s+call\s+linkage$/i;

/**
 * `callLinkageData/globalCallData/globalCallLinkageID/globallyUniqueCallLinkageID` (also inside
 * CallInformationEvent's `callLinkageDataList/newCallLinkageData`), without the `no call linkage`
 * placeholder.
 */
export function linkageOf(node: XmlNode | undefined): string | undefined {
  const data = kid(node, 'callLinkageData') ?? kid(kid(node, 'callLinkageDataList'), 'newCallLinkageData');
  const id = text(kid(kid(data, 'globalCallData'), 'globalCallLinkageID'), 'globallyUniqueCallLinkageID');
  return id && !NO_LINKAGE.test(id) ? id : undefined;
}

/** The service flags that are `true` in `servicesPermitted/callControlServices`. */
export function permittedOf(node: XmlNode | undefined): Set<string> {
  const out = new Set<string>();
  for (const c of kid(kid(node, 'servicesPermitted'), 'callControlServices')?.children ?? [])
    if (c.text.trim().toLowerCase() === 'true') out.add(c.name);
  return out;
}

/** One party of ADDITIONALCALLINFO (`callingPartyInfo` / `calledPartyInfo`). */
export interface PartyInfo {
  number?: string;
  name?: string;
  external?: boolean;
}

/** A participant of ADDITIONALCONFERENCEINFO. */
export interface Participant {
  id?: string;
  number?: string;
  name?: string;
  callState?: string;
  external?: boolean;
}

/** What the AdditionalInfo list of `extensions/privateData/private` says (digest §3 table). */
export interface AdditionalInfo {
  calling?: PartyInfo;
  called?: PartyInfo;
  /** ADDITIONALEVENTINFO `@timestamp` as ISO 8601. */
  at?: string;
  participants: Participant[];
  /** ADDITIONALUSERINFO. */
  user?: { fullName?: string; userExtension?: string; physicalExtension?: string };
  /** Flags 1-3 (CALLRECORDING, RECORDINGMANUALLY, ISCONFERENCECALL) by intValue. */
  flags: Map<number, boolean>;
}

const attr = (n: XmlNode | undefined, a: string): string | undefined => {
  const v = n?.attrs[a]?.trim();
  return v ? v : undefined;
};
const bool = (v: string | undefined): boolean | undefined =>
  v === undefined ? undefined : v.toLowerCase() === 'true';

function party(n: XmlNode | undefined): PartyInfo | undefined {
  if (!n) return undefined;
  const p: PartyInfo = {};
  const number = attr(n, 'number');
  const name = attr(n, 'callerName');
  const external = bool(attr(n, 'external'));
  if (number) p.number = number;
  if (name) p.name = name;
  if (external !== undefined) p.external = external;
  return p;
}

/**
 * Every `additionalInfo` of the event, by its content element rather than its position; an unknown
 * `intValue` or content is skipped.
 *
 * @example
 * additionalInfoOf(event).calling; // { number: '1201', name: 'Uday', external: false }
 */
export function additionalInfoOf(node: XmlNode | undefined): AdditionalInfo {
  const out: AdditionalInfo = { participants: [], flags: new Map() };
  const priv = kid(kid(kid(node, 'extensions'), 'privateData'), 'private');
  for (const info of kids(priv, 'additionalInfo')) {
    const n = Number(attr(info, 'intValue'));
    const flag = bool(attr(info, 'booleanFlag'));
    if (n >= 1 && n <= 3 && flag !== undefined) out.flags.set(n, flag);
    for (const c of info.children) {
      if (c.name === 'additionalCallInfo') {
        out.calling = party(kid(c, 'callingPartyInfo')) ?? out.calling;
        out.called = party(kid(c, 'calledPartyInfo')) ?? out.called;
      } else if (c.name === 'additionalConferenceInfo') {
        for (const p of kids(c, 'participants')) {
          const part: Participant = {};
          const id = attr(p, 'participantId');
          const number = attr(p, 'participantNumber');
          const name = attr(p, 'participantFullName') ?? attr(p, 'participantName');
          const state = attr(p, 'callState');
          const external = bool(attr(p, 'isExternal'));
          if (id) part.id = id;
          if (number) part.number = number;
          if (name) part.name = name;
          if (state) part.callState = state;
          if (external !== undefined) part.external = external;
          out.participants.push(part);
        }
      } else if (c.name === 'additionalEventInfo') {
        out.at = isoFromMs(attr(c, 'timestamp')) ?? out.at;
      } else if (c.name === 'additionalUserInfo') {
        out.user = {};
        const fullName = attr(c, 'fullname');
        const userExtension = attr(c, 'userExtension');
        const physicalExtension = attr(c, 'physicalExtension');
        if (fullName) out.user.fullName = fullName;
        if (userExtension) out.user.userExtension = userExtension;
        if (physicalExtension) out.user.physicalExtension = physicalExtension;
      }
    }
  }
  return out;
}

/** The call events the mapper turns into `call.*`, by event element name (both transfer spellings). */
export const CALL_EVENTS = {
  ServiceInitiatedEvent: 'initiated',
  OriginatedEvent: 'originated',
  DeliveredEvent: 'delivered',
  EstablishedEvent: 'established',
  HeldEvent: 'held',
  RetrievedEvent: 'retrieved',
  ConnectionClearedEvent: 'cleared',
  CallClearedEvent: 'callCleared',
  FailedEvent: 'failed',
  TransferedEvent: 'transferred',
  TransferredEvent: 'transferred',
  DivertedEvent: 'diverted',
} as const;
export type CallEventKind = (typeof CALL_EVENTS)[keyof typeof CALL_EVENTS];

/** A `connectionListItem` of a Conferenced or Transferred event. */
export interface ListedConnection {
  id?: string;
  oldId?: string;
  endpoint?: string;
  flow?: string;
}

/** One CSTA call event, read. */
export interface CstaCall {
  kind: CallEventKind;
  /** The connection the event is about (its role element differs per event). */
  callId?: string;
  linkage?: string;
  /** `correlatorData` decoded (the request's correlator; the conference id on Conferenced). */
  correlator?: string;
  cause?: string;
  localConnectionInfo?: string;
  calling?: string;
  called?: string;
  alerting?: string;
  answering?: string;
  /** The device that acted: holding, retrieving, releasing, failing, initiating, diverting-to. */
  actor?: string;
  lastRedirection?: string;
  permitted: Set<string>;
  info: AdditionalInfo;
  /** Transferred: the old calls, the devices and the resulting connections. */
  primaryOld?: string;
  secondaryOld?: string;
  transferring?: string;
  transferredTo?: string;
  connections: ListedConnection[];
}

/** The connection role each call event names its callID in (`failedConnetion`: the L3749 misspelling). */
const CONNECTION_ROLES: Record<CallEventKind, string[]> = {
  initiated: ['initiatedConnection'],
  originated: ['originatedConnection'],
  delivered: ['connection'],
  established: ['establishedConnection'],
  held: ['heldConnection'],
  retrieved: ['retrievedConnection'],
  cleared: ['droppedConnection'],
  callCleared: ['clearedCall'],
  failed: ['failedConnection', 'failedConnetion'],
  transferred: ['primaryOldCall'],
  diverted: ['connection'],
};

const ACTOR_ROLES: Partial<Record<CallEventKind, string>> = {
  initiated: 'initiatingDevice',
  held: 'holdingDevice',
  retrieved: 'retrievingDevice',
  cleared: 'releasingDevice',
  failed: 'failingDevice',
  diverted: 'newDestination',
};

/** The connections of `conferenceConnections` / `transferredConnections`. */
export function listedConnections(list: XmlNode | undefined): ListedConnection[] {
  return kids(list, 'connectionListItem').map((item) => {
    const c: ListedConnection = {};
    const id = callIdOf(item, 'newConnection');
    const oldId = callIdOf(item, 'oldConnection');
    const endpoint = text(kid(item, 'endpoint'), 'deviceID') ?? deviceOf(item, 'endpoint');
    const flow = text(kid(item, 'resultingConnectionInfo'), 'flowDirection');
    if (id) c.id = id;
    if (oldId) c.oldId = oldId;
    if (endpoint) c.endpoint = endpoint;
    if (flow) c.flow = flow;
    return c;
  });
}

/**
 * Reads one call event.
 *
 * @example
 * readCall('delivered', deliveredNode).alerting; // '202'
 */
export function readCall(kind: CallEventKind, node: XmlNode): CstaCall {
  const out: CstaCall = {
    kind,
    permitted: permittedOf(node),
    info: additionalInfoOf(node),
    connections: [],
  };
  const set = <K extends keyof CstaCall>(k: K, v: CstaCall[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('callId', callIdOf(node, ...CONNECTION_ROLES[kind]));
  set('linkage', linkageOf(node));
  set('correlator', hexField(node, 'correlatorData'));
  set('cause', text(node, 'cause'));
  set('localConnectionInfo', text(node, 'localConnectionInfo'));
  set('calling', deviceOf(node, 'callingDevice'));
  set('called', deviceOf(node, 'calledDevice'));
  set('alerting', deviceOf(node, 'alertingDevice'));
  set('answering', deviceOf(node, 'answeringDevice'));
  const actor = ACTOR_ROLES[kind];
  if (actor) set('actor', deviceOf(node, actor));
  set('lastRedirection', deviceOf(node, 'lastRedirectionDevice'));
  if (kind === 'transferred') {
    set('primaryOld', callIdOf(node, 'primaryOldCall'));
    set('secondaryOld', callIdOf(node, 'secondaryOldCall'));
    set('transferring', deviceOf(node, 'transferringDevice'));
    set('transferredTo', deviceOf(node, 'transferredToDevice'));
    out.connections = listedConnections(kid(node, 'transferredConnections'));
  }
  return out;
}

/**
 * The far end and the direction a call event gives for `user`'s leg: the calling device for the
 * alerting or answering side, else the alerting / answering / called device.
 *
 * @example
 * remoteOf('202', delivered); // { address: '201', inbound: true } (202 is the alerting device)
 */
export function remoteOf(user: string, ev: CstaCall): { address?: string; inbound?: boolean } {
  const mine = (d: string | undefined) => sameDevice(d, user);
  switch (ev.kind) {
    case 'delivered':
    case 'diverted':
      if (mine(ev.alerting)) return { address: ev.calling, inbound: true };
      return { address: ev.alerting ?? ev.called, inbound: !mine(ev.calling) && mine(ev.called) };
    case 'established':
      if (mine(ev.answering))
        return mine(ev.calling)
          ? { address: ev.called, inbound: false }
          : { address: ev.calling, inbound: true };
      return { address: ev.answering ?? ev.called, inbound: false };
    case 'initiated':
    case 'originated':
      return { address: ev.called, inbound: false };
    case 'failed':
      return mine(ev.calling)
        ? { address: ev.called, inbound: false }
        : { address: ev.calling, inbound: true };
    default:
      return {};
  }
}

/**
 * The caller name ADDITIONALCALLINFO gives for `address`.
 *
 * @example
 * nameOf(ev, '1201'); // 'Uday'
 */
export function nameOf(ev: CstaCall, address: string | undefined): string | undefined {
  if (!address) return undefined;
  for (const p of [ev.info.calling, ev.info.called])
    if (p?.name && sameDevice(p.number, address)) return p.name;
  return undefined;
}
