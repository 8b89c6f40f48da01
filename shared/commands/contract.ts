/**
 * The command contract between the control API and the connector: the unified commands the API sends
 * for a link, what each one answers, and the request the connector's command endpoint accepts. Drivers
 * implement it (through `vendors/driver-kit/seam.ts`, which re-exports it); the API Lambdas only build
 * and forward it, so this module imports nothing beyond the event model's types.
 */
import type { AgentStateValue, Call, RouteChoice, UserData } from '../events/model.js';

/** A user of the vendor's directory, as `listUsers` answers it. */
export interface DirectoryUser {
  /** Vendor-native user id (BroadWorks userId, e.g. alice@sim.example). */
  id: string;
  extension?: string;
  name?: string;
  number?: string;
}

/** A call waiting in a queue, as `listQueueCalls` answers it. */
export interface QueuedCall {
  /** The vendor's id of the queued call (CAP: the queueCall's callId). */
  id: string;
  /** 1-based position in the queue. */
  position: number;
  /** The caller's number and name, as the vendor gave them. */
  from?: string;
  fromName?: string;
  /** The dialled number (DNIS) and its name, when the vendor gives them. */
  dnis?: string;
  dnisName?: string;
  /** When the call entered the queue (ISO 8601). */
  enteredAt?: string;
  /** Vendor priority, when given (lower is more urgent). */
  priority?: number;
}

/** Which calls a forwarding command reads or changes. */
export type ForwardingType = 'always' | 'busy' | 'no-answer';

/**
 * One unified call-control command, addressed to a link's driver.
 *
 * @example
 * const command: CallCommand = { kind: 'dial', user: 'alice@sim.example', to: '+15550100' };
 */
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
  | { kind: 'getForwarding'; user: string; type: ForwardingType }
  | {
      kind: 'setForwarding';
      user: string;
      type: ForwardingType;
      enabled: boolean;
      to?: string;
    }
  | { kind: 'tagDisposition'; user: string; call: string; code: string }
  | { kind: 'listQueueCalls'; queue: string }
  | { kind: 'reorderQueueCall'; queue: string; call: string; position: number }
  | { kind: 'promoteQueueCall'; queue: string; call: string }
  | { kind: 'removeQueueCall'; queue: string; call: string; to?: string }
  | { kind: 'getCallData'; user: string; call: string }
  | { kind: 'setCallData'; user: string; call: string; userData: UserData }
  /**
   * Answers a pending `route.request` (the call id it named) with a route; `by` says who decided (the
   * API or a routing webhook), for the `route.*` outcome event.
   */
  | { kind: 'routeSelect'; call: string; route: RouteChoice; by?: 'api' | 'webhook' }
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
  listQueueCalls: { calls: QueuedCall[] };
  getCallData: { userData: UserData };
  setCallData: { userData: UserData };
  /** `used`: the vendor routed the call as asked (a rejection or failure is an error, 409/422). */
  routeSelect: { outcome: 'used'; route: RouteChoice };
  raw: { status: number; body: unknown };
}

/**
 * What a command of kind `K` answers.
 *
 * @example
 * const dialled: CommandResult<'dial'> = { callId: 'c1', correlationId: 'k1' };
 * const held: CommandResult<'hold'> = {};
 */
export type CommandResult<K extends CommandKind> = K extends keyof CommandResults
  ? CommandResults[K]
  : Record<string, never>;

/** The path of the connector's command endpoint. */
export const COMMAND_PATH = '/v1/commands';

/**
 * The body of `POST /v1/commands` on the connector (with `Authorization: Bearer <connector token>`).
 * The connector answers `200 {result}` or a `CommandErrorBody` (see `./errors.ts`).
 *
 * @example
 * const request: CommandRequest = { tenant: 't1', link: 'pbx', command: { kind: 'listUsers' } };
 */
export interface CommandRequest {
  tenant: string;
  link: string;
  command: CallCommand;
}
