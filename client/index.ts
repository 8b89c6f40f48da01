/**
 * The typed client of the control API: openapi-fetch over the types generated from the OpenAPI
 * document (`client/schema.ts`, `npm run client:gen`). Paths, parameters, bodies and answers are
 * checked by the compiler; errors come back as the API's problems.
 *
 * @example
 * const bridge = createBridgeClient({ api: 'http://127.0.0.1:3000', key: process.env.BRIDGE_KEY! });
 * const { data, error } = await bridge.GET('/v1/links/{link}', { params: { path: { link: 'sim-broadworks' } } });
 * if (error) console.error(error.title, error.detail);
 * else console.log(data.status);
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** An RFC 9457 problem, as every error of the API is. */
export type Problem = components['schemas']['Problem'];

export interface BridgeClientOptions {
  /** The API's base URL (the local stack's: `http://127.0.0.1:3000`). */
  api: string;
  /** An admin or tenant API key (sent as `Authorization: Bearer`). */
  key?: string;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

export type BridgeClient = Client<paths>;

export function createBridgeClient(opts: BridgeClientOptions): BridgeClient {
  return createClient<paths>({
    baseUrl: opts.api.replace(/\/+$/, ''),
    headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {},
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

/** A problem (or any error answer) as one line a person can read. */
export function describeProblem(status: number, error: unknown): string {
  const p = error as Partial<Problem> | undefined;
  if (!p || typeof p !== 'object') return `HTTP ${status}`;
  const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.detail}`).join('; ');
  return `${status} ${p.title ?? ''}${p.detail ? `: ${p.detail}` : ''}${fields && !p.detail?.includes(fields) ? ` (${fields})` : ''}`;
}
