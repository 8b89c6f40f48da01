/**
 * Per-user sessions through the driver seam, with real sockets and DynamoDB Local: the API's
 * `/v1/sessions` reaches the connector that owns the link (command endpoint), whose driver logs users
 * in and out; the record shows the outcome.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startConnector, type Connector } from '../../connector/connector.js';
import type { LocalStack } from '../../local/stack.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import { sessionSecrets } from '../../shared/secrets/sessions.js';
import { manifestOf } from '../../vendors/index.js';
import type { VendorManifest } from '../../vendors/manifest.js';
import { newTenant, testStack, until } from '../support/stack.js';
import { TestVendor } from './test-driver.js';

type Tenant = Awaited<ReturnType<typeof newTenant>>;

const vendor = new TestVendor();
const noSessions = new TestVendor({ sessions: false });
let offsetMs = 0;
let stack: LocalStack;
let t: Tenant;

async function linkUp(stk: LocalStack, tenant: string, link: string, connector = stk.connector!) {
  await connector.reconcile();
  await until(
    async () => connector.runner(tenant, link)?.state,
    (s) => s === 'up',
  );
}

beforeAll(async () => {
  stack = await testStack({
    now: () => new Date(Date.now() + offsetMs),
    connector: {
      drivers: { 'broadworks-cti': vendor.factory, 'avaya-mtcti3': noSessions.factory },
      reconcileMs: 100,
      sessionReconcileMs: 100,
      backoff: { baseMs: 20, maxMs: 50 },
    },
  });
  t = await newTenant(stack);
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
    await linkUp(stack, t.id, id);
  }
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(() => {
  offsetMs = 0;
  vendor.refuse.clear();
});

const isLogin = (user: string) => (s: { kind: string; login?: { user: string } }) =>
  s.kind === 'login' && s.login?.user === user;

describe('sessions through the driver seam', () => {
  it('login accepted: 201 active, the driver got the session', async () => {
    const res = await t.client.post('/v1/sessions', { link: 'pbx', user: 'alice', ttlSeconds: 600 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ link: 'pbx', user: 'alice', state: 'active', reason: null });
    expect(res.headers.get('location')).toBe(`/v1/sessions/${res.body.id}`);
    const login = vendor.seen.find(isLogin('alice'));
    expect(login).toMatchObject({ link: `${t.id}/pbx`, login: { session: res.body.id, credentials: {} } });
    expect((await t.client.get(`/v1/sessions/${res.body.id}`)).body.state).toBe('active');
  });

  it('login refused: the problem names the vendor cause and the session shows failed', async () => {
    vendor.refuse.set('mallory', 'IncorrectPassword');
    const res = await t.client.post('/v1/sessions', { link: 'pbx', user: 'mallory' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'urn:cti-bridge:problem:session-refused',
      reason: 'IncorrectPassword',
      vendor: 'broadworks-cti',
    });
    expect(res.body.detail).toContain('IncorrectPassword');
    const got = await t.client.get(res.body.session.location);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ user: 'mallory', state: 'failed', reason: 'IncorrectPassword' });
  });

  it('a vendor without per-user login refuses the session (501 naming the vendor), keeping nothing', async () => {
    const res = await t.client.post('/v1/sessions', { link: 'ipo', user: 'alice' });
    expect(res.status).toBe(501);
    expect(res.body).toMatchObject({
      type: 'urn:cti-bridge:problem:sessions-not-supported',
      vendor: 'avaya-mtcti3',
    });
    expect(res.body.detail).toContain('avaya-mtcti3');
    const withLogin = await t.client.post('/v1/sessions', {
      link: 'ipo',
      user: 'alice',
      credentials: { pin: '1' },
    });
    expect(withLogin.status).toBe(501);
    const all = (await t.client.get('/v1/sessions')).body.items as { link: string }[];
    expect(all.filter((s) => s.link === 'ipo')).toEqual([]);
  });

  it('credentials: checked against the manifest, stored per session, never returned, given to the driver', async () => {
    const manifest = manifestOf('broadworks-cti') as { sessions?: VendorManifest['sessions'] };
    manifest.sessions = { credentials: z.strictObject({ pin: z.string().regex(/^\d{4}$/) }) };
    try {
      const bad = await t.client.post('/v1/sessions', {
        link: 'pbx',
        user: 'carol',
        credentials: { pin: 'x' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('credentials.pin');
      // the connector's session reconcile runs while the API stores the credentials: it must not find a
      // session whose credentials are not there yet (it would log carol in without her pin)
      const store = stack.deps.secrets;
      const put = store.put.bind(store);
      store.put = async (...args) => {
        await stack.connector!.sessions.reconcile();
        return put(...args);
      };
      let ok;
      try {
        ok = await t.client.post('/v1/sessions', {
          link: 'pbx',
          user: 'carol',
          credentials: { pin: '4711' },
        });
      } finally {
        store.put = put;
      }
      expect(vendor.seen.filter(isLogin('carol'))).toHaveLength(1);
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(JSON.stringify(ok.body)).not.toContain('4711');
      expect(JSON.stringify((await t.client.get(`/v1/sessions/${ok.body.id}`)).body)).not.toContain('4711');
      expect(vendor.seen.find(isLogin('carol'))).toMatchObject({ login: { credentials: { pin: '4711' } } });
      const secrets = sessionSecrets(stack.deps.secrets);
      expect(await secrets.get(t.id, ok.body.id)).toEqual({ pin: '4711' });
      const item = await stack.deps.repos.sessions.read(t.id, ok.body.id);
      expect(JSON.stringify(item)).not.toContain('4711');
      expect((await t.client.del(`/v1/sessions/${ok.body.id}`)).status).toBe(204);
      expect(await secrets.get(t.id, ok.body.id)).toEqual({});
    } finally {
      delete manifest.sessions;
    }
  });

  it('delete: the driver logs the user out, the session is gone', async () => {
    const res = await t.client.post('/v1/sessions', { link: 'pbx', user: 'dave' });
    expect(res.body.state).toBe('active');
    expect((await t.client.del(`/v1/sessions/${res.body.id}`)).status).toBe(204);
    expect(vendor.seen).toContainEqual(
      expect.objectContaining({ kind: 'logout', user: 'dave', session: res.body.id }),
    );
    expect((await t.client.get(`/v1/sessions/${res.body.id}`)).status).toBe(404);
    expect(await stack.deps.repos.sessions.read(t.id, res.body.id)).toBeNull();
  });

  it('deleting the link removes its sessions and their credentials', async () => {
    const manifest = manifestOf('broadworks-cti') as { sessions?: VendorManifest['sessions'] };
    manifest.sessions = { credentials: z.strictObject({ pin: z.string() }) };
    try {
      const link = await t.client.post('/v1/links', {
        id: 'gone',
        vendor: 'broadworks-cti',
        endpoint: 'tcp://127.0.0.1:9',
        credentials: { username: 'u', password: 'p' },
      });
      expect(link.status).toBe(201);
      await linkUp(stack, t.id, 'gone');
      const res = await t.client.post('/v1/sessions', {
        link: 'gone',
        user: 'frank',
        credentials: { pin: '1234' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const secrets = sessionSecrets(stack.deps.secrets);
      expect(await secrets.get(t.id, res.body.id)).toEqual({ pin: '1234' });
      expect((await t.client.del('/v1/links/gone')).status).toBe(204);
      expect((await t.client.get(`/v1/sessions/${res.body.id}`)).status).toBe(404);
      expect(await stack.deps.repos.sessions.read(t.id, res.body.id)).toBeNull();
      expect(await secrets.get(t.id, res.body.id)).toEqual({});
    } finally {
      delete manifest.sessions;
    }
  });

  it('the vendor ends a session: ended with its reason, and a session.ended event for the user', async () => {
    const res = await t.client.post('/v1/sessions', { link: 'pbx', user: 'erin' });
    expect(res.body.state).toBe('active');
    vendor.endSession(`${t.id}/pbx`, 'erin', 'ForcedLogout', {
      detail: 'logged in elsewhere',
      vendorEvent: 'Bye',
    });
    const got = await until(
      () => t.client.get(`/v1/sessions/${res.body.id}`),
      (r) => r.body.state !== 'active',
    );
    expect(got.body).toMatchObject({ state: 'ended', reason: 'ForcedLogout' });
    const events = await until(
      async () => (await t.client.get('/v1/events?link=pbx&limit=500')).body.items as BridgeEvent[],
      (items) => items.some((e) => e.type === 'session.ended' && e.target.id === 'erin'),
    );
    expect(events.find((e) => e.type === 'session.ended' && e.target.id === 'erin')).toMatchObject({
      target: { type: 'user', id: 'erin' },
      data: { state: 'ended', reason: 'ForcedLogout', detail: 'logged in elsewhere' },
      vendor: { name: 'broadworks-cti', event: 'Bye' },
    });
  });

  it('after a reconnect every session still wanted logs in again', async () => {
    const wanted = await t.client.post('/v1/sessions', { link: 'pbx', user: 'frank' });
    expect(wanted.body.state).toBe('active');
    vendor.refuse.set('grace', 'UserLocked');
    const failed = await t.client.post('/v1/sessions', { link: 'pbx', user: 'grace' });
    expect(failed.status).toBe(422);
    const before = { frank: vendor.count(isLogin('frank')), grace: vendor.count(isLogin('grace')) };
    const connects = vendor.count((s) => s.kind === 'connect' && s.link === `${t.id}/pbx`);

    vendor.drop(`${t.id}/pbx`);
    await vendor.until(
      (s) =>
        s.kind === 'connect' &&
        s.link === `${t.id}/pbx` &&
        vendor.count((x) => x.kind === 'connect' && x.link === s.link) > connects,
      'reconnect',
    );
    await vendor.until(() => vendor.count(isLogin('frank')) > before.frank, 'frank logs in again');
    const got = await until(
      () => t.client.get(`/v1/sessions/${wanted.body.id}`),
      (r) => r.body.state === 'active' && r.body.stateAt !== wanted.body.stateAt,
    );
    expect(got.body.reason).toBeNull();
    expect(vendor.count(isLogin('grace'))).toBe(before.grace); // failed: not wanted until refreshed
  });

  it('refresh logs a failed session in again', async () => {
    vendor.refuse.set('heidi', 'IncorrectPassword');
    const failed = await t.client.post('/v1/sessions', { link: 'pbx', user: 'heidi' });
    expect(failed.status).toBe(422);
    vendor.refuse.delete('heidi');
    const refreshed = await t.client.post(`/v1/sessions/${failed.body.session.id}/refresh`, {});
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ state: 'active', reason: null });
  });

  it('expiry: the reconcile logs the user out and ends the session', async () => {
    const res = await t.client.post('/v1/sessions', { link: 'pbx', user: 'ivan', ttlSeconds: 60 });
    expect(res.body.state).toBe('active');
    offsetMs = 61_000;
    await vendor.until(
      (s) => s.kind === 'logout' && s.user === 'ivan' && s.session === res.body.id,
      'logout at expiry',
    );
    const rec = await until(
      () => stack.deps.repos.sessions.read(t.id, res.body.id),
      (r) => r?.state === 'ended',
    );
    expect(rec).toMatchObject({ state: 'ended', reason: 'expired' });
    expect((await t.client.get(`/v1/sessions/${res.body.id}`)).status).toBe(404);
  });
});

describe('sessions without an owner', () => {
  let lone: LocalStack | undefined;
  let connector: Connector | undefined;
  afterAll(async () => {
    await connector?.stop();
    await lone?.stop();
  });

  it('stay logging-in, and the connector logs them in when it takes the link', async () => {
    lone = await testStack();
    const tenant = await newTenant(lone);
    await tenant.client.post('/v1/links', {
      id: 'pbx',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    });
    const res = await tenant.client.post('/v1/sessions', { link: 'pbx', user: 'judy' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'logging-in', reason: null });

    const late = new TestVendor();
    connector = await startConnector({
      deps: lone.deps,
      drivers: { 'broadworks-cti': late.factory },
      commandToken: lone.deps.config.connectorToken!,
      reconcileMs: 100,
      sessionReconcileMs: 100,
    });
    await late.until(isLogin('judy'), 'login once the link is owned');
    const got = await until(
      () => tenant.client.get(`/v1/sessions/${res.body.id}`),
      (r) => r.body.state === 'active',
    );
    expect(got.body.reason).toBeNull();
  });
});
