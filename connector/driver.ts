/**
 * The driver seam: one driver per link, each vendor in its own folder under connector/drivers/<vendor>/,
 * exporting a `DriverFactory`. The connector owns reconnects, backoff, the lease and the event log; a
 * driver owns exactly one vendor session (socket, login, keepalives, acknowledgements, subscriptions).
 */
import type {
  AgentStateValue,
  Call,
  EventDraft,
  Target,
  EventFamily,
  Vendor,
} from '../shared/events/model.js';

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

export interface DirectoryUser {
  /** Vendor-native user id (BroadWorks userId, e.g. alice@sim.example). */
  id: string;
  extension?: string;
  name?: string;
  number?: string;
}

export type CallCommand =
  | { kind: 'listUsers' }
  | { kind: 'listCalls'; user: string }
  | { kind: 'getCall'; user: string; call: string }
  | { kind: 'dial'; user: string; to: string }
  | { kind: 'answer'; user: string; call: string }
  | { kind: 'hold'; user: string; call: string }
  | { kind: 'retrieve'; user: string; call: string }
  | { kind: 'release'; user: string; call: string }
  | { kind: 'dtmf'; user: string; call: string; digits: string }
  | { kind: 'blindTransfer'; user: string; call: string; to: string }
  | { kind: 'consultTransfer'; user: string; call: string; withCall: string }
  | { kind: 'conference'; user: string; call: string; withCall: string }
  | { kind: 'getAgentState'; agent: string }
  | { kind: 'setAgentState'; agent: string; state: AgentStateValue; reason?: string }
  | { kind: 'getDnd'; user: string }
  | { kind: 'setDnd'; user: string; enabled: boolean }
  | { kind: 'getForwarding'; user: string; type: 'always' | 'busy' | 'no-answer' }
  | {
      kind: 'setForwarding';
      user: string;
      type: 'always' | 'busy' | 'no-answer';
      enabled: boolean;
      to?: string;
    }
  | { kind: 'raw'; request: unknown };

export type CommandKind = CallCommand['kind'];

/** Results per command kind (commands not listed return `{}`). */
export interface CommandResults {
  listUsers: { users: DirectoryUser[] };
  listCalls: { calls: Call[] };
  getCall: { call: Call };
  dial: { callId: string; correlationId: string };
  getAgentState: { state: AgentStateValue; reason?: string };
  setAgentState: { state: AgentStateValue; reason?: string };
  getDnd: { enabled: boolean };
  setDnd: { enabled: boolean };
  getForwarding: { enabled: boolean; to?: string };
  setForwarding: { enabled: boolean; to?: string };
  raw: { status: number; body: unknown };
}
export type CommandResult<K extends CommandKind> = K extends keyof CommandResults
  ? CommandResults[K]
  : Record<string, never>;

/** A vendor refused the command. `status` is the HTTP status the API answers with. */
export class VendorError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly vendor: { name: Vendor; code?: string; text?: string; status?: number },
  ) {
    super(message);
    this.name = 'VendorError';
  }
}

/** The vendor (or this driver) cannot do the command at all: the API answers 501 naming the vendor. */
export class NotSupportedError extends Error {
  constructor(
    readonly vendor: Vendor,
    readonly command: string,
  ) {
    super(`${vendor} cannot do ${command}`);
    this.name = 'NotSupportedError';
  }
}

/** The link is not up (or the driver lost it mid-command): the API answers 503 with Retry-After. */
export class LinkUnavailableError extends Error {
  constructor(message = 'link is not up') {
    super(message);
    this.name = 'LinkUnavailableError';
  }
}

export interface DriverLogger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export interface DriverHooks {
  /** A normalized event, in vendor order. The connector assigns seq/id and logs it. */
  onEvent(event: EventDraft): void;
  /** The session ended (socket closed, keepalive lost, fatal protocol error). The connector reconnects. */
  onDown(reason: string): void;
  /** Vendor garbage: logged and counted by the connector, never fatal. */
  onGarbage(kind: string, detail: string): void;
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
   * After a reconnect: fetch current state (calls, agent states) and emit events for whatever changed
   * while the link was down so no call is left stale (e.g. `call.released` for calls that vanished).
   */
  resync(): Promise<void>;
  execute<K extends CommandKind>(command: Extract<CallCommand, { kind: K }>): Promise<CommandResult<K>>;
  /** Close the session politely; no onDown after close(). */
  close(): Promise<void>;
}

export type DriverFactory = (link: LinkConfig, hooks: DriverHooks, logger: DriverLogger) => Driver;
