/**
 * The vendor-subscription lifecycle, written once for every driver.
 *
 *   watch(specs) → expand to vendor subscriptions by key → add / delete what changed
 *   add ok → active ─ refresh at `refreshRatio` of the vendor's lifetime ─→ active
 *   add refused / no answer / terminated by the vendor → pending (retry n after n × retryDelayMs)
 *                                                      → failed after `maxRetries` (or a permanent refusal)
 *
 * A driver describes its vendor through a `SubscriptionAdapter` (expand a watch spec, add, delete,
 * refresh) and reports what the vendor says unprompted (`terminated`). The state of every vendor
 * subscription, and of every watch spec as the sum of its subscriptions, can be queried at any time
 * (`status`, `statusOf`) and is pushed to `onChange` whenever it changes.
 */
import type { WatchSpec } from './seam.js';
import { SerialQueue } from './util.js';

export type SubscriptionState = 'pending' | 'active' | 'failed';

/** What the vendor answered to an add. A permanent refusal is not retried. */
export type AddOutcome<Id> =
  { ok: true; vendorId: Id; expiresSec?: number } | { ok: false; reason: string; permanent?: boolean };

/** What the vendor answered to a refresh. A refused refresh adds the subscription again. */
export type RefreshOutcome = { ok: true; expiresSec?: number } | { ok: false; reason: string };

/** The vendor side of the lifecycle; each driver implements one. `S` is its own subscription shape. */
export interface SubscriptionAdapter<S, Id> {
  /** The vendor subscriptions one watch spec needs, by key; the same key from two specs is merged. */
  expand(spec: WatchSpec): Iterable<readonly [string, S]>;
  /** Vendor subscriptions wanted beyond the watch specs (e.g. for a command, or the link itself). */
  extra?(): Iterable<readonly [string, S]>;
  /** Two specs want the same key (default: the first one wins). */
  merge?(first: S, next: S): S;
  /** Whether a live subscription can serve `next` as it is (default: yes); if not it is replaced. */
  compatible?(live: S, next: S): boolean;
  /** Whether vendor requests can be sent now (timers that fire while not ready do nothing). */
  ready(): boolean;
  /**
   * Subscribe. Call `bind(vendorId)` as soon as the vendor id is known if the vendor may deliver
   * events before `add` resolves, so that `byVendorId` finds them. Throwing counts as a refusal.
   */
  add(key: string, spec: S, bind: (vendorId: Id) => void): Promise<AddOutcome<Id>>;
  /** Extend a live subscription (absent: a subscription that expires is added again). */
  refresh?(vendorId: Id, spec: S): Promise<RefreshOutcome>;
  /** Unsubscribe (best effort; `closing` when the whole link closes). */
  delete(vendorId: Id, spec: S, closing: boolean): Promise<void>;
  /** A vendor id is no longer live here (deleted, terminated, refused, or the link was lost). */
  dropped?(vendorId: Id, key: string): void;
  /** A key left the wanted set (`replaced`: it comes back at once with an incompatible spec). */
  removed?(key: string, spec: S, replaced: boolean): void;
  /** An `apply` finished. */
  synced?(): void;
  /** A subscription failed for good (retries exhausted or a permanent refusal). */
  gaveUp?(key: string, spec: S, reason: string): void;
}

export interface SubscriptionOptions {
  /** Refresh after this fraction of the lifetime the vendor granted (0 < ratio < 1). */
  refreshRatio: number;
  /** The earliest a refresh runs after the add or the previous refresh (default 500 ms). */
  minRefreshMs?: number;
  /** Lifetime to assume after a refresh that got no answer (default: the last one granted). */
  refreshRetrySec?: number;
  /** Retries after a refusal or a termination before the subscription is `failed` (default 3). */
  maxRetries?: number;
  /** Retry n runs n × this after the failure (default 1000 ms). */
  retryDelayMs?: number;
  /** The driver's queue for subscription work (default: a queue of its own). */
  queue?: SerialQueue;
  /** A watch spec's status changed. */
  onChange?(spec: WatchSpec, status: SpecStatus): void;
}

/** One vendor subscription, as the lifecycle sees it. */
export interface Subscription<S, Id> {
  readonly key: string;
  readonly spec: S;
  readonly state: SubscriptionState;
  /** The vendor's reason of the last failure (kept while a retry is pending, cleared when active). */
  readonly reason?: string;
  readonly vendorId?: Id;
  /** Failures since the last success. */
  readonly failures: number;
}

