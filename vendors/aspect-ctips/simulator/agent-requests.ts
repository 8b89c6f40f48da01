/**
 * The agent requests (digest §5.1): LoginAgent, LogoutAgent, PanicLogout, SetAgentState, GetAgentState,
 * SetDisposition. Invalid arguments are faults; a request the agent's situation refuses gets
 * AgentLoginRequestFailed (login, logout) or AgentRequestFailed (the others), L1181, L1278.
 */
import { CTI_AGENT_STATES } from '../wire/enums.js';
import { Args } from './args.js';
import { RequestFault, type SimContext } from './context.js';
import type { AgentLogin } from './agents.js';

const SETTABLE = [
  'NotReady',
  'NotReadyPark',
  'Idle',
  'PendingActive',
  'Active',
  'Wrap',
  'WrapWarning',
  'Reserved',
] as const;

function loginFailed(ctx: SimContext, name: string, failure: [string, string]): void {
  ctx.emit('AgentLoginRequestFailed', {
    AgentLoginName: name,
    FailureType: failure[0],
    FailureReason: failure[1],
  });
}

function agentFailed(ctx: SimContext, agentId: number, type: string, reason: string, callId = 0): void {
  ctx.emit('AgentRequestFailed', {
    AgentId: agentId,
    CallId: callId,
    FailureType: type,
    FailureReason: reason,
  });
}

/** The logged-in agent of `AgentId`, or a failure event and undefined. */
function agentOf(ctx: SimContext, a: Args, login = false): AgentLogin | undefined {
  const id = a.int('AgentId');
  const agent = ctx.agents.byId(id);
  if (!agent) {
    if (login) loginFailed(ctx, String(id), ['InvalidAgent', `agent ${id} is not logged in`]);
    else agentFailed(ctx, id, 'InvalidAgent', `agent ${id} is not logged in`);
  }
  return agent;
}

/**
 * @example
 * agentRequest(ctx, 'LoginAgent', args); // 0, then AgentLoginStateChange + AgentStateChange
 */
export function agentRequest(ctx: SimContext, op: string, a: Args): number {
  switch (op) {
    case 'LoginAgent': {
      const name = a.str('AgentLoginName');
      const station = a.str('StationId');
      const initial = a.has('InitialState') ? a.enum('InitialState', CTI_AGENT_STATES, 0) : 'NotReady';
      const { failure } = ctx.agents.login(name, station, initial);
      if (failure) loginFailed(ctx, name, failure);
      return 0;
    }
    case 'LogoutAgent': {
      const agent = agentOf(ctx, a, true);
      if (agent) ctx.agents.logout(agent);
      return 0;
    }
    case 'PanicLogout': {
      const all = a.bool('LogoutAllAgents', false);
      const names = a.list('AgentLoginNameList');
      if (!all && (!names || names.length === 0)) {
        throw new RequestFault('AgentLoginNameList is required when LogoutAllAgents is false');
      }
      const targets = all
        ? ctx.agents.list()
        : names!
            .map((n) => ctx.agents.byUserId(ctx.agents.userOf(n)?.userId))
            .filter((x): x is AgentLogin => !!x);
      for (const t of targets) ctx.agents.logout(t);
      return 0;
    }
    case 'SetAgentState': {
      const state = a.enum('NewState', CTI_AGENT_STATES, 0);
      if (!(SETTABLE as readonly string[]).includes(state))
        throw new RequestFault(`NewState ${state} cannot be set`);
      const agent = agentOf(ctx, a);
      if (agent) ctx.agents.setState(agent, state);
      return 0;
    }
    case 'GetAgentState': {
      const agent = agentOf(ctx, a);
      if (agent) ctx.agents.emitState(agent);
      return 0;
    }
    case 'SetDisposition': {
      a.int('DispositionId');
      const callId = a.int('CallId');
      const wrapNotRequired = a.bool('WrapNotRequired', false);
      const agent = agentOf(ctx, a);
      if (!agent) return 0;
      if (agent.state !== 'Wrap' && !wrapNotRequired) {
        agentFailed(
          ctx,
          agent.agentId,
          'InvalidStateForRequest',
          `agent is ${agent.state}, not in Wrap`,
          callId,
        );
        return 0;
      }
      if (agent.state === 'Wrap') ctx.agents.setState(agent, 'Idle');
      return 0;
    }
    default:
      throw new RequestFault(`${op} is not an agent request`);
  }
}
