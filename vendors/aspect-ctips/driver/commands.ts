/**
 * The unified call commands as CTIPS call-control requests (L775-1036; docs/protocols/aspect-ctips.md,
 * "Driver"). Every request acts for the agent logged in at the user's station (its AgentId, L637) and
 * carries a fresh RequestId; CTIPS acknowledges synchronously and the outcome is the event echoing the
 * RequestId (or naming the call): the command answers then, 504 after `outcomeTimeoutMs`, 409 on
 * CallRequestFailed. Reads (listCalls, getCall) come from the mapper's calls.
 */
import type { Call } from '../../../shared/events/model.js';
import type { CallCommand } from '../../driver-kit/seam.js';
import type { AgentDirectory } from './agents.js';
import type { CtipsConnection } from './connection.js';
import { badRequest, noAgent, unknownCall } from './errors.js';
import { textOf } from '../wire/xml.js';
import { callDataOf } from './mapper-fields.js';
import { failingOn, fieldOf, type EventLike, type Outcomes } from './outcomes.js';
import { userDataList } from './routes.js';

/** What the commands read of the mapper (keyed by station extension). */
export interface CallBook {
  callsOf(user: string): Call[];
  call(user: string, callId: string): Call | undefined;
}

export interface CommandDeps {
  mapper: CallBook;
  outcomes: Outcomes;
  agents: AgentDirectory;
  /** The online connection (throws LinkUnavailableError when there is none). */
  connection(): CtipsConnection;
}

type Empty = Record<string, never>;

/** A destination as CTIPS takes it: `agent:<login name>`, `service:<id>`, else an external number. */
export function destinationOf(to: string): {
  DestinationType: string;
  DestinationAddress: string;
  ServiceId: number;
} {
  const t = to.trim();
  if (!t) throw badRequest('a destination is required');
  const m = /^(agent|service):(.+)$/i.exec(t);
  if (!m) return { DestinationType: 'External', DestinationAddress: t, ServiceId: 0 };
  const kind = m[1]!.toLowerCase();
  const value = m[2]!.trim();
  if (kind === 'service') {
    if (!/^\d+$/.test(value)) throw badRequest(`service destinations take a service id, got ${value}`);
    return { DestinationType: 'Service', DestinationAddress: value, ServiceId: Number(value) };
  }
  return { DestinationType: 'Agent', DestinationAddress: value, ServiceId: 0 };
}

const callIdNumber = (id: string): number => {
  if (!/^-?\d+$/.test(id)) throw badRequest(`CTIPS call ids are integers, got ${JSON.stringify(id)}`);
  return Number(id);
};

/** An event named one of `names` about the call, or echoing the request. */
const outcome =
  (requestId: number, names: readonly string[], callId: number) =>
  (ev: EventLike): true | undefined =>
    names.includes(ev.name) &&
    (fieldOf(ev, 'RequestId') === requestId ||
      fieldOf(ev, 'CallId') === callId ||
      fieldOf(ev, 'ConsultationCallId') === callId)
      ? true
      : undefined;

/**
 * @example
 * const commands = new CallCommands(deps);
 * await commands.run({ kind: 'hold', user: '4001', call: '17' }); // {} once CallHeld arrived
 */
export class CallCommands {
  constructor(private readonly deps: CommandDeps) {}

  /** Runs a call command; undefined for kinds that are not call commands. */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'listCalls':
        return Promise.resolve({ calls: this.deps.mapper.callsOf(cmd.user) });
      case 'getCall':
        return Promise.resolve({ call: this.call(cmd.user, cmd.call) });
      case 'dial':
        return this.dial(cmd.user, cmd.to);
      case 'getCallData':
        return this.callData(cmd.user, cmd.call);
      case 'setCallData':
        return this.callData(cmd.user, cmd.call, cmd.userData);
      case 'answer':
        return this.simple(cmd.user, cmd.call, 'AcceptCall', ['CallEstablished'], 'active', {
          AcceptCall: true,
          RejectReason: 0,
        });
      case 'hold':
        return this.simple(cmd.user, cmd.call, 'HoldCall', ['CallHeld'], 'held');
      case 'retrieve':
        return this.simple(cmd.user, cmd.call, 'RetrieveCall', ['CallRetrieved'], 'active');
      case 'release':
        return this.simple(cmd.user, cmd.call, 'ClearCall', ['CallCleared', 'CallEnd'], 'released');
      case 'dtmf':
        if (!/^[0-9*#A-Da-d]+$/.test(cmd.digits))
          return Promise.reject(badRequest(`invalid DTMF digits ${JSON.stringify(cmd.digits)}`));
        return this.simple(cmd.user, cmd.call, 'SendDTMFDigits', ['DigitsDialed'], undefined, {
          DTMFDigits: cmd.digits,
        });
      case 'blindTransfer': {
        const dest = destinationOf(cmd.to);
        if (dest.DestinationType === 'Service') dest.DestinationAddress = String(dest.ServiceId);
        return this.simple(cmd.user, cmd.call, 'TransferCall', ['CallTransferred'], undefined, {
          DestinationType: dest.DestinationType,
          DestinationAddress: dest.DestinationAddress,
          TransferType: 'Blind',
        });
      }
      case 'consultTransfer':
        return this.twoCalls(cmd.user, cmd.call, cmd.withCall, 'TransferCall');
      case 'conference':
        return this.twoCalls(cmd.user, cmd.call, cmd.withCall, 'ConferenceCall');
      default:
        return undefined;
    }
  }

