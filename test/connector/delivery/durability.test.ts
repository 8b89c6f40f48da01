/**
 * Exactly-once hand-off from the event log to delivery: a process that dies after appending an event but
 * before storing its deliveries loses nothing (the next owner re-matches the log after the watermark),
 * and re-matching never creates a second delivery.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventLogWriter } from '../../../connector/event-log-writer.js';
import { startDelivery } from '../../../connector/delivery/index.js';
import { orderKeyOf } from '../../../shared/events/matching.js';
import type { BridgeEvent } from '../../../shared/events/model.js';
import type { LocalStack } from '../../../local/stack.js';
import { newTenant, testStack, newTenantWithLink } from '../../support/stack.js';
import { callDraft, FAST, receiver, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(hookUrl: string) {
  const t = await newTenantWithLink(stack);
  const hook = (await t.client.post('/v1/channels', { type: 'webhook', url: hookUrl })).body;
  const ws = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
  for (const ch of [hook, ws])
    expect(
      (
        await t.client.post('/v1/subscriptions', {
          channel: ch.id,
          link: 'pbx',
          target: { type: 'system' },
          events: ['call'],
        })
      ).status,
    ).toBe(201);
  return { t, hook, ws };
}

async function wsClient(url: string) {
  const ws = new WebSocket(url);
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const events = () => frames.filter((f) => f.type === 'event');
  /**
   * The events as a client that drops a channelSeq it already processed sees them (what docs/delivery.md
   * asks of clients: a crash of the sending process can make its successor post a frame again).
   */
  const processed = () => {
    let last = 0;
    return events().filter((f) => (f.channelSeq > last ? ((last = f.channelSeq), true) : false));
  };
  return { ws, frames, events, processed, close: () => ws.close() };
}

