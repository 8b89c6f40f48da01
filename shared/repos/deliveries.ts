/**
 * Event delivery items (docs/delivery.md, docs/data-model.md). For webhook channels one item per
 * (event, channel), keyed by the channel's own `seq`: the durable outbox entry (status, attempts, due
 * time). A WebSocket channel's frames are stored as segments in the same partition (`./channel-log.ts`).
 * A per-channel STATE item holds the seq counter, the acked seq, the last resume request and
 * `failingSince`.
 *
 * The STATE item also holds the sequencer lease of a WebSocket channel: one process at a time numbers the
 * channel's deliveries (in memory, stored in batches), so a busy channel costs no counter write per event.
 * Re-matching after a crash skips events that already have a delivery on the channel (`deliveredSince`);
 * the per-link "matched up to" watermark says which log events certainly have their deliveries stored.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { batchPut } from '../db/batch.js';
import { seqPage } from './channel-log.js';
import { pointerOfState, type JournalPointer } from './frame-journal.js';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  decodeCursor,
  deflateJson,
  encodeCursor,
  epochSeconds,
  getManyLive,
  inflateJson,
  isConditionalFailure,
  isLive,
  queryAll,
  type Item,
  type Page,
} from './common.js';
import { keys, seqKey } from './keys.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: string;
  /** HTTP status (webhook), null when no response (timeout, connection error, refused address). */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /**
   * Webhook routing (a `route.request` delivery to a routing channel): what became of the answer:
   * `routed` (the route select was sent and the vendor used it), or why the call was left to default
   * routing (no route in the answer, a bad one, a late one, the vendor's refusal).
   */
  routing?: string;
}

export interface DeliveryRecord {
  tenant: string;
  channel: string;
  seq: number;
  channelType: 'webhook' | 'websocket';
  eventId: string;
  eventType: string;
  link: string;
  eventSeq: number;
  /** Ordering key: events with the same key are delivered in seq order (webhook). */
  orderKey: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  settledAt: string | null;
  /** Epoch ms until which `owner` holds the delivery (one sender at a time). */
  claimUntil: number;
  owner: string | null;
}

export interface DeliveryState {
  next: number;
  acked: number;
  resume: { after: number; connectionId: string; requestId: string; done: boolean } | null;
  failingSince: string | null;
  /** The connection that went live (resumed, or its hold ended): another sender posts to it at once. */
  liveConn: string | null;
  /** Last seq the sequencer holder had posted to the live connection at its last renewal. */
  sent: number;
  /** The connection whose hold was started first (`startHold`), and the first seq it gets when it ends. */
  hold: { connectionId: string; from: number } | null;
}

/** A delivery record from its stored item (or the same shape in JSON, e.g. a connector's answer). */
export const recordOf = (it: Item): DeliveryRecord => ({
  tenant: it.tenant as string,
  channel: it.channel as string,
  seq: it.seq as number,
  channelType: it.channelType as DeliveryRecord['channelType'],
  eventId: it.eventId as string,
  eventType: it.eventType as string,
  link: it.link as string,
  eventSeq: it.eventSeq as number,
  orderKey: (it.orderKey as string | undefined) ?? '',
  status: (it.status as DeliveryStatus | undefined) ?? 'pending',
  attempts: (it.attempts as DeliveryAttempt[] | undefined) ?? [],
  attemptCount: (it.attemptCount as number | undefined) ?? 0,
  nextAttemptAt: (it.nextAttemptAt as string | undefined) ?? null,
  createdAt: it.createdAt as string,
  settledAt: (it.settledAt as string | undefined) ?? null,
  claimUntil: (it.claimUntil as number | undefined) ?? 0,
  owner: (it.owner as string | undefined) ?? null,
});

const toState = (it: Item | undefined): DeliveryState => ({
  next: (it?.next as number | undefined) ?? 0,
  sent: (it?.sent as number | undefined) ?? 0,
  hold:
    it && typeof it.holdConn === 'string'
      ? { connectionId: it.holdConn, from: (it.holdFrom as number | undefined) ?? 1 }
      : null,
  acked: (it?.acked as number | undefined) ?? 0,
  resume:
    it && typeof it.resumeReq === 'string'
      ? {
          after: it.resumeAfter as number,
          connectionId: it.resumeConn as string,
          requestId: it.resumeReq,
          done: it.resumeDone === it.resumeReq,
        }
      : null,
  failingSince: (it?.failingSince as string | undefined) ?? null,
  liveConn: (it?.liveConn as string | undefined) ?? null,
});

