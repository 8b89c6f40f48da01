/**
 * Turns driver drafts into logged events: validates the data, assigns id and per-link seq, appends them
 * to the event log in DynamoDB as one segment per batch (group commit: the link runner gathers what
 * arrives while a write is in flight), then hands the events to delivery (`onLogged`). This is the
 * hand-off point between the connector and delivery: nothing is delivered that is not in the log first.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../shared/deps.js';
import { EVENT_DATA, type BridgeEvent, type EventDraft } from '../shared/events/model.js';
import { encodeSegments } from '../shared/repos/events.js';

export type EventListener = (event: BridgeEvent) => void | Promise<void>;

/**
 * Vendor events the connector logged recently, per link, counted in drafts (default 1000). A vendor
 * redelivers only what it has not seen acknowledged, and a driver acknowledges an event as soon as its
 * drafts are written: what a crashed connector logged without acknowledging lies in its last writes,
 * bounded by the vendor's window of unacknowledged events (BroadWorks: the events in flight of the
 * channel set; IP Office: one numbered Notify per subscription) and by one write batch (500 drafts at
 * most). 1000 drafts cover that twice over, also after the new owner's own first events (link.up, resync).
 */
export const DEDUPE_WINDOW = 1000;

/**
 * The identity of a draft within its vendor event, or undefined when the vendor gave no event id:
 * vendor id, type, target, and the call (or conference) it reports, since one vendor event may report
 * several calls of one target with the same type (a call list reconciled, a call-control snapshot).
 */
export function vendorEventKey(
  draft: Pick<EventDraft, 'type' | 'target' | 'data' | 'vendor'>,
): string | undefined {
  const id = draft.vendor.id;
  if (!id) return undefined;
  const data = draft.data as { call?: { id?: unknown }; conference?: { id?: unknown } } | undefined;
  const subject = data?.call?.id ?? data?.conference?.id ?? '';
  return [id, draft.type, draft.target.type, draft.target.id ?? '', String(subject)].join('\u0000');
}

/**
 * The last `size` vendor event keys a link logged (or is logging), each with the promise of its write:
 * a redelivered draft gets the promise of the first one instead of a second log entry. Seeded from the
 * log when a runner starts, so a redelivery to the next connector after a crash is recognised too.
 */
export class VendorEventWindow {
  private readonly entries = new Map<string, Promise<void>>();

  constructor(readonly size = DEDUPE_WINDOW) {}

  get(key: string): Promise<void> | undefined {
    return this.entries.get(key);
  }

  set(key: string, durable: Promise<void>): void {
    this.entries.delete(key);
    this.entries.set(key, durable);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets a key whose write failed (its redelivery must be written), unless a newer write holds it. */
  forget(key: string, durable: Promise<void>): void {
    if (this.entries.get(key) === durable) this.entries.delete(key);
  }

  /** Adds logged events, oldest first. */
  seed(events: readonly BridgeEvent[]): void {
    const done = Promise.resolve();
    for (const e of events) {
      const key = vendorEventKey(e);
      if (key) this.set(key, done);
    }
  }

  get length(): number {
    return this.entries.size;
  }
}

export interface EventLogWriterOptions {
  ttlDays: number;
  onLogged?: EventListener;
  /**
   * Whether this process may still write the link's log (it holds the link's lease and the lease has
   * not run out by its own clock); asked before every segment write. Absent: always.
   */
  mayWrite?: (tenant: string, link: string) => boolean;
  /** How often the head marker follows a growing log (default 60 s; also after a link's first write). */
  headMarkMs?: number;
}

/** The writer lost the link (its lease ran out): nothing was written, the vendor must not be acknowledged. */
export class LogFencedError extends Error {
  constructor(tenant: string, link: string) {
    super(`this process no longer owns the event log of ${tenant}/${link}`);
    this.name = 'LogFencedError';
  }
}

/** What a writer knows of one link's log. */
interface LogState {
  /** The seq the next event gets (null: read the head first). */
  next: number | null;
  /** Writes of this link, one at a time. */
  chain: Promise<unknown>;
  /** When the head marker was last written (ms). */
  markedAt: number;
}

/** Counters of the writes (the bench reads them). */
export interface EventLogStats {
  /** Segments written (one DynamoDB item each). */
  segments: number;
  /** Events in them. */
  events: number;
  /** Their size as DynamoDB counts it, and in 1 KB write units (per item, rounded up). */
  bytes: number;
  writeUnits: number;
  /** Writes that met another writer's segment at their first seq (takeover, or a zombie). */
  fenced: number;
  /** Head marker writes. */
  headMarks: number;
  /** How long the last segment writes took, ms (at most the last 10,000; the bench reads them). */
  writeMs: number[];
}

/**
 * Writes the event log of the links this process runs (docs/delivery.md, "The event log").
 *
 * @example
 * const log = new EventLogWriter(deps, { ttlDays: 7, onLogged: delivery.onEvent });
 * const events = await log.writeMany('default', 'bw-main', drafts); // one segment, then delivery
 */
export class EventLogWriter {
  private readonly listeners: EventListener[] = [];
  private readonly logs = new Map<string, LogState>();
  /** Counters of drafts the model refused (vendor garbage that got past a driver). */
  rejected = 0;
  readonly stats: EventLogStats = {
    segments: 0,
    events: 0,
    bytes: 0,
    writeUnits: 0,
    fenced: 0,
    headMarks: 0,
    writeMs: [],
  };

