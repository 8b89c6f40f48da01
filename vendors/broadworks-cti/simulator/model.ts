/**
 * Mapping between the neutral core model and BroadWorks Xsi types: Call, PartyInformation, Conference,
 * service settings, agent state, queue entries, and the core-event → BroadWorks-event translation.
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import type {
  ConferenceSnapshot,
  CoreEvent,
  LegSnapshot,
  PartyInfo,
  QueueEntrySnapshot,
  ReleaseCause,
  UserSnapshot,
} from '../../../simulator/core/types.js';
import { el, empty, tx, type XmlNode } from '../wire/index.js';

export type PackageLevel = 'basic' | 'standard' | 'advanced';

/** Event packages (§8.3.5 wire strings) and what the simulator emits for each. */
export const CALL_PACKAGES: Record<string, PackageLevel> = {
  'Basic Call': 'basic',
  'Standard Call': 'standard',
  'Advanced Call': 'advanced',
};

export const EVENT_PACKAGES = new Set([
  'Advanced Call',
  'Basic Call',
  'BroadWorks Anywhere',
  'Call Center Agent',
  'Call Center Agent Monitoring',
  'Call Center Configuration',
  'Call Center Monitoring',
  'Call Center Queue',
  'Call Forwarding Always',
  'Call Forwarding Busy',
  'Call Forwarding No Answer',
  'Call Park',
  'Call Recording',
  'Call Transfer',
  'Call Waiting',
  'CommPilot Express',
  'Do Not Disturb',
  'Flexible Seating',
  'Hoteling Guest',
  'Last Number Redial',
  'Meet Me Conference',
  'Music On Hold',
  'N-Way Call',
  'Remote Office',
  'Route Point Queue',
  'Sequential Ring',
  'Simultaneous Ring Personal',
  'Standard Call',
  'Third-Party Voice Mail Support',
  'Three-Way Call',
  'Voice Mail Message Summary',
  'Voice Messaging',
  'Collaborate Room',
]);

/** One BroadWorks event before it is bound to a subscription. */
export interface BwEventDraft {
  /** The user (or queue / route point) the event is about. */
  targetId: string;
  /** xsi1:type of eventData, e.g. CallReceivedEvent. */
  type: string;
  /** Which package delivers it. For call packages: the lowest level carrying it. */
  pkg: { kind: 'call'; level: PackageLevel } | { kind: 'named'; name: string };
  body: XmlNode[];
}

const P = 'xsi:';

function ts(v: number | undefined): string | undefined {
  return v === undefined ? undefined : String(Math.trunc(v));
}

function countryCode(phone: string | undefined): string | undefined {
  if (!phone?.startsWith('+')) return undefined;
  return phone.startsWith('+1') ? '1' : undefined;
}

export function addressOf(p: PartyInfo): string {
  if (p.number.includes(':')) return p.number;
  return `tel:${p.number}`;
}

export function partyXml(name: string, p: PartyInfo, core: PbxCore, prefix = P): XmlNode {
  const dir = p.id !== undefined && core.isDirectoryId(p.id);
  const callType = p.kind === 'external' ? 'Network' : dir ? 'Group' : 'Unknown';
  return el(
    prefix + name,
    null,
    tx(prefix + 'name', p.name),
    tx(prefix + 'address', addressOf(p)),
    dir ? tx(prefix + 'userId', p.id) : undefined,
    dir && p.phone
      ? tx(prefix + 'userDN', `tel:${p.phone};ext=${p.number}`, { countryCode: countryCode(p.phone) })
      : undefined,
    tx(prefix + 'callType', callType),
  );
}

const RELEASE_CAUSES: Record<ReleaseCause, [string, string]> = {
  busy: ['Busy', '017'],
  'user-not-found': ['User Not Found', '111'],
  'temporarily-unavailable': ['Temporarily Unavailable', '041'],
  forbidden: ['Forbidden', '021'],
  'request-failure': ['Request Failure', '031'],
  normal: ['Request Failure', '016'],
};

