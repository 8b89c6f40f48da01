/**
 * One login on the one-X server (one `clientSessionID`) as an explicit state machine:
 *
 *   idle ─open()→ loggingIn ─200 NONE, WebSocket open→ open ─close()→ closing → closed
 *                     └─ refused / failed ─────────────┴─ lost (WebSocket closed, heartbeat failed, 401) → closed
 *
 * It logs in (`POST /inyama/service/session`), opens the WebSocket at the URL the response names
 * (never built, L712-713), sends the REST heartbeat every `heartbeatMs` (device users: the server
 * deactivates a session silent for 4 min, L1372; application users: the liveness probe whose failure
 * is the failover trigger, L8266-8272), and sends every
 * later request with the `ClientSessionId` header (L588-594). A 401 on any request means the session
 * is gone (L1345, L1405): the session is lost and its owner logs in again. A `SERVICE_REDIRECTED`
 * answer means the primary server is back (L8350): the owner moves there.
 */
import type { DriverLogger } from '../../driver-kit/seam.js';
import { LinkUnavailableError } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { EventsFrame } from '../wire/events.js';
import {
  parseErrors,
  parseLoginResponse,
  userLoginRequest,
  type IpoError,
  type LoginRequest,
  type LoginResponse,
} from '../wire/session.js';
import { IpoXmlError } from '../wire/xml.js';
import { REDIRECTED, codeOf, loginRefusal } from './errors.js';
import type { HttpAnswer, HttpClient, HttpRequest } from './http.js';
import { EventSocket, type SocketConfig } from './socket.js';

export type SessionState = 'idle' | 'loggingIn' | 'open' | 'closing' | 'closed';

