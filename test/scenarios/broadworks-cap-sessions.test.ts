/**
 * CAP-C sessions end to end, as a newcomer meets them: `POST /v1/sessions` on a `broadworks-cap` link logs
 * the user in on the simulator's OCS (real sockets, the CAP front-end checking the MD5 digest), a wrong
 * password is refused with the vendor's cause, deleting the session sends `unRegister`, and a login of the
 * same user elsewhere ends the older session with `ForceLogoutD`, which the API and the event log show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { BroadWorksCapFrontEnd } from '../../vendors/broadworks-cap/simulator/server.js';
import { newTenant, testStack, until } from '../support/stack.js';

type Tenant = Awaited<ReturnType<typeof newTenant>>;

const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';
let stack: LocalStack;
let t: Tenant;
let ocs: BroadWorksCapFrontEnd;

beforeAll(async () => {
  stack = await testStack({
    simulator: true,
    connector: { reconcileMs: 100, sessionReconcileMs: 100, subscriptionPollMs: 50 },
  });
  ocs = stack.simulator!.frontEnd<BroadWorksCapFrontEnd>('broadworks-cap').frontEnd;
  t = await newTenant(stack);
  const link = await t.client.post('/v1/links', {
    id: 'cap',
    vendor: 'broadworks-cap',
    endpoint: stack.simulator!.frontEnd('broadworks-cap').url,
    options: { mode: 'cap-c', applicationId: 'crm' },
  });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  await stack.connector!.reconcile();
  await until(
    async () => stack.connector!.runner(t.id, 'cap')?.state,
    (s) => s === 'up',
  );
}, 60_000);
afterAll(async () => stack?.stop());

const password = () => stack.simulator!.credentials[0]!.password;

describe('broadworks-cap sessions through the API (CAP-C)', () => {
  it('rule 4: a wrong password is refused with the vendor cause; the session shows failed', async () => {
    const res = await t.client.post('/v1/sessions', {
      link: 'cap',
      user: BOB,
      credentials: { password: 'not-the-password' },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'urn:cti-bridge:problem:session-refused',
      reason: 'IncorrectPassword',
      vendor: 'broadworks-cap',
    });
    const got = await t.client.get(res.body.session.location);
    expect(got.body).toMatchObject({ user: BOB, state: 'failed', reason: 'IncorrectPassword' });
    expect(JSON.stringify(got.body)).not.toContain('not-the-password');
  });

  it('a subscription to a user without an active session is refused (409), accepted once one is active', async () => {
    const channel = await t.client.post('/v1/channels', { type: 'websocket' });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const sub = {
      channel: channel.body.id,
      link: 'cap',
      target: { type: 'user', id: BOB },
      events: ['call'],
    };
    const refused = await t.client.post('/v1/subscriptions', sub);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:cti-bridge:problem:session-required');

    const session = await t.client.post('/v1/sessions', {
      link: 'cap',
      user: BOB,
      credentials: { password: password() },
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    expect(session.body.state).toBe('active');
    expect((await t.client.post('/v1/subscriptions', sub)).status).toBe(201);
  });

  it('rule 11: deleting a session sends unRegister ClientLogout for the user', async () => {
    const session = await t.client.post('/v1/sessions', {
      link: 'cap',
      user: 'carol@sim.example',
      credentials: { password: password() },
    });
    expect(session.body.state).toBe('active');
    expect((await t.client.del(`/v1/sessions/${session.body.id}`)).status).toBe(204);
    await until(
      async () => ocs.received.filter((m) => m.type === 'unRegister' && m.user?.id === 'carol@sim.example'),
      (ms) => ms.length > 0,
    );
    const [bye] = ocs.received.filter((m) => m.type === 'unRegister' && m.user?.id === 'carol@sim.example');
    expect(bye).toMatchObject({ reason: 'ClientLogout', user: { applicationId: 'crm' } });
    await until(
      () => t.client.get(`/v1/sessions/${session.body.id}`),
      (r) => r.status === 404,
    );
  });

  it('rule 12: a login of the same user elsewhere ends the session with ForceLogoutD, shown by the API and the log', async () => {
    const session = await t.client.post('/v1/sessions', {
      link: 'cap',
      user: ALICE,
      credentials: { password: password() },
    });
    expect(session.body.state).toBe('active');
    // the same user logs in on another link (another tenant's desktop app) of the same OCS
    const other = await newTenant(stack);
    await other.client.post('/v1/links', {
      id: 'cap',
      vendor: 'broadworks-cap',
      endpoint: stack.simulator!.frontEnd('broadworks-cap').url,
      options: { mode: 'cap-c', applicationId: 'softphone' },
    });
    await stack.connector!.reconcile();
    await until(
      async () => stack.connector!.runner(other.id, 'cap')?.state,
      (s) => s === 'up',
    );
    const elsewhere = await other.client.post('/v1/sessions', {
      link: 'cap',
      user: ALICE,
      credentials: { password: password() },
    });
    expect(elsewhere.body.state).toBe('active');

    const ended = await until(
      () => t.client.get(`/v1/sessions/${session.body.id}`),
      (r) => r.body.state !== 'active',
    );
    expect(ended.body).toMatchObject({ state: 'ended', reason: 'ForceLogoutD' });
    const events = await until(
      async () => (await t.client.get('/v1/events?link=cap&limit=500')).body.items as BridgeEvent[],
      (items) => items.some((e) => e.type === 'session.ended'),
    );
    expect(events.find((e) => e.type === 'session.ended')).toMatchObject({
      target: { type: 'user', id: ALICE },
      data: {
        state: 'ended',
        reason: 'ForceLogoutD',
        detail: 'the user logged in again on another terminal',
      },
      vendor: { name: 'broadworks-cap', event: 'unRegister' },
    });
    // the newer login keeps its session
    expect((await other.client.get(`/v1/sessions/${elsewhere.body.id}`)).body.state).toBe('active');
  });
});
