/**
 * The Appendix A enumerations the codec and the simulator need, by member name (WCF writes enum members
 * by name), and the category of every event type (digest §6-§7).
 */

/** CTIEventType members (L2254-2294), in declaration order. */
export const CTI_EVENT_TYPES = [
  'INVALID',
  'Filter',
  'AgentLoginStateChange',
  'AgentLoginRequestFailed',
  'AgentStateChange',
  'AgentRequestFailed',
  'AudioPathStateChange',
  'EnterPasscode',
  'ServiceStateChange',
  'CallCleared',
  'CallCompleted',
  'CallConferenced',
  'CallConnected',
  'CallConsultation',
  'CallDataUpdate',
  'CallDelivered',
  'CallEnd',
  'CallEstablished',
  'CallHeld',
  'CallOffered',
  'CallOriginated',
  'CallRequestFailed',
  'CallRetrieved',
  'CallStarted',
  'CallTransferred',
  'DigitsDialed',
  'RouteRequest',
  'RouteRequestFailed',
  'RouteUsed',
  'RouteReject',
  'LinkStatus',
  'SnapShot',
  'SnapShotUpdate',
  'SnapShotRequestFailed',
] as const;
export type CtiEventType = (typeof CTI_EVENT_TYPES)[number];

/** CTIMessageClass = CTIEventCategory (L2228, L2241). */
export const CTI_MESSAGE_CLASSES = [
  'EventCategoryAgent',
  'EventCategoryCall',
  'EventCategoryRoute',
  'EventCategorySystem',
] as const;
export type CtiMessageClass = (typeof CTI_MESSAGE_CLASSES)[number];

/**
 * The category of an event type: ServiceStateChange is an Agent event (L1265); Filter and the SnapShot
 * types are System.
 *
 * @example
 * categoryOf('CallDelivered'); // 'EventCategoryCall'
 */
export function categoryOf(type: string): CtiMessageClass {
  if (type.startsWith('Call') || type === 'DigitsDialed') return 'EventCategoryCall';
  if (type.startsWith('Route')) return 'EventCategoryRoute';
  if (
    type.startsWith('Agent') ||
    type === 'AudioPathStateChange' ||
    type === 'EnterPasscode' ||
    type === 'ServiceStateChange'
  )
    return 'EventCategoryAgent';
  return 'EventCategorySystem';
}

/** CTIAgentState (L2030-2045). */
export const CTI_AGENT_STATES = [
  'INVALID',
  'NotReady',
  'NotReadyPark',
  'Idle',
  'PendingActive',
  'Active',
  'Wrap',
  'WrapWarning',
  'Reserved',
  'MultiLine',
] as const;
export type CtiAgentState = (typeof CTI_AGENT_STATES)[number];

/** CTIFieldType (L2359); only the first three are allowed in AddFilter (L568). */
export const CTI_FIELD_TYPES = ['FT_AGENT_ID', 'FT_SERVICE_ID', 'FT_SWITCH_ID', 'FT_TENANT_ID'] as const;
export type CtiFieldType = (typeof CTI_FIELD_TYPES)[number];

/** CTIEntityType (L2344). */
export const CTI_ENTITY_TYPES = ['AgentInfo', 'CallInfo', 'ServiceInfo'] as const;
export type CtiEntityType = (typeof CTI_ENTITY_TYPES)[number];

/** CTIDestinationType (L2147). */
export const CTI_DESTINATION_TYPES = ['Agent', 'Service', 'External', 'NoDestination'] as const;
export type CtiDestinationType = (typeof CTI_DESTINATION_TYPES)[number];

/** CTIRouteType (L2395). */
export const CTI_ROUTE_TYPES = [
  'RouteToAgent',
  'RouteToService',
  'RouteToExternal',
  'RouteToDefault',
  'Ivr',
  'Voicemail',
] as const;
export type CtiRouteType = (typeof CTI_ROUTE_TYPES)[number];

/** CTITransferType (L2440): Blind=1, Consultation=2. */
export const CTI_TRANSFER_TYPES = ['Blind', 'Consultation'] as const;

/**
 * Reads an enum value written by name, or by its ordinal (a lenient peer), as the member name.
 *
 * @example
 * enumName(CTI_AGENT_STATES, '3'); // 'Idle'
 */
export function enumName<T extends string>(
  members: readonly T[],
  value: string | undefined,
  offset = 0,
): T | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if ((members as readonly string[]).includes(v)) return v as T;
  if (/^\d+$/.test(v)) return members[Number(v) - offset];
  return undefined;
}
