/** MTCTI-3 result codes → the errors the bridge API answers with. */
import { VendorError } from '../../driver-kit/seam.js';
import { RESULT, resultName } from '../wire/codec.js';
import { VENDOR } from './mapper.js';

const STATUS_BY_RESULT: Record<number, number> = {
  [RESULT.NOTFOUND]: 404,
  [RESULT.USERNOTFOUND]: 404,
  [RESULT.CALLCONTROL_CALLNOTFOUND]: 404,
  [RESULT.CALLCONTROL_OTHERNOTFOUND]: 404,
  [RESULT.CALLCONTROL_TARGETNOTFOUND]: 404,
  [RESULT.CALLCONTROL_BADFORMATTING]: 400,
  [RESULT.REQUEST_INVALID_PAYLOAD]: 400,
  [RESULT.UNPACKERR]: 400,
  [RESULT.CALLCONTROL_PERMISSION]: 403,
  [RESULT.NOTALLOWED]: 403,
  [RESULT.CALLCONTROL_BADACCT]: 400,
  [RESULT.CALLCONTROL_BDAUTH]: 400,
  [RESULT.CALLCONTROL_UNSUPPORTED]: 501,
  [RESULT.NOTINSTRUMENTED]: 501,
  [RESULT.REQUESTTIMEOUT]: 504,
};

/**
 * A non-zero RequestResponse.result → VendorError with the HTTP status the bridge API answers with.
 *
 * @example
 * resultError(RESULT.USERNOTFOUND, undefined, 'Subscribe').status; // 404
 */
export function resultError(result: number, additional: string | undefined, what: string): VendorError {
  const name = resultName(result);
  const status = STATUS_BY_RESULT[result] ?? (result >= 600 && result < 700 ? 409 : 502);
  const text = additional ? `${name}: ${additional}` : name;
  return new VendorError(status, `MTCTI-3 ${what} refused: ${result} ${text}`, {
    name: VENDOR,
    code: String(result),
    text,
  });
}

/** A VendorError carrying an MTCTI-3 result code (for refusals the driver decides itself). */
export function mtcti3Error(status: number, message: string, result?: number, text?: string): VendorError {
  return new VendorError(status, message, {
    name: VENDOR,
    ...(result !== undefined ? { code: String(result) } : {}),
    ...(text !== undefined ? { text } : {}),
  });
}
