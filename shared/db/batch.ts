/**
 * Unconditional puts in `BatchWriteItem` requests (25 items each): the cheap way to store many items
 * whose keys are already unique (reserved seqs, owned counters). Unprocessed items are retried with
 * backoff; an item that still fails makes the whole call throw.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.js';

type Item = Record<string, unknown>;

const CHUNK = 25;
const MAX_TRIES = 8;

async function writeChunk(db: Db, items: Item[]): Promise<void> {
  let todo = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; todo.length; attempt++) {
    if (attempt >= MAX_TRIES) throw new Error(`batch write: ${todo.length} items unprocessed`);
    if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    const res = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.table]: todo } }));
    todo = (res.UnprocessedItems?.[db.table] ?? []) as typeof todo;
  }
}

/**
 * Puts every item; at most `concurrency` requests in flight. Resolves once all are stored. `guard` is
 * called before each request is sent; what it throws stops the puts (those sent may be stored).
 */
export async function batchPut(db: Db, items: Item[], concurrency = 4, guard?: () => void): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      guard?.();
      await writeChunk(db, chunks[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}

/**
 * Coalesces puts issued one by one (e.g. settled deliveries) into batch requests: `put` resolves once
 * its item is stored. Items queued while requests are in flight go out together in the next ones.
 */
export class BatchPutQueue {
  private queued: { item: Item; done: (err?: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Db,
    private readonly concurrency = 4,
  ) {}

  put(item: Item): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ item, done: (err) => (err ? reject(err as Error) : resolve()) });
      if (this.queued.length === 1) setImmediate(() => this.flush());
      else if (this.queued.length >= CHUNK) this.flush();
    });
  }

  private flush(): void {
    while (this.queued.length && this.inFlight < this.concurrency) {
      const batch = this.queued.splice(0, CHUNK);
      this.inFlight++;
      writeChunk(
        this.db,
        batch.map((b) => b.item),
      )
        .then(
          () => batch.forEach((b) => b.done()),
          (err: unknown) => batch.forEach((b) => b.done(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.flush();
        });
    }
  }
}
