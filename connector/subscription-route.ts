/**
 * `POST /v1/subscriptions/sync` on the connector's command endpoint (behind the connector token): the
 * API asks the owner of a link to apply the link's subscriptions now (`shared/subscriptions/sync.ts`).
 * The runner has its driver watch the targets; `changed` tells the delivery to match against the new
 * subscriptions from the next event on.
 */
import { commandError } from '../shared/commands/errors.js';
import { SUBSCRIPTION_SYNC_PATH, type SubscriptionSyncRequest } from '../shared/subscriptions/sync.js';
import type { CommandServerRoute } from './command-server.js';

/**
 * The route, keyed for `startCommandServer({routes})`.
 *
 * @example
 * startCommandServer({ ..., routes: subscriptionRoutes((t, l) => delivery.subscriptionsChanged(t, l)) });
 */
export function subscriptionRoutes(
  changed: (tenant: string, link: string) => void,
): Record<string, CommandServerRoute> {
  const sync: CommandServerRoute = async ({ body, runner }) => {
    const req = (body ?? {}) as Partial<SubscriptionSyncRequest>;
    if (typeof req.tenant !== 'string' || typeof req.link !== 'string') {
      const err = commandError('invalid', 'tenant and link are required');
      return { status: err.error.status, body: err };
    }
    const link = runner(req.tenant, req.link);
    if (!link) {
      const err = commandError('not-owner', 'this connector does not own the link');
      return { status: err.error.status, body: err };
    }
    changed(req.tenant, req.link);
    await link.syncSubscriptions({ relist: true });
    return { status: 200, body: { watching: link.watching().length } };
  };
  return { [`POST ${SUBSCRIPTION_SYNC_PATH}`]: sync };
}
