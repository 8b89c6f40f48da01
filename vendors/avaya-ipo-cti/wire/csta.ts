/**
 * CSTA ECMA-323 building blocks as IP Office CTI WebServices writes them (digest §3, §5): device
 * identifiers with the hex-ASCII `switchingSubDomainInformationElements`, connection references (a bare
 * `callID` in a role element), `servicesPermitted`, `callLinkageData`, the Avaya `AdditionalInfo`
 * extensions, and a reader of those parts for any event. The call events themselves are in
 * csta-events.ts, device and agent events in csta-device.ts.
 */
import { asciiToHex, hexToAscii } from './hex.js';
import { CSTA_NS } from './ns.js';
import { child, childrenOf, el, textOf, type XmlNode } from './xml.js';

/** A device as events name it: its number (extension or dialled number) and the IPO it is on. */
export interface DeviceRef {
  number: string;
  /** The IPO's IP in plain text; written hex-encoded as sSDIE. */
  switchIp?: string;
  connectionRate?: string;
}

/** The `callControlServices` flags, in the order the vendor's samples write them. */
export const CALL_CONTROL_SERVICES = [
  'acceptCall',
  'alternateCall',
  'answerCall',
  'callBack',
  'callBackMessage',
  'campOnCall',
  'clearCall',
  'clearConnection',
  'conferenceCall',
  'consultationCall',
  'deflectCall',
  'dialDigits',
  'directedPickupCall',
  'groupPickupCall',
  'holdCall',
  'intrudeCall',
  'joinCall',
  'makeCall',
  'makePredictiveCall',
  'parkCall',
  'reconnectCall',
  'retrieveCall',
  'sendMessage',
  'singleStepConference',
  'singleStepTransfer',
  'transferCall',
] as const;
export type CallControlService = (typeof CALL_CONTROL_SERVICES)[number];

const ESTABLISHED: CallControlService[] = [
  'alternateCall',
  'clearConnection',
  'consultationCall',
  'holdCall',
  'parkCall',
  'singleStepConference',
  'singleStepTransfer',
  'transferCall',
];

/** The services each event permits, as the samples show them (digest §3 "servicesPermitted"). */
export const PERMITTED: Readonly<Record<string, readonly CallControlService[]>> = {
  delivered: ['clearConnection', 'transferCall'],
  alerting: ['answerCall', 'clearConnection', 'transferCall'],
  established: ESTABLISHED,
  held: [...ESTABLISHED.filter((s) => s !== 'holdCall'), 'retrieveCall'],
  originated: ['clearConnection', 'dialDigits', 'makeCall'],
  queued: ['directedPickupCall'],
  none: [],
};

/**
 * A CSTA-qualified element.
 *
 * @example
 * cstaEl('cause', 'normal'); // <ns3:cause>normal</ns3:cause>
 */
export function cstaEl(
  name: string,
  content: string | (XmlNode | undefined)[] = [],
  attrs: Record<string, string | undefined> = {},
): XmlNode {
  return el(name, CSTA_NS, attrs, content);
}

/**
 * `<role><deviceIdentifier sSDIE=… typeOfNumber="dialingNumber">number</deviceIdentifier></role>`.
 *
 * @example
 * deviceElement('alertingDevice', { number: '202', switchIp: '127.0.0.1' });
 */
export function deviceElement(role: string, d: DeviceRef): XmlNode {
  return cstaEl(role, [
    cstaEl('deviceIdentifier', d.number, {
      switchingSubDomainInformationElements: d.switchIp === undefined ? undefined : asciiToHex(d.switchIp),
      connectionRate: d.connectionRate,
      typeOfNumber: 'dialingNumber',
    }),
  ]);
}

/**
 * `<role><callID>id</callID></role>` (no deviceID ever appears, digest §3).
 *
 * @example
 * connectionElement('heldConnection', id); // <heldConnection><callID>id</callID></heldConnection>
 */
export function connectionElement(role: string, callID: string): XmlNode {
  return cstaEl(role, [cstaEl('callID', callID)]);
}

/**
 * `<name><string>HEX</string></name>` for correlatorData, userData.
 *
 * @example
 * hexStringElement('userData', 'Conf 100'); // <userData><string>436F6E6620313030</string></userData>
 */
