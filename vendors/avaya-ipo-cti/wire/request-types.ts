/**
 * The request model of the IP Office CTI WebServices (digest §4.1-§4.2): the paths below
 * `/inyama/service/`, the typed requests, and the root element of each. Builders are in requests.ts, the
 * reader in request-parse.ts.
 */
/** Request paths below `/inyama/service/`. */
export const PATHS = {
  session: 'session',
  heartbeat: 'session/heartbeat',
  snapshot: 'snapshot',
  answerCall: 'callcontrol/answerCall',
  clearCall: 'callcontrol/clearCall',
  clearConnection: 'callcontrol/clearConnection',
  conferenceCall: 'callcontrol/conferenceCall',
  consultationCall: 'callcontrol/consultationCall',
  directedPickupCall: 'callcontrol/directedPickupCall',
  holdCall: 'callcontrol/holdCall',
  makeCall: 'callcontrol/makeCall',
  parkCall: 'callcontrol/parkCall',
  retrieveCall: 'callcontrol/retrieveCall',
  singleStepTransferCall: 'callcontrol/singleStepTransferCall',
  transferCall: 'callcontrol/transferCall',
  generateDigits: 'callcontrol/generatedtmf',
  recordCall: 'callcontrol/recordCall',
  stopRecordCall: 'callcontrol/stopRecordCall',
  setAgentState: 'logicaldevice/setAgentState',
  getAgentState: 'logicaldevice/getAgentState',
  setForwarding: 'logicaldevice/setForwarding',
  getForwarding: 'logicaldevice/getForwarding',
  setDoNotDisturb: 'logicaldevice/setDoNotDisturb',
  getDoNotDisturb: 'logicaldevice/getDoNotDisturb',
} as const;

/** The base of every path. */
export const SERVICE_BASE = '/inyama/service/';

/** CSTA agent states of `SetAgentState/requestedAgentState` and `GetAgentStateResponse` (ECMA-323). */
export type CstaAgentState = 'loggedOn' | 'loggedOff' | 'notReady' | 'ready' | 'workingAfterCall';
export const CSTA_AGENT_STATES: readonly CstaAgentState[] = [
  'loggedOn',
  'loggedOff',
  'notReady',
  'ready',
  'workingAfterCall',
];

export interface CliRequestInfo {
  cliDisplayNumber?: string;
  withholdCli?: boolean;
}

export type IpoRequest =
  | {
      kind: 'makeCall';
      callingDevice: string;
      calledDirectoryNumber: string;
      /** Decoded correlatorData (the client's UUID). */
      correlatorData?: string;
      /** Decoded sSDIE of the calling device (the IPO IP). */
      switchingSubDomain?: string;
      cli?: CliRequestInfo;
    }
  | { kind: 'answerCall'; callID: string }
  | { kind: 'clearCall'; callID: string }
  | { kind: 'clearConnection'; callID: string; correlatorData?: string; reason?: string }
  | { kind: 'holdCall'; callID: string }
  | { kind: 'retrieveCall'; callID: string }
  | { kind: 'consultationCall'; existingCall: string; consultedDevice: string; correlatorData?: string }
  | { kind: 'transferCall'; heldCall: string; activeCall: string }
  | { kind: 'conferenceCall'; heldCall: string; activeCall: string }
  | { kind: 'singleStepTransferCall'; activeCall: string; transferredTo: string }
  | { kind: 'parkCall'; callID: string; parkTo: string }
  | { kind: 'directedPickupCall'; callID: string; requestingDevice: string }
  | { kind: 'generateDigits'; callID: string; charactersToSend: string }
  | { kind: 'recordCall'; callID: string; requestingDevice?: string }
  | { kind: 'stopRecordCall'; callID: string }
  | { kind: 'setAgentState'; device: string; requestedAgentState: CstaAgentState; acdGroup?: string }
  | { kind: 'getAgentState'; device: string }
  | {
      kind: 'setForwarding';
      device: string;
      forwardingType: string;
      activateForward: boolean;
      forwardDN?: string;
    }
  | { kind: 'getForwarding'; device: string }
  | { kind: 'setDoNotDisturb'; device: string; doNotDisturbOn: boolean }
  | { kind: 'getDoNotDisturb'; device: string };

export type RequestKind = IpoRequest['kind'];
export type Req<K extends RequestKind> = Extract<IpoRequest, { kind: K }>;

/** The root element name of each request kind. */
export const REQUEST_ROOTS: Readonly<Record<RequestKind, string>> = {
  makeCall: 'MakeCall',
  answerCall: 'AnswerCall',
  clearCall: 'ClearCall',
  clearConnection: 'ClearConnection',
  holdCall: 'HoldCall',
  retrieveCall: 'RetrieveCall',
  consultationCall: 'ConsultationCall',
  transferCall: 'TransferCall',
  conferenceCall: 'ConferenceCall',
  singleStepTransferCall: 'SingleStepTransferCall',
  parkCall: 'ParkCall',
  directedPickupCall: 'DirectedPickupCall',
  generateDigits: 'GenerateDigits',
  recordCall: 'ARSRecordCall',
  stopRecordCall: 'ARSStopRecordCall',
  setAgentState: 'SetAgentState',
  getAgentState: 'GetAgentState',
  setForwarding: 'SetForwarding',
  getForwarding: 'GetForwarding',
  setDoNotDisturb: 'SetDoNotDisturb',
  getDoNotDisturb: 'GetDoNotDisturb',
};
