/**
 * Core → CTIPS events (digest §6, §9). Per call (CallBook):
 * - the first leg: CallStarted, then CallOffered (an outside caller, RequestId 0, L1524) or
 *   CallOriginated (a user dialling; RequestId of MakeCall/ConsultationCall, else 0, L1540);
 * - queued at a service: CallDelivered; at a route point: RouteRequest (routing.ts);
 * - a user's phone alerting: CallConnected, and AgentStateChange(PendingActive) for an agent;
 * - the first answer: CallEstablished (CallConsultation for a consult call), and again for the agent
 *   who answers a call already established (a blind transfer's target); AgentStateChange(Active) for
 *   each agent leg answered;
 * - hold, retrieve, DTMF: CallHeld, CallRetrieved, DigitsDialed;
 * - the first leg released: CallCleared naming the agent who hung up (NearEnd when a user hung up,
 *   FarEnd when the outside party did); each agent whose leg ends: AgentStateChange(Wrap) after an
 *   answered ACD call (SetDisposition ends it, L357), otherwise back to its ready state
 *   (`AgentDesk.afterCall`);
 * - a user's leg redirected away (blind transfer, forwarding): no CallCleared;
 * - the last leg released: CallEnd, CallCompleted (its values those of CallStarted, L1320).
 * This is the 12-step sequence of §9.1 for an ACD call.
 */
import type { CoreEvent, LegSnapshot, PartyInfo } from '../../../simulator/core/index.js';
import type { CallRecord } from './call-book.js';
import type { SimContext } from './context.js';

const cc = (rec: CallRecord) => ({
  CallId: rec.callId,
  CallSequenceId: rec.sequenceId,
  CallOriginatingSiteId: 1,
});
const rcc = { ResourceGroupId: 0, CircuitId: 0, ChannelId: 0 };

/**
 * @example
 * const t = new CoreTranslator(ctx);
 * core.on((e) => t.translate(e));
 */
export class CoreTranslator {
  /** Legs held by their own agent (CallRetrieved only for these). */
  private readonly held = new Set<string>();

  constructor(private readonly ctx: SimContext) {}

  translate(e: CoreEvent): void {
    switch (e.type) {
      case 'leg.originated':
        return this.originated(e.leg);
      case 'leg.received':
        return this.received(e.leg);
      case 'leg.answered':
        return this.answered(e.leg);
      // the core also reports the far end of a hold (its leg stays active, `remoteHeld`): CTIPS tells
      // only the agent whose leg was held or retrieved
      case 'leg.held':
        if (e.leg.state !== 'held') return;
        this.held.add(e.leg.id);
        return this.simple('CallHeld', e.leg);
      case 'leg.retrieved':
        if (!this.held.delete(e.leg.id)) return;
        return this.simple('CallRetrieved', e.leg);
      case 'leg.dtmf':
        return this.simple('DigitsDialed', e.leg, { DigitString: e.digits });
      case 'leg.transferred':
        return this.transferred();
      case 'leg.released':
      case 'leg.detached':
        return this.released(e.leg, true);
      case 'leg.redirected':
        // the owner left a call that goes on (blind transfer, forwarding): no CallCleared
        for (const l of e.legs) this.released(l, false);
        return;
      case 'queue.added':
        return this.queued(e.entry.callerLegId, e.entry.queueId, e.entry.kind);
      case 'agent.state':
        return this.ctx.agents.onCoreState(e.user);
      default:
        return;
    }
  }

  private agentIdOf(userId: string | undefined): number {
    return this.ctx.agents.byUserId(userId)?.agentId ?? 0;
  }

  private serviceIdOf(p: PartyInfo): number {
    return p.kind === 'queue' || p.kind === 'route-point' ? Number(p.number) || 0 : 0;
  }

  private originated(leg: LegSnapshot): void {
    const { rec, created } = this.ctx.calls.track(leg);
    if (!created) return;
    rec.ani = leg.self.phone ?? leg.self.number;
    rec.dnis = leg.remote.number;
    rec.serviceId = this.serviceIdOf(leg.remote);
    if (this.ctx.pending.consultOf !== undefined) rec.consultOf = this.ctx.pending.consultOf;
    this.ctx.emit('CallStarted', { ...cc(rec), ...rcc, ServiceId: rec.serviceId });
    if (!leg.userId) {
      this.ctx.emit('CallOffered', {
        ...cc(rec),
        ...rcc,
        RequestId: 0,
        ServiceId: rec.serviceId,
        ANI: rec.ani,
        DNIS: rec.dnis,
      });
      return;
    }
    const r = leg.remote;
    const destType =
      r.kind === 'external'
        ? 'External'
        : r.kind === 'user'
          ? 'Agent'
          : r.kind === 'unknown'
            ? 'NoDestination'
            : 'Service';
    this.ctx.emit('CallOriginated', {
      ...cc(rec),
      ...rcc,
      RequestId: this.ctx.requestId,
      AgentId: this.agentIdOf(leg.userId),
      ServiceId: rec.serviceId,
      DestType: destType,
      Destination: r.number,
      CallProgressSignal: 'Ringing',
    });
  }

  private queued(callerLegId: string, queueId: string, kind: 'queue' | 'route-point'): void {
    const leg = this.ctx.core.getLeg(callerLegId);
    const q = this.ctx.core.getQueue(queueId);
    if (!leg || !q) return;
    const { rec } = this.ctx.calls.track(leg);
    rec.serviceId = Number(q.extension) || 0;
    if (kind === 'route-point') {
      this.ctx.routes.request(rec, leg, q.id);
      return;
    }
    this.ctx.emit('CallDelivered', {
      ...cc(rec),
      ServiceId: rec.serviceId,
      CallType: leg.userId ? 'InboundInternal' : 'InboundAcd',
      ANI: rec.ani,
      DNIS: rec.dnis,
    });
  }

