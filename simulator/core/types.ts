/**
 * Vendor-neutral PBX model. Front-ends (BroadWorks CTI, ...) translate these types and the change events
 * to their own protocol; nothing in here knows about any vendor's wire format.
 */

export type LegState = 'idle' | 'dialing' | 'alerting' | 'active' | 'held' | 'detached' | 'released';
export type Direction = 'originator' | 'terminator';
export type AgentState = 'sign-in' | 'available' | 'unavailable' | 'wrap-up' | 'sign-out';
export type ForwardType = 'always' | 'busy' | 'no-answer';
export type ReleaseCause =
  'busy' | 'user-not-found' | 'temporarily-unavailable' | 'forbidden' | 'request-failure' | 'normal';
export type RedirectReason =
  'transfer' | 'deflection' | 'unconditional' | 'user-busy' | 'no-answer' | 'do-not-disturb' | 'call-center';

/** Who is at the other end of a leg, resolved for display. */
export interface PartyInfo {
  kind: 'user' | 'external' | 'queue' | 'route-point' | 'unknown';
  /** Directory id for users, queues and route points. */
  id?: string;
  name?: string;
  /** Extension for directory entries, the dialled number otherwise. */
  number: string;
  /** E.164 number for directory entries. */
  phone?: string;
}

export interface Redirection {
  party: PartyInfo;
  reason: RedirectReason;
}

/** One party's half of a call (BroadWorks: a call; CSTA: a connection). */
export interface LegSnapshot {
  id: string;
  /** Shared by every leg of one session (BroadWorks extTrackingId). */
  correlationId: string;
  /** Directory user owning the leg; undefined for an external party's leg. */
  userId?: string;
  /** The owner as a party (user or external number). */
  self: PartyInfo;
  direction: Direction;
  /** True while the leg is a click-to-dial call waiting for its owner's phone to go off-hook. */
  clickToDial: boolean;
  state: LegState;
  /** True when this leg is active but the far side holds the call. */
  remoteHeld: boolean;
  peerLegId?: string;
  remote: PartyInfo;
  startTime: number;
  answerTime?: number;
  heldTime?: number;
  totalHeldMs: number;
  releaseTime?: number;
  detachedTime?: number;
  releaseCause?: ReleaseCause;
  releasingParty?: 'local' | 'remote';
  /** Set when this leg's owner redirected the call (transfer, forwarding). */
  redirect?: { address: string; reason: RedirectReason; time: number };
  /** How the call reached this leg (forwarding, transfer, queue). */
  redirections: Redirection[];
  conferenceId?: string;
  /** Set for an ACD/route-point call: the queue and the entry. */
  queue?: { queueId: string; entryId: string; kind: 'queue' | 'route-point' };
}

export interface ForwardingSetting {
  active: boolean;
  to?: string;
  /** Only for no-answer. */
  numberOfRings?: number;
}

export interface AgentInfo {
  state: AgentState;
  stateSince: number;
  signInTime?: number;
  unavailableCode?: string;
  queues: string[];
}

export interface UserSnapshot {
  userId: string;
  extension: string;
  name: string;
  phone: string;
  groupId: string;
  enterpriseId: string;
  dnd: boolean;
  callWaiting: boolean;
  forwarding: Record<ForwardType, ForwardingSetting>;
  agent?: AgentInfo;
  offHook: boolean;
}

export interface QueueEntrySnapshot {
  id: string;
  queueId: string;
  kind: 'queue' | 'route-point';
  callerLegId: string;
  caller: PartyInfo;
  correlationId: string;
  addTime: number;
  position: number;
  offeredTo?: { userId: string; legId: string };
  /** Set once an application promoted the call (0 highest .. 3 low); unset: the queue's default. */
  priority?: number;
  /** When the call entered its current priority (set with `priority`). */
  priorityTime?: number;
  /** True once an application moved the call within the queue. */
  reordered?: boolean;
}

/** Priority of a queued call no application promoted (BroadWorks 2-Medium, CAP Medium). */
export const DEFAULT_QUEUE_PRIORITY = 2;

export interface QueueSnapshot {
  id: string;
  kind: 'queue' | 'route-point';
  extension: string;
  name: string;
  phone: string;
  agents: string[];
  entries: QueueEntrySnapshot[];
}

export interface ConferenceSnapshot {
  id: string;
  controller: string;
  state: 'active' | 'held' | 'released';
  legIds: string[];
}

export interface DtmfEvent {
  legId: string;
  digits: string;
}

/** Change events emitted by the core, in causal order. Snapshots are taken at emission time. */
export type CoreEvent =
  | { type: 'leg.originating'; leg: LegSnapshot }
  | { type: 'leg.originated'; leg: LegSnapshot }
  | { type: 'leg.received'; leg: LegSnapshot; serviceHandled?: boolean }
  | { type: 'leg.answered'; leg: LegSnapshot }
  | { type: 'leg.held'; leg: LegSnapshot }
  | { type: 'leg.retrieved'; leg: LegSnapshot }
  | { type: 'leg.updated'; leg: LegSnapshot }
  | { type: 'leg.releasing'; leg: LegSnapshot }
  | { type: 'leg.released'; leg: LegSnapshot }
  | { type: 'leg.detached'; leg: LegSnapshot }
  | { type: 'leg.redirected'; legs: LegSnapshot[] }
  | { type: 'leg.transferred'; leg: LegSnapshot }
  | { type: 'leg.forwarded'; leg: LegSnapshot }
  | { type: 'leg.dtmf'; leg: LegSnapshot; digits: string }
  | { type: 'hook'; userId: string; offHook: boolean }
  | { type: 'conference.started'; conference: ConferenceSnapshot }
  | { type: 'conference.updated'; conference: ConferenceSnapshot }
  | { type: 'conference.held'; conference: ConferenceSnapshot }
  | { type: 'conference.retrieved'; conference: ConferenceSnapshot }
  | { type: 'conference.released'; conference: ConferenceSnapshot }
  | { type: 'user.dnd'; user: UserSnapshot }
  | { type: 'user.forwarding'; user: UserSnapshot; forwardType: ForwardType }
  | { type: 'agent.state'; user: UserSnapshot }
  | { type: 'queue.added'; entry: QueueEntrySnapshot }
  | { type: 'queue.offered'; entry: QueueEntrySnapshot }
  | { type: 'queue.answered'; entry: QueueEntrySnapshot; agentUserId: string; agentLegId: string }
  | { type: 'queue.abandoned'; entry: QueueEntrySnapshot }
  | { type: 'queue.removed'; entry: QueueEntrySnapshot; reason: 'distributed' | 'released' };

export type CoreEventType = CoreEvent['type'];

export type PbxErrorCode =
  | 'USER_NOT_FOUND'
  | 'CALL_NOT_FOUND'
  | 'INVALID_STATE'
  | 'INVALID_ADDRESS'
  | 'INVALID_ARGUMENT'
  | 'NO_REMOTE'
  | 'BOTH_ALERTING'
  | 'INVALID_CALL_IDS'
  | 'CONFERENCE_EXISTS'
  | 'NO_CONFERENCE'
  | 'ALREADY_IN_CONFERENCE'
  | 'NOT_IN_CONFERENCE'
  | 'TOO_MANY_PARTICIPANTS'
  | 'INVALID_DTMF'
  | 'NOT_AN_AGENT'
  | 'NOT_A_QUEUE'
  | 'FORWARD_NUMBER_REQUIRED';

export class PbxError extends Error {
  constructor(
    readonly code: PbxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PbxError';
  }
}
