/**
 * The CTIPS codes the mapper reads (Appendix A enumerations) and what each becomes in the event
 * model. Pure functions: the tables of docs/protocols/aspect-ctips.md ("Mapping (CTIPS → event
 * model)") in code.
 */
import type { AgentStateValue, CallState, EventDraft, Vendor } from '../../../shared/events/model.js';

/** The vendor name drafts carry (`vendor.name`). */
export const CTIPS_VENDOR = 'aspect-ctips' as const satisfies Vendor;

/**
 * The `vendor` of a draft: the CTIPS event type name (CTIPS events carry no event id).
 *
 * @example
 * vendorInfo('CallConnected'); // { name: 'aspect-ctips', event: 'CallConnected' }
 */
export function vendorInfo(event: string): EventDraft['vendor'] {
  return { name: CTIPS_VENDOR, event };
}

/** CTIAgentState (L2030-2045), plus `ActiveWrap` of the state lists (L662, L1211; digest §11.3). */
export const AGENT_STATES = [
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
  'ActiveWrap',
] as const;
export type CtipsAgentState = (typeof AGENT_STATES)[number];

/** CTIAgentLoginState (L2372). */
export const LOGIN_STATES = ['INVALID', 'AgentLoggedIn', 'AgentLoggedOut'] as const;

/** CTIDestinationType (L2147). */
export const DEST_TYPES = ['INVALID', 'Agent', 'Service', 'External', 'NoDestination'] as const;

/** CTICallProgressSignalType (L2051). */
export const PROGRESS_SIGNALS = ['INVALID', 'None', 'Ringing', 'Busy', 'SitTone'] as const;

/** CTIClearingPartyType (L2383). */
export const CLEARING_PARTIES = ['INVALID', 'NearEnd', 'FarEnd', 'Internal'] as const;

/** CTIEntityType (L2344). */
export const ENTITY_TYPES = ['INVALID', 'AgentInfo', 'CallInfo', 'ServiceInfo'] as const;

/** CTICallType (L2195; no INVALID). */
export const CALL_TYPES = [
  'CallTypeUnavailable',
  'InboundAcd',
  'InboundDid',
  'InboundConsultation',
  'InboundInternal',
  'InboundIvr',
  'OutboundAod',
  'OutboundConsultation',
  'OutboundConsultationTransfer',
  'OutboundMakecall',
  'Conference',
  'InboundIpniq',
] as const;

/** CTICallState (L2163-2189). */
export const CALL_STATES = [
  'INVALID',
  'CallCleared',
  'CallConnected',
  'CallConsulting',
  'CallDelivered',
  'CallEnd',
  'CallEstablished',
  'CallError',
  'CallStateUnknown',
  'CallOffered',
  'CallOriginated',
  'CallTransferred',
  'CallOnHoldDialing',
  'CallHeld',
  'CallRetrieved',
  'CallConferenced',
  'DigitsDialed',
] as const;

/**
 * The bridge agent state of a CTIAgentState; undefined for the states the model has no value for
 * (PendingActive, Active, Reserved, MultiLine: the agent is busy with a call and keeps its state;
 * INVALID).
 *
 * @example
 * agentStateValue('Idle'); // 'available'
 * agentStateValue('WrapWarning'); // 'wrap-up'
 */
export function agentStateValue(s: CtipsAgentState | undefined): AgentStateValue | undefined {
  switch (s) {
    case 'Idle':
      return 'available';
    case 'NotReady':
    case 'NotReadyPark':
      return 'unavailable';
    case 'Wrap':
    case 'WrapWarning':
    case 'ActiveWrap':
      return 'wrap-up';
    default:
      return undefined;
  }
}

/**
 * The bridge state of a snapshot's CTICallState; undefined for a call the snapshot does not place
 * (INVALID, CallStateUnknown, CallError).
 *
 * @example
 * snapshotCallState('CallHeld'); // 'held'
 */
export function snapshotCallState(s: (typeof CALL_STATES)[number] | undefined): CallState | undefined {
  switch (s) {
    case 'CallOriginated':
      return 'dialing';
    case 'CallOffered':
    case 'CallDelivered':
    case 'CallConnected':
      return 'alerting';
    case 'CallEstablished':
    case 'CallRetrieved':
    case 'CallConsulting':
    case 'CallConferenced':
    case 'CallTransferred':
    case 'DigitsDialed':
      return 'active';
    case 'CallHeld':
    case 'CallOnHoldDialing':
      return 'held';
    case 'CallCleared':
    case 'CallEnd':
      return 'released';
    default:
      return undefined;
  }
}

/**
 * A CTIPS code name in kebab case (`DestinationBusy` → `destination-busy`).
 *
 * @example
 * kebab('NotReadyPark'); // 'not-ready-park'
 */
export function kebab(s: string): string {
  return s
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}

/**
 * The `releaseCause` of a CallCleared's ClearingPartyType: `near-end` (the agent hung up first),
 * `far-end` (the other party did), `internal`; `normal` when absent.
 *
 * @example
 * clearingCause('FarEnd'); // 'far-end'
 */
export function clearingCause(p: (typeof CLEARING_PARTIES)[number] | undefined): string {
  return p && p !== 'INVALID' ? kebab(p) : 'normal';
}
