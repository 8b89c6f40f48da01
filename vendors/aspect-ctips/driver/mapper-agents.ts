/**
 * The agent half of the CTIPS mapper: which station each agent is logged into (AgentLoginStateChange
 * `AgentStationAddress`, L1149-1177, or a snapshot's CTISnapShotAgentData, L1988-2009), so that the
 * call events, which name an AgentId (L637), reach the station's user; and the agent's state as
 * `agent.state` (AgentLoginStateChange → `sign-in` / `sign-out`, AgentStateChange → the CTIAgentState
 * table of mapper-codes.ts), reported when it differs from the last value.
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { XmlNode } from '../wire/xml.js';
import type { Mapped } from './mapper-calls.js';
import { AGENT_STATES, agentStateValue, kebab, LOGIN_STATES, type CtipsAgentState } from './mapper-codes.js';
import { enumField, field, idField } from './mapper-fields.js';

interface Agent {
  id: string;
  loginName?: string;
  station?: string;
  loggedIn: boolean;
  /** The last reported `state\nreason`. */
  last?: string;
}

/** The station of an agent the events do not place (the mapper option `stationOf`). */
export type StationLookup = (agent: { id: string; loginName?: string }) => string | undefined;

/** What one agent event gave: the station's user and its events. */
export interface AgentMapped {
  user: string;
  events: Mapped[];
}

/**
 * The agents of a CTIPS link, by AgentId.
 *
 * @example
 * const book = new CtipsAgentBook();
 * book.loginState(node); // AgentLoggedIn at station 1004
 * // → { user: '1004', events: [{ type: 'agent.state', data: { agent: { id: 'dave', state: 'sign-in' } } }] }
 */
export class CtipsAgentBook {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly lookup?: StationLookup) {}

  /** The station (user id) an agent is at: the event's or snapshot's, else the lookup, else its name. */
  stationOf(agentId: string | undefined): string | undefined {
    if (!agentId) return undefined;
    const a = this.agents.get(agentId);
    return (
      a?.station ??
      this.lookup?.({ id: agentId, ...(a?.loginName ? { loginName: a.loginName } : {}) }) ??
      a?.loginName
    );
  }

  /**
   * The station a call destination names: an AgentId or an agent login name of a known agent
   * (CallOriginated `Destination`, "the AgentId, ServiceId, or number", L1554-1555).
   */
  stationOfDestination(dest: string | undefined): string | undefined {
    if (!dest) return undefined;
    if (this.agents.has(dest)) return this.stationOf(dest);
    const a = [...this.agents.values()].find((x) => x.loginName === dest);
    return a ? this.stationOf(a.id) : undefined;
  }

  /** The last agent state reported for `agentId`. */
  agentState(agentId: string): AgentStateValue | undefined {
    return this.agents.get(agentId)?.last?.split('\n')[0] as AgentStateValue | undefined;
  }

  /** AgentLoginStateChange: `sign-in` (AgentLoggedIn) or `sign-out` (AgentLoggedOut). */
  loginState(node: XmlNode): AgentMapped | undefined {
    const a = this.learn(node, 'AgentStationAddress');
    const login = enumField(node, 'LoginState', LOGIN_STATES);
    if (!a || (login !== 'AgentLoggedIn' && login !== 'AgentLoggedOut')) return undefined;
    const user = this.stationOf(a.id);
    if (!user) return undefined;
    a.loggedIn = login === 'AgentLoggedIn';
    return { user, events: this.report(a, a.loggedIn ? 'sign-in' : 'sign-out') };
  }

  /**
   * AgentStateChange. Nothing for a logged-out agent (LogoutAgent's AgentStateChange follows its
   * AgentLoggedOut, L665-687), for busy states, and for the NotReady a login starts in (the model's
   * `sign-in` already says "logged in, not available").
   */
  stateChange(node: XmlNode): AgentMapped | undefined {
    const a = this.learn(node);
    if (!a) return undefined;
    const user = this.stationOf(a.id);
    const s = enumField(node, 'AgentState', AGENT_STATES);
    if (!user) return undefined;
    if (!a.loggedIn) {
      // an agent state before any login state: the agent was logged in before the link saw it
      if (a.last?.startsWith('sign-out') || !s || s === 'INVALID') return { user, events: [] };
      a.loggedIn = true;
    }
    return { user, events: this.stateEvents(a, s) };
  }

  /** One CTISnapShotAgentData: the agent's station and state, seeded silently when first seen. */
  snapshotAgent(data: XmlNode): AgentMapped | undefined {
    const known = this.agents.has(idField(data, 'AgentId') ?? '');
    const a = this.learn(data, 'AgentStationAddress');
    if (!a) return undefined;
    const user = this.stationOf(a.id);
    if (!user) return undefined;
    a.loggedIn = true;
    const s = enumField(data, 'AgentState', AGENT_STATES);
    if (!known || a.last === undefined) {
      const v = agentStateValue(s);
      if (v) a.last = `${v}\n${reasonOf(s) ?? ''}`;
      else a.last ??= 'sign-in\n';
      return { user, events: [] };
    }
    return { user, events: this.stateEvents(a, s) };
  }

  private stateEvents(a: Agent, s: CtipsAgentState | undefined): Mapped[] {
    const state = agentStateValue(s);
    if (!state) return [];
    if (a.last === 'sign-in\n' && s === 'NotReady') return [];
    return this.report(a, state, reasonOf(s));
  }

  private report(a: Agent, state: AgentStateValue, reason?: string): Mapped[] {
    const value = `${state}\n${reason ?? ''}`;
    if (a.last === value) return [];
    a.last = value;
    const id = a.loginName ?? a.id;
    return [{ type: 'agent.state', data: { agent: { id, state, ...(reason ? { reason } : {}) } } }];
  }

  /** The agent an event or snapshot item names (header AgentId), with what it tells about it. */
  private learn(node: XmlNode, stationField?: string): Agent | undefined {
    const id = idField(node, 'AgentId');
    if (!id) return undefined;
    let a = this.agents.get(id);
    if (!a) this.agents.set(id, (a = { id, loggedIn: false }));
    const name = field(node, 'AgentLoginName');
    if (name) a.loginName = name;
    const station = stationField ? field(node, stationField) : undefined;
    if (station && station !== '0') a.station = station;
    return a;
  }
}

/** NotReadyPark is the one not-ready state with a name of its own (`reason: 'not-ready-park'`). */
function reasonOf(s: CtipsAgentState | undefined): string | undefined {
  return s === 'NotReadyPark' ? kebab(s) : undefined;
}
