/**
 * Core → CSTA translation for the simulator: turns each core change event into the CSTA events of
 * digest §5, each addressed to the extensions whose monitors report it. Call ids are per leg
 * (ids.ts): the leg a makeCall or consultationCall creates carries the request's correlatorData as its
 * callID. Conference events are built by conference.ts; delivery (bare for device users, wrapped for the
 * application user, conference events once) is hub.ts's job.
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import type { CoreEvent, LegSnapshot, PartyInfo, UserSnapshot } from '../../../simulator/core/types.js';
import type { AdditionalInfoInput, DeviceRef } from '../wire/csta.js';
import {
  agentEvent,
  doNotDisturbEvent,
  forwardingEvent,
  hookswitchEvent,
  type AgentEventName,
} from '../wire/csta-device.js';
import {
  callClearedEvent,
  connectionClearedEvent,
  deliveredEvent,
  establishedEvent,
  failedEvent,
  heldEvent,
  originatedEvent,
  queuedEvent,
  retrievedEvent,
  serviceInitiatedEvent,
  transferedEvent,
  type CallEventCommon,
} from '../wire/csta-events.js';
import type { XmlNode } from '../wire/xml.js';
import { ConferenceTracker } from './conference.js';
import { categoryOf } from './categories.js';
import type { IpoIds } from './ids.js';

/** One CSTA event and who gets it. */
export interface Outbound {
  name: string;
  node: XmlNode;
  /** The event category (subscription filter); undefined = always delivered. */
  category: string | undefined;
  /** Extensions whose monitors report it. */
  exts: string[];
  /** A conference event: the application user gets it once, `device="conference"` (rule 14). */
  conference?: boolean;
}

const FAILED_CAUSE: Readonly<Record<string, string>> = {
  busy: 'busy',
  'user-not-found': 'destNotObtainable',
  'temporarily-unavailable': 'callNotAnswered',
  forbidden: 'blocked',
  'request-failure': 'networkOutOfOrder',
};

/** Redirections by forwarding (the core then reports the caller's `leg.forwarded`). */
const FORWARD_REASONS: ReadonlySet<string> = new Set([
  'unconditional',
  'user-busy',
  'no-answer',
  'do-not-disturb',
]);

const AGENT_EVENT: Readonly<Record<string, AgentEventName>> = {
  'sign-in': 'AgentLoggedOnEvent',
  available: 'AgentReadyEvent',
  unavailable: 'AgentNotReadyEvent',
  'wrap-up': 'AgentWorkingAfterCallEvent',
  'sign-out': 'AgentLoggedOffEvent',
};

export const FORWARD_TYPE: Readonly<Record<string, string>> = {
  always: 'forwardImmediate',
  busy: 'forwardBusy',
  'no-answer': 'forwardNoAns',
};

/**
 * @example
 * core.on((e) => hub.deliver(new CoreTranslator(core, ids, '127.0.0.1', '0:0').translate(e)));
 */
export class CoreTranslator {
  readonly conferences: ConferenceTracker;
  private readonly held = new Set<string>();
  private readonly initiated = new Set<string>();

  constructor(
    private readonly core: PbxCore,
    private readonly ids: IpoIds,
    private readonly switchIp: string,
    private readonly zone: string,
  ) {
    this.conferences = new ConferenceTracker(core, ids, switchIp, zone);
  }

  /** A party as a CSTA device (directory entries carry the IPO's IP). */
  device(p: PartyInfo): DeviceRef {
    return p.kind === 'external' || p.kind === 'unknown'
      ? { number: p.number }
      : { number: p.number, switchIp: this.switchIp };
  }

  private common(leg: LegSnapshot, extra: AdditionalInfoInput = {}, cause?: string): CallEventCommon {
    const callID = this.ids.callId(leg.id, leg.userId, leg.direction === 'originator');
    const c: CallEventCommon = {
      monitorCrossRefID: this.ids.monitor(leg.self.number),
      callID,
      switchIp: this.switchIp,
      additional: {
        recording: { callRecording: false, manually: false },
        isConference: leg.conferenceId !== undefined,
        ...extra,
        eventInfo: { timestamp: Date.now(), zone: this.zone },
      },
    };
    if (cause) c.cause = cause;
    return c;
  }

