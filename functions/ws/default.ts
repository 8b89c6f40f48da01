/**
 * WebSocket `$default`: client messages. `{"action":"ping"}` answers `{"type":"bridge.pong"}`; anything
 * unknown gets a `bridge.error` frame naming the problem (the connection stays open).
 */
import { z } from 'zod';
import { lazyEnvDeps, type Deps } from '../../shared/deps.js';
import type { WsHandler } from './connect.js';

export const ClientMessage = z.discriminatedUnion('action', [z.strictObject({ action: z.literal('ping') })]);

export function build(getDeps: () => Deps): WsHandler {
  return async (event) => {
    const deps = getDeps();
    const now = deps.now();
    const conn = await deps.repos.connections.get(event.requestContext.connectionId, now);
    if (!conn) return { statusCode: 410, body: JSON.stringify({ type: 'bridge.error', error: 'connection unknown' }) };
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.body ?? '');
    } catch {
      return reply({ type: 'bridge.error', error: 'message is not JSON' });
    }
    const msg = ClientMessage.safeParse(parsed);
    if (!msg.success)
      return reply({
        type: 'bridge.error',
        error: 'unknown or invalid action',
        issues: msg.error.issues.map((i) => ({ field: i.path.join('.'), detail: i.message })),
      });
    return reply({ type: 'bridge.pong', time: now.toISOString() });
  };
}

const reply = (body: unknown) => ({ statusCode: 200, body: JSON.stringify(body) });

export const handler = build(lazyEnvDeps());
