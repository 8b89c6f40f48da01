/**
 * A `system` subscription on every vendor's link: one webhook channel subscribes `system` on all six
 * simulator links, a call from alice to bob rings and ends, and each link delivers that call to the
 * channel: both legs, from the first event to the release, each event once. Vendors without a
 * system-wide subscription of their own watch every user (MTCTI-3) or emit every event they see
 * (CTIPS, CAP, IP Office), tagged with the user it is about; BroadWorks CTI tags its own system copies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { receiver } from '../connector/delivery/helpers.js';
import { api, testStack, until } from '../support/stack.js';

let stack: LocalStack;
let hooks: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  hooks = await receiver();
  stack = await testStack({
    simulator: {},
    connector: { subscriptionPollMs: 50, reconcileMs: 200 },
  });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await hooks?.close();
});

interface Delivered {
  link: string;
  type: string;
  target: { type: string; id?: string };
  data: { call?: { correlationId: string; local: { user: string }; state: string } };
}

describe('system subscriptions on every vendor', () => {
  it('deliver a call on every link, both legs, each event once', async () => {
    const admin = api(stack, stack.adminKey);
    const links: { id: string; vendor: string }[] = (await admin.get('/v1/links')).body.items;
    expect(links.length).toBe(6);
    await until(
      async () => (await admin.get('/v1/links')).body.items as { status: string }[],
      (ls) => ls.every((l) => l.status === 'up'),
      30_000,
    );
    const ch = await admin.post('/v1/channels', { type: 'webhook', url: hooks.url });
    expect(ch.status).toBe(201);
    const subs: string[] = [];
    for (const l of links) {
      const s = await admin.post('/v1/subscriptions', {
        channel: ch.body.id,
        link: l.id,
        target: { type: 'system' },
        events: ['call'],
      });
      expect(s.status, `${l.id}: ${JSON.stringify(s.body)}`).toBe(201);
      subs.push(s.body.id);
    }
    // in force on every vendor (MTCTI-3 subscribes each user and hunt group one by one)
    await until(
      async () =>
        Promise.all(subs.map(async (id) => (await admin.get(`/v1/subscriptions/${id}`)).body.state)),
      (states) => states.every((st) => st === 'active'),
      20_000,
    );

    const sim = stack.simulator!.core;
    const leg = sim.dial('alice@sim.example', '1002');
    // the only call of this stack (each vendor has its own correlation ids for it)
    const calls = () => hooks.got.map((r) => r.json as Delivered).filter((e) => e.data.call);
    const summary = () =>
      links.map(
        (l) =>
          `${l.id}: ${calls()
            .filter((e) => e.link === l.id)
            .map((e) => e.type)
            .join(',')}`,
      );
    // bob rings on every link, then alice hangs up
    await until(
      async () => calls(),
      (evs) => links.every((l) => evs.some((e) => e.link === l.id && e.type === 'call.received')),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`bob did not ring on every link:\n${summary().join('\n')}`, { cause: err });
    });
    sim.release(leg.id);
    const released = (evs: Delivered[], link: string) =>
      evs.filter((e) => e.link === link && e.type === 'call.released').length;
    await until(
      async () => calls(),
      (evs) => links.every((l) => released(evs, l.id) === 2),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`the call did not end on every link:\n${summary().join('\n')}`, { cause: err });
    });

    for (const l of links) {
      const evs = calls().filter((e) => e.link === l.id);
      const users = (type: string) =>
        evs
          .filter((e) => e.type === type)
          .map((e) => e.data.call!.local.user)
          .sort();
      const who = (u: string) => (/alice|1001/i.test(u) ? 'alice' : /bob|1002/i.test(u) ? 'bob' : u);
      expect(users('call.originated').map(who), l.id).toEqual(['alice']);
      expect(users('call.received').map(who), l.id).toEqual(['bob']);
      expect(users('call.released').map(who), l.id).toEqual(['alice', 'bob']);
      // tagged with what they are about, or (BroadWorks CTI) with the system subscription's own copy
      const tags = new Set(evs.map((e) => e.target.type));
      expect([...tags], l.id).toEqual([l.vendor === 'broadworks-cti' ? 'system' : 'user']);
    }
  }, 90_000);

  it('refuses a target type the vendor has no events for, naming target.type (and accepts it where it has)', async () => {
    const admin = api(stack, stack.adminKey);
    const ch = await admin.post('/v1/channels', { type: 'webhook', url: hooks.url });
    const subscribe = (link: string, target: { type: string; id?: string }) =>
      admin.post('/v1/subscriptions', { channel: ch.body.id, link, target, events: ['call'] });
    const refused = await subscribe('sim-mtcti3', { type: 'group' });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      type: 'urn:cti-bridge:problem:unsupported-target',
      vendor: 'avaya-mtcti3',
      link: 'sim-mtcti3',
      errors: [{ pointer: '#/target/type', field: 'target.type' }],
    });
    expect(refused.body.detail).toContain('user, queue, system');
    expect((await subscribe('sim-ipo-cti', { type: 'routePoint', id: '3001' })).status).toBe(422);
    expect((await subscribe('sim-aspect', { type: 'routePoint', id: '3001' })).status).toBe(201);
    expect((await subscribe('sim-broadworks', { type: 'group' })).status).toBe(201);
    const listed = await admin.get(`/v1/subscriptions?channel=${ch.body.id}`);
    expect(listed.body.items.map((x: { link: string }) => x.link).sort()).toEqual([
      'sim-aspect',
      'sim-broadworks',
    ]);
  });
});
