/**
 * The frame journal against DynamoDB Local: one write holds every channel's frames of a batch, a
 * channel's readers add the frames its STATE points at to its segments, a fence refuses the fenced
 * incarnation's next write, a batch too large for one item is split; and, through a delivery service,
 * frames move from the journal into the channel's log while the sequencer is held.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack.js';
import { JournalFencedError } from '../../../shared/repos/frame-journal.js';
import { keys } from '../../../shared/repos/keys.js';
import { newTenantWithLink, testStack } from '../../support/stack.js';
import { callDraft, connectedChannel, frameRows, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

const TENANT = 'default';
const uid = () => randomBytes(6).toString('hex');
const frames = frameRows;

/** Points the channel's STATE at a journal, as a sequencer holder does. */
const pointAt = (channel: string, inc: string, pos: number) =>
  stack.deps.db.doc.send(
    new UpdateCommand({
      TableName: stack.deps.db.table,
      Key: keys.deliveryState(TENANT, channel),
      UpdateExpression: 'SET jInc = :i, jPos = :p',
      ExpressionAttributeValues: { ':i': inc, ':p': pos },
    }),
  );

describe('frame journal', () => {
  it("holds a batch's frames of every channel in one entry; readers merge a channel's tail with its segments", async () => {
    const log = stack.deps.repos.channelLog;
    const journal = log.journal;
    const inc = `test.${uid()}`;
    const [a, b] = [`ch_${uid()}`, `ch_${uid()}`];
    const now = new Date();
    expect(
      await journal.append(
        inc,
        1,
        [
          { tenant: TENANT, channel: a, first: 1, frames: frames('pbx', 10, 3) },
          { tenant: TENANT, channel: b, first: 1, frames: frames('pbx', 10, 2) },
        ],
        1,
        now,
      ),
    ).toBe(2);
    expect(
      await journal.append(
        inc,
        2,
        [{ tenant: TENANT, channel: a, first: 4, frames: frames('pbx', 20, 2) }],
        1,
        now,
      ),
    ).toBe(3);
    expect(await journal.head(inc)).toEqual({ pos: 2, fenced: false });
    // from a position on, one channel's frames only
    const fromTwo = await journal.framesOf({ inc, pos: 2 }, TENANT, a, new Date());
    expect(fromTwo.map((f) => [f.seq, f.eventSeq])).toEqual([
      [4, 20],
      [5, 21],
    ]);
    expect((await journal.framesOf({ inc, pos: 1 }, TENANT, b, new Date())).map((f) => f.seq)).toEqual([
      1, 2,
    ]);

    // Without a pointer the channel has nothing; with one, its readers see the journaled frames.
    expect(await log.head(TENANT, a)).toBe(0);
    await pointAt(a, inc, 1);
    expect(await log.head(TENANT, a)).toBe(5);
    expect((await log.range(TENANT, a, 2, 5, new Date())).map((f) => [f.seq, f.eventSeq])).toEqual([
      [2, 11],
      [3, 12],
      [4, 20],
      [5, 21],
    ]);
    // Moved into a segment (frames 1..3), the frames are listed once.
    expect(
      await log.append(
        [{ tenant: TENANT, channel: a, first: 1, frames: frames('pbx', 10, 3) }],
        1,
        new Date(),
      ),
    ).toEqual([{ stored: true }]);
    expect(await log.segmentHead(TENANT, a)).toBe(3);
    const page = await log.page(TENANT, a, { limit: 10, now: new Date() });
    expect(page.items.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.nextCursor).toBeNull();
    expect([...(await log.since(TENANT, a, new Date(0).toISOString()))].sort()).toEqual(
      ['pbx#10', 'pbx#11', 'pbx#12', 'pbx#20', 'pbx#21'].sort(),
    );
  });

  it("fences: the fenced incarnation's next write stores nothing; a write that landed first is kept", async () => {
    const journal = stack.deps.repos.channelLog.journal;
    const inc = `test.${uid()}`;
    const ch = `ch_${uid()}`;
    const batch = (first: number) => [
      { tenant: TENANT, channel: ch, first, frames: frames('pbx', first, 1) },
    ];
    expect(await journal.append(inc, 1, batch(1), 1, new Date())).toBe(2);
    // A write that lands before the fence is followed by it: the fence goes after the journal's end.
    expect(await journal.append(inc, 2, batch(2), 1, new Date())).toBe(3);
    await journal.fence(inc, 1, new Date());
    expect(await journal.head(inc)).toEqual({ pos: 3, fenced: true });
    await expect(journal.append(inc, 3, batch(3), 1, new Date())).rejects.toBeInstanceOf(JournalFencedError);
    // idempotent: a second fence adds nothing
    await journal.fence(inc, 1, new Date());
    expect(await journal.head(inc)).toEqual({ pos: 3, fenced: true });
    expect((await journal.framesOf({ inc, pos: 1 }, TENANT, ch, new Date())).map((f) => f.seq)).toEqual([
      1, 2,
    ]);
  });

  it('splits a batch too large for one item into entries, written all together', async () => {
    const journal = stack.deps.repos.channelLog.journal;
    const inc = `test.${uid()}`;
    // Random event ids do not compress: about 1.5 MB of frames, several items' worth.
    const channels = Array.from({ length: 300 }, () => `ch_${uid()}`);
    const batch = channels.map((channel) => ({
      tenant: TENANT,
      channel,
      first: 1,
      frames: Array.from({ length: 100 }, (_, i) => ({
        link: 'pbx',
        eventSeq: i + 1,
        eventId: `evt_${randomBytes(12).toString('hex')}`,
        eventType: 'call.received',
      })),
    }));
    const next = await journal.append(inc, 1, batch, 1, new Date());
    expect(next).toBeGreaterThan(2);
    expect(await journal.head(inc)).toEqual({ pos: next - 1, fenced: false });
    for (const i of [0, 150, 299]) {
      const got = await journal.framesOf({ inc, pos: 1 }, TENANT, channels[i]!, new Date());
      expect(got.map((f) => f.eventId)).toEqual(batch[i]!.frames.map((f) => f.eventId));
    }
  });
});

