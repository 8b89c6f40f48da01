/**
 * The WebSocket channel log (docs/delivery.md, "WebSocket channels"): what a channel's `channelSeq`s
 * stand for, so that `resume` can replay them. It is a chain of **segments**: one item per channel per
 * delivery batch, keyed by the `channelSeq` of its first frame, holding a reference to the event of
 * each frame (link, event seq, id, type); the events themselves stay in the event log.
 *
 * The chain is fenced like the event log: a segment is put only where no item is
 * (`attribute_not_exists`), and a writer only writes at the seq after a segment it has seen end (the
 * head it read, or its own last segment). Two writers of one channel (a sequencer lease taken over
 * from a process that stalled and woke up) therefore meet at the same key, and the stale one stores
 * nothing: the segments tile the channel's numbers, with no gap and no number used twice.
 *
 * The holder of a channel's sequencer makes a batch's numbering durable in its frame journal first
 * (`./frame-journal.ts`, one write for every channel of the batch) and moves a channel's frames into
 * segments later, many at a time. The readers here (`head`, `range`, `since`, `page`) therefore add
 * the frames the channel's STATE item points at in a journal (`tail`) to the segments'.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  decodeCursor,
  encodeCursor,
  epochSeconds,
  conflictsOf,
  isLive,
  putNew,
  type Item,
  type Page,
} from './common.js';
import { FrameJournalRepo, pointerOfState, type JournalPointer } from './frame-journal.js';
import { rowsOf, type FrameRef, type FrameRow, type NewSegment } from './frames.js';
import { keys, seqKey } from './keys.js';

export type { FrameRef, NewSegment } from './frames.js';

/** What became of one segment of an `append`. */
export type AppendOutcome = { stored: true } | { stored: false; conflict: boolean; error: Error };

/** Most frames in one segment (about 100 bytes each: far under DynamoDB's 400 KB item limit). */
export const MAX_SEGMENT_FRAMES = 1000;

/**
 * How a batch's segments are written, each with its condition: one `PutItem` per segment (`put`: one
 * write unit per KB in AWS), or up to 100 in one `TransactWriteItems` request (`transaction`: two write
 * units per KB in AWS, but a request per 100 segments, which is what DynamoDB Local and the writer's CPU
 * pay for). A transaction with a conflict stores none of its segments.
 */
export type SegmentWrites = 'put' | 'transaction';

/** A transaction's limits: 100 actions and 4 MB (a margin for the keys and attribute names). */
const TX_ITEMS = 100;
const TX_BYTES = 3_500_000;

function framesOf(it: Item): FrameRef[] {
  const createdAt = it.createdAt as string;
  const rows = it.frames as FrameRow[] | undefined;
  // an item of another shape (a webhook delivery) is one frame of its own
  if (!rows) {
    return typeof it.seq === 'number'
      ? [
          {
            seq: it.seq,
            link: it.link as string,
            eventSeq: it.eventSeq as number,
            eventId: it.eventId as string,
            eventType: it.eventType as string,
            createdAt,
          },
        ]
      : [];
  }
  const first = it.first as number;
  return rows.map(([link, eventSeq, eventId, eventType], i) => ({
    seq: first + i,
    link,
    eventSeq,
    eventId,
    eventType,
    createdAt,
  }));
}

/**
 * One page of a channel's delivery partition between two seqs (the items keyed by seq: segments,
 * webhook deliveries; not `STATE` or the latest-successes lists), strongly consistent.
 *
 * @example
 * const newest = await seqPage(db, tenant, channel, { newestFirst: true, limit: 1 });
 */
export async function seqPage(
  db: Db,
  tenant: string,
  channel: string,
  opts: {
    from?: number;
    to?: number;
    newestFirst?: boolean;
    limit?: number;
    startKey?: Record<string, unknown>;
    projection?: string[];
  } = {},
): Promise<{ items: Item[]; next: Record<string, unknown> | undefined }> {
  const names = opts.projection?.map((_, i) => `#p${i}`);
  const res = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':p': keys.deliveryPartition(tenant, channel),
        ':from': seqKey(opts.from ?? 1),
        ':to': seqKey(opts.to ?? Number.MAX_SAFE_INTEGER),
      },
      ...(names
        ? {
            ProjectionExpression: names.join(', '),
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [n, opts.projection![i]!])),
          }
        : {}),
      ScanIndexForward: !opts.newestFirst,
      ...(opts.limit ? { Limit: opts.limit } : {}),
      ConsistentRead: true,
      ExclusiveStartKey: opts.startKey,
    }),
  );
  return { items: res.Items ?? [], next: res.LastEvaluatedKey };
}