  constructor(
    private readonly deps: Deps,
    private readonly opts: EventLogWriterOptions,
  ) {
    if (opts.onLogged) this.listeners.push(opts.onLogged);
  }

  /** Subscribe to logged events (delivery, tests). Returns an unsubscribe function. */
  listen(fn: EventListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  async write(tenant: string, link: string, draft: EventDraft): Promise<BridgeEvent | null> {
    return (await this.writeMany(tenant, link, [draft]))[0] ?? null;
  }

  /**
   * Logs consecutive drafts of one link as one segment (more only when the batch does not fit in an
   * item), then hands them to the listeners, in order. Drafts the model refuses are dropped (and
   * counted); the rest keep their order. Drafts whose vendor event another writer logged meanwhile
   * (found when its segment stood where this one was to go) are not written again. Rejects with
   * `LogFencedError` once this process no longer owns the link.
   */
  async writeMany(tenant: string, link: string, drafts: EventDraft[]): Promise<BridgeEvent[]> {
    const valid: { draft: EventDraft; data: unknown }[] = [];
    for (const draft of drafts) {
      const parsed = EVENT_DATA[draft.type].safeParse(draft.data);
      if (parsed.success) valid.push({ draft, data: parsed.data });
      else
        this.refuse(
          tenant,
          link,
          draft,
          parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
        );
    }
    if (!valid.length) return [];
    const now = this.deps.now();
    const drafted = valid.map(
      ({ draft, data }) =>
        ({
          specversion: '1',
          id: `evt_${randomBytes(12).toString('base64url')}`,
          type: draft.type,
          time: draft.time ?? now.toISOString(),
          tenant,
          link,
          target: draft.target,
          seq: 0,
          data,
          vendor: draft.vendor,
        }) as BridgeEvent,
    );
    const state = this.stateOf(tenant, link);
    const run = state.chain.then(() => this.append(state, tenant, link, drafted, now));
    state.chain = run.catch(() => undefined);
    const events = await run;
    // Every event of the segment reaches the listeners in one go, in order, before any of them is
    // awaited: delivery then matches the segment as one batch (one frame-journal entry, one fan-out round)
    // instead of starting on its first event alone.
    const failed = (event: BridgeEvent) => (err: unknown) =>
      this.deps.logger.error('event listener failed', { error: err as Error, eventId: event.id });
    const waits: Promise<void>[] = [];
    for (const event of events) {
      for (const l of this.listeners) {
        try {
          const r = l(event);
          if (r) waits.push(r.catch(failed(event)));
        } catch (err) {
          failed(event)(err);
        }
      }
    }
    await Promise.all(waits);
    return events;
  }

  /** Forgets what this writer knew of a link's log (it stopped running it). */
  forget(tenant: string, link: string): void {
    this.logs.delete(`${tenant}/${link}`);
  }

  private stateOf(tenant: string, link: string): LogState {
    const k = `${tenant}/${link}`;
    let s = this.logs.get(k);
    if (!s) this.logs.set(k, (s = { next: null, chain: Promise.resolve(), markedAt: 0 }));
    return s;
  }

  /** Numbers and writes the events (one link, one call at a time); returns those written, in order. */
  private async append(
    state: LogState,
    tenant: string,
    link: string,
    drafted: BridgeEvent[],
    now: Date,
  ): Promise<BridgeEvent[]> {
    const repo = this.deps.repos.events;
    const written: BridgeEvent[] = [];
    let rest = drafted;
    for (let attempt = 1; rest.length; attempt++) {
      if (attempt > 5) throw new Error(`event log of ${tenant}/${link}: five writers' segments in a row`);
      if (state.next === null) state.next = (await repo.head(tenant, link)) + 1;
      rest.forEach((e, i) => (e.seq = state.next! + i));
      const encoded = encodeSegments(rest);
      let segments = encoded.segments;
      if (encoded.tooLarge.length) {
        for (const e of encoded.tooLarge)
          this.refuse(tenant, link, e, [`the event is over the size of a log item, compressed`]);
        rest = rest.filter((e) => !encoded.tooLarge.includes(e));
        rest.forEach((e, i) => (e.seq = state.next! + i));
        segments = encodeSegments(rest).segments;
      }
      let collided = false;
      for (const segment of segments) {
        if (this.opts.mayWrite && !this.opts.mayWrite(tenant, link)) throw new LogFencedError(tenant, link);
        const t0 = performance.now();
        const r = await repo.appendSegment(segment, this.opts.ttlDays, now);
        this.stats.writeMs.push(performance.now() - t0);
        if (this.stats.writeMs.length > 10_000) this.stats.writeMs.splice(0, 5_000);
        if (!r.written) {
          collided = true;
          break;
        }
        written.push(...segment.events);
        state.next = segment.events.at(-1)!.seq + 1;
        this.stats.segments++;
        this.stats.events += segment.events.length;
        this.stats.bytes += r.bytes;
        this.stats.writeUnits += Math.ceil(r.bytes / 1024);
      }
      const done = new Set(written);
      rest = rest.filter((e) => !done.has(e));
      if (collided) rest = await this.afterCollision(state, tenant, link, rest, now);
    }
    this.markHeadSoon(state, tenant, link);
    return written;
  }

  /**
   * Another writer's segment stands where ours was to go: read the head again, and drop the drafts
   * whose vendor event that writer logged (a vendor redelivered to it what it had sent us).
   */
  private async afterCollision(
    state: LogState,
    tenant: string,
    link: string,
    rest: BridgeEvent[],
    now: Date,
  ): Promise<BridgeEvent[]> {
    this.stats.fenced++;
    const from = state.next!;
    state.next = null;
    const head = await this.deps.repos.events.head(tenant, link);
    state.next = head + 1;
    const theirs = new Set<string>();
    for (let after = from - 1; after < head;) {
      const { events } = await this.deps.repos.events.read(tenant, link, {
        after,
        upTo: head,
        limit: 500,
        now,
        consistent: true,
      });
      if (!events.length) break;
      for (const e of events) {
        const k = vendorEventKey(e);
        if (k) theirs.add(k);
      }
      after = events.at(-1)!.seq;
    }
    const kept = rest.filter((e) => {
      const k = vendorEventKey(e);
      return !k || !theirs.has(k);
    });
    this.deps.logger.warn('event log: another writer wrote at our next seq; numbering after its events', {
      tenant,
      link,
      from,
      head,
      dropped: rest.length - kept.length,
    });
    return kept;
  }

  /** Raises the head marker once every `headMarkMs` while the log grows (off the event path). */
  private markHeadSoon(state: LogState, tenant: string, link: string): void {
    const every = this.opts.headMarkMs ?? 60_000;
    if (state.next === null || Date.now() - state.markedAt < every) return;
    state.markedAt = Date.now();
    this.stats.headMarks++;
    this.deps.repos.events
      .markHead(tenant, link, state.next - 1)
      .catch((err: unknown) =>
        this.deps.logger.warn('event log head marker write failed', { tenant, link, error: err as Error }),
      );
  }

  private refuse(
    tenant: string,
    link: string,
    draft: Pick<EventDraft, 'type' | 'vendor'>,
    issues: string[],
  ): void {
    this.rejected++;
    this.deps.logger.warn('event draft refused by the model', {
      tenant,
      link,
      type: draft.type,
      vendorEvent: draft.vendor.event,
      issues,
    });
  }
}
