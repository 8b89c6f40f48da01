/**
 * First-attempt successes of webhook deliveries (docs/delivery.md, "Webhook channels"): a delivery whose
 * first attempt succeeds never gets an item of its own. What `GET /v1/channels/{id}/deliveries` shows of
 * it is kept here, per (channel, link): the latest `keep`, written as one item at most once every
 * `flushMs` (`DeliveryRepo.recentItem`, in batch puts). Only the link's owner writes that item; a process that starts
 * writing it reads the previous owner's list once and continues it.
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
  timer?: NodeJS.Timeout;
  writing?: Promise<void>;
}

export interface RecentSuccesses {
  /** Records a delivery that succeeded at its first attempt (written within `flushMs`). */
  add(rec: DeliveryRecord): void;
  /** Writes every list with unwritten successes now (a graceful stop). */
  flush(): Promise<void>;
  /**
   * The events (`link#eventSeq`) of the channel's latest first-attempt successes in this process (up to
   * `remember`): re-matching after a failed batch skips them.
   */
  deliveredKeys(tenant: string, channel: string): Iterable<string>;
  /** The channel is gone: its lists are forgotten. */
  forget(tenant: string, channel: string): void;
  /** Stops the timers; unwritten successes are dropped (a crash). */
  halt(): void;
}

/**
 * @example
 * const recent = createRecentSuccesses({ deps, lifecycle, puts: new BatchPutQueue(deps.db), ttlDays: 7 });
 * recent.add(recordOfPending(p, 'delivered', now)); // listed within a second
 */
export function createRecentSuccesses({
  deps,
  lifecycle,
  puts,
  ttlDays,
  flushMs = 1000,
  keep = RECENT_PER_LINK,
  remember = 1000,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  /** The delivery service's batch puts: the lists of many channels go out together. */
  puts: BatchPutQueue;
  ttlDays: number;
  flushMs?: number;
  keep?: number;
  remember?: number;
}): RecentSuccesses {
  const repo = deps.repos.deliveries;
  const buffers = new Map<string, Buffer>();
  /** Per channel, the latest delivered events, oldest first (a Set keeps insertion order). */
  const delivered = new Map<string, Set<string>>();

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

  function schedule(b: Buffer) {
    if (b.timer || b.writing || lifecycle.stopped) return;
    b.timer = setTimeout(
      () => {
        b.timer = undefined;
        b.writing = write(b).finally(() => {
          b.writing = undefined;
          if (b.added.length) schedule(b);
        });
      },
      Math.max(0, b.writtenAt + flushMs - Date.now()),
    );
  }

  return {
    add(rec) {
      const ck = key(rec.tenant, rec.channel);
      let seen = delivered.get(ck);
      if (!seen) delivered.set(ck, (seen = new Set()));
      seen.add(`${rec.link}#${rec.eventSeq}`);
      if (seen.size > remember) seen.delete(seen.values().next().value!);
      const k = `${ck}#${rec.link}`;
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
      schedule(b);
    },
    async flush() {
      for (const b of buffers.values()) {
        clearTimeout(b.timer);
        b.timer = undefined;
        await b.writing;
        if (b.added.length) await write(b);
      }
    },
    deliveredKeys: (tenant, channel) => delivered.get(key(tenant, channel)) ?? [],
    forget(tenant, channel) {
      delivered.delete(key(tenant, channel));
      for (const [k, b] of buffers)
        if (b.tenant === tenant && b.channel === channel) {
          clearTimeout(b.timer);
          buffers.delete(k);
        }
    },
    halt() {
      for (const b of buffers.values()) clearTimeout(b.timer);
    },
  };
}