  /** The AgentId acting at the user's station. */
  private agentAt(user: string): number {
    const agent = this.deps.agents.atStation(user);
    if (!agent) throw noAgent(user);
    return agent.agentId;
  }

  /** Registers the wait, sends, and waits (the wait is dropped when the request fails). */
  private async act<T>(
    op: Parameters<CtipsConnection['request']>[0],
    params: Record<string, unknown>,
    requestId: number,
    match: (ev: EventLike) => T | undefined,
    what: string,
  ): Promise<T> {
    const conn = this.deps.connection();
    const wait = this.deps.outcomes.expect(failingOn(requestId, match), what);
    try {
      await conn.request(op, { RequestId: requestId, ...params });
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  /** MakeCall (CallId -1: no existing call, L982), answered by the CallOriginated echoing the RequestId. */
  private async dial(user: string, to: string): Promise<{ callId: string; correlationId: string }> {
    const dest = destinationOf(to);
    const agentId = this.agentAt(user);
    const conn = this.deps.connection();
    const requestId = conn.nextRequestId();
    const callId = await this.act(
      'MakeCall',
      { AgentId: agentId, CallId: -1, ...dest, WrapState: false },
      requestId,
      (ev) => {
        if (ev.name !== 'CallOriginated' || fieldOf(ev, 'RequestId') !== requestId) return undefined;
        return fieldOf(ev, 'CallId');
      },
      `CallOriginated after MakeCall to ${to}`,
    );
    const id = String(callId);
    const known = this.deps.mapper.call(user, id);
    return { callId: id, correlationId: known?.correlationId ?? id };
  }

  /**
   * GetCallData / SetCallData (L874-912), answered by the CallDataUpdate echoing the RequestId (L1406-1425):
   * GetCallDataReturned with the items, GetCallDataNotReturned (no data: `{}`), SetCallDataSucceeded.
   */
  private async callData(
    user: string,
    callId: string,
    set?: Record<string, string>,
  ): Promise<{ userData: Record<string, string> }> {
    this.call(user, callId);
    const id = callIdNumber(callId);
    const agentId = this.agentAt(user);
    const requestId = this.deps.connection().nextRequestId();
    const op = set ? 'SetCallData' : 'GetCallData';
    const got = await this.act(
      op,
      { AgentId: agentId, CallId: id, ...(set ? { UserData: userDataList(set) } : {}) },
      requestId,
      (ev) =>
        ev.name === 'CallDataUpdate' && fieldOf(ev, 'RequestId') === requestId
          ? { type: textOf(ev.node, 'UpdateType'), data: callDataOf(ev.node) }
          : undefined,
      `CallDataUpdate for call ${callId} after ${op}`,
    );
    if (set) return { userData: got.data ?? set };
    return { userData: got.type === 'GetCallDataReturned' ? (got.data ?? {}) : {} };
  }

  /** One request about one call; nothing to do when the call is in `done` already. */
  private async simple(
    user: string,
    callId: string,
    op: 'AcceptCall' | 'HoldCall' | 'RetrieveCall' | 'ClearCall' | 'SendDTMFDigits' | 'TransferCall',
    names: readonly string[],
    done: Call['state'] | undefined,
    extra: Record<string, unknown> = {},
  ): Promise<Empty> {
    const call = this.call(user, callId);
    if (done && call.state === done) return {};
    const id = callIdNumber(callId);
    const agentId = this.agentAt(user);
    const requestId = this.deps.connection().nextRequestId();
    await this.act(
      op,
      { AgentId: agentId, CallId: id, ...extra },
      requestId,
      outcome(requestId, names, id),
      `${names.join(' or ')} for call ${callId} after ${op}`,
    );
    return {};
  }

  /**
   * TransferCall (Consultation) / ConferenceCall: CallId is the customer's (held) call, ConsultationCallId
   * the consultation (L823-847, L1010-1036).
   */
  private async twoCalls(
    user: string,
    a: string,
    b: string,
    op: 'TransferCall' | 'ConferenceCall',
  ): Promise<Empty> {
    const first = this.call(user, a);
    const second = this.call(user, b);
    const [held, consult] = second.state === 'held' && first.state !== 'held' ? [b, a] : [a, b];
    const agentId = this.agentAt(user);
    const requestId = this.deps.connection().nextRequestId();
    const heldId = callIdNumber(held);
    const consultId = callIdNumber(consult);
    const names = op === 'TransferCall' ? ['CallTransferred'] : ['CallConferenced'];
    await this.act(
      op,
      {
        AgentId: agentId,
        CallId: heldId,
        ConsultationCallId: consultId,
        ...(op === 'TransferCall' ? { TransferType: 'Consultation' } : {}),
      },
      requestId,
      (ev) => outcome(requestId, names, heldId)(ev) ?? outcome(requestId, names, consultId)(ev),
      `${names[0]} for calls ${a} and ${b} after ${op}`,
    );
    return {};
  }

  private call(user: string, callId: string): Call {
    const call = this.deps.mapper.call(user, callId);
    if (!call) throw unknownCall(user, callId);
    return call;
  }
}