export const SESSION_TRANSITIONS: TransitionTable<SessionState> = {
  idle: ['loggingIn', 'closed'],
  loggingIn: ['open', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

export const SESSION_PATH = '/inyama/service/session';
export const HEARTBEAT_PATH = '/inyama/service/session/heartbeat';

/** The event categories every login subscribes (L801-972): calls, agents, devices, snapshots, logout. */
export const SUBSCRIBED_EVENT_TYPES = [
  'CallControlFeaturesEvents',
  'CallAssociatedFeaturesEvents',
  'LogicalDeviceFeaturesEvents',
  'PhysicalDeviceFeaturesEvents',
  'DeviceMaintenanceEvents',
  'SnapshotServicesCallbackEvents',
  'LogoutEvents',
] as const;

export interface SessionConfig {
  /** `http(s)://host:port` of the one-X server this login goes to. */
  baseUrl: string;
  /** For logs: whose login this is (`application`, a user). */
  label: string;
  login: LoginRequest;
  /** REST heartbeat interval; 0 = none. */
  heartbeatMs: number;
  /** The socket's settings (its URL comes from the login response). */
  socket: Omit<SocketConfig, 'url' | 'label'>;
  /** Take `webSocketWssUrl` (https endpoints) rather than `webSocketWsUrl`. */
  secure: boolean;
  maxBytes: number;
}

export interface SessionHandlers {
  onFrame(frame: EventsFrame, session: IpoSession): void;
  onGarbage(kind: string, detail: string): void;
  /** The session ended without `close()`: WebSocket closed, heartbeat failed or 401. Once. */
  onLost(reason: string, session: IpoSession): void;
  /** The server answered SERVICE_REDIRECTED: the primary is back (HA fallback). */
  onRedirected(session: IpoSession): void;
}

/** The errors of a non-2xx answer body (`Error`/`Errors`, or a login response's failure code). */
export function errorsOf(answer: HttpAnswer, maxBytes: number): IpoError[] {
  const text = answer.body.trim();
  if (!text.startsWith('<')) return text ? [{ description: text.slice(0, 500) }] : [];
  try {
    const errors = parseErrors(text, { maxBytes });
    if (errors) return errors;
    const login = parseLoginResponse(text, { maxBytes });
    if (login && login.loginFailureCode !== 'NONE') return [{ code: login.loginFailureCode }];
  } catch (err) {
    if (!(err instanceof IpoXmlError)) throw err;
  }
  return [{ description: text.slice(0, 500) }];
}

/**
 * @example
 * const session = new IpoSession(config, handlers, { http, timers, logger });
 * const response = await session.open(); // logged in, WebSocket open
 * await session.request('POST', '/inyama/service/callcontrol/holdCall', xml); // 202
 * await session.close(); // DELETE /inyama/service/session
 */
export class IpoSession {
  private readonly phase: StateMachine<SessionState>;
  private socket: EventSocket | undefined;
  private login: LoginResponse | undefined;
  /** Counters for tests and diagnostics. */
  readonly stats = { heartbeats: 0, requests: 0 };

  constructor(
    readonly config: SessionConfig,
    private readonly handlers: SessionHandlers,
    private readonly deps: { http: HttpClient; timers: DriverTimers; logger: DriverLogger },
  ) {
    this.phase = new StateMachine<SessionState>('idle', SESSION_TRANSITIONS, (from, to) =>
      deps.logger.debug('avaya-ipo-cti session', { session: config.label, from, to }),
    );
  }

  get state(): SessionState {
    return this.phase.state;
  }

  get isOpen(): boolean {
    return this.phase.is('open');
  }

  /** The login response (after `open()` resolved). */
  get response(): LoginResponse {
    if (!this.login) throw new LinkUnavailableError(`avaya-ipo-cti: ${this.config.label} is not logged in`);
    return this.login;
  }

  get socketStats(): EventSocket['stats'] | undefined {
    return this.socket?.stats;
  }

  /**
   * Logs in and opens the WebSocket. Rejects with `SessionRefusedError` (the vendor's failure code) or
   * `LinkUnavailableError` (transport, 503, transient codes); the session is then closed.
   */
  async open(): Promise<LoginResponse> {
    this.phase.to('loggingIn');
    try {
      const login = await this.logIn();
      if (!this.phase.is('loggingIn'))
        throw new LinkUnavailableError(`avaya-ipo-cti: ${this.config.label} closed while logging in`);
      this.login = login;
      await this.openSocket(login);
      if (!this.phase.is('loggingIn'))
        throw new LinkUnavailableError(`avaya-ipo-cti: ${this.config.label} closed while logging in`);
    } catch (err) {
      if (this.login) void this.logout();
      this.socket?.close();
      if (!this.phase.is('closed')) this.phase.to('closed');
      throw err;
    }
    this.phase.to('open');
    this.heartbeat();
    return this.login;
  }

  /**
   * One request with the session header. Non-2xx answers are returned, except 401 (the session is
   * gone: lost, `LinkUnavailableError`), 503 and SERVICE_REDIRECTED (`LinkUnavailableError`).
   */
  async request(method: HttpRequest['method'], path: string, body?: string): Promise<HttpAnswer> {
    if (!this.phase.is('open'))
      throw new LinkUnavailableError(`avaya-ipo-cti: ${this.config.label} is ${this.phase.state}`);
    this.stats.requests++;
    const answer = await this.send(method, path, body);
    if (answer.status === 401) {
      this.lose(`${method} ${path} answered 401: the session is gone`);
      throw new LinkUnavailableError(
        `avaya-ipo-cti: the session of ${this.config.label} is gone (401); logging in again`,
      );
    }
    if (answer.status >= 300 && codeOf(errorsOf(answer, this.config.maxBytes)) === REDIRECTED) {
      this.redirected();
      throw new LinkUnavailableError('avaya-ipo-cti: SERVICE_REDIRECTED, moving to the primary server');
    }
    if (answer.status === 503)
      throw new LinkUnavailableError(
        `avaya-ipo-cti ${method} ${path}: service unavailable (503, Retry-After ${answer.headers['retry-after'] ?? '?'})`,
      );
    return answer;
  }

  /** Logs out (`DELETE /inyama/service/session`, L1314-1351) and closes the socket; no `onLost`. */
  async close(): Promise<void> {
    if (this.phase.is('closing', 'closed')) return;
    const wasOpen = this.phase.is('open');
    this.phase.to(wasOpen ? 'closing' : 'closed');
    this.socket?.close();
    if (wasOpen) await this.logout();
    if (!this.phase.is('closed')) this.phase.to('closed');
  }

  /** Ends the session as lost (tests, link failures): no logout, `onLost` follows. */
  drop(reason: string): void {
    this.lose(reason);
  }

  // ------------------------------------------------------------------------------------ internals

  private send(
    method: HttpRequest['method'],
    path: string,
    body?: string,
    session = true,
  ): Promise<HttpAnswer> {
    const id = this.login?.clientSessionID;
    return this.deps.http.send({
      method,
      url: `${this.config.baseUrl}${path}`,
      ...(session && id ? { headers: { ClientSessionId: id } } : {}),
      ...(body !== undefined ? { body } : {}),
    });
  }

  private async logIn(): Promise<LoginResponse> {
    const answer = await this.send('POST', SESSION_PATH, userLoginRequest(this.config.login), false);
    if (answer.status !== 200) {
      const code = codeOf(errorsOf(answer, this.config.maxBytes));
      throw loginRefusal(answer.status, code, answer.headers['retry-after']);
    }
    let login: LoginResponse | undefined;
    try {
      login = parseLoginResponse(answer.body, { maxBytes: this.config.maxBytes });
    } catch (err) {
      if (!(err instanceof IpoXmlError)) throw err;
      this.handlers.onGarbage('unparseable', `login response: ${err.message}`);
    }
    if (!login) throw new LinkUnavailableError('avaya-ipo-cti: the login answer is not a userLoginResponse');
    if (login.loginFailureCode !== 'NONE') throw loginRefusal(answer.status, login.loginFailureCode);
    if (!login.clientSessionID)
      throw new LinkUnavailableError('avaya-ipo-cti: the login response has no clientSessionID');
    return login;
  }

  private async openSocket(login: LoginResponse): Promise<void> {
    const url = this.config.secure
      ? (login.webSocketWssUrl ?? login.webSocketWsUrl)
      : (login.webSocketWsUrl ?? login.webSocketWssUrl);
    if (!url) throw new LinkUnavailableError('avaya-ipo-cti: the login response names no WebSocket URL');
    const socket = new EventSocket(
      { ...this.config.socket, url, label: this.config.label },
      {
        onFrame: (frame) => this.handlers.onFrame(frame, this),
        onGarbage: (kind, detail) => this.handlers.onGarbage(kind, detail),
        onClosed: (reason) => this.lose(reason),
      },
      this.deps,
    );
    this.socket = socket;
    try {
      await socket.open();
    } catch (err) {
      throw new LinkUnavailableError(`avaya-ipo-cti ${this.config.label}: ${(err as Error).message}`);
    }
  }

  /** The REST heartbeat: every `heartbeatMs` while open; a failure loses the session. */
  private heartbeat(): void {
    const every = this.config.heartbeatMs;
    if (every <= 0) return;
    this.deps.timers.later(every, () => {
      if (!this.phase.is('open')) return;
      this.stats.heartbeats++;
      this.send('POST', HEARTBEAT_PATH).then(
        (answer) => {
          if (!this.phase.is('open')) return;
          if (answer.status === 200 || answer.status === 202) return this.heartbeat();
          if (answer.status >= 300 && codeOf(errorsOf(answer, this.config.maxBytes)) === REDIRECTED)
            return this.redirected();
          this.lose(`heartbeat answered ${answer.status}`);
        },
        (err: unknown) => this.lose(`heartbeat failed: ${(err as Error).message}`),
      );
    });
  }

  private redirected(): void {
    if (!this.phase.is('open')) return;
    this.handlers.onRedirected(this);
  }

  private lose(reason: string): void {
    if (!this.phase.is('open', 'loggingIn')) return;
    const wasOpen = this.phase.is('open');
    this.phase.to('closed');
    this.socket?.close();
    if (wasOpen) this.handlers.onLost(reason, this);
  }

  private async logout(): Promise<void> {
    try {
      const answer = await this.send('DELETE', SESSION_PATH);
      if (answer.status !== 200)
        this.deps.logger.debug('avaya-ipo-cti logout', { session: this.config.label, status: answer.status });
    } catch (err) {
      this.deps.logger.debug('avaya-ipo-cti logout failed', {
        session: this.config.label,
        error: (err as Error).message,
      });
    }
  }
}
