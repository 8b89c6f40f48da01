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

const FROM_CORE: Record<AgentState, CtiAgentState> = {
  'sign-in': 'NotReady',
  available: 'Idle',
  unavailable: 'NotReady',
  'wrap-up': 'Wrap',
  'sign-out': 'INVALID',
};

const shortName = (userId: string) => userId.split('@')[0]!;

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

  /** Moves an agent to a CTIPS state (mirrored to the core unless `mirror` is false) and reports it. */
  setState(a: AgentLogin, state: CtiAgentState, mirror = true): void {
    a.state = state;
    this.emitState(a);
    const core = TO_CORE[state];
    if (core && mirror) this.syncCore(a.userId, core);
  }

  /**
   * An agent's last call ended. After an answered ACD call the agent wraps (Wrap, §9.1 step 9) until it
   * disposes the call (SetDisposition → Idle, step 12): a CTIPS state the core does not share (the
   * core's queues have their own wrap-up setting, which other front-ends report). After any other call
   * an ACD agent of the core takes the core's state, any other agent is Idle again.
   */
  afterCall(a: AgentLogin, answeredAcd: boolean): void {
    if (answeredAcd) return this.setState(a, 'Wrap', false);
    const core = this.ctx.core.getUser(a.userId)?.agent;
    this.setState(a, core && core.state !== 'sign-out' ? FROM_CORE[core.state] : 'Idle');
  }

  /** Reports the state again (GetAgentState, L1198). */
  emitState(a: AgentLogin): void {
    this.ctx.emit('AgentStateChange', {
      AgentId: a.agentId,
      AgentState: a.state,
      ServiceIds: this.serviceIds(a.userId),
    });
  }

  /**
   * The desk as the simulator starts it: every user who is no ACD agent of the core logged in at their
   * own station, Idle (a CTIPS desktop user is an agent); ACD agents as the core has them (signed out
   * until something signs them in).
   */
  loginAtStart(): void {
    for (const u of this.ctx.core.listUsers()) {
      if (this.byUser.has(u.userId)) continue;
      if (!u.agent) this.login(shortName(u.userId), u.extension, 'Idle');
      else this.onCoreState(u);
    }
  }

  /**
   * A core agent-state change not made by this desk (control API, another front-end): mirrored as a
   * CTIPS state; an ACD agent the core signs in is logged in at their own station.
   */
  onCoreState(user: UserSnapshot): void {
    if (this.syncing || !user.agent) return;
    const a = this.byUser.get(user.userId);
    const next = FROM_CORE[user.agent.state];
    if (!a) {
      if (user.agent.state === 'sign-out') return;
      this.syncing = true; // the core has its state already
      try {
        this.login(shortName(user.userId), user.extension, next);
      } finally {
        this.syncing = false;
      }
      return;
    }
    if (user.agent.state === 'sign-out') {
      this.byUser.delete(a.userId);
      this.emitLogin(a, 'AgentLoggedOut');
      return;
    }
    if (next !== a.state && !(next === 'Idle' && (a.state === 'PendingActive' || a.state === 'Active'))) {
      a.state = next;
      this.emitState(a);
    }
  }

  private syncCore(userId: string, state: AgentState): void {
    const u = this.ctx.core.getUser(userId);
    if (this.syncing || !u?.agent || u.agent.state === state) return;
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
