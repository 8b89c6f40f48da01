import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '../db/batch.js';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import type { BridgeEvent } from '../events/model.js';
import { epochSeconds, isConditionalFailure, queryPage, type Page } from './common.js';
import { keys, seqKey } from './keys.js';

/**
 * The event of a log item. The envelope is stored as one JSON string (`json`): a nested map costs
 * DynamoDB (and the local emulator) far more per item to write; items written as a map (`event`) by
 * earlier versions are still read.
 */
export function eventOf(item: Record<string, unknown>): BridgeEvent {
  return typeof item.json === 'string' ? (JSON.parse(item.json) as BridgeEvent) : (item.event as BridgeEvent);
}

/**
 * The event log: every normalized event of a link, by `seq`, kept `ttlDays`. The connector appends here
 * before anything is delivered; delivery reads from here (that is the hand-off point).
 */
export class EventLogRepo {
  constructor(private readonly db: Db) {}

  /** Reserves `count` sequence numbers for a link; returns the first. Atomic across connectors. */
  async reserveSeq(tenant: string, link: string, count = 1): Promise<number> {
    const res = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: { pk: keys.eventPartition(tenant, link), sk: 'SEQ' },
        UpdateExpression: 'ADD #n :c',
        ExpressionAttributeNames: { '#n': 'next' },
        ExpressionAttributeValues: { ':c': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (res.Attributes?.next as number) - count + 1;
  }

  /** Appends an event at its seq; false if that seq is already taken (never overwrites). */
  async append(event: BridgeEvent, ttlDays: number, now: Date): Promise<boolean> {
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: {
            ...keys.event(event.tenant, event.link, event.seq),
            type: 'event',
            json: JSON.stringify(event),
            [TTL_ATTRIBUTE]: epochSeconds(now) + ttlDays * 86400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Appends consecutive events of one link whose seqs were reserved by `reserveSeq` (unique across
   * connectors, so the puts need no condition): batch writes of 25, resolved once all are stored.
   */
  async appendMany(events: BridgeEvent[], ttlDays: number, now: Date): Promise<void> {
    if (events.length === 1) {
      if (!(await this.append(events[0]!, ttlDays, now)))
        throw new Error(`seq ${events[0]!.seq} already taken`);
      return;
    }
    const ttl = epochSeconds(now) + ttlDays * 86400;
    await batchPut(
      this.db,
      events.map((event) => ({
        ...keys.event(event.tenant, event.link, event.seq),
        type: 'event',
        json: JSON.stringify(event),
        [TTL_ATTRIBUTE]: ttl,
      })),
    );
  }

  /**
   * The last `limit` events of a link, newest first (one query, a page or two: the connector seeds its
   * redelivery dedupe set from them when it starts running a link).
   */
  async latest(tenant: string, link: string, limit: number, now: Date): Promise<BridgeEvent[]> {
    if (limit <= 0) return [];
    const page = await queryPage(
      this.db,
      {
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':p': keys.eventPartition(tenant, link),
          ':from': seqKey(1),
          ':to': seqKey(Number.MAX_SAFE_INTEGER),
        },
        ScanIndexForward: false,
      },
      { limit, now, scope: `events-latest:${tenant}:${link}` },
    );
    return page.items.map(eventOf);
  }

  /** Events of a link with seq > after, in order. */
  async list(
    tenant: string,
    link: string,
    opts: { after?: number; limit: number; cursor?: string; now: Date },
  ): Promise<Page<BridgeEvent>> {
    const page = await queryPage(
      this.db,
      {
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':p': keys.eventPartition(tenant, link),
          ':from': seqKey((opts.after ?? 0) + 1),
          ':to': seqKey(Number.MAX_SAFE_INTEGER),
        },
      },
      { ...opts, scope: `events:${tenant}:${link}` },
    );
    return { items: page.items.map(eventOf), nextCursor: page.nextCursor };
  }
}
