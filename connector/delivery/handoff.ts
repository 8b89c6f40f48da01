/**
 * The hand-off from the event log (docs/delivery.md, "From the log to deliveries"): logged events are
 * queued in memory (the writer waits only when `maxBacklog` are queued) and one serial worker takes
 * them in batches of up to `maxBatch` for `deliverBatch` (`./matching.ts`). A per-link "matched up to"
 * watermark follows the events whose deliveries are stored (one write in flight per link). The log
 * events after it are matched again (catch-up, skipping those already delivered) when this service takes
 * a link (`linkOwned`), when an event arrives after a gap, and `recoverMs` after a failed batch.
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import { idleSweep } from '../../shared/idle-sweep.js';
import { key, type Lifecycle } from './common.js';
import type { DeliverBatch } from './matching.js';
import type { Settings } from './options.js';

/** The delivery state of one link in this service. */
interface LinkState {
  tenant: string;
  link: string;
  /** Every event with seq <= matched was matched here and its deliveries handed over (null: not loaded). */
  matched: number | null;
  /**
   * The watermark: every event with seq <= done has its deliveries stored or settled. It is `matched`,
   * but below the first event with a fresh webhook delivery still in this process's memory (`floor`).
   */
  done: number | null;
  /** Value last written to DynamoDB. */
  durable: number;
  writing: boolean;
  /** When the watermark was last written (ms), and the timer of the next write. */
  writtenAt: number;
  markTimer?: NodeJS.Timeout;
  /** A hand-off failed: `matched` stays put until a catch-up re-matched the events after it. */
  broken: boolean;
  lastSeen: number;
  repair?: NodeJS.Timeout;
  /** When this process last had an event of the link (`Date.now()`): see `forgetIdleLinks`. */
  seenAt: number;
}

export interface Handoff {
  /** Queues a logged event; resolves at once, or when the backlog is below `maxBacklog` again. */
  handle(event: BridgeEvent): Promise<void>;
  /**
   * This service took the link: reads its watermark, runs `loaded` (the scan of pending webhook work),
   * re-matches the log events after the watermark, then moves it.
   */
  linkOwned(tenant: string, link: string, loaded?: () => Promise<void>): Promise<void>;
  /** The link's "matched up to" seq this service knows (null: not loaded). */
  matchedUpTo(tenant: string, link: string): number | null;
  /** The serial work queued so far (matching, catch-ups, repairs). */
  idle(): Promise<void>;
  /** Clears the repair timers and releases the writers waiting for room. */
  halt(): void;
  /** Writes every watermark behind (a graceful stop leaves them exact). */
  flush(): Promise<void>;
  /** The link's `floor` rose (a fresh delivery was settled or stored): the watermark may move on. */
  floorRose(tenant: string, link: string): void;
}

