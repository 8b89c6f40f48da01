/**
 * Builders of the CSTA call events the IP Office CTI WebServices send (digest §5; field order as in the
 * vendor's samples): ServiceInitiated, Originated, Delivered, Established, Held, Retrieved,
 * ConnectionCleared, CallCleared, Failed, Queued, Transfered (ECMA-323 spelling) and Conferenced. Each
 * returns the event element; the simulator puts it in an `Events` frame (events.ts).
 */
import {
  callLinkageData,
  connectionElement,
  cstaEl,
  deviceElement,
  extensionsElement,
  hexStringElement,
  PERMITTED,
  servicesPermitted,
  type AdditionalInfoInput,
  type DeviceRef,
} from './csta.js';
import type { XmlNode } from './xml.js';

/** What every call event carries. */
export interface CallEventCommon {
  monitorCrossRefID: string;
  callID: string;
  /** The IPO's IP (callLinkageData). */
  switchIp: string;
  cause?: string;
  additional?: AdditionalInfoInput;
  /** userData text (hex-encoded on the wire). */
  userData?: string;
}

export interface PartiesInput {
  callingDevice?: DeviceRef;
  calledDevice?: DeviceRef;
  lastRedirectionDevice?: DeviceRef;
}

const media = () =>
  cstaEl('mediaCallCharacteristics', [
    cstaEl('mediaClass', [cstaEl('audio', 'true'), cstaEl('chat', 'false')]),
  ]);

function parties(p: PartiesInput): (XmlNode | undefined)[] {
  return [
    p.callingDevice ? deviceElement('callingDevice', p.callingDevice) : undefined,
    p.calledDevice ? deviceElement('calledDevice', p.calledDevice) : undefined,
    cstaEl('lastRedirectionDevice', [
      cstaEl('numberDialed', p.lastRedirectionDevice?.number ?? '', { typeOfNumber: 'dialingNumber' }),
    ]),
  ];
}

function tail(
  c: CallEventCommon,
  permitted: string,
  extra: (XmlNode | undefined)[] = [],
): (XmlNode | undefined)[] {
  return [
    hexStringElement('userData', c.userData),
    cstaEl('cause', c.cause ?? 'normal'),
    servicesPermitted(PERMITTED[permitted] ?? []),
    media(),
    ...extra,
    callLinkageData(c.switchIp, c.callID),
    cstaEl('subjectOfCall'),
    c.additional ? extensionsElement(c.additional) : undefined,
  ];
}

/**
 * @example
 * serviceInitiatedEvent({ monitorCrossRefID: m, callID: id, switchIp: ip, initiatingDevice: { number: '1001' }, correlatorData: id });
 */
export function serviceInitiatedEvent(
  c: CallEventCommon & { initiatingDevice: DeviceRef; correlatorData?: string },
): XmlNode {
  return cstaEl('ServiceInitiatedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('initiatedConnection', c.callID),
    deviceElement('initiatingDevice', c.initiatingDevice),
    cstaEl('localConnectionInfo', 'initiated'),
    hexStringElement('correlatorData', c.correlatorData),
    cstaEl('cause', c.cause ?? 'normal'),
    servicesPermitted(PERMITTED.originated!),
    callLinkageData(c.switchIp, c.callID),
    c.additional ? extensionsElement(c.additional) : undefined,
  ]);
}

/** @example originatedEvent({ ...common, callingDevice: { number: '1001' }, calledDevice: { number: '1002' } }) */
export function originatedEvent(c: CallEventCommon & PartiesInput): XmlNode {
  return cstaEl('OriginatedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('originatedConnection', c.callID),
    ...parties(c),
    cstaEl('localConnectionInfo', 'connected'),
    ...tail(c, 'originated'),
  ]);
}

/** @example deliveredEvent({ ...common, alertingDevice: { number: '1002' }, callingDevice, calledDevice, alerting: true }) */
export function deliveredEvent(
  c: CallEventCommon & PartiesInput & { alertingDevice: DeviceRef; alerting?: boolean },
): XmlNode {
  return cstaEl('DeliveredEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('connection', c.callID),
    deviceElement('alertingDevice', c.alertingDevice),
    ...parties(c),
    cstaEl('localConnectionInfo', c.alerting ? 'alerting' : 'connected'),
    ...tail(c, c.alerting ? 'alerting' : 'delivered'),
  ]);
}

