/**
 * Queue control, disposition codes and the session rule of user subscriptions, through the API, the
 * real connector (command endpoint) and a test driver, on DynamoDB Local:
 *
 * - the queue routes reach the driver as the contract's commands and answer what it answers;
 * - a driver that cannot do them answers 501 naming the link's vendor;
 * - bad bodies, queries and paths are 400 naming the field, and reach no driver;
 * - a user subscription on a link whose vendor needs a session is refused (409) until the user has an
 *   `active` one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LocalStack } from '../../local/stack.js';
import type { CallCommand, QueuedCall } from '../../shared/commands/contract.js';
import { NotSupportedError, VendorError } from '../../shared/commands/errors.js';
import { manifestOf } from '../../vendors/index.js';
import type { VendorManifest } from '../../vendors/manifest.js';
import { TestVendor } from '../connector/test-driver.js';
import { newTenant, testStack, until, type ApiResponse } from '../support/stack.js';

type Tenant = Awaited<ReturnType<typeof newTenant>>;

/** One vendor queue `sales` (tenant/link → calls in queue order), kept by the driver. */
const queues = new Map<string, QueuedCall[]>();
const queueOf = (link: string, queue: string): QueuedCall[] => {
  if (queue !== 'sales')
    throw new VendorError(404, `no queue ${queue}`, { name: 'broadworks-cti', code: '110203' });
  const key = `${link}/${queue}`;
  if (!queues.has(key))
    queues.set(key, [
      { id: 'q1', position: 1, from: '+15550101', fromName: 'Ann', enteredAt: '2024-05-01T10:00:00.000Z' },
      { id: 'q2', position: 2, from: '+15550102', priority: 2 },
      { id: 'q3', position: 3, from: '+15550103', dnis: '+15550000', dnisName: 'Sales line' },
    ]);
  return queues.get(key)!;
};
const renumber = (calls: QueuedCall[]) => calls.forEach((c, i) => (c.position = i + 1));
const take = (calls: QueuedCall[], id: string): QueuedCall => {
  const i = calls.findIndex((c) => c.id === id);
  if (i < 0) throw new VendorError(404, `no queued call ${id}`, { name: 'broadworks-cti', code: '100003' });
  return calls.splice(i, 1)[0]!;
};

/** A vendor that can do queue control and disposition codes (and logs users in). */
const capable = new TestVendor({
  callbacks: false,
  execute: async (command: CallCommand, link: string) => {
    switch (command.kind) {
      case 'listQueueCalls':
        // answered out of order on purpose: the API lists them in queue order
        return { calls: [...queueOf(link, command.queue)].reverse().map((c) => ({ ...c })) };
      case 'reorderQueueCall': {
        const calls = queueOf(link, command.queue);
        const call = take(calls, command.call);
        calls.splice(Math.min(command.position, calls.length + 1) - 1, 0, call);
        renumber(calls);
        return {};
      }
      case 'promoteQueueCall': {
        const calls = queueOf(link, command.queue);
        const call = take(calls, command.call);
        call.priority = 0;
        calls.unshift(call);
        renumber(calls);
        return {};
      }
      case 'removeQueueCall': {
        const calls = queueOf(link, command.queue);
        take(calls, command.call);
        renumber(calls);
        return {};
      }
      case 'tagDisposition':
        return {};
      default:
        throw new NotSupportedError('broadworks-cti', command.kind);
    }
  },
});
/** A vendor that can do none of it (no `execute`: every command is not supported). */
const incapable = new TestVendor({ sessions: false, callbacks: false });

let stack: LocalStack;
let t: Tenant;
const Q = '/v1/links/pbx/queues/sales/calls';

async function linkUp(id: string) {
  await stack.connector!.reconcile();
  await until(
    async () => stack.connector!.runner(t.id, id)?.state,
    (s) => s === 'up',
  );
}

