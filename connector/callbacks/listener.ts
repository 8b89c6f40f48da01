/**
 * The connector's inbound callback listener: vendors that call back over HTTP reach the driver of a
 * link at `/v1/callbacks/{tenant}/{link}/...`.
 *
 * Order of checks, so that nothing is read for a request that cannot be served:
 *   1. the route (not below a link's root → 404);
 *   2. the link (`resolve`): unknown, or its driver takes no callbacks → 404; no connector owns it → 503;
 *      all answered with `connection: close`, without reading the body;
 *   3. the size: a declared length over the limit → 413 unread; a streamed body past it → 413;
 *   4. the owner's driver (`handleCallback`) gets the raw body here, or the request is forwarded to the
 *      connector that owns the link (`./forward.ts`) and its answer relayed.
 *
 * Every request the listener answers itself, without a driver (the refusals of steps 1-3, a failed
 * forward, a callback that failed inside the connector), is counted by reason in `stats.refused` and
 * reported to `onRefused`; what a driver refuses, the driver counts (`DriverHooks.onGarbage`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/log.js';
import type { CallbackRequest, CallbackResponse } from '../../vendors/driver-kit/seam.js';
import { BodyTooLargeError, declaredTooLarge, DEFAULT_CALLBACK_MAX_BYTES, readLimited } from './body.js';
import { FORWARDED_HEADER, forwardCallback } from './forward.js';
import { parseCallbackPath, type CallbackAddress } from './path.js';

/** Where a callback for a link goes. */
export type CallbackTarget =
  /** This connector owns the link and its driver takes callbacks. */
  | { kind: 'local'; handle(request: CallbackRequest): Promise<CallbackResponse> }
  /** Another connector owns the link: its listener (internal URL). */
  | { kind: 'forward'; url: string }
  /** No such link, or its driver takes no callbacks. */
  | { kind: 'unknown' }
  /** The link exists but no connector serves it right now. */
  | { kind: 'unavailable'; detail: string };

/** Why the listener answered a request itself. */
export type CallbackRefusal =
  /** 404: not below a link's callback root. */
  | 'not-a-callback-url'
  /** 404: no such link, or its driver takes no callbacks. */
  | 'unknown-link'
  /** 503: no connector serves the link right now. */
  | 'unavailable'
  /** 413: the body is over the limit, declared or streamed. */
  | 'too-large'
  /** 502: the connector owning the link did not answer the forwarded request. */
  | 'forward-failed'
  /** 500 (or the socket destroyed): the callback failed inside the connector. */
  | 'failed';

export const CALLBACK_REFUSALS: readonly CallbackRefusal[] = [
  'not-a-callback-url',
  'unknown-link',
  'unavailable',
  'too-large',
  'forward-failed',
  'failed',
];

export interface CallbackListenerStats {
  /** Requests the listener answered itself, by reason (since it started). */
  refused: Record<CallbackRefusal, number>;
}

export interface CallbackListenerOptions {
  host: string;
  port: number;
  /** Largest body accepted (default 1 MiB); larger → 413. */
  maxBodyBytes?: number;
  /**
   * Where the link's callbacks go. `forwarded`: the request was forwarded here by another connector
   * (it must not be forwarded again).
   */
  resolve(tenant: string, link: string, forwarded: boolean): Promise<CallbackTarget>;
  /** Written into `FORWARDED_HEADER` of forwarded requests (the connector id). */
  forwardedBy: string;
  logger: Logger;
  /** How long a forwarded request may take (default 15 s). */
  forwardTimeoutMs?: number;
  /** Each request the listener answered itself (also counted in `stats.refused`). */
  onRefused?(reason: CallbackRefusal, address: CallbackAddress | undefined): void;
}

export interface CallbackListener {
  /** The bound URL (`http://host:port`). */
  url: string;
  port: number;
  /** Counters of the requests the listener answered itself. */
  readonly stats: Readonly<CallbackListenerStats>;
  close(): Promise<void>;
}

/** The path a load balancer's health check asks (`200 ok`). */
export const HEALTH_PATH = '/health';

