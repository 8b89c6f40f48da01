/**
 * The webhook sender: one POST per delivery, on kept-alive connections (one undici `Agent` per sender,
 * at most `connectionsPerOrigin` connections to one origin). A host name is resolved and checked when a
 * connection is opened (ssrf.ts), and the connection goes to the address checked, so no second
 * resolution can rebind it; a connection kept alive was checked when it was opened, and an IP literal is
 * checked at every POST. Every POST has an overall timeout, and at most 64 KiB of an answer is read.
 *
 * undici rather than `node:http`: a POST costs the sending process 124–146 µs of CPU against 216–231 µs
 * (`npm run bench -- --only posts`), and a busy connector spends most of its time on these requests
 * (docs/performance.md).
 */
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { PostTimeoutError, postOnce } from './http-post.js';
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
  // Called only when a connection is opened to a host name (an IP literal is not looked up).
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
  const keepAliveMs = opts.keepAliveMs ?? 4_000;
  const agent = new Agent({
    connections: opts.connectionsPerOrigin ?? 128,
    // an idle connection is closed after this long (or sooner when the server's Keep-Alive says so)
    keepAliveTimeout: keepAliveMs,
    keepAliveMaxTimeout: keepAliveMs,
    // each POST's overall timeout (postOnce) is the one that counts: undici's own are off
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { lookup },
  });

  async function post(
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
      return { ...failed('invalid URL', true), latencyMs: 0 };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      return failed(`unsupported scheme ${u.protocol}`, true);
    try {
      checkedLiteral(u.hostname, opts.policy); // a name is checked by the connection's lookup
    } catch (err) {
      return failed((err as Error).message, true);
    }
    try {
      const res = await postOnce(
        agent,
        {
          origin: u.origin,
          path: `${u.pathname}${u.search}`,
          headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...headers },
          body,
        },
        { timeoutMs, maxAnswerBytes: MAX_ANSWER_BYTES, keepBody: captureBody === true },
      );
      const status = res.statusCode;
      const retryAfter = res.headers['retry-after'];
      return {
        statusCode: status,
        latencyMs: elapsed(),
        error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()),
        refused: false,
        ...(captureBody ? { body: res.body.toString('utf8') } : {}),
      };
    } catch (err) {
      // undici's dispatcher passes a connection's error on as it is (the lookup's refusal included)
      const e = err as NodeJS.ErrnoException;
      if (e instanceof PostTimeoutError) return failed(e.message);
      if (e instanceof RefusedAddressError) return failed(e.message, true);
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return failed(e.message);
      return failed(`connection error: ${e.message}`);
    }
  }

  return {
    post,
    close: () => void agent.destroy().catch(() => undefined),
  };
}
