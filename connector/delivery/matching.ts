/**
 * Matching and storing deliveries (docs/delivery.md, "From the log to deliveries"): `deliverBatch`
 * takes a batch of logged events, matches each against the subscriptions of its link (same tenant and
 * link, family, target; one delivery per (event, channel)), numbers the deliveries (a WebSocket channel
 * from its sequencer, `./sequencers.ts`; a webhook channel from its reserved seq blocks, `./outbox.ts`),
 * stores all of them in batch writes, and only then hands them to the senders: webhook deliveries to the
 * outbox, WebSocket frames to their channel's queue (`./streams.ts`). `./handoff.ts` calls it, one
 * batch at a time, for the events from the log and for re-matching.
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { DeliveryRecord } from '../../shared/repos/deliveries.js';
import { orderKeyOf } from '../../shared/events/matching.js';
import type { Caches } from './caches.js';
import { key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import type { Pending, WebhookOutbox } from './outbox.js';
import type { ChannelStreams, WsChannel } from './streams.js';

export type DeliverBatch = (events: BridgeEvent[], rematch: boolean) => Promise<void>;

export function createMatcher({
  deps,
  lifecycle,
  caches,
  outbox,
  streams,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'subscriptionsOf' | 'channelOf'>;
  outbox: Pick<WebhookOutbox, 'touchWork' | 'reserveSeqs' | 'enqueueCreated' | 'abandon' | 'sendStored'>;
  streams: Pick<ChannelStreams, 'sequencers' | 'wsChannel' | 'queueFrame'>;
  settings: Pick<Settings, 'id' | 'ttlDays' | 'claimMs' | 'clock' | 'owns'>;
}): { deliverBatch: DeliverBatch } {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { id, ttlDays, claimMs, clock, owns } = settings;

  /**
   * Matches a batch of logged events (in log order per link), numbers and stores every delivery in batch
   * writes, then hands them to the senders. `rematch`: deliveries that already exist are skipped (their
   * channel's log is read back to the earliest event's time, less a margin).
   */
  async function deliverBatch(all: BridgeEvent[], rematch: boolean) {
    // A link this process lost (a stall outlived its lease) is the new owner's to deliver: checked again
    // here, just before numbering, because matching waited for the previous batch.
    const events = all.filter((e) => owns(e.tenant, e.link));
    interface Pair {
      event: BridgeEvent;
      ch: ChannelRecord;
    }
    const pairs: Pair[] = [];
    const matched: { event: BridgeEvent; ids: string[] }[] = [];
    for (const event of events) {
      const ids = (await caches.subscriptionsOf(event.tenant, event.link)).channelsFor(event);
      if (ids.length) matched.push({ event, ids });
    }
    // Every channel record of the batch at once: the loader merges the misses into batch reads.
    const records = await Promise.all(
      matched.map(({ event, ids }) => Promise.all(ids.map((c) => caches.channelOf(event.tenant, c)))),
    );
    for (const [i, { event }] of matched.entries()) {
      for (const ch of records[i]!) {
        if (!ch) continue;
        if (ch.type === 'webhook' && ch.status === 'disabled') {
          logger.info('event not delivered: channel disabled', {
            tenant: ch.tenant,
            channel: ch.id,
            eventId: event.id,
          });
          continue;
        }
        pairs.push({ event, ch });
      }
    }
    if (!pairs.length) return;

    const byChannel = new Map<string, Pair[]>();
    for (const p of pairs) {
      const k = key(p.ch.tenant, p.ch.id);
      const list = byChannel.get(k);
      if (list) list.push(p);
      else byChannel.set(k, [p]);
    }
    if (rematch) {
      const earliest = Math.min(...events.map((e) => Date.parse(e.time) || Date.now()));
      const since = new Date(Math.min(earliest, Date.now()) - 600_000).toISOString();
      await Promise.all(
        [...byChannel].map(async ([k, list]) => {
          const done = await repo.deliveredSince(list[0]!.ch.tenant, list[0]!.ch.id, since);
          const rest = list.filter((p) => !done.has(`${p.event.link}#${p.event.seq}`));
          if (rest.length) byChannel.set(k, rest);
          else byChannel.delete(k);
        }),
      );
    }

    // Numbers: WebSocket channels from their held sequencer, webhook channels from reserved blocks.
    const nowIso = deps.now().toISOString();
    const nowMs = clock.now();
    const heldUntil = nowMs + claimMs;
    const recs: DeliveryRecord[] = [];
    const frames: { w: WsChannel; ch: ChannelRecord; seq: number; event: BridgeEvent }[] = [];
    let writing = false;
    const pendings: Pending[] = [];
    /** The sequencers this batch numbers with, and their heads before it (put back if it fails). */
    const pinned: {
      s: { pins: number; head: number; stored: number; until: number };
      before: number;
      after: number;
    }[] = [];
    try {
      const numbered = await Promise.allSettled(
        [...byChannel.values()].map(async (list) => {
          const ch = list[0]!.ch;
          let seqs: number[];
          let w: WsChannel | undefined;
          if (ch.type === 'webhook') {
            await outbox.touchWork(ch.tenant, ch.id);
            seqs = await outbox.reserveSeqs(ch.tenant, ch.id, list.length);
          } else {
            const s = await streams.sequencers.hold(ch.tenant, ch.id);
            const before = s.head;
            w = streams.wsChannel(ch.tenant, ch.id, s.head);
            seqs = list.map(() => ++s.head);
            pinned.push({ s, before, after: s.head });
          }
          list.forEach(({ event }, i) => {
            const seq = seqs[i]!;
            const orderKey = orderKeyOf(event);
            const webhook = ch.type === 'webhook';
            recs.push({
              tenant: ch.tenant,
              channel: ch.id,
              seq,
              channelType: webhook ? 'webhook' : 'websocket',
              eventId: event.id,
              eventType: event.type,
              link: event.link,
              eventSeq: event.seq,
              orderKey,
              status: 'pending',
              attempts: [],
              attemptCount: 0,
              nextAttemptAt: webhook ? new Date(nowMs).toISOString() : null,
              createdAt: nowIso,
              settledAt: null,
              claimUntil: webhook ? heldUntil : 0,
              owner: webhook ? id : null,
            });
            if (w) frames.push({ w, ch, seq, event });
            else
              pendings.push({
                tenant: ch.tenant,
                channel: ch.id,
                seq,
                orderKey,
                link: event.link,
                eventSeq: event.seq,
                dueAt: nowMs,
                attemptCount: 0,
                heldUntil,
                event,
                inFlight: false,
                stored: false,
                eventId: event.id,
                eventType: event.type,
                createdAt: nowIso,
                attempts: [],
              });
          });
        }),
      );
      for (const r of numbered) if (r.status === 'rejected') throw r.reason;
      // A stall since numbering (a pause, a partition) may have outlived a sequencer lease, or the link's:
      // another process numbers that channel or delivers that link now. Checked before every request of
      // the write: nothing more is stored then (the catch-up re-matches what is still this process's).
      const guard = () => {
        if (pinned.some(({ s }) => s.until <= Date.now()))
          throw new Error("a WebSocket channel's sequencer lease ran out before the batch was stored");
        const lost = events.find((e) => !owns(e.tenant, e.link));
        if (lost) throw new Error(`link ${lost.tenant}/${lost.link} lost before the batch was stored`);
      };
      guard();
      // Known before they are stored: the recovery scan, which may see an item as soon as its own chunk
      // is written, then leaves it to this process instead of sending it a second time.
      outbox.enqueueCreated(pendings);
      writing = true;
      try {
        await repo.putMany(recs, ttlDays, deps.now(), guard);
      } catch (err) {
        outbox.abandon(pendings);
        throw err;
      }
      for (const p of pinned) p.s.stored = Math.max(p.s.stored, p.after);
    } finally {
      for (const { s, before, after } of pinned) {
        s.pins--;
        // numbers of a batch that never reached the write are handed out again (no gap); once a request
        // was sent some may be stored, and they stay used
        if (!writing && s.head === after) s.head = before;
      }
    }
    if (lifecycle.killed) return;
    outbox.sendStored(pendings); // webhooks go out now, without waiting for the WebSocket frames
    for (const f of frames) streams.queueFrame(f.w, f.ch, f.seq, f.event);
  }

  return { deliverBatch };
}
