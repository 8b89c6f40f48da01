/**
 * Per-user device sessions (`DriverSessions`, options.user = "device"): each user logs in on its own
 * (`userLoginRequest` with the session's password), with its own clientSessionID, WebSocket and REST
 * heartbeat (session.ts). Each user's session is an explicit state machine:
 *
 *   loggingIn ─accepted→ open ─lost→ relogging ─accepted→ open
 *       └──────── refused / logged out / logoutEvent / link down ──────→ closed
 *
 * | what happens | what the driver does |
 * |---|---|
 * | the WebSocket closes, the heartbeat fails, a request answers 401 | log in again, then snapshot the user's calls |
 * | `logoutEvent` (LOGIN_DIFFERENT_LOCATION: the same user logged in again from this client, L1478-1513) | `onSessionEnded(user, {state: 'ended', reason, vendorEvent: 'logoutEvent'})`, no re-login |
 * | the re-login is refused for the user's sake (401, INVALID_CREDENTIALS, licence, ...) | `onSessionEnded(user, {state: 'failed', reason})` |
 * | the re-login cannot reach the server (transport, 503, transient codes) | the link is down (`onLinkFailure`): the connector reconnects and logs every wanted session in again |
 */
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import {
  LinkUnavailableError,
  SessionRefusedError,
  type DriverHooks,
  type DriverLogger,
  type DriverSessions,
  type SessionLogin,
} from '../../driver-kit/seam.js';
import type { EventsFrame } from '../wire/events.js';
import {
  parseLogoutEvent,
  type DeviceLoginResponse,
  type LoginRequest,
  type LoginResponse,
} from '../wire/session.js';
import { noSession } from './errors.js';
import type { IpoSession, SessionHandlers } from './session.js';

export type UserSessionState = 'loggingIn' | 'open' | 'relogging' | 'closed';

export const USER_SESSION_TRANSITIONS: TransitionTable<UserSessionState> = {
  loggingIn: ['open', 'closed'],
  open: ['relogging', 'closed'],
  relogging: ['open', 'closed'],
  closed: [],
};

/** What `logoutReason` values mean (L1478-1487). */
const LOGOUT_MEANING: Readonly<Record<string, string>> = {
  LOGIN_DIFFERENT_LOCATION:
    'the same user logged in again from this client elsewhere; this session was ended',
};

export interface DeviceSessionsDeps {
  /** The login request of a user (the link's application name, the subscribed categories). */
  request(userName: string, userPassword: string): LoginRequest;
  /** A new login (not opened) to the current server. */
  newSession(label: string, login: LoginRequest, handlers: SessionHandlers): IpoSession;
  hooks: Pick<DriverHooks, 'onSessionEnded'>;
  logger: DriverLogger;
  /** Whether the link is up (logins are refused with LinkUnavailableError otherwise). */
  linkUp(): boolean;
  /** A user's login was accepted (`relogin`: after a lost session; the driver resyncs the user). */
  onOpened(user: string, response: DeviceLoginResponse, relogin: boolean): void;
  /** A frame of a user's WebSocket. */
  onFrame(frame: EventsFrame, user: string): void;
  onGarbage(kind: string, detail: string): void;
  /** The server could not be reached for a re-login: the link is down. */
  onLinkFailure(reason: string): void;
  /** SERVICE_REDIRECTED on a user's request: the primary is back. */
  onRedirected(): void;
  /** The user has no session any more (logged out, ended, failed). */
  onGone(user: string): void;
}

interface Entry {
  user: string;
  login: LoginRequest;
  phase: StateMachine<UserSessionState>;
  session: IpoSession;
}

/**
 * @example
 * const sessions = new DeviceSessions(deps);
 * await sessions.login({ session: 's1', user: '1001', credentials: { password: 'pw' }, options: {} });
 * await sessions.sessionOf('1001').request('POST', '/inyama/service/callcontrol/holdCall', xml);
 */
