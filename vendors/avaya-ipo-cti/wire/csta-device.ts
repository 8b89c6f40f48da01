/**
 * Device, agent and snapshot documents of the IP Office CTI WebServices (digest §2.3, §4.2, §5):
 * OutOfService/BackInService, Hookswitch, DoNotDisturb, Forwarding, the agent events, the synchronous
 * `GetAgentStateResponse` (build and parse) and the snapshot's CallInformationEvent.
 */
import {
  callLinkageData,
  connectionElement,
  cstaEl,
  deviceElement,
  extensionsElement,
  PERMITTED,
  servicesPermitted,
  type AdditionalInfoInput,
  type DeviceRef,
} from './csta.js';
import type { CstaAgentState } from './requests.js';
import { CSTA_NS } from './ns.js';
import { child, childrenOf, parseXml, textOf, writeXml, type XmlLimits, type XmlNode } from './xml.js';

/**
 * OutOfServiceEvent (phone logoff, IPO failover: `cause=numberUnallocated`, empty physicalExtension) or
 * BackInServiceEvent (phone logon: `cause=normal`), with AdditionalInfo 6 and 7 (L1521-1642, L8386-8447).
 *
 * @example
 * serviceStateEvent('OutOfServiceEvent', { monitorCrossRefID: m, device: { number: '1001', switchIp: ip }, user });
 */
export function serviceStateEvent(
  name: 'OutOfServiceEvent' | 'BackInServiceEvent',
  c: {
    monitorCrossRefID: string;
    device: DeviceRef;
    user: { fullname: string; username: string; userExtension: string; physicalExtension: string };
    timestamp: number;
    zone?: string;
  },
): XmlNode {
  const out = name === 'OutOfServiceEvent';
  const userInfo = { ...c.user, physicalExtension: out ? '' : c.user.physicalExtension };
  return cstaEl(name, [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    deviceElement('device', c.device),
    cstaEl('cause', out ? 'numberUnallocated' : 'normal'),
    extensionsElement({ eventInfo: { timestamp: c.timestamp, zone: c.zone }, userInfo }, c.device.switchIp),
  ]);
}

/** @example hookswitchEvent({ monitorCrossRefID: m, device: { number: '201' }, onHook: false }) */
export function hookswitchEvent(c: {
  monitorCrossRefID: string;
  device: DeviceRef;
  onHook: boolean;
}): XmlNode {
  return cstaEl('HookswitchEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    deviceElement('device', c.device),
    cstaEl('hookswitchOnHook', String(c.onHook)),
  ]);
}

/** @example doNotDisturbEvent({ monitorCrossRefID: m, device: { number: '202' }, on: false }) */
export function doNotDisturbEvent(c: { monitorCrossRefID: string; device: DeviceRef; on: boolean }): XmlNode {
  return cstaEl('DoNotDisturbEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    deviceElement('device', c.device),
    cstaEl('doNotDisturbOn', String(c.on)),
    cstaEl('callingDeviceList'),
  ]);
}

/** CSTA forwarding types the simulator maps (ECMA-323). */
export type CstaForwardingType = 'forwardImmediate' | 'forwardBusy' | 'forwardNoAns';

/** @example forwardingEvent({ monitorCrossRefID: m, device: { number: '202' }, type: 'forwardImmediate', on: false }) */
export function forwardingEvent(c: {
  monitorCrossRefID: string;
  device: DeviceRef;
  type: string;
  on: boolean;
  to?: string;
}): XmlNode {
  return cstaEl('ForwardingEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    deviceElement('device', c.device),
    cstaEl('forwardingType', c.type),
    cstaEl('forwardStatus', String(c.on)),
    cstaEl('forwardTo', c.to ?? '', { typeOfNumber: 'dialingNumber' }),
  ]);
}

/** The agent event names (L5106-5202, and the categorised ones with no sample). */
export type AgentEventName =
  | 'AgentLoggedOnEvent'
  | 'AgentLoggedOffEvent'
  | 'AgentReadyEvent'
  | 'AgentNotReadyEvent'
  | 'AgentWorkingAfterCallEvent'
  | 'AgentBusyEvent';

