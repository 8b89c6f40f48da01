/**
 * `POST /v1/channels/attention` on the connector's command endpoint (behind the connector token): the
 * WebSocket API asks the connectors of a channel's links to look at the channel now: a new connection,
 * a resume request (`shared/channels/attention.ts`). The route answers at once (the `$connect` that
 * asks must return before the gateway opens the connection); the delivery applies it in the channel's
 * queue.
 */
import { commandError } from '../shared/commands/errors.js';
import { CHANNEL_ATTENTION_PATH, type ChannelAttentionRequest } from '../shared/channels/attention.js';
import type { CommandServerRoute } from './command-server.js';

/**
 * The route, keyed for `startCommandServer({routes})`.
 *
 * @example
 * startCommandServer({ ..., routes: channelAttentionRoutes((t, c) => delivery.channelAttention(t, c)) });
 */
export function channelAttentionRoutes(
  attend: (tenant: string, channel: string) => void,
): Record<string, CommandServerRoute> {
  const route: CommandServerRoute = async ({ body }) => {
    const req = (body ?? {}) as Partial<ChannelAttentionRequest>;
    if (typeof req.tenant !== 'string' || typeof req.channel !== 'string') {
      const err = commandError('invalid', 'tenant and channel are required');
      return { status: err.error.status, body: err };
    }
    attend(req.tenant, req.channel);
    return { status: 202, body: {} };
  };
  return { [`POST ${CHANNEL_ATTENTION_PATH}`]: route };
}
