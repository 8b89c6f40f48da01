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
}

export interface CallbackListener {
  /** The bound URL (`http://host:port`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

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

  async function serve(req: IncomingMessage, res: ServerResponse, address: CallbackAddress): Promise<void> {
    const forwarded = typeof req.headers[FORWARDED_HEADER] === 'string';
    const target = await opts.resolve(address.tenant, address.link, forwarded);
    if (target.kind === 'unknown') return problem(res, 404, 'Not Found', 'no callbacks for this link', true);
    if (target.kind === 'unavailable') return problem(res, 503, 'Service Unavailable', target.detail, true);
    if (declaredTooLarge(req, limit))
      return problem(res, 413, 'Content Too Large', `the body may have at most ${limit} bytes`, true);
    let body: Buffer;
    try {
      body = await readLimited(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        return problem(res, 413, 'Content Too Large', `the body may have at most ${limit} bytes`, true);
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
    const address = parseCallbackPath(req.url ?? '');
    if (!address) return problem(res, 404, 'Not Found', 'not a callback URL', true);
    serve(req, res, address).catch((err: unknown) => {
      opts.logger.error('callback failed', {
        tenant: address.tenant,
        link: address.link,
        error: err as Error,
      });
      if (!res.headersSent)
        problem(res, 500, 'Internal Server Error', 'the callback failed inside the connector', true);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