export class DeviceSessions implements DriverSessions {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: DeviceSessionsDeps) {}

  async login(l: SessionLogin): Promise<void> {
    if (!this.deps.linkUp()) throw new LinkUnavailableError('avaya-ipo-cti link is not up');
    const login = this.loginOf(l);
    const known = this.entries.get(l.user);
    if (
      known?.phase.is('open') &&
      known.login.userName === login.userName &&
      known.login.userPassword === login.userPassword
    )
      return;
    if (known) await this.drop(known);
    const entry = this.start(l.user, login);
    try {
      const response = await entry.session.open();
      if (this.entries.get(l.user) !== entry)
        throw new LinkUnavailableError('avaya-ipo-cti login superseded');
      this.opened(entry, response, false);
    } catch (err) {
      if (this.entries.get(l.user) === entry) this.entries.delete(l.user);
      if (!entry.phase.is('closed')) entry.phase.to('closed');
      throw err;
    }
  }

  async logout(user: string): Promise<void> {
    const entry = this.entries.get(user);
    if (entry) await this.drop(entry);
    this.deps.onGone(user);
  }

  /** The open login of `user`: 409 without a session, 503 while it logs in (again). */
  sessionOf(user: string): IpoSession {
    const entry = this.entries.get(user);
    if (!entry) throw noSession(user);
    if (!entry.phase.is('open'))
      throw new LinkUnavailableError(`avaya-ipo-cti: the session of ${user} is ${entry.phase.state}`);
    return entry.session;
  }

  /** The state of a user's session (tests, diagnostics). */
  stateOf(user: string): UserSessionState | undefined {
    return this.entries.get(user)?.phase.state;
  }

  /** The users with a session, and their open logins. */
  open(): { user: string; session: IpoSession }[] {
    return [...this.entries.values()]
      .filter((e) => e.phase.is('open'))
      .map((e) => ({ user: e.user, session: e.session }));
  }

  /** The link is gone: every session ends now, no logout (the connector logs them in again). */
  dropAll(): void {
    for (const entry of [...this.entries.values()]) {
      this.entries.delete(entry.user);
      entry.phase.to('closed');
      entry.session.drop('link down');
    }
  }

  /** Logs every user out politely (link closing). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => this.drop(e)));
  }

  // ------------------------------------------------------------------------------------ internals

  private loginOf(l: SessionLogin): LoginRequest {
    const password = l.credentials['password'];
    if (password === undefined)
      throw new SessionRefusedError('NoPassword', 'avaya-ipo-cti sessions need a password');
    const userName =
      typeof l.options['userName'] === 'string' && l.options['userName'] ? l.options['userName'] : l.user;
    return this.deps.request(userName, password);
  }

  /** A new login of `user` (a re-login keeps the user's state machine). */
  private start(user: string, login: LoginRequest, phase?: StateMachine<UserSessionState>): Entry {
    phase ??= new StateMachine<UserSessionState>('loggingIn', USER_SESSION_TRANSITIONS, (from, to) =>
      this.deps.logger.debug('avaya-ipo-cti user session', { user, from, to }),
    );
    const handlers: SessionHandlers = {
      onFrame: (frame) => this.onFrame(entry, frame),
      onGarbage: (kind, detail) => this.deps.onGarbage(kind, detail),
      onLost: (reason) => this.lost(entry, reason),
      onRedirected: () => this.deps.onRedirected(),
    };
    const entry: Entry = { user, login, phase, session: this.deps.newSession(user, login, handlers) };
    this.entries.set(user, entry);
    return entry;
  }

  private opened(entry: Entry, response: LoginResponse, relogin: boolean): void {
    if (response.kind !== 'device') {
      this.deps.logger.warn('avaya-ipo-cti: a device-user login was answered as an application user', {
        user: entry.user,
      });
    }
    entry.phase.to('open');
    const device: DeviceLoginResponse =
      response.kind === 'device'
        ? response
        : {
            ...response,
            kind: 'device',
            userName: entry.login.userName,
            userExtension: entry.user,
            userParkSlots: [],
            userHuntGroups: [],
          };
    this.deps.onOpened(entry.user, device, relogin);
  }

  private onFrame(entry: Entry, frame: EventsFrame): void {
    if (this.entries.get(entry.user) !== entry) return;
    const logout = frame.events.find((e) => e.name === 'logoutEvent');
    const others = logout ? frame.events.filter((e) => e !== logout) : frame.events;
    if (others.length) this.deps.onFrame({ ...frame, events: others }, entry.user);
    if (!logout) return;
    const reason = parseLogoutEvent(logout.node).logoutReason || 'UNKNOWN';
    this.entries.delete(entry.user);
    entry.phase.to('closed');
    void entry.session.close();
    this.deps.logger.info('avaya-ipo-cti session ended by the server', { user: entry.user, reason });
    this.deps.onGone(entry.user);
    const detail = LOGOUT_MEANING[reason];
    this.deps.hooks.onSessionEnded?.(entry.user, {
      state: 'ended',
      reason,
      vendorEvent: 'logoutEvent',
      ...(detail ? { detail } : {}),
    });
  }

  /** A user's login was lost: log in again on a new session; see the table above for failures. */
  private lost(entry: Entry, reason: string): void {
    if (this.entries.get(entry.user) !== entry || !entry.phase.is('open')) return;
    entry.phase.to('relogging');
    this.deps.logger.info('avaya-ipo-cti logging in again', { user: entry.user, reason });
    if (!this.deps.linkUp()) {
      this.entries.delete(entry.user);
      entry.phase.to('closed');
      return;
    }
    const next = this.start(entry.user, entry.login, entry.phase);
    next.session.open().then(
      (response) => {
        if (this.entries.get(entry.user) !== next) return void next.session.close();
        this.opened(next, response, true);
      },
      (err: unknown) => {
        if (this.entries.get(entry.user) !== next) return;
        this.entries.delete(entry.user);
        next.phase.to('closed');
        if (err instanceof SessionRefusedError) {
          this.deps.onGone(entry.user);
          this.deps.hooks.onSessionEnded?.(entry.user, { state: 'failed', reason: err.reason });
          return;
        }
        this.deps.onLinkFailure(`re-login of ${entry.user} failed: ${(err as Error).message}`);
      },
    );
  }

  private async drop(entry: Entry): Promise<void> {
    if (this.entries.get(entry.user) === entry) this.entries.delete(entry.user);
    if (!entry.phase.is('closed')) entry.phase.to('closed');
    await entry.session.close();
  }
}