describe('frames move from the journal into the channel log', () => {
  it('while the sequencer is held, in segments; the listing and a resume see every frame before and after', async () => {
    const t = await newTenantWithLink(stack);
    const { ch, ws, frames: got } = await connectedChannel(t);
    // Renewals every 2 s (a third of the lease), an idle release after 3 s, frames move after 200 ms.
    const { writer, delivery } = wire(stack, { sequencerLeaseMs: 6000, consolidateMs: 200 });
    const log = stack.deps.repos.channelLog;
    try {
      const evs = [];
      for (let i = 0; i < 4; i++) evs.push((await writer.write(t.id, 'pbx', callDraft('alice', `j${i}`)))!);
      await until(
        async () => got.filter((f) => f.type === 'event').length,
        (n) => n === 4,
      );
      // Listed at once (from the journal), whether or not they moved yet.
      const listed = async () =>
        (await t.client.get(`/v1/channels/${ch.id}/deliveries`)).body.items.map((d: any) => [
          d.seq,
          d.eventId,
        ]);
      expect(await listed()).toEqual(evs.map((e, i) => [i + 1, e.id]));
      // Moved into the channel's own log at the next renewal, the lease still held, and the channel's
      // pointer moved past them.
      const state = async () =>
        (
          await stack.deps.db.doc.send(
            new GetCommand({ TableName: stack.deps.db.table, Key: keys.deliveryState(t.id, ch.id) }),
          )
        ).Item!;
      await until(
        async () => [await log.segmentHead(t.id, ch.id), (await state()).jPos],
        ([head, jPos]) => head === 4 && jPos > 1,
        10_000,
      );
      expect(typeof (await state()).seqOwner).toBe('string');
      expect(await listed()).toEqual(evs.map((e, i) => [i + 1, e.id]));
      // A resume after 1 replays 2..4 (from segments now), then the next live frame is 5.
      ws.send(JSON.stringify({ action: 'resume', after: 1 }));
      await until(
        async () => got.some((f) => f.type === 'bridge.resumed'),
        (ok) => ok,
      );
      const replayed = got
        .slice(got.findIndex((f) => f.type === 'bridge.resume-accepted'))
        .filter((f) => f.type === 'event')
        .map((f) => f.channelSeq);
      expect(replayed).toEqual([2, 3, 4]);
      const e5 = (await writer.write(t.id, 'pbx', callDraft('alice', 'j4')))!;
      await until(
        async () => got.filter((f) => f.type === 'event').at(-1)?.event.id,
        (id) => id === e5.id,
      );
      expect(got.filter((f) => f.type === 'event').at(-1).channelSeq).toBe(5);
    } finally {
      ws.close();
      await delivery.stop();
    }
  });
});
