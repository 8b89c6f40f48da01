/**
 * The delivery service's read caches (docs/delivery.md: a link's subscriptions are checked and channel
 * records read at most 1 s ago): the subscriptions of each link, indexed for matching, and the channel records, read
 * through one batch loader. Matching reads both for every event; the webhook outbox and the WebSocket
 * streams read channel records before each attempt or sync, and drop an entry they know is stale
 * (`forgetChannel`). Also `loadEvent`, the uncached read of one logged event, for the senders.
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { SubscriptionIndex } from '../../shared/events/matching.js';
import { key } from './common.js';
import { LinkSubscriptions } from '../link-subscriptions.js';

/** A link's subscriptions in the cache: the index is rebuilt only when a listing gives a new array. */
interface SubsEntry {
  at: number;
  view: LinkSubscriptions;
  subs: Promise<SubscriptionIndex>;
  built?: { list: readonly SubscriptionRecord[]; index: SubscriptionIndex };
}

export interface Caches {
  /**
   * The link's subscriptions, checked at most `subsCacheMs` ago: a check reads the link's subscription
   * revision and lists the subscriptions only when they changed (`../link-subscriptions.ts`).
   */
  subscriptionsOf(tenant: string, link: string): Promise<SubscriptionIndex>;
  /** The link's subscriptions changed: the next read lists the stored ones. */
  forgetSubscriptions(tenant: string, link: string): void;
  /** The channel record, at most `channelCacheMs` old (`fresh`: read it now). Null: no such channel. */
  channelOf(tenant: string, channel: string, fresh?: boolean): Promise<ChannelRecord | null>;
  /** Stores a record read at `at`, unless a newer read is already cached. */
  cacheChannel(tenant: string, channel: string, at: number, rec: ChannelRecord | null): void;
  /** Drops the channel's cached record (it was just changed). */
  forgetChannel(tenant: string, channel: string): void;
}

export function createCaches({
  deps,
  subsCacheMs,
  channelCacheMs,
}: {
  deps: Deps;
  subsCacheMs: number;
  channelCacheMs: number;
}): Caches {
  const logger = deps.logger;

  /**
   * Per link: the index built from the last listing, valid until `at + subsCacheMs`; then the link's
   * `LinkSubscriptions` reads the revision and lists again only when the subscriptions changed.
   */
  const subsCache = new Map<string, SubsEntry>();
  function subscriptionsOf(tenant: string, link: string): Promise<SubscriptionIndex> {
    const k = key(tenant, link);
    const hit = subsCache.get(k);
    if (hit && Date.now() - hit.at < subsCacheMs) return hit.subs;
    const view = hit?.view ?? new LinkSubscriptions(deps.repos.subscriptions, tenant, link);
    const entry: SubsEntry = {
      at: Date.now(),
      view,
      built: hit?.built,
      subs: view.current(deps.now()).then(({ subs: list }) => {
        if (entry.built?.list === list) return entry.built.index;
        const index = new SubscriptionIndex([...list]);
        entry.built = { list, index };
        return index;
      }),
    };
    entry.subs.catch(() => {
      entry.at = 0;
      view.invalidate();
    });
    subsCache.set(k, entry);
    return entry.subs;
  }
  /**
   * Channel records, at most `channelCacheMs` old. Every read goes through one loader that collects the
   * reads of a tick into batch reads (`BatchGetItem`, 100 keys each), so a connector serving many channels
   * does not read them one at a time; entries in use are refreshed in the background from half their age.
   */
  const channelCache = new Map<string, { at: number; rec: Promise<ChannelRecord | null> }>();
  const refreshing = new Set<string>();
  let loadQueue = new Map<
    string,
    {
      tenant: string;
      id: string;
      waiters: { resolve: (r: ChannelRecord | null) => void; reject: (e: unknown) => void }[];
    }
  >();
  function loadChannel(tenant: string, id: string): Promise<ChannelRecord | null> {
    return new Promise((resolve, reject) => {
      const k = key(tenant, id);
      const q = loadQueue.get(k);
      if (q) q.waiters.push({ resolve, reject });
      else {
        loadQueue.set(k, { tenant, id, waiters: [{ resolve, reject }] });
        if (loadQueue.size === 1) setImmediate(() => void flushChannelLoads());
      }
    });
  }
  async function flushChannelLoads() {
    const batch = [...loadQueue.values()];
    loadQueue = new Map();
    try {
      const recs = await deps.repos.channels.getMany(
        batch.map((b) => ({ tenant: b.tenant, id: b.id })),
        deps.now(),
      );
      batch.forEach((b, i) => b.waiters.forEach((w) => w.resolve(recs[i]!)));
    } catch (err) {
      for (const b of batch) for (const w of b.waiters) w.reject(err);
    }
  }
  /** Stores a record read at `at`, unless a newer read is already cached. */
  function cacheChannel(k: string, at: number, rec: ChannelRecord | null) {
    if ((channelCache.get(k)?.at ?? 0) < at) channelCache.set(k, { at, rec: Promise.resolve(rec) });
  }
  function channelOf(tenant: string, channel: string, fresh = false): Promise<ChannelRecord | null> {
    const k = key(tenant, channel);
    const hit = channelCache.get(k);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (!fresh && hit && age < channelCacheMs) {
      if (age >= channelCacheMs / 2 && !refreshing.has(k)) {
        refreshing.add(k);
        const at = Date.now();
        void loadChannel(tenant, channel)
          .then((rec) => cacheChannel(k, at, rec))
          .catch((err: unknown) => logger.warn('channel refresh failed', { error: err as Error, channel }))
          .finally(() => refreshing.delete(k));
      }
      return hit.rec;
    }
    const rec = loadChannel(tenant, channel);
    channelCache.set(k, { at: Date.now(), rec });
    rec.catch(() => channelCache.delete(k));
    return rec;
  }

  return {
    subscriptionsOf,
    forgetSubscriptions(tenant, link) {
      const hit = subsCache.get(key(tenant, link));
      if (!hit) return;
      hit.at = 0;
      hit.view.invalidate();
    },
    channelOf,
    cacheChannel: (tenant, channel, at, rec) => cacheChannel(key(tenant, channel), at, rec),
    forgetChannel: (tenant, channel) => void channelCache.delete(key(tenant, channel)),
  };
}

/** Reads one logged event (consistent read); null when it is no longer in the log. */
export function loadEvent(
  deps: Pick<Deps, 'repos' | 'now'>,
  tenant: string,
  link: string,
  seq: number,
): Promise<BridgeEvent | null> {
  return deps.repos.events.at(tenant, link, seq, deps.now());
}
