/**
 * Device services of the simulator (`/inyama/service/logicaldevice/...` and `GET snapshot`, digest §4.2):
 * agent state (set, and get answered synchronously with `GetAgentStateResponse`), DND and forwarding
 * (set → the core's change event reaches every monitor; get → the event to the requesting session only,
 * rule 22), and the snapshot (200, then one CallInformationEvent per call, rule 21).
 */
import type { AgentState, ForwardType, UserSnapshot } from '../../../simulator/core/types.js';
import { callInformationEvent, getAgentStateResponse, type AgentStateEntry } from '../wire/csta-device.js';
import type { WireEvent } from '../wire/events.js';
import type { CstaAgentState, IpoRequest } from '../wire/requests.js';
import { actingUser } from './calls.js';
import { accepted, invalid, XML_TYPE, type Reply, type ServiceContext } from './reply.js';
import type { IpoSession } from './sessions.js';
import type { Outbound } from './translate.js';

type DeviceRequest = Extract<
  IpoRequest,
  {
    kind:
      | 'setAgentState'
      | 'getAgentState'
      | 'setForwarding'
      | 'getForwarding'
      | 'setDoNotDisturb'
      | 'getDoNotDisturb';
  }
>;

const TO_CORE_AGENT: Readonly<Record<CstaAgentState, AgentState>> = {
  loggedOn: 'sign-in',
  loggedOff: 'sign-out',
  ready: 'available',
  notReady: 'unavailable',
  workingAfterCall: 'wrap-up',
};

const TO_CSTA_AGENT: Readonly<Record<AgentState, string>> = {
  'sign-in': 'agentNotReady',
  available: 'agentReady',
  unavailable: 'agentNotReady',
  'wrap-up': 'agentWorkingAfterCall',
  'sign-out': 'agentNull',
};

const FORWARD_TYPES: Readonly<Record<string, ForwardType>> = {
  forwardImmediate: 'always',
  forwardBusy: 'busy',
  forwardNoAns: 'no-answer',
};

/** Sends events to one session only (answers to its get requests). */
function toSession(ctx: ServiceContext, s: IpoSession, outs: Outbound[]): void {
  const events: WireEvent[] = outs
    .filter((o) => s.receives(o.name))
    .map((o) =>
      s.kind === 'application'
        ? { device: o.exts[0] ?? '', name: o.name, node: o.node }
        : { name: o.name, node: o.node },
    );
  if (events.length) ctx.hub.send(s, events);
}

function agentEntry(ctx: ServiceContext, u: UserSnapshot): AgentStateEntry {
  const agent = u.agent!;
  const busy = agent.state === 'available' && ctx.core.listLegs({ userId: u.userId }).length > 0;
  return {
    agentID: u.extension,
    loggedOnState: agent.state !== 'sign-out',
    groups: agent.queues.map((q) => ({
      acdGroup: ctx.core.getQueue(q)?.extension ?? q,
      agentState: busy ? 'agentBusy' : TO_CSTA_AGENT[agent.state],
    })),
  };
}

/**
 * @example
 * handleDevice(ctx, session, { kind: 'getDoNotDisturb', device: '1001' }); // 202, then a DoNotDisturbEvent
 */
export function handleDevice(ctx: ServiceContext, s: IpoSession, r: DeviceRequest): Reply {
  const core = ctx.core;
  const u = actingUser(ctx, s, r.device);
  switch (r.kind) {
    case 'setAgentState':
      if (!u.agent) throw invalid('device', `${r.device} is not an agent`, 'NOT_AN_AGENT');
      core.setAgentState(u.userId, TO_CORE_AGENT[r.requestedAgentState]);
      return accepted();
    case 'getAgentState':
      if (!u.agent) throw invalid('device', `${r.device} is not an agent`, 'NOT_AN_AGENT');
      return {
        status: 200,
        body: getAgentStateResponse([agentEntry(ctx, u)]),
        headers: { 'content-type': XML_TYPE },
      };
    case 'setForwarding': {
      const type = FORWARD_TYPES[r.forwardingType];
      if (!type) throw invalid('forwardingType', `unsupported forwardingType ${r.forwardingType}`);
      if (r.activateForward && !r.forwardDN)
        throw invalid('forwardDN', 'forwardDN is required to activate forwarding');
      core.setForwarding(u.userId, type, { active: r.activateForward, to: r.forwardDN ?? '' });
      return accepted();
    }
    case 'getForwarding': {
      // forwardImmediate always (as the sample, L4893), the other types when active
      const types = (['always', 'busy', 'no-answer'] as const).filter(
        (t) => t === 'always' || u.forwarding[t].active,
      );
      return accepted(() =>
        toSession(
          ctx,
          s,
          types.map((t) => ctx.translator.forwarding(u, t)),
        ),
      );
    }
    case 'setDoNotDisturb':
      core.setDnd(u.userId, r.doNotDisturbOn);
      return accepted();
    case 'getDoNotDisturb':
      return accepted(() => toSession(ctx, s, [ctx.translator.dnd(u)]));
  }
}

/** `GET /inyama/service/snapshot`: 200, then the session's calls as CallInformationEvents. */
export function handleSnapshot(ctx: ServiceContext, s: IpoSession): Reply {
  const legs = ctx.core
    .listLegs()
    .filter((l) => l.userId && (s.kind === 'application' || l.self.number === s.init.extension))
    .filter((l) => l.state === 'alerting' || l.state === 'active' || l.state === 'held');
  const outs: Outbound[] = legs.map((l) => ({
    name: 'CallInformationEvent',
    category: 'CallAssociatedFeaturesEvents',
    exts: [l.self.number],
    node: callInformationEvent({
      monitorCrossRefID: ctx.ids.monitorId(l.self.number),
      callID: ctx.ids.callId(l.id, l.userId),
      switchIp: ctx.opts.switchIp,
      device: ctx.translator.device(l.self),
      callingDevice: ctx.translator.device(l.direction === 'originator' ? l.self : l.remote),
      state: l.state === 'held' ? 'held' : l.state === 'alerting' ? 'alerting' : 'connected',
      additional: { eventInfo: { timestamp: Date.now(), zone: ctx.opts.timezone } },
    }),
  }));
  return { status: 200, after: () => toSession(ctx, s, outs) };
}