async function createLink(id: string, vendor: 'broadworks-cti' | 'avaya-mtcti3', options?: object) {
  const res = await t.client.post('/v1/links', {
    id,
    vendor,
    endpoint: vendor === 'broadworks-cti' ? 'tcp://127.0.0.1:9' : 'wss://ipo.example/tpkt/openapi',
    credentials: { username: 'u', password: 'p' },
    ...(options ? { options } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await linkUp(id);
}

/** The commands the capable driver saw on `link` of this tenant. */
const commandsOn = (link: string): CallCommand[] =>
  capable.seen.flatMap((s) => (s.kind === 'command' && s.link === `${t.id}/${link}` ? [s.command] : []));

beforeAll(async () => {
  stack = await testStack({
    connector: {
      drivers: { 'broadworks-cti': capable.factory, 'avaya-mtcti3': incapable.factory },
      reconcileMs: 100,
      sessionReconcileMs: 100,
      backoff: { baseMs: 20, maxMs: 50 },
    },
  });
  t = await newTenant(stack);
  await createLink('pbx', 'broadworks-cti');
  await createLink('ipo', 'avaya-mtcti3');
});
afterAll(async () => {
  await stack?.stop();
});

describe('queue control', () => {
  it('lists the calls of a queue in queue order, live and without a cursor', async () => {
    const res = await t.client.get(Q);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      items: [
        { id: 'q1', position: 1, from: '+15550101', fromName: 'Ann', enteredAt: '2024-05-01T10:00:00.000Z' },
        { id: 'q2', position: 2, from: '+15550102', priority: 2 },
        { id: 'q3', position: 3, from: '+15550103', dnis: '+15550000', dnisName: 'Sales line' },
      ],
    });
    expect(commandsOn('pbx')).toContainEqual({ kind: 'listQueueCalls', queue: 'sales' });
  });

  it('reorders, promotes and removes (optionally transferring) a queued call', async () => {
    const reorder = await t.client.post(`${Q}/q3/reorder`, { position: 1 });
    expect(reorder.status, JSON.stringify(reorder.body)).toBe(204);
    expect(commandsOn('pbx')).toContainEqual({
      kind: 'reorderQueueCall',
      queue: 'sales',
      call: 'q3',
      position: 1,
    });
    expect((await t.client.get(Q)).body.items.map((c: QueuedCall) => c.id)).toEqual(['q3', 'q1', 'q2']);

    const promote = await t.client.post(`${Q}/q2/promote`);
    expect(promote.status).toBe(204);
    expect(commandsOn('pbx')).toContainEqual({ kind: 'promoteQueueCall', queue: 'sales', call: 'q2' });
    expect((await t.client.get(Q)).body.items[0]).toMatchObject({ id: 'q2', position: 1, priority: 0 });

    const transfer = await t.client.del(`${Q}/q1?to=%2B15550199`);
    expect(transfer.status, JSON.stringify(transfer.body)).toBe(204);
    expect(commandsOn('pbx')).toContainEqual({
      kind: 'removeQueueCall',
      queue: 'sales',
      call: 'q1',
      to: '+15550199',
    });
    const remove = await t.client.del(`${Q}/q3`);
    expect(remove.status).toBe(204);
    // without `to` the command carries none (not even `to: undefined` that a driver could misread)
    expect(commandsOn('pbx').at(-1)).toEqual({ kind: 'removeQueueCall', queue: 'sales', call: 'q3' });
    expect((await t.client.get(Q)).body.items).toEqual([
      { id: 'q2', position: 1, from: '+15550102', priority: 0 },
    ]);
  });

  it("keeps the vendor's refusal (its status and code) in the problem", async () => {
    const res = await t.client.post(`${Q}/nope/promote`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'urn:cti-bridge:problem:vendor-error',
      vendor: { name: 'broadworks-cti', code: '100003' },
    });
  });

  it('answers 501 naming the vendor when the driver cannot do it', async () => {
    const I = '/v1/links/ipo/queues/sales/calls';
    const attempts = [
      () => t.client.get(I),
      () => t.client.post(`${I}/q1/reorder`, { position: 2 }),
      () => t.client.post(`${I}/q1/promote`),
      () => t.client.del(`${I}/q1?to=1004`),
      () => t.client.post('/v1/links/ipo/users/alice/calls/c1/disposition', { code: 'SALE' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.status, JSON.stringify(res.body)).toBe(501);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        type: 'urn:cti-bridge:problem:not-supported-by-vendor',
        status: 501,
        vendor: 'avaya-mtcti3',
      });
      expect(res.body.detail).toContain('avaya-mtcti3');
    }
    const kinds = incapable.seen.flatMap((s) => (s.kind === 'command' ? [s.command.kind] : []));
    expect(kinds).toEqual([
      'listQueueCalls',
      'reorderQueueCall',
      'promoteQueueCall',
      'removeQueueCall',
      'tagDisposition',
    ]);
  });

  it('refuses bad bodies, queries and paths with 400 naming the field, before any driver', async () => {
    const before = capable.seen.length;
    const cases: [() => Promise<ApiResponse>, string, string][] = [
      [() => t.client.post(`${Q}/q2/reorder`, { position: 0 }), 'position', '#/position'],
      [() => t.client.post(`${Q}/q2/reorder`, { position: 1.5 }), 'position', '#/position'],
      [() => t.client.post(`${Q}/q2/reorder`, { position: '2' }), 'position', '#/position'],
      [() => t.client.post(`${Q}/q2/reorder`, {}), 'position', '#/position'],
      [() => t.client.post(`${Q}/q2/reorder`, { position: 2, priority: 1 }), 'body', '#/'],
      [() => t.client.del(`${Q}/q2?to=not%20a%20number`), 'to', '#/query/to'],
      [() => t.client.del(`${Q}/q2?destination=1004`), 'query', '#/query/'],
      [() => t.client.get(`/v1/links/pbx/queues/${'x'.repeat(257)}/calls`), 'queue', '#/path/queue'],
      [() => t.client.get('/v1/links/Not_A_Slug/queues/sales/calls'), 'link', '#/path/link'],
      [() => t.client.post('/v1/links/pbx/users/alice/calls/c1/disposition', {}), 'code', '#/code'],
      [() => t.client.post('/v1/links/pbx/users/alice/calls/c1/disposition', { code: '' }), 'code', '#/code'],
      [
        () => t.client.post('/v1/links/pbx/users/alice/calls/c1/disposition', { code: 'a\nb' }),
        'code',
        '#/code',
      ],
    ];
    for (const [send, field, pointer] of cases) {
      const res = await send();
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.type).toBe('urn:cti-bridge:problem:validation');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    expect(capable.seen.length).toBe(before);
  });
});

