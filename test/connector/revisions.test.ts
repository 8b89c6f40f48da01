/**
 * Revisions instead of re-reads (docs/delivery.md "Subscriptions", "Channel records"): every write of a
 * link's subscriptions bumps the link's subscription revision, every write of a tenant's channel records
 * the tenant's channel revision. The link runner and delivery's caches read that one item, not the
 * subscriptions or the records, while nothing changed (`connector/link-subscriptions.ts`,
 * `connector/delivery/caches.ts`). Through the API, the repositories and DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../../connector/delivery/caches.js';
import { LinkSubscriptionViews, LinkSubscriptions } from '../../connector/link-subscriptions.js';
import type { LocalStack } from '../../local/stack.js';
import type { Deps } from '../../shared/deps.js';
import type { SubscriptionRepo } from '../../shared/repos/subscriptions.js';
import { newTenantWithLink, testStack, until } from '../support/stack.js';
import { TestVendor } from './test-driver.js';

const vendor = new TestVendor();
let stack: LocalStack;

beforeAll(async () => {
  stack = await testStack({
    connector: {
      id: 'subs-revision',
      drivers: { 'broadworks-cti': vendor.factory },
      reconcileMs: 100,
      subscriptionPollMs: 50,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** The stored repository, with its listings counted. */
function counted(repo: SubscriptionRepo) {
  const calls = { listings: 0, revisions: 0 };
  return {
    calls,
    repo: {
      revision: (t: string, l: string) => (calls.revisions++, repo.revision(t, l)),
      listByLink: (t: string, l: string, now: Date) => (calls.listings++, repo.listByLink(t, l, now)),
    },
  };
}

async function tenantWithChannel() {
  const t = await newTenantWithLink(stack);
  const ch = await t.client.post('/v1/channels', { type: 'websocket' });
  expect(ch.status).toBe(201);
  return { ...t, channel: ch.body.id as string };
}

const subscribe = (t: Awaited<ReturnType<typeof tenantWithChannel>>, user: string, ttlSeconds?: number) =>
  t.client.post('/v1/subscriptions', {
    channel: t.channel,
    link: 'pbx',
    target: { type: 'user', id: user },
    events: ['call'],
    ...(ttlSeconds ? { ttlSeconds } : {}),
  });

