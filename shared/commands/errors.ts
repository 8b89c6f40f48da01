/**
 * How a command fails, for both sides of the command endpoint: the error classes drivers throw, the
 * error body the connector answers with, and the one table of error kinds and HTTP statuses the
 * connector answers with and the API turns into problems (`./problems.ts`).
 */
import { z } from 'zod';
import type { Vendor } from '../events/model.js';

/** A vendor refused the command. `status` is the HTTP status the API answers with. */
export class VendorError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly vendor: { name: Vendor; code?: string; text?: string; status?: number },
  ) {
    super(message);
    this.name = 'VendorError';
  }
}

/** The vendor (or this driver) cannot do the command at all: the API answers 501 naming the vendor. */
export class NotSupportedError extends Error {
  constructor(
    readonly vendor: Vendor,
    readonly command: string,
  ) {
    super(`${vendor} cannot do ${command}`);
    this.name = 'NotSupportedError';
  }
}

/** The link is not up (or the driver lost it mid-command): the API answers 503 with Retry-After. */
export class LinkUnavailableError extends Error {
  constructor(message = 'link is not up') {
    super(message);
    this.name = 'LinkUnavailableError';
  }
}

export const COMMAND_ERROR_KINDS = [
  'vendor',
  'not-supported',
  'unavailable',
  'not-owner',
  'invalid',
  'internal',
] as const;
export type CommandErrorKind = (typeof COMMAND_ERROR_KINDS)[number];

/** What one error kind means on the wire and in the API. */
export interface CommandErrorSpec {
  /** HTTP status of the connector's answer (the default: `invalid` also answers 401/404). */
  status: number;
  /** HTTP status of the API's problem; `'carried'`: the status the error body carries (a vendor's). */
  problemStatus: number | 'carried';
  /** Problem title. */
  title: string;
  /** Problem type, the name after `urn:cti-bridge:problem:`. */
  type: string;
  /** Seconds the API asks the client to wait before retrying (`Retry-After`). */
  retryAfterSeconds?: number;
}

/**
 * The one table of command errors: connector status and API problem per kind.
 *
 * @example
 * COMMAND_ERRORS['not-owner'].status; // 409 from the connector
 * COMMAND_ERRORS['not-owner'].problemStatus; // 503 from the API, with Retry-After
 */
export const COMMAND_ERRORS = {
  vendor: { status: 502, problemStatus: 'carried', title: 'Vendor Error', type: 'vendor-error' },
  'not-supported': {
    status: 501,
    problemStatus: 501,
    title: 'Not Implemented',
    type: 'not-supported-by-vendor',
  },
  unavailable: {
    status: 503,
    problemStatus: 503,
    title: 'Link Unavailable',
    type: 'link-unavailable',
    retryAfterSeconds: 5,
  },
  // Another connector (or none) owns the link now: for the client, the link is briefly unavailable.
  'not-owner': {
    status: 409,
    problemStatus: 503,
    title: 'Link Unavailable',
    type: 'link-unavailable',
    retryAfterSeconds: 5,
  },
  invalid: { status: 400, problemStatus: 502, title: 'Bad Gateway', type: 'connector-error' },
  internal: { status: 500, problemStatus: 502, title: 'Bad Gateway', type: 'connector-error' },
} as const satisfies Record<CommandErrorKind, CommandErrorSpec>;

/** The vendor details of a `vendor` (or `not-supported`) error. */
export const CommandErrorVendor = z.object({
  name: z.string(),
  code: z.string().optional(),
  text: z.string().optional(),
  status: z.number().optional(),
});

/** The connector's error answer: `{error: {kind, message, status, vendor?}}`. */
export const CommandErrorBody = z.object({
  error: z.object({
    // A kind this side does not know yet (a newer connector) reads as `internal`.
    kind: z.enum(COMMAND_ERROR_KINDS).catch('internal'),
    message: z.string(),
    status: z.number().int(),
    vendor: CommandErrorVendor.optional(),
  }),
});
export type CommandErrorBody = z.infer<typeof CommandErrorBody>;
export type CommandError = CommandErrorBody['error'];

/**
 * An error body of `kind`, with the table's status unless `status` is given.
 *
 * @example
 * commandError('not-owner', 'this connector does not own the link');
 * // {error: {kind: 'not-owner', message: '...', status: 409}}
 */
export function commandError(
  kind: CommandErrorKind,
  message: string,
  opts: { status?: number; vendor?: CommandError['vendor'] } = {},
): CommandErrorBody {
  return {
    error: {
      kind,
      message,
      status: opts.status ?? COMMAND_ERRORS[kind].status,
      ...(opts.vendor ? { vendor: opts.vendor } : {}),
    },
  };
}

/**
 * The error body of a typed command error a driver threw; `undefined` for anything else (a bug, which
 * the connector logs and answers as `internal`).
 *
 * @example
 * commandErrorOf(new LinkUnavailableError()); // {error: {kind: 'unavailable', status: 503, ...}}
 * commandErrorOf(new TypeError('x')); // undefined
 */
export function commandErrorOf(err: unknown): CommandErrorBody | undefined {
  if (err instanceof VendorError)
    return commandError('vendor', err.message, { status: err.status, vendor: err.vendor });
  if (err instanceof NotSupportedError)
    return commandError('not-supported', err.message, { vendor: { name: err.vendor } });
  if (err instanceof LinkUnavailableError) return commandError('unavailable', err.message);
  return undefined;
}

/**
 * Reads the connector's error answer; anything unrecognisable becomes an `internal` error naming the
 * connector's status.
 *
 * @example
 * parseCommandError(409, { error: { kind: 'not-owner', message: 'moved', status: 409 } }).kind; // 'not-owner'
 * parseCommandError(500, 'oops').kind; // 'internal'
 */
export function parseCommandError(httpStatus: number, body: unknown): CommandError {
  const parsed = CommandErrorBody.safeParse(body);
  if (parsed.success) return parsed.data.error;
  return commandError('internal', `connector answered ${httpStatus}`, { status: httpStatus }).error;
}
