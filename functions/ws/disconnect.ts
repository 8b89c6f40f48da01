/** WebSocket `$disconnect`: unbinds the connection from its channel (only if it is still the bound one). */
import { lazyEnvDeps, type Deps } from '../../shared/deps.js';
import type { WsHandler } from './connect.js';

export function build(getDeps: () => Deps): WsHandler {
  return async (event) => {
    const deps = getDeps();
    const now = deps.now();
    const connectionId = event.requestContext.connectionId;
    const conn = await deps.repos.connections.delete(connectionId, now);
    if (conn) {
      await deps.repos.channels.clearConnection(conn.tenant, conn.channel, connectionId);
      deps.logger.info('websocket disconnected', {
        tenant: conn.tenant,
        channel: conn.channel,
        connectionId,
      });
    }
    return { statusCode: 200 };
  };
}

export const handler = build(lazyEnvDeps());
