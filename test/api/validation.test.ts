import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, newTenant, testStack } from '../support/stack.js';
import { VENDOR_IDS } from '../../vendors/index.js';

let stack: LocalStack;
let acme: Awaited<ReturnType<typeof newTenant>>;
let other: Awaited<ReturnType<typeof newTenant>>;
let otherChannel: string;
const LINK = {
  id: 'pbx',
  vendor: 'broadworks-cti',
  endpoint: 'tcp://127.0.0.1:9',
  credentials: { username: 'u', password: 'p' },
};

async function itemCount(): Promise<number> {
  const res = await stack.deps.db.doc.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' }));
  return res.Count ?? 0;
}

/** Sends a bad request and checks: 4xx problem+json naming the field, and nothing written. */
async function expectProblem(
  send: () => Promise<{ status: number; headers: Headers; body: any }>,
  status: number,
  field?: string,
) {
  const before = await itemCount();
  const res = await send();
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  expect(await itemCount()).toBe(before);
  return res.body;
}

beforeAll(async () => {
  stack = await testStack();
  acme = await newTenant(stack, 'acme');
  other = await newTenant(stack, 'other');
  expect((await acme.client.post('/v1/links', LINK)).status).toBe(201);
  expect((await other.client.post('/v1/links', { ...LINK, id: 'theirs' })).status).toBe(201);
  otherChannel = (await other.client.post('/v1/channels', { type: 'websocket' })).body.id;
});
afterAll(async () => stack?.stop());

describe('bad input gets a problem and writes nothing', () => {
  it('malformed JSON', async () => {
    const p = await expectProblem(() => acme.client.raw('POST', '/v1/links', '{"id": "x",'), 400, 'body');
    expect(p.type).toBe('urn:cti-bridge:problem:malformed-json');
  });

  it('unknown vendor', async () => {
    await expectProblem(
      () => acme.client.post('/v1/links', { ...LINK, id: 'x', vendor: 'asterisk-ami' }),
      400,
      'vendor',
    );
  });

  it('a vendor with no driver registered, naming the supported ones', async () => {
    const p = await expectProblem(
      () => acme.client.post('/v1/links', { ...LINK, id: 'x', vendor: 'genesys-tserver' }),
      400,
      'vendor',
    );
    const detail = p.errors.find((e: { field: string }) => e.field === 'vendor').detail as string;
    for (const id of VENDOR_IDS) expect(detail).toContain(id);
  });

  it('endpoint scheme that does not fit the vendor', async () => {
    await expectProblem(
      () => acme.client.post('/v1/links', { ...LINK, id: 'x', endpoint: 'ws://pbx:1' }),
      400,
      'endpoint',
    );
  });

  it('unknown fields are rejected', async () => {
    await expectProblem(() => acme.client.post('/v1/links', { ...LINK, id: 'x', colour: 'red' }), 400);
    await expectProblem(
      () => acme.client.post('/v1/links', { ...LINK, id: 'x', options: { bogus: true } }),
      400,
      'options',
    );
  });

  it('ttlSeconds out of range', async () => {
    await expectProblem(
      () => acme.client.post('/v1/sessions', { link: 'pbx', user: 'u', ttlSeconds: 5 }),
      400,
      'ttlSeconds',
    );
    await expectProblem(
      () => acme.client.post('/v1/sessions', { link: 'pbx', user: 'u', ttlSeconds: 86_401 }),
      400,
      'ttlSeconds',
    );
    await expectProblem(
      () => acme.client.post('/v1/channels', { type: 'websocket', ttlSeconds: 59 }),
      400,
      'ttlSeconds',
    );
    await expectProblem(
      () => acme.client.post('/v1/channels', { type: 'websocket', ttlSeconds: 1.5 }),
      400,
      'ttlSeconds',
    );
  });

  it('webhook URL that is not http(s)', async () => {
    const p = await expectProblem(
      () => acme.client.post('/v1/channels', { type: 'webhook', url: 'ftp://example.com/x' }),
      400,
      'url',
    );
    expect(p.errors[0].pointer).toBe('#/url');
    await expectProblem(
      () => acme.client.post('/v1/channels', { type: 'webhook', url: 'not a url' }),
      400,
      'url',
    );
  });

  it('webhook secret that is not a whsec_ secret', async () => {
    await expectProblem(
      () =>
        acme.client.post('/v1/channels', {
          type: 'webhook',
          url: 'https://example.com/x',
          secret: 'hunter2',
        }),
      400,
      'secret',
    );
  });

  it('subscription to a channel or a link of another tenant', async () => {
    const mine = (await acme.client.post('/v1/channels', { type: 'websocket' })).body.id;
    await expectProblem(
      () =>
        acme.client.post('/v1/subscriptions', {
          channel: otherChannel,
          link: 'pbx',
          target: { type: 'system' },
          events: ['call'],
        }),
      422,
      'channel',
    );
    await expectProblem(
      () =>
        acme.client.post('/v1/subscriptions', {
          channel: mine,
          link: 'theirs',
          target: { type: 'system' },
          events: ['call'],
        }),
      422,
      'link',
    );
  });

  it('subscription target and events are checked', async () => {
    const mine = (await acme.client.post('/v1/channels', { type: 'websocket' })).body.id;
    const base = { channel: mine, link: 'pbx', events: ['call'] };
    await expectProblem(
      () => acme.client.post('/v1/subscriptions', { ...base, target: { type: 'user' } }),
      400,
      'target.id',
    );
    await expectProblem(
      () => acme.client.post('/v1/subscriptions', { ...base, target: { type: 'planet', id: 'x' } }),
      400,
      'target.type',
    );
    await expectProblem(
      () => acme.client.post('/v1/subscriptions', { ...base, target: { type: 'system' }, events: ['calls'] }),
      400,
      'events.0',
    );
  });

  it('bad query parameters', async () => {
    await expectProblem(() => acme.client.get('/v1/links?limit=0'), 400, 'limit');
    await expectProblem(() => acme.client.get('/v1/links?cursor=garbage'), 400, 'cursor');
    await expectProblem(() => acme.client.get('/v1/events?link=pbx&after=-1'), 400, 'after');
    await expectProblem(() => acme.client.get('/v1/links?sort=asc'), 400);
  });

  it('missing or wrong key is 401; a tenant key on an admin route is 403', async () => {
    const anon = await expectProblem(() => api(stack).get('/v1/links'), 401);
    expect(anon.detail).toMatch(/missing/);
    await expectProblem(() => api(stack, 'cbk_nope_nope').get('/v1/links'), 401);
    await expectProblem(() => api(stack, stack.adminKey + 'x').post('/v1/tenants', { id: 'zz' }), 401);
    await expectProblem(() => acme.client.post('/v1/tenants', { id: 'zz' }), 403);
    await expectProblem(() => acme.client.get('/v1/tenants'), 403);
    await expectProblem(() => acme.client.post('/v1/tenants/acme/keys', {}), 403);
  });

  it('a wrong content type is 415', async () => {
    await expectProblem(
      () => acme.client.raw('POST', '/v1/channels', '{"type":"websocket"}', { 'content-type': 'text/plain' }),
      415,
    );
  });
});
