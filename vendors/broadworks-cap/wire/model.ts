/**
 * The CAP message model shared by the driver and the simulator: one interface per commandType, with
 * the identity of the user (`CapUser`) read from wherever the document put it (docs/protocols/
 * broadworks-cap.md, "Identity"). Optional fields are absent when the document left them out;
 * `applicationId: ''` means present and empty (CCC2, server to client).
 */
import type { CommandType } from './names.js';

export type UserType = 'CallClient' | 'AttendantConsole';

/** Who a message is about, from `@id`/`<id>`, `@userId`/`@userUid`/`@userUId` and friends. */
export interface CapUser {
  userType?: string;
  /** The login id (`@id`, or an `<id>` child). */
  id?: string;
  /** BroadWorks' unique id for the session (`@userId`, `@userUid`, `@userUId`). */
  userUid?: string;
  applicationId?: string;
  supervisorId?: string;
}

/** The failure causes of responseAuthentication and registerResponse (L705, L837). */
export const FAILURE_CAUSES = [
  'UnknownID',
  'IncorrectPassword',
  'UnsupportedVersion',
  'UnauthorizedCommPilotCallManager',
  'UnauthorizedAttendantConsole',
  'UnauthorizedClientCallControl',
  'UnauthorizedPhoneStatusMonitoring',
  'UnauthorizedClientLicense',
  'NetworkServerConnectivityFailure',
  'WASConnectivityError',
  'WASProcessingError',
  'ExtAuthHostNotInACLError',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

export const LOGOUT_REASONS = [
  'ClientLogout',
  'ForceLogoutR',
  'ForceLogoutD',
  'ForceLogoutU',
  'ForceLogoutL',
  'ForceLogoutC',
] as const;
export type LogoutReason = (typeof LOGOUT_REASONS)[number];

/** What a server unRegister's `userLogoutReason` means (L906-913). */
export const LOGOUT_MEANING: Readonly<Record<LogoutReason, string>> = {
  ClientLogout: 'the client logged out',
  ForceLogoutR: 'the user moved to another server of the cluster',
  ForceLogoutD: 'the user logged in again on another terminal',
  ForceLogoutU: 'the service was unassigned from the user',
  ForceLogoutL: 'the Application Server is locked',
  ForceLogoutC: 'the OCS lost its connection to the Application Server',
};

/** callUpdate `state` (L1425). */
export const CALL_STATE = {
  idle: 0,
  alerting: 1,
  active: 2,
  held: 3,
  remoteHeld: 4,
  released: 5,
  detached: 6,
  clientAlerting: 7,
} as const;

/** callUpdate `releaseCause` (L1677-1693). */
export const RELEASE_CAUSE = {
  normal: 0,
  flash: 1,
  abnormal: 2,
  busy: 3,
  forbidden: 4,
  routeFailure: 5,
  globalFailure: 6,
  requestFailure: 7,
  serverFailure: 8,
  translationFailure: 9,
  temporarilyUnavailable: 10,
  userNotFound: 11,
  requestTimeout: 12,
  dialToneTimeout: 13,
  insufficientCredits: 14,
} as const;

/** callUpdate `personality` (L1427). */
export const PERSONALITY = { broadWorksOriginator: 0, originator: 1, terminator: 2 } as const;

/** The `callCenter` block of a callUpdate. */
export interface CapCallCenter {
  id: string;
  joinCallCenter?: string;
  DNISName?: string;
  DNISNumber?: string;
  callWaitTime?: string;
  longestWaitTime?: string;
  numCallsInQueue?: string;
}

/** The string leaves of `<call>`, in the DTD's order (CCC2-only ones included). */
export const CALL_TEXT_FIELDS = [
  'remoteCountryCode',
  'remoteNumber',
  'remoteName',
  'remoteTelUri',
  'localAltType',
  'linePort',
  'redirectFromCountryCode',
  'redirectFromNumber',
  'redirectFromName',
  'redirectFromReason',
  'callType',
  'callStartTime',
  'callAnswerTime',
  'callCenterUserId',
  'localNumber',
  'redirectToNum',
  'redirectToReason',
  'redirectFromCounter',
  'origCalledNum',
  'origRedirReason',
  'recallType',
] as const;
export type CallTextField = (typeof CALL_TEXT_FIELDS)[number];

/** One `<call>` of a callUpdate. */
export type CapCall = {
  callId: string;
  extTrackingId: string;
  appearance?: number;
  personality?: number;
  state?: number;
  releaseCause?: number;
  callCenter?: CapCallCenter;
  holdReminder?: boolean;
} & { [K in CallTextField]?: string };

export interface CapActionParam {
  name: string;
  value: string;
}

export interface CapQueueCall {
  callId: string;
  remoteCountryCode?: string;
  remoteNumber?: string;
  remoteName?: string;
  timeAdded?: string;
  position?: number;
  mandatoryEntrance?: string;
  bouncedCall?: string;
  reorderedCall?: string;
  preservedWaitTime?: string;
  DNISName?: string;
  DNISNumber?: string;
  priority?: number;
  destination?: string;
}

/** Ordered string leaves of queueCall (the DTD's order plus the table's extras). */
export const QUEUE_CALL_TEXT_FIELDS = [
  'remoteCountryCode',
  'remoteNumber',
  'remoteName',
  'timeAdded',
  'mandatoryEntrance',
  'bouncedCall',
  'reorderedCall',
  'preservedWaitTime',
  'DNISName',
  'DNISNumber',
] as const;

interface Base<T extends CommandType> {
  type: T;
  user?: CapUser;
}

export interface RegisterAuthentication extends Base<'registerAuthentication'> {
  user: CapUser;
}
export interface ResponseAuthentication extends Base<'responseAuthentication'> {
  user: CapUser;
  nonce?: string;
  algorithm?: string;
  failure?: string;
}
export interface RegisterRequest extends Base<'registerRequest'> {
  user: CapUser;
  securePassword?: string;
}
export interface RegisterResponse extends Base<'registerResponse'> {
  user: CapUser;
  failure?: string;
  numMonitoredUsers?: number;
  callDetailsEnabled?: boolean;
}
export interface Acknowledgement extends Base<'acknowledgement'> {
  user: CapUser;
  messageName?: string;
  failed: boolean;
}
export interface UnRegister extends Base<'unRegister'> {
  user: CapUser;
  reason?: string;
}
export interface CapConference {
  state: string;
  callIds: string[];
  appearances: string[];
  silentlyMonitored?: boolean;
}
export interface SessionUpdate extends Base<'sessionUpdate'> {
  user: CapUser;
  monitoredUserUid?: string;
  monitoredUserId?: string;
  offHook?: boolean;
  numCalls?: number;
  maxCalls?: number;
  epControl?: boolean;
  conference?: CapConference;
}
export interface ProfileUpdate extends Base<'profileUpdate'> {
  user: CapUser;
  initialUpdate: boolean;
  monitoredUserUid?: string;
  monitoredUserId?: string;
  /** Every other leaf by canonical name, in document order (e.g. firstName, dnd, acdState). */
  fields: Record<string, string>;
  callCenters: { id: string; joinCallCenter?: string }[];
}
export interface CallUpdate extends Base<'callUpdate'> {
  user: CapUser;
  monitoredUserUid?: string;
  monitoredUserId?: string;
  calls: CapCall[];
}
export interface CallAction extends Base<'callAction'> {
  user: CapUser;
  actionType: string;
  responseRequested: boolean;
  actionId?: string;
  params: CapActionParam[];
}
export interface CallActionResponse extends Base<'callActionResponse'> {
  user: CapUser;
  actionType: string;
  actionId?: string;
  success: boolean;
  message?: string;
}
export interface CallControlInfo extends Base<'callControlInfo'> {
  user: CapUser;
  callId: string;
  extTrackingId: string;
  controls: { type: string; enabled: boolean }[];
}
export interface ExternalNotify extends Base<'externalNotify'> {
  user: CapUser;
  thirdPartyMWI?: string;
  clearVMMWI: boolean;
}
export type InfoRequest = Base<'infoRequest'>;
export interface InfoResponse extends Base<'infoResponse'> {
  versions: string[];
}
export type ServerStatusRequest = Base<'serverStatusRequest'>;
export interface MonitoringUsersRequest extends Base<'monitoringUsersRequest'> {
  user: CapUser;
  monType?: string;
  monUsers: string[];
}
export interface MonitoringUsersResponse extends Base<'monitoringUsersResponse'> {
  user: CapUser;
  success: boolean;
  failedUsers: { id: string; reason: string }[];
}
export interface QueueUpdate extends Base<'queueUpdate'> {
  user: CapUser;
  updateReason: string;
  calls: CapQueueCall[];
}
export interface QueueAction extends Base<'queueAction'> {
  user: CapUser;
  /** Transfer (also written Remove), Reorder, Refresh, Promote. */
  actionType: string;
  call?: CapQueueCall;
}
export interface QueueProfileUpdate extends Base<'queueProfileUpdate'> {
  user: CapUser;
  initialUpdate: boolean;
  nightService?: string;
  holidayService?: string;
  forcedForwarding?: string;
}
export interface QueueInfoRequest extends Base<'queueInfoRequest'> {
  user: CapUser;
}
export interface QueueInfoResponse extends Base<'queueInfoResponse'> {
  user: CapUser;
  callCenters: { id: string; numCallsInQueue?: number }[];
}
export interface Datagram extends Base<'datagram'> {
  from?: CapUser;
  to?: CapUser;
  payload?: string;
  payloadType?: string;
}

export type CapMessage =
  | RegisterAuthentication
  | ResponseAuthentication
  | RegisterRequest
  | RegisterResponse
  | Acknowledgement
  | UnRegister
  | SessionUpdate
  | ProfileUpdate
  | CallUpdate
  | CallAction
  | CallActionResponse
  | CallControlInfo
  | ExternalNotify
  | InfoRequest
  | InfoResponse
  | ServerStatusRequest
  | MonitoringUsersRequest
  | MonitoringUsersResponse
  | QueueUpdate
  | QueueAction
  | QueueProfileUpdate
  | QueueInfoRequest
  | QueueInfoResponse
  | Datagram;

export type CapMessageOf<T extends CommandType> = Extract<CapMessage, { type: T }>;