export function callState(leg: LegSnapshot): string {
  switch (leg.state) {
    case 'dialing':
    case 'alerting':
      return 'Alerting';
    case 'active':
      return leg.remoteHeld ? 'Remote Held' : 'Active';
    case 'held':
      return 'Held';
    case 'detached':
      return 'Detached';
    case 'released':
      return 'Released';
    default:
      return 'Idle';
  }
}

export function personality(leg: LegSnapshot): string {
  if (leg.clickToDial) return 'Click-to-Dial';
  return leg.direction === 'originator' ? 'Originator' : 'Terminator';
}

export function endpointAor(leg: LegSnapshot, domain: string): string | undefined {
  if (!leg.userId || !leg.self.phone) return undefined;
  return `${leg.self.phone.replace('+', '')}@${domain}`;
}

export interface CallXmlOptions {
  prefix?: string;
  /** Omit the endpoint (CallOriginating; conference members). */
  noEndpoint?: boolean;
  /** Short form used in CallSubscriptionEvent call lists. */
  summary?: boolean;
  /** Omit allowAnswer (CallOriginating: the capability is announced by the CallUpdated that follows). */
  noAllowAnswer?: boolean;
}

/** The Xsi `Call` type (§8.6.2), children in the table order. */
export function callXml(leg: LegSnapshot, core: PbxCore, opts: CallXmlOptions = {}): XmlNode {
  const p = opts.prefix ?? P;
  const state = callState(leg);
  if (opts.summary) {
    return el(
      p + 'call',
      null,
      tx(p + 'callId', leg.id),
      tx(p + 'extTrackingId', leg.correlationId),
      tx(p + 'personality', personality(leg)),
      tx(p + 'state', state),
    );
  }
  const cause = leg.releaseCause ? RELEASE_CAUSES[leg.releaseCause] : undefined;
  const remote: PartyInfo = leg.clickToDial ? { kind: 'unknown', number: leg.remote.number } : leg.remote;
  const aor = opts.noEndpoint ? undefined : endpointAor(leg, core.directory.domain);
  const canAnswer =
    !opts.noAllowAnswer &&
    ((leg.state === 'alerting' && leg.direction === 'terminator') || leg.state === 'dialing');
  return el(
    p + 'call',
    null,
    tx(p + 'callId', leg.id),
    tx(p + 'extTrackingId', leg.correlationId),
    tx(p + 'personality', personality(leg)),
    tx(p + 'state', state),
    cause
      ? el(
          p + 'releaseCause',
          null,
          tx(p + 'internalReleaseCause', cause[0]),
          tx(p + 'cdrTerminationCause', cause[1]),
        )
      : undefined,
    partyXml('remoteParty', remote, core, p),
    leg.redirections.length
      ? el(
          p + 'redirections',
          null,
          leg.redirections.map((r) =>
            el(p + 'redirection', null, partyXml('party', r.party, core, p), tx(p + 'reason', r.reason)),
          ),
        )
      : undefined,
    leg.redirect
      ? el(
          p + 'redirect',
          null,
          tx(p + 'address', `tel:${leg.redirect.address}`),
          tx(p + 'reason', leg.redirect.reason),
          tx(p + 'redirectTime', ts(leg.redirect.time)),
        )
      : undefined,
    aor ? el(p + 'endpoint', null, tx(p + 'addressOfRecord', aor)) : undefined,
    leg.userId ? tx(p + 'appearance', '1') : undefined,
    empty(p + 'allowAnswer', canAnswer),
    empty(p + 'allowRetrieve', leg.state === 'held'),
    tx(p + 'startTime', ts(leg.startTime)),
    tx(p + 'answerTime', ts(leg.answerTime)),
    leg.state === 'released' ? tx(p + 'releaseTime', ts(leg.releaseTime)) : undefined,
    tx(p + 'detachedTime', ts(leg.detachedTime)),
    leg.state === 'released'
      ? tx(p + 'releasingParty', leg.releasingParty === 'local' ? 'localRelease' : 'remoteRelease')
      : undefined,
    leg.state === 'held' ? tx(p + 'heldTime', ts(leg.heldTime)) : undefined,
    leg.totalHeldMs > 0 ? tx(p + 'totalHeldTime', String(leg.totalHeldMs)) : undefined,
    leg.queue && leg.direction === 'terminator' ? acdCallInfoXml(leg, core, p) : undefined,
  );
}

