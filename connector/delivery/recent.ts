/**
 * First-attempt successes of webhook deliveries (docs/delivery.md, "Webhook channels"): a delivery whose
 * first attempt succeeds never gets an item of its own. What `GET /v1/channels/{id}/deliveries` shows of
 * it is kept here, per (channel, link): the latest `keep`, written as one item (`DeliveryRepo.recentItem`,
 * in batch puts). Only the link's owner writes that item; a process that starts writing it reads the
 * previous owner's list once and continues it.
 *
 * The lists are written on a budget, not per channel: a list is written at most once every `flushMs`,
 * and the process writes at most `writesPerSec` lists a second in all, the ones that changed first
 * first. With many busy channels a list is so written every (busy lists / `writesPerSec`) seconds, and
 * what it does not hold yet is answered from memory (`current`, asked by the API through the link's
 * owner): the writes grow with the time, not with the number of channels.
 */
import type { BatchPutQueue } from '../../shared/db/batch.js';
import type { Deps } from '../../shared/deps.js';
import type { DeliveryRecord } from '../../shared/repos/deliveries.js';
import { key, type Lifecycle } from './common.js';

/** How many first-attempt successes are listed per (channel, link). */
export const RECENT_PER_LINK = 25;

interface Buffer {
  tenant: string;
  channel: string;
  link: string;
  /** null until the stored list was read (the first success of this key in this process). */
  list: DeliveryRecord[] | null;
  added: DeliveryRecord[];
  writtenAt: number;
  writing?: Promise<void>;
}

export interface RecentSuccesses {
  /** Records a delivery that succeeded at its first attempt (written on the budget, see above). */
  add(rec: DeliveryRecord): void;
  /**
   * The channel's latest first-attempt successes as this process knows them (of every link it writes a
   * list of), including those not written yet: what the API adds to the stored lists.
   */
  current(tenant: string, channel: string): DeliveryRecord[];
  /** Writes every list with unwritten successes now (a graceful stop). */
  flush(): Promise<void>;
  /**
   * The events (`link#eventSeq`) of the channel's latest first-attempt successes in this process (up to
   * `remember`): re-matching after a failed batch skips them.
   */
  deliveredKeys(tenant: string, channel: string): Iterable<string>;
  /** The channel is gone: its lists are forgotten. */
  forget(tenant: string, channel: string): void;
  /**
   * The channel is idle: its lists are forgotten if every one is written (true), else kept (false: asked
   * again later). A later success reads the stored list again.
   */
  forgetIfWritten(tenant: string, channel: string): boolean;
  /** Stops the timer; unwritten successes are dropped (a crash). */
  halt(): void;
}

/**
 * @example
 * const recent = createRecentSuccesses({ deps, lifecycle, puts: new BatchPutQueue(deps.db), ttlDays: 7 });
 * recent.add(recordOfPending(p, 'delivered', now)); // listed at once in `current`, stored within seconds
 */