  private callInfo(leg: LegSnapshot): AdditionalInfoInput {
    const party = (p: PartyInfo) => {
      const a: { callerName?: string; external: boolean; number: string } = {
        external: p.kind === 'external',
        number: p.number,
      };
      if (p.name) a.callerName = p.name;
      return a;
    };
    const [calling, called] =
      leg.direction === 'originator' ? [leg.self, leg.remote] : [leg.remote, leg.self];
    return { callInfo: { calling: party(calling), called: party(called) } };
  }

  private out(name: string, node: XmlNode, exts: string[]): Outbound {
    return { name, node, category: categoryOf(name), exts };
  }

  /** The CSTA events one core event yields, in order. */
  translate(e: CoreEvent): Outbound[] {
    switch (e.type) {
      case 'leg.originating':
        return e.leg.userId ? [this.serviceInitiated(e.leg)] : [];
      case 'leg.originated':
        return e.leg.userId ? this.originated(e.leg) : [];
      case 'leg.received':
        return this.received(e.leg);
      case 'leg.answered':
        return e.leg.userId ? [this.established(e.leg)] : [];
      case 'leg.held':
        if (!e.leg.userId || e.leg.state !== 'held') return [];
        this.held.add(e.leg.id);
        return [this.simple('HeldEvent', e.leg)];
      case 'leg.retrieved':
        if (!e.leg.userId || !this.held.delete(e.leg.id)) return [];
        return [this.simple('RetrievedEvent', e.leg)];
      case 'leg.released':
        return this.released(e.leg);
      case 'leg.detached':
        return e.leg.userId ? [this.cleared(e.leg, 'redirected')] : [];
      case 'leg.redirected':
        return this.redirected(e.legs);
      case 'leg.forwarded':
        return this.forwarded(e.leg);
      case 'leg.transferred':
        if (!e.leg.userId) return [];
        // the far end of a transfer: now connected to (or calling) the transferred-to party
        return [
          e.leg.state === 'alerting' ? this.delivered(e.leg, e.leg, false) : this.established(e.leg, true),
        ];
      case 'conference.started':
      case 'conference.updated':
      case 'conference.released':
        return this.conferences.translate(e.type, e.conference).map((c) => ({
          name: 'ConferencedEvent',
          node: c.node,
          category: categoryOf('ConferencedEvent'),
          exts: c.exts,
          conference: true,
        }));
      case 'queue.added':
        return this.queued(e.entry.callerLegId, e.entry.queueId);
      case 'hook': {
        const u = this.core.getUser(e.userId);
        if (!u) return [];
        const node = hookswitchEvent({
          monitorCrossRefID: this.ids.monitor(u.extension),
          device: { number: u.extension, switchIp: this.switchIp },
          onHook: !e.offHook,
        });
        return [this.out('HookswitchEvent', node, [u.extension])];
      }
      case 'user.dnd':
        return [this.dnd(e.user)];
      case 'user.forwarding':
        return [this.forwarding(e.user, e.forwardType)];
      case 'agent.state':
        return this.agent(e.user);
      default:
        return [];
    }
  }

  dnd(u: UserSnapshot): Outbound {
    const node = doNotDisturbEvent({
      monitorCrossRefID: this.ids.monitor(u.extension),
      device: { number: u.extension },
      on: u.dnd,
    });
    return this.out('DoNotDisturbEvent', node, [u.extension]);
  }

  forwarding(u: UserSnapshot, type: 'always' | 'busy' | 'no-answer'): Outbound {
    const f = u.forwarding[type];
    const node = forwardingEvent({
      monitorCrossRefID: this.ids.monitor(u.extension),
      device: { number: u.extension },
      type: FORWARD_TYPE[type]!,
      on: f.active,
      to: f.to ?? '',
    });
    return this.out('ForwardingEvent', node, [u.extension]);
  }