/** @example agentEvent('AgentReadyEvent', { monitorCrossRefID: m, agentDevice: { number: '1003' }, acdGroup: '2001' }) */
export function agentEvent(
  name: AgentEventName,
  c: { monitorCrossRefID: string; agentDevice: DeviceRef; acdGroup?: string; cause?: string },
): XmlNode {
  return cstaEl(name, [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    deviceElement('agentDevice', c.agentDevice),
    c.acdGroup === undefined ? undefined : cstaEl('acdGroup', c.acdGroup, { typeOfNumber: 'dialingNumber' }),
    cstaEl('cause', c.cause ?? 'normal'),
  ]);
}

export interface AgentStateEntry {
  agentID: string;
  loggedOnState: boolean;
  groups: { acdGroup: string; agentState: CstaAgentState | string }[];
}

/**
 * The synchronous answer to `getAgentState` (L4746-4764).
 *
 * @example
 * getAgentStateResponse([{ agentID: '1003', loggedOnState: true, groups: [{ acdGroup: 'Sales', agentState: 'agentReady' }] }]);
 */
export function getAgentStateResponse(entries: AgentStateEntry[]): string {
  return writeXml(
    cstaEl('GetAgentStateResponse', [
      cstaEl(
        'agentStateList',
        entries.map((e) =>
          cstaEl('agentStateEntry', [
            cstaEl('agentID', e.agentID),
            cstaEl('loggedOnState', String(e.loggedOnState)),
            cstaEl(
              'agentInfo',
              e.groups.map((g) =>
                cstaEl('agentInfoItem', [cstaEl('acdGroup', g.acdGroup), cstaEl('agentState', g.agentState)]),
              ),
            ),
          ]),
        ),
      ),
    ]),
    { declaration: true },
  );
}

/**
 * Reads a `GetAgentStateResponse`; undefined for another root. Throws `IpoXmlError`.
 *
 * @example
 * parseGetAgentStateResponse(body)?.[0]?.groups[0]?.agentState; // 'agentReady'
 */
export function parseGetAgentStateResponse(xml: string, limits?: XmlLimits): AgentStateEntry[] | undefined {
  const root = parseXml(xml, limits);
  if (root.name !== 'GetAgentStateResponse') return undefined;
  return childrenOf(child(root, 'agentStateList'), 'agentStateEntry').map((e) => ({
    agentID: textOf(e, 'agentID') ?? '',
    loggedOnState: textOf(e, 'loggedOnState') === 'true',
    groups: childrenOf(child(e, 'agentInfo'), 'agentInfoItem').map((i) => ({
      acdGroup: textOf(i, 'acdGroup') ?? '',
      agentState: textOf(i, 'agentState') ?? '',
    })),
  }));
}

/**
 * One CallInformationEvent of a snapshot (L5284-5440); `monitorCrossRefID` in the monitor-ID form
 * (rule 21).
 *
 * @example
 * callInformationEvent({ monitorCrossRefID: '1-127.0.0.1-1001', callID, switchIp, device, callingDevice, held: false });
 */
export function callInformationEvent(c: {
  monitorCrossRefID: string;
  callID: string;
  switchIp: string;
  device: DeviceRef;
  callingDevice?: DeviceRef;
  state: 'alerting' | 'connected' | 'held';
  additional?: AdditionalInfoInput;
}): XmlNode {
  return cstaEl('CallInformationEvent', [
    cstaEl('monitorCrossRefID', c.monitorCrossRefID),
    connectionElement('connection', c.callID),
    deviceElement('device', c.device),
    c.callingDevice ? deviceElement('callingDevice', c.callingDevice) : undefined,
    servicesPermitted(
      PERMITTED[c.state === 'held' ? 'held' : c.state === 'alerting' ? 'alerting' : 'established']!,
    ),
    cstaEl('connectionInfo', [
      cstaEl('flowDirection', c.state === 'connected' ? 'transmitAndReceive' : 'none'),
    ]),
    cstaEl('callLinkageDataList', [
      cstaEl('newCallLinkageData', [child(callLinkageData(c.switchIp, c.callID), 'globalCallData')]),
    ]),
    cstaEl('callCharacteristics', [cstaEl('voiceUnitCall', 'false')]),
    cstaEl('subjectOfCall'),
    cstaEl('deviceInfo', c.device.number, { typeOfNumber: 'dialingNumber' }),
    c.additional ? extensionsElement(c.additional) : undefined,
  ]);
}

export { CSTA_NS };
