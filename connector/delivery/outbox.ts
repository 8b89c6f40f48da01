/**
 * The webhook outbox (docs/delivery.md, "Webhook channels"). A new delivery is **fresh**: it lives in
 * this process's memory only and goes out at once. It becomes an outbox item only when it has to wait:
 * its first attempt failed (the item carries the attempt and the next due time), or it is queued behind
 * a stored delivery of its call. A first-attempt success writes nothing of its own (it is listed through
 * `./recent.ts`). Until a fresh delivery is settled or stored, the link's "matched up to" watermark
 * stays below its event (`floor`), so a crash re-matches it: at least once, with the same `webhook-id`.
 *
 * Per channel, the pending deliveries wait in one queue per ordering key (the call): the head of each
 * queue goes out when due, at most `maxInFlight` per channel, so a delivery retried blocks the later
 * events of its call only. Each attempt (claim, post, outcome: delivered, retried, failed, channel
 * disabled) is `./webhook-attempt.ts`; a deleted channel's queues are dropped here. The recovery scan
 * (every `recoverMs`, and at start) loads stored pending work from DynamoDB: after a restart, replays,
 * deliveries other processes left. The outbox also reserves the webhook channels' seqs, in blocks.
 *
 * `./matching.ts` creates the deliveries: it numbers them here (`touchWork`, `reserveSeqs`) and hands
 * them over (`admit`).
 */
