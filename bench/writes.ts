/**
 * Counts what a process writes to DynamoDB (`npm run bench`): items written and the write units AWS
 * would bill for them, from the requests that succeeded; and the items it reads (returned to it, and
 * read by DynamoDB for a filtered query), by kind. A middleware on the process's document client
 * sees every command with its input, so nothing in the product is changed to be counted. (Until
 * 2026-12-07 the sizes were read as if the input were marshalled, so every item counted one unit.)
 *
 * Write units follow DynamoDB's rule: per item, its size (attribute names and values) rounded up to
 * 1 KB; transactions cost twice. An UpdateItem is counted as one unit (its item's size is not in the
 * request; the product's updates are small counters and leases).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Db } from '../shared/db/client.js';

export interface WriteCounts {
  items: number;
  writeUnits: number;
  /** Items by command, e.g. `PutItem`, `BatchWriteItem`. */
  byCommand: Record<string, number>;
  /** Items by what they are (`kindOf`: event log, journal, channel state, ...). */
  byKind: Record<string, number>;
  /** Estimated write units by the same kinds. */
  unitsByKind: Record<string, number>;
  /** Items returned by `GetItem`, `BatchGetItem` and `Query`. */
  reads: number;
  /** Items DynamoDB read for these: those returned, and those a `Query` filtered out (`ScannedCount`). */
  scanned: number;
  /** Items returned, by kind. */
  readsByKind: Record<string, number>;
}

const emptyCounts = (): WriteCounts => ({
  items: 0,
  writeUnits: 0,
  byCommand: {},
  byKind: {},
  unitsByKind: {},
  reads: 0,
  scanned: 0,
  readsByKind: {},
});

/**
 * What an item is, from its key (`shared/repos/keys.ts`): the breakdown `npm run bench` prints, so that
 * a figure of items per event can be traced to the records that make it up.
 */
export function kindOf(key: Record<string, unknown> | undefined): string {
  // The document client's input (plain strings) or a marshalled one (`{ S }`).
  const str = (v: unknown) => (typeof v === 'string' ? v : ((v as AttributeValue | undefined)?.S ?? ''));
  const pk = str(key?.pk);
  const sk = str(key?.sk);
  const head = pk.split('#')[0];
  switch (head) {
    case 'T':
      if (sk.startsWith('SUB#')) return 'subscription';
      if (sk.startsWith('SUBREV#')) return 'subscription revision';
      if (sk.startsWith('CHANNEL#')) return 'channel record';
      if (sk.startsWith('LINK#')) return 'link';
      if (sk.startsWith('SESSION#')) return 'session';
      return 'other';
    case 'CONN':
      return 'connection';
    case 'SEQHOLDER':
      return 'sequencer holder';
    case 'EVT':
      return sk === 'HEAD' ? 'log head' : 'log segment';
    case 'JRN':
      return 'frame journal';
    case 'DLV':
      if (sk === 'STATE') return 'channel state';
      if (sk.startsWith('RECENT#')) return 'webhook latest-success list';
      return 'channel log / outbox';
    case 'DLVMATCH':
      return 'matching watermark';
    case 'DLVATTN':
      return 'markers (attention)';
    case 'DLVWORK':
      return 'markers (work)';
    case 'LEASE':
    case 'CONNECTORS':
      return 'link lease / presence';
    default:
      return 'other';
  }
}

/**
 * A value's size in bytes, about as DynamoDB counts it once marshalled. The middleware sits on the
 * document client, so it sees plain values (strings, numbers, binary, sets, lists, maps).
 */
function valueBytes(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint')
    return Math.ceil(String(v).replace(/^-|\./g, '').length / 2) + 1;
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce((n: number, x) => n + valueBytes(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + valueBytes(x), 0);
  if (typeof v === 'object') return 3 + itemSize(v as Record<string, unknown>);
  return 0;
}

function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueBytes(v);
  return n;
}

const units = (item: Record<string, unknown> | undefined) =>
  item ? Math.max(1, Math.ceil(itemSize(item) / 1024)) : 1;

/**
 * Starts counting the writes of `db`'s client. `take()` returns what was written since the last take.
 *
 * @example
 * const writes = countWrites(stack.deps.db);
 * // ... load ...
 * const { items, writeUnits } = writes.take();
 */
export function countWrites(db: Db): { take(): WriteCounts } {
  let c = emptyCounts();
  const add = (command: string, items: number, wcu: number) => {
    c.items += items;
    c.writeUnits += wcu;
    c.byCommand[command] = (c.byCommand[command] ?? 0) + items;
  };
  /** Counts an item by its kind, with its write units (`wcu`). */
  const kind = (key: Record<string, unknown> | undefined, wcu = 1) => {
    const k = kindOf(key);
    c.byKind[k] = (c.byKind[k] ?? 0) + 1;
    c.unitsByKind[k] = (c.unitsByKind[k] ?? 0) + wcu;
  };
  const read = (items: Record<string, unknown>[] | undefined, scanned = items?.length ?? 0) => {
    c.scanned += scanned;
    for (const it of items ?? []) {
      const k = kindOf(it);
      c.reads++;
      c.readsByKind[k] = (c.readsByKind[k] ?? 0) + 1;
    }
  };
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as Record<string, any>;
      const output = result.output as Record<string, any>;
      switch (context.commandName) {
        case 'GetItemCommand':
          read(output.Item ? [output.Item] : []);
          break;
        case 'QueryCommand':
          read(output.Items, (output.ScannedCount as number | undefined) ?? output.Items?.length ?? 0);
          break;
        case 'BatchGetItemCommand':
          for (const items of Object.values((output.Responses ?? {}) as Record<string, any[]>)) read(items);
          break;
        case 'PutItemCommand':
          add('PutItem', 1, units(input.Item));
          kind(input.Item, units(input.Item));
          break;
        case 'UpdateItemCommand':
          add('UpdateItem', 1, 1);
          kind(input.Key);
          break;
        case 'DeleteItemCommand':
          add('DeleteItem', 1, 1);
          kind(input.Key);
          break;
        case 'BatchWriteItemCommand': {
          const unprocessed = (result.output as { UnprocessedItems?: Record<string, unknown[]> })
            .UnprocessedItems;
          for (const [table, reqs] of Object.entries(input.RequestItems as Record<string, any[]>)) {
            const left = unprocessed?.[table]?.length ?? 0;
            const done = reqs.slice(0, reqs.length - left);
            add(
              'BatchWriteItem',
              done.length,
              done.reduce((n, r) => n + units(r.PutRequest?.Item), 0),
            );
            for (const r of done)
              kind(r.PutRequest?.Item ?? r.DeleteRequest?.Key, r.PutRequest ? units(r.PutRequest.Item) : 1);
          }
          break;
        }
        case 'TransactWriteItemsCommand': {
          const items = input.TransactItems as any[];
          add(
            'TransactWriteItems',
            items.length,
            items.reduce((n, t) => n + 2 * units(t.Put?.Item), 0),
          );
          for (const t of items)
            kind(
              t.Put?.Item ?? t.Update?.Key ?? t.Delete?.Key ?? t.ConditionCheck?.Key,
              2 * units(t.Put?.Item),
            );
          break;
        }
      }
      return result;
    },
    { step: 'serialize', priority: 'high', name: 'benchWriteCounter' },
  );
  return {
    take() {
      const out = c;
      c = emptyCounts();
      return out;
    },
  };
}