function acdCallInfoXml(leg: LegSnapshot, core: PbxCore, p: string): XmlNode | undefined {
  const q = core.getQueue(leg.queue!.queueId);
  if (!q) return undefined;
  return el(
    p + 'acdCallInfo',
    null,
    tx(p + 'acdUserId', q.id),
    tx(p + 'acdName', q.name),
    tx(p + 'acdNumber', q.phone),
    tx(p + 'numCallsInQueue', String(q.entries.filter((e) => !e.offeredTo).length)),
    tx(p + 'waitTime', '0'),
    partyXml('callingPartyInfo', leg.remote, core, p),
  );
}

export function conferenceXml(conf: ConferenceSnapshot, core: PbxCore, prefix = P): XmlNode {
  const state = conf.state === 'active' ? 'Active' : conf.state === 'held' ? 'Held' : 'Released';
  if (conf.state === 'released') return el(prefix + 'conference', null, tx(prefix + 'state', state));
  const user = core.getUser(conf.controller);
  return el(
    prefix + 'conference',
    null,
    tx(prefix + 'state', state),
    user
      ? el(
          prefix + 'endpoint',
          null,
          tx(prefix + 'addressOfRecord', `${user.phone.replace('+', '')}@${core.directory.domain}`),
        )
      : undefined,
    tx(prefix + 'appearance', '1'),
    el(
      prefix + 'conferenceParticipantList',
      null,
      conf.legIds.map((id) => el(prefix + 'conferenceParticipant', null, tx(prefix + 'callId', id))),
    ),
  );
}

export function hookXml(offHook: boolean, prefix = P): XmlNode {
  return tx(prefix + 'hookStatus', offHook ? 'Off-Hook' : 'On-Hook')!;
}

export function dndXml(u: UserSnapshot, prefix = P, root = 'doNotDisturb'): XmlNode {
  return el(prefix + root, null, tx(prefix + 'isActive', String(u.dnd)), tx(prefix + 'ringSplash', 'false'));
}

export const FORWARD_TYPES = {
  always: {
    root: 'callForwardingAlways',
    event: 'CallForwardingAlwaysEvent',
    pkg: 'Call Forwarding Always',
    service: 'callforwardingalways',
  },
  busy: {
    root: 'callForwardingBusy',
    event: 'CallForwardingBusyEvent',
    pkg: 'Call Forwarding Busy',
    service: 'callforwardingbusy',
  },
  'no-answer': {
    root: 'callForwardingNoAnswer',
    event: 'CallForwardingNoAnswerEvent',
    pkg: 'Call Forwarding No Answer',
    service: 'callforwardingnoanswer',
  },
} as const;

export function forwardingXml(
  u: UserSnapshot,
  type: keyof typeof FORWARD_TYPES,
  prefix = P,
  root?: string,
): XmlNode {
  const f = u.forwarding[type];
  return el(
    prefix + (root ?? FORWARD_TYPES[type].root),
    null,
    tx(prefix + 'isActive', String(f.active)),
    tx(prefix + 'forwardToPhoneNumber', f.to),
    type === 'always' ? tx(prefix + 'ringSplash', 'false') : undefined,
    type === 'no-answer' ? tx(prefix + 'numberOfRings', String(f.numberOfRings ?? 3)) : undefined,
  );
}

export const AGENT_STATES: Record<string, string> = {
  'sign-in': 'Sign-In',
  available: 'Available',
  unavailable: 'Unavailable',
  'wrap-up': 'Wrap-Up',
  'sign-out': 'Sign-Out',
};

