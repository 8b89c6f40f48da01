/**
 * One webhook POST: resolves and checks the host at delivery time (ssrf.ts), then connects to that
 * checked address (custom `lookup`, so no second resolution can rebind it), with an overall timeout.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseRetryAfter } from './schedule.js';
import { RefusedAddressError, resolveChecked, type AddressPolicy, type Resolver } from './ssrf.js';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  retryAfterMs: number | null;
  /** The address policy refused the destination. */
  refused: boolean;
  /** The answer's body (UTF-8, at most 64 KiB), when `captureBody` was asked for. */
  body?: string;
}

export interface PostOptions {
  timeoutMs: number;
  policy: AddressPolicy;
  resolver?: Resolver;
  userAgent?: string;
  /** Keep the answer's body (webhook routing reads the route from it). */
  captureBody?: boolean;
}

export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { statusCode: null, latencyMs: 0, error: 'invalid URL', retryAfterMs: null, refused: true };
  }
  let target: { address: string; family: 4 | 6 };
  try {
    target = await resolveChecked(u.hostname, opts.policy, opts.resolver);
  } catch (err) {
    const refused = err instanceof RefusedAddressError;
    return {
      statusCode: null,
      latencyMs: elapsed(),
      error: (err as Error).message,
      retryAfterMs: null,
      refused,
    };
  }
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else cb(null, target.address, target.family);
  };
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let done = false;
    const finish = (r: Omit<PostResult, 'latencyMs' | 'refused' | 'body'>, body?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed(), refused: false, ...(body !== undefined ? { body } : {}) });
    };
    const req = send(
      u,
      {
        method: 'POST',
        lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': opts.userAgent ?? 'cti-bridge-webhooks/1',
          ...headers,
        },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'] as string | undefined, Date.now());
        // Read at most 64 KiB of the answer (kept only when asked for), then settle.
        let size = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 65_536) return res.destroy();
          if (opts.captureBody) chunks.push(c);
        });
        const settle = () =>
          finish(
            {
              statusCode: status,
              error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
              retryAfterMs,
            },
            opts.captureBody ? Buffer.concat(chunks).toString('utf8') : undefined,
          );
        res.on('end', settle);
        res.on('close', settle);
        res.on('error', settle);
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, error: `timeout after ${opts.timeoutMs} ms`, retryAfterMs: null });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) =>
      finish({ statusCode: null, error: `connection error: ${err.message}`, retryAfterMs: null }),
    );
    req.end(body);
  });
}
