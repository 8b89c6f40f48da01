/**
 * Agent commands as CTIPS agent requests (L642-773). A command's `agent` is the agent's login name, the
 * station it is logged in at, or its AgentId; the directory (agents.ts) resolves it to the AgentId
 * every request after the login needs (L637).
 *
 * | our state | request | outcome (echoing the RequestId) |
 * |---|---|---|
 * | `sign-in` | LoginAgent(AgentLoginName, StationId, InitialState NotReady, MultiLine 0) | AgentLoginStateChange(AgentLoggedIn) |
 * | `sign-out` | LogoutAgent(AgentId, ReasonCode = `reason` if numeric, else 0) | AgentLoginStateChange(AgentLoggedOut) |
 * | `available` / `unavailable` / `wrap-up` | SetAgentState(Idle / NotReady / Wrap) | AgentStateChange |
 *
 * The station of a sign-in: `options.agentStations[agent]`, else the station the agent last used, else
 * the agent's name itself (deployments whose login names are extensions). getAgentState of an agent
 * that is not logged in answers `sign-out` without a request; otherwise GetAgentState, whose answer is
 * an AgentStateChange (L1198). tagDisposition is SetDisposition(DispositionId = the numeric code).
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { CallCommand } from '../../driver-kit/seam.js';
import { textOf } from '../wire/xml.js';
import type { AgentDirectory } from './agents.js';
import type { CtipsConnection } from './connection.js';
import { badRequest, noAgent } from './errors.js';
import { failingOn, fieldOf, type EventLike, type Outcomes } from './outcomes.js';

/** CTIAgentState (L2030-2045, plus ActiveWrap of L662) as the bridge's agent state. */
export function agentStateOf(ctips: string | undefined): { state: AgentStateValue; reason?: string } {
  switch (ctips) {
    case 'Idle':
    case 'PendingActive':
    case 'Active':
    case 'Reserved':
    case 'MultiLine':
      return { state: 'available', reason: ctips };
    case 'Wrap':
    case 'WrapWarning':
    case 'ActiveWrap':
      return { state: 'wrap-up', reason: ctips };
    case 'NotReady':
    case 'NotReadyPark':
      return { state: 'unavailable', reason: ctips };
    default:
      return { state: 'sign-out', ...(ctips ? { reason: ctips } : {}) };
  }
}

const NEW_STATE: Partial<Record<AgentStateValue, string>> = {
  available: 'Idle',
  unavailable: 'NotReady',
  'wrap-up': 'Wrap',
};

export interface AgentCommandDeps {
  outcomes: Outcomes;
  agents: AgentDirectory;
  /** The agent state last reported for an AgentId (the mapper's, which folds a login's NotReady into `sign-in`). */
  reported(agentId: number): AgentStateValue | undefined;
  agentStations: Readonly<Record<string, string>>;
  connection(): CtipsConnection;
}

type AgentResult = { state: AgentStateValue; reason?: string };

/**
 * @example
 * await agentCommands.run({ kind: 'setAgentState', agent: 'jdoe', state: 'sign-in' }); // { state: 'sign-in' }
 */
