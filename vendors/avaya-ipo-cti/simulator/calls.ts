/**
 * Call-control requests of the simulator (`POST /inyama/service/callcontrol/<path>`, digest §4.1) on the
 * shared core. Each answers 202 with an empty body and its outcome arrives as events (rule 11); a
 * request naming an unknown call or device, or one the call's state does not allow, is refused with 400
 * `<Errors>`. makeCall and consultationCall reserve their correlatorData as the callID of the leg they
 * create (digest §3); conferenceCall makes the active call's id the conference id.
 */
import { randomUUID } from 'node:crypto';
import type { LegSnapshot, UserSnapshot } from '../../../simulator/core/types.js';
import type { IpoRequest } from '../wire/requests.js';
import { userByExtension } from './directory.js';
import { accepted, errorReply, invalid, type Reply, type ServiceContext } from './reply.js';
import type { IpoSession } from './sessions.js';

type CallRequest = Extract<
  IpoRequest,
  {
    kind:
      | 'makeCall'
      | 'answerCall'
      | 'clearCall'
      | 'clearConnection'
      | 'holdCall'
      | 'retrieveCall'
      | 'consultationCall'
      | 'transferCall'
      | 'conferenceCall'
      | 'singleStepTransferCall'
      | 'parkCall'
      | 'directedPickupCall'
      | 'generateDigits'
      | 'recordCall'
      | 'stopRecordCall';
  }
>;

/** The directory user acting as `device`; a device user may act for its own extension only. */
export function actingUser(
  ctx: ServiceContext,
  s: IpoSession,
  device: string,
  field = 'device',
): UserSnapshot {
  const u = userByExtension(ctx.core, device);
  if (!u) throw invalid(field, `unknown device ${device}`);
  if (s.kind === 'device' && u.extension !== s.init.extension)
    throw invalid(field, `device ${device} is not this session's`, 'UNAUTHORIZED');
  return u;
}

/** The live leg a callID names, owned by a user this session may act for. */
function legOf(ctx: ServiceContext, s: IpoSession, callID: string, field = 'callID'): LegSnapshot {
  const legId = ctx.ids.legOf(callID);
  const leg = legId ? ctx.core.getLeg(legId) : undefined;
  if (!leg || !leg.userId || leg.state === 'released' || leg.state === 'detached')
    throw invalid(field, `unknown call ${callID}`);
  if (s.kind === 'device' && leg.self.number !== s.init.extension)
    throw invalid(field, `call ${callID} is not this session's`, 'UNAUTHORIZED');
  return leg;
}

function correlator(ctx: ServiceContext, given: string | undefined): string {
  const c = given ?? randomUUID();
  if (ctx.ids.inUse(c)) throw invalid('correlatorData', 'correlatorData must be unique per request');
  return c;
}

/** Dials from `user`, the new leg taking `corr` as its callID. */
function dial(ctx: ServiceContext, user: UserSnapshot, to: string, corr: string): void {
  ctx.ids.expect(user.userId, corr);
  try {
    ctx.core.dial(user.userId, to);
  } finally {
    ctx.ids.cancel(user.userId);
  }
}

/**
 * @example
 * handleCall(ctx, session, { kind: 'holdCall', callID }); // { status: 202 }
 */