  agent(u: UserSnapshot): Outbound[] {
    if (!u.agent) return [];
    const name = AGENT_EVENT[u.agent.state]!;
    const groups = u.agent.queues.map((q) => this.core.getQueue(q)?.extension ?? q);
    const node = agentEvent(name, {
      monitorCrossRefID: this.ids.monitor(u.extension),
      agentDevice: { number: u.extension },
      acdGroup: groups[0],
    });
    return [this.out(name, node, [u.extension])];
  }

  /** A call waiting in an ACD queue: Queued to the caller's device and to the hunt group's. */
  private queued(legId: string, queueId: string): Outbound[] {
    const leg = this.core.getLeg(legId);
    const q = this.core.getQueue(queueId);
    if (!leg || !q) return [];
    const group: DeviceRef = { number: q.extension, switchIp: this.switchIp };
    const node = queuedEvent({
      ...this.common(leg, {}, 'normal'),
      queue: group,
      callingDevice: this.device(leg.self),
      calledDevice: group,
    });
    const exts = leg.userId ? [leg.self.number, q.extension] : [q.extension];
    return [this.out('QueuedEvent', node, exts)];
  }

  private serviceInitiated(leg: LegSnapshot): Outbound {
    this.initiated.add(leg.id);
    const c = this.common(leg);
    const node = serviceInitiatedEvent({
      ...c,
      initiatingDevice: this.device(leg.self),
      correlatorData: c.callID,
    });
    return this.out('ServiceInitiatedEvent', node, [leg.self.number]);
  }

  private originated(leg: LegSnapshot): Outbound[] {
    const out = this.initiated.has(leg.id) ? [] : [this.serviceInitiated(leg)];
    const node = originatedEvent({
      ...this.common(leg, this.callInfo(leg)),
      callingDevice: this.device(leg.self),
      calledDevice: this.device(leg.remote),
    });
    out.push(this.out('OriginatedEvent', node, [leg.self.number]));
    return out;
  }

  /** Delivered to `leg`'s owner; `alerting` is `about` (the ringing leg). */
  private delivered(leg: LegSnapshot, about: LegSnapshot, ownAlerting: boolean): Outbound {
    const [calling, called] =
      about.direction === 'terminator' ? [about.remote, about.self] : [about.self, about.remote];
    const lastRedirection = about.redirections[0]?.party;
    const node = deliveredEvent({
      ...this.common(leg, this.callInfo(leg)),
      alertingDevice: this.device(about.direction === 'terminator' ? about.self : about.remote),
      callingDevice: this.device(calling),
      calledDevice: this.device(called),
      lastRedirectionDevice: lastRedirection ? this.device(lastRedirection) : undefined,
      alerting: ownAlerting,
    });
    return this.out('DeliveredEvent', node, [leg.self.number]);
  }

  private received(leg: LegSnapshot): Outbound[] {
    const out: Outbound[] = [];
    const caller = leg.peerLegId ? this.core.getLeg(leg.peerLegId) : undefined;
    // a forwarded call: the caller hears of its new destination once the forwarding party is cleared
    const forwarded = FORWARD_REASONS.has(leg.redirections.at(-1)?.reason ?? '');
    if (caller?.userId && !forwarded) out.push(this.delivered(caller, leg, false));
    if (leg.userId) out.push(this.delivered(leg, leg, true));
    return out;
  }

  /** The caller of a forwarded call: Delivered, alerting its new destination. */
  private forwarded(caller: LegSnapshot): Outbound[] {
    const ringing = caller.peerLegId ? this.core.getLeg(caller.peerLegId) : undefined;
    return caller.userId && ringing ? [this.delivered(caller, ringing, false)] : [];
  }