describe('disposition codes', () => {
  it("tags a user's call with a code", async () => {
    const res = await t.client.post('/v1/links/pbx/users/alice@sim.example/calls/c7/disposition', {
      code: 'Sale closed',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(commandsOn('pbx').at(-1)).toEqual({
      kind: 'tagDisposition',
      user: 'alice@sim.example',
      call: 'c7',
      code: 'Sale closed',
    });
  });
});

describe('subscriptions to a user on a link that needs a session', () => {
  /** Runs `fn` with broadworks-cti's manifest declaring `requiredForUserTargets` as `rule`. */
  async function withRule(
    rule: ((o: Record<string, unknown>) => boolean) | undefined,
    fn: () => Promise<void>,
  ) {
    const manifest = manifestOf('broadworks-cti') as { sessions?: VendorManifest['sessions'] };
    manifest.sessions = {
      credentials: z.strictObject({}),
      ...(rule ? { requiredForUserTargets: rule } : {}),
    };
    try {
      await fn();
    } finally {
      delete manifest.sessions;
    }
  }
  // Links created with applicationId "trusted" get every user's events without a login.
  const rule = (o: Record<string, unknown>) => o.applicationId !== 'trusted';

  let channel: string;
  beforeAll(async () => {
    channel = (await t.client.post('/v1/channels', { type: 'websocket' })).body.id;
  });
  const subscribe = (target: { type: string; id?: string }, link = 'pbx') =>
    t.client.post('/v1/subscriptions', { channel, link, target, events: ['call'] });

  it('refuses a user without a session (409 session-required, saying how to open one), keeping nothing', async () =>
    withRule(rule, async () => {
      const res = await subscribe({ type: 'user', id: 'alice' });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        type: 'urn:cti-bridge:problem:session-required',
        title: 'Session Required',
        status: 409,
        vendor: 'broadworks-cti',
        link: 'pbx',
        user: 'alice',
        errors: [{ pointer: '#/target/id', field: 'target.id' }],
      });
      expect(res.body.session).toBeUndefined();
      expect(res.body.detail).toContain('no active session on link pbx');
      expect(res.body.detail).toContain('POST /v1/sessions');
      const listed = await t.client.get(`/v1/subscriptions?channel=${channel}`);
      expect(listed.body.items).toEqual([]);
    }));

  it('accepts non-user targets without any session', async () =>
    withRule(rule, async () => {
      for (const target of [{ type: 'system' }, { type: 'queue', id: 'sales' }, { type: 'group' }]) {
        const res = await subscribe(target);
        expect(res.status, `${JSON.stringify(target)}: ${JSON.stringify(res.body)}`).toBe(201);
      }
    }));

  it('refuses while the session is not active (a failed one is named), accepts once it is', async () =>
    withRule(rule, async () => {
      capable.refuse.set('bob', 'IncorrectPassword');
      const failed = await t.client.post('/v1/sessions', { link: 'pbx', user: 'bob' });
      expect(failed.status).toBe(422);
      const refused = await subscribe({ type: 'user', id: 'bob' });
      expect(refused.status).toBe(409);
      expect(refused.body.session).toEqual({
        id: failed.body.session.id,
        state: 'failed',
        location: `/v1/sessions/${failed.body.session.id}`,
      });
      expect(refused.body.detail).toContain(`session ${failed.body.session.id} is failed`);

      capable.refuse.delete('bob');
      const again = await t.client.post(`/v1/sessions/${failed.body.session.id}/refresh`, {});
      expect(again.body.state).toBe('active');
      const ok = await subscribe({ type: 'user', id: 'bob' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(ok.body.target).toEqual({ type: 'user', id: 'bob' });
    }));

  it('an active session of the user on another link, or of another user, does not count', async () =>
    withRule(rule, async () => {
      await createLink('pbx2', 'broadworks-cti');
      const carol = await t.client.post('/v1/sessions', { link: 'pbx2', user: 'carol' });
      expect(carol.body.state).toBe('active');
      const dave = await t.client.post('/v1/sessions', { link: 'pbx', user: 'dave' });
      expect(dave.body.state).toBe('active');
      expect((await subscribe({ type: 'user', id: 'carol' })).status).toBe(409);
      expect((await subscribe({ type: 'user', id: 'carol' }, 'pbx2')).status).toBe(201);
    }));

  it('a session that ends later leaves the subscription in place; new ones are refused again', async () =>
    withRule(rule, async () => {
      const s = await t.client.post('/v1/sessions', { link: 'pbx', user: 'erin' });
      expect(s.body.state).toBe('active');
      const sub = await subscribe({ type: 'user', id: 'erin' });
      expect(sub.status).toBe(201);
      capable.endSession(`${t.id}/pbx`, 'erin', 'ForcedLogout');
      await until(
        () => t.client.get(`/v1/sessions/${s.body.id}`),
        (r) => r.body.state === 'ended',
      );
      expect((await t.client.get(`/v1/subscriptions/${sub.body.id}`)).status).toBe(200);
      const again = await subscribe({ type: 'user', id: 'erin' });
      expect(again.status).toBe(409);
      expect(again.body.session).toMatchObject({ id: s.body.id, state: 'ended' });
    }));

  it("is not applied when the manifest says the link's options do not need it", async () =>
    withRule(rule, async () => {
      await createLink('trusted', 'broadworks-cti', { applicationId: 'trusted' });
      const res = await subscribe({ type: 'user', id: 'frank' }, 'trusted');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }));

  it('is not applied for vendors whose manifest declares no rule', async () => {
    await withRule(undefined, async () => {
      expect((await subscribe({ type: 'user', id: 'grace' })).status).toBe(201);
    });
    expect((await subscribe({ type: 'user', id: 'heidi' })).status).toBe(201);
  });

  it('a missing link is still 422 (the reference check), not 409', async () =>
    withRule(rule, async () => {
      const res = await subscribe({ type: 'user', id: 'alice' }, 'nowhere');
      expect(res.status).toBe(422);
      expect(res.body.errors[0].field).toBe('link');
    }));
});