export function parseAgentState(
  s: string,
): import('../../../simulator/core/types.js').AgentState | undefined {
  const k = s.trim().toLowerCase().replace(/[\s_]/g, '-');
  const map: Record<string, import('../../../simulator/core/types.js').AgentState> = {
    'sign-in': 'sign-in',
    signin: 'sign-in',
    available: 'available',
    unavailable: 'unavailable',
    'wrap-up': 'wrap-up',
    wrapup: 'wrap-up',
    'sign-out': 'sign-out',
    signout: 'sign-out',
  };
  return map[k];
}

export function agentStateInfoXml(u: UserSnapshot, prefix = P, root = 'agentStateInfo'): XmlNode {
  const a = u.agent!;
  return el(
    prefix + root,
    null,
    tx(prefix + 'state', AGENT_STATES[a.state]),
    el(prefix + 'stateTimestamp', null, tx(prefix + 'value', ts(a.stateSince))),
    tx(prefix + 'unavailableCode', a.unavailableCode),
    a.signInTime !== undefined
      ? el(prefix + 'signInTimestamp', null, tx(prefix + 'value', ts(a.signInTime)))
      : undefined,
  );
}

export function queueEntryXml(
  e: QueueEntrySnapshot,
  core: PbxCore,
  extra: (XmlNode | undefined)[] = [],
  prefix = P,
): XmlNode {
  const q = core.getQueue(e.queueId);
  const rp = e.kind === 'route-point';
  return el(
    prefix + 'queueEntry',
    null,
    tx(prefix + 'callId', e.callerLegId),
    tx(prefix + 'extTrackingId', e.correlationId),
    partyXml('remoteParty', e.caller, core, prefix),
    tx(prefix + 'addTime', ts(e.addTime)),
    ...extra,
    rp ? undefined : empty(prefix + 'reordered', e.reordered === true),
    rp ? tx(prefix + 'routePointNumber', q?.phone) : tx(prefix + 'acdName', q?.name),
    rp ? tx(prefix + 'routePointName', q?.name) : tx(prefix + 'acdNumber', q?.phone),
    // ACDPriority and its bucket time: once an application set a priority (Premium call center, §8.9.3)
    rp || e.priority === undefined ? undefined : tx(prefix + 'acdPriority', acdPriorityName(e.priority)),
    rp || e.priority === undefined ? undefined : tx(prefix + 'addTimeInPriorityBucket', ts(e.priorityTime)),
  );
}

/**
 * ACDPriorityType values (§8.9.3.1), by priority number.
 *
 * @example
 * ACD_PRIORITIES[0]; // '0-Highest'
 */
export const ACD_PRIORITIES = ['0-Highest', '1-High', '2-Medium', '3-Low'] as const;

/**
 * The ACDPriorityType of a priority number.
 *
 * @example
 * acdPriorityName(2); // '2-Medium'
 */
export function acdPriorityName(priority: number): string {
  return ACD_PRIORITIES[priority] ?? `${priority}`;
}

/**
 * An ACDPriorityType (`0-Highest`, also `0` or `Highest`) → 0..3; undefined when not one.
 *
 * @example
 * parseAcdPriority('1-High'); // 1
 */
export function parseAcdPriority(raw: string | undefined): number | undefined {
  const v = (raw ?? '').trim().toLowerCase();
  if (!v) return undefined;
  const i = ACD_PRIORITIES.findIndex(
    (p) => p.toLowerCase() === v || p.charAt(0) === v || p.slice(2).toLowerCase() === v,
  );
  return i < 0 ? undefined : i;
}

function callEvent(
  leg: LegSnapshot,
  core: PbxCore,
  type: string,
  level: PackageLevel,
  opts: CallXmlOptions = {},
): BwEventDraft {
  return { targetId: leg.userId!, type, pkg: { kind: 'call', level }, body: [callXml(leg, core, opts)] };
}

