/**
 * Forwarding a callback to the connector that owns the link: the request (body already read, within
 * the limit) goes to the owner's callback listener as it came, marked with `FORWARDED_HEADER` so that
 * it is forwarded at most once (an owner that lost the link meanwhile answers 503 instead of bouncing
 * it on).
 */
import type { CallbackResponse } from '../../vendors/driver-kit/seam.js';
import { CALLBACK_ROOT, type CallbackAddress } from './path.js';

/** Names the connector that forwarded a callback request. */
export const FORWARDED_HEADER = 'x-cti-bridge-forwarded-by';

/** Hop-by-hop and framing headers, never copied across a hop. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'content-encoding',
]);

/** The headers worth copying across a hop. */
export function endToEnd(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k.toLowerCase())));
}

/**
 * Sends the callback to the owner's listener at `ownerUrl` and resolves with its answer.
 *
 * @example
 * const answer = await forwardCallback('http://10.0.1.7:8081', address, request, 'conn_a');
 */
export async function forwardCallback(
  ownerUrl: string,
  address: CallbackAddress,
  request: { method: string; headers: Record<string, string>; body: Buffer },
  forwardedBy: string,
  timeoutMs = 15_000,
): Promise<CallbackResponse> {
  const url = `${ownerUrl.replace(/\/+$/, '')}${CALLBACK_ROOT}/${address.tenant}/${address.link}${address.path}`;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const res = await fetch(url, {
    method: request.method,
    headers: { ...endToEnd(request.headers), [FORWARDED_HEADER]: forwardedBy },
    body: hasBody ? request.body : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!HOP.has(k)) headers[k] = v;
  });
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}
