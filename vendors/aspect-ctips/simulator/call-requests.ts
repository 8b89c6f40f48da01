/**
 * The call-control requests (digest §5.2) on the core: AcceptCall, ClearCall, HoldCall, RetrieveCall,
 * MakeCall, ConsultationCall, TransferCall, ConferenceCall, SendDTMFDigits, SetCallData, GetCallData.
 * Invalid arguments are faults; an agent that is not logged in, a CallId that is not (or no longer,
 * L1453) one of the agent's calls, or a core refusal get CallRequestFailed with a CTIFailureType.
 */
import { PbxError } from '../../../simulator/core/index.js';
import { CTI_DESTINATION_TYPES } from '../wire/enums.js';
import { Args } from './args.js';
import { RequestFault, type SimContext } from './context.js';
import type { AgentLogin } from './agents.js';

const FAILURE_OF_OP: Record<string, string> = {
  ClearCall: 'ClearCallFailure',
  MakeCall: 'MakeCallFailure',
  ConsultationCall: 'ConsultationFailure',
  TransferCall: 'CallTransferFailure',
  ConferenceCall: 'ConferenceFailure',
  SendDTMFDigits: 'PlayDigitsFailure',
  SetCallData: 'SetCallDataFailed',
};

class CallFailure extends Error {
  constructor(
    readonly failureType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * @example
 * callRequest(ctx, 'HoldCall', args); // 0, then CallHeld
 */
export function callRequest(ctx: SimContext, op: string, a: Args): number {
  const agentId = a.int('AgentId');
  const callId = a.int('CallId');
  validate(op, a);
  try {
    const agent = ctx.agents.byId(agentId);
    if (!agent) throw new CallFailure('InvalidAgent', `agent ${agentId} is not logged in`);
    run(ctx, op, a, agent, callId);
  } catch (err) {
    if (err instanceof CallFailure || err instanceof PbxError) {
      const type =
        err instanceof CallFailure
          ? err.failureType
          : err.code === 'CALL_NOT_FOUND'
            ? 'InvalidCallId'
            : err.code === 'INVALID_STATE'
              ? 'InvalidStateForRequest'
              : (FAILURE_OF_OP[op] ?? 'RequestFailed');
      ctx.emit('CallRequestFailed', {
        AgentId: agentId,
        CallId: callId,
        FailureType: type,
        FailureReason: err.message,
      });
      return 0;
    }
    throw err;
  }
  return 0;
}

/** The argument checks that come before any state check: a malformed request is a fault (L417). */
function validate(op: string, a: Args): void {
  if (op === 'AcceptCall') a.bool('AcceptCall');
  if (op === 'SendDTMFDigits') a.str('DTMFDigits');
  if (op === 'ConferenceCall') a.int('ConsultationCallId');
  if (op === 'MakeCall' || op === 'ConsultationCall') a.enum('DestinationType', CTI_DESTINATION_TYPES);
  if (op === 'TransferCall') {
    const kind = transferKind(a);
    if (kind === 'Blind' && !a.has('DestinationAddress')) {
      throw new RequestFault('DestinationAddress is required for a Blind transfer');
    }
    if (kind === 'Blind') a.enum('DestinationType', CTI_DESTINATION_TYPES);
    if (kind === 'Consultation' && !a.has('ConsultationCallId')) {
      throw new RequestFault('ConsultationCallId is required for a Consultation transfer');
    }
  }
}

function transferKind(a: Args): 'Blind' | 'Consultation' {
  const tt = a.optStr('TransferType')?.trim();
  if (tt === 'Blind' || tt === '1') return 'Blind';
  if (tt === 'Consultation' || tt === '2') return 'Consultation';
  throw new RequestFault('TransferType must be Blind (1) or Consultation (2)');
}

function legOf(ctx: SimContext, agent: AgentLogin, callId: number): string {
  const leg = ctx.calls.legOf(callId, agent.userId);
  if (!leg) throw new CallFailure('InvalidCallId', `call ${callId} is not a call of agent ${agent.agentId}`);
  return leg;
}

/** The core address of a destination (Agent: login name or AgentId; Service: service id; External). */
function destination(ctx: SimContext, a: Args, type: string): string {
  const addr = a.optStr('DestinationAddress')?.trim() ?? '';
  if (type === 'Service') {
    const id = addr || String(a.optInt('ServiceId') ?? '');
    const q = ctx.core.listQueues().find((x) => x.extension === id);
    if (!q) throw new CallFailure('DestinationInvalidServiceIdentifier', `no service ${id}`);
    return q.extension;
  }
  if (!addr) throw new RequestFault('DestinationAddress is required');
  if (type === 'Agent') {
    const byId = /^\d+$/.test(addr) ? ctx.agents.byId(Number(addr)) : undefined;
    const u = byId ? ctx.core.getUser(byId.userId) : ctx.agents.userOf(addr);
    if (!u) throw new CallFailure('DestinationAgentNotAvailable', `no agent ${addr}`);
    return u.extension;
  }
  if (ctx.core.resolve(addr).kind === 'unknown')
    throw new CallFailure('DestinationInvalidNumber', `cannot dial ${addr}`);
  return addr;
}

function run(ctx: SimContext, op: string, a: Args, agent: AgentLogin, callId: number): void {
  const core = ctx.core;
  switch (op) {
    case 'AcceptCall': {
      const accept = a.bool('AcceptCall');
      const leg = legOf(ctx, agent, callId);
      if (accept) core.answer(leg);
      else core.release(leg);
      return;
    }
    case 'ClearCall':
      core.release(legOf(ctx, agent, callId));
      return;
    case 'HoldCall':
      core.hold(legOf(ctx, agent, callId));
      return;
    case 'RetrieveCall':
      core.retrieve(legOf(ctx, agent, callId));
      return;
    case 'SendDTMFDigits': {
      const digits = a.str('DTMFDigits');
      core.dtmf(legOf(ctx, agent, callId), digits);
      return;
    }
    case 'MakeCall': {
      const type = a.enum('DestinationType', CTI_DESTINATION_TYPES);
      if (type === 'NoDestination') throw new RequestFault('MakeCall needs a destination');
      if (callId !== -1) legOf(ctx, agent, callId);
      core.dial(agent.station, destination(ctx, a, type));
      return;
    }
    case 'ConsultationCall': {
      const type = a.enum('DestinationType', CTI_DESTINATION_TYPES);
      if (type === 'NoDestination')
        throw new RequestFault('DestinationType must be Agent, External or Service');
      legOf(ctx, agent, callId);
      const to = destination(ctx, a, type);
      ctx.pending.consultOf = callId;
      core.dial(agent.station, to);
      return;
    }
    case 'TransferCall': {
      const kind = transferKind(a);
      return transfer(ctx, a, agent, callId, kind);
    }
    case 'ConferenceCall': {
      const consult = a.int('ConsultationCallId');
      const legs = [legOf(ctx, agent, callId), legOf(ctx, agent, consult)];
      core.startConference(agent.userId, legs);
      ctx.emit('CallConferenced', {
        CallId: callId,
        AgentId: agent.agentId,
        ConsultingCallId: callId,
        ConsultedCallId: consult,
        ConsultationAgentId: 0,
        ConferenceCallId: callId,
      });
      return;
    }
    case 'SetCallData': {
      const data = a.list('UserData') ?? [];
      if (data.length > 20) throw new RequestFault('UserData holds at most 20 fields');
      legOf(ctx, agent, callId);
      const rec = ctx.calls.get(callId)!;
      rec.userData = data;
      ctx.emit('CallDataUpdate', {
        CallId: callId,
        AgentId: agent.agentId,
        UpdateType: 'SetCallDataSucceeded',
      });
      return;
    }
    case 'GetCallData': {
      legOf(ctx, agent, callId);
      const rec = ctx.calls.get(callId)!;
      const items = rec.userData.map((value, i) => ({ key: String(i + 1), value }));
      ctx.emit('CallDataUpdate', {
        CallId: callId,
        AgentId: agent.agentId,
        UpdateType: items.length ? 'GetCallDataReturned' : 'GetCallDataNotReturned',
        ...(items.length ? { CallData: items } : {}),
      });
      return;
    }
    default:
      throw new RequestFault(`${op} is not a call request`);
  }
}

function transfer(
  ctx: SimContext,
  a: Args,
  agent: AgentLogin,
  callId: number,
  kind: 'Blind' | 'Consultation',
): void {
  const leg = legOf(ctx, agent, callId);
  const fields = {
    CallId: callId,
    AgentId: agent.agentId,
    ConsultingCallId: callId,
    TransferredCallId: callId,
    TransferredCallSwitchId: ctx.opts.switchId,
  };
  if (kind === 'Blind') {
    const type = a.enum('DestinationType', CTI_DESTINATION_TYPES);
    const to = destination(ctx, a, type);
    ctx.pending.transfer = { ...fields, ConsultedCallId: 0, ConsultationAgentId: 0 };
    ctx.core.blindTransfer(leg, to);
  } else {
    const consult = a.int('ConsultationCallId');
    const other = legOf(ctx, agent, consult);
    ctx.pending.transfer = { ...fields, ConsultedCallId: consult, ConsultationAgentId: 0 };
    ctx.core.consultTransfer(leg, other);
  }
  if (ctx.pending.transfer) {
    ctx.emit('CallTransferred', ctx.pending.transfer);
    ctx.pending.transfer = undefined;
  }
}