/** Frames of the segments and of the journal tail, in order, one per seq (a frame can be in both). */
function merge(own: FrameRef[], tail: FrameRef[]): FrameRef[] {
  if (!tail.length) return own;
  const bySeq = new Map<number, FrameRef>();
  for (const f of tail) bySeq.set(f.seq, f);
  for (const f of own) bySeq.set(f.seq, f);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The last seq an item of the channel's partition covers. */
const lastOf = (it: Item) => (it.last as number | undefined) ?? (it.seq as number | undefined) ?? 0;

export class ChannelLogRepo {
  constructor(
    private readonly db: Db,
    readonly journal: FrameJournalRepo = new FrameJournalRepo(db),
  ) {}

  /** Where the channel's frames beyond its segments may be (its STATE item's journal pointer), if any. */
  async pointer(tenant: string, channel: string): Promise<JournalPointer | null> {
    const res = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        ProjectionExpression: 'jInc, jPos',
        ConsistentRead: true,
      }),
    );
    return pointerOfState(res.Item);
  }

  /** The channel's frames in the journal its STATE points at, in order (none without a pointer). */
  async tail(tenant: string, channel: string, now: Date): Promise<FrameRef[]> {
    const at = await this.pointer(tenant, channel);
    return at ? this.journal.framesOf(at, tenant, channel, now) : [];
  }

  /**
   * Appends segments (each at most `MAX_SEGMENT_FRAMES` frames; see `segmentsOf`), each put only where
   * no item is: one request per segment, at most `concurrency` in flight, or in transactions
   * (`writes`). `guard` runs before each request; what it throws is the outcome of that request's
   * segments (and every later one's). Never throws itself.
   *
   * @example
   * const frames = [{ link: 'pbx1', eventSeq: 41, eventId: 'ev_1', eventType: 'call.received' }];
   * const [r] = await repo.append([{ tenant, channel, first: 8, frames }], 7, new Date());
   * if (!r.stored && r.conflict) {
   *   // another writer numbers this channel now: read its head again
   * }
   */
  async append(
    segs: NewSegment[],
    ttlDays: number,
    now: Date,
    guard?: () => void,
    writes: SegmentWrites = 'put',
    concurrency = 16,
  ): Promise<AppendOutcome[]> {
    const ttl = epochSeconds(now) + ttlDays * 86_400;
    const createdAt = now.toISOString();
    const items = segs.map((s) => ({
      ...keys.delivery(s.tenant, s.channel, s.first),
      type: 'ws-segment',
      tenant: s.tenant,
      channel: s.channel,
      first: s.first,
      last: s.first + s.frames.length - 1,
      frames: rowsOf(s),
      createdAt,
      [TTL_ATTRIBUTE]: ttl,
    }));
    // the requests: one segment each, or groups within a transaction's limits
    const groups: number[][] = [];
    if (writes === 'transaction' && items.length > 1) {
      let cur: number[] = [];
      let bytes = 0;
      for (const [i, it] of items.entries()) {
        const size = JSON.stringify(it).length;
        if (cur.length && (cur.length >= TX_ITEMS || bytes + size > TX_BYTES)) {
          groups.push(cur);
          cur = [];
          bytes = 0;
        }
        cur.push(i);
        bytes += size;
      }
      if (cur.length) groups.push(cur);
    } else groups.push(...items.map((_, i) => [i]));

    const out: AppendOutcome[] = new Array(segs.length);
    let next = 0;
    let stop: Error | null = null;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        try {
          if (stop) throw stop;
          guard?.();
          await putNew(
            this.db,
            group.map((i) => items[i]!),
          );
          for (const i of group) out[i] = { stored: true };
        } catch (err) {
          const failed = conflictsOf(err, group.length);
          if (!failed.some(Boolean) && !stop) stop = err as Error;
          group.forEach((i, n) => (out[i] = { stored: false, conflict: failed[n]!, error: err as Error }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
    return out;
  }

  /**
   * The channel's last `channelSeq` (0 when none): the last of its segments (expired ones count: TTL
   * is late) or of its journal tail.
   */
  async head(tenant: string, channel: string, now = new Date()): Promise<number> {
    // The tail first (see `range`): a frame moved in between is in the segments read after it.
    const tail = await this.tail(tenant, channel, now);
    const own = await this.segmentHead(tenant, channel);
    return Math.max(own, tail.at(-1)?.seq ?? 0);
  }

  /** The last `channelSeq` of the channel's segments alone (0 when none). */
  async segmentHead(tenant: string, channel: string): Promise<number> {
    const { items } = await seqPage(this.db, tenant, channel, {
      newestFirst: true,
      limit: 1,
      projection: ['seq', 'last'],
    });
    return items[0] ? lastOf(items[0]) : 0;
  }

  /** The segment items that cover `from..to` (inclusive), oldest first. */
  private async items(tenant: string, channel: string, from: number, to: number): Promise<Item[]> {
    // the segment that holds `from` starts at or before it
    const before = await seqPage(this.db, tenant, channel, { to: from, newestFirst: true, limit: 1 });
    const out = before.items.filter((it) => lastOf(it) >= from);
    if (to <= from) return out;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await seqPage(this.db, tenant, channel, { from: from + 1, to, startKey });
      out.push(...page.items);
      startKey = page.next;
    } while (startKey);
    return out;
  }

  /** The frames `from..to` (inclusive) still in the log or its journal tail, in order: what `resume` replays. */
  async range(
    tenant: string,
    channel: string,
    from: number,
    to: number,
    now: Date,
    tail?: FrameRef[],
  ): Promise<FrameRef[]> {
    if (to < from) return [];
    // The journal tail is read first, the segments after it. The holder moves frames from its journal
    // into segments and then moves the pointer past them; the journal keeps them. So a frame is in the
    // tail (read from the older pointer) or, moved before the pointer was read, in the segments read
    // later. Read at once, a move landing between the two reads hid its frames from both.
    const more = tail ?? (await this.tail(tenant, channel, now));
    const items = await this.items(tenant, channel, from, to);
    return merge(items.filter((it) => isLive(it, now)).flatMap(framesOf), more).filter(
      (f) => f.seq >= from && f.seq <= to,
    );
  }

  /**
   * The events (`link#eventSeq`) with a frame on the channel among the segments written at or after
   * `sinceIso`, read newest first, at most `max` frames. Re-matching skips these.
   */
  async since(tenant: string, channel: string, sinceIso: string, max = 20_000): Promise<Set<string>> {
    const out = new Set<string>();
    for (const f of await this.tail(tenant, channel, new Date())) out.add(`${f.link}#${f.eventSeq}`);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await seqPage(this.db, tenant, channel, { newestFirst: true, limit: 100, startKey });
      for (const it of page.items) {
        if ((it.createdAt as string) < sinceIso) return out;
        for (const f of framesOf(it)) out.add(`${f.link}#${f.eventSeq}`);
      }
      startKey = page.next;
    } while (startKey && out.size < max);
    return out;
  }

  /** One page of the channel's frames in `channelSeq` order (`GET /v1/channels/{id}/deliveries`). */
  async page(
    tenant: string,
    channel: string,
    opts: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<FrameRef>> {
    const scope = `frames:${tenant}:${channel}`;
    const k = decodeCursor(opts.cursor, scope);
    const after = typeof k?.after === 'number' ? k.after : 0;
    const tail = await this.tail(tenant, channel, opts.now);
    const head = Math.max(await this.segmentHead(tenant, channel), tail.at(-1)?.seq ?? 0);
    const out: FrameRef[] = [];
    // read in slices until the page is full; a slice of expired segments doubles the next one
    for (let from = after + 1, size = Math.max(opts.limit, 100); from <= head && out.length < opts.limit;) {
      const to = Math.min(head, from + size - 1);
      const frames = await this.range(tenant, channel, from, to, opts.now, tail);
      out.push(...frames.slice(0, opts.limit - out.length));
      if (!frames.length) size *= 2;
      from = to + 1;
    }
    const last = out.at(-1)?.seq;
    return {
      items: out,
      nextCursor: last !== undefined && last < head ? encodeCursor({ after: last }, scope) : null,
    };
  }
}

/**
 * Splits a channel's consecutive frames from `first` on into segments of at most `MAX_SEGMENT_FRAMES`.
 *
 * @example
 * segmentsOf('t1', 'ch_1', 8, frames).map((s) => s.first); // [8] for up to 1,000 frames
 */
export function segmentsOf(
  tenant: string,
  channel: string,
  first: number,
  frames: NewSegment['frames'],
): NewSegment[] {
  const out: NewSegment[] = [];
  for (let i = 0; i < frames.length; i += MAX_SEGMENT_FRAMES)
    out.push({ tenant, channel, first: first + i, frames: frames.slice(i, i + MAX_SEGMENT_FRAMES) });
  return out;
}
