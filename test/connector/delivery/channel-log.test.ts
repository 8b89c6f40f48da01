/**
 * The WebSocket channel log in segments, against DynamoDB Local: appends fenced at their first seq,
 * reads and pages across segment boundaries, the head, and the re-matching lookup.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ChannelLogRepo, MAX_SEGMENT_FRAMES, segmentsOf } from '../../../shared/repos/channel-log.js';
import type { Db } from '../../../shared/db/client.js';
import { keys } from '../../../shared/repos/keys.js';
import { testStack } from '../../support/stack.js';
import { frameRows } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

const TENANT = 'default';
const frames = frameRows;

describe('channel log', () => {
  it('tiles a channel: segments of several frames, read and paged across their boundaries', async () => {
    const log = stack.deps.repos.channelLog;
    const ch = `ch_${randomBytes(6).toString('hex')}`;
    expect(await log.head(TENANT, ch)).toBe(0);
    const now = new Date();
    // 1..3 from link a, 4 from link b, 5..9 from link a
    const out = await log.append(
      [
        { tenant: TENANT, channel: ch, first: 1, frames: frames('a', 10, 3) },
        { tenant: TENANT, channel: ch, first: 4, frames: frames('b', 7, 1) },
        { tenant: TENANT, channel: ch, first: 5, frames: frames('a', 13, 5) },
      ],
      1,
      now,
    );
    expect(out).toEqual([{ stored: true }, { stored: true }, { stored: true }]);
    expect(await log.head(TENANT, ch)).toBe(9);

    const mid = await log.range(TENANT, ch, 2, 6, new Date());
    expect(mid.map((f) => [f.seq, f.link, f.eventSeq])).toEqual([
      [2, 'a', 11],
      [3, 'a', 12],
      [4, 'b', 7],
      [5, 'a', 13],
      [6, 'a', 14],
    ]);
    expect((await log.range(TENANT, ch, 9, 20, new Date())).map((f) => f.seq)).toEqual([9]);
    expect(await log.range(TENANT, ch, 10, 20, new Date())).toEqual([]);

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.page(TENANT, ch, { limit: 4, cursor, now: new Date() });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((f) => f.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expect(log.page(TENANT, 'ch_other', { limit: 4, cursor: 'bm9wZQ', now })).rejects.toThrow(/cursor/);

    const since = await log.since(TENANT, ch, new Date(now.getTime() - 1000).toISOString());
    expect([...since].sort()).toEqual(
      ['a#10', 'a#11', 'a#12', 'a#13', 'a#14', 'a#15', 'a#16', 'a#17', 'b#7'].sort(),
    );
    expect((await log.since(TENANT, ch, new Date(now.getTime() + 60_000).toISOString())).size).toBe(0);
  });

  it('refuses a second segment at a seq already written (a writer with a stale head stores nothing)', async () => {
    const log = stack.deps.repos.channelLog;
    const ch = `ch_${randomBytes(6).toString('hex')}`;
    const now = new Date();
    expect(
      await log.append([{ tenant: TENANT, channel: ch, first: 1, frames: frames('a', 1, 2) }], 1, now),
    ).toEqual([{ stored: true }]);
    // the other writer also believes the head is 0
    const [r] = await log.append(
      [{ tenant: TENANT, channel: ch, first: 1, frames: frames('b', 1, 5) }],
      1,
      now,
    );
    expect(r).toMatchObject({ stored: false, conflict: true });
    expect((await log.range(TENANT, ch, 1, 10, new Date())).map((f) => f.link)).toEqual(['a', 'a']);
    // a guard that throws stops the append before its request
    const [g] = await log.append(
      [{ tenant: TENANT, channel: ch, first: 3, frames: frames('a', 3, 1) }],
      1,
      now,
      () => {
        throw new Error('lease lost');
      },
    );
    expect(g).toMatchObject({ stored: false, conflict: false });
    expect(await log.head(TENANT, ch)).toBe(2);
  });

  it('in transactions: many segments per request; a conflict stores none of its transaction, and says which', async () => {
    const log = stack.deps.repos.channelLog;
    const now = new Date();
    const chans = Array.from({ length: 150 }, () => `ch_${randomBytes(6).toString('hex')}`);
    // one segment already on the 120th channel, at the seq the batch is about to use
    await log.append([{ tenant: TENANT, channel: chans[119]!, first: 1, frames: frames('z', 1, 1) }], 1, now);
    const out = await log.append(
      chans.map((channel, i) => ({ tenant: TENANT, channel, first: 1, frames: frames('a', i, 2) })),
      1,
      now,
      undefined,
      'transaction',
    );
    // two transactions: 1..100 stored; 101..150 refused because of the 120th
    expect(out.slice(0, 100).every((o) => o.stored)).toBe(true);
    expect(out.slice(100).some((o) => o.stored)).toBe(false);
    expect(out.map((o, i) => (!o.stored && o.conflict ? i : -1)).filter((i) => i >= 0)).toEqual([119]);
    expect(await log.head(TENANT, chans[0]!)).toBe(2);
    expect(await log.head(TENANT, chans[100]!)).toBe(0);
    expect((await log.range(TENANT, chans[119]!, 1, 5, new Date())).map((f) => f.link)).toEqual(['z']);
  });

  it('splits a long run of frames into segments of at most MAX_SEGMENT_FRAMES', () => {
    const segs = segmentsOf(TENANT, 'ch', 5, frames('a', 1, MAX_SEGMENT_FRAMES * 2 + 1));
    expect(segs.map((s) => [s.first, s.frames.length])).toEqual([
      [5, MAX_SEGMENT_FRAMES],
      [5 + MAX_SEGMENT_FRAMES, MAX_SEGMENT_FRAMES],
      [5 + 2 * MAX_SEGMENT_FRAMES, 1],
    ]);
  });
});

describe('channel log reads while the holder moves its journal into segments', () => {
  /**
   * A channel whose frames 1..3 are in a journal entry its STATE points at, and a reader whose two reads
   * (the pointer, and the channel's segments) have the holder's move land between them: the frames are
   * appended as a segment and the pointer goes past them, as a consolidation does. Whichever read goes
   * first, the second waits for it, then for the move.
   */
  async function movedBetweenReads() {
    const base = stack.deps.repos.channelLog;
    const db = stack.deps.db;
    const ch = `ch_${randomBytes(6).toString('hex')}`;
    const inc = `dlv_test.${randomBytes(4).toString('hex')}.0`;
    const now = new Date();
    const rows = frameRows('a', 40, 3);
    await base.journal.append(inc, 1, [{ tenant: TENANT, channel: ch, first: 1, frames: rows }], 1, now);
    const setPointer = (pos: number) =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.deliveryState(TENANT, ch),
          UpdateExpression: 'SET jInc = :i, jPos = :p',
          ExpressionAttributeValues: { ':i': inc, ':p': pos },
        }),
      );
    await setPointer(1);
    const move = async () => {
      await base.append([{ tenant: TENANT, channel: ch, first: 1, frames: rows }], 1, new Date());
      await setPointer(2);
    };

    const partition = keys.deliveryPartition(TENANT, ch);
    const kindOf = (input: Record<string, unknown>) => {
      const key = input.Key as { pk?: string; sk?: string } | undefined;
      if (key?.pk === partition && key.sk === 'STATE') return 'pointer';
      const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
      return values?.[':p'] === partition ? 'segments' : null;
    };
    let first: { kind: string; done: Promise<unknown> } | null = null;
    let moved = false;
    const send = (async (command: { input: Record<string, unknown> }) => {
      const kind = kindOf(command.input);
      if (kind && !moved) {
        if (!first) {
          const done = db.doc.send(command as never);
          first = { kind, done: done.catch(() => undefined) };
          return done;
        }
        if (first.kind !== kind) {
          await first.done;
          await move();
          moved = true;
        }
      }
      return db.doc.send(command as never);
    }) as Db['doc']['send'];
    const reader = new ChannelLogRepo({ table: db.table, doc: { send } as unknown as Db['doc'] });
    return { reader, ch, wasMoved: () => moved };
  }

  it('range() returns every frame once', async () => {
    const { reader, ch, wasMoved } = await movedBetweenReads();
    const got = await reader.range(TENANT, ch, 1, 3, new Date());
    expect(wasMoved()).toBe(true);
    expect(got.map((f) => [f.seq, f.eventSeq])).toEqual([
      [1, 40],
      [2, 41],
      [3, 42],
    ]);
  });

  it('head() counts the moved frames', async () => {
    const { reader, ch, wasMoved } = await movedBetweenReads();
    expect(await reader.head(TENANT, ch)).toBe(3);
    expect(wasMoved()).toBe(true);
  });
});