export class AgentCommands {
  constructor(private readonly deps: AgentCommandDeps) {}

  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'getAgentState':
        return this.get(cmd.agent);
      case 'setAgentState':
        return this.set(cmd.agent, cmd.state, cmd.reason);
      case 'tagDisposition':
        return this.disposition(cmd.user, cmd.call, cmd.code);
      default:
        return undefined;
    }
  }

  private async send<T>(
    op: Parameters<CtipsConnection['request']>[0],
    params: Record<string, unknown>,
    match: (ev: EventLike, requestId: number) => T | undefined,
    what: string,
  ): Promise<T> {
    const conn = this.deps.connection();
    const requestId = conn.nextRequestId();
    const wait = this.deps.outcomes.expect(
      failingOn(requestId, (ev) =>
        fieldOf(ev, 'RequestId') === requestId ? match(ev, requestId) : undefined,
      ),
      what,
    );
    try {
      await conn.request(op, { RequestId: requestId, ...params });
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  private async get(agent: string): Promise<AgentResult> {
    const entry = this.deps.agents.find(agent);
    if (!entry) return { state: 'sign-out' };
    return this.send(
      'GetAgentState',
      { AgentId: entry.agentId },
      (ev) => {
        if (ev.name !== 'AgentStateChange') return undefined;
        const s = textOf(ev.node, 'AgentState');
        // the NotReady a login starts in is the model's `sign-in`, as the mapper reported it
        return s === 'NotReady' && this.deps.reported(entry.agentId) === 'sign-in'
          ? { state: 'sign-in' as const }
          : agentStateOf(s);
      },
      `AgentStateChange after GetAgentState for ${agent}`,
    );
  }

  private async set(agent: string, state: AgentStateValue, reason: string | undefined): Promise<AgentResult> {
    const entry = this.deps.agents.find(agent);
    if (state === 'sign-in') {
      const station = this.deps.agentStations[agent] ?? this.deps.agents.stationOf(agent) ?? agent;
      return this.send(
        'LoginAgent',
        {
          AgentLoginName: entry?.loginName ?? agent,
          StationId: station,
          InitialState: 'NotReady',
          MultiLine: 0,
        },
        (ev) => {
          if (ev.name !== 'AgentLoginStateChange' || textOf(ev.node, 'LoginState') !== 'AgentLoggedIn')
            return undefined;
          // the event may not name the station: it is the one the agent was logged in to
          const agentId = fieldOf(ev, 'AgentId');
          if (agentId !== undefined && agentId > 0)
            this.deps.agents.learn(
              agentId,
              textOf(ev.node, 'AgentLoginName') || agent,
              textOf(ev.node, 'AgentStationAddress') || station,
            );
          return { state: 'sign-in' as const };
        },
        `AgentLoginStateChange after LoginAgent for ${agent} at ${station}`,
      );
    }
    if (!entry) {
      if (state === 'sign-out') return { state: 'sign-out' };
      throw noAgent(agent);
    }
    if (state === 'sign-out') {
      const code = reason && /^\d+$/.test(reason) ? Number(reason) : 0;
      return this.send(
        'LogoutAgent',
        { AgentId: entry.agentId, ReasonCode: code },
        (ev) =>
          ev.name === 'AgentLoginStateChange' && textOf(ev.node, 'LoginState') === 'AgentLoggedOut'
            ? { state: 'sign-out' as const }
            : undefined,
        `AgentLoginStateChange after LogoutAgent for ${agent}`,
      );
    }
    const newState = NEW_STATE[state];
    if (!newState) throw badRequest(`no CTIPS state for ${state}`);
    return this.send(
      'SetAgentState',
      { AgentId: entry.agentId, NewState: newState },
      (ev) => (ev.name === 'AgentStateChange' ? agentStateOf(textOf(ev.node, 'AgentState')) : undefined),
      `AgentStateChange after SetAgentState ${newState} for ${agent}`,
    );
  }

  private async disposition(user: string, call: string, code: string): Promise<Record<string, never>> {
    if (!/^\d+$/.test(code))
      throw badRequest(`CTIPS dispositions are numeric ids, got ${JSON.stringify(code)}`);
    if (!/^\d+$/.test(call)) throw badRequest(`CTIPS call ids are integers, got ${JSON.stringify(call)}`);
    const entry = this.deps.agents.atStation(user) ?? this.deps.agents.find(user);
    if (!entry) throw noAgent(user);
    await this.send(
      'SetDisposition',
      {
        AgentId: entry.agentId,
        CallId: Number(call),
        DispositionId: Number(code),
        SummaryDispositionSuccessful: true,
        WrapNotRequired: false,
      },
      () => true,
      `an event after SetDisposition ${code} for call ${call}`,
    );
    return {};
  }
}