export function createHandoff({
  deps,
  lifecycle,
  deliverBatch,
  floor,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  deliverBatch: DeliverBatch;
  /** The lowest event seq of a link with a fresh webhook delivery in memory (Infinity: none). */
  floor: (tenant: string, link: string) => number;
  settings: Pick<Settings, 'recoverMs' | 'maxBacklog' | 'maxBatch' | 'owns' | 'watermarkMs' | 'forgetIdleMs'>;
}): Handoff {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const log = deps.repos.events;
  const { recoverMs, maxBacklog, maxBatch, owns, watermarkMs, forgetIdleMs } = settings;

  /** Every matching, catch-up and repair runs here, one at a time, in the order they were queued. */
  let work: Promise<void> = Promise.resolve();
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const p = work.then(task);
    work = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  const linkStates = new Map<string, LinkState>();
  function linkState(tenant: string, link: string): LinkState {
    const k = key(tenant, link);
    let L = linkStates.get(k);
    if (!L)
      linkStates.set(
        k,
        (L = {
          tenant,
          link,
          matched: null,
          done: null,
          durable: 0,
          writing: false,
          writtenAt: 0,
          broken: false,
          lastSeen: 0,
          seenAt: Date.now(),
        }),
      );
    return L;
  }

  /**
   * A link that moved to another process, or was deleted, leaves its state here: dropped once it is not
   * owned, has had no event for `forgetIdleMs` and has nothing pending (no repair, no watermark write).
   * Should the link come back, its next event loads it again, as at first sight.
   */
  const forgetIdleLinks = idleSweep(Math.min(60_000, forgetIdleMs), (now) => {
    for (const [k, L] of linkStates)
      if (
        now - L.seenAt >= forgetIdleMs &&
        !L.repair &&
        !L.writing &&
        !L.markTimer &&
        !owns(L.tenant, L.link)
      )
        linkStates.delete(k);
  });

  /**
   * Moves the watermark. It is written at most once every `watermarkMs` per link (one write in flight;
   * later marks coalesce into the next write): after a crash the catch-up re-matches at most that much
   * more of the log, skipping what already has its deliveries.
   */
  function markDone(L: LinkState, seq: number) {
    if (L.broken || L.matched === null || L.done === null) return;
    L.matched = Math.max(L.matched, seq);
    const upTo = Math.min(L.matched, floor(L.tenant, L.link) - 1);
    if (upTo <= L.done) return;
    L.done = upTo;
    writeSoon(L);
  }

  function writeSoon(L: LinkState) {
    if (L.writing || L.markTimer || lifecycle.stopped) return;
    const wait = L.writtenAt + watermarkMs - Date.now();
    if (wait > 0) {
      L.markTimer = setTimeout(() => {
        L.markTimer = undefined;
        writeSoon(L);
      }, wait);
      return;
    }
    lifecycle.track(writeWatermark(L));
  }

  async function writeWatermark(L: LinkState) {
    if (L.writing || lifecycle.killed || L.done === null || L.durable >= L.done) return;
    L.writing = true;
    L.writtenAt = Date.now();
    try {
      const s = L.done;
      await repo.advanceWatermark(L.tenant, L.link, s);
      L.durable = Math.max(L.durable, s);
    } catch (err) {
      logger.warn('delivery watermark write failed', { error: err as Error, tenant: L.tenant, link: L.link });
    } finally {
      L.writing = false;
    }
    if (L.done !== null && L.durable < L.done) writeSoon(L);
  }

  async function loadLink(L: LinkState, fallback: number | null) {
    let w = await repo.getWatermark(L.tenant, L.link);
    if (w === null)
      w = await repo.ensureWatermark(L.tenant, L.link, fallback ?? (await log.head(L.tenant, L.link)));
    L.matched = w;
    L.done = w;
    L.durable = w;
  }

  /** Re-matches the log events in (matched, upTo]; those already delivered are skipped. */
  async function catchUp(L: LinkState, upTo: number) {
    let from = L.matched!;
    let rematched = 0;
    while (from < upTo && !lifecycle.stopped) {
      if (!owns(L.tenant, L.link)) return lost(L);
      const { events: evs } = await log.read(L.tenant, L.link, {
        after: from,
        upTo,
        limit: 200,
        now: deps.now(),
        consistent: true,
      });
      if (!evs.length) break;
      await deliverBatch(evs, true);
      rematched += evs.length;
      from = evs.at(-1)!.seq;
    }
    if (lifecycle.stopped) return;
    L.broken = false;
    markDone(L, upTo);
    if (rematched)
      logger.info('delivery caught up from the event log', {
        tenant: L.tenant,
        link: L.link,
        events: rematched,
        upTo,
      });
  }

  /**
   * This process does not own the link now (a stall outlived its lease, or a renewal came late): its
   * events are left alone and what this process knew of the watermark is dropped. A repair looks again
   * after `recoverMs`: owned again (the late renewal went through), it catches up on the events it
   * skipped; owned elsewhere, it forgets the link once the new owner's watermark covers them.
   */
  function lost(L: LinkState) {
    if (L.matched !== null)
      logger.warn('delivery: link not owned by this process; its events are left to the owner', {
        tenant: L.tenant,
        link: L.link,
      });
    L.matched = null;
    L.done = null;
    L.broken = true;
    scheduleRepair(L);
  }

  function scheduleRepair(L: LinkState) {
    if (L.repair || lifecycle.stopped) return;
    L.repair = setTimeout(() => {
      L.repair = undefined;
      void serial(async () => {
        if (lifecycle.stopped) return;
        if (!owns(L.tenant, L.link)) {
          const w = await repo.getWatermark(L.tenant, L.link);
          // forgotten once the new owner's watermark covers what this process skipped, or the link is gone
          // (deleted while its last events were on their way here: nobody moves its watermark any more)
          if ((w !== null && w >= L.lastSeen) || !(await deps.repos.links.get(L.tenant, L.link)))
            linkStates.delete(key(L.tenant, L.link));
          else scheduleRepair(L);
          return;
        }
        if (L.matched === null) await loadLink(L, null);
        await catchUp(L, Math.max(L.lastSeen, L.matched!));
      }).catch((err: unknown) => {
        logger.error('delivery catch-up failed', { error: err as Error, tenant: L.tenant, link: L.link });
        scheduleRepair(L);
      });
    }, recoverMs);
  }

  /** Logged events waiting for matching, in log order per link. */
  let backlog: BridgeEvent[] = [];
  let draining = false;
  const roomWaiters: (() => void)[] = [];

  /** Takes a batch from the backlog and delivers it; queues itself again while events remain. */
  async function drain() {
    const batch = backlog.length <= maxBatch ? backlog : backlog.slice(0, maxBatch);
    backlog = backlog.length <= maxBatch ? [] : backlog.slice(maxBatch);
    while (roomWaiters.length && backlog.length < maxBacklog) roomWaiters.shift()!();
    const links = new Map<LinkState, BridgeEvent[]>();
    forgetIdleLinks();
    const seenAt = Date.now();
    for (const e of batch) {
      const L = linkState(e.tenant, e.link);
      L.seenAt = seenAt;
      const list = links.get(L);
      if (list) list.push(e);
      else links.set(L, [e]);
    }
    const live: BridgeEvent[] = [];
    const involved: LinkState[] = [];
    for (const [L, evs] of links) {
      if (!owns(L.tenant, L.link)) {
        L.lastSeen = Math.max(L.lastSeen, evs.at(-1)!.seq);
        lost(L);
        continue;
      }
      try {
        if (L.matched === null) await loadLink(L, evs[0]!.seq - 1);
        // A gap: events the log holds that this process never saw (another owner died after logging them).
        if (!L.broken && L.matched! < evs[0]!.seq - 1) await catchUp(L, evs[0]!.seq - 1);
      } catch (err) {
        if (lifecycle.stopped) return;
        logger.error('delivery catch-up failed', { error: err as Error, tenant: L.tenant, link: L.link });
        L.broken = true;
        scheduleRepair(L);
      }
      L.lastSeen = Math.max(L.lastSeen, evs.at(-1)!.seq);
      const fresh = L.matched === null ? evs : evs.filter((e) => e.seq > L.matched!);
      live.push(...fresh);
      involved.push(L);
    }
    try {
      await deliverBatch(live, false);
      for (const L of involved) if (L.matched !== null) markDone(L, L.lastSeen);
    } catch (err) {
      if (lifecycle.stopped) return;
      logger.error('delivery of logged events failed; re-matching later', {
        error: err as Error,
        events: live.length,
      });
      for (const L of involved) {
        L.broken = true;
        scheduleRepair(L);
      }
    }
  }

  function kick() {
    if (draining || lifecycle.stopped || !backlog.length) return;
    draining = true;
    void serial(drain).finally(() => {
      draining = false;
      kick();
    });
  }

  function handle(event: BridgeEvent): Promise<void> {
    if (lifecycle.stopped) return Promise.resolve();
    backlog.push(event);
    kick();
    if (backlog.length < maxBacklog) return Promise.resolve();
    return new Promise<void>((r) => roomWaiters.push(r));
  }

  async function linkOwned(tenant: string, link: string, loaded?: () => Promise<void>) {
    if (lifecycle.stopped) return;
    const L = linkState(tenant, link);
    await serial(async () => {
      if (lifecycle.stopped) return;
      await loadLink(L, null);
      await loaded?.();
      await catchUp(L, await log.head(tenant, link));
    }).catch((err: unknown) => {
      logger.error('delivery catch-up failed', { error: err as Error, tenant, link });
      L.broken = true;
      scheduleRepair(L);
    });
  }

  return {
    handle,
    linkOwned,
    matchedUpTo: (tenant, link) => linkStates.get(key(tenant, link))?.matched ?? null,
    idle: () => work,
    halt() {
      for (const L of linkStates.values()) {
        clearTimeout(L.repair);
        clearTimeout(L.markTimer);
        L.markTimer = undefined;
      }
      for (const r of roomWaiters.splice(0)) r();
    },
    async flush() {
      await Promise.all([...linkStates.values()].map((L) => writeWatermark(L)));
    },
    floorRose(tenant, link) {
      const L = linkStates.get(key(tenant, link));
      if (L?.matched != null) markDone(L, L.matched);
    },
  };
}