export function handleCall(ctx: ServiceContext, s: IpoSession, r: CallRequest): Reply {
  const core = ctx.core;
  switch (r.kind) {
    case 'makeCall': {
      const user = actingUser(ctx, s, r.callingDevice, 'callingDevice');
      dial(ctx, user, r.calledDirectoryNumber, correlator(ctx, r.correlatorData));
      return accepted();
    }
    case 'answerCall': {
      const leg = legOf(ctx, s, r.callID);
      if (leg.state !== 'alerting' || leg.direction !== 'terminator')
        throw invalid('callID', `call ${r.callID} is not ringing`, 'INVALID_STATE');
      core.answer(leg.id);
      return accepted();
    }
    case 'clearConnection': {
      if (r.reason === 'conference') return dropParticipant(ctx, s, r.callID, r.correlatorData ?? '');
      core.release(legOf(ctx, s, r.callID).id);
      return accepted();
    }
    case 'clearCall': {
      const conf = ctx.translator.conferences.find(r.callID);
      if (conf) {
        if (s.kind === 'device' && core.getUser(conf.controllerUserId)?.extension !== s.init.extension) {
          throw invalid('callID', 'only the conference controller may clear it', 'UNAUTHORIZED');
        }
        core.releaseConference(conf.controllerUserId);
        return accepted();
      }
      const leg = legOf(ctx, s, r.callID);
      if (leg.conferenceId) core.releaseConference(leg.userId!);
      else core.release(leg.id);
      return accepted();
    }
    case 'holdCall':
      core.hold(legOf(ctx, s, r.callID).id);
      return accepted();
    case 'retrieveCall':
      core.retrieve(legOf(ctx, s, r.callID).id);
      return accepted();
    case 'consultationCall': {
      const existing = legOf(ctx, s, r.existingCall, 'existingCall');
      if (existing.state !== 'active' && existing.state !== 'held')
        throw invalid('existingCall', 'the existing call is not connected', 'INVALID_STATE');
      const user = core.getUser(existing.userId!)!;
      dial(ctx, user, r.consultedDevice, correlator(ctx, r.correlatorData));
      return accepted();
    }
    case 'transferCall': {
      const held = legOf(ctx, s, r.heldCall, 'heldCall');
      const active = legOf(ctx, s, r.activeCall, 'activeCall');
      core.consultTransfer(held.id, active.id);
      return accepted();
    }
    case 'conferenceCall': {
      const held = legOf(ctx, s, r.heldCall, 'heldCall');
      const active = legOf(ctx, s, r.activeCall, 'activeCall');
      if (held.userId !== active.userId) throw invalid('activeCall', 'both calls must be of one device');
      ctx.translator.conferences.expect(held.userId!, r.activeCall.replace(/\s+/g, ''));
      try {
        core.startConference(held.userId!, [held.id, active.id]);
      } finally {
        ctx.translator.conferences.cancel(held.userId!);
      }
      return accepted();
    }
    case 'singleStepTransferCall':
      core.blindTransfer(legOf(ctx, s, r.activeCall, 'activeCall').id, r.transferredTo);
      return accepted();
    case 'generateDigits':
      core.dtmf(legOf(ctx, s, r.callID).id, r.charactersToSend);
      return accepted();
    case 'parkCall':
    case 'directedPickupCall':
    case 'recordCall':
    case 'stopRecordCall':
      // the shared core has no park slots, pickup or recording (docs/protocols/avaya-ipo-cti.md)
      return errorReply(501, [
        { code: 'UNKNOWN', errorValue: r.kind, description: `${r.kind} is not simulated` },
      ]);
  }
}

/** clearConnection of one conference participant (rule 16): participantId + conference correlatorData. */
function dropParticipant(
  ctx: ServiceContext,
  s: IpoSession,
  participantId: string,
  conferenceId: string,
): Reply {
  const conf = ctx.translator.conferences.find(conferenceId);
  if (!conf) throw invalid('correlatorData', `unknown conference ${conferenceId}`);
  if (s.kind === 'device' && ctx.core.getUser(conf.controllerUserId)?.extension !== s.init.extension) {
    throw invalid('correlatorData', 'only the conference controller may drop participants', 'UNAUTHORIZED');
  }
  const target = conf.legOf(participantId.replace(/\s+/g, ''));
  if (!target) throw invalid('callID', `unknown participant ${participantId}`);
  if (target === 'controller') ctx.core.releaseConference(conf.controllerUserId);
  else ctx.core.release(target);
  return accepted();
}