export function createRecentSuccesses({
  deps,
  lifecycle,
  puts,
  ttlDays,
  flushMs = 1000,
  writesPerSec = 20,
  keep = RECENT_PER_LINK,
  remember = 1000,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  /** The delivery service's batch puts: the lists of many channels go out together. */
  puts: BatchPutQueue;
  ttlDays: number;
  /** A list is written at most this often (ms). */
  flushMs?: number;
  /** Lists written per second by this process, all channels together. */
  writesPerSec?: number;
  keep?: number;
  remember?: number;
}): RecentSuccesses {
  const repo = deps.repos.deliveries;
  const buffers = new Map<string, Buffer>();
  /** Lists with unwritten successes, in the order they changed first (a Set keeps insertion order). */
  const dirty = new Set<Buffer>();
  /** Per channel, the latest delivered events, oldest first. */
  const delivered = new Map<string, Set<string>>();
  const rate = Math.max(0.1, writesPerSec);
  /** Token bucket of writes: at most one second's worth saved up. */
  let tokens = Math.max(1, rate);
  let refilledAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const tickMs = Math.max(10, Math.min(flushMs, 1000 / rate, 100));

  /** The latest `keep` by seq (attempts of different calls finish in any order). */
  const latest = (list: DeliveryRecord[]) => list.sort((x, y) => x.seq - y.seq).slice(-keep);

  /** Writes the list with what was added since; never throws (what failed goes with the next write). */
  async function write(b: Buffer) {
    const added = b.added;
    b.added = [];
    b.writtenAt = Date.now();
    try {
      b.list ??= await repo.listRecent(b.tenant, b.channel, deps.now(), b.link);
      b.list = latest([...b.list, ...added]);
      await puts.put(repo.recentItem(b.tenant, b.channel, b.link, b.list, ttlDays, deps.now()));
    } catch (err) {
      if (b.list === null) b.added = [...added, ...b.added]; // the stored list could not be read
      deps.logger.warn('webhook delivery summary not written; retried with the next success', {
        error: err as Error,
        tenant: b.tenant,
        channel: b.channel,
        link: b.link,
      });
    }
  }

  function start(b: Buffer) {
    dirty.delete(b);
    b.writing = write(b).finally(() => {
      b.writing = undefined;
      if (b.added.length && buffers.get(key3(b)) === b) markDirty(b);
    });
  }

  /** One tick: the lists that changed first and were not written within `flushMs`, as tokens allow. */
  function tick() {
    timer = undefined;
    if (lifecycle.stopped) return;
    const now = Date.now();
    tokens = Math.min(Math.max(1, rate), tokens + ((now - refilledAt) * rate) / 1000);
    refilledAt = now;
    for (const b of dirty) {
      if (tokens < 1) break;
      if (b.writing || now - b.writtenAt < flushMs) continue;
      tokens--;
      start(b);
    }
    if (dirty.size) timer = setTimeout(tick, tickMs);
  }

  function markDirty(b: Buffer) {
    dirty.add(b);
    if (!timer && !lifecycle.stopped) timer = setTimeout(tick, tickMs);
  }

  const key3 = (b: { tenant: string; channel: string; link: string }) =>
    `${key(b.tenant, b.channel)}#${b.link}`;

  return {
    add(rec) {
      const ck = key(rec.tenant, rec.channel);
      let seen = delivered.get(ck);
      if (!seen) delivered.set(ck, (seen = new Set()));
      seen.add(`${rec.link}#${rec.eventSeq}`);
      if (seen.size > remember) seen.delete(seen.values().next().value!);
      const k = key3(rec);
      let b = buffers.get(k);
      if (!b)
        buffers.set(
          k,
          (b = {
            tenant: rec.tenant,
            channel: rec.channel,
            link: rec.link,
            list: null,
            added: [],
            writtenAt: 0,
          }),
        );
      b.added.push(rec);
      if (b.added.length > 2 * keep) b.added = latest(b.added);
      if (!b.writing) markDirty(b);
    },
    current(tenant, channel) {
      const out: DeliveryRecord[] = [];
      for (const b of buffers.values())
        if (b.tenant === tenant && b.channel === channel)
          out.push(...latest([...(b.list ?? []), ...b.added]));
      return out;
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      for (const b of buffers.values()) {
        await b.writing;
        if (b.added.length) await write(b);
      }
      dirty.clear();
    },
    deliveredKeys: (tenant, channel) => delivered.get(key(tenant, channel)) ?? [],
    forget(tenant, channel) {
      delivered.delete(key(tenant, channel));
      for (const [k, b] of buffers)
        if (b.tenant === tenant && b.channel === channel) {
          dirty.delete(b);
          buffers.delete(k);
        }
    },
    forgetIfWritten(tenant, channel) {
      const mine = [...buffers].filter(([, b]) => b.tenant === tenant && b.channel === channel);
      if (mine.some(([, b]) => b.added.length || b.writing)) return false;
      delivered.delete(key(tenant, channel));
      for (const [k] of mine) buffers.delete(k);
      return true;
    },
    halt() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
