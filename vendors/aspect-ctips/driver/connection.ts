/**
 * One CTIPS connection (session, L446-628): the SessionId of OpenConnection, the callback token that
 * tells this connection's callbacks apart, and every request sent under them. Its life is an explicit
 * state machine (digest §3):
 *
 *   opening ─OpenConnection answered + StartSession called back→ open ─OnLine→ online
 *   (any) ─lost (heartbeats, transport, "session gone" fault)→ lost
 *   open | online ─close()→ closing → closed          opening | lost ─close()→ closed
 *
 * CTIPS may call StartSession before or after it answers OpenConnection (L1104-1106); both must have
 * happened, naming the same SessionId, before the connection is open.
 */
import { randomBytes } from 'node:crypto';
import { LinkUnavailableError } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { CtipsNamespaces } from '../wire/ns.js';
import { buildRequest, CtipsFault, parseResponse, type CtipsOperation } from '../wire/operations.js';
import { textOf, type XmlNode } from '../wire/xml.js';
import { faulted } from './errors.js';
import type { SoapHttp } from './soap-client.js';

export type ConnectionState = 'opening' | 'open' | 'online' | 'closing' | 'closed' | 'lost';

export const CONNECTION_TRANSITIONS: TransitionTable<ConnectionState> = {
  opening: ['open', 'lost', 'closed'],
  open: ['online', 'closing', 'lost'],
  online: ['closing', 'lost'],
  closing: ['closed'],
  closed: [],
  lost: ['closed'],
};

/** A fault whose text says the session is gone (the document names no code, see the protocol doc). */
export const SESSION_GONE =
  /session\b.*\b(invalid|unknown|not found|expired|closed|disposed)|invalid session|not online|offline/i;

export interface ConnectionDeps {
  url: string;
  http: SoapHttp;
  namespaces: Partial<CtipsNamespaces>;
  tenantId: number;
  maxBytes: number;
  timers: DriverTimers;
}

/** A request failed because the connection is unusable (transport or "session gone"). */
export class ConnectionLostError extends LinkUnavailableError {}

/**
 * @example
 * const conn = new CtipsConnection(deps);
 * await conn.open('user', 'pw', `${publicUrl}/events/${conn.token}`, 10000);
 * await conn.request('OnLine', {});
 */
export class CtipsConnection {
  /** The secret path segment of this connection's callback URL. */
  readonly token = randomBytes(16).toString('hex');
  readonly phase = new StateMachine<ConnectionState>('opening', CONNECTION_TRANSITIONS);
  private sessionId: string | undefined;
  private started: { sessionId: string; username: string } | undefined;
  private onStarted: (() => void) | undefined;
  /** Fails a pending open() (shutdown while opening). */
  private onAborted: (() => void) | undefined;
  private lastRequestId = 0;
  /** Why a StartSession on this connection's callback URL was refused (the first reason). */
  private refusedStart: string | undefined;

  constructor(private readonly deps: ConnectionDeps) {}

  get url(): string {
    return this.deps.url;
  }

  get session(): string | undefined {
    return this.sessionId;
  }

  /** A fresh RequestId (unique per connection, positive: 0 marks unsolicited events, L1143). */
  nextRequestId(): number {
    this.lastRequestId = this.lastRequestId >= 2_147_483_646 ? 1 : this.lastRequestId + 1;
    return this.lastRequestId;
  }

