/**
 * The subscription contract between the control API and the connector. The API writes a subscription
 * change (create, update, delete) into DynamoDB, then asks the connector that owns the link to apply
 * the link's subscriptions now, so that the change is in force when the API answers:
 *
 *   POST /v1/subscriptions/sync  {tenant, link}   Authorization: Bearer <connector token>
 *   200 {watching} | 409 not-owner | 4xx/5xx {error}
 *
 * The owner has the driver watch the link's targets (the vendor subscriptions exist when it answers)
 * and its delivery match the link's events against the new subscriptions from the next event on.
 * Without an owner (or when it does not answer) nothing is lost: the change bumped the link's
 * subscription revision, which the owner's periodic pass (`subscriptionPollMs`, 1 s) and the delivery's
 * cache (`subscriptionCacheMs`, 1 s) check (`connector/link-subscriptions.ts`).
 */
import { postToOwner } from '../connector-client.js';
import type { Deps } from '../deps.js';

export const SUBSCRIPTION_SYNC_PATH = '/v1/subscriptions/sync';

export interface SubscriptionSyncRequest {
  tenant: string;
  link: string;
}

/** `applied`: in force now; `deferred`: applied by the owner's next periodic pass (no owner reachable). */
export type SubscriptionSyncResult = 'applied' | 'deferred';

/**
 * Asks the owner of `link` to apply the link's subscriptions now.
 *
 * @example
 * await syncSubscriptions(deps, 'acme', 'pbx'); // 'applied'
 */
export async function syncSubscriptions(
  deps: Deps,
  tenant: string,
  link: string,
  opts: { timeoutMs?: number } = {},
): Promise<SubscriptionSyncResult> {
  const r = await postToOwner(
    deps,
    tenant,
    link,
    SUBSCRIPTION_SYNC_PATH,
    { tenant, link } satisfies SubscriptionSyncRequest,
    { timeoutMs: opts.timeoutMs ?? 10_000 },
  );
  if (r.kind === 'unreachable')
    deps.logger.warn('subscription sync: the link owner did not answer', { tenant, link, detail: r.detail });
  return r.kind === 'answered' ? 'applied' : 'deferred';
}
