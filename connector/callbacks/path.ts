/**
 * The callback URL space: `/v1/callbacks/{tenant}/{link}/...`, one root per link.
 */

export const CALLBACK_ROOT = '/v1/callbacks';

/** Where a callback request is addressed. */
export interface CallbackAddress {
  tenant: string;
  link: string;
  /** Below the link's root, starting with `/`, query string included (e.g. `/events?x=1`). */
  path: string;
}

const PATTERN =
  /^\/v1\/callbacks\/([a-z0-9][a-z0-9_-]{0,62})\/([a-z0-9][a-z0-9_-]{0,62})(\/[^?#]*)?(\?[^#]*)?$/;

/**
 * Reads the address of a request target; `undefined` when it is not below a link's callback root.
 *
 * @example
 * parseCallbackPath('/v1/callbacks/acme/pbx/events?id=1'); // { tenant: 'acme', link: 'pbx', path: '/events?id=1' }
 * parseCallbackPath('/v1/other'); // undefined
 */
export function parseCallbackPath(target: string): CallbackAddress | undefined {
  const m = PATTERN.exec(target);
  if (!m) return undefined;
  return { tenant: m[1]!, link: m[2]!, path: `${m[3] || '/'}${m[4] ?? ''}` };
}

/**
 * The public URL of a link's callback root.
 *
 * @example
 * callbackUrl('https://cti.example.com/', 'acme', 'pbx'); // 'https://cti.example.com/v1/callbacks/acme/pbx'
 */
export function callbackUrl(base: string, tenant: string, link: string): string {
  return `${base.replace(/\/+$/, '')}${CALLBACK_ROOT}/${tenant}/${link}`;
}