describe('hand-off from the event log survives a crash', () => {
  it('a delivery service killed between log append and delivery creation: the next owner delivers exactly once', async () => {
    const rx = await receiver();
    const { t, hook, ws } = await setup(rx.url);
    const repo = stack.deps.repos.deliveries;
    const client = await wsClient(ws.url);
    await until(
      () => t.client.get(`/v1/channels/${ws.id}`),
      (r) => typeof r.body.connectionId === 'string',
    );
    client.ws.send(JSON.stringify({ action: 'resume', after: 0 }));

    // First process: delivers e1, then dies; e2 and e3 are appended to the log by its writer but the
    // process is gone before their deliveries are stored.
    const first = wire(stack);
    const e1 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'c1')))!;
    await rx.waitFor(1);
    await until(
      async () => repo.getWatermark(t.id, 'pbx'),
      (w) => w === e1.seq,
    );
    // The receiver has e1; wait until its answer is recorded too. Killed before that, the process would
    // leave e1 claimed and unrecorded, and the next owner would rightly hold the call's later events
    // behind e1 until the claim lapses (30 s). The WebSocket frame of e1 may or may not be posted yet.
    await until(
      () => t.client.get(`/v1/channels/${hook.id}/deliveries?status=delivered`),
      (r) => r.body.items.length === 1,
    );
    first.delivery.kill();
    const e2 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'c1', 'call.answered')))!;
    const e3 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'c1', 'call.released')))!;
    await sleep(300);
    expect(rx.got).toHaveLength(1);
    expect((await t.client.get(`/v1/channels/${hook.id}/deliveries`)).body.items).toHaveLength(1);
    expect(await repo.getWatermark(t.id, 'pbx')).toBe(e1.seq);

    // Restart: the new owner takes the link (what the connector does on start and lease takeover).
    const second = startDelivery({
      deps: stack.deps,
      managementEndpoint: stack.managementEndpoint,
      ...FAST,
    });
    try {
      await second.linkOwned(t.id, 'pbx');

      await rx.waitFor(3);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e1.id, e2.id, e3.id]); // same call: in order
      expect(
        new Webhook(hook.secret).verify(rx.got[2]!.body, rx.got[2]!.headers as Record<string, string>),
      ).toEqual(e3);
      await until(
        async () => client.processed().length,
        (n) => n === 3,
      );
      // Nothing lost, nothing out of order: at most a frame of the crashed process posted again.
      const seqs = client.events().map((f) => f.channelSeq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(client.processed().map((f) => [f.channelSeq, f.event.id])).toEqual([
        [1, e1.id],
        [2, e2.id],
        [3, e3.id],
      ]);
      await until(
        async () => repo.getWatermark(t.id, 'pbx'),
        (w) => w === e3.seq,
      );
      expect(second.matchedUpTo(t.id, 'pbx')).toBe(e3.seq);

      // Matching the whole log again (watermark moved back by hand) creates nothing new.
      await repo.setWatermark(t.id, 'pbx', 0);
      await second.stop();
      const third = startDelivery({
        deps: stack.deps,
        managementEndpoint: stack.managementEndpoint,
        ...FAST,
      });
      try {
        await third.linkOwned(t.id, 'pbx');
        await sleep(500);
        expect(rx.got).toHaveLength(3);
        expect(client.events()).toHaveLength(seqs.length); // nothing new
        expect(client.processed()).toHaveLength(3);
        expect(
          (await t.client.get(`/v1/channels/${hook.id}/deliveries`)).body.items.map((d: any) => d.eventId),
        ).toEqual([e1.id, e2.id, e3.id]);
        expect(
          (await t.client.get(`/v1/channels/${ws.id}/deliveries`)).body.items.map((d: any) => d.seq),
        ).toEqual([1, 2, 3]);
        expect(await repo.getWatermark(t.id, 'pbx')).toBe(e3.seq);
      } finally {
        await third.stop();
      }
    } finally {
      client.close();
      await second.stop();
      await rx.close();
    }
  });

  it('a later live event after a gap first re-matches the events the dead process left behind (order kept)', async () => {
    const rx = await receiver();
    const { t, hook } = await setup(rx.url);
    const first = wire(stack);
    const e1 = (await first.writer.write(t.id, 'pbx', callDraft('bob', 'g1')))!;
    await rx.waitFor(1);
    await until(
      async () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
      (w) => w === e1.seq,
    );
    // e1's answer recorded before the crash (see the test above).
    await until(
      () => t.client.get(`/v1/channels/${hook.id}/deliveries?status=delivered`),
      (r) => r.body.items.length === 1,
    );
    first.delivery.kill();
    const e2 = (await first.writer.write(t.id, 'pbx', callDraft('bob', 'g1', 'call.answered')))!;
    // A new process without a takeover call (e.g. the catch-up at start failed): the next event notices the gap.
    const second = wire(stack);
    try {
      const e3 = (await second.writer.write(t.id, 'pbx', callDraft('bob', 'g1', 'call.released')))!;
      await rx.waitFor(3);
      await sleep(300);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e1.id, e2.id, e3.id]);
      const items = (
        await until(
          () => t.client.get(`/v1/channels/${hook.id}/deliveries`),
          (r) => r.body.items.length >= 3,
        )
      ).body.items;
      expect(items.map((d: any) => [d.eventId, d.status])).toEqual([
        [e1.id, 'delivered'],
        [e2.id, 'delivered'],
        [e3.id, 'delivered'],
      ]);
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });

  /**
   * A previous owner that stalled past its lease numbered `stored` on the webhook channel and froze
   * before its writes of their pending deliveries, and of the watermark (at `watermark`) that follows
   * them, went out. They land just after the next owner's takeover scan read the channel's pending
   * queue (the stalled owner thawed). Returns the next owner, taking the link.
   */
  async function takeoverWithLateWrites(
    t: { id: string },
    hook: { id: string },
    stored: BridgeEvent[],
    watermark: number,
  ) {
    const repo = stack.deps.repos.deliveries;
    const { seq } = await repo.allocSeq(t.id, hook.id, stored.length);
    await repo.touchWork(t.id, hook.id, Date.now());
    const late = stored.map((e, i) => ({
      tenant: t.id,
      channel: hook.id,
      seq: seq + i,
      channelType: 'webhook' as const,
      eventId: e.id,
      eventType: e.type,
      link: 'pbx',
      eventSeq: e.seq,
      orderKey: orderKeyOf(e),
      status: 'pending' as const,
      attempts: [],
      attemptCount: 0,
      nextAttemptAt: null,
      createdAt: new Date().toISOString(),
      settledAt: null,
      claimUntil: Date.now() - 1,
      owner: 'stalled-owner',
    }));
    let armed = false;
    let landed = false;
    const deliveries = Object.create(repo) as typeof repo;
    deliveries.pendingQueue = async (tenant, channel, after) => {
      const queue = await repo.pendingQueue(tenant, channel, after);
      if (armed && tenant === t.id && channel === hook.id && !landed) {
        landed = true;
        await repo.putMany(late, 1, new Date());
        await repo.advanceWatermark(t.id, 'pbx', watermark);
      }
      return queue;
    };
    const next = startDelivery({
      deps: { ...stack.deps, repos: { ...stack.deps.repos, deliveries } },
      managementEndpoint: stack.managementEndpoint,
      apiUrl: stack.httpUrl,
      ...FAST,
      // no periodic scan during the test: only the takeover's
      recoverMs: 60_000,
    });
    await next.recover(); // the scan at start
    armed = true;
    await next.linkOwned(t.id, 'pbx');
    expect(landed).toBe(true);
    return next;
  }

  /**
   * A webhook channel on a link whose log holds two events of one call (received, answered) that no
   * delivery service matched yet: the stalled owner's, logged before it froze.
   */
  async function twoEventsLogged(user: string, call: string) {
    const rx = await receiver();
    const { t, hook } = await setup(rx.url);
    await stack.deps.repos.deliveries.ensureWatermark(t.id, 'pbx', 0);
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
    const e1 = (await writer.write(t.id, 'pbx', callDraft(user, call)))!;
    const e2 = (await writer.write(t.id, 'pbx', callDraft(user, call, 'call.answered')))!;
    return { rx, t, hook, e1, e2 };
  }

  it("a pending delivery a stalled owner stores after the next owner's takeover scan goes out before its call's later events", async () => {
    const { rx, t, hook, e1, e2 } = await twoEventsLogged('carol', 'z1');
    // e1's delivery stored, e2 not numbered yet: the next owner re-matches e2 (and meets e1's item)
    const next = await takeoverWithLateWrites(t, hook, [e1], e1.seq);
    try {
      await rx.waitFor(1);
      expect(rx.got[0]!.headers['webhook-id'], 'the first delivery is e1').toBe(e1.id);
      await rx.waitFor(2);
      await sleep(300);
      // e1 once (its stored delivery; re-matching skipped it), e2 after it, not before.
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e1.id, e2.id]);
    } finally {
      await next.stop();
      await rx.close();
    }
  });

  it('the same when the late watermark covers every event logged: the takeover read the watermark before its scan', async () => {
    const { rx, t, hook, e1, e2 } = await twoEventsLogged('dave', 'z2');
    // Both stored and covered by the late watermark: read after the scan, it would leave nothing to
    // re-match, and the call's next event would go out before them.
    const next = await takeoverWithLateWrites(t, hook, [e1, e2], e2.seq);
    const live = new EventLogWriter(stack.deps, { ttlDays: 1 });
    live.listen(next.onEvent);
    try {
      const e3 = (await live.write(t.id, 'pbx', callDraft('dave', 'z2', 'call.released')))!;
      await rx.waitFor(1);
      expect(rx.got[0]!.headers['webhook-id'], 'the first delivery is e1').toBe(e1.id);
      await rx.waitFor(3);
      await sleep(300);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e1.id, e2.id, e3.id]);
    } finally {
      await next.stop();
      await rx.close();
    }
  });

  it('the connector runs the catch-up when it takes a link, before the link runs', async () => {
    const { startConnector } = await import('../../../connector/connector.js');
    const { defaultDrivers } = await import('../../../vendors/load.js');
    const d = startDelivery({ deps: stack.deps, ...FAST });
    const t = await newTenant(stack);
    expect(
      (
        await t.client.post('/v1/links', {
          id: 'pbx',
          vendor: 'broadworks-cti',
          endpoint: 'tcp://127.0.0.1:9',
          credentials: { username: 'u', password: 'p' },
        })
      ).status,
    ).toBe(201);
    // An event the previous owner logged but never matched.
    const rx = await receiver();
    const hook = (await t.client.post('/v1/channels', { type: 'webhook', url: rx.url })).body;
    await t.client.post('/v1/subscriptions', {
      channel: hook.id,
      link: 'pbx',
      target: { type: 'system' },
      events: ['call'],
    });
    const repo = stack.deps.repos.deliveries;
    await repo.ensureWatermark(t.id, 'pbx', 0);
    const orphan = (await new EventLogWriter(stack.deps, { ttlDays: 1 }).write(
      t.id,
      'pbx',
      callDraft('alice', 'o1'),
    ))!;
    const seen: string[] = [];
    // The listener carries the hook, so a connector given only `onEvent` (connector/main.ts) still calls it.
    expect(typeof d.onEvent.linkOwned).toBe('function');
    const onEvent = Object.assign((e: any) => d.onEvent(e), {
      linkOwned: async (tenant: string, link: string) => {
        seen.push(`${tenant}/${link}`);
        await d.onEvent.linkOwned(tenant, link);
      },
    });
    const c = await startConnector({
      deps: stack.deps,
      drivers: await defaultDrivers(),
      commandToken: 'x'.repeat(32),
      tenants: [t.id],
      onEvent,
    });
    try {
      expect(seen).toEqual([`${t.id}/pbx`]);
      expect(d.matchedUpTo(t.id, 'pbx')).toBeGreaterThanOrEqual(orphan.seq);
      await rx.waitFor(1);
      expect(rx.got[0]!.headers['webhook-id']).toBe(orphan.id);
    } finally {
      await c.kill();
      await d.stop();
      await rx.close();
    }
  });
});

