/**
 * The connector's inbound callback listener, with real sockets and DynamoDB Local: a vendor request
 * reaches the owning driver's `handleCallback` (directly, or forwarded by a connector that does not own
 * the link), unknown links are refused before the body is read, oversized bodies are refused.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnector, type Connector } from '../../connector/connector.js';
import { FORWARDED_HEADER } from '../../connector/callbacks/forward.js';
import { startCallbackListener } from '../../connector/callbacks/listener.js';
import { createLogger } from '../../shared/log.js';
import type { LocalStack } from '../../local/stack.js';
import { newTenant, testStack, until } from '../support/stack.js';
import { TestVendor } from './test-driver.js';

const vendor = new TestVendor();
const noCallbacks = new TestVendor({ callbacks: false });
let stack: LocalStack;
let second: Connector | undefined;
let tenant: string;
const LIMIT = 64 * 1024;

/** A request whose headers go out at once; the body is written only if `body` is given. */
function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // the listener may close the socket while the rest of a refused body is still being written
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.setTimeout(5_000, () => {
      reject(new Error('no answer in 5 s: the listener waited for the body'));
      req.destroy();
    });
    req.flushHeaders();
    if (opts.body === undefined) return; // headers only: the answer must not wait for the body
    for (const b of [opts.body].flat()) req.write(b);
    req.end();
  });
}