  private established(leg: LegSnapshot, transferred = false): Outbound {
    const [answering, calling] =
      leg.direction === 'terminator' && !transferred ? [leg.self, leg.remote] : [leg.remote, leg.self];
    const node = establishedEvent({
      ...this.common(leg, this.callInfo(leg)),
      answeringDevice: this.device(answering),
      callingDevice: this.device(calling),
      calledDevice: this.device(answering),
    });
    return this.out('EstablishedEvent', node, [leg.self.number]);
  }

  private simple(name: 'HeldEvent' | 'RetrievedEvent', leg: LegSnapshot): Outbound {
    const c = this.common(leg);
    const correlatorData = this.ids.fromCorrelator(c.callID) ? c.callID : undefined;
    const node =
      name === 'HeldEvent'
        ? heldEvent({ ...c, holdingDevice: this.device(leg.self), correlatorData })
        : retrievedEvent({ ...c, retrievingDevice: this.device(leg.self), correlatorData });
    return this.out(name, node, [leg.self.number]);
  }

  private cleared(leg: LegSnapshot, cause = 'normal'): Outbound {
    const releasing = leg.releasingParty === 'remote' ? leg.remote : leg.self;
    const node = connectionClearedEvent({
      ...this.common(leg, {}, cause),
      releasingDevice: this.device(releasing),
    });
    return this.out('ConnectionClearedEvent', node, [leg.self.number]);
  }

  private released(leg: LegSnapshot): Outbound[] {
    this.held.delete(leg.id);
    this.initiated.delete(leg.id);
    if (!leg.userId) return [];
    this.ids.ended(leg.id);
    const out: Outbound[] = [];
    const failed =
      leg.answerTime === undefined &&
      leg.direction === 'originator' &&
      leg.releaseCause &&
      leg.releaseCause !== 'normal';
    if (failed) {
      const node = failedEvent({
        ...this.common(leg, {}, FAILED_CAUSE[leg.releaseCause!] ?? 'normal'),
        failingDevice: this.device(leg.remote),
        callingDevice: this.device(leg.self),
        calledDevice: this.device(leg.remote),
      });
      out.push(this.out('FailedEvent', node, [leg.self.number]));
    }
    out.push(this.cleared(leg));
    // the call is over when the far leg is gone too: CallCleared to every user leg of it
    const peer = leg.peerLegId ? this.core.getLeg(leg.peerLegId) : undefined;
    if (!peer || peer.state === 'released' || peer.state === 'detached') {
      for (const l of [leg, peer]) {
        if (!l?.userId) continue;
        out.push(this.out('CallClearedEvent', callClearedEvent(this.common(l)), [l.self.number]));
      }
    }
    return out;
  }

  private redirected(legs: LegSnapshot[]): Outbound[] {
    const users = legs.filter((l) => l.userId);
    if (users.length === 0) return [];
    const out: Outbound[] = [];
    const first = users[0]!;
    if (first.redirect?.reason === 'transfer') {
      const second = users[1];
      const primary = this.ids.callId(first.id, first.userId);
      const secondary = second ? this.ids.callId(second.id, second.userId) : primary;
      const farEnds = users.map((l) => l.remote);
      const node = transferedEvent({
        monitorCrossRefID: this.ids.monitor(first.self.number),
        switchIp: this.switchIp,
        primaryOldCall: primary,
        secondaryOldCall: secondary,
        transferringDevice: this.device(first.self),
        transferredToDevice: { number: first.redirect.address },
        connections: farEnds.map((p, i) => ({
          newCall: this.ids.callId(users[i]!.id, users[i]!.userId),
          device: p.number,
          flowDirection: 'none' as const,
        })),
      });
      out.push(this.out('TransferedEvent', node, [first.self.number]));
    }
    for (const l of users) {
      this.held.delete(l.id);
      this.ids.ended(l.id);
      out.push(
        this.cleared(
          { ...l, releasingParty: 'local' },
          l.redirect?.reason === 'transfer' ? 'transfer' : 'redirected',
        ),
      );
    }
    return out;
  }
}
