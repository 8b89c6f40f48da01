/**
 * The session registry of the simulator (digest §2): one session per login, identified by its
 * clientSessionID, with an explicit state machine:
 *
 *   active ──(no REST heartbeat for heartbeatDeactivateMs)──▶ inactive ──(heartbeat)──▶ active
 *   active | inactive ──(logout, newer login of the same client, heartbeatLogoutMs)──▶ ended
 *
 * Device users must send the REST heartbeat (every 4 min; logged out after 6 h without one);
 * application users never expire (L1372-1383). A second login with the same applicationName and
 * userName ends the older session (L1305-1311); the caller sends it a logoutEvent first.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from '../../driver-kit/state-machine.js';
import { subscribed } from './categories.js';

export type SessionState = 'active' | 'inactive' | 'ended';
export type EndReason = 'logout' | 'replaced' | 'expired' | 'stopped';

const TRANSITIONS = {
  active: ['inactive', 'ended'],
  inactive: ['active', 'ended'],
  ended: [],
} as const satisfies Record<SessionState, readonly SessionState[]>;

export interface SessionInit {
  kind: 'device' | 'application';
  userName: string;
  applicationName: string;
  eventTypes: string[];
  /** Device users: the directory user and extension. */
  userId?: string;
  extension?: string;
}

/**
 * One logged-in client.
 *
 * @example
 * session.receives('DeliveredEvent'); // active and subscribed
 */
export class IpoSession {
  readonly id = randomUUID();
  readonly phase = new StateMachine<SessionState>('active', TRANSITIONS);
  readonly createdAt = Date.now();
  lastHeartbeat = Date.now();
  /** Empty subscription list: every category (decision, docs/protocols/avaya-ipo-cti.md). */
  readonly eventTypes: ReadonlySet<string>;
  deactivateTimer: ReturnType<typeof setTimeout> | undefined;
  logoutTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly init: SessionInit) {
    this.eventTypes = new Set(init.eventTypes);
  }

  get kind(): 'device' | 'application' {
    return this.init.kind;
  }

  /** Whether the session gets this event now (active, and subscribed to its category). */
  receives(eventName: string): boolean {
    return this.phase.is('active') && subscribed(this.eventTypes, eventName);
  }
}

export interface SessionTimers {
  heartbeatDeactivateMs: number;
  heartbeatLogoutMs: number;
}

/**
 * @example
 * const reg = new SessionRegistry(timers, (s, reason) => hub.close(s, reason));
 * const { session, replaced } = reg.create({ kind: 'device', userName: 'alice', applicationName: 'app', eventTypes: [], extension: '1001' });
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, IpoSession>();

  constructor(
    private readonly timers: SessionTimers,
    private readonly onEnded: (s: IpoSession, reason: EndReason) => void,
  ) {}

  /** Creates a session; an older session of the same client (applicationName + userName) is returned as `replaced`, still live. */
  create(init: SessionInit): { session: IpoSession; replaced?: IpoSession } {
    const replaced = [...this.sessions.values()].find(
      (s) => s.init.applicationName === init.applicationName && s.init.userName === init.userName,
    );
    const session = new IpoSession(init);
    this.sessions.set(session.id, session);
    this.arm(session);
    return replaced ? { session, replaced } : { session };
  }

  get(id: string | undefined): IpoSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id.trim());
    return s && !s.phase.is('ended') ? s : undefined;
  }

  list(): IpoSession[] {
    return [...this.sessions.values()];
  }

  deviceSessionCount(): number {
    return this.list().filter((s) => s.kind === 'device').length;
  }

  /** REST heartbeat: reactivates an inactive session and restarts its timers. */
  heartbeat(s: IpoSession): void {
    s.lastHeartbeat = Date.now();
    if (s.phase.is('inactive')) s.phase.to('active');
    this.arm(s);
  }

  end(s: IpoSession, reason: EndReason): void {
    if (s.phase.is('ended')) return;
    this.disarm(s);
    s.phase.to('ended');
    this.sessions.delete(s.id);
    this.onEnded(s, reason);
  }

  endAll(reason: EndReason): void {
    for (const s of this.list()) this.end(s, reason);
  }

  private arm(s: IpoSession): void {
    this.disarm(s);
    if (s.kind !== 'device') return; // application users never expire (L1380-1383)
    s.deactivateTimer = setTimeout(() => {
      if (s.phase.is('active')) s.phase.to('inactive');
    }, this.timers.heartbeatDeactivateMs);
    s.logoutTimer = setTimeout(() => this.end(s, 'expired'), this.timers.heartbeatLogoutMs);
    s.deactivateTimer.unref?.();
    s.logoutTimer.unref?.();
  }

  private disarm(s: IpoSession): void {
    if (s.deactivateTimer) clearTimeout(s.deactivateTimer);
    if (s.logoutTimer) clearTimeout(s.logoutTimer);
    s.deactivateTimer = undefined;
    s.logoutTimer = undefined;
  }
}