/** @example establishedEvent({ ...common, answeringDevice: { number: '1002' }, callingDevice, calledDevice }) */
export function establishedEvent(
  c: CallEventCommon & PartiesInput & { answeringDevice: DeviceRef },
): XmlNode {
  return cstaEl('EstablishedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('establishedConnection', c.callID),
    deviceElement('answeringDevice', c.answeringDevice),
    ...parties(c),
    cstaEl('localConnectionInfo', 'connected'),
    ...tail(c, 'established', [
      cstaEl('callCharacteristics', [cstaEl('voiceUnitCall', 'false')]),
      cstaEl('establishedConnectionInfo', [cstaEl('flowDirection', 'transmitAndReceive')]),
    ]),
  ]);
}

/** @example heldEvent({ ...common, holdingDevice: { number: '1001' }, correlatorData: id }) */
export function heldEvent(
  c: CallEventCommon & { holdingDevice: DeviceRef; correlatorData?: string },
): XmlNode {
  return cstaEl('HeldEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('heldConnection', c.callID),
    deviceElement('holdingDevice', c.holdingDevice),
    cstaEl('localConnectionInfo', 'null'),
    hexStringElement('correlatorData', c.correlatorData),
    ...tail(c, 'held'),
  ]);
}

/** @example retrievedEvent({ ...common, retrievingDevice: { number: '1001' } }) */
export function retrievedEvent(
  c: CallEventCommon & { retrievingDevice: DeviceRef; correlatorData?: string },
): XmlNode {
  return cstaEl('RetrievedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('retrievedConnection', c.callID),
    deviceElement('retrievingDevice', c.retrievingDevice),
    cstaEl('localConnectionInfo', 'null'),
    hexStringElement('correlatorData', c.correlatorData),
    ...tail(c, 'established', [
      cstaEl('retrievedConnectionInfo', [cstaEl('flowDirection', 'transmitAndReceive')]),
    ]),
  ]);
}

/** @example connectionClearedEvent({ ...common, releasingDevice: { number: '1002' }, cause: 'normal' }) */
export function connectionClearedEvent(c: CallEventCommon & { releasingDevice: DeviceRef }): XmlNode {
  return cstaEl('ConnectionClearedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('droppedConnection', c.callID),
    deviceElement('releasingDevice', c.releasingDevice),
    cstaEl('localConnectionInfo', 'null'),
    ...tail(c, 'none'),
  ]);
}

/** @example callClearedEvent({ ...common, cause: 'normal' }) */
export function callClearedEvent(c: CallEventCommon): XmlNode {
  return cstaEl('CallClearedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('clearedCall', c.callID),
    cstaEl('localConnectionInfo', 'null'),
    ...tail(c, 'none'),
  ]);
}

/**
 * FailedEvent; written `failedConnection` (the vendor's sample misspells it `failedConnetion`, L3749,
 * readers accept both).
 *
 * @example
 * failedEvent({ ...common, failingDevice: { number: '1009' }, cause: 'destNotObtainable' });
 */
export function failedEvent(c: CallEventCommon & PartiesInput & { failingDevice: DeviceRef }): XmlNode {
  return cstaEl('FailedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('failedConnection', c.callID),
    deviceElement('failingDevice', c.failingDevice),
    ...parties(c),
    cstaEl('localConnectionInfo', 'connected'),
    ...tail(c, 'none'),
  ]);
}

/**
 * Queued (park: `cause=park`, `localConnectionInfo=queued`, rule 19).
 *
 * @example
 * queuedEvent({ ...common, queue: { number: '2001' }, cause: 'park' });
 */
