import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../../local/stack.js';
import { RECENT_PER_LINK } from '../../../connector/delivery/recent.js';
import { channelRoutes } from '../../../connector/channel-routes.js';
import { startCommandServer } from '../../../connector/command-server.js';
import { latestSuccesses } from '../../../shared/channels/latest-successes.js';
import type { BridgeEvent } from '../../../shared/events/model.js';
import { keys, seqKey } from '../../../shared/repos/keys.js';
import { newTenant, newTenantWithLink, testStack } from '../../support/stack.js';
import { agentDraft, callDraft, dndDraft, receiver, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

async function setup(
  url: string,
  target: Record<string, string> = { type: 'user', id: 'alice' },
  events = ['call'],
) {
  const t = await newTenantWithLink(stack); // throws unless the link is created
  const ch = (await t.client.post('/v1/channels', { type: 'webhook', url })).body;
  const sub = await t.client.post('/v1/subscriptions', { channel: ch.id, link: 'pbx', target, events });
  expect(sub.status).toBe(201);
  return { t, ch, secret: ch.secret as string };
}

describe('webhook delivery', () => {
  it('delivers matching events once, signed per Standard Webhooks; subscription changes apply within 1 s', async () => {
    const rx = await receiver();
    const { t, ch, secret } = await setup(rx.url);
    const other = await newTenant(stack); // same link id in another tenant
    await other.client.post('/v1/links', {
      id: 'pbx',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    });
    // Default caches (1 s) here: the 1 s promise is what is tested.
    const { writer, delivery } = wire(stack, { subscriptionCacheMs: 1000, channelCacheMs: 1000 });
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'x1')))!;
      await writer.write(t.id, 'pbx', callDraft('bob', 'x2')); // other target
      await writer.write(t.id, 'pbx', dndDraft('alice')); // other family
      await writer.write(other.id, 'pbx', callDraft('alice', 'x3')); // other tenant
      await rx.waitFor(1);
      const r = rx.got[0]!;
      expect(r.headers['webhook-id']).toBe(e1.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Number(r.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
      expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toEqual(e1);

      // A subscription created through the API takes effect within 1 s, without a restart: every event
      // written 1 s or more after it exists reaches the endpoint. (Asserted on write times, not on how
      // long a loaded machine takes to carry the events.)
      expect(
        (
          await t.client.post('/v1/subscriptions', {
            channel: ch.id,
            link: 'pbx',
            target: { type: 'user', id: 'bob' },
            events: ['call'],
          })
        ).status,
      ).toBe(201);
      const created = Date.now();
      const written: { key: string; at: number }[] = [];
      const bobDelivered = () =>
        new Set(
          rx.got
            .filter((g) => g.json.target.id === 'bob')
            .map((g) => g.json.data.call.correlationId as string),
        );
      for (let n = 1; ; n++) {
        const at = Date.now();
        await writer.write(t.id, 'pbx', callDraft('bob', `b${n}`));
        written.push({ key: `b${n}`, at });
        if (at - created >= 1000 && bobDelivered().size) break;
        expect(at - created, 'no bob event delivered long after the subscription').toBeLessThan(10_000);
        await new Promise((res) => setTimeout(res, 100));
      }
      const due = written.filter((w) => w.at - created >= 1000).map((w) => w.key);
      expect(due.length).toBeGreaterThan(0);
      await until(
        async () => bobDelivered(),
        (got) => due.every((k) => got.has(k)),
      );
      expect(rx.got.filter((g) => g.json.tenant !== t.id || g.json.type !== 'call.received')).toEqual([]);

      // Deleting the channel stops delivery within 1 s.
      expect((await t.client.del(`/v1/channels/${ch.id}`)).status).toBe(204);
      await new Promise((res) => setTimeout(res, 1100));
      const before = rx.got.length;
      await writer.write(t.id, 'pbx', callDraft('alice', 'late'));
      await new Promise((res) => setTimeout(res, 300));
      expect(rx.got.length).toBe(before);
      const ids = rx.got.map((g) => g.headers['webhook-id']);
      expect(new Set(ids).size).toBe(ids.length); // nothing twice
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('signs with both secrets for 24 h after a rotation', async () => {
    const rx = await receiver();
    const { t, ch, secret } = await setup(rx.url);
    const { writer, delivery } = wire(stack);
    try {
      const rot = await t.client.post(`/v1/channels/${ch.id}/rotate-secret`);
      expect(rot.status).toBe(200);
      expect(rot.body.secret).toMatch(/^whsec_/);
      expect(Date.parse(rot.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(86_000_000);
      await new Promise((r) => setTimeout(r, 150)); // the channel cache is 100 ms here
      await writer.write(t.id, 'pbx', callDraft('alice', 'r1'));
      await rx.waitFor(1);
      const r = rx.got[0]!;
      expect((r.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      expect(new Webhook(rot.body.secret).verify(r.body, r.headers as Record<string, string>)).toBeTruthy();
      expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toBeTruthy();
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('retries 500, timeouts and 429 (honouring Retry-After) with a stable webhook-id, then succeeds', async () => {
    const rx = await receiver((_r, res, n) => {
      if (n === 1) res.writeHead(500).end();
      else if (n === 2)
        setTimeout(() => res.destroyed || res.writeHead(200).end(), 1500); // beyond the 300 ms timeout
      else if (n === 3) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end();
    });
    const { t, ch } = await setup(rx.url);
    const { writer, delivery } = wire(stack, { webhookTimeoutMs: 300 });
    try {
      const e = (await writer.write(t.id, 'pbx', callDraft('alice', 'r')))!;
      await rx.waitFor(4);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e.id, e.id, e.id, e.id]);
      expect(rx.got[3]!.at - rx.got[2]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items[0]?.status === 'delivered',
      );
      const item = d.body.items[0];
      expect(item.eventId).toBe(e.id);
      expect(item.attempts.map((a: any) => a.statusCode)).toEqual([500, null, 429, 200]);
      expect(item.attempts[1].error).toMatch(/timeout/);
      expect(item.attemptCount).toBe(4);
      expect(item.nextAttemptAt).toBeNull();
      expect((await t.client.get(`/v1/channels/${ch.id}/deliveries?status=pending`)).body.items).toEqual([]);
      expect(
        (await t.client.get(`/v1/channels/${ch.id}/deliveries?status=delivered`)).body.items,
      ).toHaveLength(1);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('fails other 4xx attempts per the schedule and marks the delivery failed when it is exhausted', async () => {
    const rx = await receiver((_r, res) => res.writeHead(400).end());
    const { t, ch } = await setup(rx.url);
    const { writer, delivery } = wire(stack);
    try {
      await writer.write(t.id, 'pbx', callDraft('alice', 'f'));
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries?status=failed`),
        (r) => r.body.items.length === 1,
      );
      expect(d.body.items[0].attempts.map((a: any) => a.statusCode)).toEqual([400, 400, 400, 400]);
      expect(rx.got).toHaveLength(4);
      expect((await t.client.get(`/v1/channels/${ch.id}`)).body.status).toBe('active');
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('disables the channel at once on 410 Gone, and after continuous failure', async () => {
    const gone = await receiver((_r, res) => res.writeHead(410).end());
    const a = await setup(gone.url);
    const failing = await receiver((_r, res) => res.writeHead(503).end());
    const b = await setup(failing.url);
    const { writer, delivery } = wire(stack, {
      disableAfterMs: 150,
      retryScheduleMs: [0, 100, 100, 100, 100, 100],
    });
    try {
      await writer.write(a.t.id, 'pbx', callDraft('alice', 'g'));
      await writer.write(b.t.id, 'pbx', callDraft('alice', 'h'));
      const ga = await until(
        () => a.t.client.get(`/v1/channels/${a.ch.id}`),
        (r) => r.body.status === 'disabled',
      );
      expect(ga.body.disabledReason).toMatch(/410/);
      expect(gone.got).toHaveLength(1);
      const gb = await until(
        () => b.t.client.get(`/v1/channels/${b.ch.id}`),
        (r) => r.body.status === 'disabled',
      );
      expect(gb.body.disabledReason).toMatch(/failing continuously/);
      // A disabled channel gets nothing more.
      await new Promise((r) => setTimeout(r, 150));
      const n = gone.got.length;
      await writer.write(a.t.id, 'pbx', callDraft('alice', 'g2'));
      await new Promise((r) => setTimeout(r, 300));
      expect(gone.got.length).toBe(n);
    } finally {
      await delivery.stop();
      await gone.close();
      await failing.close();
    }
  });

  it('keeps per-call order while retrying; another call is not blocked', async () => {
    let failsLeft = 2;
    const rx = await receiver((r, res) => {
      if (r.json.data.call.correlationId === 'A' && r.json.type === 'call.received' && failsLeft-- > 0)
        return void res.writeHead(500).end();
      res.writeHead(200).end();
    });
    const { t } = await setup(rx.url);
    const { writer, delivery } = wire(stack, { retryScheduleMs: [0, 250, 250, 250] });
    try {
      await writer.write(t.id, 'pbx', callDraft('alice', 'A', 'call.received'));
      await writer.write(t.id, 'pbx', callDraft('alice', 'A', 'call.answered'));
      await writer.write(t.id, 'pbx', callDraft('alice', 'B', 'call.received'));
      await writer.write(t.id, 'pbx', callDraft('alice', 'B', 'call.answered'));
      await rx.waitFor(6);
      const seqOf = rx.got.map((g) => `${g.json.data.call.correlationId}:${g.json.type}`);
      // B's two events went through while A's first was being retried.
      expect(seqOf.indexOf('B:call.answered')).toBeLessThan(seqOf.lastIndexOf('A:call.received'));
      // A's second event only after A's first succeeded (third attempt).
      expect(seqOf.slice(-1)[0]).toBe('A:call.answered');
      expect(seqOf.filter((s) => s === 'A:call.received')).toHaveLength(3);
      expect(seqOf.filter((s) => s === 'A:call.answered')).toHaveLength(1);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('resumes a pending retry after a delivery restart (durable outbox)', async () => {
    let ok = false;
    const rx = await receiver((_r, res) => res.writeHead(ok ? 200 : 500).end());
    const { t, ch } = await setup(rx.url);
    const first = wire(stack, { retryScheduleMs: [0, 400, 400] });
    const e = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'D')))!;
    await rx.waitFor(1);
    await until(
      () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
      (r) => r.body.items[0]?.attemptCount === 1,
    );
    await first.delivery.stop(); // "crash" with a retry pending
    ok = true;
    const second = wire(stack);
    try {
      await rx.waitFor(2);
      expect(rx.got[1]!.headers['webhook-id']).toBe(e.id);
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items[0]?.status === 'delivered',
      );
      expect(d.body.items[0].attempts.map((a: any) => a.statusCode)).toEqual([500, 200]);
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.got).toHaveLength(2); // not delivered twice
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });

  it('drops the queued deliveries of a deleted channel: no more attempts, no write each, not picked up after a restart', async () => {
    const rx = await receiver((_r, res) => res.writeHead(503).end());
    const { t, ch } = await setup(rx.url);
    const repo = stack.deps.repos.deliveries;
    const opts = { retryScheduleMs: Array<number>(30).fill(100) };
    const first = wire(stack, opts);
    for (const call of ['X1', 'X2', 'X3']) await first.writer.write(t.id, 'pbx', callDraft('alice', call));
    await rx.waitFor(6); // every call's delivery has failed at least once (the calls do not wait for each other)
    const hasWork = async () => (await repo.listWork()).some((w) => w.channel === ch.id);
    expect(await hasWork()).toBe(true);
    expect((await t.client.del(`/v1/channels/${ch.id}`)).status).toBe(204);
    await until(hasWork, (w) => !w); // the service noticed and removed the channel's work item
    const n = rx.got.length;
    await new Promise((r) => setTimeout(r, 500)); // five retry intervals
    expect(rx.got).toHaveLength(n);
    // Nothing was written per delivery: the items still say what they said when the channel went away.
    const left = await Promise.all([1, 2, 3].map((seq) => repo.get(t.id, ch.id, seq)));
    expect(left.map((d) => d?.status)).toEqual(['pending', 'pending', 'pending']);
    await first.delivery.stop();
    const second = wire(stack, opts);
    try {
      await second.delivery.recover();
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.got).toHaveLength(n);
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });

  it('replays logged events (seq > after) and pages deliveries', async () => {
    const rx = await receiver();
    const { t, ch } = await setup(rx.url, { type: 'system' }, ['call', 'agent']);
    const { writer, delivery } = wire(stack);
    try {
      const evs = [];
      for (let i = 0; i < 3; i++) evs.push((await writer.write(t.id, 'pbx', callDraft('u' + i, 'p' + i)))!);
      await writer.write(t.id, 'pbx', dndDraft('u0')); // not subscribed: never replayed
      evs.push((await writer.write(t.id, 'pbx', agentDraft('ag')))!);
      await rx.waitFor(4);
      const rep = await t.client.post(`/v1/channels/${ch.id}/replay`, { after: evs[0]!.seq });
      expect(rep.status).toBe(202);
      expect(rep.body).toEqual({
        queued: 3,
        links: [{ link: 'pbx', lastSeq: evs[3]!.seq }],
        truncated: false,
      });
      await rx.waitFor(7);
      // Different calls are not ordered against each other: compare as sets.
      expect(
        rx.got
          .slice(4)
          .map((g) => g.headers['webhook-id'])
          .sort(),
      ).toEqual(
        evs
          .slice(1)
          .map((e) => e.id)
          .sort(),
      );
      // first-attempt successes are listed once their link's list is written (within `recentMs`)
      const p1 = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries?limit=4`),
        (r) => r.body.items[1]?.seq === 2,
      );
      expect(p1.body.items.map((d: any) => d.seq)).toEqual([1, 2, 3, 4]);
      const p2 = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries?limit=4&cursor=${p1.body.nextCursor}`),
        (r) => r.body.items.every((d: any) => d.status === 'delivered'),
      );
      // Webhook seqs increase per channel; a busy channel reserves them in blocks, so they may skip.
      const s2 = p2.body.items.map((d: any) => d.seq);
      expect(s2).toHaveLength(3);
      expect(s2).toEqual([...s2].sort((x: number, y: number) => x - y));
      expect(s2[0]).toBeGreaterThan(4);
      expect((await t.client.post(`/v1/channels/${ch.id}/replay`, { after: -1 })).status).toBe(400);
      const wsCh = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
      expect((await t.client.post(`/v1/channels/${wsCh.id}/replay`, { after: 0 })).status).toBe(409);
      expect((await t.client.get(`/v1/channels/${ch.id}/deliveries?status=nope`)).status).toBe(400);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('refuses loopback destinations unless allowed (checked at delivery time, also through DNS)', async () => {
    const rx = await receiver();
    const a = await setup(rx.url);
    const b = await setup(rx.url.replace('127.0.0.1', 'localhost'));
    const { writer, delivery } = wire(stack, { allowLoopbackWebhooks: false, retryScheduleMs: [0] });
    try {
      await writer.write(a.t.id, 'pbx', callDraft('alice', 's1'));
      await writer.write(b.t.id, 'pbx', callDraft('alice', 's2'));
      for (const x of [a, b]) {
        const d = await until(
          () => x.t.client.get(`/v1/channels/${x.ch.id}/deliveries?status=failed`),
          (r) => r.body.items.length === 1,
        );
        expect(d.body.items[0].attempts[0]).toMatchObject({
          statusCode: null,
          error: expect.stringMatching(/loopback/),
        });
      }
      expect(rx.got).toHaveLength(0);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('a recovery scan during a large batch sends nothing twice (items are known before they are stored)', async () => {
    const rx = await receiver();
    const { t, ch } = await setup(rx.url, { type: 'system' });
    // The scan runs every 5 ms, so it reads the batch's items while the rest of the batch is being written.
    const { writer, delivery } = wire(stack, { recoverMs: 5 });
    try {
      const drafts = Array.from({ length: 400 }, (_, i) => callDraft(`u${i % 7}`, `big${i}`));
      const events = await writer.writeMany(t.id, 'pbx', drafts);
      await rx.waitFor(events.length, 20_000);
      await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries?status=pending`),
        (r) => r.body.items.length === 0,
      );
      const ids = rx.got.map((g) => g.headers['webhook-id']);
      expect(ids).toHaveLength(events.length);
      expect(new Set(ids).size).toBe(events.length);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });
});

describe('webhook outbox: an item only for a delivery that has to wait', () => {
  /** The channel's delivery items (by seq), without its STATE and latest-successes items. */
  async function itemsOf(tenant: string, channel: string) {
    const res = await stack.deps.db.doc.send(
      new QueryCommand({
        TableName: stack.deps.db.table,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: {
          ':p': keys.deliveryPartition(tenant, channel),
          ':a': seqKey(1),
          ':b': seqKey(Number.MAX_SAFE_INTEGER),
        },
        ConsistentRead: true,
      }),
    );
    return res.Items ?? [];
  }

  it('a first-attempt success writes no item of its own; the latest are listed per link', async () => {
    const rx = await receiver();
    const { t, ch } = await setup(rx.url, { type: 'system' });
    const { writer, delivery } = wire(stack);
    try {
      const evs: BridgeEvent[] = [];
      for (let i = 0; i < RECENT_PER_LINK + 5; i++)
        evs.push((await writer.write(t.id, 'pbx', callDraft('alice', `r${i}`)))!);
      await rx.waitFor(evs.length);
      const listed = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`),
        (r) => r.body.items.at(-1)?.eventId === evs.at(-1)!.id,
      );
      // the latest RECENT_PER_LINK, in seq order, each with its one attempt
      expect(listed.body.items.map((d: any) => d.eventId)).toEqual(
        evs.slice(-RECENT_PER_LINK).map((e) => e.id),
      );
      for (const d of listed.body.items) {
        expect(d.status).toBe('delivered');
        expect(d.attempts.map((a: any) => a.statusCode)).toEqual([204]);
      }
      expect(await itemsOf(t.id, ch.id)).toEqual([]);
      // the link's watermark passed them all
      await until(
        () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
        (w) => w === evs.at(-1)!.seq,
      );
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('a latest-success list is stored deflated; a list stored before (a DynamoDB list) still reads', async () => {
    const { t, ch } = await setup('http://127.0.0.1:9/hook', { type: 'system' });
    const repo = stack.deps.repos.deliveries;
    const rec = (seq: number) => ({
      tenant: t.id,
      channel: ch.id,
      seq,
      channelType: 'webhook' as const,
      eventId: `evt_${seq}`,
      eventType: 'call.received',
      link: 'pbx',
      eventSeq: seq,
      orderKey: 'c1',
      status: 'delivered' as const,
      attempts: [{ at: '2026-12-07T00:00:00.000Z', statusCode: 204, latencyMs: 3, error: null }],
      attemptCount: 1,
      nextAttemptAt: null,
      createdAt: '2026-12-07T00:00:00.000Z',
      settledAt: '2026-12-07T00:00:00.003Z',
      claimUntil: 0,
      owner: null,
    });
    const now = new Date();
    const item = repo.recentItem(t.id, ch.id, 'pbx', [rec(1), rec(2)], 1, now);
    expect(item.z).toBeInstanceOf(Buffer);
    expect(item.recent).toBeUndefined();
    await stack.deps.db.doc.send(new PutCommand({ TableName: stack.deps.db.table, Item: item }));
    expect(await repo.listRecent(t.id, ch.id, now, 'pbx')).toEqual([rec(1), rec(2)]);
    // the shape written until 2026-12-07, under another link
    const { tenant: _t, channel: _c, link: _l, ...old } = rec(3);
    await stack.deps.db.doc.send(
      new PutCommand({
        TableName: stack.deps.db.table,
        Item: {
          ...item,
          ...keys.deliveryRecent(t.id, ch.id, 'pbx2'),
          z: undefined,
          link: 'pbx2',
          recent: [old],
        },
      }),
    );
    expect((await repo.listRecent(t.id, ch.id, now)).map((r) => [r.link, r.seq])).toEqual([
      ['pbx', 1],
      ['pbx', 2],
      ['pbx2', 3],
    ]);
  });

  it('a busy channel reserves its seqs in blocks sized by its rate: a few writes for hundreds of events', async () => {
    const rx = await receiver();
    const { t, ch } = await setup(rx.url, { type: 'system' });
    const { writer, delivery } = wire(stack);
    const repo = stack.deps.repos.deliveries;
    const reservations: number[] = [];
    const alloc = repo.allocSeq.bind(repo);
    const spy = vi.spyOn(repo, 'allocSeq').mockImplementation(async (tenant, channel, count) => {
      if (tenant === t.id && channel === ch.id) reservations.push(count ?? 1);
      return alloc(tenant, channel, count);
    });
    try {
      const n = 300;
      for (let i = 0; i < n; i++) await writer.write(t.id, 'pbx', callDraft('alice', `g${i}`));
      await rx.waitFor(n);
      // 1, then 32, then a block sized for 10 s at the rate the 32 went (used up in well under 5 s here:
      // more than twice as large), which covers the rest: three writes, not one per 32 events (the
      // first covers the first batch, usually one event)
      expect(reservations[0]).toBeLessThan(32);
      expect(reservations[1]).toBe(32);
      expect(reservations[2]).toBeGreaterThan(64);
      expect(reservations.length).toBeLessThanOrEqual(4);
      const seqs = (await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`)).body.items.map(
        (d: any) => d.seq,
      );
      expect(seqs).toEqual([...seqs].sort((x: number, y: number) => x - y));
    } finally {
      spy.mockRestore();
      await delivery.stop();
      await rx.close();
    }
  });

  it('first-attempt success lists are written on a budget; the listing adds what the link owner holds', async () => {
    const rx = await receiver();
    const { t, ch } = await setup(rx.url, { type: 'system' });
    // One list write per 20 s: after the first, the list waits; the owner's memory does not.
    const { writer, delivery } = wire(stack, { recentWritesPerSec: 0.05 });
    const server = await startCommandServer({
      host: '127.0.0.1',
      port: 0,
      token: stack.deps.config.connectorToken!,
      runner: () => undefined,
      logger: stack.deps.logger,
      routes: channelRoutes({ attend: () => {}, latestSuccesses: delivery.latestSuccesses }),
    });
    const repo = stack.deps.repos.deliveries;
    const listed = async () => {
      const r = await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`);
      expect(r.status).toBe(200);
      return r.body.items.map((d: any) => d.eventId);
    };
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'b1')))!;
      await until(
        () => repo.listRecent(t.id, ch.id, new Date(), 'pbx'),
        (l) => l.length === 1,
      );
      const later: BridgeEvent[] = [];
      for (let i = 2; i <= 4; i++)
        later.push((await writer.write(t.id, 'pbx', callDraft('alice', `b${i}`)))!);
      await rx.waitFor(4);
      await until(
        async () => delivery.latestSuccesses(t.id, ch.id),
        (l) => l.length === 4,
      );
      // Stored: only the first (the budget's next write is 20 s away); no owner answers yet.
      expect((await repo.listRecent(t.id, ch.id, new Date(), 'pbx')).map((r) => r.eventId)).toEqual([e1.id]);
      expect(await listed()).toEqual([e1.id]);
      // The link's owner answers with what it holds: the listing is complete at once.
      expect(
        await stack.deps.repos.leases.acquire(
          {
            tenant: t.id,
            link: 'pbx',
            owner: 'test-owner',
            endpoint: server.url,
            expiresAtMs: Date.now() + 60_000,
          },
          Date.now(),
        ),
      ).toBe(true);
      const all = [e1, ...later].map((e) => e.id);
      expect(await listed()).toEqual(all);
      // A function that cannot ask the owners (no connector token) answers with the stored lists.
      const noToken = { ...stack.deps, config: { ...stack.deps.config, connectorToken: undefined } };
      expect(await latestSuccesses(noToken, t.id, ch.id)).toEqual([]);
      expect((await latestSuccesses(stack.deps, t.id, ch.id)).map((r) => r.eventId)).toEqual(all);
      // A graceful stop writes what waited.
      await delivery.stop();
      expect((await repo.listRecent(t.id, ch.id, new Date(), 'pbx')).map((r) => r.eventId)).toEqual(all);
    } finally {
      await delivery.stop();
      await server.close();
      await rx.close();
    }
  });

  it('holds the watermark below a first attempt in flight; stores a failed one and the later events of its call', async () => {
    let mode: 'hang' | 'fail' | 'ok' = 'hang';
    const hanging: ServerResponse[] = [];
    const rx = await receiver((r, res) => {
      if (mode === 'hang') return void hanging.push(res);
      res.writeHead(mode === 'ok' ? 204 : 500).end();
    });
    const { t, ch } = await setup(rx.url, { type: 'system' });
    const { writer, delivery } = wire(stack, { retryScheduleMs: [0, 600, 600], watermarkMs: 50 });
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'w1')))!;
      await rx.waitFor(1);
      await new Promise((r) => setTimeout(r, 300)); // six watermark intervals
      expect(await stack.deps.repos.deliveries.getWatermark(t.id, 'pbx')).toBeLessThan(e1.seq);
      expect(await itemsOf(t.id, ch.id)).toEqual([]);
      // the attempt fails: stored with its attempt and its next due time
      mode = 'fail';
      hanging.shift()!.writeHead(500).end();
      const stored = await until(
        () => itemsOf(t.id, ch.id),
        (items) => items.length === 1,
      );
      expect(stored[0]).toMatchObject({ eventId: e1.id, status: 'pending', attemptCount: 1 });
      expect(stored[0]!.nextAttemptAt).toBeTypeOf('string');
      await until(
        () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
        (w) => w === e1.seq,
      );
      // a later event of the same call waits behind it, as an item (no attempt yet)
      const e2 = (await writer.write(t.id, 'pbx', callDraft('alice', 'w1', 'call.answered')))!;
      const both = await until(
        () => itemsOf(t.id, ch.id),
        (items) => items.length === 2,
      );
      expect(both[1]).toMatchObject({ eventId: e2.id, status: 'pending' });
      expect(both[1]!.attemptCount ?? 0).toBe(0);
      expect(rx.got.filter((g) => g.headers['webhook-id'] === e2.id)).toEqual([]);
      // the retry succeeds; then the follower goes, in order
      mode = 'ok';
      await until(
        async () => rx.got.filter((g) => g.headers['webhook-id'] === e2.id).length,
        (n) => n === 1,
      );
      const ids = rx.got.map((g) => g.headers['webhook-id']);
      expect(ids.lastIndexOf(e1.id)).toBeLessThan(ids.indexOf(e2.id));
      const listed = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items.every((d: any) => d.status === 'delivered'),
      );
      expect(listed.body.items.map((d: any) => [d.eventId, d.attemptCount])).toEqual([
        [e1.id, 2],
        [e2.id, 1],
      ]);
    } finally {
      for (const res of hanging) res.destroy();
      await delivery.stop();
      await rx.close();
    }
  });
});

describe('webhook attempts of one process', () => {
  it('stay within maxInFlightTotal across channels; the waiting ones go as attempts end', async () => {
    const hanging: ServerResponse[] = [];
    const rx = await receiver((_r, res) => void hanging.push(res));
    const t = await newTenantWithLink(stack);
    for (let i = 0; i < 3; i++) {
      const ch = (await t.client.post('/v1/channels', { type: 'webhook', url: rx.url })).body;
      await t.client.post('/v1/subscriptions', {
        channel: ch.id,
        link: 'pbx',
        target: { type: 'system' },
        events: ['call'],
      });
    }
    const { writer, delivery } = wire(stack, { maxInFlightTotal: 2 });
    try {
      await writer.write(t.id, 'pbx', callDraft('alice', 'cap1'));
      await rx.waitFor(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.got).toHaveLength(2); // the third channel's attempt waits for a slot
      hanging.shift()!.writeHead(204).end();
      await rx.waitFor(3);
      expect(new Set(rx.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    } finally {
      for (const res of hanging) res.writeHead(204).end();
      await delivery.stop();
      await rx.close();
    }
  });
});
