/**
 * The event log in segments, against DynamoDB Local: one item per write batch, reads across segment
 * boundaries, two writers on one log (takeover, zombie), the lease fence, the head marker, and items of
 * earlier versions.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLogWriter, LogFencedError, vendorEventKey } from '../../connector/event-log-writer.js';
import type { LocalStack } from '../../local/stack.js';
import type { BridgeEvent, EventDraft } from '../../shared/events/model.js';
import { encodeSegments, eventsOf } from '../../shared/repos/events.js';
import { keys } from '../../shared/repos/keys.js';
import { logItemsOf, testStack, until } from '../support/stack.js';
import { callDraft } from './delivery/helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => {
  await stack?.stop();
});

const TENANT = 'default';
const newLink = () => `log-${randomBytes(4).toString('hex')}`;

/** A call draft carrying a vendor event id (so redeliveries can be recognised). */
function vendorDraft(n: number): EventDraft {
  const d = callDraft('alice@sim.example', `corr-${n}`);
  return { ...d, vendor: { ...d.vendor, id: `vendor-${n}` } };
}

/** The raw items of a link's log partition (segments and markers). */
const itemsOf = (link: string) => logItemsOf(stack, TENANT, link);

/** Every event of the link through the API's listing, page by page. */
async function listAll(link: string, limit: number, after = 0): Promise<BridgeEvent[]> {
  const out: BridgeEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.deps.repos.events.list(TENANT, link, { after, limit, cursor, now: new Date() });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const seqs = (events: readonly BridgeEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('event log segments', () => {
  it('writes one item per batch and reads any range across segments, by page and by seq', async () => {
    const link = newLink();
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
    const first = await writer.writeMany(TENANT, link, range(1, 50).map(vendorDraft));
    expect(seqs(first)).toEqual(range(1, 50));
    for (const n of [51, 54, 60]) await writer.writeMany(TENANT, link, range(n, n + 2).map(vendorDraft));
    const items = await itemsOf(link);
    const segments = items.filter((i) => i.type === 'segment');
    expect(segments.map((s) => [s.first, s.last])).toEqual([
      [1, 50],
      [51, 53],
      [54, 56],
      [57, 59],
    ]);
    expect(writer.stats).toMatchObject({ segments: 4, events: 59 });
    // compressed: far less than the JSON of 50 events
    expect((segments[0]!.z as Uint8Array).length).toBeLessThan(JSON.stringify(first).length / 4);

    expect(seqs(await listAll(link, 7))).toEqual(range(1, 59));
    expect(seqs(await listAll(link, 5, 48))).toEqual(range(49, 59));
    const read = await stack.deps.repos.events.read(TENANT, link, {
      after: 52,
      upTo: 55,
      limit: 10,
      now: new Date(),
    });
    expect(seqs(read.events)).toEqual([53, 54, 55]);
    expect((await stack.deps.repos.events.at(TENANT, link, 55, new Date()))?.id).toBe(
      (await listAll(link, 100)).find((e) => e.seq === 55)!.id,
    );
    expect(await stack.deps.repos.events.at(TENANT, link, 60, new Date())).toBeNull();
    expect(seqs(await stack.deps.repos.events.latest(TENANT, link, 5, new Date()))).toEqual([
      59, 58, 57, 56, 55,
    ]);
    // the cached segment was not reordered by `latest`
    expect(seqs(await listAll(link, 100))).toEqual(range(1, 59));
    expect(await stack.deps.repos.events.head(TENANT, link)).toBe(59);
  });

  it('a second writer numbers after the first; the stale one meets its segment, drops what it logged and goes on', async () => {
    const link = newLink();
    const a = new EventLogWriter(stack.deps, { ttlDays: 1 });
    const b = new EventLogWriter(stack.deps, { ttlDays: 1 });
    await a.writeMany(TENANT, link, range(1, 5).map(vendorDraft));
    // b takes over: vendor events 6 and 7 (7 was sent to a as well, unacknowledged there)
    expect(seqs(await b.writeMany(TENANT, link, [vendorDraft(6), vendorDraft(7)]))).toEqual([6, 7]);
    // a, stale (its next is 6), writes 7 and 8: it meets b's segment, drops 7, writes 8 after b's events
    const late = await a.writeMany(TENANT, link, [vendorDraft(7), vendorDraft(8)]);
    expect(seqs(late)).toEqual([8]);
    expect(a.stats.fenced).toBe(1);
    const log = await listAll(link, 100);
    expect(seqs(log)).toEqual(range(1, 8));
    const vendorIds = log.map((e) => vendorEventKey(e));
    expect(new Set(vendorIds).size).toBe(vendorIds.length);
    // b is now stale in turn: its next write lands after a's
    expect(seqs(await b.writeMany(TENANT, link, [vendorDraft(9)]))).toEqual([9]);
    expect(b.stats.fenced).toBe(1);
  });

  it('a writer that no longer owns the link writes nothing', async () => {
    const link = newLink();
    let owned = true;
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1, mayWrite: () => owned });
    await writer.writeMany(TENANT, link, [vendorDraft(1)]);
    owned = false;
    await expect(writer.writeMany(TENANT, link, [vendorDraft(2)])).rejects.toBeInstanceOf(LogFencedError);
    expect(seqs(await listAll(link, 10))).toEqual([1]);
  });

  it('numbering goes on after every segment expired (head marker) and after items of earlier versions', async () => {
    const link = newLink();
    // an event stored alone by an earlier version, at seq 1
    const old = {
      ...(await new EventLogWriter(stack.deps, { ttlDays: 1 }).write(TENANT, newLink(), vendorDraft(1)))!,
      link,
      seq: 1,
    };
    await stack.deps.db.doc.send(
      new PutCommand({
        TableName: stack.deps.db.table,
        Item: { ...keys.event(TENANT, link, 1), type: 'event', json: JSON.stringify(old) },
      }),
    );
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
    expect(seqs(await writer.writeMany(TENANT, link, [vendorDraft(2), vendorDraft(3)]))).toEqual([2, 3]);
    expect(seqs(await listAll(link, 10))).toEqual([1, 2, 3]);
    expect(eventsOf((await itemsOf(link)).find((i) => i.sk === keys.event(TENANT, link, 1).sk)!)[0]!.id).toBe(
      old.id,
    );
    // the first write of a link raises the head marker
    await until(
      async () => (await itemsOf(link)).find((i) => i.sk === 'HEAD')?.last,
      (last) => last === 3,
    );
    // every segment gone (expired and removed): the next writer still numbers after 3
    for (const it of await itemsOf(link))
      if (it.sk !== 'HEAD')
        await stack.deps.db.doc.send(
          new DeleteCommand({ TableName: stack.deps.db.table, Key: { pk: it.pk, sk: it.sk } }),
        );
    const next = new EventLogWriter(stack.deps, { ttlDays: 1 });
    expect(seqs(await next.writeMany(TENANT, link, [vendorDraft(4)]))).toEqual([4]);
  });

  it('splits a batch too big for one item and refuses an event too big alone', () => {
    const events = range(1, 40).map(
      (seq) =>
        ({
          seq,
          id: `evt_${seq}`,
          data: { blob: randomBytes(3000).toString('base64') },
        }) as unknown as BridgeEvent,
    );
    const { segments, tooLarge } = encodeSegments(events, 20_000);
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.flatMap((s) => seqs(s.events))).toEqual(range(1, 40));
    for (const s of segments) expect(s.z.length).toBeLessThanOrEqual(20_000);
    expect(tooLarge).toEqual([]);
    const huge = {
      seq: 41,
      data: { blob: randomBytes(30_000).toString('base64') },
    } as unknown as BridgeEvent;
    const r = encodeSegments([events[0]!, huge], 20_000);
    expect(seqs(r.segments.flatMap((s) => s.events))).toEqual([1]);
    expect(r.tooLarge).toEqual([huge]);
  });
});
