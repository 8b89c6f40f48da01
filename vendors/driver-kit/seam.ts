/**
 * The driver seam: one driver per link, each vendor in its own home `vendors/<vendor>/`, whose
 * `driver/index.ts` default-exports a `DriverFactory`. The connector owns reconnects, backoff, the lease
 * and the event log; a driver owns exactly one vendor session (socket, login, keepalives,
 * acknowledgements, subscriptions), and optionally per-user sessions and inbound vendor callbacks.
 */
import type { CallCommand, CommandKind, CommandResult } from '../../shared/commands/contract.js';
import type { EventDraft, Target, EventFamily, Vendor } from '../../shared/events/model.js';
import type { DriverTimers } from './util.js';

export interface LinkConfig {
  tenant: string;
  id: string;
  vendor: Vendor;
  /** tcp://host:port, tls://host:port, ws(s)://..., http(s)://... */
  endpoint: string;
  credentials: { username: string; password: string } & Record<string, string>;
  options: Record<string, unknown>;
}

/** What a bridge subscription asks a driver to watch: a target and the event families. */
export interface WatchSpec {
  target: Target;
  families: EventFamily[];
}

/** The command contract lives in shared/ (the API builds commands, drivers execute them). */
export type {
  CallCommand,
  CommandKind,
  CommandResult,
  CommandResults,
  DirectoryUser,
} from '../../shared/commands/contract.js';
export { LinkUnavailableError, NotSupportedError, VendorError } from '../../shared/commands/errors.js';

export interface DriverLogger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export interface DriverHooks {
  /**
   * A normalized event, in vendor order. The connector assigns seq/id and logs it. The promise resolves
   * once the event is durable (in the event log, or recognised as a redelivery of a logged one) and
   * rejects if it could not be made durable: a driver acknowledges the vendor only after it resolved,
   * so that a connector killed in between leaves the event to the vendor's redelivery.
   */
  onEvent(event: EventDraft): Promise<void>;
  /** The session ended (socket closed, keepalive lost, fatal protocol error). The connector reconnects. */
  onDown(reason: string): void;
  /** Vendor garbage: logged and counted by the connector, never fatal. */
  onGarbage(kind: string, detail: string): void;
  /**
   * A per-user session ended on the vendor's side (forced logout, login refused after a reconnect, ...).
   * The connector records it on the session (`state: "ended"` or `"failed"` with the reason) and logs a
   * `session.ended` event for the user (`vendorEvent` names the vendor message, `detail` explains the reason).
   */
  onSessionEnded?(user: string, outcome: SessionEndOutcome): void;
}

/** How a per-user session ended on the vendor's side (`DriverHooks.onSessionEnded`). */
export interface SessionEndOutcome {
  state: 'ended' | 'failed';
  /** The vendor's reason or failure cause (recorded on the session). */
  reason: string;
  /** What the reason means, where the vendor documents it. */
  detail?: string;
  /** The vendor message that ended it (e.g. CAP `unRegister`); default `session`. */
  vendorEvent?: string;
}

/** Credentials and options of one user's login (`POST /v1/sessions`), write-only like link credentials. */
export interface SessionLogin {
  /** The bridge session id (stable across re-logins). */
  session: string;
  user: string;
  credentials: Record<string, string>;
  options: Record<string, unknown>;
}

/** Vendors whose users log in one by one implement this; the connector drives it from `sessions`. */
export interface DriverSessions {
  /**
   * Log the user in. Resolves once the vendor accepted the login; rejects with `SessionRefusedError`
   * (the vendor's reason) when it refused, or `LinkUnavailableError` when the link is not up. Called
   * again after a reconnect for every session still wanted.
   */
  login(login: SessionLogin): Promise<void>;
  /** Log the user out (session deleted or expired). Never throws for a user already logged out. */
  logout(user: string, session: string): Promise<void>;
}

/** The vendor refused a user's login; `reason` is the vendor's own cause (e.g. IncorrectPassword). */
export class SessionRefusedError extends Error {
  constructor(
    readonly reason: string,
    message = `login refused: ${reason}`,
  ) {
    super(message);
    this.name = 'SessionRefusedError';
  }
}

/** One inbound HTTP request from the vendor, below `/v1/callbacks/{tenant}/{link}/`. */
export interface CallbackRequest {
  method: string;
  /** The path below the link's callback root, starting with `/` (e.g. `/events`). */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The raw body, at most the listener's size limit; not parsed by the connector. */
  body: Buffer;
  /** The peer address (for logs). */
  remoteAddress?: string;
}

export interface CallbackResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What a driver learns about the connector's inbound listener for its link. */
export interface DriverCallbacks {
  /** The URL the vendor must call for this link (`<public base>/v1/callbacks/{tenant}/{link}`). */
  readonly publicUrl: string;
}

/** Reads the link's credentials from the secret store (cached by the connector; fresh after rotation). */
export interface DriverSecrets {
  read(): Promise<Record<string, string>>;
}

/** Everything a driver gets from the connector. */
export interface DriverContext {
  link: LinkConfig;
  hooks: DriverHooks;
  logger: DriverLogger;
  /** Timers owned by the driver's link: cleared when the link stops. */
  timers: DriverTimers;
  secrets: DriverSecrets;
  /** Present when the connector runs the inbound callback listener. */
  callbacks?: DriverCallbacks;
}

export interface Driver {
  readonly vendor: Vendor;
  /** Open the session (socket, login, channel set, ...). Resolves when commands can be sent. */
  connect(): Promise<void>;
  /**
   * Make the vendor watch exactly these specs (adds and removes vendor subscriptions as needed).
   * Called after connect and whenever the link's bridge subscriptions change.
   */
  watch(specs: WatchSpec[]): Promise<void>;
  /**
   * Whether the vendor delivers a watched spec's events (drivers whose vendor subscriptions can be
   * refused or retried; absent: a spec is `active` once `watch` resolved).
   */
  watchStatus?(spec: WatchSpec): { state: 'pending' | 'active' | 'failed'; reason?: string };
  /**
   * After a reconnect: fetch current state (calls, agent states) and emit events for whatever changed
   * while the link was down so no call is left stale (e.g. `call.released` for calls that vanished).
   */
  resync(): Promise<void>;
  execute<K extends CommandKind>(command: Extract<CallCommand, { kind: K }>): Promise<CommandResult<K>>;
  /** Close the session politely; no onDown after close(). */
  close(): Promise<void>;
  /** Per-user login, for vendors whose users log in one by one (absent: sessions are refused). */
  readonly sessions?: DriverSessions;
  /** Inbound vendor requests for this link (absent: the listener answers 404 for the link). */
  handleCallback?(request: CallbackRequest): Promise<CallbackResponse>;
}

export type DriverFactory = (context: DriverContext) => Driver;
