/**
 * The frame journal (docs/delivery.md, "The frame journal"): where a delivery process makes the
 * numbering of a batch's WebSocket frames durable, for every channel of the batch at once, with one
 * write. Each process incarnation has a journal of its own (`JRN#<incarnation>`), a chain of entries
 * keyed by position from 1, each holding, per channel, the `channelSeq` of its first frame in the batch
 * and a reference to the event of each frame (as the channel log's segments do).
 *
 * A channel's STATE item points (`jInc`, `jPos`) at the journal and the position from which its frames
 * that are not yet in its own log (`./channel-log.ts`) may be found; readers add those to the log's.
 *
 * **The fence.** Entries are put only where no item is, and only the incarnation itself writes entries.
 * A process that takes a channel over from a holder that did not release it first **fences** that
 * holder's journal: it puts a tombstone after the journal's last entry. The old holder's next write
 * meets it and stores nothing, so what the new holder read of that journal is all the old holder will
 * ever have numbered there.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  conflictsOf,
  deflateInHalves,
  epochSeconds,
  inflateJson,
  isConditionalFailure,
  putNew,
  queryAll,
} from './common.js';
import { seqKey } from './keys.js';
import { rowsOf, type FrameRef, type FrameRow, type NewSegment } from './frames.js';

/** Where a channel's frames beyond its log may be: a journal and a position in it. */
export interface JournalPointer {
  inc: string;
  pos: number;
}

/** The journal pointer a channel's STATE item holds (`jInc`, `jPos`), if any. */
export const pointerOfState = (it: Record<string, unknown> | undefined): JournalPointer | null =>
  typeof it?.jInc === 'string' ? { inc: it.jInc, pos: (it.jPos as number | undefined) ?? 1 } : null;

/** The journal was fenced (another process took over one of its channels): nothing was stored. */
export class JournalFencedError extends Error {
  constructor(readonly inc: string) {
    super(`frame journal ${inc} is fenced: another process took over its channels`);
    this.name = 'JournalFencedError';
  }
}

/** Largest compressed entry body (DynamoDB items hold 400 KB with the keys and the channel list). */
const MAX_ENTRY_BYTES = 250_000;
/** Entries of one append written in one transaction at most (all or none). */
const TX_ITEMS = 100;

type Stored = [tenant: string, channel: string, first: number, rows: FrameRow[]];

const partition = (inc: string) => `JRN#${inc}`;
const channelTag = (tenant: string, channel: string) => `${tenant}#${channel}`;

export class FrameJournalRepo {
  constructor(private readonly db: Db) {}

  /**
   * Appends a batch's frames at `pos` (one entry; several, in one transaction, when they do not fit in
   * one item) and returns the next free position. Throws `JournalFencedError` when the journal was
   * fenced at or before `pos`; any other error leaves it unknown whether the batch was stored (read
   * `head` again before the next append).
   *
   * @example
   * const frames = [{ link: 'pbx1', eventSeq: 41, eventId: 'ev_1', eventType: 'call.received' }];
   * pos = await journal.append('dlv_ab12.0', pos, [{ tenant, channel, first: 8, frames }], 7, new Date());
   */
  async append(inc: string, pos: number, batch: NewSegment[], ttlDays: number, now: Date): Promise<number> {
    // as few entries as fit an item (the channel list `chs` goes beside the body)
    const bodies = deflateInHalves(
      batch.map((s): Stored => [s.tenant, s.channel, s.first, rowsOf(s)]),
      (list, z) => z.length + list.reduce((n, [t, c]) => n + t.length + c.length + 8, 0) <= MAX_ENTRY_BYTES,
    );
    const ttl = epochSeconds(now) + ttlDays * 86_400;
    const createdAt = now.toISOString();
    const items = bodies.map((b, i) => ({
      pk: partition(inc),
      sk: seqKey(pos + i),
      type: 'frame-journal',
      z: b.z,
      chs: new Set(b.list.map(([t, c]) => channelTag(t, c))),
      createdAt,
      [TTL_ATTRIBUTE]: ttl,
    }));
    try {
      for (let i = 0; i < items.length; i += TX_ITEMS) await putNew(this.db, items.slice(i, i + TX_ITEMS));
    } catch (err) {
      if (conflictsOf(err, Math.min(items.length, TX_ITEMS)).some(Boolean)) throw new JournalFencedError(inc);
      throw err;
    }
    return pos + items.length;
  }

  /** The journal's last position (0 when empty) and whether it ends in a fence. */
  async head(inc: string): Promise<{ pos: number; fenced: boolean }> {
    const res = await this.db.doc.send(
      new QueryCommand({
        TableName: this.db.table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': partition(inc) },
        ProjectionExpression: 'sk, fenced',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const it = res.Items?.[0];
    return it ? { pos: Number(it.sk), fenced: it.fenced === true } : { pos: 0, fenced: false };
  }

  /**
   * Fences the journal: a tombstone after its last entry, so its incarnation stores nothing more.
   * Idempotent. What the journal holds once this returns is final.
   */
  async fence(inc: string, ttlDays: number, now: Date): Promise<void> {
    for (;;) {
      const h = await this.head(inc);
      if (h.fenced) return;
      try {
        await putNew(this.db, [
          {
            pk: partition(inc),
            sk: seqKey(h.pos + 1),
            type: 'frame-journal',
            fenced: true,
            createdAt: now.toISOString(),
            [TTL_ATTRIBUTE]: epochSeconds(now) + ttlDays * 86_400,
          },
        ]);
        return;
      } catch (err) {
        if (!isConditionalFailure(err)) throw err; // the journal grew meanwhile: fence after it
      }
    }
  }

  /** A channel's frames in the journal from `ptr.pos` on, in `channelSeq` order. */
  async framesOf(ptr: JournalPointer, tenant: string, channel: string, now: Date): Promise<FrameRef[]> {
    const out: FrameRef[] = [];
    const items = await queryAll(
      this.db,
      {
        KeyConditionExpression: 'pk = :p AND sk >= :from',
        FilterExpression: 'contains(chs, :c)',
        ExpressionAttributeValues: {
          ':p': partition(ptr.inc),
          ':from': seqKey(ptr.pos),
          ':c': channelTag(tenant, channel),
        },
        ConsistentRead: true,
      },
      now,
    );
    for (const it of items) {
      if (!(it.z instanceof Uint8Array)) continue;
      for (const [t, c, first, rs] of inflateJson<Stored[]>(it.z))
        if (t === tenant && c === channel)
          rs.forEach(([link, eventSeq, eventId, eventType], i) =>
            out.push({
              seq: first + i,
              link,
              eventSeq,
              eventId,
              eventType,
              createdAt: it.createdAt as string,
            }),
          );
    }
    return out.sort((a, b) => a.seq - b.seq);
  }
}