/** A watch spec's status: the sum of its vendor subscriptions (failed > pending > active). */
export interface SpecStatus {
  state: SubscriptionState;
  reason?: string;
  subscriptions: { key: string; state: SubscriptionState; reason?: string }[];
}

interface Entry<S, Id> {
  key: string;
  spec: S;
  state: SubscriptionState;
  reason?: string;
  vendorId?: Id;
  failures: number;
  expiresSec?: number;
  timer?: NodeJS.Timeout;
  /** Bumped by every add, removal and reset: an answer to an older attempt is ignored. */
  attempt: number;
}

/** How many deleted vendor ids `wasDeleted` remembers. */
const DELETED_IDS = 4096;

/** The identity of a watch spec: its target and its set of families. */
export function specKey(spec: WatchSpec): string {
  return JSON.stringify([spec.target.type, spec.target.id ?? null, [...new Set(spec.families)].sort()]);
}

/**
 * @example
 * const subs = new Subscriptions<PkgSpec, string>(
 *   {
 *     expand: (w) => (w.target.id ? [[`user:${w.target.id}`, { user: w.target.id }]] : []),
 *     ready: () => client.ready,
 *     add: async (_key, s) => ({ ok: true, vendorId: await client.subscribe(s.user), expiresSec: 3600 }),
 *     refresh: async (id) => ({ ok: await client.extend(id) }),
 *     delete: (id) => client.unsubscribe(id),
 *   },
 *   { refreshRatio: 0.8, onChange: (spec, status) => console.log(spec.target, status.state) },
 * );
 * await subs.watch([{ target: { type: 'user', id: 'alice' }, families: ['call'] }]);
 * subs.statusOf({ target: { type: 'user', id: 'alice' }, families: ['call'] }).state; // 'active'
 */
export class Subscriptions<S, Id = string> {
  private watched: WatchSpec[] = [];
  private readonly entries = new Map<string, Entry<S, Id>>();
  private readonly byId = new Map<Id, Entry<S, Id>>();
  private readonly deletedIds = new Set<Id>();
  /** Watch spec key → the spec and the subscription keys it asked for (as of the last apply). */
  private contributors = new Map<string, { spec: WatchSpec; keys: string[] }>();
  private readonly reported = new Map<string, string>();
  private readonly queue: SerialQueue;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly minRefreshMs: number;

  constructor(
    private readonly adapter: SubscriptionAdapter<S, Id>,
    private readonly options: SubscriptionOptions,
  ) {
    this.queue = options.queue ?? new SerialQueue();
    this.maxRetries = options.maxRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.minRefreshMs = options.minRefreshMs ?? 500;
  }

  /** The watch specs last asked for. */
  get specs(): readonly WatchSpec[] {
    return this.watched;
  }

  /** Watch exactly these specs: applied now if the vendor is ready, else by the next `apply`. */
  async watch(specs: readonly WatchSpec[]): Promise<void> {
    this.watched = specs.map((s) => ({ target: { ...s.target }, families: [...s.families] }));
    if (!this.adapter.ready()) return;
    await this.queue.run(() => this.apply());
  }

  /**
   * Bring the vendor in line with the specs: delete what is no longer wanted, add what is missing.
   * Not queued: call it from inside the driver's queue (or while connecting).
   */
  async apply(): Promise<void> {
    const want = this.desired();
    for (const [key, entry] of [...this.entries]) {
      const next = want.get(key);
      if (next !== undefined && (this.adapter.compatible?.(entry.spec, next) ?? true)) continue;
      await this.remove(entry, next !== undefined);
    }
    const missing: Entry<S, Id>[] = [];
    for (const [key, spec] of want) {
      let entry = this.entries.get(key);
      if (entry) entry.spec = spec;
      else {
        entry = { key, spec, state: 'pending', failures: 0, attempt: 0 };
        this.entries.set(key, entry);
      }
      if (entry.vendorId === undefined) missing.push(entry);
    }
    this.changed();
    await Promise.all(missing.map((entry) => this.add(entry)));
    this.adapter.synced?.();
  }

  /**
   * The vendor ended a subscription on its own: it is added again after the retry delay (up to
   * `maxRetries` times in a row). Returns the subscription as it was, or undefined for an unknown id.
   */
  terminated(vendorId: Id, reason = 'terminated by the vendor'): Subscription<S, Id> | undefined {
    const entry = this.byId.get(vendorId);
    if (!entry) return undefined;
    const before: Subscription<S, Id> = {
      key: entry.key,
      spec: entry.spec,
      state: entry.state,
      vendorId,
      failures: entry.failures,
      ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    };
    entry.attempt++;
    this.drop(entry);
    this.fail(entry, reason, false);
    return before;
  }

