import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import type { BridgeEvent } from '../events/model.js';
import {
  decodeCursor,
  deflateInHalves,
  encodeCursor,
  epochSeconds,
  inflateJson,
  InvalidCursorError,
  isConditionalFailure,
  isLive,
  type Item,
  type Page,
} from './common.js';
import { keys, seqKey } from './keys.js';

/**
 * Largest compressed segment written (bytes of the event array). DynamoDB items hold 400 KB including
 * the keys and the other attributes; the rest is margin.
 */
export const MAX_SEGMENT_BYTES = 350_000;

/** How a segment's events are stored: deflate (raw, level 1) of their JSON array. */
const ENCODING = 'deflate-raw/json';

/**
 * Events decoded from a log item: a segment (`z`, consecutive events `first`..`last`), or one event
 * stored on its own by earlier versions (`json` string, or `event` map).
 */
export function eventsOf(item: Record<string, unknown>): BridgeEvent[] {
  if (item.z instanceof Uint8Array) return inflateJson<BridgeEvent[]>(item.z);
  if (typeof item.json === 'string') return [JSON.parse(item.json) as BridgeEvent];
  return [item.event as BridgeEvent];
}

/** One encoded segment, ready to be written. */
export interface EncodedSegment {
  events: BridgeEvent[];
  z: Buffer;
}

/**
 * Encodes consecutive events of one link into segments of at most `maxBytes` compressed: one segment
 * unless the batch is too big for an item, then halves (in order). An event too big on its own is
 * returned in `tooLarge` instead.
 *
 * @example
 * const { segments } = encodeSegments(events); // usually one
 */
export function encodeSegments(
  events: BridgeEvent[],
  maxBytes = MAX_SEGMENT_BYTES,
): { segments: EncodedSegment[]; tooLarge: BridgeEvent[] } {
  const parts = deflateInHalves(events, (_, z) => z.length <= maxBytes);
  const segments = parts.filter((p) => p.fits).map((p) => ({ events: p.list, z: p.z }));
  const tooLarge = parts.filter((p) => !p.fits).map((p) => p.list[0]!);
  return { segments, tooLarge };
}

/** Decoded segments kept per log (they never change once written): the senders' single-event reads. */
const SEGMENT_CACHE_SIZE = 64;

interface CachedSegment {
  pk: string;
  first: number;
  last: number;
  events: BridgeEvent[];
}

/**
 * The event log: every normalized event of a link, by `seq`, kept `ttlDays`, written in **segments**
 * (docs/delivery.md, "The event log"): one item per write batch, keyed by the seq of its first event,
 * holding the batch's events compressed. A segment is put only where no item exists
 * (`attribute_not_exists`): segments of a log form one chain from seq 1, so a writer whose idea of the
 * head is stale always meets the item another writer put at that seq, and two writers can never
 * overlap (see `EventLogWriter` for what a writer does then). The connector appends here before anything
 * is delivered; delivery and the API read from here.
 */
export class EventLogRepo {
  private readonly cache: CachedSegment[] = [];

  constructor(private readonly db: Db) {}

