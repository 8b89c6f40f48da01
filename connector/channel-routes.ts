/**
 * The channel routes of the connector's command endpoint (behind the connector token), each asked by
 * the API about one channel (`{tenant, channel}`):
 *
 * - `POST /v1/channels/attention`: the WebSocket API asks the connectors of a channel's links to look
 *   at the channel now: a new connection, a resume request (`shared/channels/attention.ts`). The route
 *   answers at once (the `$connect` that asks must return before the gateway opens the connection); the
 *   delivery applies it in the channel's queue.
 * - `POST /v1/channels/latest-successes`: the HTTP API asks for a webhook channel's first-attempt
 *   successes this process delivered lately, stored or not yet (`shared/channels/latest-successes.ts`).
 */
import { commandError } from '../shared/commands/errors.js';
import { CHANNEL_ATTENTION_PATH } from '../shared/channels/attention.js';
import { LATEST_SUCCESSES_PATH } from '../shared/channels/latest-successes.js';
import type { DeliveryRecord } from '../shared/repos/deliveries.js';
import type { CommandServerAnswer, CommandServerRoute } from './command-server.js';

/** A route about one channel: the body's `tenant` and `channel` are checked before `answer` runs. */
function channelRoute(answer: (tenant: string, channel: string) => CommandServerAnswer): CommandServerRoute {
  return async ({ body }) => {
    const req = (body ?? {}) as { tenant?: unknown; channel?: unknown };
    if (typeof req.tenant !== 'string' || typeof req.channel !== 'string') {
      const err = commandError('invalid', 'tenant and channel are required');
      return { status: err.error.status, body: err };
    }
    return answer(req.tenant, req.channel);
  };
}

/**
 * The routes, keyed for `startCommandServer({routes})`.
 *
 * @example
 * startCommandServer({ ..., routes: channelRoutes({
 *   attend: (t, c) => delivery.channelAttention(t, c),
 *   latestSuccesses: (t, c) => delivery.latestSuccesses(t, c),
 * }) });
 */
export function channelRoutes(handlers: {
  attend: (tenant: string, channel: string) => void;
  latestSuccesses: (tenant: string, channel: string) => DeliveryRecord[];
}): Record<string, CommandServerRoute> {
  return {
    [`POST ${CHANNEL_ATTENTION_PATH}`]: channelRoute((tenant, channel) => {
      handlers.attend(tenant, channel);
      return { status: 202, body: {} };
    }),
    [`POST ${LATEST_SUCCESSES_PATH}`]: channelRoute((tenant, channel) => ({
      status: 200,
      body: { items: handlers.latestSuccesses(tenant, channel) },
    })),
  };
}
