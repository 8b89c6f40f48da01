/**
 * Tenant isolation, route by route: for every tenant route in the manifest, another tenant's key gets
 * nothing of acme's (404 / empty lists / 422) and changes nothing.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes.js';
import type { LocalStack } from '../../local/stack.js';
import { newTenant, testStack } from '../support/stack.js';

let stack: LocalStack;
let acme: Awaited<ReturnType<typeof newTenant>>;
let evil: Awaited<ReturnType<typeof newTenant>>;
const ids: Record<string, string> = {};

async function snapshot(): Promise<string> {
  const res = await stack.deps.db.doc.send(new ScanCommand({ TableName: stack.tableName }));
  return JSON.stringify(
    (res.Items ?? []).filter((i) => String(i.pk).startsWith('T#acme')).sort((a, b) => (a.sk < b.sk ? -1 : 1)),
  );
}

beforeAll(async () => {
  stack = await testStack();
  acme = await newTenant(stack, 'acme');
  evil = await newTenant(stack, 'evil');
  await acme.client.post('/v1/links', {
    id: 'pbx',
    vendor: 'broadworks-cti',
    endpoint: 'tcp://127.0.0.1:9',
    credentials: { username: 'u', password: 'p' },
  });
  ids.session = (await acme.client.post('/v1/sessions', { link: 'pbx', user: 'alice' })).body.id;
  ids.channel = (
    await acme.client.post('/v1/channels', { type: 'webhook', url: 'https://acme.example/hook' })
  ).body.id;
  ids.subscription = (
    await acme.client.post('/v1/subscriptions', {
      channel: ids.channel,
      link: 'pbx',
      target: { type: 'user', id: 'alice' },
      events: ['call'],
    })
  ).body.id;
});
afterAll(async () => stack?.stop());

/** A request per tenant route, aimed at acme's items. */
const probes: Record<
  string,
  { path: () => string; body?: () => unknown; expect: number[]; after?: () => Promise<unknown> }
> = {
  // The same link id in another tenant is a different link: created, and acme's is untouched.
  createLink: {
    path: () => '/v1/links',
    body: () => ({
      id: 'pbx',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://h:1',
      credentials: { username: 'x', password: 'y' },
    }),
    expect: [201],
    after: () => evil.client.del('/v1/links/pbx'),
  },
  listLinks: { path: () => '/v1/links', expect: [200] },
  getLink: { path: () => '/v1/links/pbx', expect: [404] },
  updateLink: { path: () => '/v1/links/pbx', body: () => ({ endpoint: 'tcp://evil:1' }), expect: [404] },
  deleteLink: { path: () => '/v1/links/pbx', expect: [404] },
  createSession: {
    path: () => '/v1/sessions',
    body: () => ({ link: 'pbx', user: 'alice' }),
    expect: [201, 422],
  },
  listSessions: { path: () => '/v1/sessions', expect: [200] },
  getSession: { path: () => `/v1/sessions/${ids.session}`, expect: [404] },
  refreshSession: { path: () => `/v1/sessions/${ids.session}/refresh`, body: () => ({}), expect: [404] },
  deleteSession: { path: () => `/v1/sessions/${ids.session}`, expect: [404] },
  createChannel: { path: () => '/v1/channels', body: () => ({ type: 'websocket' }), expect: [201] },
  listChannels: { path: () => '/v1/channels', expect: [200] },
  getChannel: { path: () => `/v1/channels/${ids.channel}`, expect: [404] },
  updateChannel: {
    path: () => `/v1/channels/${ids.channel}`,
    body: () => ({ ttlSeconds: 600 }),
    expect: [404],
  },
  deleteChannel: { path: () => `/v1/channels/${ids.channel}`, expect: [404] },
  rotateChannelSecret: { path: () => `/v1/channels/${ids.channel}/rotate-secret`, expect: [404] },
  listChannelDeliveries: {
    path: () => `/v1/channels/${ids.channel}/deliveries?status=pending`,
    expect: [404],
  },
  replayChannel: {
    path: () => `/v1/channels/${ids.channel}/replay`,
    body: () => ({ after: 0 }),
    expect: [404],
  },
  createSubscription: {
    path: () => '/v1/subscriptions',
    body: () => ({ channel: ids.channel, link: 'pbx', target: { type: 'system' }, events: ['call'] }),
    expect: [422],
  },
  listSubscriptions: { path: () => `/v1/subscriptions?channel=${ids.channel}`, expect: [200] },
  getSubscription: { path: () => `/v1/subscriptions/${ids.subscription}`, expect: [404] },
  updateSubscription: {
    path: () => `/v1/subscriptions/${ids.subscription}`,
    body: () => ({ events: ['agent'] }),
    expect: [404],
  },
  deleteSubscription: { path: () => `/v1/subscriptions/${ids.subscription}`, expect: [404] },
  listEvents: { path: () => '/v1/events?link=pbx', expect: [404] },
};

