/**
 * The errors the IP Office CTI driver answers with, in one place: the API turns a `VendorError` into a
 * problem with its status, `LinkUnavailableError` into 503 + Retry-After, `NotSupportedError` into 501
 * naming the vendor (shared/commands/errors.ts). The server answers a request 202 with nothing, or a
 * non-2xx status with an `<Error>` / `<Errors>` body (Appendix B, L8695-8744); a command's result is an
 * event, so a missing event is the driver's own 504.
 */
import type { Vendor } from '../../../shared/events/model.js';
import { LinkUnavailableError, SessionRefusedError, VendorError } from '../../driver-kit/seam.js';

/** The vendor id (a `Vendor` once the vendor is registered in vendors/index.ts). */
export const VENDOR: Vendor = 'avaya-ipo-cti';

/** One `<Error>` of an error body: `code` is optional (L8720). */
export interface ServerError {
  code?: string;
  errorValue?: string;
  description?: string;
}

/**
 * Login failure codes (L1076-1091, L8350) that say nothing about the user: the server or IP Office is
 * not ready. A login refused with one of these is retried (the connector keeps the session
 * `logging-in`, or the link reconnects), not recorded as failed.
 */
export const TRANSIENT_LOGIN_CODES: ReadonlySet<string> = new Set([
  'SYSTEM_STARTUP_IN_PROGRESS',
  'CSTA_PROVIDER_NOT_AVAILABLE',
  'CSTA_RESOURCE_NOT_AVAILABLE',
  'SERVER_PROBLEM',
  'SESSION_ERROR',
  'SYSTEM_DOWN',
  'SERVICE_REDIRECTED',
  'UNKNOWN',
]);

/** The code a server answers with once the primary one-X server is back (HA fallback, L8348-8350). */
export const REDIRECTED = 'SERVICE_REDIRECTED';

/** The first code an error body names, if any. */
export const codeOf = (errors: readonly ServerError[]): string | undefined =>
  errors.find((e) => e.code)?.code;

/** The descriptions of an error body, joined (the vendor's own words). */
export function describe(errors: readonly ServerError[]): string | undefined {
  const parts = errors
    .map((e) => [e.code, e.description ?? e.errorValue].filter(Boolean).join(': '))
    .filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * What a refused login becomes: `SessionRefusedError` with the vendor's code (401, INVALID_CREDENTIALS,
 * LICENSE_NOT_AVAILABLE, ...), or `LinkUnavailableError` for 503 and the transient codes.
 *
 * @example
 * loginRefusal(401, 'INVALID_CREDENTIALS'); // SessionRefusedError, reason 'INVALID_CREDENTIALS'
 * loginRefusal(503, 'SYSTEM_STARTUP_IN_PROGRESS'); // LinkUnavailableError
 */
export function loginRefusal(
  status: number,
  code: string | undefined,
  retryAfter?: string,
): SessionRefusedError | LinkUnavailableError {
  if (status >= 500 || (code && TRANSIENT_LOGIN_CODES.has(code)))
    return new LinkUnavailableError(
      `avaya-ipo-cti login refused for now: HTTP ${status}${code ? ` ${code}` : ''}${retryAfter ? ` (Retry-After ${retryAfter})` : ''}`,
    );
  return new SessionRefusedError(code ?? (status === 401 ? 'INVALID_CREDENTIALS' : `HTTP_${status}`));
}

/**
 * A non-2xx answer to a request, as the command's error: 400 (validation, `<Errors>`) is 400 when the
 * server calls the input invalid and 409 otherwise (the request does not fit the call's state), 404
 * stays 404, 405 (a method the service does not take) is 400, 500 and other server faults are 502; 503 and 401 are not here (the
 * link or session is unavailable, see `requestFailure`).
 *
 * @example
 * vendorErrorOf(400, [{ code: 'INVALID_CALL_ID', description: 'no such call' }], 'holdCall').status; // 409
 * vendorErrorOf(500, [], 'holdCall').status; // 502
 */
export function vendorErrorOf(status: number, errors: readonly ServerError[], what: string): VendorError {
  const code = codeOf(errors);
  const text = describe(errors);
  const mapped =
    status === 400
      ? code && /INVALID_INPUT|XML/.test(code)
        ? 400
        : 409
      : status === 404
        ? 404
        : status === 405
          ? 400
          : 502;
  return new VendorError(mapped, `avaya-ipo-cti ${what}: HTTP ${status}${text ? ` ${text}` : ''}`, {
    name: VENDOR,
    status,
    ...(code ? { code } : {}),
    ...(text ? { text } : {}),
  });
}

/**
 * No event confirmed a request within the wait: the server answered 202 and then said nothing.
 *
 * @example
 * unconfirmed('HeldEvent for call c1', 10000).status; // 504
 */
export function unconfirmed(what: string, ms: number): VendorError {
  return new VendorError(504, `avaya-ipo-cti: no ${what} within ${ms} ms after the request was accepted`, {
    name: VENDOR,
  });
}

/**
 * A FailedEvent for the call a command acted on (e.g. a makeCall to a busy number).
 *
 * @example
 * failed('makeCall', 'busy').status; // 409
 */
export function failed(what: string, cause: string | undefined): VendorError {
  return new VendorError(409, `avaya-ipo-cti ${what} failed${cause ? `: ${cause}` : ''}`, {
    name: VENDOR,
    ...(cause ? { code: cause, text: cause } : {}),
  });
}

/**
 * The call is not one of the user's calls as the driver knows them.
 *
 * @example
 * unknownCall('1001', 'c9').status; // 404
 */
export function unknownCall(user: string, call: string): VendorError {
  return new VendorError(404, `avaya-ipo-cti: no call ${call} for ${user}`, { name: VENDOR });
}

/**
 * A request the bridge cannot turn into an IP Office request.
 *
 * @example
 * badRequest('`to` is required').status; // 400
 */
export function badRequest(message: string): VendorError {
  return new VendorError(400, `avaya-ipo-cti: ${message}`, { name: VENDOR });
}

/**
 * A device-mode command for a user without a session: the server acts only within a user's own login.
 *
 * @example
 * noSession('1001').status; // 409
 */
export function noSession(user: string): VendorError {
  return new VendorError(
    409,
    `avaya-ipo-cti: ${user} has no active session on this link (device-user links act only within a user's own login; create a session)`,
    { name: VENDOR },
  );
}

/**
 * A target the application user's login did not list among its devices.
 *
 * @example
 * unknownDevice('9999').status; // 404
 */
export function unknownDevice(device: string): VendorError {
  return new VendorError(404, `avaya-ipo-cti: no device ${device} in the login's device list`, {
    name: VENDOR,
  });
}