/** An RFC 9457 answer of the listener itself; `close`: the body was not (fully) read. */
function problem(res: ServerResponse, status: number, title: string, detail: string, close = false): void {
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    ...(status === 503 ? { 'retry-after': '5' } : {}),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function send(res: ServerResponse, answer: CallbackResponse): void {
  const body = answer.body === undefined ? undefined : Buffer.from(answer.body);
  res.writeHead(answer.status, {
    ...(answer.headers ?? {}),
    ...(body ? { 'content-length': String(body.length) } : {}),
  });
  res.end(body);
}

/**
 * Starts the listener.
 *
 * @example
 * const listener = await startCallbackListener({
 *   host: '127.0.0.1', port: 0, forwardedBy: 'conn_a', logger,
 *   resolve: async () => ({ kind: 'unknown' }),
 * });
 * // POST `${listener.url}/v1/callbacks/acme/pbx/events` → 404
 * await listener.close();
 */
export async function startCallbackListener(opts: CallbackListenerOptions): Promise<CallbackListener> {
  const limit = opts.maxBodyBytes ?? DEFAULT_CALLBACK_MAX_BYTES;
  const stats: CallbackListenerStats = {
    refused: Object.fromEntries(CALLBACK_REFUSALS.map((r) => [r, 0])) as Record<CallbackRefusal, number>,
  };
  const refused = (reason: CallbackRefusal, address: CallbackAddress | undefined): void => {
    stats.refused[reason]++;
    opts.logger.debug('callback refused', { reason, tenant: address?.tenant, link: address?.link });
    try {
      opts.onRefused?.(reason, address);
    } catch (err) {
      opts.logger.warn('callback refusal hook failed', { error: err as Error });
    }
  };
  const tooLarge = (res: ServerResponse, address: CallbackAddress) => {
    refused('too-large', address);
    problem(res, 413, 'Content Too Large', `the body may have at most ${limit} bytes`, true);
  };

  async function serve(req: IncomingMessage, res: ServerResponse, address: CallbackAddress): Promise<void> {
    const forwarded = typeof req.headers[FORWARDED_HEADER] === 'string';
    const target = await opts.resolve(address.tenant, address.link, forwarded);
    if (target.kind === 'unknown') {
      refused('unknown-link', address);
      return problem(res, 404, 'Not Found', 'no callbacks for this link', true);
    }
    if (target.kind === 'unavailable') {
      refused('unavailable', address);
      return problem(res, 503, 'Service Unavailable', target.detail, true);
    }
    if (declaredTooLarge(req, limit)) return tooLarge(res, address);
    let body: Buffer;
    try {
      body = await readLimited(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return tooLarge(res, address);
      throw err;
    }
    const method = req.method ?? 'GET';
    const headers = headersOf(req);
    if (target.kind === 'forward') {
      try {
        send(
          res,
          await forwardCallback(
            target.url,
            address,
            { method, headers, body },
            opts.forwardedBy,
            opts.forwardTimeoutMs,
          ),
        );
      } catch (err) {
        opts.logger.warn('callback forward failed', {
          tenant: address.tenant,
          link: address.link,
          error: (err as Error).message,
        });
        refused('forward-failed', address);
        problem(res, 502, 'Bad Gateway', 'the connector owning the link did not answer');
      }
      return;
    }
    send(
      res,
      await target.handle({
        method,
        path: address.path,
        headers,
        body,
        remoteAddress: req.socket.remoteAddress,
      }),
    );
  }

  const server = createServer((req, res) => {
    // the load balancer's health check (docs/deploy.md): not a callback, not a refusal
    if (req.url === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return void res.end(req.method === 'GET' ? 'ok' : undefined);
    }
    const address = parseCallbackPath(req.url ?? '');
    if (!address) {
      refused('not-a-callback-url', undefined);
      return problem(res, 404, 'Not Found', 'not a callback URL', true);
    }
    serve(req, res, address).catch((err: unknown) => {
      opts.logger.error('callback failed', {
        tenant: address.tenant,
        link: address.link,
        error: err as Error,
      });
      refused('failed', address);
      if (!res.headersSent)
        problem(res, 500, 'Internal Server Error', 'the callback failed inside the connector', true);
      else res.destroy();
    });
  });
  // Longer than a load balancer's idle timeout (60 s), so that it never reuses a connection we close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