describe('a delivery service whose process lost the link', () => {
  it('matches none of its events and leaves its watermark; the new owner delivers them once', async () => {
    const rx = await receiver();
    const { t } = await setup(rx.url);
    // a second link of the tenant, always owned: its event marks how far the lost link's would have gone
    await t.client.post('/v1/links', {
      id: 'pbx2',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    });
    const hook2 = (await t.client.post('/v1/channels', { type: 'webhook', url: rx.url })).body;
    await t.client.post('/v1/subscriptions', {
      channel: hook2.id,
      link: 'pbx2',
      target: { type: 'system' },
      events: ['call'],
    });
    let ownsPbx = true;
    const zombie = wire(stack, { owns: (_t, link) => link !== 'pbx' || ownsPbx });
    const owner = startDelivery({ deps: stack.deps, ...FAST });
    try {
      const first = (await zombie.writer.write(t.id, 'pbx', callDraft('alice', 'z1')))!;
      await rx.waitFor(1);
      await until(
        async () => zombie.delivery.matchedUpTo(t.id, 'pbx'),
        (m) => m === first.seq,
      );
      // its webhook settled and the watermark written (within watermarkMs): the mark the loss must leave
      await until(
        () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
        (w) => w === first.seq,
      );
      // the lease runs out (a stall): the next event of pbx is logged (by a writer that still may)...
      ownsPbx = false;
      const lostEvent = (await zombie.writer.write(t.id, 'pbx', callDraft('alice', 'z2')))!;
      // ...and the next of pbx2 goes through the same hand-off after it
      const marker = (await zombie.writer.write(t.id, 'pbx2', callDraft('bob', 'z3')))!;
      await rx.waitFor(2);
      expect(rx.got.map((r) => r.json.id)).toEqual([first.id, marker.id]);
      // nothing of pbx was matched or marked done
      expect(zombie.delivery.matchedUpTo(t.id, 'pbx')).toBeNull();
      await until(
        () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
        (w) => w === first.seq,
      );
      // the new owner's catch-up delivers it, once
      await owner.linkOwned(t.id, 'pbx');
      await rx.waitFor(3);
      expect(rx.got.map((r) => r.json.id)).toEqual([first.id, marker.id, lostEvent.id]);
    } finally {
      await zombie.delivery.stop();
      await owner.stop();
      await rx.close();
    }
  });
});