describe('the link subscription revision', () => {
  it('changes with every create, update and delete through the API, and with a channel delete', async () => {
    const t = await tenantWithChannel();
    const repo = stack.deps.repos.subscriptions;
    expect(await repo.revision(t.id, 'pbx')).toBe(0);
    const a = await subscribe(t, 'alice');
    expect(a.status).toBe(201);
    const r1 = await repo.revision(t.id, 'pbx');
    expect(r1).toBeGreaterThan(0);
    const patched = await t.client.patch(`/v1/subscriptions/${a.body.id}`, { events: ['call', 'agent'] });
    expect(patched.status).toBe(200);
    const r2 = await repo.revision(t.id, 'pbx');
    expect(r2).toBeGreaterThan(r1);
    expect((await t.client.del(`/v1/subscriptions/${a.body.id}`)).status).toBe(204);
    const r3 = await repo.revision(t.id, 'pbx');
    expect(r3).toBeGreaterThan(r2);
    expect((await subscribe(t, 'bob')).status).toBe(201);
    const r4 = await repo.revision(t.id, 'pbx');
    expect((await t.client.del(`/v1/channels/${t.channel}`)).status).toBe(204);
    expect(await repo.revision(t.id, 'pbx')).toBeGreaterThan(r4);
    expect(await repo.listByLink(t.id, 'pbx', new Date())).toEqual([]);
  });

  it('is the only read while nothing changed; a change is listed twice, then not again', async () => {
    const t = await tenantWithChannel();
    const { calls, repo } = counted(stack.deps.repos.subscriptions);
    const view = new LinkSubscriptions(repo, t.id, 'pbx');
    const first = await view.current(new Date());
    expect(first).toMatchObject({ subs: [], listed: true });
    const second = await view.current(new Date());
    expect(second.listed).toBe(false);
    expect(second.subs).toBe(first.subs);
    expect(calls).toEqual({ listings: 1, revisions: 2 });

    expect((await subscribe(t, 'carol')).status).toBe(201);
    const changed = await view.current(new Date());
    expect(changed.listed).toBe(true);
    expect(changed.subs.map((s) => s.target.id)).toEqual(['carol']);
    // once more, for an index that trails the write
    expect((await view.current(new Date())).listed).toBe(true);
    expect((await view.current(new Date())).listed).toBe(false);
    expect(calls.listings).toBe(3);

    view.invalidate();
    expect((await view.current(new Date())).listed).toBe(true);
    expect((await view.current(new Date())).listed).toBe(false);
  });

  it('lists again when a listed subscription expires, and after the full-refresh period', async () => {
    const t = await tenantWithChannel();
    const sub = await subscribe(t, 'dave', 60);
    expect(sub.status).toBe(201);
    const view = new LinkSubscriptions(stack.deps.repos.subscriptions, t.id, 'pbx', 3_600_000);
    const now = Date.now();
    expect((await view.current(new Date(now))).subs).toHaveLength(1);
    expect((await view.current(new Date(now + 1_000))).listed).toBe(false);
    const expired = await view.current(new Date(Date.parse(sub.body.expiresAt) + 1));
    expect(expired).toMatchObject({ subs: [], listed: true });

    const short = new LinkSubscriptions(stack.deps.repos.subscriptions, t.id, 'pbx', 5_000);
    await short.current(new Date(now));
    expect((await short.current(new Date(now + 4_000))).listed).toBe(false);
    expect((await short.current(new Date(now + 5_000))).listed).toBe(true);
  });

  it("delivery's cache keeps its index while the revision stands and sees a new subscription", async () => {
    const t = await tenantWithChannel();
    const { calls, repo } = counted(stack.deps.repos.subscriptions);
    const deps = { ...stack.deps, repos: { ...stack.deps.repos, subscriptions: repo } } as unknown as Deps;
    const caches = createCaches({ deps, subsCacheMs: 0, channelCacheMs: 1_000 });
    const empty = await caches.subscriptionsOf(t.id, 'pbx');
    expect(await caches.subscriptionsOf(t.id, 'pbx')).toBe(empty);
    expect(calls.listings).toBe(1);
    expect((await subscribe(t, 'erin')).status).toBe(201);
    const next = await caches.subscriptionsOf(t.id, 'pbx');
    expect(next).not.toBe(empty);
    expect(next.channelsFor(callEvent(t.id, 'erin'))).toEqual([t.channel]);
    caches.forgetSubscriptions(t.id, 'pbx');
    await caches.subscriptionsOf(t.id, 'pbx');
    expect(calls.listings).toBe(3);
  });

  it('the link runner and matching read one view per link: a read in flight serves both', async () => {
    const t = await tenantWithChannel();
    expect((await subscribe(t, 'hank')).status).toBe(201);
    const { calls, repo } = counted(stack.deps.repos.subscriptions);
    const views = new LinkSubscriptionViews(repo);
    const deps = { ...stack.deps, repos: { ...stack.deps.repos, subscriptions: repo } } as unknown as Deps;
    const caches = createCaches({ deps, subsCacheMs: 0, channelCacheMs: 1_000, views });
    const view = views.of(t.id, 'pbx');
    expect(views.of(t.id, 'pbx')).toBe(view);
    // the runner's pass and a batch's matching at the same moment
    const [runnerView, index] = await Promise.all([
      view.current(new Date()),
      caches.subscriptionsOf(t.id, 'pbx'),
    ]);
    expect(calls).toEqual({ listings: 1, revisions: 1 });
    expect(runnerView.subs.map((s) => s.target.id)).toEqual(['hank']);
    expect(index.channelsFor(callEvent(t.id, 'hank'))).toEqual([t.channel]);
    // a change pushed to either (here matching's) makes the other list too
    caches.forgetSubscriptions(t.id, 'pbx');
    expect((await view.current(new Date())).listed).toBe(true);
    expect(calls.listings).toBe(2);
  });

  it('a view nobody reads is dropped with its listing; one read every second stays, and matching shares it', async () => {
    const t = await tenantWithChannel();
    expect((await subscribe(t, 'ivy')).status).toBe(201);
    const { calls, repo } = counted(stack.deps.repos.subscriptions);
    let clock = 1_000_000;
    const views = new LinkSubscriptionViews(repo, { idleMs: 10_000, clock: () => clock });
    const deps = { ...stack.deps, repos: { ...stack.deps.repos, subscriptions: repo } } as unknown as Deps;
    const caches = createCaches({ deps, subsCacheMs: 0, channelCacheMs: 1_000, views });
    const busy = views.of(t.id, 'pbx');
    const idle = views.of(t.id, 'gone');
    await Promise.all([busy.current(new Date()), idle.current(new Date())]);
    for (let i = 0; i < 12; i++) {
      clock += 1_000;
      await busy.current(new Date()); // the link runner's pass
    }
    expect(views.of(t.id, 'pbx')).toBe(busy);
    expect(views.size).toBe(1); // 'gone' was dropped
    const again = views.of(t.id, 'gone');
    expect(again).not.toBe(idle);
    const listings = calls.listings;
    expect((await again.current(new Date())).listed).toBe(true);
    expect(calls.listings).toBe(listings + 1);
    // matching asks the views each time: after a drop it reads the view the runner reads, not its old one
    await caches.subscriptionsOf(t.id, 'pbx');
    expect((await busy.current(new Date())).listed).toBe(false);
    expect(calls.listings).toBe(listings + 1);
  });

  it('a view invalidated while it lists keeps nothing of that listing: the next call lists again', async () => {
    const t = await tenantWithChannel();
    const { calls, repo } = counted(stack.deps.repos.subscriptions);
    let hold: Promise<void> | null = null;
    const slow = {
      revision: repo.revision,
      listByLink: async (tenant: string, link: string, now: Date) => {
        const list = await repo.listByLink(tenant, link, now);
        if (hold) await hold;
        return list;
      },
    };
    const view = new LinkSubscriptions(slow, t.id, 'pbx');
    await view.current(new Date());
    let release = () => undefined as void;
    hold = new Promise<void>((r) => (release = r));
    view.invalidate();
    const reading = view.current(new Date());
    await until(
      async () => calls.listings,
      (n) => n === 2,
    );
    // the listing is made; a change is pushed before it returns
    view.invalidate();
    hold = null;
    release();
    expect((await reading).listed).toBe(true);
    expect((await view.current(new Date())).listed).toBe(true);
    expect(calls.listings).toBe(3);
    expect((await view.current(new Date())).listed).toBe(false);
  });

  it("the link runner's periodic pass applies a subscription that no push announced", async () => {
    const t = await tenantWithChannel();
    const runner = await until(
      async () => stack.connector!.runner(t.id, 'pbx'),
      (r) => r?.state === 'up',
    );
    // through the API: the owner applies it when asked, and has listed the link's subscriptions since
    expect((await subscribe(t, 'gina')).status).toBe(201);
    expect(runner!.watching().map((w) => w.target.id)).toEqual(['gina']);
    // written by the repository alone: the command endpoint is not asked
    await stack.deps.repos.subscriptions.create(
      {
        tenant: t.id,
        channel: t.channel,
        link: 'pbx',
        target: { type: 'user', id: 'frank' },
        events: ['call'],
        ttlSeconds: 3600,
      },
      new Date(),
    );
    await until(
      async () => runner!.watching().map((w) => w.target.id),
      (ids) => ids.includes('frank'),
    );
    const stored = (await stack.deps.repos.subscriptions.listByLink(t.id, 'pbx', new Date())).find(
      (s) => s.target.id === 'frank',
    );
    await until(
      async () => (await stack.deps.repos.subscriptions.get(t.id, stored!.id, new Date()))?.state,
      (s) => s === 'active',
    );
  });
});

