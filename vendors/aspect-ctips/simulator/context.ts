/**
 * What the request handlers and the core translator share: the core, the options, the sessions, the
 * call book, the agent desk, the route desk, the request being handled (its RequestId is echoed in the
 * events it causes, L1143) and the event factory (header completed, L1116).
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import { categoryOf } from '../wire/enums.js';
import type { ResolvedOptions } from './options.js';
import type { SessionRegistry } from './sessions.js';
import type { CallBook } from './call-book.js';
import type { AgentDesk } from './agents.js';
import type { RouteDesk } from './routing.js';

/** A request the service refuses with a SOAP fault (`s:Client`). */
export class RequestFault extends Error {
  override readonly name = 'RequestFault';
}

/** Work a request left for the translator to finish when the core reports it. */
export interface PendingWork {
  /** ConsultationCall: the CallId being consulted from. */
  consultOf?: number;
  /** TransferCall: the CallTransferred fields, sent at the first `leg.transferred`. */
  transfer?: Record<string, unknown>;
}

export interface SimContext {
  core: PbxCore;
  opts: ResolvedOptions;
  sessions: SessionRegistry;
  calls: CallBook;
  agents: AgentDesk;
  routes: RouteDesk;
  /** RequestId of the request being handled; 0 outside requests. */
  requestId: number;
  pending: PendingWork;
  /** Publishes one event (header completed) to the sessions that accept it. */
  emit(type: string, fields?: Record<string, unknown>): void;
}

/**
 * The complete event: header first (0 where absent), then the fields.
 *
 * @example
 * makeEvent(opts, 0, 'CallHeld', { CallId: 7 }); // { EventType: 'CallHeld', EventCategory: 'EventCategoryCall', TenantId: 1, ... }
 */
export function makeEvent(
  opts: ResolvedOptions,
  requestId: number,
  type: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    EventCategory: categoryOf(type),
    EventType: type,
    RequestId: requestId,
    TenantId: opts.tenantId,
    SiteId: opts.siteId,
    SwitchId: opts.switchId,
    ServiceId: 0,
    AgentId: 0,
    ...fields,
  };
}

/**
 * Runs `fn` as the handling of a request: events it causes carry `requestId`.
 *
 * @example
 * withRequest(ctx, 42, () => ctx.core.hold(legId)); // CallHeld carries RequestId 42
 */
export function withRequest<T>(ctx: SimContext, requestId: number, fn: () => T): T {
  const before = ctx.requestId;
  ctx.requestId = requestId;
  try {
    return fn();
  } finally {
    ctx.requestId = before;
    ctx.pending = {};
  }
}
