/**
 * The API side of command errors: a connector's error body (or a failure to reach one) as the RFC 9457
 * problem the control API answers with, following the table in `./errors.ts`.
 */
import type { Vendor } from '../events/model.js';
import { Problem } from '../http/problem.js';
import { COMMAND_ERRORS, type CommandError } from './errors.js';

/** The link a command was sent for, as the problem describes it. */
export interface CommandLink {
  id: string;
  vendor: Vendor;
  status?: string;
  lastError?: string | null;
}

const type = (name: string) => `urn:cti-bridge:problem:${name}`;

/**
 * The problem for a command error on `link`.
 *
 * @example
 * commandProblem({ kind: 'unavailable', message: 'link is down', status: 503 }, { id: 'pbx', vendor: 'broadworks-cti' });
 * // Problem 503 "Link Unavailable", Retry-After: 5, link: {id: 'pbx', ...}
 */
export function commandProblem(error: CommandError, link: CommandLink): Problem {
  const spec = COMMAND_ERRORS[error.kind];
  const carried = error.status >= 400 && error.status <= 599 ? error.status : 502;
  const status = spec.problemStatus === 'carried' ? carried : spec.problemStatus;
  const base = {
    type: type(spec.type),
    ...('retryAfterSeconds' in spec ? { headers: { 'retry-after': String(spec.retryAfterSeconds) } } : {}),
  };
  switch (error.kind) {
    case 'unavailable':
    case 'not-owner':
      return new Problem(status, spec.title, error.message, {
        ...base,
        link: { id: link.id, status: link.status, lastError: link.lastError },
      });
    case 'not-supported':
      return new Problem(status, spec.title, `${link.vendor} cannot do this: ${error.message}`, {
        ...base,
        vendor: link.vendor,
      });
    case 'vendor':
      return new Problem(status, spec.title, error.message, {
        ...base,
        vendor: { name: link.vendor, ...(error.vendor ?? {}) },
      });
    default:
      return new Problem(status, spec.title, error.message, base);
  }
}
