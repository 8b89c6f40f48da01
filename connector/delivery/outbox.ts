/**
 * The webhook outbox (docs/delivery.md, "Webhook channels"): every webhook delivery is a stored outbox
 * item before its first attempt, and this module sends it. Per channel, the pending deliveries wait in
 * one queue per ordering key (the call): the head of each queue goes out when due, at most
 * `maxInFlight` per channel, so a delivery retried blocks the later events of its call only. Each
 * attempt (claim, post, outcome: delivered, retried, failed, channel disabled) is `./webhook-attempt.ts`;
 * a deleted channel's queues are dropped here. The recovery scan (every `recoverMs`, and at start) loads
 * pending work from DynamoDB: after a restart, replays, deliveries other processes left. The outbox
 * also reserves the webhook channels' seqs, in blocks.
 *
 * `./matching.ts` creates the deliveries: it numbers them here (`touchWork`, `reserveSeqs`), makes
 * them known before they are stored (`enqueueCreated`), and hands them over once stored (`sendStored`).
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { DeliveryAttempt, DeliveryRecord } from '../../shared/repos/deliveries.js';
import type { Caches } from './caches.js';
import { key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import { createWebhookAttempts, type AttemptSettings } from './webhook-attempt.js';

/** A webhook delivery this service knows is pending (in its channel's queue). */
export interface Pending {
  tenant: string;
  channel: string;
  seq: number;
  orderKey: string;
  link: string;
  eventSeq: number;
  dueAt: number;
  attemptCount: number;
  /** Held by this service from creation until (epoch ms): no claim write needed before then. */
  heldUntil: number;
  event?: BridgeEvent;
  inFlight: boolean;
  /** Its item is in DynamoDB (false while the batch that creates it is being written: not sent yet). */
  stored: boolean;
  eventId: string;
  eventType: string;
  createdAt: string;
  attempts: DeliveryAttempt[];
}

/** A webhook channel's pending deliveries in memory: one queue per ordering key, in seq order. */
interface HookChannel {
  tenant: string;
  channel: string;
  byOrder: Map<string, Pending[]>;
  known: Set<number>;
  inFlight: number;
}

export interface WebhookOutbox {
  /** Records that the channel has pending work (the recovery scan's index), at most once per 10 min. */
  touchWork(tenant: string, channel: string): Promise<void>;
  /** `count` seqs of a webhook channel, in order (see `webhookSeqs`). */
  reserveSeqs(tenant: string, channel: string, count: number): Promise<number[]>;
  /** Makes deliveries being stored known (queued, not sent: `stored` is false) so that scans skip them. */
  enqueueCreated(pendings: Pending[]): void;
  /** Forgets deliveries whose store failed. */
  abandon(pendings: Pending[]): void;
  /** The deliveries are stored: they go out now. */
  sendStored(pendings: Pending[]): void;
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

export function createWebhookOutbox({
  deps,
  lifecycle,
  caches,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'channelOf' | 'forgetChannel'>;
  settings: AttemptSettings & Pick<Settings, 'seqBlock' | 'recoverMs' | 'maxInFlight'>;
}): WebhookOutbox {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { id, clock, seqBlock, recoverMs, maxInFlight } = settings;
  const hooks = new Map<string, HookChannel>();
  const workTouched = new Map<string, number>();
  let timer: unknown;

  function hookChannel(tenant: string, channel: string): HookChannel {
    const k = key(tenant, channel);
    let h = hooks.get(k);
    if (!h) hooks.set(k, (h = { tenant, channel, byOrder: new Map(), known: new Set(), inFlight: 0 }));
    return h;
  }

  function enqueue(p: Pending) {
    const h = hookChannel(p.tenant, p.channel);
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
  }

  /** One attempt at a queued delivery; it settles the delivery or sets its next due time. */
  const attempts = createWebhookAttempts({
    deps,
    lifecycle,
    caches,
    settings,
    queue: { settle, dropChannel, has: (tenant, channel) => hooks.has(key(tenant, channel)) },
  });

  /** Starts every due head-of-line delivery and sets the timer for the next one. */
  function pump() {
    if (lifecycle.stopped) return;
    const now = clock.now();
    let next = Infinity;
    for (const h of hooks.values()) {
      for (const q of h.byOrder.values()) {
        const head = q[0];
        if (!head || head.inFlight || !head.stored) continue;
        if (head.dueAt <= now && h.inFlight < maxInFlight) {
          head.inFlight = true;
          h.inFlight++;
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
                pump();
              }),
          );
        } else next = Math.min(next, Math.max(head.dueAt, now + 1));
      }
    }
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = next !== Infinity ? clock.setTimeout(pump, Math.min(next - now, 2 ** 31 - 1)) : undefined;
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
   * `count` seqs of a webhook channel, in order. A busy channel reserves `seqBlock` at once (one write for
   * many events); webhook seqs may therefore skip numbers (they are identifiers, not a gap signal).
   */
  const seqBlocks = new Map<string, { next: number; end: number; lastAllocAt: number }>();
  async function webhookSeqs(tenant: string, channel: string, count: number): Promise<number[]> {
    const k = key(tenant, channel);
    let b = seqBlocks.get(k);
    if (!b) seqBlocks.set(k, (b = { next: 1, end: 0, lastAllocAt: 0 }));
    const out: number[] = [];
    while (out.length < count) {
      if (b.next > b.end) {
        const need = count - out.length;
        // A channel that needed numbers in the last minute gets a block (most channels see a steady trickle).
        const size = Date.now() - b.lastAllocAt < 60_000 ? Math.max(seqBlock, need) : need;
        b.lastAllocAt = Date.now();
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
      for (const d of queue) {
        if (d.status !== 'pending') continue;
        const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : nowMs;
        enqueue(pendingFrom(d, Math.max(due, d.owner && d.owner !== id ? d.claimUntil : 0)));
      }
      scannedUpTo.set(k, Math.max(scannedUpTo.get(k) ?? 0, queue.at(-1)!.seq));
    }
    pump();
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
    enqueueCreated(pendings) {
      for (const p of pendings) {
        enqueue(p);
        const k = key(p.tenant, p.channel);
        if (p.seq > (scannedUpTo.get(k) ?? 0)) scannedUpTo.set(k, p.seq);
      }
    },
    abandon(pendings) {
      for (const p of pendings) settle(p);
    },
    sendStored(pendings) {
      for (const p of pendings) p.stored = true;
      pump();
    },
    recover,
    recovering: () => recovering,
    start() {
      recoverTimer = setInterval(() => void scan(false), recoverMs);
    },
    halt() {
      if (timer !== undefined) clock.clearTimeout(timer);
      clearInterval(recoverTimer);
    },
  };
}
