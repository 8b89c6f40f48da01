/**
 * Reading a callback body under a size limit: a declared `content-length` over the limit is refused
 * before a byte is read, a streamed body as soon as it passes the limit.
 */
import type { IncomingMessage } from 'node:http';

/** The default limit of a callback body: 1 MiB. */
export const DEFAULT_CALLBACK_MAX_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Whether the declared length already exceeds `limit` (nothing needs reading to refuse it). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * The whole body, at most `limit` bytes; rejects with `BodyTooLargeError` (and stops reading) past it.
 *
 * @example
 * const body = await readLimited(req, 1024 * 1024);
 */
export function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError(limit));
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
