/**
 * Turns driver drafts into logged events: validates the data, assigns id and per-link seq, appends to
 * the event log in DynamoDB, then hands the event to delivery (`onLogged`). This is the hand-off point
 * between the connector and delivery: nothing is delivered that is not in the log first.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../shared/deps.js';
import { EVENT_DATA, type BridgeEvent, type EventDraft } from '../shared/events/model.js';

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
}

export class EventLogWriter {
  private readonly listeners: EventListener[] = [];
  /** Counters of drafts the model refused (vendor garbage that got past a driver). */
  rejected = 0;

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
   * Logs consecutive drafts of one link: one seq reservation and one transaction for the batch, then
   * the listeners, in order. Drafts the model refuses are dropped (and counted); the rest keep their order.
   */
  async writeMany(tenant: string, link: string, drafts: EventDraft[]): Promise<BridgeEvent[]> {
    const valid: { draft: EventDraft; data: unknown }[] = [];
    for (const draft of drafts) {
      const parsed = EVENT_DATA[draft.type].safeParse(draft.data);
      if (parsed.success) valid.push({ draft, data: parsed.data });
      else {
        this.rejected++;
        this.deps.logger.warn('event draft refused by the model', {
          tenant,
          link,
          type: draft.type,
          vendorEvent: draft.vendor.event,
          issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
        });
      }
    }
    if (!valid.length) return [];
    const now = this.deps.now();
    const first = await this.deps.repos.events.reserveSeq(tenant, link, valid.length);
    const events = valid.map(
      ({ draft, data }, i) =>
        ({
          specversion: '1',
          id: `evt_${randomBytes(12).toString('base64url')}`,
          type: draft.type,
          time: draft.time ?? now.toISOString(),
          tenant,
          link,
          target: draft.target,
          seq: first + i,
          data,
          vendor: draft.vendor,
        }) as BridgeEvent,
    );
    await this.deps.repos.events.appendMany(events, this.opts.ttlDays, now);
    for (const event of events) {
      for (const l of this.listeners) {
        try {
          await l(event);
        } catch (err) {
          this.deps.logger.error('event listener failed', { error: err as Error, eventId: event.id });
        }
      }
    }
    return events;
  }
}
