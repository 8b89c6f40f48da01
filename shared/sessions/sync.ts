/**
 * The session contract between the control API and the connector. The API writes what it wants into
 * the session record (created, refreshed, delete requested) and then asks the connector that owns the
 * link to act on it now, so that `POST /v1/sessions` answers with the vendor's outcome:
 *
 *   POST /v1/sessions/sync  {tenant, session}   Authorization: Bearer <connector token>
 *   200 {state, reason, cause?} | 409 not-owner | 4xx/5xx {error}
 *
 * Without an owner (or when it does not answer) nothing is lost: the owner's reconcile and the link's
 * next `up` act on the record.
 */
import type { Deps } from '../deps.js';
import type { SessionState } from '../repos/sessions.js';
import { postToOwner } from '../connector-client.js';

export const SESSION_SYNC_PATH = '/v1/sessions/sync';

export interface SessionSyncRequest {
  tenant: string;
  session: string;
}

/**
 * What the owner did with the session. `cause`: why it is `failed` when the API answers with a
 * problem (`refused`: the vendor refused the login; `not-supported`: the vendor has no per-user login).
 * `removed`: the record is gone (deleted and logged out).
 */
export interface SessionSyncAnswer {
  state: SessionState | 'removed';
  reason: string | null;
  cause?: 'refused' | 'not-supported';
}

/** How a sync went, from the API's side. */
export type SessionSyncResult =
  | { kind: 'answered'; answer: SessionSyncAnswer }
  /** No connector holds the link's lease (or it answered that it no longer owns it). */
  | { kind: 'no-owner' }
  /** The owner did not answer; its reconcile acts on the record later. */
  | { kind: 'unreachable'; detail: string };

/**
 * Asks the connector owning the session's link to act on the session record now.
 *
 * @example
 * const r = await syncSession(deps, 'acme', 'pbx', 'ses_1');
 * if (r.kind === 'answered' && r.answer.state === 'active') ...
 */
export async function syncSession(
  deps: Deps,
  tenant: string,
  link: string,
  session: string,
  opts: { timeoutMs?: number } = {},
): Promise<SessionSyncResult> {
  const r = await postToOwner(
    deps,
    tenant,
    link,
    SESSION_SYNC_PATH,
    { tenant, session } satisfies SessionSyncRequest,
    opts,
  );
  if (r.kind !== 'answered') return r;
  const body = r.body as Partial<SessionSyncAnswer>;
  if (typeof body.state !== 'string')
    return { kind: 'unreachable', detail: `connector answered ${r.status} without a state` };
  return { kind: 'answered', answer: { state: body.state, reason: body.reason ?? null, cause: body.cause } };
}