  /**
   * OpenConnection (L460-479), then the StartSession callback (L1104-1106), within `startTimeoutMs`.
   * Rejects with a VendorError for a fault or a non-zero status, LinkUnavailableError otherwise.
   */
  async open(
    username: string,
    password: string,
    callbackUrl: string,
    startTimeoutMs: number,
  ): Promise<string> {
    const startedPromise = new Promise<void>((resolve, reject) => {
      this.onStarted = resolve;
      this.onAborted = () =>
        reject(new LinkUnavailableError('aspect-ctips: the connection was closed while opening'));
      this.deps.timers.later(startTimeoutMs, () =>
        reject(
          new LinkUnavailableError(
            this.refusedStart
              ? `aspect-ctips: ${this.deps.url} called StartSession, but it was refused: ${this.refusedStart}`
              : `aspect-ctips: no StartSession callback from ${this.deps.url} within ${startTimeoutMs} ms; check that CTIPS can reach ${callbackUrl.replace(this.token, '…')}`,
          ),
        ),
      );
    });
    startedPromise.catch(() => undefined);
    if (this.started) this.onStarted?.();
    const result = await this.send('OpenConnection', {
      TenantIds: [this.deps.tenantId],
      UserCredentials: { Password: password, UserName: username },
      ClientCallbackURL: callbackUrl,
    });
    const status = textOf(result, 'status') ?? textOf(result, 'Status') ?? '0';
    const sessionId = textOf(result, 'SessionId');
    if (status.trim() !== '0' || !sessionId)
      throw new LinkUnavailableError(
        `aspect-ctips OpenConnection to ${this.deps.url} refused: status ${status}${sessionId ? '' : ', no SessionId'}`,
      );
    this.sessionId = sessionId;
    await startedPromise;
    if (this.started && this.started.sessionId !== sessionId)
      throw new LinkUnavailableError(
        `aspect-ctips: StartSession named session ${this.started.sessionId}, OpenConnection ${sessionId}`,
      );
    this.phase.to('open');
    return sessionId;
  }

  /**
   * CTIPS called StartSession on this connection's callback URL. False (and ignored) when it names
   * another session than the one OpenConnection returned, or than an earlier StartSession named.
   */
  startSession(sessionId: string, username: string): boolean {
    const known = this.sessionId ?? this.started?.sessionId;
    if (known !== undefined && known !== sessionId) return false;
    this.started = { sessionId, username };
    this.onStarted?.();
    return true;
  }

  /**
   * A request with this session's SessionId and TenantId (and a RequestId for agent, call and route
   * requests: pass `RequestId`); resolves with the `<XResult>` element.
   */
  async request(op: CtipsOperation, params: Record<string, unknown>): Promise<XmlNode> {
    if (!this.sessionId || this.phase.is('closed'))
      throw new LinkUnavailableError(`aspect-ctips connection is ${this.phase.state}`);
    const fields =
      op === 'CloseConnection'
        ? { SessionId: this.sessionId }
        : { SessionId: this.sessionId, TenantId: this.deps.tenantId, ...params };
    return this.send(op, fields);
  }

  /**
   * Ends the connection: OffLine (when online and `polite`) and CloseConnection (L481-526), errors
   * ignored (a lost connection is closed on a best-effort basis, to free one of the 10 slots, L309).
   */
  async shutdown(polite: boolean): Promise<void> {
    this.onAborted?.(); // an open() waiting for StartSession fails now (its timer goes with the link)
    if (this.phase.is('closed', 'closing')) return;
    const online = this.phase.is('online');
    if (this.phase.is('open', 'online')) this.phase.to('closing');
    if (this.sessionId) {
      if (online && polite) await this.request('OffLine', {}).catch(() => undefined);
      await this.request('CloseConnection', {}).catch(() => undefined);
    }
    this.phase.to('closed');
  }

  /**
   * A StartSession on this connection's callback URL was refused (other credentials, no SessionId):
   * if none is accepted in time, open() fails saying so instead of suspecting the callback URL.
   */
  startRefused(reason: string): void {
    this.refusedStart ??= reason;
  }

  /** Marks the connection lost (heartbeats missed, transport failed); `shutdown(false)` may follow. */
  lose(): void {
    if (this.phase.is('opening', 'open', 'online')) this.phase.to('lost');
  }

  private async send(op: CtipsOperation, params: Record<string, unknown>): Promise<XmlNode> {
    const { soapAction, xml } = buildRequest(op, params, this.deps.namespaces);
    let answer;
    try {
      answer = await this.deps.http.post(this.deps.url, soapAction, xml);
    } catch (err) {
      throw new ConnectionLostError((err as Error).message);
    }
    try {
      return parseResponse(op, answer.body, { maxBytes: this.deps.maxBytes }).result;
    } catch (err) {
      if (err instanceof CtipsFault) {
        if (SESSION_GONE.test(err.reason)) throw new ConnectionLostError(`aspect-ctips ${op}: ${err.reason}`);
        throw faulted(op, err.code, err.reason);
      }
      throw new LinkUnavailableError(
        `aspect-ctips ${op}: unreadable answer (HTTP ${answer.status}): ${(err as Error).message}`,
      );
    }
  }
}