/** Translate one core event into BroadWorks events (in emission order). */
export function translate(ev: CoreEvent, core: PbxCore): BwEventDraft[] {
  switch (ev.type) {
    case 'leg.originating':
      if (!ev.leg.userId) return [];
      return [
        callEvent(ev.leg, core, 'CallOriginatingEvent', 'basic', { noEndpoint: true, noAllowAnswer: true }),
        callEvent({ ...ev.leg }, core, 'CallUpdatedEvent', 'standard', { noEndpoint: false }),
      ];
    case 'leg.originated':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallOriginatedEvent', 'basic')] : [];
    case 'leg.received':
      return ev.leg.userId
        ? [callEvent(ev.leg, core, 'CallReceivedEvent', ev.serviceHandled ? 'advanced' : 'basic')]
        : [];
    case 'leg.answered':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallAnsweredEvent', 'basic')] : [];
    case 'leg.held':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallHeldEvent', 'standard')] : [];
    case 'leg.retrieved':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallRetrievedEvent', 'standard')] : [];
    case 'leg.updated':
      return ev.leg.userId
        ? [callEvent(ev.leg, core, 'CallUpdatedEvent', 'standard', { noEndpoint: !!ev.leg.conferenceId })]
        : [];
    case 'leg.releasing':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallReleasingEvent', 'basic')] : [];
    case 'leg.released':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallReleasedEvent', 'basic')] : [];
    case 'leg.detached':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallDetachedEvent', 'advanced')] : [];
    case 'leg.transferred':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallTransferredEvent', 'standard')] : [];
    case 'leg.forwarded':
      return ev.leg.userId ? [callEvent(ev.leg, core, 'CallForwardedEvent', 'standard')] : [];
    case 'leg.redirected': {
      const first = ev.legs[0];
      if (!first?.userId) return [];
      return [
        {
          targetId: first.userId,
          type: 'CallRedirectedEvent',
          pkg: { kind: 'call', level: 'advanced' },
          body: [
            el(
              P + 'calls',
              null,
              ev.legs.map((l) => callXml(l, core)),
            ),
          ],
        },
      ];
    }
    case 'leg.dtmf':
      return [];
    case 'hook':
      return [
        {
          targetId: ev.userId,
          type: 'HookStatusEvent',
          pkg: { kind: 'call', level: 'basic' },
          body: [hookXml(ev.offHook)],
        },
      ];
    case 'conference.started':
    case 'conference.updated':
    case 'conference.held':
    case 'conference.retrieved':
    case 'conference.released': {
      const name = {
        'conference.started': 'ConferenceStartedEvent',
        'conference.updated': 'ConferenceUpdatedEvent',
        'conference.held': 'ConferenceHeldEvent',
        'conference.retrieved': 'ConferenceRetrievedEvent',
        'conference.released': 'ConferenceReleasedEvent',
      }[ev.type];
      return [
        {
          targetId: ev.conference.controller,
          type: name,
          pkg: { kind: 'call', level: 'standard' },
          body: [conferenceXml(ev.conference, core)],
        },
      ];
    }
    case 'user.dnd':
      return [
        {
          targetId: ev.user.userId,
          type: 'DoNotDisturbEvent',
          pkg: { kind: 'named', name: 'Do Not Disturb' },
          body: [el(P + 'info', null, ...dndXml(ev.user).children)],
        },
      ];
    case 'user.forwarding': {
      const f = FORWARD_TYPES[ev.forwardType];
      return [
        {
          targetId: ev.user.userId,
          type: f.event,
          pkg: { kind: 'named', name: f.pkg },
          body: [el(P + 'info', null, ...forwardingXml(ev.user, ev.forwardType).children)],
        },
      ];
    }
    case 'agent.state':
      if (!ev.user.agent) return [];
      return [
        {
          targetId: ev.user.userId,
          type: 'AgentStateEvent',
          pkg: { kind: 'named', name: 'Call Center Agent' },
          body: [agentStateInfoXml(ev.user)],
        },
      ];
    case 'queue.added':
    case 'queue.offered':
    case 'queue.answered':
    case 'queue.abandoned': {
      const rp = ev.entry.kind === 'route-point';
      const base = rp ? 'RoutePoint' : 'ACD';
      const name =
        ev.type === 'queue.added'
          ? `${base}CallAddedEvent`
          : ev.type === 'queue.offered'
            ? `${base}CallOfferedToAgentEvent`
            : ev.type === 'queue.answered'
              ? `${base}CallAnsweredByAgentEvent`
              : rp
                ? 'RoutePointCallAbandonedEvent'
                : 'ACDCallAbandonedEvent';
      const extra: (XmlNode | undefined)[] = [];
      if (ev.type === 'queue.answered') {
        extra.push(
          tx(P + 'removeTime', ts(Date.now())),
          tx(P + 'answeringUserId', ev.agentUserId),
          tx(P + 'answeringCallId', ev.agentLegId),
        );
      }
      const body: XmlNode[] = [queueEntryXml(ev.entry, core, extra)];
      if (!rp && ev.type === 'queue.added') body.push(tx(P + 'position', String(ev.entry.position))!);
      return [
        {
          targetId: ev.entry.queueId,
          type: name,
          pkg: { kind: 'named', name: rp ? 'Route Point Queue' : 'Call Center Queue' },
          body,
        },
      ];
    }
    case 'queue.removed':
      if (ev.entry.kind === 'route-point' || ev.reason !== 'released') return [];
      return [
        {
          targetId: ev.entry.queueId,
          type: 'ACDCallReleasedEvent',
          pkg: { kind: 'named', name: 'Call Center Queue' },
          body: [queueEntryXml(ev.entry, core)],
        },
      ];
  }
}

