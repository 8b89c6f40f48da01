import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newTenant, testStack } from '../support/stack.js';
import type { LocalStack } from '../../local/stack.js';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

let stack: LocalStack;
let offsetMs = 0;
beforeAll(async () => {
  stack = await testStack({ now: () => new Date(Date.now() + offsetMs) });
});
afterAll(async () => stack?.stop());

describe('control API lifecycle against DynamoDB Local', () => {
  it('answers health without auth', async () => {
    const res = await api(stack).get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('walks tenant → key → link → session → channels → subscription → delete', async () => {
    const admin = api(stack, stack.adminKey);
    const t = await admin.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ id: 'acme', name: 'Acme Corp' });
    expect((await admin.post('/v1/tenants', { id: 'acme' })).status).toBe(409);
    const listed = await admin.get('/v1/tenants');
    expect(listed.body.items.map((x: { id: string }) => x.id)).toEqual(
      expect.arrayContaining(['acme', 'default']),
    );

    const k = await admin.post('/v1/tenants/acme/keys', { name: 'crm' });
    expect(k.status).toBe(201);
    expect(k.body.key).toMatch(/^cbk_/);
    const acme = api(stack, k.body.key);

    // Link: credentials are write-only and land in the 0600 secret file, never in the response.
    const link = await acme.post('/v1/links', {
      id: 'pbx1',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'very-secret' },
      options: { applicationId: 'crm' },
    });
    expect(link.status).toBe(201);
    expect(JSON.stringify(link.body)).not.toContain('very-secret');
    expect(link.body).toMatchObject({
      id: 'pbx1',
      vendor: 'broadworks-cti',
      status: 'connecting',
      lastError: null,
    });
    const secretsDir = (stack.deps.config.secrets as { dir: string }).dir;
    const file = join(secretsDir, 'acme', 'pbx1.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ username: 'u', password: 'very-secret' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const got = await acme.get('/v1/links/pbx1');
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain('very-secret');
    const patched = await acme.patch('/v1/links/pbx1', { endpoint: 'tls://pbx.example:8012' });
    expect(patched.status).toBe(200);
    expect(patched.body.endpoint).toBe('tls://pbx.example:8012');
    const badPatch = await acme.patch('/v1/links/pbx1', { endpoint: 'http://pbx.example' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors[0].field).toBe('endpoint');

    // Session
    const ses = await acme.post('/v1/sessions', { link: 'pbx1', user: 'alice@sim.example', ttlSeconds: 120 });
    expect(ses.status).toBe(201);
    expect(ses.body).toMatchObject({ link: 'pbx1', user: 'alice@sim.example', ttlSeconds: 120 });
    const refreshed = await acme.post(`/v1/sessions/${ses.body.id}/refresh`, { ttlSeconds: 600 });
    expect(refreshed.status).toBe(200);
    expect(Date.parse(refreshed.body.expiresAt)).toBeGreaterThan(Date.parse(ses.body.expiresAt));

    // Channels
    const ws = await acme.post('/v1/channels', { type: 'websocket' });
    expect(ws.status).toBe(201);
    expect(ws.body.url).toContain(stack.wsUrl);
    expect(new URL(ws.body.url).searchParams.get('token')).toBe(ws.body.token);
    const wsGet = await acme.get(`/v1/channels/${ws.body.id}`);
    expect(wsGet.body.connectionId).toBeNull();
    expect(wsGet.body.url).not.toContain('token=');
    const hook = await acme.post('/v1/channels', { type: 'webhook', url: 'http://127.0.0.1:9/hook' });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(hook.body.secret.slice(6), 'base64')).toHaveLength(24);
    expect((await acme.get(`/v1/channels/${hook.body.id}`)).body.secret).toBeUndefined();
    const extended = await acme.patch(`/v1/channels/${hook.body.id}`, { ttlSeconds: 7200 });
    expect(extended.status).toBe(200);
    expect(extended.body.ttlSeconds).toBe(7200);

    // Subscription
    const sub = await acme.post('/v1/subscriptions', {
      channel: hook.body.id,
      link: 'pbx1',
      target: { type: 'user', id: 'alice@sim.example' },
      events: ['call', 'service'],
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ channel: hook.body.id, link: 'pbx1', events: ['call', 'service'] });
    const byChannel = await acme.get(`/v1/subscriptions?channel=${hook.body.id}`);
    expect(byChannel.body.items.map((s: { id: string }) => s.id)).toEqual([sub.body.id]);
    const subPatch = await acme.patch(`/v1/subscriptions/${sub.body.id}`, { events: ['call'] });
    expect(subPatch.body.events).toEqual(['call']);

    // Deleting the channel ends its subscriptions.
    expect((await acme.del(`/v1/channels/${hook.body.id}`)).status).toBe(204);
    expect((await acme.get(`/v1/subscriptions/${sub.body.id}`)).status).toBe(404);
    expect((await acme.get(`/v1/channels/${hook.body.id}`)).status).toBe(404);

    // Sessions and links delete; link credentials go with the link.
    expect((await acme.del(`/v1/sessions/${ses.body.id}`)).status).toBe(204);
    expect((await acme.del('/v1/links/pbx1')).status).toBe(204);
    await expect(stat(file)).rejects.toThrow();
    expect((await acme.get('/v1/links/pbx1')).status).toBe(404);

    // Revoked keys stop working.
    expect((await admin.del(`/v1/tenants/acme/keys/${k.body.id}`)).status).toBe(204);
    const revoked = await acme.get('/v1/links');
    expect(revoked.status).toBe(401);
  });

  it('honours expiry on reads even before DynamoDB TTL deletes the item', async () => {
    const t = await newTenant(stack);
    await t.client.post('/v1/links', {
      id: 'l1',
      vendor: 'avaya-mtcti3',
      endpoint: 'wss://ipo.example/tpkt/openapi',
      credentials: { username: 'u', password: 'p' },
    });
    const ses = await t.client.post('/v1/sessions', { link: 'l1', user: 'u1', ttlSeconds: 60 });
    const ch = await t.client.post('/v1/channels', { type: 'websocket', ttlSeconds: 60 });
    const sub = await t.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: 'l1',
      target: { type: 'system' },
      events: ['link'],
      ttlSeconds: 60,
    });
    expect(sub.status).toBe(201);
    expect((await t.client.get(`/v1/sessions/${ses.body.id}`)).status).toBe(200);
    offsetMs = 61_000;
    try {
      expect((await t.client.get(`/v1/sessions/${ses.body.id}`)).status).toBe(404);
      expect((await t.client.get(`/v1/channels/${ch.body.id}`)).status).toBe(404);
      expect((await t.client.get(`/v1/subscriptions/${sub.body.id}`)).status).toBe(404);
      expect((await t.client.post(`/v1/sessions/${ses.body.id}/refresh`, {})).status).toBe(404);
      expect((await t.client.get('/v1/channels')).body.items).toEqual([]);
      expect((await t.client.get('/v1/sessions')).body.items).toEqual([]);
      // A subscription to an expired channel is refused.
      const late = await t.client.post('/v1/subscriptions', {
        channel: ch.body.id,
        link: 'l1',
        target: { type: 'system' },
        events: ['link'],
      });
      expect(late.status).toBe(422);
      expect(late.body.errors[0].field).toBe('channel');
    } finally {
      offsetMs = 0;
    }
  });

  it('paginates with an opaque cursor bound to its listing', async () => {
    const t = await newTenant(stack);
    for (let i = 0; i < 5; i++) await t.client.post('/v1/channels', { type: 'websocket' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.client.get(
        `/v1/channels?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(new Set(seen).size).toBe(5);
    expect(pages).toBeGreaterThanOrEqual(3);
    const first = await t.client.get('/v1/channels?limit=2');
    const foreign = await newTenant(stack);
    const stolen = await foreign.client.get(
      `/v1/channels?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(stolen.status).toBe(400);
    expect(stolen.body.errors[0].field).toBe('cursor');
  });
});