function callEvent(tenant: string, user: string) {
  return {
    id: 'evt_1',
    seq: 1,
    tenant,
    link: 'pbx',
    type: 'call.originated',
    time: new Date().toISOString(),
    target: { type: 'user', id: user },
    data: {},
    vendor: { name: 'broadworks-cti', event: 'test' },
  } as never;
}

describe('the tenant channel revision', () => {
  /** The stored channel repository, with its record reads counted. */
  function countedChannels() {
    const repo = stack.deps.repos.channels;
    const calls = { records: 0 };
    const channels = Object.create(repo) as typeof repo;
    channels.getMany = (list, now) => ((calls.records += list.length), repo.getMany(list, now));
    return { calls, channels };
  }

  it('changes with every write of a channel record', async () => {
    const t = await newTenantWithLink(stack);
    const repo = stack.deps.repos.channels;
    expect(await repo.revision(t.id)).toBe(0);
    const ch = await t.client.post('/v1/channels', { type: 'webhook', url: 'http://127.0.0.1:9/hook' });
    expect(ch.status).toBe(201);
    let last = await repo.revision(t.id);
    expect(last).toBeGreaterThan(0);
    const moved = async () => {
      const now = await repo.revision(t.id);
      const ok = now > last;
      last = now;
      return ok;
    };
    expect((await t.client.post(`/v1/channels/${ch.body.id}/rotate-secret`, {})).status).toBe(200);
    expect(await moved()).toBe(true);
    await repo.setConnection(t.id, ch.body.id, 'conn-1', new Date());
    expect(await moved()).toBe(true);
    expect(await repo.clearConnection(t.id, ch.body.id, 'conn-1')).toBe(true);
    expect(await moved()).toBe(true);
    expect(await repo.clearConnection(t.id, ch.body.id, 'conn-1')).toBe(false);
    expect(await moved()).toBe(false);
    await repo.disable(t.id, ch.body.id, 'test', new Date());
    expect(await moved()).toBe(true);
    expect((await t.client.del(`/v1/channels/${ch.body.id}`)).status).toBe(204);
    expect(await moved()).toBe(true);
  });

  it("delivery's cache keeps a record while the revision stands, and reads it again after a write", async () => {
    const t = await newTenantWithLink(stack);
    const ch = await t.client.post('/v1/channels', { type: 'websocket' });
    const { calls, channels } = countedChannels();
    const deps = { ...stack.deps, repos: { ...stack.deps.repos, channels } } as unknown as Deps;
    const caches = createCaches({ deps, subsCacheMs: 1_000, channelCacheMs: 100 });
    expect((await caches.channelOf(t.id, ch.body.id))?.id).toBe(ch.body.id);
    // in use (matching reads it for every event), the record outlives channelCacheMs (100 ms) once the
    // tenant's revision is known: 300 ms of calls read no record
    await until(
      async () => {
        const before = calls.records;
        for (let i = 0; i < 15; i++) {
          await caches.channelOf(t.id, ch.body.id);
          await new Promise((r) => setTimeout(r, 20));
        }
        return calls.records - before;
      },
      (reads) => reads === 0,
    );
    // a write elsewhere (another process): the next check of the revision drops the record
    await stack.deps.repos.channels.setConnection(t.id, ch.body.id, 'conn-2', new Date());
    const rec = await until(
      () => caches.channelOf(t.id, ch.body.id),
      (r) => r?.connectionId === 'conn-2',
      5_000,
    );
    expect(rec?.connectionId).toBe('conn-2');
  });
});
