/**
 * Core legs as CAP calls, and callAction as core operations (docs/protocols/broadworks-cap.md, "Call
 * model"). A leg is a CAP call: `callId` is the leg id and `extTrackingId` the session's correlation id,
 * so the originator leg keeps one callId from the Dial to the release (R16 behaviour, rule 18).
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import type { LegSnapshot, ReleaseCause } from '../../../simulator/core/types.js';
import { CALL_STATE, PERSONALITY, RELEASE_CAUSE, type CallAction, type CapCall } from '../wire/index.js';

const CAUSES: Record<ReleaseCause, number> = {
  normal: RELEASE_CAUSE.normal,
  busy: RELEASE_CAUSE.busy,
  'user-not-found': RELEASE_CAUSE.userNotFound,
  'temporarily-unavailable': RELEASE_CAUSE.temporarilyUnavailable,
  forbidden: RELEASE_CAUSE.forbidden,
  'request-failure': RELEASE_CAUSE.requestFailure,
};

/** The CAP state of a leg (L1425). A click-to-dial prompt ringing the user's own phone is alerting. */
export function capState(leg: LegSnapshot): number {
  switch (leg.state) {
    case 'dialing':
    case 'alerting':
      return CALL_STATE.alerting;
    case 'active':
      return leg.remoteHeld ? CALL_STATE.remoteHeld : CALL_STATE.active;
    case 'held':
      return CALL_STATE.held;
    case 'released':
      return CALL_STATE.released;
    case 'detached':
      return CALL_STATE.detached;
    case 'idle':
      return CALL_STATE.idle;
  }
}

/** The `<call>` of a callUpdate for this leg. */
export function capCall(leg: LegSnapshot): CapCall {
  const personality =
    leg.direction === 'terminator'
      ? PERSONALITY.terminator
      : leg.clickToDial
        ? PERSONALITY.broadWorksOriginator
        : PERSONALITY.originator;
  const remote = leg.clickToDial ? leg.self : leg.remote;
  const phone = remote.phone ?? (remote.number.startsWith('+') ? remote.number : undefined);
  const call: CapCall = {
    callId: leg.id,
    extTrackingId: leg.correlationId,
    appearance: leg.state === 'released' || leg.state === 'detached' ? -1 : 1,
    personality,
    state: capState(leg),
    releaseCause: leg.state === 'released' ? CAUSES[leg.releaseCause ?? 'normal'] : 0,
    remoteCountryCode: '1',
    remoteNumber: remote.number,
    remoteName: remote.name ?? '',
    localAltType: '0',
    callType: remote.kind === 'external' ? '3' : remote.kind === 'unknown' ? '0' : '1',
    callStartTime: String(leg.startTime),
  };
  if (phone) call.remoteTelUri = `tel:${phone}`;
  if (leg.answerTime !== undefined) call.callAnswerTime = String(leg.answerTime);
  const from = leg.redirections[leg.redirections.length - 1];
  if (from) {
    call.redirectFromCountryCode = '1';
    call.redirectFromNumber = from.party.number;
    call.redirectFromName = from.party.name ?? '';
    call.redirectFromReason = from.reason;
    if (from.reason === 'call-center' && from.party.id) call.callCenterUserId = from.party.id;
  }
  if (leg.redirect) {
    call.redirectToNum = leg.redirect.address;
    call.redirectToReason = leg.redirect.reason;
  }
  return call;
}

/** What a callAction did. `response` is set for the action types that may answer (rule 16/17). */
export interface ActionOutcome {
  ok: boolean;
  message?: string;
}

/** Per-user memory the actions need (Redial, disposition codes). */
export interface ActionContext {
  core: PbxCore;
  userId: string;
  /** False: Answer leaves an alerting call alerting (no callControlInfo Answer=True was sent). */
  answerEnabled: (legId: string) => boolean;
  lastDialled?: string;
  lastAcdCallId?: string;
  dispositionCodes: ReadonlySet<string>;
}