  /** The link was lost (or is being re-established): every subscription is pending again. */
  reset(): void {
    for (const entry of this.entries.values()) {
      entry.attempt++;
      this.drop(entry);
      entry.state = 'pending';
      entry.failures = 0;
      delete entry.reason;
    }
    this.changed();
  }

  /** Delete every live vendor subscription (if the vendor is ready), then `reset`. */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) this.clearTimer(entry);
    if (this.adapter.ready()) {
      await Promise.allSettled(
        [...this.entries.values()].flatMap((e) => {
          if (e.vendorId === undefined) return [];
          this.markDeleted(e.vendorId);
          return [this.adapter.delete(e.vendorId, e.spec, true)];
        }),
      );
    }
    this.reset();
  }

  status(key: string): Subscription<S, Id> | undefined {
    const entry = this.entries.get(key);
    return entry && this.view(entry);
  }

  byVendorId(vendorId: Id): Subscription<S, Id> | undefined {
    const entry = this.byId.get(vendorId);
    return entry && this.view(entry);
  }

  /** Every wanted vendor subscription, in the order it was first wanted. */
  list(): Subscription<S, Id>[] {
    return [...this.entries.values()].map((e) => this.view(e));
  }

  /** Whether this vendor id was deleted here (its late events and terminations are our own doing). */
  wasDeleted(vendorId: Id): boolean {
    return this.deletedIds.has(vendorId);
  }

  /** A watch spec's status (`pending` until it was applied). */
  statusOf(spec: WatchSpec): SpecStatus {
    const c = this.contributors.get(specKey(spec));
    if (!c) return { state: 'pending', subscriptions: [] };
    const subscriptions = c.keys.map((key) => {
      const e = this.entries.get(key);
      if (!e) return { key, state: 'pending' as const };
      return { key, state: e.state, ...(e.reason !== undefined ? { reason: e.reason } : {}) };
    });
    const worst =
      subscriptions.find((s) => s.state === 'failed') ?? subscriptions.find((s) => s.state === 'pending');
    return worst
      ? { state: worst.state, ...(worst.reason !== undefined ? { reason: worst.reason } : {}), subscriptions }
      : { state: 'active', subscriptions };
  }

  // ------------------------------------------------------------------------------------ internals

  private view(entry: Entry<S, Id>): Subscription<S, Id> {
    return entry;
  }

  private desired(): Map<string, S> {
    const out = new Map<string, S>();
    const put = (key: string, spec: S) => {
      const first = out.get(key);
      out.set(key, first === undefined ? spec : (this.adapter.merge?.(first, spec) ?? first));
    };
    this.contributors = new Map();
    for (const spec of this.watched) {
      const keys: string[] = [];
      for (const [key, s] of this.adapter.expand(spec)) {
        put(key, s);
        keys.push(key);
      }
      const id = specKey(spec);
      const known = this.contributors.get(id);
      if (known) known.keys.push(...keys.filter((k) => !known.keys.includes(k)));
      else this.contributors.set(id, { spec, keys });
    }
    for (const [key, s] of this.adapter.extra?.() ?? []) put(key, s);
    for (const id of this.reported.keys()) if (!this.contributors.has(id)) this.reported.delete(id);
    return out;
  }

  private isCurrent(entry: Entry<S, Id>, attempt: number): boolean {
    return this.entries.get(entry.key) === entry && entry.attempt === attempt;
  }

  private async add(entry: Entry<S, Id>): Promise<void> {
    const attempt = ++entry.attempt;
    this.clearTimer(entry);
    this.setState(entry, 'pending');
    let outcome: AddOutcome<Id>;
    try {
      outcome = await this.adapter.add(entry.key, entry.spec, (id) => {
        if (this.isCurrent(entry, attempt)) this.bind(entry, id);
      });
    } catch (err) {
      outcome = { ok: false, reason: (err as Error).message };
    }
    if (!this.isCurrent(entry, attempt)) return;
    if (!outcome.ok) {
      this.drop(entry);
      this.fail(entry, outcome.reason, outcome.permanent ?? false);
      return;
    }
    if (entry.vendorId !== outcome.vendorId) {
      this.drop(entry);
      this.bind(entry, outcome.vendorId);
    }
    entry.failures = 0;
    delete entry.reason;
    this.setState(entry, 'active');
    this.scheduleRefresh(entry, outcome.expiresSec);
  }

  private bind(entry: Entry<S, Id>, id: Id): void {
    entry.vendorId = id;
    this.byId.set(id, entry);
  }

  /** Forget the live vendor id (no request). */
  private drop(entry: Entry<S, Id>): void {
    this.clearTimer(entry);
    const id = entry.vendorId;
    if (id === undefined) return;
    delete entry.vendorId;
    if (this.byId.get(id) === entry) this.byId.delete(id);
    this.adapter.dropped?.(id, entry.key);
  }

  private fail(entry: Entry<S, Id>, reason: string, permanent: boolean): void {
    entry.failures++;
    entry.reason = reason;
    if (!permanent && entry.failures <= this.maxRetries) {
      const attempt = entry.attempt;
      this.setState(entry, 'pending');
      this.arm(entry, this.retryDelayMs * entry.failures, () => {
        if (!this.isCurrent(entry, attempt) || entry.vendorId !== undefined || !this.adapter.ready()) return;
        void this.queue.run(() =>
          this.isCurrent(entry, attempt) && this.adapter.ready() ? this.add(entry) : Promise.resolve(),
        );
      });
      return;
    }
    this.setState(entry, 'failed');
    this.adapter.gaveUp?.(entry.key, entry.spec, reason);
  }

  private async remove(entry: Entry<S, Id>, replaced: boolean): Promise<void> {
    this.entries.delete(entry.key);
    entry.attempt++;
    const id = entry.vendorId;
    this.drop(entry);
    if (id !== undefined) {
      this.markDeleted(id);
      try {
        await this.adapter.delete(id, entry.spec, false);
      } catch {
        /* best effort: the adapter logs */
      }
    }
    this.adapter.removed?.(entry.key, entry.spec, replaced);
  }

  private markDeleted(id: Id): void {
    this.deletedIds.add(id);
    if (this.deletedIds.size > DELETED_IDS) this.deletedIds.delete(this.deletedIds.values().next().value!);
  }

  private scheduleRefresh(entry: Entry<S, Id>, expiresSec: number | undefined): void {
    entry.expiresSec = expiresSec;
    if (!expiresSec) return;
    const attempt = entry.attempt;
    const ms = Math.max(this.minRefreshMs, expiresSec * 1000 * this.options.refreshRatio);
    this.arm(entry, ms, () => void this.queue.run(() => this.refresh(entry, attempt)));
  }

  private async refresh(entry: Entry<S, Id>, attempt: number): Promise<void> {
    const id = entry.vendorId;
    if (!this.isCurrent(entry, attempt) || id === undefined || !this.adapter.ready()) return;
    if (!this.adapter.refresh) {
      this.drop(entry);
      return this.add(entry);
    }
    let outcome: RefreshOutcome | undefined;
    try {
      outcome = await this.adapter.refresh(id, entry.spec);
    } catch {
      outcome = undefined;
    }
    if (!this.isCurrent(entry, attempt) || entry.vendorId !== id) return;
    if (outcome?.ok) return this.scheduleRefresh(entry, outcome.expiresSec ?? entry.expiresSec);
    if (outcome) {
      entry.reason = outcome.reason;
      this.drop(entry);
      return this.add(entry);
    }
    if (this.adapter.ready()) {
      const last = entry.expiresSec;
      this.scheduleRefresh(entry, this.options.refreshRetrySec ?? last);
      entry.expiresSec = last;
    }
  }

  private arm(entry: Entry<S, Id>, ms: number, fn: () => void): void {
    this.clearTimer(entry);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      fn();
    }, ms);
    entry.timer.unref?.();
  }

  private clearTimer(entry: Entry<S, Id>): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  private setState(entry: Entry<S, Id>, state: SubscriptionState): void {
    if (entry.state === state && state !== 'pending') return;
    entry.state = state;
    this.changed();
  }

  /** Push the watch specs whose status changed to `onChange`. */
  private changed(): void {
    const onChange = this.options.onChange;
    if (!onChange) return;
    for (const [id, { spec }] of this.contributors) {
      const status = this.statusOf(spec);
      const digest = JSON.stringify([status.state, status.reason ?? null]);
      if (this.reported.get(id) === digest) continue;
      this.reported.set(id, digest);
      try {
        onChange(spec, status);
      } catch {
        /* a listener must not break the lifecycle */
      }
    }
  }
}