  private received(leg: LegSnapshot): void {
    const { rec } = this.ctx.calls.track(leg);
    if (!leg.userId) return; // an outside party's phone: nothing to report
    const agent = this.ctx.agents.byUserId(leg.userId);
    this.ctx.emit('CallConnected', {
      ...cc(rec),
      ...rcc,
      RequestId: 0,
      AgentId: agent?.agentId ?? 0,
      ServiceId: rec.serviceId,
      CallInfo: [
        {
          ANI: rec.ani,
          CallData: rec.userData.map((value, i) => ({ key: String(i + 1), value })),
          CallerId: leg.remote.name ?? leg.remote.number,
          DNIS: rec.dnis,
          FirstName: null,
          LastName: null,
          PhoneNumber: leg.remote.phone ?? leg.remote.number,
        },
      ],
      ResponseRequired: agent !== undefined,
      RejectReasonRequired: false,
      PlayAudioAlert: false,
      CallType: leg.queue ? 'InboundAcd' : leg.remote.kind === 'external' ? 'InboundDid' : 'InboundInternal',
      OriginatingAgentId: this.agentIdOf(this.ctx.core.getLeg(leg.peerLegId ?? '')?.userId),
    });
    if (agent) this.ctx.agents.setState(agent, 'PendingActive');
  }

  private answered(leg: LegSnapshot): void {
    const { rec } = this.ctx.calls.track(leg);
    const agent = this.ctx.agents.byUserId(leg.userId);
    // Once per call; again for an agent who answers a call already established (a blind transfer's
    // target): CallEstablished tells each agent its connection is up.
    const again =
      rec.established && agent !== undefined && leg.direction === 'terminator' && leg.redirections.length > 0;
    if (!rec.established || again) {
      const first = !rec.established;
      rec.established = true;
      const owner = agent ?? this.agentOnCall(rec);
      if (first && rec.consultOf !== undefined) {
        this.ctx.emit('CallConsultation', {
          ...cc(rec),
          CallId: rec.consultOf,
          AgentId: owner?.agentId ?? 0,
          ConsultationCallId: rec.callId,
          ConsultationAgentId: this.agentIdOf(this.otherUser(rec, owner?.userId)),
        });
      } else {
        this.ctx.emit('CallEstablished', {
          ...cc(rec),
          ...rcc,
          AgentId: owner?.agentId ?? 0,
          ServiceId: rec.serviceId,
          MediaType: 'VoiceAnalog',
          ANI: rec.ani,
          DNIS: rec.dnis,
        });
      }
    }
    if (agent && agent.state !== 'Active') this.ctx.agents.setState(agent, 'Active');
  }

  private agentOnCall(rec: CallRecord) {
    for (const userId of rec.live.values()) {
      const a = this.ctx.agents.byUserId(userId);
      if (a) return a;
    }
    return undefined;
  }

  private otherUser(rec: CallRecord, userId: string | undefined): string | undefined {
    for (const u of rec.live.values()) if (u && u !== userId) return u;
    return undefined;
  }

  private simple(type: string, leg: LegSnapshot, extra: Record<string, unknown> = {}): void {
    const rec = this.ctx.calls.ofLeg(leg.id);
    if (!rec || !leg.userId) return;
    this.ctx.emit(type, {
      ...cc(rec),
      AgentId: this.agentIdOf(leg.userId),
      ServiceId: rec.serviceId,
      ...extra,
    });
  }

  private transferred(): void {
    const t = this.ctx.pending.transfer;
    if (!t) return;
    this.ctx.pending.transfer = undefined;
    this.ctx.emit('CallTransferred', t);
  }

  private released(leg: LegSnapshot, clears: boolean): void {
    const done = this.ctx.calls.release(leg.id);
    if (!done) return;
    const { rec, ended } = done;
    if (clears && !rec.cleared) {
      rec.cleared = true;
      const releaser = leg.releasingParty === 'remote' ? this.ctx.core.getLeg(leg.peerLegId ?? '') : leg;
      const byUser = releaser ? releaser.userId !== undefined : leg.userId === undefined;
      this.ctx.emit('CallCleared', {
        ...cc(rec),
        // the agent who hung up, where one did (the event is about the agent's action); else the agent on the call
        AgentId:
          this.agentIdOf(releaser?.userId) ||
          this.agentIdOf(leg.userId) ||
          (this.agentOnCall(rec)?.agentId ?? 0),
        ServiceId: rec.serviceId,
        ConsultationCallId: 0,
        ClearingPartyType: byUser ? 'NearEnd' : 'FarEnd',
      });
    }
    const agent = this.ctx.agents.byUserId(leg.userId);
    if (
      agent &&
      (agent.state === 'Active' || agent.state === 'PendingActive') &&
      !this.hasLiveLeg(agent.userId)
    ) {
      this.ctx.agents.afterCall(agent, leg.answerTime !== undefined && leg.queue?.kind === 'queue');
    }
    if (ended) {
      this.ctx.routes.forget(rec.callId);
      const agentId = this.agentIdOf(leg.userId);
      this.ctx.emit('CallEnd', {
        ...cc(rec),
        AgentId: agentId,
        ServiceId: rec.serviceId,
        AgentDisposition: 0,
      });
      this.ctx.emit('CallCompleted', { ...cc(rec), ...rcc });
    }
  }

  private hasLiveLeg(userId: string): boolean {
    return this.ctx.core
      .listLegs({ userId })
      .some((l) => ['alerting', 'active', 'held', 'dialing'].includes(l.state));
  }
}
