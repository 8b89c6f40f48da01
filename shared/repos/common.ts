/** Helpers shared by the repositories: expiry, opaque cursors, paginated queries. */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';

export type Item = Record<string, unknown>;

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is invalid or belongs to another listing');
    this.name = 'InvalidCursorError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** DynamoDB TTL deletes late: reads treat an item past its TTL as gone. */
export function isLive(item: Item | undefined, now: Date): item is Item {
  if (!item) return false;
  const ttl = item[TTL_ATTRIBUTE];
  return typeof ttl !== 'number' || ttl > epochSeconds(now);
}

export function ttlIso(item: Item): string | null {
  const ttl = item[TTL_ATTRIBUTE];
  return typeof ttl === 'number' ? new Date(ttl * 1000).toISOString() : null;
}

/** A short random id with a type prefix, e.g. `ch_3KpV9...`. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/**
 * The cursor is the last evaluated key, bound to the partition it came from: a cursor from another
 * listing (or another tenant) is refused instead of silently reading foreign items.
 */
export function encodeCursor(key: Record<string, unknown> | undefined, scope: string): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify({ s: scope, k: key })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, scope: string): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s?: unknown;
      k?: unknown;
    };
    if (parsed.s !== scope || typeof parsed.k !== 'object' || parsed.k === null)
      throw new InvalidCursorError();
    return parsed.k as Record<string, unknown>;
  } catch {
    throw new InvalidCursorError();
  }
}

/**
 * One page of a query, skipping expired items. Keeps reading until `limit` live items are found or the
 * partition ends, so expired leftovers never produce short or empty pages with a cursor.
 */
export async function queryPage(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  opts: { limit: number; cursor?: string; scope: string; now: Date },
): Promise<Page<Item>> {
  const items: Item[] = [];
  let startKey = decodeCursor(opts.cursor, opts.scope);
  for (;;) {
    const res = await db.doc.send(
      new QueryCommand({
        ...input,
        TableName: db.table,
        Limit: opts.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const it of res.Items ?? []) if (isLive(it, opts.now)) items.push(it);
    startKey = res.LastEvaluatedKey;
    if (!startKey || items.length >= opts.limit) break;
  }
  return { items, nextCursor: encodeCursor(startKey, opts.scope) };
}

/**
 * Every item of a query (internal use: bounded partitions such as a channel's subscriptions): the live
 * ones at `now`, or all of them, expired included, without `now`.
 */
export async function queryAll(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName'>,
  now?: Date,
): Promise<Item[]> {
  const out: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.doc.send(
      new QueryCommand({ ...input, TableName: db.table, ExclusiveStartKey: startKey }),
    );
    for (const it of res.Items ?? []) if (!now || isLive(it, now)) out.push(it);
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return out;
}

export function isConditionalFailure(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'ConditionalCheckFailedException' || err.name === 'TransactionCanceledException')
  );
}

/**
 * Puts items only where no item is (`attribute_not_exists(pk)`, the fence of the logs): one alone, or
 * all or none in one transaction (at most 100). A conflict throws `ConditionalCheckFailedException`, or
 * `TransactionCanceledException` with its `CancellationReasons`.
 *
 * @example
 * await putNew(db, [segmentItem]);
 */
export async function putNew(db: Db, items: Item[]): Promise<void> {
  const condition = 'attribute_not_exists(pk)';
  if (items.length === 1)
    await db.doc.send(
      new PutCommand({ TableName: db.table, Item: items[0], ConditionExpression: condition }),
    );
  else
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: items.map((Item) => ({
          Put: { TableName: db.table, Item, ConditionExpression: condition },
        })),
      }),
    );
}

/**
 * Which of the `count` items of a failed `putNew` met an item already there (a conflict, not another
 * failure), by index: a transaction says so per item in its `CancellationReasons`.
 *
 * @example
 * if (conflictsOf(err, items.length).some(Boolean)) throw new FencedError();
 */
export function conflictsOf(err: unknown, count: number): boolean[] {
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return Array.from({ length: count }, (_, n) =>
    reasons ? reasons[n]?.Code === 'ConditionalCheckFailed' : isConditionalFailure(err),
  );
}

/**
 * How the logs and lists store a JSON value in one binary attribute (`z`): raw deflate, level 1 (the
 * event log's segments, the frame journal's entries, the latest-success lists; their write units are
 * billed by size).
 *
 * @example
 * const z = deflateJson(events); const back = inflateJson<BridgeEvent[]>(z);
 */
export const deflateJson = (value: unknown): Buffer =>
  deflateRawSync(Buffer.from(JSON.stringify(value)), { level: 1 });

/** The value `deflateJson` stored. */
export const inflateJson = <T>(z: Uint8Array): T => JSON.parse(inflateRawSync(z).toString('utf8')) as T;

/**
 * `deflateJson` of a list in as few parts as fit an item: the whole list, else halves (in order) until
 * each part fits (`fits`). A single element that does not fit on its own is a part with `fits: false`.
 *
 * @example
 * const parts = deflateInHalves(events, (_, z) => z.length <= 350_000);
 */
export function deflateInHalves<T>(
  list: T[],
  fits: (part: T[], z: Buffer) => boolean,
): { list: T[]; z: Buffer; fits: boolean }[] {
  const out: { list: T[]; z: Buffer; fits: boolean }[] = [];
  const go = (part: T[]) => {
    const z = deflateJson(part);
    if (fits(part, z)) out.push({ list: part, z, fits: true });
    else if (part.length === 1) out.push({ list: part, z, fits: false });
    else {
      const half = Math.ceil(part.length / 2);
      go(part.slice(0, half));
      go(part.slice(half));
    }
  };
  if (list.length) go(list);
  return out;
}

