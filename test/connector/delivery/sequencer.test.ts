/**
 * WebSocket sequencer leases: one process at a time numbers a channel's deliveries. Two delivery services
 * feeding the same channel from two links (links of one tenant owned by two connector tasks) take turns,
 * and the client still sees one gap-free `channelSeq` sequence with each link's events in order. A
 * process that lost the lease while frozen (a zombie) cannot store its late batch: the process taking
 * the channel over fences the zombie's frame journal.
 */
import {
  ApiGatewayManagementApiClient,
  type PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { LocalStack } from '../../../local/stack.js';
import type { Db } from '../../../shared/db/client.js';
import { ChannelLogRepo } from '../../../shared/repos/channel-log.js';
import { FrameJournalRepo } from '../../../shared/repos/frame-journal.js';
import { keys } from '../../../shared/repos/keys.js';
import { newTenantWithLink, testStack } from '../../support/stack.js';
import { callDraft, connectedChannel, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

/**
 * A frame journal whose appends can be frozen after the batch's lease check (the guard) passed: a
 * process that stalls at the worst moment. `freeze()` arms it; `frozen` resolves when an append waits;
 * `thaw()` lets it go; `landed` resolves when that append is done (stored or refused).
 */
class FreezableJournal extends FrameJournalRepo {
  private gate: Promise<void> | null = null;
  private release = () => undefined as void;
  private onFrozen = () => undefined as void;
  private onLanded = () => undefined as void;
  readonly frozen = new Promise<void>((r) => (this.onFrozen = r));
  readonly landed = new Promise<void>((r) => (this.onLanded = r));

  freeze() {
    this.gate = new Promise<void>((r) => (this.release = r));
  }

  thaw() {
    this.gate = null;
    this.release();
  }

  override async append(...args: Parameters<FrameJournalRepo['append']>) {
    const gate = this.gate;
    if (!gate) return super.append(...args);
    this.onFrozen();
    await gate;
    try {
      return await super.append(...args);
    } finally {
      this.onLanded();
    }
  }
}

/** A channel log over a freezable journal (the write a batch's frames wait for). */
class FreezableLog extends ChannelLogRepo {
  constructor(
    db: Db,
    readonly frozenJournal = new FreezableJournal(db),
  ) {
    super(db, frozenJournal);
  }
  freeze = () => this.frozenJournal.freeze();
  thaw = () => this.frozenJournal.thaw();
  get frozen() {
    return this.frozenJournal.frozen;
  }
  get landed() {
    return this.frozenJournal.landed;
  }
}

/** The stack's deps with another channel log. */
const withLog = (log: ChannelLogRepo) => ({
  ...stack.deps,
  repos: { ...stack.deps.repos, channelLog: log },
});

/** The channel's sequencer lease as its holder would leave it by stalling past it. */
async function lapseSequencer(tenant: string, channel: string) {
  await stack.deps.db.doc.send(
    new UpdateCommand({
      TableName: stack.deps.db.table,
      Key: keys.deliveryState(tenant, channel),
      UpdateExpression: 'SET seqOwner = :o, seqUntil = :u',
      ExpressionAttributeValues: { ':o': 'lapsed-holder', ':u': 0 },
    }),
  );
}

describe('WebSocket sequencer lease', () => {
  it('two processes delivering to one channel take turns: one gap-free channelSeq, per-link order kept', async () => {
    const t = await newTenantWithLink(stack);
    expect(
      (
        await t.client.post('/v1/links', {
          id: 'pbx2',
          vendor: 'broadworks-cti',
          endpoint: 'tcp://127.0.0.1:9',
          credentials: { username: 'u', password: 'p' },
        })
      ).status,
    ).toBe(201);
    const ch = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
    for (const link of ['pbx', 'pbx2'])
      expect(
        (
          await t.client.post('/v1/subscriptions', {
            channel: ch.id,
            link,
            target: { type: 'system' },
            events: ['call'],
          })
        ).status,
      ).toBe(201);
    const ws = new WebSocket(ch.url);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise<void>(
      (resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)),
    );
    await until(
      () => t.client.get(`/v1/channels/${ch.id}`),
      (r) => typeof r.body.connectionId === 'string',
    );
    ws.send(JSON.stringify({ action: 'resume', after: 0 }));

    const a = wire(stack);
    const b = wire(stack);
    try {
      const sent: { link: string; id: string }[] = [];
      // Both links busy at once: each process keeps wanting the channel while the other holds it.
      await Promise.all(
        (['pbx', 'pbx2'] as const).map(async (link, n) => {
          const writer = (n === 0 ? a : b).writer;
          for (let i = 0; i < 12; i++) {
            const e = (await writer.write(t.id, link, callDraft(`u${n}`, `${link}-c${i}`)))!;
            sent.push({ link, id: e.id });
            await new Promise((r) => setTimeout(r, 100));
          }
        }),
      );
      const events = () => frames.filter((f) => f.type === 'event');
      // What a client processes: it drops a channelSeq it already has (a holder that stalls past its lease
      // under load is taken over, and its last frames are posted again: docs/delivery.md).
      const processed = () => {
        let last = 0;
        return events().filter((f) => (f.channelSeq > last ? ((last = f.channelSeq), true) : false));
      };
      await until(
        async () => processed().length,
        (n) => n >= sent.length,
        20_000,
      ).catch((err: Error) => {
        throw new Error(
          `${err.message}; frames received: ${JSON.stringify(events().map((f) => f.channelSeq))}`,
        );
      });
      const raw = events().map((f) => f.channelSeq as number);
      expect(raw).toEqual([...raw].sort((x, y) => x - y)); // in order; a repeat only of the last seqs
      const got = processed();
      expect(got.map((f) => f.channelSeq)).toEqual(got.map((_, i) => i + 1)); // no gap
      expect(new Set(got.map((f) => f.event.id)).size).toBe(sent.length);
      for (const link of ['pbx', 'pbx2'])
        expect(got.filter((f) => f.event.link === link).map((f) => f.event.id)).toEqual(
          sent.filter((s) => s.link === link).map((s) => s.id),
        );
      // The stored log agrees with what was sent live.
      const items = (await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`)).body.items;
      expect(items.map((d: any) => [d.seq, d.eventId])).toEqual(got.map((f) => [f.channelSeq, f.event.id]));
    } finally {
      ws.close();
      await a.delivery.stop();
      await b.delivery.stop();
    }
  });

  it("one record renews all of a process's leases: a busy channel's STATE is not written between moves, and a live holder's lapsed stamp is not taken over", async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws, events } = await connectedChannel(t, ['pbx', 'pbx2']);
    const repo = stack.deps.repos.deliveries;
    const renewals = vi.spyOn(repo, 'renewSequencer');
    const records = vi.spyOn(stack.deps.repos.sequencerHolders, 'renew');
    // Frames wait in the journal for a minute: nothing moves into the channel's log during the test.
    const a = wire(stack, { consolidateMs: 60_000 });
    const b = wire(stack);
    try {
      // A steady trickle while A renews its record four times (every third of the 1 s lease).
      const sent: string[] = [];
      while (records.mock.calls.length < 4) {
        sent.push((await a.writer.write(t.id, 'pbx', callDraft('u0', `h${sent.length}`)))!.id);
        await new Promise((r) => setTimeout(r, 100));
      }
      await until(
        async () => events().length,
        (n) => n === sent.length,
      );
      expect(renewals).not.toHaveBeenCalled();
      const held = await repo.sequencerOf(t.id, ch.id);
      expect(held?.owner).toBe(a.delivery.id);
      expect(held!.untilMs).toBeLessThan(Date.now()); // the stamp of the acquire lapsed; the record holds
      const state = await stack.deps.db.doc.send(
        new GetCommand({ TableName: stack.deps.db.table, Key: keys.deliveryState(t.id, ch.id) }),
      );
      const inc = state.Item!.jInc as string;
      // B needs the channel for its own link's event: A hands it over (B asked, or A went idle); B does
      // not take it over, so A's journal is not fenced.
      const eb = (await b.writer.write(t.id, 'pbx2', callDraft('u1', 'hb')))!;
      await until(
        async () => events().at(-1)?.[1],
        (id) => id === eb.id,
      );
      expect(events()).toEqual([...sent, eb.id].map((id, i) => [i + 1, id]));
      expect((await stack.deps.repos.channelLog.journal.head(inc)).fenced).toBe(false);
    } finally {
      renewals.mockRestore();
      records.mockRestore();
      ws.close();
      await a.delivery.stop();
      await b.delivery.stop();
    }
  });

  it('a frame numbered by a process that crashed before posting it is posted by the next holder', async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws, frames } = await connectedChannel(t);
    ws.send(JSON.stringify({ action: 'resume', after: 0 }));
    // The first process's PostToConnection of channelSeq 2 never completes: it dies with that frame
    // numbered and stored but not posted.
    const mgmt = new ApiGatewayManagementApiClient({
      endpoint: stack.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const send = mgmt.send.bind(mgmt) as (c: PostToConnectionCommand) => Promise<unknown>;
    mgmt.send = ((c: PostToConnectionCommand) =>
      JSON.parse(Buffer.from(c.input.Data as Uint8Array).toString()).channelSeq >= 2
        ? new Promise(() => undefined)
        : send(c)) as typeof mgmt.send;
    const first = wire(stack, { managementClient: mgmt });
    const second = wire(stack);
    try {
      const e1 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'k1')))!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n === 1,
      );
      // The holder has recorded that seq 1 reached the connection (its lease renewal).
      await until(
        () => stack.deps.repos.deliveries.getState(t.id, ch.id),
        (s) => s.sent === 1,
      );
      const e2 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'k1', 'call.answered')))!;
      await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items.length === 2,
      );
      first.delivery.kill();
      // The next event of the channel reaches another process, which takes the sequencer over once the
      // dead holder's lease lapses.
      const e3 = (await second.writer.write(t.id, 'pbx', callDraft('alice', 'k1', 'call.released')))!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n === 3,
      );
      expect(frames.filter((f) => f.type === 'event').map((f) => [f.channelSeq, f.event.id])).toEqual([
        [1, e1.id],
        [2, e2.id],
        [3, e3.id],
      ]);
    } finally {
      ws.close();
      await second.delivery.stop();
      mgmt.destroy();
    }
  });

  it('a process frozen between its lease check and its write (its lease taken meanwhile) stores and posts nothing; its event is delivered once, later', async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws, events, settled } = await connectedChannel(t, ['pbx', 'pbx2']);
    const log = new FreezableLog(stack.deps.db);
    const a = wire(stack, { deps: withLog(log) });
    const b = wire(stack);
    try {
      const e0 = (await a.writer.write(t.id, 'pbx', callDraft('u0', 'z0')))!;
      await until(
        async () => events().length,
        (n) => n === 1,
      );
      log.freeze();
      const e1 = (await a.writer.write(t.id, 'pbx', callDraft('u0', 'z1')))!;
      await log.frozen;
      // A is frozen with channelSeq 2 numbered. Its lease lapses and B takes the sequencer over.
      await lapseSequencer(t.id, ch.id);
      const e2 = (await b.writer.write(t.id, 'pbx2', callDraft('u1', 'z2')))!;
      await until(
        async () => events().length,
        (n) => n === 2,
      );
      // A wakes and sends its write: B fenced A's journal when it took the channel, so A's is refused.
      log.thaw();
      // A's catch-up matches its event again and it is numbered after B's, once.
      expect(await settled(3)).toEqual([
        [1, e0.id],
        [2, e2.id],
        [3, e1.id],
      ]);
      const items = (await t.client.get(`/v1/channels/${ch.id}/deliveries`)).body.items;
      expect(items.map((d: any) => [d.seq, d.eventId])).toEqual(events());
    } finally {
      log.thaw();
      ws.close();
      await a.delivery.stop();
      await b.delivery.stop();
    }
  });
});

/**
 * A deliveries repository whose sequencer acquires wait while it is frozen, and that records which
 * connections' pending resume a sync read, and which connections' holds were started.
 */
function gatedDeliveries() {
  const real = stack.deps.repos.deliveries;
  let gate: Promise<void> | null = null;
  let release = () => undefined as void;
  let waiting = 0;
  const resumesRead = new Set<string>();
  const holdsStarted = new Set<string>();
  const repo = Object.create(real) as typeof real;
  repo.acquireSequencer = async (...args) => {
    if (gate) {
      waiting++;
      await gate;
    }
    return real.acquireSequencer.apply(repo, args);
  };
  // the sync's own read (startHold reads the state too, through the same object)
  let inStartHold = 0;
  repo.getState = async (...args) => {
    const mine = inStartHold === 0;
    const st = await real.getState.apply(repo, args);
    if (mine && st.resume && !st.resume.done) resumesRead.add(st.resume.connectionId);
    return st;
  };
  repo.startHold = async (...args) => {
    inStartHold++;
    const from = await real.startHold.apply(repo, args).finally(() => inStartHold--);
    holdsStarted.add(args[2]);
    return from;
  };
  return {
    deps: { ...stack.deps, repos: { ...stack.deps.repos, deliveries: repo } },
    freeze: () => void (gate = new Promise<void>((r) => (release = r))),
    thaw: () => ((gate = null), release()),
    /** An acquire waits at the gate. */
    frozen: () =>
      until(
        async () => waiting,
        (n) => n > 0,
      ),
    /** A sync read the connection's resume, and its hold was started (by that sync or before). */
    resumeReached: async (conn: string) => {
      await until(
        async () => resumesRead.has(conn) && holdsStarted.has(conn),
        (ok) => ok,
      );
      // what follows in that sync (taking the sequencer) is synchronous up to the acquire it waits on
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

describe('a resume served while this process takes the sequencer over', () => {
  it("replays from the resume point even when a batch's acquire, not the resume's, took the lease", async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws } = await connectedChannel(t);
    const first = wire(stack);
    const gated = gatedDeliveries();
    let second: ReturnType<typeof wire> | undefined;
    let ws2: WebSocket | undefined;
    try {
      const e1 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'r1')))!;
      const e2 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'r1', 'call.answered')))!;
      // Both reached the first connection, and the holder recorded that (so a takeover re-sends nothing).
      await until(
        () => stack.deps.repos.deliveries.getState(t.id, ch.id),
        (s) => s.sent === 2,
      );
      first.delivery.kill();
      await lapseSequencer(t.id, ch.id);
      // The client processed only the first frame; it reconnects and resumes after it.
      second = wire(stack, { deps: gated.deps });
      gated.freeze();
      const e3 = second.writer.write(t.id, 'pbx', callDraft('alice', 'r1', 'call.released'));
      // The batch of e3 is taking the sequencer over (its acquire waits)...
      await gated.frozen();
      const conn1 = (await t.client.get(`/v1/channels/${ch.id}`)).body.connectionId as string;
      ws2 = new WebSocket(ch.url);
      const frames: any[] = [];
      ws2.on('message', (d) => frames.push(JSON.parse(d.toString())));
      await new Promise<void>((r, j) => (ws2!.once('open', () => r()), ws2!.once('error', j)));
      const conn2 = await until(
        async () => (await t.client.get(`/v1/channels/${ch.id}`)).body.connectionId as string,
        (c) => typeof c === 'string' && c !== conn1,
      );
      ws.terminate();
      ws2.send(JSON.stringify({ action: 'resume', after: 1 }));
      // ...when the check serving the resume asks for it too, and waits behind it.
      await gated.resumeReached(conn2);
      gated.thaw();
      const ev3 = (await e3)!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n >= 2,
      );
      const resumed = frames.find((f) => f.type === 'bridge.resumed');
      expect(resumed).toMatchObject({ after: 1, lastSeq: 2 });
      const got = new Map(frames.filter((f) => f.type === 'event').map((f) => [f.channelSeq, f.event.id]));
      expect([...got].sort(([x], [y]) => x - y)).toEqual([
        [2, e2.id],
        [3, ev3.id],
      ]);
      void e1;
    } finally {
      gated.thaw();
      ws.close();
      ws2?.close();
      await second?.delivery.stop();
    }
  });
  it('a reconnect without a resume, noticed first by a process that does not number the channel, goes live from the head at that moment, not from the first frame', async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws } = await connectedChannel(t);
    // The numbering process keeps its lease (idle release after 3 s) and frames in its journal (STATE's
    // `next` stays 0), and checks its connections only every minute: the other process notices first.
    const first = wire(stack, { sequencerLeaseMs: 6_000, channelCacheMs: 60_000, connectionScanMs: 60_000 });
    const second = wire(stack);
    let ws2: WebSocket | undefined;
    try {
      await first.writer.write(t.id, 'pbx', callDraft('alice', 'h1'));
      await first.writer.write(t.id, 'pbx', callDraft('alice', 'h1', 'call.answered'));
      await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items.length === 2,
      );
      const conn1 = (await t.client.get(`/v1/channels/${ch.id}`)).body.connectionId as string;
      ws2 = new WebSocket(ch.url);
      const frames: any[] = [];
      ws2.on('message', (d) => frames.push(JSON.parse(d.toString())));
      await new Promise<void>((r, j) => (ws2!.once('open', () => r()), ws2!.once('error', j)));
      ws.terminate();
      const conn2 = await until(
        async () => (await t.client.get(`/v1/channels/${ch.id}`)).body.connectionId as string,
        (c) => typeof c === 'string' && c !== conn1,
      );
      const held = await until(
        () => stack.deps.repos.deliveries.getState(t.id, ch.id),
        (s) => s.hold?.connectionId === conn2,
      );
      expect(held.next).toBe(0);
      expect(held.hold!.from).toBe(3);
      // No resume: the hold ends after `resumeHoldMs` and the connection goes live.
      await until(
        () => stack.deps.repos.deliveries.getState(t.id, ch.id),
        (s) => s.liveConn === conn2,
      );
      const e3 = (await second.writer.write(t.id, 'pbx', callDraft('alice', 'h1', 'call.released')))!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n >= 1,
      );
      // Frames are posted in order on one connection: a replay of 1 and 2 would have come first.
      expect(frames.filter((f) => f.type === 'event').map((f) => [f.channelSeq, f.event.id])).toEqual([
        [3, e3.id],
      ]);
    } finally {
      ws.close();
      ws2?.close();
      await first.delivery.stop();
      await second.delivery.stop();
    }
  });
});

describe('re-matching a WebSocket channel after a takeover', () => {
  it("a frozen process's late write that lands while the new owner takes the channel is adopted, not numbered again", async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws, events, settled } = await connectedChannel(t);
    const aLog = new FreezableLog(stack.deps.db);
    // B, taking the channel's sequencer over, is about to fence A's journal: A's write lands just before
    // (the worst moment). The fence goes after it, so B adopts A's frame and its re-matching skips it.
    let released = false;
    class LateJournal extends FrameJournalRepo {
      override async fence(...args: Parameters<FrameJournalRepo['fence']>) {
        if (!released) {
          released = true;
          aLog.thaw();
          await aLog.landed;
        }
        return super.fence(...args);
      }
    }
    const a = wire(stack, { deps: withLog(aLog), watermarkMs: 50 });
    const b = wire(stack, {
      deps: withLog(new ChannelLogRepo(stack.deps.db, new LateJournal(stack.deps.db))),
    });
    try {
      const e0 = (await a.writer.write(t.id, 'pbx', callDraft('u0', 'l0')))!;
      await until(
        async () => events().length,
        (n) => n === 1,
      );
      await until(
        () => stack.deps.repos.deliveries.getWatermark(t.id, 'pbx'),
        (w) => w === e0.seq,
      );
      aLog.freeze();
      const e1 = (await a.writer.write(t.id, 'pbx', callDraft('u0', 'l1')))!;
      await aLog.frozen;
      // A is frozen with e1 numbered 2; its leases lapse and B takes the link over.
      await lapseSequencer(t.id, ch.id);
      await b.delivery.linkOwned(t.id, 'pbx');
      expect(released).toBe(true);
      const e2 = (await b.writer.write(t.id, 'pbx', callDraft('u0', 'l2')))!;
      expect(await settled(3)).toEqual([
        [1, e0.id],
        [2, e1.id],
        [3, e2.id],
      ]);
    } finally {
      aLog.thaw();
      ws.close();
      await a.delivery.stop();
      await b.delivery.stop();
    }
  });
});