export function queuedEvent(c: CallEventCommon & PartiesInput & { queue: DeviceRef }): XmlNode {
  return cstaEl('QueuedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('queuedConnection', c.callID),
    deviceElement('queue', c.queue),
    ...parties(c),
    cstaEl('localConnectionInfo', 'queued'),
    ...tail({ ...c, cause: c.cause ?? 'park' }, 'queued'),
  ]);
}

export interface ConnectionListItem {
  newCall: string;
  oldCall?: string;
  device: string;
  flowDirection?: 'transmitAndReceive' | 'none';
  mediaSessionInfo?: string;
}

function connectionList(name: string, items: ConnectionListItem[]): XmlNode {
  return cstaEl(
    name,
    items.map((i) =>
      cstaEl('connectionListItem', [
        connectionElement('newConnection', i.newCall),
        i.oldCall === undefined ? undefined : connectionElement('oldConnection', i.oldCall),
        cstaEl('endpoint', [cstaEl('deviceID', i.device)]),
        cstaEl('resultingConnectionInfo', [
          cstaEl('flowDirection', i.flowDirection ?? 'transmitAndReceive'),
          i.mediaSessionInfo === undefined ? undefined : cstaEl('mediaSessionInfo', i.mediaSessionInfo),
        ]),
      ]),
    ),
  );
}

/**
 * TransferedEvent (ECMA-323 spelling, as the vendor's category list writes it; no sample in the doc).
 *
 * @example
 * transferedEvent({ monitorCrossRefID: m, switchIp: ip, primaryOldCall: a, secondaryOldCall: b, transferringDevice, transferredToDevice, connections });
 */
export function transferedEvent(c: {
  monitorCrossRefID: string;
  switchIp: string;
  primaryOldCall: string;
  secondaryOldCall: string;
  transferringDevice: DeviceRef;
  transferredToDevice: DeviceRef;
  connections: ConnectionListItem[];
  additional?: AdditionalInfoInput;
}): XmlNode {
  return cstaEl('TransferedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('primaryOldCall', c.primaryOldCall),
    connectionElement('secondaryOldCall', c.secondaryOldCall),
    deviceElement('transferringDevice', c.transferringDevice),
    deviceElement('transferredToDevice', c.transferredToDevice),
    connectionList('transferredConnections', c.connections),
    cstaEl('localConnectionInfo', 'null'),
    cstaEl('cause', 'transfer'),
    c.additional ? extensionsElement(c.additional) : undefined,
  ]);
}

/**
 * ConferencedEvent, re-sent on every change (L2920-3336): the current connections (a leaving one with
 * `flowDirection=none`); at the end of the conference no `conferenceConnections` at all (rule 15).
 * `correlatorData` is the conference id, `userData` its name ("Conf 100").
 *
 * @example
 * conferencedEvent({ monitorCrossRefID: m, switchIp: ip, conferenceId: id, connections, conferencingDevice: { number: '1001' } });
 */
export function conferencedEvent(c: {
  monitorCrossRefID: string;
  switchIp: string;
  conferenceId: string;
  conferenceName?: string;
  conferencingDevice?: DeviceRef;
  addedParty?: DeviceRef;
  /** Undefined for the conference-ended event. */
  connections?: ConnectionListItem[];
  additional?: AdditionalInfoInput;
}): XmlNode {
  const ended = c.connections === undefined;
  return cstaEl('ConferencedEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    cstaEl('primaryOldCall', [cstaEl('callID')]),
    cstaEl('secondaryOldCall', [cstaEl('callID')]),
    deviceElement('conferencingDevice', c.conferencingDevice ?? { number: '', switchIp: '' }),
    deviceElement('addedParty', c.addedParty ?? { number: '', switchIp: '', connectionRate: '-1' }),
    ended ? undefined : connectionList('conferenceConnections', c.connections!),
    cstaEl('localConnectionInfo', ended ? 'null' : 'connected'),
    hexStringElement('correlatorData', c.conferenceId),
    hexStringElement('userData', c.conferenceName),
    cstaEl('cause', 'conference'),
    cstaEl('servicesPermitted'),
    cstaEl('languagePreferences', '3:0'),
    c.additional ? extensionsElement(c.additional, 'false') : undefined,
  ]);
}
