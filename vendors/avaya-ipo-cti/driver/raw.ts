/**
 * The raw request (manifest: `{method, path, body?, user?}`): one REST request below the one-X server,
 * sent with the session header of the link's login (application) or of `user`'s login (device users),
 * answered with the server's status and body as they are. Only paths below `/inyama/` are accepted, so
 * the session id never goes anywhere else.
 */
import { z } from 'zod';
import { badRequest } from './errors.js';

export const RawRequest = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
  /** Below the server, e.g. `/inyama/service/snapshot` (a query string is allowed). */
  path: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^\/inyama\/[^\s#]*$/, 'must start with /inyama/'),
  /** The XML body, sent as is. */
  body: z
    .string()
    .max(1024 * 1024)
    .optional(),
  /** Device-user links: whose login carries it. */
  user: z.string().min(1).max(256).optional(),
});
export type RawRequest = z.infer<typeof RawRequest>;

/**
 * Checks a raw request; throws a 400 VendorError when it does not fit.
 *
 * @example
 * readRaw({ method: 'GET', path: '/inyama/service/snapshot' }); // { method: 'GET', path: '/inyama/service/snapshot' }
 */
export function readRaw(request: unknown): RawRequest {
  const parsed = RawRequest.safeParse(request);
  if (!parsed.success)
    throw badRequest(
      `invalid raw request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  if (parsed.data.path.split('?')[0]!.split('/').includes('..'))
    throw badRequest('raw path must not contain ..');
  return parsed.data;
}
