/**
 * One HTTP POST on an undici dispatcher, the way delivery's two senders need it (webhooks, `@connections`
 * posts): an overall timeout, at most `maxAnswerBytes` of the answer read (kept only when asked for), and
 * no stream, promise chain or `AbortSignal` beyond the one promise per POST. A connector delivering
 * thousands of messages a second spends most of its CPU on these requests; through undici's dispatch
 * interface a webhook POST costs 30–45 % less of it than through `node:http` (docs/performance.md,
 * "2026-12-07, evening: outbound HTTP through undici").
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

export interface PostRequest {
  /** `http(s)://host[:port]`. */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface PostLimits {
  /** The whole POST, from dispatch to the answer's end (ms). */
  timeoutMs: number;
  /** The most of an answer that is read; the connection is closed after that. */
  maxAnswerBytes: number;
  /** Keep the answer's body (else it is read and dropped). */
  keepBody: boolean;
}

export interface PostAnswer {
  statusCode: number;
  /** Lower-case names. */
  headers: IncomingHttpHeaders;
  /** The answer's first `maxAnswerBytes`, when `keepBody`; else empty. */
  body: Buffer;
}

/** The POST took longer than its `timeoutMs`. */
export class PostTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timeout after ${timeoutMs} ms`);
    this.name = 'PostTimeoutError';
  }
}

/** Closes the connection of an answer read as far as it is wanted. */
class AnswerCapped extends Error {}

/**
 * Sends one POST. Resolves with the answer (any status) once it ended, or was cut at `maxAnswerBytes`,
 * or broke after its status line came; rejects with the connection's error, or `PostTimeoutError`.
 *
 * @example
 * const agent = new Agent({ connections: 64 });
 * const answer = await postOnce(agent, { origin: 'http://127.0.0.1:8080', path: '/hook', headers: {}, body: '{}' },
 *   { timeoutMs: 10_000, maxAnswerBytes: 65_536, keepBody: false });
 * answer.statusCode; // 204
 */
export function postOnce(dispatcher: Dispatcher, req: PostRequest, limits: PostLimits): Promise<PostAnswer> {
  return new Promise<PostAnswer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    let size = 0;
    const chunks: Buffer[] = [];
    const answer = (): PostAnswer => ({
      statusCode,
      headers,
      body: limits.keepBody ? Buffer.concat(chunks) : Buffer.alloc(0),
    });
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(answer());
    };
    const timer = setTimeout(() => {
      const err = new PostTimeoutError(limits.timeoutMs);
      done(err);
      controller?.abort(err); // a POST still queued for a connection is aborted when it gets one
    }, limits.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new PostTimeoutError(limits.timeoutMs));
      },
      onResponseStart(_c, status, h) {
        if (status < 200) return; // an informational answer: the real one follows
        statusCode = status;
        headers = h;
      },
      onResponseData(c, chunk) {
        const room = limits.maxAnswerBytes - size;
        size += chunk.length;
        if (size > limits.maxAnswerBytes) {
          if (limits.keepBody) chunks.push(chunk.subarray(0, room)); // the answer up to the cap
          done(null);
          c.abort(new AnswerCapped());
          return;
        }
        if (limits.keepBody) chunks.push(chunk);
      },
      onResponseEnd() {
        done(null);
      },
      onResponseError(_c, err) {
        // an answer cut short after its status line still counts as that answer
        done(statusCode ? null : err);
      },
    };
    try {
      dispatcher.dispatch(
        { origin: req.origin, path: req.path, method: 'POST', headers: req.headers, body: req.body },
        handler,
      );
    } catch (err) {
      done(err as Error); // refused before it was sent: a header undici does not allow, a closed agent
    }
  });
}