export class AlreadyExistsError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** The primary key part of a key object (drops index attributes). */
export function pick(k: { pk: string; sk: string }): { pk: string; sk: string } {
  return { pk: k.pk, sk: k.sk };
}

/** Builds `SET a = :a, b = :b` / `REMOVE c` for the defined / null fields of a patch. */
export function updateExpression(patch: Record<string, unknown>): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    if (v === null) remove.push(`#${k}`);
    else {
      set.push(`#${k} = :${k}`);
      values[`:${k}`] = v;
    }
  }
  const parts = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
  ];
  return {
    UpdateExpression: parts.filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Reads one item by primary key; null when missing or past its TTL. */
export async function getLive(db: Db, key: { pk: string; sk: string }, now: Date): Promise<Item | null> {
  const res = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: pick(key), ConsistentRead: true }),
  );
  return isLive(res.Item, now) ? res.Item : null;
}

/**
 * Reads many items (consistent, `BatchGetItem` in requests of 100, unprocessed keys retried); one entry
 * per key, in order, null where the item is missing or expired.
 */
export async function getManyLive(
  db: Db,
  keyList: { pk: string; sk: string }[],
  now: Date,
): Promise<(Item | null)[]> {
  const found = new Map<string, Item>();
  for (let i = 0; i < keyList.length; i += 100) {
    let todo: Record<string, unknown>[] = keyList.slice(i, i + 100).map(pick);
    for (let attempt = 0; todo.length; attempt++) {
      if (attempt >= 8) throw new Error(`batch get: ${todo.length} keys unprocessed`);
      if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const res = await db.doc.send(
        new BatchGetCommand({ RequestItems: { [db.table]: { Keys: todo, ConsistentRead: true } } }),
      );
      for (const it of res.Responses?.[db.table] ?? [])
        found.set(`${it.pk as string}\n${it.sk as string}`, it);
      todo = res.UnprocessedKeys?.[db.table]?.Keys ?? [];
    }
  }
  return keyList.map((k) => {
    const it = found.get(`${k.pk}\n${k.sk}`);
    return isLive(it, now) ? it : null;
  });
}

/** Deletes one item; returns the old item when it existed and was live. */
export async function deleteLive(db: Db, key: { pk: string; sk: string }, now: Date): Promise<Item | null> {
  const res = await db.doc.send(
    new DeleteCommand({ TableName: db.table, Key: pick(key), ReturnValues: 'ALL_OLD' }),
  );
  return isLive(res.Attributes, now) ? res.Attributes : null;
}

/** Updates fields of a live item (condition: exists and not expired); null when it is gone. */
export async function updateLive(
  db: Db,
  key: { pk: string; sk: string },
  fields: Record<string, unknown>,
  now: Date,
): Promise<Item | null> {
  const expr = updateExpression(fields);
  try {
    const res = await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: pick(key),
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ttl) OR #ttl > :now)',
        ReturnValues: 'ALL_NEW',
        UpdateExpression: expr.UpdateExpression,
        ExpressionAttributeNames: { ...expr.ExpressionAttributeNames, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ...expr.ExpressionAttributeValues, ':now': epochSeconds(now) },
      }),
    );
    return res.Attributes ?? null;
  } catch (err) {
    if (isConditionalFailure(err)) return null;
    throw err;
  }
}

/**
 * One page of one item type inside a tenant's partition (`pk = T#<tenant>`, `sk` begins with the type
 * prefix), mapped to its record type. The cursor is scoped to that tenant and type.
 */
export async function tenantTypePage<T>(
  db: Db,
  tenant: string,
  type: { prefix: string; name: string },
  map: (item: Item) => T,
  opts: { limit: number; cursor?: string; now: Date },
): Promise<Page<T>> {
  const page = await queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': `T#${tenant}`, ':s': type.prefix },
    },
    { ...opts, scope: `${type.name}:${tenant}` },
  );
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/**
 * Revision counters: one small item whose `rev` every write of the records it stands for moves on
 * (`ADD 1`, after the write), so that a reader checks that one item instead of reading the records again
 * (a link's subscriptions: `SUBREV#<link>`; a tenant's channel records: `CHREV`). 0 when never written.
 *
 * @example
 * await bumpRevision(db, keys.channelRevision('acme'), 'channel-revision', new Date());
 * await readRevision(db, keys.channelRevision('acme')); // 1
 */
export async function readRevision(db: Db, key: { pk: string; sk: string }): Promise<number> {
  const res = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: key, ConsistentRead: true, ProjectionExpression: 'rev' }),
  );
  return (res.Item?.rev as number | undefined) ?? 0;
}

/** The update that moves a revision on, for a transaction (`{ Update: revisionUpdate(...) }`). */
export function revisionUpdate(db: Db, key: { pk: string; sk: string }, type: string, now: Date) {
  return {
    TableName: db.table,
    Key: key,
    UpdateExpression: 'ADD rev :one SET #type = :type, changedAt = :at',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':one': 1, ':type': type, ':at': now.toISOString() },
  };
}

/** Moves a revision on. */
export async function bumpRevision(
  db: Db,
  key: { pk: string; sk: string },
  type: string,
  now: Date,
): Promise<void> {
  await db.doc.send(new UpdateCommand(revisionUpdate(db, key, type, now)));
}