/** The initial (current-state) event for a user-target subscription, or undefined when the package has none here. */
export function initialEvent(
  pkg: string,
  targetId: string,
  core: PbxCore,
): { type: string; body: XmlNode[] } | undefined {
  if (CALL_PACKAGES[pkg]) {
    const user = core.getUser(targetId);
    const legs = core
      .listLegs({ userId: targetId })
      .filter((l) => l.state !== 'detached')
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const conf = core.getConference(targetId);
    return {
      type: 'CallSubscriptionEvent',
      body: [
        legs.length
          ? el(
              P + 'calls',
              null,
              legs.map((l) => callXml(l, core, { summary: true })),
            )
          : undefined,
        conf ? conferenceXml(conf, core) : undefined,
        hookXml(user?.offHook ?? false),
      ].filter((x): x is XmlNode => !!x),
    };
  }
  const user = core.getUser(targetId);
  if (pkg === 'Do Not Disturb' && user)
    return { type: 'DoNotDisturbEvent', body: [el(P + 'info', null, ...dndXml(user).children)] };
  for (const [k, f] of Object.entries(FORWARD_TYPES)) {
    if (pkg === f.pkg && user)
      return {
        type: f.event,
        body: [el(P + 'info', null, ...forwardingXml(user, k as keyof typeof FORWARD_TYPES).children)],
      };
  }
  if (pkg === 'Call Center Agent' && user?.agent) {
    return { type: 'AgentSubscriptionEvent', body: [agentStateInfoXml(user, P, 'stateInfo')] };
  }
  const q = core.getQueue(targetId);
  if (
    q &&
    ((pkg === 'Call Center Queue' && q.kind === 'queue') ||
      (pkg === 'Route Point Queue' && q.kind === 'route-point'))
  ) {
    return {
      type: q.kind === 'queue' ? 'ACDSubscriptionEvent' : 'RoutePointSubscriptionEvent',
      body: q.entries.length
        ? [
            el(
              P + 'queueEntries',
              null,
              q.entries.map((e) => queueEntryXml(e, core)),
            ),
          ]
        : [],
    };
  }
  return undefined;
}
