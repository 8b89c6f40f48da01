/**
 * The delivery service's read caches (docs/delivery.md, "Subscriptions" and "Channel records": each
 * stands while a revision checked at most 1 s ago stands): the subscriptions of each link, indexed for
 * matching, and the channel records, read through one batch loader. Matching reads both for every
 * event; the webhook outbox and the WebSocket streams read channel records before each attempt or sync,
 * and drop an entry they know is stale (`forgetChannel`). Also `loadEvent`, the uncached read of one
 * logged event, for the senders.
 */
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { SubscriptionIndex } from '../../shared/events/matching.js';
import { key } from './common.js';
import { idleSweep } from '../../shared/idle-sweep.js';
import {
  LinkSubscriptionViews,
  SUBSCRIPTIONS_VIEW_IDLE_MS,
  type LinkSubscriptions,
} from '../link-subscriptions.js';

/** How long a cached channel record stands at most while its tenant's channel revision stands (ms). */
export const CHANNEL_RECORD_MAX_AGE_MS = 60_000;

/**
 * A cached channel record: `rev` is the tenant's channel revision known before it was read (-1: not
 * known), `expiresMs` the record's expiry once it resolved.
 */
interface ChannelEntry {
  at: number;
  rev: number;
  rec: Promise<ChannelRecord | null>;
  expiresMs: number;
}

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
  /**
   * The channel record: read before the tenant's channel revision last checked, or at most
   * `channelCacheMs` old (`fresh`: read it now). Null: no such channel.
   */
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
  forgetIdleMs = Infinity,
  views = new LinkSubscriptionViews(deps.repos.subscriptions),
}: {
  deps: Deps;
  subsCacheMs: number;
  channelCacheMs: number;
  /** A channel record nobody asked for this long (or two record lifetimes, if sooner) leaves the cache. */
  forgetIdleMs?: number;
  /** The links' subscription views (shared with the connector's link runners when it gives them). */
  views?: LinkSubscriptionViews;
}): Caches {
  const logger = deps.logger;

  /**
   * Per link: the index built from the last listing, valid until `at + subsCacheMs`; then the link's
   * `LinkSubscriptions` reads the revision and lists again only when the subscriptions changed.
   */
  const subsCache = new Map<string, SubsEntry>();
  // links not matched for a while (deleted, or owned by another process now) keep no index here
  const forgetIdleIndexes = idleSweep(SUBSCRIPTIONS_VIEW_IDLE_MS / 10, (now) => {
    for (const [k, e] of subsCache) if (now - e.at >= SUBSCRIPTIONS_VIEW_IDLE_MS) subsCache.delete(k);
  });
  function subscriptionsOf(tenant: string, link: string): Promise<SubscriptionIndex> {
    const k = key(tenant, link);
    const hit = subsCache.get(k);
    const now = Date.now();
    if (hit && now - hit.at < subsCacheMs) return hit.subs;
    forgetIdleIndexes();
    // the shared view, asked again each time: the one the link runner reads, even after an idle one was dropped
    const view = views.of(tenant, link);
    const entry: SubsEntry = {
      at: now,
      view,
      built: hit?.view === view ? hit.built : undefined,
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
   * Channel records. Every read goes through one loader that collects the reads of a tick into batch
   * reads (`BatchGetItem`, 100 keys each), so a connector serving many channels does not read them one at
   * a time. A record stands while the tenant's channel revision (checked at most `channelCacheMs` ago)
   * is the one read before the record, for at most `CHANNEL_RECORD_MAX_AGE_MS` and not past its expiry;
   * otherwise it stands `channelCacheMs`, and entries in use are refreshed in the background from half
   * that age.
   */
  const channelCache = new Map<string, ChannelEntry>();
  const tenantRevisions = new Map<string, { rev: number; at: number; checking: boolean }>();
  /**
   * The tenant's channel revision if it was read less than `channelCacheMs` ago (undefined otherwise);
   * a read is started from half that age, in the background.
   */
  function knownRevision(tenant: string): number | undefined {
    let r = tenantRevisions.get(tenant);
    if (!r) tenantRevisions.set(tenant, (r = { rev: -1, at: -Infinity, checking: false }));
    const age = Date.now() - r.at;
    if (age >= channelCacheMs / 2 && !r.checking) {
      const entry = r;
      entry.checking = true;
      const at = Date.now();
      void deps.repos.channels
        .revision(tenant)
        .then((rev) => {
          entry.rev = rev;
          entry.at = at;
        })
        .catch((err: unknown) => logger.warn('channel revision read failed', { error: err as Error, tenant }))
        .finally(() => (entry.checking = false));
    }
    return age < channelCacheMs ? r.rev : undefined;
  }
  function newEntry(rec: Promise<ChannelRecord | null>, at: number, rev: number): ChannelEntry {
    const entry: ChannelEntry = { at, rev, rec, expiresMs: Infinity };
    rec.then(
      (r) => (entry.expiresMs = r ? Date.parse(r.expiresAt) : Infinity),
      () => undefined,
    );
    return entry;
  }
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
  /**
   * Stores a record read at `at`, unless a newer read is already cached. (Its revision is not known: it
   * stands `channelCacheMs`, as a read from before the revision.)
   */
  function cacheChannel(k: string, at: number, rec: ChannelRecord | null, rev = -1) {
    if ((channelCache.get(k)?.at ?? 0) < at) channelCache.set(k, newEntry(Promise.resolve(rec), at, rev));
  }
  // a record past its longest stand is never served again (deleted channels, gone connections)
  const idleRecordMs = Math.min(2 * CHANNEL_RECORD_MAX_AGE_MS, forgetIdleMs);
  const forgetIdleRecords = idleSweep(Math.min(CHANNEL_RECORD_MAX_AGE_MS, forgetIdleMs), (now) => {
    for (const [k, e] of channelCache)
      if (now - e.at >= idleRecordMs && !refreshing.has(k)) channelCache.delete(k);
  });
  function channelOf(tenant: string, channel: string, fresh = false): Promise<ChannelRecord | null> {
    const k = key(tenant, channel);
    const hit = channelCache.get(k);
    const now = Date.now();
    forgetIdleRecords();
    const age = hit ? now - hit.at : Infinity;
    const rev = knownRevision(tenant);
    if (!fresh && hit) {
      if (rev !== undefined && hit.rev === rev && age < CHANNEL_RECORD_MAX_AGE_MS && now < hit.expiresMs)
        return hit.rec;
      if (age < channelCacheMs) {
        if (age >= channelCacheMs / 2 && !refreshing.has(k)) {
          refreshing.add(k);
          const at = Date.now();
          void loadChannel(tenant, channel)
            .then((rec) => cacheChannel(k, at, rec, rev))
            .catch((err: unknown) => logger.warn('channel refresh failed', { error: err as Error, channel }))
            .finally(() => refreshing.delete(k));
        }
        return hit.rec;
      }
    }
    const rec = loadChannel(tenant, channel);
    channelCache.set(k, newEntry(rec, now, rev ?? -1));
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
