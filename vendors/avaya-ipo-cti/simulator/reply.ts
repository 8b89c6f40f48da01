/**
 * HTTP replies of the simulator and the service context its request handlers share. Validation
 * failures are 400 with `<Errors>` wrapping `<Error>` items (rule 25); other failures carry one
 * `<Error>` (Appendix B, L8695-8744).
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import { PbxError } from '../../../simulator/core/types.js';
import { errorsDocument, type IpoError } from '../wire/session.js';
import type { WsHub } from './hub.js';
import type { IpoIds } from './ids.js';
import type { ResolvedOptions } from './options.js';
import type { CoreTranslator } from './translate.js';

export interface Reply {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Runs after the reply is written (events a request produces on request, e.g. the snapshot). */
  after?: () => void;
}

export const XML_TYPE = 'application/xml;charset=UTF-8';

/** What the request handlers work on. */
export interface ServiceContext {
  core: PbxCore;
  ids: IpoIds;
  translator: CoreTranslator;
  hub: WsHub;
  opts: ResolvedOptions;
}

/** A request refused with these errors (400 `<Errors>` unless another status is given). */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errors: IpoError[],
  ) {
    super(errors[0]?.description ?? 'service error');
    this.name = 'ServiceError';
  }
}

/** A validation failure about one field. */
export function invalid(field: string, description: string, code = 'INVALID_INPUT_XML_DATA'): ServiceError {
  return new ServiceError(400, [{ code, errorValue: field, description }]);
}

/** 202 Accepted, empty body (rule 11). */
export function accepted(after?: () => void): Reply {
  return after ? { status: 202, after } : { status: 202 };
}

/** An error reply: `<Errors>` for 400, one `<Error>` otherwise. */
export function errorReply(status: number, errors: IpoError[], headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: errorsDocument(errors, status === 400),
    headers: { 'content-type': XML_TYPE, ...headers },
  };
}

/**
 * Runs a handler: ServiceError → its reply; a core error → 400 naming the core code; anything else → 500.
 *
 * @example
 * guarded(() => handleCall(ctx, session, request)); // 202, 400 <Errors> or 500
 */
export function guarded(fn: () => Reply): Reply {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ServiceError) return errorReply(err.status, err.errors);
    if (err instanceof PbxError)
      return errorReply(400, [{ code: err.code, errorValue: '', description: err.message }]);
    return errorReply(500, [{ code: 'SERVER_PROBLEM', errorValue: '', description: 'internal error' }]);
  }
}