beforeAll(async () => {
  stack = await testStack({
    connector: {
      id: 'first',
      drivers: { 'broadworks-cti': vendor.factory, 'avaya-mtcti3': noCallbacks.factory },
      reconcileMs: 100,
      callbackMaxBodyBytes: LIMIT,
    },
  });
  const t = await newTenant(stack);
  tenant = t.id;
  for (const [id, v, endpoint] of [
    ['pbx', 'broadworks-cti', 'tcp://127.0.0.1:9'],
    ['ipo', 'avaya-mtcti3', 'wss://ipo.example/tpkt/openapi'],
  ] as const) {
    const link = await t.client.post('/v1/links', {
      id,
      vendor: v,
      endpoint,
      credentials: { username: 'u', password: 'p' },
    });
    expect(link.status).toBe(201);
  }
  await stack.connector!.reconcile();
  await until(
    async () => ['pbx', 'ipo'].map((l) => stack.connector!.runner(tenant, l)?.state),
    (s) => s.every((x) => x === 'up'),
  );
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

const root = (link: string) => `${stack.callbackUrl}/v1/callbacks/${tenant}/${link}`;
const callbacksSeen = () => vendor.seen.filter((s) => s.kind === 'callback');

describe('callback listener', () => {
  it('gives the driver its public URL and passes a request to it raw; the answer comes back', async () => {
    expect(stack.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(vendor.context(`${tenant}/pbx`).callbacks?.publicUrl).toBe(root('pbx'));
    const res = await fetch(`${root('pbx')}/events?id=7`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'x-vendor': 'yes' },
      body: '<event>ringing</event>',
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-test-driver')).toBe(`${tenant}/pbx`);
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/events?id=7',
      body: '<event>ringing</event>',
      publicUrl: root('pbx'),
    });
    const seen = callbacksSeen().at(-1)!;
    expect(seen.kind === 'callback' && seen.request.headers['x-vendor']).toBe('yes');
  });

  it('unknown link: 404 without reading the body, and the driver never sees it', async () => {
    const before = callbacksSeen().length;
    // headers only, announcing a body that never comes: only an answer given before reading it arrives
    const unknown = await rawRequest(`${root('nope')}/events`, { headers: { 'content-length': '1000' } });
    expect(unknown.status).toBe(404);
    const otherTenant = await rawRequest(`${stack.callbackUrl}/v1/callbacks/other/pbx/events`, {
      headers: { 'content-length': '1000' },
    });
    expect(otherTenant.status).toBe(404);
    const outside = await rawRequest(`${stack.callbackUrl}/v1/links/pbx`, {
      headers: { 'content-length': '10' },
    });
    expect(outside.status).toBe(404);
    expect(callbacksSeen().length).toBe(before);
  });

  it('GET /health answers 200 for a load balancer, and is no refused callback', async () => {
    const res = await fetch(`${stack.callbackUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const post = await fetch(`${stack.callbackUrl}/health`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
  });

  it('a link whose driver takes no callbacks: 404 without reading the body', async () => {
    const res = await rawRequest(`${root('ipo')}/events`, { headers: { 'content-length': '1000' } });
    expect(res.status).toBe(404);
    expect(noCallbacks.seen.filter((s) => s.kind === 'callback')).toEqual([]);
  });

  it('oversized body: 413, declared or streamed, and the driver never sees it', async () => {
    const before = callbacksSeen().length;
    const declared = await rawRequest(`${root('pbx')}/events`, {
      headers: { 'content-length': String(LIMIT + 1) },
    });
    expect(declared.status).toBe(413);
    const streamed = await rawRequest(`${root('pbx')}/events`, {
      headers: { 'transfer-encoding': 'chunked' },
      body: [Buffer.alloc(LIMIT / 2, 1), Buffer.alloc(LIMIT / 2, 2), Buffer.alloc(10, 3)],
    });
    expect(streamed.status).toBe(413);
    const atLimit = await fetch(`${root('pbx')}/events`, { method: 'POST', body: Buffer.alloc(LIMIT, 65) });
    expect(atLimit.status).toBe(202);
    expect(callbacksSeen().length).toBe(before + 1);
  });

  it('a request at a connector that does not own the link reaches the owner’s driver', async () => {
    second = await startConnector({
      deps: stack.deps,
      drivers: { 'broadworks-cti': vendor.factory, 'avaya-mtcti3': noCallbacks.factory },
      commandToken: stack.deps.config.connectorToken!,
      id: 'second',
      reconcileMs: 100,
      callbackPort: 0,
      // a standby: it takes no share of the links (the first keeps both while it lives)
      balance: false,
    });
    expect(second.runner(tenant, 'pbx')).toBeUndefined(); // the first owns it
    const lease = await stack.deps.repos.leases.get(tenant, 'pbx', Date.now());
    expect(lease).toMatchObject({ owner: 'first', callbackEndpoint: stack.connector!.callbackEndpoint });

    const before = callbacksSeen().length;
    const res = await fetch(`${second.callbackUrl}/v1/callbacks/${tenant}/pbx/forwarded`, {
      method: 'PUT',
      body: 'via second',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ method: 'PUT', path: '/forwarded', body: 'via second' });
    const seen = callbacksSeen();
    expect(seen.length).toBe(before + 1);
    const last = seen.at(-1)!;
    expect(last.link).toBe(`${tenant}/pbx`);
    expect(last.kind === 'callback' && last.request.headers[FORWARDED_HEADER]).toBe('second');
    // only the owner runs a driver for the link
    expect(vendor.contexts.size).toBe(1);

    // unknown links are refused by the non-owner too, without forwarding
    const unknown = await rawRequest(`${second.callbackUrl}/v1/callbacks/${tenant}/nope/x`, {
      headers: { 'content-length': '5' },
    });
    expect(unknown.status).toBe(404);
  });
});

describe('callback listener: refusals are counted', () => {
  it('counts by reason, and reports to onRefused, every request it answers itself; what it passes on it does not count', async () => {
    const reports: string[] = [];
    const handled: string[] = [];
    const listener = await startCallbackListener({
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024,
      forwardedBy: 'solo',
      logger: createLogger('test', 'SILENT'),
      resolve: async (_tenant, link) => {
        if (link === 'pbx')
          return {
            kind: 'local',
            handle: async (r) => {
              handled.push(r.path);
              if (r.path === '/boom') throw new Error('boom');
              return { status: 404, body: 'the driver refuses it itself' };
            },
          };
        if (link === 'far') return { kind: 'forward', url: 'http://127.0.0.1:9' };
        if (link === 'idle') return { kind: 'unavailable', detail: 'no connector' };
        return { kind: 'unknown' };
      },
      onRefused: (reason, address) => reports.push(`${reason} ${address?.link ?? '-'}`),
    });
    try {
      const at = (path: string) => `${listener.url}${path}`;
      const cases: [string, Parameters<typeof rawRequest>[1], number][] = [
        ['/v1/other', { body: Buffer.from('x') }, 404],
        ['/v1/callbacks/t/nope/events', { headers: { 'content-length': '10' } }, 404],
        ['/v1/callbacks/t/idle/events', { headers: { 'content-length': '10' } }, 503],
        ['/v1/callbacks/t/pbx/events', { headers: { 'content-length': '2048' } }, 413],
        [
          '/v1/callbacks/t/pbx/events',
          { headers: { 'transfer-encoding': 'chunked' }, body: [Buffer.alloc(800), Buffer.alloc(800)] },
          413,
        ],
        ['/v1/callbacks/t/far/events', { body: Buffer.from('x') }, 502],
        ['/v1/callbacks/t/pbx/boom', { body: Buffer.from('x') }, 500],
        ['/v1/callbacks/t/pbx/events', { body: Buffer.from('fine') }, 404],
      ];
      for (const [path, opts, status] of cases)
        expect((await rawRequest(at(path), opts)).status, path).toBe(status);
      expect(listener.stats.refused).toEqual({
        'not-a-callback-url': 1,
        'unknown-link': 1,
        unavailable: 1,
        'too-large': 2,
        'forward-failed': 1,
        failed: 1,
      });
      expect(reports).toEqual([
        'not-a-callback-url -',
        'unknown-link nope',
        'unavailable idle',
        'too-large pbx',
        'too-large pbx',
        'forward-failed far',
        'failed pbx',
      ]);
      // the driver's own 404 is the driver's to count
      expect(handled).toEqual(['/boom', '/events']);
    } finally {
      await listener.close();
    }
  });
});
