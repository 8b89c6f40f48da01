/**
 * Turns driver drafts into logged events: validates the data, assigns id and per-link seq, appends to
 * the event log in DynamoDB, then hands the event to delivery (`onLogged`). This is the hand-off point
 * between the connector and delivery: nothing is delivered that is not in the log first.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../shared/deps.js';
import { EVENT_DATA, type BridgeEvent, type EventDraft } from '../shared/events/model.js';

export type EventListener = (event: BridgeEvent) => void | Promise<void>;

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
