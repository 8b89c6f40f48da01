/**
 * The webhook sender: one POST per delivery, on kept-alive connections (one `node:http` / `node:https`
 * agent per sender, at most `connectionsPerOrigin` connections to one origin). A host name is resolved
 * and checked when a connection is opened (ssrf.ts), and the connection goes to the address checked, so
 * no second resolution can rebind it; a connection kept alive was checked when it was opened, and an IP
 * literal is checked at every POST. Every POST has an overall timeout, and at most 64 KiB of an answer
 * is read.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseRetryAfter } from './schedule.js';
import {
  RefusedAddressError,
  checkedLiteral,
  resolveChecked,
  type AddressPolicy,
  type Resolver,
} from './ssrf.js';

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
  /** Keep the answer's body (webhook routing reads the route from it). */
  captureBody?: boolean;
}

export interface WebhookSenderOptions {
  policy: AddressPolicy;
  /** DNS resolver override (tests). */
  resolver?: Resolver;
  userAgent?: string;
  /** How long an idle connection is kept for its next POST (ms; less when the server says less). */
  keepAliveMs?: number;
  /** Connections kept to one origin (default 128); more POSTs to it wait for a free one. */
  connectionsPerOrigin?: number;
}

export interface WebhookSender {
  /** POSTs `body` to `url`; never rejects: a failure is in the result. */
  post(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult>;
  /** Closes every connection; a POST still in flight fails. */
  close(): void;
}

/** The most of an answer that is read (and kept, when asked for). */
const MAX_ANSWER_BYTES = 65_536;

/**
 * A sender whose connections are opened only to addresses `policy` allows.
 *
 * @example
 * const sender = createWebhookSender({ policy: { allowLoopback: true } });
 * const res = await sender.post('http://127.0.0.1:8080/hook', '{}', {}, { timeoutMs: 10_000 });
 * if (res.statusCode === 204) console.log('delivered in', res.latencyMs, 'ms');
 * sender.close();
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSender {
  const userAgent = opts.userAgent ?? 'cti-bridge-webhooks/1';
  // Called only when an agent opens a connection to a host name (an IP literal is not looked up).
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveChecked(hostname, opts.policy, opts.resolver).then(
      (checked) => {
        if ((options as { all?: boolean }).all)
          (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [checked]);
        else callback(null, checked.address, checked.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
  const agentOptions = {
    keepAlive: true,
    maxSockets: opts.connectionsPerOrigin ?? 128,
    lookup,
    timeout: opts.keepAliveMs ?? 4_000, // an idle socket is closed after this long
  };
  const agents = { 'http:': new HttpAgent(agentOptions), 'https:': new HttpsAgent(agentOptions) };

  function post(
    url: string,
    body: string,
    headers: Record<string, string>,
    { timeoutMs, captureBody }: PostOptions,
  ): Promise<PostResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (error: string, refused = false): PostResult => ({
      statusCode: null,
      latencyMs: elapsed(),
      error,
      retryAfterMs: null,
      refused,
    });
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.resolve({ ...failed('invalid URL', true), latencyMs: 0 });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      return Promise.resolve(failed(`unsupported scheme ${u.protocol}`, true));
    try {
      checkedLiteral(u.hostname, opts.policy); // a name is checked by the agent's lookup
    } catch (err) {
      return Promise.resolve(failed((err as Error).message, true));
    }
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostResult>((resolve) => {
      let done = false;
      const finish = (r: PostResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = send(
        u,
        {
          method: 'POST',
          agent: agents[u.protocol as 'http:' | 'https:'],
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': userAgent,
            ...headers,
          },
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
          // Read at most 64 KiB of the answer (kept only when asked for), then settle.
          let size = 0;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES) return res.destroy();
            if (captureBody) chunks.push(c);
          });
          const settle = () =>
            finish({
              statusCode: status,
              latencyMs: elapsed(),
              error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
              retryAfterMs,
              refused: false,
              ...(captureBody ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
            });
          res.on('end', settle);
          res.on('close', settle);
          res.on('error', settle);
        },
      );
      const timer = setTimeout(() => {
        finish(failed(`timeout after ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof RefusedAddressError) finish(failed(err.message, true));
        else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') finish(failed(err.message));
        else finish(failed(`connection error: ${err.message}`));
      });
      req.end(body);
    });
  }

  return {
    post,
    close: () => {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}
