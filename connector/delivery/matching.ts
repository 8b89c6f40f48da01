/**
 * Matching deliveries (docs/delivery.md, "From the log to deliveries"): `deliverBatch` takes a batch of
 * logged events, matches each against the subscriptions of its link (same tenant and link, family,
 * target; one delivery per (event, channel)) and numbers the deliveries (a WebSocket channel from its
 * sequencer, `./sequencers.ts`; a webhook channel from its reserved seq blocks, `./outbox.ts`). Webhook
 * deliveries go to the outbox at once (sent from memory); the WebSocket frames of the whole batch are
 * stored with one write to this process's frame journal (`./journal.ts`, fenced) and then queued on
 * their channels (`./streams.ts`); the sequencers move them into the channels' logs later. `./handoff.ts` calls it, one batch at a time, for the events from the log and for
 * re-matching.
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import { orderKeyOf } from '../../shared/events/matching.js';
import type { Caches } from './caches.js';
import type { Journal } from './journal.js';
import { key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import type { Pending, WebhookOutbox } from './outbox.js';
import type { Sequencer } from './sequencers.js';
import type { ChannelStreams, WsChannel } from './streams.js';

export type DeliverBatch = (events: BridgeEvent[], rematch: boolean) => Promise<void>;

/** A WebSocket channel's frames in one batch: numbered `first..` by its sequencer `s`. */
interface WsBatch {
  s: Sequencer;
  ch: ChannelRecord;
  w: WsChannel;
  first: number;
  events: BridgeEvent[];
  /** Its frames are journaled: they may go out, and the sequencer's head is durable. */
  written: boolean;
}

