/**
 * The errors the CAP driver answers with, in one place: the API turns a `VendorError` into a problem
 * with its status, `LinkUnavailableError` into 503 + Retry-After, `NotSupportedError` into 501 naming the
 * vendor (shared/commands/errors.ts). CAP itself has no error reply for call actions (only the two
 * action types that may request a callActionResponse, and the registration failures), so most of these
 * are the driver's own reading of what it saw, or did not see, on the wire.
 */
import type { Vendor } from '../../../shared/events/model.js';
import { LinkUnavailableError, SessionRefusedError, VendorError } from '../../driver-kit/seam.js';

export const VENDOR: Vendor = 'broadworks-cap';

/**
 * Registration failures that say nothing about the user's credentials: the OCS could not reach the
 * Application Server or the external authentication server. A login refused for one of these is retried
 * (the connector keeps the session `logging-in`), not recorded as failed.
 */
export const TRANSIENT_FAILURE_CAUSES: ReadonlySet<string> = new Set([
  'NetworkServerConnectivityFailure',
  'WASConnectivityError',
  'WASProcessingError',
]);

/**
 * The error a refused registration becomes: `SessionRefusedError` with the vendor's cause, or
 * `LinkUnavailableError` for a transient cause (so the login is tried again).
 *
 * @example
 * refusal('IncorrectPassword'); // SessionRefusedError, reason 'IncorrectPassword'
 * refusal('NetworkServerConnectivityFailure'); // LinkUnavailableError
 */
export function refusal(cause: string): SessionRefusedError | LinkUnavailableError {
  return TRANSIENT_FAILURE_CAUSES.has(cause)
    ? new LinkUnavailableError(`broadworks-cap login refused for now: ${cause}`)
    : new SessionRefusedError(cause);
}

/**
 * A command for a user (or call-centre queue) that has no session on this link. In CAP-C the server
 * sends and accepts a user's traffic only on that user's own registered dialog, so nothing can be done
 * until a session exists: 409, not a retryable 503.
 *
 * @example
 * noSession('alice@sim.example').status; // 409
 */
export function noSession(user: string): VendorError {
  return new VendorError(
    409,
    `broadworks-cap: ${user} has no active session on this link (CAP-C acts only on a user's own login; create a session)`,
    { name: VENDOR },
  );
}

/**
 * The user's session exists but is not registered right now (logging in again after a dropped socket
 * or ForceLogoutC): retryable.
 *
 * @example
 * notRegistered('alice@sim.example', 'authenticating').message; // '... is authenticating ...'
 */
export function notRegistered(user: string, state: string): LinkUnavailableError {
  return new LinkUnavailableError(`broadworks-cap: the session of ${user} is ${state}, not registered`);
}

/**
 * No update confirmed an action within the wait: CAP sends no refusal for call and queue actions, so
 * silence is all a refused action leaves (e.g. Answer on a SIP phone's first appearance, spec §12).
 *
 * @example
 * unconfirmed('callUpdate state 3 for call c1', 10000).status; // 504
 */
export function unconfirmed(what: string, ms: number): VendorError {
  return new VendorError(
    504,
    `broadworks-cap: no ${what} within ${ms} ms (CAP sends no refusal for this action)`,
    {
      name: VENDOR,
    },
  );
}

/**
 * A callActionResponse with `result success="False"` (TagCallWithDispositionCode,
 * CustOriginatedTraceCall): the server's message is kept as the vendor text.
 *
 * @example
 * actionRefused('TagCallWithDispositionCode', 'Invalid disposition code').status; // 409
 */
export function actionRefused(actionType: string, message: string | undefined): VendorError {
  const text = message ?? 'failed';
  return new VendorError(409, `broadworks-cap ${actionType} refused: ${text}`, { name: VENDOR, text });
}

/**
 * The call is not one of the user's calls as the driver knows them.
 *
 * @example
 * unknownCall('alice@sim.example', 'c9').status; // 404
 */
export function unknownCall(user: string, call: string): VendorError {
  return new VendorError(404, `broadworks-cap: no call ${call} for ${user}`, { name: VENDOR });
}

/**
 * A request the bridge cannot turn into CAP (a missing parameter, an unreadable raw document).
 *
 * @example
 * badRequest('`to` is required').status; // 400
 */
export function badRequest(message: string): VendorError {
  return new VendorError(400, `broadworks-cap: ${message}`, { name: VENDOR });
}