const param = (a: CallAction, name: string, nth = 0): string | undefined =>
  a.params.filter((p) => p.name.toLowerCase() === name.toLowerCase())[nth]?.value;

function own(ctx: ActionContext, legId: string | undefined): string {
  const leg = legId ? ctx.core.getLeg(legId) : undefined;
  if (!leg || leg.userId !== ctx.userId) throw new Error(`call ${legId ?? '(none)'} not found`);
  return leg.id;
}

/**
 * Runs one callAction on the core for `ctx.userId`. Throws on a refused action (the core's PbxError or
 * a missing parameter); CAP has no error reply for actions other than the two that may request one.
 */
export function runCallAction(ctx: ActionContext, a: CallAction): ActionOutcome {
  const { core, userId } = ctx;
  switch (a.actionType) {
    case 'Dial':
    case 'MakePersonalCall':
    case 'MakeCallAsCC': {
      const number = param(a, 'Number');
      if (!number) throw new Error('Number is required');
      ctx.lastDialled = number;
      core.dial(userId, number, { clickToDial: true });
      return { ok: true };
    }
    case 'Redial':
      if (!ctx.lastDialled) throw new Error('nothing to redial');
      core.dial(userId, ctx.lastDialled, { clickToDial: true });
      return { ok: true };
    case 'Hold':
      core.hold(own(ctx, param(a, 'CallId')));
      return { ok: true };
    case 'Answer': {
      const id = own(ctx, param(a, 'CallId'));
      const leg = core.getLeg(id)!;
      if (leg.state === 'held') core.retrieve(id);
      else if (leg.state === 'dialing') core.answer(id);
      else if (leg.state === 'alerting' && ctx.answerEnabled(id)) core.answer(id);
      // otherwise the call keeps ringing: the user has to pick up the phone (L3755)
      return { ok: true };
    }
    case 'Release':
      core.release(own(ctx, param(a, 'CallId')));
      return { ok: true };
    case 'Xfer':
    case 'XferVM':
    case 'XferCC': {
      const number = param(a, 'Number');
      if (!number) throw new Error('Number is required');
      core.blindTransfer(own(ctx, param(a, 'CallId')), number);
      return { ok: true };
    }
    case 'XferConsult':
      core.consultTransfer(own(ctx, param(a, 'CallId', 0)), own(ctx, param(a, 'CallId', 1)));
      return { ok: true };
    case 'ConfStart':
      core.startConference(userId, [own(ctx, param(a, 'CallId', 0)), own(ctx, param(a, 'CallId', 1))]);
      return { ok: true };
    case 'ConfAdd':
      core.addToConference(userId, own(ctx, param(a, 'CallId')));
      return { ok: true };
    case 'ConfHold':
      core.holdConference(userId);
      return { ok: true };
    case 'ConfAnswer':
      core.retrieveConference(userId);
      return { ok: true };
    case 'ConfRelease':
      core.releaseConference(userId);
      return { ok: true };
    case 'TransmitDTMF': {
      // not in the specification's action list; accepted by the simulator for DTMF tests
      const digits = param(a, 'Number') ?? '';
      core.dtmf(own(ctx, param(a, 'CallId')), digits);
      return { ok: true };
    }
    case 'TagCallWithDispositionCode': {
      const code = param(a, 'DispositionCode') ?? '';
      const callId = param(a, 'CallId') ?? ctx.lastAcdCallId;
      if (!callId || !core.getLeg(callId)) return { ok: false, message: 'No ACD call to tag' };
      if (!ctx.dispositionCodes.has(code)) return { ok: false, message: 'Invalid disposition code' };
      return { ok: true };
    }
    case 'CustOriginatedTraceCall':
      return { ok: true };
    default:
      throw new Error(`action ${a.actionType} is not supported by the simulator`);
  }
}

/** Action types that may carry responseRequested="True" (L1737). */
export const RESPONDING_ACTIONS: ReadonlySet<string> = new Set([
  'TagCallWithDispositionCode',
  'CustOriginatedTraceCall',
]);
