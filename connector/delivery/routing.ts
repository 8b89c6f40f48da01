/**
 * Webhook routing: a webhook channel created with `"routing": true` may answer a `route.request`
 * delivery with `{"route": {type, destination?, userData?}}` in its 2xx response body. The answer is
 * read here, checked against the model's `RouteChoice` and the request's `deadline`, and sent at once
 * as a `routeSelect` command to the connector that owns the link (the same path the API takes). No
 * route, a bad one, a late one, or the vendor's refusal leaves the call to default routing (the driver
 * routes by default at the deadline); what happened is recorded on the delivery attempt (`routing`).
 */
import type { BridgeEvent, RouteChoice as RouteChoiceT } from '../../shared/events/model.js';
import { RouteSelection } from '../../shared/events/model.js';

/** Sends a route select for a call of a link (default: `sendCommand` to the link's owner). */
export type RouteSelectFn = (
  tenant: string,
  link: string,
  call: string,
  route: RouteChoiceT,
) => Promise<void>;

/** Largest answer read for a route (the delivery reads at most 64 KiB of any answer). */
export const MAX_ROUTE_ANSWER_BYTES = 16 * 1024;

/** Whether a delivery of `event` to a channel may carry a route in its answer. */
export function wantsRoute(event: Pick<BridgeEvent, 'type'>, channel: { routing?: boolean }): boolean {
  return channel.routing === true && event.type === 'route.request';
}

/**
 * Reads a 2xx answer body and, when it carries a valid route in time, sends it. Never throws: the
 * result is the `routing` note of the delivery attempt.
 *
 * @example
 * await routeFromAnswer(event, '{"route":{"type":"agent","destination":"1003"}}', Date.now(), select);
 * // 'routed'
 */
export async function routeFromAnswer(
  event: BridgeEvent,
  body: string | undefined,
  nowMs: number,
  select: RouteSelectFn,
): Promise<string> {
  const data = event.data as { call?: { id?: string }; deadline?: string };
  const call = data.call?.id;
  if (!call) return 'default routing: the event names no call';
  if (!body || !body.trim()) return 'default routing: the answer carried no route';
  if (Buffer.byteLength(body) > MAX_ROUTE_ANSWER_BYTES)
    return `default routing: the answer is over ${MAX_ROUTE_ANSWER_BYTES} bytes`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'default routing: the answer is not JSON';
  }
  const raw = (parsed as { route?: unknown } | null)?.route;
  if (raw === undefined) return 'default routing: the answer carried no route';
  const route = RouteSelection.safeParse(raw);
  if (!route.success)
    return `default routing: bad route (${route.error.issues
      .map((i) => `${['route', ...i.path].join('.')}: ${i.message}`)
      .join('; ')})`;
  const deadline = data.deadline ? Date.parse(data.deadline) : NaN;
  if (Number.isFinite(deadline) && nowMs >= deadline)
    return `default routing: the answer came after the deadline ${data.deadline}`;
  try {
    await select(event.tenant, event.link, call, route.data);
    return 'routed';
  } catch (err) {
    return `default routing: the route select failed: ${(err as Error).message}`;
  }
}
