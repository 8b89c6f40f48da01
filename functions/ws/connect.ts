/**
 * WebSocket `$connect`: the channel URL carries tenant, channel and token in the query string. A live
 * websocket channel whose token hash matches is bound to the connection; anything else is refused
 * (401 without a token, 403 with a wrong/expired one), which rejects the handshake.
 */
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { sameDigest, sha256Hex } from '../../shared/auth/keys.js';
import { nudgeChannel } from '../../shared/channels/attention.js';
import { lazyEnvDeps, type Deps } from '../../shared/deps.js';

export type WsEvent = APIGatewayProxyWebsocketEventV2 & {
  queryStringParameters?: Record<string, string | undefined>;
  headers?: Record<string, string | undefined>;
};
export type WsHandler = (event: WsEvent) => Promise<APIGatewayProxyResultV2>;

export function build(getDeps: () => Deps): WsHandler {
  return async (event) => {
    const deps = getDeps();
    const now = deps.now();
    const q = event.queryStringParameters ?? {};
    const connectionId = event.requestContext.connectionId;
    if (!q.tenant || !q.channel || !q.token)
      return { statusCode: 401, body: 'missing tenant, channel or token' };
    const channel = await deps.repos.channels.get(q.tenant, q.channel, now);
    if (
      !channel ||
      channel.type !== 'websocket' ||
      !channel.tokenHash ||
      !sameDigest(sha256Hex(q.token), channel.tokenHash)
    ) {
      deps.logger.info('websocket connect refused', { tenant: q.tenant, channel: q.channel, connectionId });
      return { statusCode: 403, body: 'invalid or expired channel token' };
    }
    await deps.repos.connections.put(
      { connectionId, tenant: q.tenant, channel: q.channel, connectedAt: now.toISOString() },
      now,
    );
    await deps.repos.channels.setConnection(q.tenant, q.channel, connectionId, now);
    await deps.repos.deliveries.flagAttention(q.tenant, q.channel, Date.now());
    await nudge(deps, q.tenant, q.channel);
    deps.logger.info('websocket connected', { tenant: q.tenant, channel: q.channel, connectionId });
    return { statusCode: 200 };
  };
}

/**
 * Has the channel's connectors look at it now (docs/delivery.md, "Connecting and reconnecting"); a
 * failure only costs the wait for their periodic check, so it never fails the request.
 */
export async function nudge(deps: Deps, tenant: string, channel: string): Promise<void> {
  try {
    await nudgeChannel(deps, tenant, channel);
  } catch (err) {
    deps.logger.warn('channel attention request failed', { tenant, channel, error: err as Error });
  }
}

export const handler = build(lazyEnvDeps());