/** Call control: every route aimed at acme's link `pbx` with a valid body; a foreign key gets 404. */
const callBodies: Record<string, unknown> = {
  dial: { to: '1002' },
  sendDtmf: { digits: '12#' },
  transferCall: { mode: 'blind', to: '1003' },
  conferenceCall: { withCall: 'c2' },
  tagDisposition: { code: 'SALE' },
  reorderQueueCall: { position: 1 },
  setAgentState: { state: 'available' },
  setDnd: { enabled: true },
  setForwarding: { enabled: true, to: '1004' },
  setCallData: { userData: { '1': 'x' } },
  selectRoute: { type: 'agent', destination: '1003' },
  rawRequest: { method: 'GET', uri: '/com.broadsoft.xsi-actions/v2.0/user/alice/calls' },
};
for (const r of ROUTES.filter((r) => r.fn === 'calls')) {
  const path = r.path
    .replace('{link}', 'pbx')
    .replace('{user}', 'alice')
    .replace('{call}', 'c1')
    .replace('{agent}', 'alice')
    .replace('{queue}', 'sales')
    .replace('{type}', 'always');
  probes[r.operationId] = {
    path: () => path,
    ...(r.body ? { body: () => callBodies[r.operationId] ?? {} } : {}),
    expect: [404],
  };
}

describe('tenant isolation', () => {
  it('has a probe for every tenant route of the manifest', () => {
    const tenantRoutes = ROUTES.filter((r) => r.auth === 'tenant').map((r) => r.operationId);
    expect(Object.keys(probes).sort()).toEqual(tenantRoutes.sort());
  });

  for (const route of ROUTES.filter((r) => r.auth === 'tenant')) {
    it(`${route.method} ${route.path}: a foreign key cannot see or touch acme's items`, async () => {
      const probe = probes[route.operationId]!;
      const before = await snapshot();
      const res = await evil.client.raw(route.method, probe.path(), probe.body?.());
      expect(probe.expect).toContain(res.status);
      // `instance` echoes the caller's own request path; everything else must be free of acme's data.
      const { instance: _own, ...rest } = (typeof res.body === 'object' && res.body) || {};
      const text = JSON.stringify(rest);
      for (const id of Object.values(ids)) expect(text).not.toContain(id);
      expect(text).not.toContain('alice');
      expect(text).not.toContain('"acme"');
      if (res.status === 200 && Array.isArray(res.body.items)) {
        for (const item of res.body.items) expect(JSON.stringify(item)).not.toContain('acme');
      }
      expect(await snapshot()).toBe(before);
      await probe.after?.();
    });
  }

  it('the admin key does not act on tenant routes outside local mode', async () => {
    // Local mode maps the admin key to the tenant "default", never to acme.
    const res = await (await import('../support/stack.js')).api(stack, stack.adminKey).get('/v1/links/pbx');
    expect(res.status).toBe(404);
  });
});