export function hexStringElement(name: string, text: string | undefined): XmlNode | undefined {
  return text === undefined ? undefined : cstaEl(name, [cstaEl('string', asciiToHex(text))]);
}

/**
 * `servicesPermitted/callControlServices`, every flag written.
 *
 * @example
 * servicesPermitted(PERMITTED.established!);
 */
export function servicesPermitted(permitted: readonly CallControlService[]): XmlNode {
  return cstaEl('servicesPermitted', [
    cstaEl(
      'callControlServices',
      CALL_CONTROL_SERVICES.filter((s) => s !== 'directedPickupCall' || permitted.includes(s)).map((s) =>
        cstaEl(s, String(permitted.includes(s))),
      ),
    ),
  ]);
}

/**
 * `callLinkageData/globalCallData` with the IPO's IP and the call's id.
 *
 * @example
 * callLinkageData('127.0.0.1', callID);
 */
export function callLinkageData(switchIp: string, linkageId: string, subDomainId = ''): XmlNode {
  return cstaEl('callLinkageData', [
    cstaEl('globalCallData', [
      cstaEl('globalCallSwitchingSubDomainName', switchIp),
      cstaEl('globalCallLinkageID', [
        cstaEl('globallyUniqueCallLinkageID', linkageId),
        cstaEl('subDomainCallLinkageID', subDomainId),
      ]),
    ]),
  ]);
}

// ------------------------------------------------------------------ AdditionalInfo

/** AdditionalInfo `intValue`s (digest §3). */
export const ADDITIONAL_INFO = {
  CALLREQUEST: 0,
  CALLRECORDING: 1,
  RECORDINGMANUALLY: 2,
  ISCONFERENCECALL: 3,
  ADDITIONALCALLINFO: 4,
  ADDITIONALCONFERENCEINFO: 5,
  ADDITIONALEVENTINFO: 6,
  ADDITIONALUSERINFO: 7,
} as const;

export interface PartyInfoAttrs {
  callerName?: string;
  external: boolean;
  number: string;
}

export interface ConferenceParticipant {
  participantId: string;
  participantNumber: string;
  participantName?: string;
  participantFullName?: string;
  isExternal: boolean;
  isOnHook?: boolean;
  callState: string;
}

/** The AdditionalInfo content a builder may add; each present key becomes one `additionalInfo`. */
export interface AdditionalInfoInput {
  recording?: { callRecording: boolean; manually: boolean };
  isConference?: boolean;
  callInfo?: { calling?: PartyInfoAttrs; called?: PartyInfoAttrs; callDuration?: number };
  conference?: { participants: ConferenceParticipant[] };
  eventInfo?: { timestamp: number; zone?: string };
  userInfo?: { fullname: string; username: string; userExtension: string; physicalExtension: string };
}

const info = (intValue: number, flag: boolean, content: XmlNode[] = []) =>
  el(
    'additionalInfo',
    undefined,
    { stringData: 'EXTENDEDSERVICES', intValue: String(intValue), booleanFlag: String(flag) },
    content,
  );
const party = (name: string, p: PartyInfoAttrs) =>
  el(name, undefined, { callerName: p.callerName, external: String(p.external), number: p.number });

/**
 * `extensions/privateData{string, private{additionalInfo*}}`; undefined when there is nothing to say.
 *
 * @example
 * extensionsElement({ eventInfo: { timestamp: Date.now(), zone: '0:0' } }, '127.0.0.1');
 */