export type NewDelivery = Omit<
  DeliveryRecord,
  'status' | 'attempts' | 'attemptCount' | 'settledAt' | 'claimUntil' | 'owner'
> & {
  status?: DeliveryStatus;
};

const watermarkKey = keys.deliveryWatermark;

export class DeliveryRepo {
  constructor(private readonly db: Db) {}

  /** Reserves the channel's next seq; the returned state is read atomically with the reservation. */
  async allocSeq(tenant: string, channel: string, count = 1): Promise<{ seq: number; state: DeliveryState }> {
    const res = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        UpdateExpression: 'ADD #n :c SET #type = :t',
        ExpressionAttributeNames: { '#n': 'next', '#type': 'type' },
        ExpressionAttributeValues: { ':c': count, ':t': 'delivery-state' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const state = toState(res.Attributes);
    return { seq: state.next - count + 1, state };
  }

  /** The STATE items of many channels in a few batch reads (the periodic WebSocket check). */
  async getStates(list: { tenant: string; channel: string }[], now: Date): Promise<DeliveryState[]> {
    const items = await getManyLive(
      this.db,
      list.map((c) => keys.deliveryState(c.tenant, c.channel)),
      now,
    );
    return items.map((it) => toState(it ?? undefined));
  }

  async getState(tenant: string, channel: string): Promise<DeliveryState> {
    const res = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        ConsistentRead: true,
      }),
    );
    return toState(res.Item);
  }

  /** Records the client's acknowledgement (monotonic: a lower seq never moves it back). */
  async ack(tenant: string, channel: string, seq: number): Promise<number> {
    const now = await this.updateStateIf(tenant, channel, {
      UpdateExpression: 'SET acked = :s, #type = :t',
      ConditionExpression: 'attribute_not_exists(acked) OR acked < :s',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':s': seq, ':t': 'delivery-state' },
      ReturnValues: 'ALL_NEW',
    });
    return (now ? toState(now) : await this.getState(tenant, channel)).acked;
  }

  /** Stores a resume request of a connection; the connector's delivery service carries it out. */
  async requestResume(tenant: string, channel: string, connectionId: string, after: number): Promise<string> {
    const requestId = randomBytes(8).toString('hex');
    await this.flagAttention(tenant, channel, Date.now());
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        UpdateExpression: 'SET resumeAfter = :a, resumeConn = :c, resumeReq = :r, #type = :t',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':a': after,
          ':c': connectionId,
          ':r': requestId,
          ':t': 'delivery-state',
        },
      }),
    );
    return requestId;
  }

  /** Records that a resume request was carried out (a restarted service does not replay it again). */
  async resumeDone(tenant: string, channel: string, requestId: string): Promise<void> {
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        UpdateExpression: 'SET resumeDone = :r',
        ExpressionAttributeValues: { ':r': requestId },
      }),
    );
  }

  /**
   * A conditional update of the channel's STATE item: its attributes (as `ReturnValues` asks), or null
   * when the condition does not hold. The sequencer lease and the hold are all such updates.
   */
  private async updateStateIf(
    tenant: string,
    channel: string,
    input: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > & { ReturnValues?: 'ALL_OLD' | 'ALL_NEW' },
  ): Promise<Item | null> {
    try {
      const res = await this.db.doc.send(
        new UpdateCommand({ TableName: this.db.table, Key: keys.deliveryState(tenant, channel), ...input }),
      );
      return res.Attributes ?? {};
    } catch (err) {
      if (isConditionalFailure(err)) return null;
      throw err;
    }
  }

  /**
   * Records where a new connection's hold starts (the first seq it gets when the hold ends without a
   * resume), once per connection: the first process to notice it decides, the others read it back.
   */
  async startHold(tenant: string, channel: string, connectionId: string, from: number): Promise<number> {
    const set = await this.updateStateIf(tenant, channel, {
      UpdateExpression: 'SET holdConn = :c, holdFrom = :f, #type = :t',
      ConditionExpression: 'attribute_not_exists(holdConn) OR holdConn <> :c',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':c': connectionId, ':f': from, ':t': 'delivery-state' },
    });
    if (set) return from;
    const hold = (await this.getState(tenant, channel)).hold;
    return hold?.connectionId === connectionId ? hold.from : from;
  }

  /** Records that a connection is live (frames go to it without a hold, whichever process sends them). */
  async markLive(tenant: string, channel: string, connectionId: string): Promise<void> {
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        UpdateExpression: 'SET liveConn = :c, #type = :t',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':c': connectionId, ':t': 'delivery-state' },
      }),
    );
  }

  /** Sets (only when unset) or clears the time since which a channel fails continuously. */
  async setFailingSince(tenant: string, channel: string, since: string | null): Promise<string | null> {
    const res = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        UpdateExpression: since
          ? 'SET failingSince = if_not_exists(failingSince, :f)'
          : 'REMOVE failingSince',
        ...(since ? { ExpressionAttributeValues: { ':f': since } } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toState(res.Attributes).failingSince;
  }

  /**
   * Creates the delivery of one event on one channel. Pending webhook deliveries get the sparse
   * queue index (gsi1) so any connector can find them; `claim` lets the creator hold it at once.
   */
  async create(
    rec: NewDelivery,
    ttlDays: number,
    now: Date,
    claim?: { owner: string; untilMs: number },
  ): Promise<DeliveryRecord> {
    const full: DeliveryRecord = {
      ...rec,
      status: rec.status ?? 'pending',
      attempts: [],
      attemptCount: 0,
      settledAt: null,
      claimUntil: claim?.untilMs ?? 0,
      owner: claim?.owner ?? null,
    };
    const item = this.itemOf(full, epochSeconds(now) + ttlDays * 86_400);
    await this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: item }));
    return recordOf(item);
  }

  /** The item of a delivery record (webhook pending: with the queue index; claimed: with its claim). */
  itemOf(rec: DeliveryRecord, ttlEpochSeconds: number): Item {
    const queued = rec.channelType === 'webhook' && rec.status === 'pending';
    // Default values (no attempts yet, a WebSocket delivery's ordering key) are left out: fewer
    // attributes per item is cheaper to write, and `toRecord` fills them in.
    const { claimUntil, owner, settledAt, nextAttemptAt, attempts, attemptCount, orderKey, ...rest } = rec;
    return {
      ...keys.delivery(rec.tenant, rec.channel, rec.seq),
      type: 'delivery',
      ...rest,
      ...(attempts.length ? { attempts, attemptCount } : {}),
      ...(rec.channelType === 'webhook' ? { orderKey } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
      ...(settledAt ? { settledAt } : {}),
      ...(owner ? { owner, claimUntil } : {}),
      ...(queued ? { gsi1pk: keys.deliveryQueue(rec.tenant, rec.channel), gsi1sk: seqKey(rec.seq) } : {}),
      [TTL_ATTRIBUTE]: ttlEpochSeconds,
    };
  }

  /**
   * Stores deliveries whose (channel, seq) keys the caller owns (a held sequencer, reserved webhook
   * seqs): unconditional batch writes, resolved once all are stored.
   */
  /** Stores deliveries; `guard` runs before each batch request (what it throws stops the rest). */
  async putMany(recs: DeliveryRecord[], ttlDays: number, now: Date, guard?: () => void): Promise<void> {
    const ttl = epochSeconds(now) + ttlDays * 86_400;
    await batchPut(
      this.db,
      recs.map((r) => this.itemOf(r, ttl)),
      4,
      guard,
    );
  }

  /**
   * Takes (or keeps) the channel's sequencer lease: the one process that numbers the channel's
   * WebSocket deliveries. Null when another live owner holds it. `stored` is the last seq the previous
   * holder recorded; `previous` is the journal pointer the channel had (frames a holder numbered and did
   * not move into the channel's log yet), kept as it was. Without one, the channel now points at `ptr`
   * (this process's journal). A dead owner may have numbered past what it recorded: the caller reads the
   * channel's head once it has fenced and adopted `previous` (`connector/delivery/sequencers.ts`).
   */
  async acquireSequencer(
    tenant: string,
    channel: string,
    owner: string,
    untilMs: number,
    nowMs: number,
    wantFreshMs: number,
    ptr: JournalPointer,
    /** A holder whose liveness record expired (`SequencerHolderRepo.until`): its lapsed lease may be taken. */
    deadHolder?: string,
  ): Promise<{
    stored: number;
    wasOurs: boolean;
    resendFrom: number | null;
    state: DeliveryState;
    previous: JournalPointer | null;
  } | null> {
    const old = await this.updateStateIf(tenant, channel, {
      UpdateExpression:
        'SET seqOwner = :me, seqUntil = :u, #type = :t, jInc = if_not_exists(jInc, :ji), ' +
        'jPos = if_not_exists(jPos, :jp) REMOVE seqWanted, seqWantedAt',
      // Free (or ours, or lapsed with its holder dead), and nobody else asked for it lately: a
      // handed-over lease goes to the process that asked, not back to the one that just released it.
      ConditionExpression:
        (deadHolder !== undefined
          ? '(attribute_not_exists(seqOwner) OR seqOwner = :me OR (seqUntil < :now AND seqOwner = :dead))'
          : '(attribute_not_exists(seqOwner) OR seqOwner = :me)') +
        ' AND (attribute_not_exists(seqWanted) OR seqWanted = :me OR seqWantedAt < :stale)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':me': owner,
        ':u': untilMs,
        ':stale': nowMs - wantFreshMs,
        ':t': 'delivery-state',
        ':ji': ptr.inc,
        ':jp': ptr.pos,
        ...(deadHolder !== undefined ? { ':now': nowMs, ':dead': deadHolder } : {}),
      },
      ReturnValues: 'ALL_OLD',
    });
    if (!old) return null;
    const wasOurs = old.seqOwner === owner;
    // Taken from a holder that never released it (crashed, or stalled past its lease): frames it numbered
    // after the last position it recorded may never have been posted to the live connection.
    const tookOver = typeof old.seqOwner === 'string' && !wasOurs;
    const sentFloor = Math.max((old.sent as number | undefined) ?? 0, (old.acked as number | undefined) ?? 0);
    return {
      stored: (old.next as number | undefined) ?? 0,
      wasOurs,
      resendFrom: tookOver ? sentFloor + 1 : null,
      // The acquire changes only the lease: connection, resume and hold fields are current.
      state: toState(old),
      previous: pointerOfState(old),
    };
  }

  /** Who holds the channel's sequencer lease and until when it was stamped (null: nobody). */
  async sequencerOf(tenant: string, channel: string): Promise<{ owner: string; untilMs: number } | null> {
    const res = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.table,
        Key: keys.deliveryState(tenant, channel),
        ConsistentRead: true,
        ProjectionExpression: 'seqOwner, seqUntil',
      }),
    );
    const owner = res.Item?.seqOwner;
    return typeof owner === 'string'
      ? { owner, untilMs: (res.Item?.seqUntil as number | undefined) ?? 0 }
      : null;
  }

  /**
   * Points the channel at `to` once what `from` held of it is in its log (the holder adopted it). False
   * when the lease or the pointer changed meanwhile.
   */
  async movePointer(
    tenant: string,
    channel: string,
    owner: string,
    from: JournalPointer,
    to: JournalPointer,
  ): Promise<boolean> {
    const r = await this.updateStateIf(tenant, channel, {
      UpdateExpression: 'SET jInc = :ti, jPos = :tp',
      // (another acquire of this process may have moved it already)
      ConditionExpression: 'seqOwner = :me AND (jInc = :fi OR jInc = :ti)',
      ExpressionAttributeValues: { ':me': owner, ':fi': from.inc, ':ti': to.inc, ':tp': to.pos },
    });
    return r !== null;
  }

  /**
   * Asks the holder of the channel's sequencer to hand it over at its next renewal. The first process to
   * ask keeps the turn until it gets the lease or stops asking for `wantFreshMs` (two waiting processes
   * overwriting each other's request would each block the other's acquire forever).
   */
  async wantSequencer(
    tenant: string,
    channel: string,
    owner: string,
    nowMs: number,
    wantFreshMs = 2000,
  ): Promise<void> {
    await this.updateStateIf(tenant, channel, {
      UpdateExpression: 'SET seqWanted = :me, seqWantedAt = :now',
      ConditionExpression: 'attribute_not_exists(seqWanted) OR seqWanted = :me OR seqWantedAt < :stale',
      ExpressionAttributeValues: { ':me': owner, ':now': nowMs, ':stale': nowMs - wantFreshMs },
    });
  }

  /**
   * Extends a held sequencer lease and stores the last seq used and the last seq posted to the live
   * connection (`sent`: where a process taking the lease over after a crash re-sends from). `lost`:
   * another process holds it; `wantedBy`: another process asked for it since `wantedSinceMs` (the holder
   * should release it).
   */
  async renewSequencer(
    tenant: string,
    channel: string,
    owner: string,
    untilMs: number,
    head: number,
    wantedSinceMs: number,
    sent: number,
    ptr: JournalPointer,
  ): Promise<{ lost: boolean; wantedBy: string | null }> {
    const a = await this.updateStateIf(tenant, channel, {
      UpdateExpression: 'SET seqUntil = :u, #n = :h, sent = :s, jPos = :jp',
      ConditionExpression: 'seqOwner = :me AND jInc = :ji',
      ExpressionAttributeNames: { '#n': 'next' },
      ExpressionAttributeValues: {
        ':me': owner,
        ':u': untilMs,
        ':h': head,
        ':s': sent,
        ':ji': ptr.inc,
        ':jp': ptr.pos,
      },
      ReturnValues: 'ALL_NEW',
    });
    if (!a) return { lost: true, wantedBy: null };
    const wanted =
      typeof a.seqWanted === 'string' && a.seqWanted !== owner && (a.seqWantedAt as number) >= wantedSinceMs;
    return { lost: false, wantedBy: wanted ? (a.seqWanted as string) : null };
  }

  /**
   * Gives the sequencer lease up, storing the last seq used (another process continues from it) and the
   * last seq posted to the live connection.
   */
  async releaseSequencer(
    tenant: string,
    channel: string,
    owner: string,
    head: number,
    sent: number,
    inc: string,
  ): Promise<void> {
    await this.updateStateIf(tenant, channel, {
      // every frame it numbered is in the channel's log by now: no journal pointer left
      UpdateExpression: 'SET #n = :h, sent = :s REMOVE seqOwner, seqUntil, jInc, jPos',
      ConditionExpression: 'seqOwner = :me AND (attribute_not_exists(jInc) OR jInc = :ji)',
      ExpressionAttributeNames: { '#n': 'next' },
      ExpressionAttributeValues: { ':me': owner, ':h': head, ':s': sent, ':ji': inc },
    });
  }

  /**
   * The events (`link#eventSeq`) that already have a delivery on the channel among those created at or
   * after `sinceIso`, with the status of each: read newest first, at most `max` items. Re-matching skips
   * these, and loads the pending ones this process does not hold yet.
   */
  async deliveredSince(
    tenant: string,
    channel: string,
    sinceIso: string,
    max = 20_000,
  ): Promise<Map<string, DeliveryStatus>> {
    const out = new Map<string, DeliveryStatus>();
    let startKey: Record<string, unknown> | undefined;
    let read = 0;
    do {
      const page = await seqPage(this.db, tenant, channel, {
        newestFirst: true,
        limit: 500,
        startKey,
        projection: ['link', 'eventSeq', 'createdAt', 'status'],
      });
      for (const it of page.items) {
        if ((it.createdAt as string) < sinceIso) return out;
        const k = `${it.link as string}#${it.eventSeq as number}`;
        // an event with several deliveries (a replay, a stalled owner's late copy): pending if one is
        if (out.get(k) !== 'pending') out.set(k, (it.status as DeliveryStatus) ?? 'pending');
      }
      read += page.items.length;
      startKey = page.next;
    } while (startKey && read < max);
    return out;
  }

  /** The per-link "matched up to" watermark, or null when the link has none yet. */
  async getWatermark(tenant: string, link: string): Promise<number | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: watermarkKey(tenant, link), ConsistentRead: true }),
    );
    return (res.Item?.matched as number | undefined) ?? null;
  }

  /** Creates the watermark at `seq` unless it exists; returns the stored value. */
  async ensureWatermark(tenant: string, link: string, seq: number): Promise<number> {
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: { ...watermarkKey(tenant, link), type: 'delivery-watermark', tenant, link, matched: seq },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return seq;
    } catch (err) {
      if (isConditionalFailure(err)) return (await this.getWatermark(tenant, link)) ?? seq;
      throw err;
    }
  }

  /** Moves the watermark forward to `seq` (never back). */
  async advanceWatermark(tenant: string, link: string, seq: number): Promise<void> {
    try {
      await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: watermarkKey(tenant, link),
          UpdateExpression: 'SET matched = :s, #type = :t, tenant = :tenant, link = :link',
          ConditionExpression: 'attribute_not_exists(matched) OR matched < :s',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':s': seq,
            ':t': 'delivery-watermark',
            ':tenant': tenant,
            ':link': link,
          },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /** Sets the watermark to `seq` even if that moves it back (tests, operators). */
  async setWatermark(tenant: string, link: string, seq: number): Promise<void> {
    await this.db.doc.send(
      new PutCommand({
        TableName: this.db.table,
        Item: { ...watermarkKey(tenant, link), type: 'delivery-watermark', tenant, link, matched: seq },
      }),
    );
  }

  async get(tenant: string, channel: string, seq: number): Promise<DeliveryRecord | null> {
    const res = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.table,
        Key: keys.delivery(tenant, channel, seq),
        ConsistentRead: true,
      }),
    );
    return res.Item ? recordOf(res.Item) : null;
  }

  /** Takes a pending delivery for `owner` until `untilMs` unless another live owner holds it. */
  async claim(
    tenant: string,
    channel: string,
    seq: number,
    owner: string,
    untilMs: number,
    nowMs: number,
  ): Promise<DeliveryRecord | null> {
    try {
      const res = await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: keys.delivery(tenant, channel, seq),
          UpdateExpression: 'SET claimUntil = :u, #owner = :o',
          ConditionExpression:
            '#status = :pending AND (attribute_not_exists(claimUntil) OR claimUntil < :now OR #owner = :o)',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: { ':u': untilMs, ':o': owner, ':now': nowMs, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? recordOf(res.Attributes) : null;
    } catch (err) {
      if (isConditionalFailure(err)) return null;
      throw err;
    }
  }

  /** Appends an attempt and moves the delivery on: still pending (next due time) or settled. */
  async recordAttempt(
    tenant: string,
    channel: string,
    seq: number,
    attempt: DeliveryAttempt | null,
    outcome: { status: DeliveryStatus; nextAttemptAt: string | null },
    now: Date,
  ): Promise<void> {
    const settled = outcome.status !== 'pending';
    const set = ['#status = :st', 'claimUntil = :zero'];
    const remove = ['#owner'];
    const values: Record<string, unknown> = { ':st': outcome.status, ':zero': 0 };
    if (attempt) {
      set.push(
        'attempts = list_append(if_not_exists(attempts, :empty), :a)',
        'attemptCount = if_not_exists(attemptCount, :zero) + :one',
      );
      Object.assign(values, { ':empty': [], ':a': [attempt], ':one': 1 });
    }
    if (outcome.nextAttemptAt) {
      set.push('nextAttemptAt = :n');
      values[':n'] = outcome.nextAttemptAt;
    } else remove.push('nextAttemptAt');
    if (settled) {
      set.push('settledAt = :s');
      values[':s'] = now.toISOString();
      remove.push('gsi1pk', 'gsi1sk');
    }
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.delivery(tenant, channel, seq),
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * The channel's pending webhook deliveries, in seq order (sparse index; eventually consistent); with
   * `afterSeq`, only those with a higher seq.
   */
  async pendingQueue(tenant: string, channel: string, afterSeq = 0): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.doc.send(
        new QueryCommand({
          TableName: this.db.table,
          IndexName: 'gsi1',
          KeyConditionExpression: afterSeq > 0 ? 'gsi1pk = :p AND gsi1sk > :s' : 'gsi1pk = :p',
          ExpressionAttributeValues: {
            ':p': keys.deliveryQueue(tenant, channel),
            ...(afterSeq > 0 ? { ':s': seqKey(afterSeq) } : {}),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const it of res.Items ?? []) out.push(recordOf(it));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /**
   * One page of a webhook channel's deliveries in seq order, optionally of one status: the stored ones
   * (pending, failed, delivered after a retry) merged with the latest first-attempt successes of each
   * link (`recentItem`, and `fresh`). The cursor is the last seq of the page.
   */
  async list(
    tenant: string,
    channel: string,
    opts: {
      status?: DeliveryStatus;
      limit: number;
      cursor?: string;
      now: Date;
      /**
       * First-attempt successes known elsewhere (the link owners' memory, not stored yet): merged with
       * the stored lists, one record per seq.
       */
      fresh?: DeliveryRecord[];
    },
  ): Promise<Page<DeliveryRecord>> {
    const scope = `deliveries:${tenant}:${channel}:${opts.status ?? ''}`;
    const k = decodeCursor(opts.cursor, scope);
    const after = typeof k?.after === 'number' ? k.after : 0;
    const stored: DeliveryRecord[] = [];
    let more = false;
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.doc.send(
        new QueryCommand({
          TableName: this.db.table,
          KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
          ...(opts.status
            ? { FilterExpression: '#status = :st', ExpressionAttributeNames: { '#status': 'status' } }
            : {}),
          ExpressionAttributeValues: {
            ':p': keys.deliveryPartition(tenant, channel),
            ':from': seqKey(after + 1),
            ':to': seqKey(Number.MAX_SAFE_INTEGER),
            ...(opts.status ? { ':st': opts.status } : {}),
          },
          Limit: opts.limit + 1 - stored.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const it of res.Items ?? []) if (isLive(it, opts.now)) stored.push(recordOf(it));
      startKey = res.LastEvaluatedKey;
    } while (startKey && stored.length <= opts.limit);
    if (stored.length > opts.limit || startKey) more = true;
    const recent =
      !opts.status || opts.status === 'delivered'
        ? [...(await this.listRecent(tenant, channel, opts.now)), ...(opts.fresh ?? [])].filter(
            (r) => r.seq > after,
          )
        : [];
    const bySeq = new Map<number, DeliveryRecord>();
    for (const r of [...recent, ...stored]) bySeq.set(r.seq, r); // a stored delivery wins
    const merged = [...bySeq.values()].sort((x, y) => x.seq - y.seq);
    const items = merged.slice(0, opts.limit);
    more ||= merged.length > opts.limit;
    const last = items.at(-1)?.seq;
    return { items, nextCursor: more && last !== undefined ? encodeCursor({ after: last }, scope) : null };
  }

  /**
   * The item of a link's list of a webhook channel's latest first-attempt successes (newest last). Only
   * the link's owner writes it, unconditionally (in batch puts, `BatchPutQueue`).
   */
  recentItem(
    tenant: string,
    channel: string,
    link: string,
    recent: DeliveryRecord[],
    ttlDays: number,
    now: Date,
  ): Item {
    return {
      ...keys.deliveryRecent(tenant, channel, link),
      type: 'delivery-recent',
      tenant,
      channel,
      link,
      // Deflated JSON (as the event log's segments): a list of 25 deliveries with their attempts is
      // about 8 KB as a DynamoDB list, and every write of it is billed by its size.
      z: deflateJson(
        recent.map((r) => {
          const { tenant: _t, channel: _c, link: _l, ...rest } = r;
          return rest;
        }),
      ),
      [TTL_ATTRIBUTE]: epochSeconds(now) + ttlDays * 86_400,
    };
  }

  /** A webhook channel's latest first-attempt successes: of one link, or of every link. */
  async listRecent(tenant: string, channel: string, now: Date, link?: string): Promise<DeliveryRecord[]> {
    const items = await queryAll(
      this.db,
      {
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)',
        ExpressionAttributeValues: {
          ':p': keys.deliveryPartition(tenant, channel),
          ':r': link ? keys.deliveryRecent(tenant, channel, link).sk : 'RECENT#',
        },
        ConsistentRead: true,
      },
      now,
    );
    return items.flatMap((it) =>
      (it.z instanceof Uint8Array
        ? inflateJson<Item[]>(it.z)
        : // (written before 2026-12-07: a DynamoDB list)
          ((it.recent as Item[] | undefined) ?? [])
      ).map((r) => recordOf({ ...r, tenant, channel, link: it.link as string, channelType: 'webhook' })),
    );
  }

  /**
   * The two "channels to look at" partitions (`DLVWORK`: pending webhook work; `DLVATTN`: WebSocket
   * channels asking for attention) hold one small item per channel with one number; they are written,
   * listed whole and removed under a condition on that number.
   */
  private async putMarker(
    key: { pk: string; sk: string },
    type: string,
    tenant: string,
    channel: string,
    attrs: Item,
  ): Promise<void> {
    await this.db.doc.send(
      new PutCommand({ TableName: this.db.table, Item: { ...key, type, tenant, channel, ...attrs } }),
    );
  }

  /** The partition's markers; with `above`, only those whose number is greater (a filter: fewer to return). */
  private async listMarkers(
    pk: string,
    field: string,
    above?: number,
  ): Promise<{ tenant: string; channel: string; value: number }[]> {
    const items = await queryAll(
      this.db,
      above === undefined
        ? { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk } }
        : {
            KeyConditionExpression: 'pk = :p',
            FilterExpression: '#f > :v',
            ExpressionAttributeNames: { '#f': field },
            ExpressionAttributeValues: { ':p': pk, ':v': above },
          },
    );
    return items.map((it) => ({
      tenant: it.tenant as string,
      channel: it.channel as string,
      value: it[field] as number,
    }));
  }

  /** Deletes the marker when `#f <op> :v` holds; false when it did not. */
  private async deleteMarkerIf(
    key: { pk: string; sk: string },
    field: string,
    op: '=' | '<',
    value: number,
  ): Promise<boolean> {
    try {
      await this.db.doc.send(
        new DeleteCommand({
          TableName: this.db.table,
          Key: key,
          ConditionExpression: `#f ${op} :v`,
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /** Marks a channel as having pending work (idempotent; `touchedAt` guards the idle clean-up). */
  async touchWork(tenant: string, channel: string, nowMs: number): Promise<void> {
    await this.putMarker(keys.deliveryWork(tenant, channel), 'delivery-work', tenant, channel, {
      touchedAt: nowMs,
    });
  }

  /** Asks the delivery services to look at a WebSocket channel now (new connection, resume request). */
  async flagAttention(tenant: string, channel: string, nowMs: number): Promise<void> {
    await this.putMarker(keys.deliveryAttention(tenant, channel), 'delivery-attention', tenant, channel, {
      at: nowMs,
      [TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + 3600,
    });
  }

  /** Channels flagged for attention, with the time of their latest flag (`since`: flags after it only). */
  async listAttention(since?: number): Promise<{ tenant: string; channel: string; at: number }[]> {
    return (await this.listMarkers('DLVATTN', 'at', since)).map((m) => ({
      tenant: m.tenant,
      channel: m.channel,
      at: m.value,
    }));
  }

  /** Removes a flag not renewed since `at` (every service has had time to see it). */
  async clearAttention(tenant: string, channel: string, at: number): Promise<void> {
    await this.deleteMarkerIf(keys.deliveryAttention(tenant, channel), 'at', '=', at);
  }

  async listWork(): Promise<{ tenant: string; channel: string; touchedAt: number }[]> {
    return (await this.listMarkers('DLVWORK', 'touchedAt')).map((m) => ({
      tenant: m.tenant,
      channel: m.channel,
      touchedAt: m.value,
    }));
  }

  /** Removes the work item when it was not touched since `cutoffMs` (a newer delivery keeps it). */
  async deleteWorkIfIdle(tenant: string, channel: string, cutoffMs: number): Promise<boolean> {
    return this.deleteMarkerIf(keys.deliveryWork(tenant, channel), 'touchedAt', '<', cutoffMs);
  }
}
