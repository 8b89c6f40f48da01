/**
 * The errors the CTIPS driver answers with, in one place: `VendorError` becomes a problem with its
 * status, `LinkUnavailableError` 503 + Retry-After, `NotSupportedError` 501 naming the vendor. A SOAP
 * fault is the vendor's refusal (L417: "a fault exception containing a descriptive error message"); a
 * failure event (CallRequestFailed, AgentRequestFailed, ...) the vendor's later refusal; a missing
 * outcome event the driver's own 504.
 */
import type { Vendor } from '../../../shared/events/model.js';
import { VendorError } from '../../driver-kit/seam.js';

/** The vendor id (a registered `Vendor` once the vendor is listed in vendors/index.ts). */
export const VENDOR = 'aspect-ctips' as const satisfies Vendor;

/**
 * A SOAP fault answering a request.
 *
 * @example
 * faulted('HoldCall', 's:Client', 'Invalid CallId').status; // 409
 */
export function faulted(op: string, code: string, reason: string): VendorError {
  const client = /client|sender/i.test(code);
  return new VendorError(client ? 409 : 502, `aspect-ctips ${op}: ${reason || code}`, {
    name: VENDOR,
    code,
    text: reason,
    status: 500,
  });
}

/**
 * A failure event naming the request (FailureType, FailureReason).
 *
 * @example
 * failedEvent('CallRequestFailed', 'InvalidCallId', 'no such call').status; // 409
 */
export function failedEvent(
  event: string,
  type: string | undefined,
  reason: string | undefined,
): VendorError {
  const text = [type, reason].filter(Boolean).join(': ');
  return new VendorError(409, `aspect-ctips ${event}${text ? `: ${text}` : ''}`, {
    name: VENDOR,
    ...(type ? { code: type } : {}),
    ...(reason ? { text: reason } : {}),
  });
}

/**
 * No event confirmed a request within the wait.
 *
 * @example
 * unconfirmed('CallHeld for call 7', 10000).status; // 504
 */
export function unconfirmed(what: string, ms: number): VendorError {
  return new VendorError(504, `aspect-ctips: no ${what} within ${ms} ms after the request was accepted`, {
    name: VENDOR,
  });
}

/**
 * A request the bridge cannot turn into a CTIPS request.
 *
 * @example
 * badRequest('dial needs a number').status; // 400
 */
export function badRequest(message: string): VendorError {
  return new VendorError(400, `aspect-ctips: ${message}`, { name: VENDOR });
}

/**
 * The call is not one of the user's calls as the driver knows them.
 *
 * @example
 * unknownCall('4001', '7').status; // 404
 */
export function unknownCall(user: string, call: string): VendorError {
  return new VendorError(404, `aspect-ctips: no call ${call} for ${user}`, { name: VENDOR });
}

/**
 * Call control acts for an agent (every request carries its AgentId, L637): none is logged in there.
 *
 * @example
 * noAgent('4001').status; // 409
 */
export function noAgent(station: string): VendorError {
  return new VendorError(409, `aspect-ctips: no agent is logged in at ${station}`, { name: VENDOR });
}