export function extensionsElement(a: AdditionalInfoInput, privateString?: string): XmlNode | undefined {
  const items: XmlNode[] = [];
  if (a.recording) {
    items.push(info(1, a.recording.callRecording), info(2, a.recording.manually));
    items.push(info(3, a.isConference ?? false));
  } else if (a.isConference !== undefined) items.push(info(3, a.isConference));
  if (a.callInfo) {
    const c = a.callInfo;
    items.push(
      info(4, true, [
        el('additionalCallInfo', undefined, {}, [
          c.calling ? party('callingPartyInfo', c.calling) : undefined,
          c.called ? party('calledPartyInfo', c.called) : undefined,
          c.callDuration === undefined
            ? undefined
            : el('callDuration', undefined, {}, String(c.callDuration)),
        ]),
      ]),
    );
  }
  if (a.conference) {
    const participants = a.conference.participants.map((p) =>
      el(
        'participants',
        undefined,
        {
          isOnHook: String(p.isOnHook ?? false),
          callState: p.callState,
          isExternal: String(p.isExternal),
          participantFullName: p.participantFullName,
          participantName: p.participantName ?? p.participantNumber,
          participantNumber: p.participantNumber,
          participantId: p.participantId,
        },
        [el('otherEndAnonymousType', undefined, {}, 'None')],
      ),
    );
    items.push(info(5, true, [el('additionalConferenceInfo', undefined, {}, participants)]));
  }
  if (a.eventInfo) {
    items.push(
      info(6, true, [
        el('additionalEventInfo', undefined, {
          zone: a.eventInfo.zone,
          timestamp: String(a.eventInfo.timestamp),
        }),
      ]),
    );
  }
  if (a.userInfo) items.push(info(7, true, [el('additionalUserInfo', undefined, { ...a.userInfo })]));
  if (items.length === 0 && privateString === undefined) return undefined;
  return cstaEl('extensions', [
    cstaEl('privateData', [
      privateString === undefined ? undefined : cstaEl('string', asciiToHex(privateString)),
      cstaEl('private', items),
    ]),
  ]);
}

/** One `additionalInfo` as read: its number, flag and content element (if any). */
export interface AdditionalInfoItem {
  intValue: number | undefined;
  booleanFlag: boolean;
  stringData?: string;
  content?: XmlNode;
}

/**
 * Every `additionalInfo` of an event or request, in document order; any order, any count, unknown
 * `intValue`s kept (rule 18). `privateData/string` is optional and may precede `private`.
 *
 * @example
 * readAdditionalInfo(eventNode).find((i) => i.intValue === 6)?.content?.attrs.timestamp;
 */
export function readAdditionalInfo(node: XmlNode | undefined): AdditionalInfoItem[] {
  const priv = child(node, 'extensions', 'privateData', 'private');
  return childrenOf(priv, 'additionalInfo').map((a) => {
    const n = Number(a.attrs.intValue);
    const item: AdditionalInfoItem = {
      intValue: a.attrs.intValue !== undefined && Number.isInteger(n) ? n : undefined,
      booleanFlag: a.attrs.booleanFlag === 'true',
    };
    if (a.attrs.stringData !== undefined) item.stringData = a.attrs.stringData;
    if (a.children[0]) item.content = a.children[0];
    return item;
  });
}

// ------------------------------------------------------------------ readers

/**
 * The callID inside a role element (`droppedConnection`, `connection`, …), white space removed.
 *
 * @example
 * callIdOf(event.node, 'droppedConnection'); // the callID, line wraps removed
 */
export function callIdOf(node: XmlNode | undefined, role: string): string | undefined {
  const id = textOf(node, role, 'callID');
  return id === undefined ? undefined : id.replace(/\s+/g, '');
}

/**
 * A device role's number and decoded sSDIE; undefined when the role is absent.
 *
 * @example
 * deviceOf(event.node, 'alertingDevice'); // { number: '202', switchIp: '148.147.206.180' }
 */
export function deviceOf(node: XmlNode | undefined, role: string): DeviceRef | undefined {
  const r = child(node, role);
  if (!r) return undefined;
  const id = child(r, 'deviceIdentifier') ?? child(r, 'numberDialed') ?? r;
  const d: DeviceRef = { number: id.text };
  const ssdie = id.attrs.switchingSubDomainInformationElements;
  const ip = ssdie ? hexToAscii(ssdie) : undefined;
  if (ip) d.switchIp = ip;
  if (id.attrs.connectionRate !== undefined) d.connectionRate = id.attrs.connectionRate;
  return d;
}

/**
 * A decoded `<name><string>HEX</string></name>`; undefined when absent, empty or not hex.
 *
 * @example
 * hexStringOf(event.node, 'correlatorData'); // the decoded UUID
 */
export function hexStringOf(node: XmlNode | undefined, name: string): string | undefined {
  const raw = textOf(node, name, 'string');
  if (!raw) return undefined;
  return hexToAscii(raw);
}
