/**
 * The API's contract made whole: every answer of the stack, the gateway's own included, is a problem
 * (`application/problem+json`), and every status a route answers is declared for it in the OpenAPI
 * document. The route walk sends each route of the manifest the requests a client gets wrong (no key,
 * the wrong key, an empty or invalid body, the wrong media type, an oversize body, unknown ids) and the
 * ones it gets right on a simulator link, and checks each status it observes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDef } from '../../shared/api/routes.js';
import type { LocalStack } from '../../local/stack.js';
import { api, newTenant, testStack, until, type ApiResponse } from '../support/stack.js';

let stack: LocalStack;
let tenantKey: string;
beforeAll(async () => {
  stack = await testStack({ simulator: { only: ['broadworks-cti'] }, connector: {} });
  tenantKey = (await newTenant(stack)).key;
  await until(
    async () => (await api(stack, stack.adminKey).get('/v1/links/sim-broadworks')).body?.status,
    (s) => s === 'up',
    20_000,
  );
}, 60_000);
afterAll(async () => stack?.stop());

const isProblem = (r: ApiResponse) =>
  (r.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
  typeof r.body?.status === 'number' &&
  r.body.status === r.status &&
  typeof r.body.title === 'string';

describe('the gateway answers with problems', () => {
  it('an unknown route is 404', async () => {
    const r = await api(stack, stack.adminKey).get('/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(isProblem(r), JSON.stringify(r.body)).toBe(true);
  });

  it('a known path with another method is 405 with Allow', async () => {
    const r = await api(stack, stack.adminKey).raw('PUT', '/v1/links/sim-broadworks', {});
    expect(r.status).toBe(405);
    expect(isProblem(r)).toBe(true);
    expect(r.headers.get('allow')).toBe('GET, PATCH, DELETE');
    const root = await api(stack).raw('DELETE', '/v1/health');
    expect(root.status).toBe(405);
    expect(root.headers.get('allow')).toBe('GET');
  });

  it('an oversize body is 413, over the route limit and over the gateway limit', async () => {
    const client = api(stack, tenantKey);
    const big = JSON.stringify({ id: 'x', pad: 'y'.repeat(2 * 1024 * 1024) });
    const r = await client.raw('POST', '/v1/channels', big);
    expect(r.status).toBe(413);
    expect(isProblem(r)).toBe(true);
    expect(r.body.errors?.[0]?.field).toBe('body');
    const huge = await client.raw('POST', '/v1/channels', 'z'.repeat(12 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect(isProblem(huge)).toBe(true);
  });

  it('a body that is not JSON is 415', async () => {
    const r = await api(stack, tenantKey).raw('POST', '/v1/channels', 'type=websocket', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(415);
    expect(isProblem(r)).toBe(true);
  });
});

/** Path values to try: unknown ids, and the simulator's link and user where the route has them. */
function paths(route: RouteDef): string[] {
  const fill = (real: boolean) =>
    route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!real) return 'nope';
      if (name === 'link') return 'sim-broadworks';
      if (name === 'user') return 'alice@sim.example';
      if (name === 'tenant') return 'default';
      return 'nope';
    });
  return [...new Set([fill(false), fill(true)])];
}

/** Bodies that pass validation, so that the request reaches the repositories or the vendor. */
const VALID_BODIES: Record<string, unknown> = {
  createLink: {
    id: 'sim-broadworks',
    vendor: 'broadworks-cti',
    endpoint: 'tcp://127.0.0.1:9',
    credentials: { username: 'u', password: 'p' },
  },
  createSubscription: {
    channel: 'nope',
    link: 'sim-broadworks',
    target: { type: 'system' },
    events: ['call'],
  },
  createTenant: { id: 'default' },
  dial: { to: '9999' },
  transferCall: { mode: 'blind', to: '1003' },
  sendDtmf: { digits: '12' },
  setDnd: { enabled: true },
};

describe('every status a route answers is declared', () => {
  it('walks every route of the manifest', async () => {
    const doc = (await api(stack).get('/v1/openapi.json')).body;
    const undeclared: string[] = [];
    const notProblems: string[] = [];
    const seen = new Map<string, Set<number>>();
    for (const route of ROUTES) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      const declared = new Set(Object.keys(op.responses).map(Number));
      const statuses = new Set<number>();
      const check = (r: ApiResponse, what: string) => {
        statuses.add(r.status);
        if (!declared.has(r.status)) {
          const line = `${route.method} ${route.path}: ${r.status} (${what})`;
          if (!undeclared.includes(line)) undeclared.push(line);
        }
        if (r.status >= 400 && !isProblem(r)) notProblems.push(`${route.method} ${route.path}: ${r.status}`);
      };
      const withBody = route.method !== 'GET' && route.method !== 'DELETE';
      const body = withBody ? {} : undefined;
      for (const path of paths(route)) {
        // skip routes that would change the shared simulator link's state for the later probes
        const destructive = route.method === 'DELETE' && path.includes('sim-broadworks');
        if (route.auth !== 'none') {
          check(await api(stack).raw(route.method, path, body), 'no key');
          check(await api(stack, 'cbk_wrong').raw(route.method, path, body), 'wrong key');
        }
        if (destructive) continue;
        for (const key of [stack.adminKey, tenantKey]) {
          const client = api(stack, key);
          check(await client.raw(route.method, path, body), 'empty body');
          const valid = VALID_BODIES[route.operationId];
          if (valid !== undefined) check(await client.raw(route.method, path, valid), 'valid body');
          if (withBody) {
            check(await client.raw(route.method, path, '{"broken"'), 'malformed JSON');
            check(
              await client.raw(route.method, path, 'a=b', { 'content-type': 'text/plain' }),
              'wrong media type',
            );
          }
          check(await client.raw(route.method, `${path}?limit=-1&cursor=zz`, body), 'bad query');
        }
      }
      seen.set(`${route.method} ${route.path}`, statuses);
    }
    expect(notProblems).toEqual([]);
    expect(undeclared).toEqual([]);
    expect(seen.size).toBe(ROUTES.length);
    if (process.env.CONTRACT_DIAG)
      console.log([...seen].map(([k, v]) => `${k}: ${[...v].sort().join(' ')}`).join('\n'));
  }, 120_000);
});
