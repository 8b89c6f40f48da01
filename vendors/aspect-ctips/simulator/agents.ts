/**
 * The agent desk: CTIPS agent logins over the core's users. An agent logs in with a login name (the
 * user's short name, e.g. `carol`, or extension) to a station (the user's extension); its AgentId is
 * the extension as an int (static per agent, like AgentCTIId). The CTIPS agent state lives here; for
 * users who are ACD agents of the core it is mirrored to the core's agent state (Idle ↔ available,
 * Wrap ↔ wrap-up, logged out ↔ sign-out, the not-ready states ↔ unavailable), so the core's queues
 * offer calls only to Idle agents.
 */
import type { AgentState, UserSnapshot } from '../../../simulator/core/index.js';
import type { CtiAgentState } from '../wire/enums.js';
import type { SimContext } from './context.js';

export interface AgentLogin {
  agentId: number;
  userId: string;
  loginName: string;
  station: string;
  state: CtiAgentState;
}

const TO_CORE: Partial<Record<CtiAgentState, AgentState>> = {
  Idle: 'available',
  NotReady: 'unavailable',
  NotReadyPark: 'unavailable',
  WrapWarning: 'unavailable',
  Reserved: 'unavailable',
  Wrap: 'wrap-up',
};

/**
 * @example
 * const desk = new AgentDesk(ctx);
 * desk.login('carol', '1003', 'Idle'); // AgentLoginStateChange + AgentStateChange(Idle)
 */
export class AgentDesk {
  private readonly byUser = new Map<string, AgentLogin>();
  private syncing = false;

  constructor(private readonly ctx: SimContext) {}

  /** The user a login name (short name, userId or extension) names. */
  userOf(loginName: string): UserSnapshot | undefined {
    return loginName.trim() ? this.ctx.core.getUser(loginName.trim()) : undefined;
  }

  /** AgentId of a login name (logged in or not). */
  agentIdOf(loginName: string): number | undefined {
    const u = this.userOf(loginName);
    return u ? Number(u.extension) : undefined;
  }

  byId(agentId: number | undefined): AgentLogin | undefined {
    for (const a of this.byUser.values()) if (a.agentId === agentId) return a;
    return undefined;
  }

  byUserId(userId: string | undefined): AgentLogin | undefined {
    return userId ? this.byUser.get(userId) : undefined;
  }

  list(): AgentLogin[] {
    return [...this.byUser.values()];
  }

  /** Service ids (queue extensions) of a user. */
  serviceIds(userId: string): number[] {
    return this.ctx.core
      .listQueues()
      .filter((q) => q.agents.includes(userId))
      .map((q) => Number(q.extension));
  }

  /** Logs in; returns a failure (FailureType, reason) instead of throwing for refused logins. */
  login(loginName: string, station: string, initial: CtiAgentState): { failure?: [string, string] } {
    const u = this.userOf(loginName);
    if (!u) return { failure: ['InvalidAgentName', `unknown agent ${loginName}`] };
    if (this.byUser.has(u.userId)) return { failure: ['AgentAlreadyLoggedIn', `${loginName} is logged in`] };
    const st = this.ctx.core.getUser(station.trim());
    if (!st || st.userId !== u.userId)
      return { failure: ['StationNotAvailable', `station ${station} is not available`] };
    const a: AgentLogin = {
      agentId: Number(u.extension),
      userId: u.userId,
      loginName,
      station: u.extension,
      state: 'INVALID',
    };
    this.byUser.set(u.userId, a);
    this.emitLogin(a, 'AgentLoggedIn');
    this.setState(a, initial === 'INVALID' ? 'NotReady' : initial);
    return {};
  }

  logout(a: AgentLogin): void {
    this.byUser.delete(a.userId);
    this.syncCore(a.userId, 'sign-out');
    this.emitLogin(a, 'AgentLoggedOut');
    a.state = 'INVALID';
    this.emitState(a);
  }

  /** Moves an agent to a CTIPS state (mirrored to the core) and reports it. */
  setState(a: AgentLogin, state: CtiAgentState): void {
    a.state = state;
    this.emitState(a);
    const core = TO_CORE[state];
    if (core) this.syncCore(a.userId, core);
  }

  /** Reports the state again (GetAgentState, L1198). */
  emitState(a: AgentLogin): void {
    this.ctx.emit('AgentStateChange', {
      AgentId: a.agentId,
      AgentState: a.state,
      ServiceIds: this.serviceIds(a.userId),
    });
  }

  /** A core agent-state change not made by this desk (control API): mirrored as a CTIPS state. */
  onCoreState(user: UserSnapshot): void {
    if (this.syncing) return;
    const a = this.byUser.get(user.userId);
    if (!a || !user.agent) return;
    const map: Record<AgentState, CtiAgentState> = {
      'sign-in': 'NotReady',
      available: 'Idle',
      unavailable: 'NotReady',
      'wrap-up': 'Wrap',
      'sign-out': 'INVALID',
    };
    if (user.agent.state === 'sign-out') {
      this.byUser.delete(a.userId);
      this.emitLogin(a, 'AgentLoggedOut');
      return;
    }
    const next = map[user.agent.state];
    if (next !== a.state && !(next === 'Idle' && (a.state === 'PendingActive' || a.state === 'Active'))) {
      a.state = next;
      this.emitState(a);
    }
  }

  private syncCore(userId: string, state: AgentState): void {
    const u = this.ctx.core.getUser(userId);
    if (!u?.agent || u.agent.state === state) return;
    this.syncing = true;
    try {
      this.ctx.core.setAgentState(userId, state);
    } finally {
      this.syncing = false;
    }
  }

  private emitLogin(a: AgentLogin, state: 'AgentLoggedIn' | 'AgentLoggedOut'): void {
    const services = this.serviceIds(a.userId);
    this.ctx.emit('AgentLoginStateChange', {
      AgentId: a.agentId,
      AgentLoginName: a.loginName,
      LoginState: state,
      AgentWorkGroupId: state === 'AgentLoggedIn' ? 1 : -1,
      AgentCapabilities: ['StandardAgent'],
      AgentStationAddress: a.station,
      AgentCTIId: a.agentId,
      ServiceState: services.map((id) => ({ ServiceId: id, ServiceState: 'Active' })),
      ResourceGroupId: 0,
      CircuitId: 0,
      ChannelId: 0,
    });
  }
}
