/**
 * WebSocket `$default`: client messages. `{"action":"ping"}` answers `{"type":"bridge.pong"}`;
 * `{"action":"ack","seq":N}` records the channel's acked seq (answer `bridge.acked`);
 * `{"action":"resume","after":N}` asks the delivery service to re-send every logged frame after N, then
 * continue live (answer `bridge.resume-accepted`; the replay ends with a `bridge.resumed` frame; see
 * docs/delivery.md). Anything unknown gets a `bridge.error` frame naming the problem (the connection
 * stays open).
 */
import { z } from 'zod';
import { lazyEnvDeps, type Deps } from '../../shared/deps.js';
import { nudge, type WsHandler } from './connect.js';

const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const ClientMessage = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('ping') }),
  z.strictObject({ action: z.literal('ack'), seq: Seq }),
  z.strictObject({ action: z.literal('resume'), after: Seq }),
]);

export function build(getDeps: () => Deps): WsHandler {
  return async (event) => {
    const deps = getDeps();
    const now = deps.now();
    const conn = await deps.repos.connections.get(event.requestContext.connectionId, now);
    if (!conn)
      return { statusCode: 410, body: JSON.stringify({ type: 'bridge.error', error: 'connection unknown' }) };
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
    const m = msg.data;
    if (m.action === 'ack') {
      const acked = await deps.repos.deliveries.ack(conn.tenant, conn.channel, m.seq);
      return reply({ type: 'bridge.acked', seq: acked });
    }
    if (m.action === 'resume') {
      await deps.repos.deliveries.requestResume(conn.tenant, conn.channel, conn.connectionId, m.after);
      await nudge(deps, conn.tenant, conn.channel);
      return reply({ type: 'bridge.resume-accepted', after: m.after });
    }
    return reply({ type: 'bridge.pong', time: now.toISOString() });
  };
}

const reply = (body: unknown) => ({ statusCode: 200, body: JSON.stringify(body) });

export const handler = build(lazyEnvDeps());