import type { Deps } from '../../shared/deps.js';
import type { BatchPutQueue } from '../../shared/db/batch.js';
import type { DeliveryRecord } from '../../shared/repos/deliveries.js';
import type { Caches } from './caches.js';
import { idleSweep } from '../../shared/idle-sweep.js';
import { key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import type { RecentSuccesses } from './recent.js';
import type { WebhookSender } from './webhook.js';
import {
  createWebhookAttempts,
  recordOfPending,
  ttlOfPending,
  type AttemptSettings,
  type Pending,
} from './webhook-attempt.js';

export type { Pending };

/** A webhook channel's pending deliveries in memory: one queue per ordering key, in seq order. */
interface HookChannel {
  tenant: string;
  channel: string;
  byOrder: Map<string, Pending[]>;
  known: Set<number>;
  inFlight: number;
  /** When a delivery was last admitted, loaded or attempted here (`Date.now()`): see `forgetIdle`. */
  activeAt: number;
}

export interface WebhookOutbox {
  /** Records that the channel has pending work (the recovery scan's index), at most once per 10 min. */
  touchWork(tenant: string, channel: string): Promise<void>;
  /** `count` seqs of a webhook channel, in order (see `webhookSeqs`). */
  reserveSeqs(tenant: string, channel: string, count: number): Promise<number[]>;
  /**
   * Takes fresh deliveries (matched, numbered, not stored): they go out now, or are stored at once when
   * a stored delivery of their call is ahead of them.
   */
  admit(pendings: Pending[]): void;
  /**
   * The lowest event seq of the link that has a fresh delivery here (Infinity: none): the link's
   * watermark stays below it.
   */
  floor(tenant: string, link: string): number;
  /**
   * The events (`link#eventSeq`) of the channel this process holds or delivered lately (pending in
   * memory, first-attempt successes): re-matching skips them.
   */
  knownEvents(tenant: string, channel: string): string[];
  /**
   * Reads every pending delivery of one channel now and queues those not queued here yet. Re-matching
   * calls it when the channel has a stored pending delivery this process does not hold: one stored after
   * this process's takeover scan (a stalled previous owner's late write) would otherwise wait for a later
   * full scan while the later events of its call went out.
   */
  loadPending(tenant: string, channel: string): Promise<void>;
  /** Called when a link's `floor` may have risen (a fresh delivery settled or stored). */
  onFloorRise(listener: (tenant: string, link: string) => void): void;
  /**
   * Scans pending work now (one scan at a time). `full`: every pending delivery is read again, also of
   * channels with work in memory (after a link takeover: what the previous owner left is known before
   * anything of the link is sent, so a retry it left keeps its call's order).
   */
  recover(full?: boolean): Promise<void>;
  /** The scan in progress, if any. */
  recovering(): Promise<void> | undefined;
  /** Starts the periodic recovery scan. */
  start(): void;
  /** Clears the timers. */
  halt(): void;
}

/** A busy webhook channel's seq blocks are sized to last about this long (ms). */
const SEQ_BLOCK_MS = 10_000;
/** The largest block of webhook seqs reserved at once (what a crash can skip). */
const MAX_SEQ_BLOCK = 4096;

export function createWebhookOutbox({
  deps,
  lifecycle,
  caches,
  recent,
  puts,
  sender,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'channelOf' | 'forgetChannel'>;
  recent: RecentSuccesses;
  /** The delivery service's batch puts (outbox items). */
  puts: BatchPutQueue;
  /** Sends the POSTs (`./webhook.ts`). */
  sender: WebhookSender;
  settings: AttemptSettings &
    Pick<Settings, 'seqBlock' | 'recoverMs' | 'forgetIdleMs' | 'maxInFlight' | 'maxInFlightTotal'>;
}): WebhookOutbox {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { id, clock, seqBlock, recoverMs, forgetIdleMs, maxInFlight, maxInFlightTotal, ttlDays } = settings;
  const hooks = new Map<string, HookChannel>();
  const workTouched = new Map<string, number>();
  let timer: unknown;

  /** Per link, how many fresh deliveries each event seq has here. */
  const freshByLink = new Map<string, Map<number, number>>();
  let floorListener: (tenant: string, link: string) => void = () => undefined;

  function holdFresh(p: Pending) {
    const k = key(p.tenant, p.link);
    let m = freshByLink.get(k);
    if (!m) freshByLink.set(k, (m = new Map()));
    m.set(p.eventSeq, (m.get(p.eventSeq) ?? 0) + 1);
  }

  /** A fresh delivery is settled or stored: the link's watermark may pass its event. */
  function releaseFresh(p: Pending) {
    if (!p.fresh) return;
    p.fresh = false;
    const k = key(p.tenant, p.link);
    const m = freshByLink.get(k);
    const n = m?.get(p.eventSeq) ?? 0;
    if (n > 1) return void m!.set(p.eventSeq, n - 1);
    m?.delete(p.eventSeq);
    if (m && !m.size) freshByLink.delete(k);
    floorListener(p.tenant, p.link);
  }

  function floor(tenant: string, link: string): number {
    let min = Infinity;
    for (const seq of freshByLink.get(key(tenant, link))?.keys() ?? []) if (seq < min) min = seq;
    return min;
  }

  /**
   * Stores a fresh delivery as a pending outbox item (with its attempts so far and its next due time):
   * it has to wait. A failed write leaves it fresh (the watermark stays below it; it is still sent from
   * memory when its turn comes).
   */
  async function storeNow(p: Pending, nextAttemptAt: string | null = null): Promise<void> {
    if (!p.fresh || p.storing) return;
    p.storing = true;
    try {
      // still held by this process (another sender's scan leaves it alone), or free for any sender
      const rec = recordOfPending(p, 'pending', deps.now(), nextAttemptAt);
      const held = p.heldUntil > clock.now();
      await puts.put(
        repo.itemOf(
          { ...rec, owner: held ? id : null, claimUntil: held ? p.heldUntil : 0 },
          ttlOfPending(p, ttlDays),
        ),
      );
    } catch (err) {
      logger.warn('webhook delivery not stored; it stays in memory', {
        error: err as Error,
        tenant: p.tenant,
        channel: p.channel,
        seq: p.seq,
      });
      return;
    } finally {
      p.storing = false;
    }
    if (lifecycle.killed) return;
    p.stored = true;
    releaseFresh(p);
    const h = hooks.get(key(p.tenant, p.channel));
    if (h) wake(pumpChannel(h, clock.now()));
  }

  /** The fresh deliveries queued behind `p` in its call's queue: stored, as they wait for it. */
  async function storeFollowers(p: Pending): Promise<void> {
    const q = hooks.get(key(p.tenant, p.channel))?.byOrder.get(p.orderKey) ?? [];
    await Promise.all(q.filter((f) => f !== p && f.fresh).map((f) => storeNow(f)));
  }

  function hookChannel(tenant: string, channel: string): HookChannel {
    const k = key(tenant, channel);
    let h = hooks.get(k);
    if (!h)
      hooks.set(
        k,
        (h = { tenant, channel, byOrder: new Map(), known: new Set(), inFlight: 0, activeAt: Date.now() }),
      );
    return h;
  }

  function enqueue(p: Pending) {
    const h = hookChannel(p.tenant, p.channel);
    h.activeAt = Date.now();
    if (h.known.has(p.seq)) return;
    h.known.add(p.seq);
    const q = h.byOrder.get(p.orderKey) ?? [];
    q.push(p);
    if (q.length > 1 && q[q.length - 2]!.seq > p.seq) q.sort((a, b) => a.seq - b.seq);
    h.byOrder.set(p.orderKey, q);
  }

  function settle(p: Pending) {
    const h = hooks.get(key(p.tenant, p.channel));
    if (!h) return; // the channel's work was dropped (channel deleted)
    const q = h.byOrder.get(p.orderKey);
    if (q) {
      const i = q.indexOf(p);
      if (i >= 0) q.splice(i, 1);
      if (!q.length) h.byOrder.delete(p.orderKey);
    }
    h.known.delete(p.seq);
    releaseFresh(p);
  }

  /** One attempt at a queued delivery; it settles the delivery or sets its next due time. */
  const attempts = createWebhookAttempts({
    deps,
    lifecycle,
    caches,
    settings,
    recent,
    puts,
    sender,
    queue: {
      settle,
      dropChannel,
      has: (tenant, channel) => hooks.has(key(tenant, channel)),
      storeNow,
      storeFollowers,
    },
  });

  /** Attempts in flight in this process, all channels (`maxInFlightTotal` at most). */
  let inFlightTotal = 0;
  /** A due delivery waited for the process-wide limit: the next completion looks at every channel. */
  let starved = false;
  let timerAt = Infinity;

  /**
   * Starts the due head-of-line deliveries of one channel (within the per-channel and process-wide
   * limits). Returns when the next of its heads not started is due (Infinity: none waits for time).
   */
  function pumpChannel(h: HookChannel, now: number): number {
    let next = Infinity;
    for (const q of h.byOrder.values()) {
      const head = q[0];
      if (!head || head.inFlight || head.storing || !(head.stored || head.fresh)) continue;
      if (head.dueAt > now) {
        next = Math.min(next, head.dueAt);
        continue;
      }
      if (h.inFlight >= maxInFlight) continue; // a completion of this channel pumps it again
      if (inFlightTotal >= maxInFlightTotal) {
        starved = true;
        continue;
      }
      head.inFlight = true;
      h.inFlight++;
      inFlightTotal++;
      lifecycle.track(
        attempts
          .attempt(head)
          .catch((err: unknown) => {
            logger.error('webhook attempt failed', {
              error: err as Error,
              channel: head.channel,
              seq: head.seq,
            });
            head.dueAt = clock.now() + 1000;
          })
          .finally(() => {
            head.inFlight = false;
            h.inFlight--;
            h.activeAt = Date.now();
            inFlightTotal--;
            if (lifecycle.stopped) return;
            if (starved) pumpSoon();
            else if (hooks.get(key(h.tenant, h.channel)) === h) wake(pumpChannel(h, clock.now()));
          }),
      );
    }
    return next;
  }

  /** Sets the timer for `at` unless it is already set earlier. */
  function wake(at: number) {
    if (at === Infinity || at >= timerAt || lifecycle.stopped) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        pump();
      },
      Math.min(Math.max(1, at - clock.now()), 2 ** 31 - 1),
    );
  }

  /** Starts every due head-of-line delivery of every channel and sets the timer for the next one. */
  function pump() {
    if (lifecycle.stopped) return;
    starved = false;
    const now = clock.now();
    let next = Infinity;
    for (const h of hooks.values()) next = Math.min(next, pumpChannel(h, now));
    wake(next);
  }

  /** One full pump soon, however many completions ask for it meanwhile. */
  let pumpQueued = false;
  function pumpSoon() {
    if (pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => {
      pumpQueued = false;
      pump();
    });
  }

  /**
   * A deleted (or expired) webhook channel: its queued deliveries are dropped at once, without a write
   * each (nobody can read them any more; they expire with the TTL), and its work item is removed so the
   * recovery scan does not load them again. Attempts in flight end without recording anything.
   */
  async function dropChannel(tenant: string, channel: string) {
    const k = key(tenant, channel);
    const h = hooks.get(k);
    hooks.delete(k);
    seqBlocks.delete(k);
    attempts.forget(tenant, channel);
    recent.forget(tenant, channel);
    // nothing of a gone channel is delivered any more: its fresh deliveries no longer hold the watermark
    for (const q of h?.byOrder.values() ?? []) for (const p of q) releaseFresh(p);
    workTouched.delete(k);
    scannedUpTo.delete(k);
    if (h)
      logger.info('webhook channel gone; its queued deliveries dropped', {
        tenant,
        channel,
        deliveries: h.known.size,
      });
    await repo.deleteWorkIfIdle(tenant, channel, Number.MAX_SAFE_INTEGER);
  }

  /**
   * What this process keeps of webhook channels idle for `forgetIdleMs` (nothing pending here, no
   * attempt, no new delivery) is forgotten, unlike `dropChannel` without touching the stored work: a
   * deleted or expired channel, or one whose events now go through another process, leaves nothing in
   * memory. (A channel's lists of successes not written yet keep it until they are.) Its next delivery
   * starts afresh: a seq block, a read of its failing state, of its list of successes.
   */
  const forgetIdle = idleSweep(Math.min(60_000, forgetIdleMs), (now) => {
    for (const [k, h] of hooks) {
      if (h.known.size || h.inFlight || now - h.activeAt < forgetIdleMs) continue;
      if (!recent.forgetIfWritten(h.tenant, h.channel)) continue;
      hooks.delete(k);
      scannedUpTo.delete(k);
      attempts.forget(h.tenant, h.channel);
    }
    for (const [k, at] of workTouched) if (now - at >= forgetIdleMs && !hooks.has(k)) workTouched.delete(k);
    for (const [k, b] of seqBlocks)
      if (now - b.lastAllocAt >= forgetIdleMs && !hooks.has(k)) seqBlocks.delete(k);
  });

  /** Per webhook channel: the seqs reserved (`next..end`), when, and how many (`size`). */
  const seqBlocks = new Map<string, { next: number; end: number; lastAllocAt: number; size: number }>();
  /**
   * `count` seqs of a webhook channel, in order. A busy channel reserves `seqBlock` or more at once (one
   * write for many events); webhook seqs may therefore skip numbers (they are identifiers, not a gap
   * signal).
   */
  async function webhookSeqs(tenant: string, channel: string, count: number): Promise<number[]> {
    const k = key(tenant, channel);
    let b = seqBlocks.get(k);
    if (!b) seqBlocks.set(k, (b = { next: 1, end: 0, lastAllocAt: 0, size: 0 }));
    const out: number[] = [];
    while (out.length < count) {
      if (b.next > b.end) {
        const need = count - out.length;
        // A channel that needed numbers in the last minute gets a block (most channels see a steady
        // trickle). A block used up within SEQ_BLOCK_MS is followed by one sized for SEQ_BLOCK_MS at the
        // rate it was used (at least twice as large), so that a busy channel reserves about once per
        // SEQ_BLOCK_MS whatever its rate, from its third reservation on; blocks shrink back after a
        // minute without one.
        const since = Date.now() - b.lastAllocAt;
        const block =
          since >= 60_000
            ? 0
            : since < SEQ_BLOCK_MS && b.size >= seqBlock
              ? Math.min(
                  Math.max(b.size * 2, Math.ceil((b.size * SEQ_BLOCK_MS) / Math.max(since, 1))),
                  MAX_SEQ_BLOCK,
                )
              : Math.max(seqBlock, b.size);
        const size = Math.max(block, need);
        b.lastAllocAt = Date.now();
        b.size = size;
        const { seq } = await repo.allocSeq(tenant, channel, size);
        b.next = seq;
        b.end = seq + size - 1;
      }
      out.push(b.next++);
    }
    return out;
  }

  let recovering: Promise<void> | undefined;
  /**
   * Per webhook channel, the highest seq this process created or a scan found. While the channel has
   * work in memory, scans read only the pending deliveries above it (new replays, other processes' new
   * work); every `fullScanEvery`-th scan, and the first, reads every pending delivery again.
   */
  const scannedUpTo = new Map<string, number>();
  const fullScanEvery = 12;
  let scans = 0;
  async function recoverOnce(forceFull: boolean) {
    forgetIdle();
    const nowMs = clock.now();
    const full = scans++ % fullScanEvery === 0 || forceFull;
    const work = await repo.listWork();
    const chans = await Promise.all(work.map((w) => caches.channelOf(w.tenant, w.channel)));
    for (const [i, w] of work.entries()) {
      if (lifecycle.stopped) return;
      const k = key(w.tenant, w.channel);
      if (!chans[i]) {
        await dropChannel(w.tenant, w.channel);
        continue;
      }
      const h = hooks.get(k);
      const after = !full && h && h.known.size ? (scannedUpTo.get(k) ?? 0) : 0;
      const queue = await repo.pendingQueue(w.tenant, w.channel, after);
      if (!queue.length) {
        if (!after && (!h || h.known.size === 0))
          await repo.deleteWorkIfIdle(w.tenant, w.channel, Date.now() - 3_600_000);
        continue;
      }
      take(queue, nowMs);
    }
    pump();
  }
  /** Queues stored pending deliveries of one channel (those already queued here are skipped). */
  function take(queue: DeliveryRecord[], nowMs: number) {
    for (const d of queue) {
      if (d.status !== 'pending') continue;
      const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : nowMs;
      enqueue(pendingFrom(d, Math.max(due, d.owner && d.owner !== id ? d.claimUntil : 0)));
    }
    const last = queue.at(-1);
    if (last) {
      const k = key(last.tenant, last.channel);
      scannedUpTo.set(k, Math.max(scannedUpTo.get(k) ?? 0, last.seq));
    }
  }
  const pendingFrom = (d: DeliveryRecord, dueAt: number): Pending => ({
    tenant: d.tenant,
    channel: d.channel,
    seq: d.seq,
    orderKey: d.orderKey,
    link: d.link,
    eventSeq: d.eventSeq,
    dueAt,
    attemptCount: d.attemptCount,
    heldUntil: 0,
    inFlight: false,
    stored: true,
    fresh: false,
    eventId: d.eventId,
    eventType: d.eventType,
    createdAt: d.createdAt,
    attempts: d.attempts,
  });
  const scan = (full: boolean) =>
    (recovering ??= recoverOnce(full)
      .catch((err: unknown) => logger.error('delivery recovery failed', { error: err as Error }))
      .finally(() => (recovering = undefined)));
  const recover = async (full = false) => {
    if (full && recovering) await recovering; // a scan in progress may not be a full one
    await scan(full);
  };

  let recoverTimer: NodeJS.Timeout | undefined;
  return {
    async touchWork(tenant, channel) {
      const k = key(tenant, channel);
      if ((workTouched.get(k) ?? 0) < Date.now() - 600_000) {
        await repo.touchWork(tenant, channel, Date.now());
        workTouched.set(k, Date.now());
      }
    },
    reserveSeqs: webhookSeqs,
    admit(pendings) {
      for (const p of pendings) {
        holdFresh(p);
        enqueue(p);
        const k = key(p.tenant, p.channel);
        if (p.seq > (scannedUpTo.get(k) ?? 0)) scannedUpTo.set(k, p.seq);
      }
      // behind a stored delivery of its call (a retry that may take hours): it waits as an item
      for (const p of pendings) {
        const q = hooks.get(key(p.tenant, p.channel))?.byOrder.get(p.orderKey) ?? [];
        if (q.some((o) => o.seq < p.seq && !o.fresh)) lifecycle.track(storeNow(p));
      }
      // only the channels these deliveries belong to (a busy process has many channels with work)
      const now = clock.now();
      const touched = new Set(pendings.map((p) => hooks.get(key(p.tenant, p.channel))));
      for (const h of touched) if (h) wake(pumpChannel(h, now));
    },
    floor,
    knownEvents(tenant, channel) {
      const out = [...recent.deliveredKeys(tenant, channel)];
      for (const q of hooks.get(key(tenant, channel))?.byOrder.values() ?? [])
        for (const p of q) out.push(`${p.link}#${p.eventSeq}`);
      return out;
    },
    async loadPending(tenant, channel) {
      const queue = await repo.pendingQueue(tenant, channel, 0);
      take(queue, clock.now());
      const h = hooks.get(key(tenant, channel));
      if (h) wake(pumpChannel(h, clock.now()));
    },
    onFloorRise(listener) {
      floorListener = listener;
    },
    recover,
    recovering: () => recovering,
    start() {
      recoverTimer = setInterval(() => void scan(false), recoverMs);
    },
    halt() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      clearInterval(recoverTimer);
    },
  };
}
