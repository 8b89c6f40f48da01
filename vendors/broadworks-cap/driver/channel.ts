/**
 * Where a command for a user goes: in CAP-C that user's own registered dialog (the server accepts a
 * user's callAction only there), in CCC2 any of the link's connections, with the user named by its `id`
 * (rule 9) and no applicationId (rule 22). Built by the driver, used by the commands.
 */
import { LinkUnavailableError } from '../../driver-kit/seam.js';
import type { CallAction, CapMessage, CapUser, QueueAction } from '../wire/index.js';

export interface Channel {
  /** The `<user>` of client messages for this user (userType CallClient, `id`, CAP-C applicationId). */
  readonly user: CapUser;
  /** Writes one message; false when the connection is gone. */
  send(m: CapMessage): boolean;
}

/** Resolves a user (or call-centre queue) to its channel; throws 409 / 503 errors (errors.ts). */
export type ChannelFor = (user: string) => Channel;

/**
 * Sends `m` or fails with LinkUnavailableError.
 *
 * @example
 * sendOn(channel, callAction(channel.user, 'Hold', [['CallId', 'c1']]));
 */
export function sendOn(channel: Channel, m: CapMessage): void {
  if (!channel.send(m)) throw new LinkUnavailableError(`broadworks-cap: could not send ${m.type}`);
}

/**
 * One callAction; `responseId` asks for a callActionResponse echoing it (only TagCallWithDispositionCode
 * and CustOriginatedTraceCall support that, L1737). Repeated params keep their order (rule 21).
 *
 * @example
 * callAction({ userType: 'CallClient', id: 'alice@sim.example' }, 'XferConsult', [['CallId', 'a'], ['CallId', 'b']]);
 */
export function callAction(
  user: CapUser,
  actionType: string,
  params: readonly (readonly [string, string])[],
  responseId?: string,
): CallAction {
  return {
    type: 'callAction',
    user,
    actionType,
    responseRequested: responseId !== undefined,
    ...(responseId !== undefined ? { actionId: responseId } : {}),
    params: params.map(([name, value]) => ({ name, value })),
  };
}

/**
 * One queueAction on the queue's own user (the call centre, logged in as a CallClient).
 *
 * @example
 * queueAction({ userType: 'CallClient', id: 'sales@sim.example' }, 'Reorder', { callId: 'q1', position: 2 });
 */
export function queueAction(user: CapUser, actionType: string, call?: QueueAction['call']): QueueAction {
  return { type: 'queueAction', user, actionType, ...(call ? { call } : {}) };
}
