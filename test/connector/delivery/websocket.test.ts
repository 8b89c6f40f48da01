import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ApiGatewayManagementApiClient,
  type PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LocalStack } from '../../../local/stack.js';
import { testStack, newTenantWithLink } from '../../support/stack.js';
import { callDraft, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

/** A WebSocket client that records every frame and lets a test await frames by predicate. */
async function client(url: string) {
  const ws = new WebSocket(url);
  const frames: any[] = [];
  const waiters: { ok: (f: any[]) => boolean; resolve: () => void }[] = [];
  ws.on('message', (d) => {
    frames.push(JSON.parse(d.toString()));
    for (const w of [...waiters])
      if (w.ok(frames)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  });
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  return {
    ws,
    frames,
    events: () => frames.filter((f) => f.type === 'event'),
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    until: (ok: (f: any[]) => boolean, ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (ok(frames)) return resolve();
        const t = setTimeout(() => reject(new Error(`frames: ${JSON.stringify(frames).slice(0, 800)}`)), ms);
        waiters.push({ ok, resolve: () => (clearTimeout(t), resolve()) });
      }),
    close: () =>
      new Promise<void>((r) =>
        ws.readyState === WebSocket.CLOSED ? r() : (ws.once('close', () => r()), ws.close()),
      ),
  };
}

async function setup(framing?: 'single' | 'batch') {
  const t = await newTenantWithLink(stack);
  const ch = (await t.client.post('/v1/channels', { type: 'websocket', ...(framing ? { framing } : {}) }))
    .body;
  expect(
    (
      await t.client.post('/v1/subscriptions', {
        channel: ch.id,
        link: 'pbx',
        target: { type: 'system' },
        events: ['call', 'service'],
      })
    ).status,
  ).toBe(201);
  return { t, ch };
}

const connected = (t: Awaited<ReturnType<typeof newTenantWithLink>>, id: string) =>
  until(
    () => t.client.get(`/v1/channels/${id}`),
    (r) => typeof r.body.connectionId === 'string',
  );

describe('WebSocket delivery through the local gateway and the real SDK', () => {
  it('sends event frames with a per-channel seq; ack is recorded and shown in deliveries', async () => {
    const { t, ch } = await setup();
    const { writer, delivery } = wire(stack);
    const c = await client(ch.url);
    try {
      await connected(t, ch.id);
      c.send({ action: 'resume', after: 0 });
      await c.until((f) => f.some((x) => x.type === 'bridge.resume-accepted'));
      const evs = [];
      for (let i = 0; i < 3; i++) evs.push((await writer.write(t.id, 'pbx', callDraft('alice', `w${i}`)))!);
      await c.until(() => c.events().length === 3);
      expect(c.events().map((f) => f.channelSeq)).toEqual([1, 2, 3]);
      expect(c.events().map((f) => f.event)).toEqual(evs);
      c.send({ action: 'ack', seq: 2 });
      await c.until((f) => f.some((x) => x.type === 'bridge.acked'));
      expect(c.frames.find((x) => x.type === 'bridge.acked')).toEqual({ type: 'bridge.acked', seq: 2 });
      const pending = await t.client.get(`/v1/channels/${ch.id}/deliveries?status=pending`);
      expect(pending.body.items.map((d: any) => d.seq)).toEqual([3]);
      const done = await t.client.get(`/v1/channels/${ch.id}/deliveries?status=delivered`);
      expect(done.body.items.map((d: any) => d.eventId)).toEqual([evs[0]!.id, evs[1]!.id]);
      c.send({ action: 'ack', seq: 1 }); // never moves back
      await c.until((f) => f.filter((x) => x.type === 'bridge.acked').length === 2);
      expect(c.frames.filter((x) => x.type === 'bridge.acked')[1].seq).toBe(2);
    } finally {
      await c.close();
      await delivery.stop();
    }
  });

  it('a channel whose posts fall behind gets the later frames from its log: in order, none lost or doubled', async () => {
    for (const framing of ['single', 'batch'] as const) {
      const { t, ch } = await setup(framing);
      // Records the channel-log reads: the frames past the in-memory bound must come from there.
      const reads: { from: number; to: number }[] = [];
      const log = stack.deps.repos.channelLog;
      const channelLog = new Proxy(log, {
        get(target, prop) {
          if (prop === 'range')
            return (...a: Parameters<typeof log.range>) => {
              if (a[1] === ch.id && a[3] >= a[2]) reads.push({ from: a[2], to: a[3] });
              return target.range(...a);
            };
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const deps = { ...stack.deps, repos: { ...stack.deps.repos, channelLog } };
      // A slow connection: event posts wait at the gate until the test opens it.
      const real = new ApiGatewayManagementApiClient({
        endpoint: stack.managementEndpoint,
        region: stack.deps.config.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const managementClient = new Proxy(real, {
        get(target, prop) {
          if (prop === 'send')
            return async (cmd: PostToConnectionCommand) => {
              const data = Buffer.from(cmd.input.Data as Uint8Array).toString();
              if (data.startsWith('{"type":"event') && !data.includes('"after"')) await gate;
              return target.send(cmd);
            };
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as ApiGatewayManagementApiClient;
      const { writer, delivery } = wire(stack, { deps, managementClient, maxQueuedFrames: 3 });
      const c = await client(ch.url);
      try {
        await connected(t, ch.id);
        c.send({ action: 'resume', after: 0 });
        // served (its replay read nothing yet) before any event is numbered
        await c.until((f) => f.some((x) => x.type === 'bridge.resumed'));
        const evs = [];
        for (let i = 0; i < 12; i++)
          evs.push((await writer.write(t.id, 'pbx', callDraft('alice', `s${i}`)))!);
        // Every frame is numbered and stored while the first post waits at the gate.
        await until(
          () => log.head(t.id, ch.id),
          (head) => head === 12,
        );
        expect(reads).toEqual([]);
        open();
        const eventFrames = () =>
          c.frames.flatMap((f) => (f.type === 'events' ? f.frames : f.type === 'event' ? [f] : []));
        await c.until(() => eventFrames().length >= 12);
        expect(eventFrames().map((f) => f.channelSeq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        expect(eventFrames().map((f) => f.event)).toEqual(evs);
        // Three frames waited in memory (four, if the first one's post had begun); the rest were read
        // back from the channel's log, in one read.
        expect(reads).toHaveLength(1);
        expect(reads[0]!.to).toBe(12);
        expect([4, 5]).toContain(reads[0]!.from);
        // Live again afterwards: the next frame is queued as usual.
        const last = await writer.write(t.id, 'pbx', callDraft('alice', 'after'));
        await c.until(() => eventFrames().length === 13);
        expect(eventFrames().at(-1)).toMatchObject({ channelSeq: 13, event: last });
        expect(reads).toHaveLength(1);
      } finally {
        open();
        await c.close();
        await delivery.stop();
      }
    }
  });

  it('resumes after N on a new connection: no duplicates or gaps while live events keep arriving', async () => {
    const { t, ch } = await setup();
    const { writer, delivery } = wire(stack, { resumeHoldMs: 5000 });
    const first = await client(ch.url);
    await connected(t, ch.id);
    first.send({ action: 'resume', after: 0 });
    await first.until((f) => f.some((x) => x.type === 'bridge.resume-accepted'));
    for (let i = 0; i < 5; i++) await writer.write(t.id, 'pbx', callDraft('alice', `a${i}`));
    await first.until(() => first.events().length === 5);
    await first.close();
    for (let i = 5; i < 10; i++) await writer.write(t.id, 'pbx', callDraft('alice', `a${i}`)); // while away

    const url = new URL(ch.url);
    const second = await client(url.toString());
    let writing = true;
    const live = (async () => {
      for (let i = 10; writing && i < 40; i++) {
        await writer.write(t.id, 'pbx', callDraft('bob', `b${i}`));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    try {
      await until(
        () => t.client.get(`/v1/channels/${ch.id}`),
        (r) => r.body.connectionId && r.body.connectionId !== null,
      );
      await new Promise((r) => setTimeout(r, 120)); // live events flow while the new connection is held
      second.send({ action: 'resume', after: 5 });
      await second.until((f) => f.some((x) => x.type === 'bridge.resumed'));
      writing = false;
      await live;
      const total = (await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=200`)).body.items.length;
      await second.until(() => second.events().at(-1)?.channelSeq === total);
      const seqs = second.events().map((f) => f.channelSeq);
      expect(seqs).toEqual(Array.from({ length: total - 5 }, (_, i) => i + 6));
      expect(total).toBeGreaterThan(12);
    } finally {
      writing = false;
      await live;
      await second.close();
      await delivery.stop();
    }
  });

  it('a restarted service serves a resume and heartbeats on a quiet channel it never sent to (no new event needed)', async () => {
    const { t, ch } = await setup();
    const first = wire(stack);
    const a = await client(ch.url);
    await connected(t, ch.id);
    a.send({ action: 'resume', after: 0 });
    await a.until((f) => f.some((x) => x.type === 'bridge.resume-accepted'));
    for (let i = 0; i < 4; i++) await first.writer.write(t.id, 'pbx', callDraft('alice', `q${i}`));
    await a.until(() => a.events().length === 4);
    await a.close();
    await first.delivery.stop(); // the connector restarts (a deploy)

    // A new service process; the client reconnects and resumes (both flag the channel); the PBX stays quiet.
    const second = wire(stack, { heartbeatMs: 200 });
    const b = await client(ch.url);
    try {
      await connected(t, ch.id);
      b.send({ action: 'resume', after: 1 });
      await b.until((f) => f.some((x) => x.type === 'bridge.resumed'));
      expect(b.events().map((f) => f.channelSeq)).toEqual([2, 3, 4]);
      expect(b.frames.find((x) => x.type === 'bridge.resumed')).toEqual({
        type: 'bridge.resumed',
        after: 1,
        lastSeq: 4,
      });
      await b.until((f) => f.some((x) => x.type === 'bridge.heartbeat'));
      expect(b.frames.find((x) => x.type === 'bridge.heartbeat').lastSeq).toBe(4);
    } finally {
      await b.close();
      await second.delivery.stop();
    }
  });

  it('a connection that stays open across a restart is found at start and keeps getting heartbeats', async () => {
    const { t, ch } = await setup();
    const first = wire(stack);
    const c = await client(ch.url);
    try {
      await connected(t, ch.id);
      c.send({ action: 'resume', after: 0 });
      await first.writer.write(t.id, 'pbx', callDraft('alice', 'h1'));
      await c.until(() => c.events().length === 1);
      await first.delivery.stop();
      // Long after any attention flag of this channel was seen and removed:
      const flags = await stack.deps.repos.deliveries.listAttention();
      for (const f of flags) await stack.deps.repos.deliveries.clearAttention(f.tenant, f.channel, f.at);
      const second = wire(stack, { heartbeatMs: 200 });
      try {
        await c.until((f) => f.some((x) => x.type === 'bridge.heartbeat'));
        expect(c.frames.find((x) => x.type === 'bridge.heartbeat').lastSeq).toBe(1);
      } finally {
        await second.delivery.stop();
      }
    } finally {
      await c.close();
    }
  });

  it('clears the connection on GoneException', async () => {
    const { t, ch } = await setup();
    await stack.deps.repos.channels.setConnection(t.id, ch.id, 'stale-connection-id', new Date());
    const { writer, delivery } = wire(stack, { resumeHoldMs: 0 });
    try {
      await writer.write(t.id, 'pbx', callDraft('alice', 'gone1'));
      await writer.write(t.id, 'pbx', callDraft('alice', 'gone2'));
      const r = await until(
        () => t.client.get(`/v1/channels/${ch.id}`),
        (x) => x.body.connectionId === null,
      );
      expect(r.body.connectionId).toBeNull();
      // The frames stay in the per-channel log for a later resume.
      expect((await t.client.get(`/v1/channels/${ch.id}/deliveries`)).body.items).toHaveLength(2);
    } finally {
      await delivery.stop();
    }
  });

  it('replaces a too-large event by a stub frame pointing at GET /v1/events; heartbeats keep the connection busy', async () => {
    const { t, ch } = await setup();
    const { writer, delivery } = wire(stack, { heartbeatMs: 150, resumeHoldMs: 100 });
    const c = await client(ch.url);
    try {
      await connected(t, ch.id);
      await writer.write(t.id, 'pbx', callDraft('alice', 'small'));
      const big = callDraft('alice', 'big');
      (big.data as any).call.remote.name = 'x'.repeat(140 * 1024);
      const e = (await writer.write(t.id, 'pbx', big))!;
      await writer.write(t.id, 'pbx', callDraft('alice', 'after'));
      await c.until((f) => f.filter((x) => x.channelSeq).length === 3);
      const stub = c.frames.find((x) => x.type === 'bridge.event-too-large');
      expect(stub).toMatchObject({
        channelSeq: 2,
        event: { id: e.id, type: 'call.received', seq: e.seq, link: 'pbx' },
      });
      expect(stub.size).toBeGreaterThan(140 * 1024);
      expect(c.frames.filter((x) => x.channelSeq).map((x) => x.channelSeq)).toEqual([1, 2, 3]);
      const fetched = await t.client.get(stub.url.replace(stack.httpUrl, ''));
      expect(fetched.body.items[0].id).toBe(e.id);
      await c.until((f) => f.some((x) => x.type === 'bridge.heartbeat'));
      expect(c.frames.find((x) => x.type === 'bridge.heartbeat')).toMatchObject({
        lastSeq: expect.any(Number),
        time: expect.any(String),
      });
    } finally {
      await c.close();
      await delivery.stop();
    }
  });

  it('batch framing: frames ready together travel in `events` messages within the size limit, live and on resume', async () => {
    const { t, ch } = await setup('batch');
    expect(ch.framing).toBe('batch');
    expect((await t.client.get(`/v1/channels/${ch.id}`)).body.framing).toBe('batch');
    const maxFrameBytes = 6000;
    const { writer, delivery } = wire(stack, { maxFrameBytes, resumeHoldMs: 5000 });
    /** The event frames inside a client's messages, in wire order. */
    const inner = (c: Awaited<ReturnType<typeof client>>) =>
      c.frames.flatMap((m) => (m.type === 'events' ? m.frames : []));
    const first = await client(ch.url);
    try {
      await connected(t, ch.id);
      first.send({ action: 'resume', after: 0 });
      await first.until((f) => f.some((x) => x.type === 'bridge.resumed'));
      // 40 events numbered in one batch, then a too-large one and one more.
      const evs = await writer.writeMany(
        t.id,
        'pbx',
        Array.from({ length: 40 }, (_, i) => callDraft('alice', `m${i}`)),
      );
      const big = callDraft('alice', 'big');
      (big.data as any).call.remote.name = 'x'.repeat(8000);
      const bigEvent = (await writer.write(t.id, 'pbx', big))!;
      await writer.write(t.id, 'pbx', callDraft('alice', 'after'));
      await first.until(() => inner(first).length === 42);
      // No event frame travels alone; the 40 went out in a few messages, each within the limit.
      expect(first.frames.filter((m) => m.type === 'event' || m.type === 'bridge.event-too-large')).toEqual(
        [],
      );
      const messages = first.frames.filter((m) => m.type === 'events');
      expect(messages.length).toBeLessThan(20);
      expect(Math.max(...messages.map((m) => m.frames.length))).toBeGreaterThan(1);
      for (const m of messages)
        expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(maxFrameBytes);
      expect(inner(first).map((f) => f.channelSeq)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
      expect(
        inner(first)
          .slice(0, 40)
          .map((f) => f.event.id),
      ).toEqual(evs.map((e) => e.id));
      expect(inner(first)[40]).toMatchObject({
        type: 'bridge.event-too-large',
        channelSeq: 41,
        event: { id: bigEvent.id, seq: bigEvent.seq },
      });
    } finally {
      await first.close();
    }

    // Away: 20 more; a new connection resumes after 30 and gets 31..62 in `events` messages, once each.
    await writer.writeMany(
      t.id,
      'pbx',
      Array.from({ length: 20 }, (_, i) => callDraft('bob', `n${i}`)),
    );
    // numbered and stored while nobody is connected (else the resume replays fewer and the rest follow live)
    await until(
      () => t.client.get(`/v1/channels/${ch.id}/deliveries?limit=200`),
      (r) => r.body.items.length === 62,
    );
    const second = await client(ch.url);
    try {
      await until(
        () => t.client.get(`/v1/channels/${ch.id}`),
        (r) => r.body.connectionId && r.body.connectionId !== null,
      );
      second.send({ action: 'resume', after: 30 });
      await second.until((f) => f.some((x) => x.type === 'bridge.resumed'));
      expect(inner(second).map((f) => f.channelSeq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 31));
      expect(second.frames.filter((m) => m.type === 'events').length).toBeLessThan(32);
      expect(second.frames.find((m) => m.type === 'bridge.resumed')).toMatchObject({
        after: 30,
        lastSeq: 62,
      });
    } finally {
      await second.close();
      await delivery.stop();
    }
  });

  it('batch framing: a frame the gateway refuses as too large (limit below maxFrameBytes) becomes its stub', async () => {
    const { t, ch } = await setup('batch');
    // The local gateway refuses messages above 128 KiB, as API Gateway does; delivery is told 512 KiB.
    const { writer, delivery } = wire(stack, { maxFrameBytes: 512 * 1024, resumeHoldMs: 100 });
    const c = await client(ch.url);
    const inner = () => c.frames.flatMap((m) => (m.type === 'events' ? m.frames : []));
    try {
      await connected(t, ch.id);
      const big = callDraft('alice', 'huge');
      (big.data as any).call.remote.name = 'x'.repeat(200 * 1024);
      const evs = await writer.writeMany(t.id, 'pbx', [
        callDraft('alice', 'before'),
        big,
        callDraft('alice', 'next'),
      ]);
      await c.until(() => inner().length === 3);
      expect(inner().map((f) => f.channelSeq)).toEqual([1, 2, 3]);
      expect(inner().map((f) => f.type)).toEqual(['event', 'bridge.event-too-large', 'event']);
      expect(inner()[1]).toMatchObject({ event: { id: evs[1]!.id } });
      expect(inner()[1].size).toBeGreaterThan(200 * 1024);
      expect([inner()[0].event.id, inner()[2].event.id]).toEqual([evs[0]!.id, evs[2]!.id]);
    } finally {
      await c.close();
      await delivery.stop();
    }
  });

  it('rejects an unknown framing with a problem naming the field', async () => {
    const t = await newTenantWithLink(stack);
    const r = await t.client.post('/v1/channels', { type: 'websocket', framing: 'ndjson' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(r.body.errors)).toContain('framing');
  });
});

describe('attention flags', () => {
  it('are listed whole, or only those set after a time', async () => {
    const { id: tenant } = await newTenantWithLink(stack);
    const repo = stack.deps.repos.deliveries;
    const at = Date.now();
    await repo.flagAttention(tenant, 'ch_old', at - 20_000);
    await repo.flagAttention(tenant, 'ch_new', at);
    const mine = (flags: { tenant: string; channel: string }[]) =>
      flags
        .filter((f) => f.tenant === tenant)
        .map((f) => f.channel)
        .sort();
    expect(mine(await repo.listAttention())).toEqual(['ch_new', 'ch_old']);
    expect(mine(await repo.listAttention(at - 5_000))).toEqual(['ch_new']);
    expect(mine(await repo.listAttention(at))).toEqual([]);
  });
});