  /**
   * Writes one segment of consecutive events of a link; false when an item already holds its first seq
   * (another writer got there first: nothing was written). Returns the item's size in bytes as DynamoDB
   * counts it (about: names and values) when written.
   */
  async appendSegment(
    segment: EncodedSegment,
    ttlDays: number,
    now: Date,
  ): Promise<{ written: true; bytes: number } | { written: false }> {
    const events = segment.events;
    const head = events[0]!;
    const item = {
      ...keys.event(head.tenant, head.link, head.seq),
      type: 'segment',
      enc: ENCODING,
      first: head.seq,
      last: events.at(-1)!.seq,
      z: segment.z,
      [TTL_ATTRIBUTE]: epochSeconds(now) + ttlDays * 86400,
    };
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) return { written: false };
      throw err;
    }
    return { written: true, bytes: itemBytes(item) };
  }

  /**
   * The highest seq of a link's log (0 when empty): the newest segment's last, never below the head
   * marker (kept without TTL, so numbering goes on after every segment expired) or the counter of
   * earlier versions (`SEQ`). One consistent query: `HEAD` and `SEQ` sort after every segment key.
   */
  async head(tenant: string, link: string): Promise<number> {
    const res = await this.db.doc.send(
      new QueryCommand({
        TableName: this.db.table,
        KeyConditionExpression: 'pk = :p AND sk <= :top',
        ExpressionAttributeValues: { ':p': keys.eventPartition(tenant, link), ':top': 'SEQ' },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 3,
      }),
    );
    let head = 0;
    for (const it of res.Items ?? []) {
      if (it.sk === 'SEQ') head = Math.max(head, Number(it.next ?? 0));
      else if (it.sk === 'HEAD') head = Math.max(head, Number(it.last ?? 0));
      else {
        head = Math.max(head, lastOf(it));
        break;
      }
    }
    return head;
  }

  /** Raises the head marker to `seq` (never lowers it). */
  async markHead(tenant: string, link: string, seq: number): Promise<void> {
    try {
      await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: keys.eventHead(tenant, link),
          UpdateExpression: 'SET #l = :l, #t = :t',
          ConditionExpression: 'attribute_not_exists(#l) OR #l < :l',
          ExpressionAttributeNames: { '#l': 'last', '#t': 'type' },
          ExpressionAttributeValues: { ':l': seq, ':t': 'event-head' },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /**
   * Events of a link with after < seq <= upTo, in order, at most `limit`; `more` when the log may hold
   * further events in the range. Expired segments are skipped.
   */
  async read(
    tenant: string,
    link: string,
    opts: { after: number; upTo?: number; limit: number; now: Date; consistent?: boolean },
  ): Promise<{ events: BridgeEvent[]; more: boolean }> {
    const pk = keys.eventPartition(tenant, link);
    const upTo = opts.upTo ?? Number.MAX_SAFE_INTEGER;
    const after = Math.max(0, opts.after);
    if (upTo <= after || opts.limit <= 0) return { events: [], more: false };
    const out: BridgeEvent[] = [];
    const take = (it: Item) => {
      if (!isLive(it, opts.now)) return;
      for (const e of this.decode(pk, it)) if (e.seq > after && e.seq <= upTo) out.push(e);
    };
    // the segment holding after + 1 starts at or before it
    const holding = await this.db.doc.send(
      new QueryCommand({
        TableName: this.db.table,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': pk, ':from': seqKey(1), ':to': seqKey(after + 1) },
        ScanIndexForward: false,
        ConsistentRead: opts.consistent ?? false,
        Limit: 1,
      }),
    );
    for (const it of holding.Items ?? []) take(it);
    let startKey: Record<string, unknown> | undefined;
    let more = false;
    if (after + 2 <= upTo)
      do {
        const res = await this.db.doc.send(
          new QueryCommand({
            TableName: this.db.table,
            KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':p': pk, ':from': seqKey(after + 2), ':to': seqKey(upTo) },
            ConsistentRead: opts.consistent ?? false,
            Limit: 25,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const it of res.Items ?? []) take(it);
        startKey = res.LastEvaluatedKey;
        more = !!startKey;
      } while (startKey && out.length <= opts.limit);
    if (out.length > opts.limit) more = true;
    return { events: out.slice(0, opts.limit), more };
  }

  /** One logged event (consistent read; decoded segments are cached); null when it is not in the log. */
  async at(tenant: string, link: string, seq: number, now: Date): Promise<BridgeEvent | null> {
    const pk = keys.eventPartition(tenant, link);
    const cached = this.cache.find((c) => c.pk === pk && c.first <= seq && seq <= c.last);
    if (cached) return cached.events.find((e) => e.seq === seq) ?? null;
    const { events } = await this.read(tenant, link, {
      after: seq - 1,
      upTo: seq,
      limit: 1,
      now,
      consistent: true,
    });
    return events[0] ?? null;
  }

  /**
   * The last `limit` events of a link, newest first (the connector seeds its redelivery window from
   * them when it starts running a link).
   */
  async latest(tenant: string, link: string, limit: number, now: Date): Promise<BridgeEvent[]> {
    if (limit <= 0) return [];
    const pk = keys.eventPartition(tenant, link);
    const out: BridgeEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.doc.send(
        new QueryCommand({
          TableName: this.db.table,
          KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':p': pk, ':from': seqKey(1), ':to': seqKey(Number.MAX_SAFE_INTEGER) },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 10,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const it of res.Items ?? []) if (isLive(it, now)) out.push(...[...this.decode(pk, it)].reverse());
      startKey = res.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out.slice(0, limit);
  }

  /**
   * Events of a link with seq > after, in order, a page at a time. The cursor carries the last seq
   * returned (bound to the link's listing).
   */
  async list(
    tenant: string,
    link: string,
    opts: { after?: number; limit: number; cursor?: string; now: Date },
  ): Promise<Page<BridgeEvent>> {
    const scope = `events:${tenant}:${link}`;
    const at = decodeCursor(opts.cursor, scope);
    let after = opts.after ?? 0;
    if (at) {
      if (typeof at.seq !== 'number' || !Number.isSafeInteger(at.seq)) throw new InvalidCursorError();
      after = at.seq;
    }
    const { events, more } = await this.read(tenant, link, { after, limit: opts.limit, now: opts.now });
    const last = events.at(-1);
    return { items: events, nextCursor: more && last ? encodeCursor({ seq: last.seq }, scope) : null };
  }

  private decode(pk: string, it: Item): BridgeEvent[] {
    const first = Number(it.first ?? Number(it.sk));
    const cached = this.cache.find((c) => c.pk === pk && c.first === first);
    if (cached) return cached.events;
    const events = eventsOf(it);
    if (events.length) {
      this.cache.push({ pk, first, last: events.at(-1)!.seq, events });
      if (this.cache.length > SEGMENT_CACHE_SIZE) this.cache.shift();
    }
    return events;
  }
}

/** The last seq of a log item (a segment, or one event of earlier versions). */
function lastOf(it: Item): number {
  if (typeof it.last === 'number') return it.last;
  return Number(it.sk);
}

/** An item's size as DynamoDB bills it, about: attribute names plus values (binary by its bytes). */
export function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    n += Buffer.byteLength(k);
    if (v instanceof Uint8Array) n += v.length;
    else if (typeof v === 'string') n += Buffer.byteLength(v);
    else if (typeof v === 'number') n += 8;
    else n += Buffer.byteLength(JSON.stringify(v) ?? '');
  }
  return n;
}