export function createMatcher({
  deps,
  lifecycle,
  caches,
  outbox,
  streams,
  journal,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'subscriptionsOf' | 'channelOf'>;
  outbox: Pick<WebhookOutbox, 'touchWork' | 'reserveSeqs' | 'admit' | 'knownEvents' | 'loadPending'>;
  streams: Pick<ChannelStreams, 'sequencers' | 'wsChannel' | 'queueFrame'>;
  journal: Pick<Journal, 'append'>;
  settings: Pick<Settings, 'claimMs' | 'clock' | 'owns'>;
}): { deliverBatch: DeliverBatch } {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const channelLog = deps.repos.channelLog;
  const { claimMs, clock, owns } = settings;

  /**
   * Matches a batch of logged events (in log order per link), numbers the deliveries and hands them to
   * the senders (WebSocket frames once the batch's journal write is stored). `rematch`: what a channel
   * already has is skipped (read back to the earliest event's time, less a margin). Throws when the frames
   * were not stored (the catch-up matches the batch again).
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
    // Re-matching skips what a channel has already. A webhook channel is checked here; a WebSocket
    // channel once its sequencer is held (below), so that a late write of a process that held it before
    // is either adopted before that check or refused by the fence in its journal (`./sequencers.ts`).
    const since = rematch
      ? new Date(
          Math.min(...events.map((e) => Date.parse(e.time) || Date.now()), Date.now()) - 600_000,
        ).toISOString()
      : null;
    const notDone = (list: Pair[], done: Iterable<string>) => {
      const set = new Set(done);
      return list.filter((p) => !set.has(`${p.event.link}#${p.event.seq}`));
    };
    if (since !== null) {
      await Promise.all(
        [...byChannel].map(async ([k, list]) => {
          const ch = list[0]!.ch;
          if (ch.type !== 'webhook') return;
          // Delivered or pending already: a stored delivery, a first-attempt success (listed, or still
          // in this process's memory), a delivery this process holds.
          const stored = await repo.deliveredSince(ch.tenant, ch.id, since);
          const held = outbox.knownEvents(ch.tenant, ch.id);
          // A pending delivery stored by another process that this one does not hold (stored after this
          // process's takeover scan: a stalled previous owner's late write) is queued here before the
          // batch's deliveries, so that the later events of its call wait for it.
          const heldSet = new Set(held);
          if ([...stored].some(([k, status]) => status === 'pending' && !heldSet.has(k)))
            await outbox.loadPending(ch.tenant, ch.id);
          const rest = notDone(list, [
            ...stored.keys(),
            ...(await repo.listRecent(ch.tenant, ch.id, deps.now())).map((r) => `${r.link}#${r.eventSeq}`),
            ...held,
          ]);
          if (rest.length) byChannel.set(k, rest);
          else byChannel.delete(k);
        }),
      );
    }

    // Numbers: WebSocket channels from their held sequencer, webhook channels from reserved blocks.
    const nowIso = deps.now().toISOString();
    const nowMs = clock.now();
    const heldUntil = nowMs + claimMs;
    const pendings: Pending[] = [];
    const streamsOf: WsBatch[] = [];
    try {
      const numbered = await Promise.allSettled(
        [...byChannel.values()].map(async (matchedList) => {
          let list = matchedList;
          const ch = list[0]!.ch;
          if (ch.type !== 'webhook') {
            const s = await streams.sequencers.hold(ch.tenant, ch.id);
            if (since !== null) {
              try {
                list = notDone(list, await channelLog.since(ch.tenant, ch.id, since));
              } catch (err) {
                s.pins--;
                throw err;
              }
              if (!list.length) return void s.pins--;
            }
            const first = s.head + 1;
            s.head += list.length;
            streamsOf.push({
              s,
              ch,
              w: streams.wsChannel(ch.tenant, ch.id, first - 1),
              first,
              events: list.map((p) => p.event),
              written: false,
            });
            return;
          }
          await outbox.touchWork(ch.tenant, ch.id);
          const seqs = await outbox.reserveSeqs(ch.tenant, ch.id, list.length);
          list.forEach(({ event }, i) => {
            pendings.push({
              tenant: ch.tenant,
              channel: ch.id,
              seq: seqs[i]!,
              orderKey: orderKeyOf(event),
              link: event.link,
              eventSeq: event.seq,
              dueAt: nowMs,
              attemptCount: 0,
              heldUntil,
              event,
              inFlight: false,
              stored: false,
              fresh: true,
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
      // another process numbers that channel or delivers that link now. Checked just before the write:
      // nothing is stored then (the catch-up re-matches what is still this process's). A write that
      // passed this check and still arrives late meets the fence the other process put in this
      // process's journal and is refused (`FrameJournalRepo.append`).
      const guard = () => {
        if (streamsOf.some(({ s }) => s.until <= Date.now()))
          throw new Error("a WebSocket channel's sequencer lease ran out before the batch was stored");
        const lost = events.find((e) => !owns(e.tenant, e.link));
        if (lost) throw new Error(`link ${lost.tenant}/${lost.link} lost before the batch was stored`);
      };
      guard();
      // Webhooks go out now, from memory (an item only if one has to wait: `./outbox.ts`).
      if (!lifecycle.killed) outbox.admit(pendings);
      await writeFrames(streamsOf, guard);
      if (!lifecycle.killed)
        for (const b of streamsOf)
          b.events.forEach((event, i) => streams.queueFrame(b.w, b.ch, b.first + i, event));
    } finally {
      for (const b of streamsOf) {
        b.s.pins--;
        // Not journaled: its numbers are free, but whether a failed request stored them is not known.
        // The sequencer is dropped; the next batch takes it again and reads the channel's head.
        if (!b.written) streams.sequencers.forget(b.s);
      }
    }
  }

  /**
   * Stores the batch's WebSocket frames, every channel's, with one journal write (`./journal.ts`), and
   * records them on their sequencers as they are stored. Throws when they were not (or may not be).
   */
  async function writeFrames(list: WsBatch[], guard: () => void): Promise<void> {
    if (!list.length) return;
    const batch = list.map((b) => ({
      tenant: b.ch.tenant,
      channel: b.ch.id,
      first: b.first,
      frames: b.events.map((e) => ({ link: e.link, eventSeq: e.seq, eventId: e.id, eventType: e.type })),
    }));
    await journal.append(
      batch,
      (pos) => {
        for (const [i, b] of list.entries()) {
          b.written = true;
          b.s.stored = Math.max(b.s.stored, b.first + b.events.length - 1);
          streams.sequencers.journaled(b.s, pos, b.first, batch[i]!.frames);
        }
      },
      // Just before the write (after the appends queued ahead of it): the leases still hold, and every
      // channel of the batch points at the journal the write goes to (not a fenced one).
      (inc) => {
        guard();
        if (list.some((b) => b.s.inc !== inc))
          throw new Error('a WebSocket channel of the batch points at an earlier frame journal');
      },
    );
  }

  return { deliverBatch };
}
