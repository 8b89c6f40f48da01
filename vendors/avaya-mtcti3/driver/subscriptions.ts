/**
 * MTCTI-3 subscriptions: the Lines subscription of the link (the directory; losing it ends the
 * session), one User subscription per watched or commanded user, and Queue subscriptions for watched
 * queues and for agent membership. The lifecycle (refresh, re-subscription, retries) is the driver
 * kit's (`vendors/driver-kit/subscriptions.ts`); this module says what to subscribe and how, and keeps
 * what the driver learns per subscription (`SubView`: first snapshots in, waiters).
 */
import type { EventDraft, EventFamily, Target } from '../../../shared/events/model.js';
import type { DriverLogger, WatchSpec } from '../../driver-kit/seam.js';
import {
  Subscriptions,
  type AddOutcome,
  type RefreshOutcome,
  type SubscriptionAdapter,
} from '../../driver-kit/subscriptions.js';
import type { SerialQueue } from '../../driver-kit/util.js';
import type { AvayaMtcti3Options } from '../manifest.js';
import { RESULT, resultName, type Subscribe } from '../wire/codec.js';
import type { Mtcti3Client } from './client.js';
import type { Directory } from './directory.js';
import { resultError } from './errors.js';
import { VENDOR, type Mtcti3Mapper } from './mapper.js';

/** One MTCTI-3 subscription, as wanted. */
export interface Mtcti3Sub {
  kind: 'lines' | 'user' | 'queue';
  /** IP Office user / hunt group name. */
  name: string;
  /** The bridge target the events go to. */
  target: Target;
  families: Set<EventFamily>;
  flags: number;
  ccflags: number;
  /** Asked for by a `system` watch only: in a merge, a watch that names the target gives the tag. */
  wide?: boolean;
}

/** What arrived on one subscription so far, and who waits for more. */
export class SubView {
  subscribeId = 0;
  /** The subscription is live (answered SUCCESS, not ended since). */
  active = false;
  /** The first callcontrol notify (the complete call list) is in. */
  gotCalls = false;
  /** The first object notify (Lines, User or Queue) is in. */
  gotObject = false;
  private waiters: { pred: (v: SubView) => boolean; resolve: () => void }[] = [];

  constructor(
    readonly key: string,
    readonly kind: Mtcti3Sub['kind'],
    readonly name: string,
  ) {}

  /** Resolves true once `pred` holds, false after `ms` (or when the subscription ends and it fails). */
  waitFor(pred: (v: SubView) => boolean, ms: number): Promise<boolean> {
    if (pred(this)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      t.unref?.();
      const waiter = {
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve(pred(this));
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Something arrived: the waiters whose condition holds now go. */
  wake(): void {
    const ready = this.waiters.filter((w) => w.pred(this));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** The subscription ended: every waiter goes with its condition as it stands. */
  release(): void {
    this.active = false;
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.resolve();
  }
}

export interface Mtcti3SubscriptionDeps {
  client: Mtcti3Client;
  options: AvayaMtcti3Options;
  directory: Directory;
  mapper: Mtcti3Mapper;
  logger: DriverLogger;
  queue: SerialQueue;
  emit(draft: EventDraft): void;
  /** Every apply of the watched subscriptions ends here (agent states follow the queue members). */
  synced(): void;
}

const LINES: Mtcti3Sub = {
  kind: 'lines',
  name: 'lines',
  target: { type: 'system' },
  families: new Set(),
  flags: 0x03,
  ccflags: 0,
};

/** The next subscribe_id: one sequence per connection, shared by Lines and the targets (ids must differ). */
interface SubIds {
  next: number;
}

/** The subscribe_ids and views of both kinds of subscription, and the requests behind them. */
class Subscriber {
  readonly views = new Map<string, SubView>();
  readonly byId = new Map<number, SubView>();

  constructor(
    protected readonly deps: Mtcti3SubscriptionDeps,
    private readonly ids: SubIds,
  ) {}

  ready(): boolean {
    return this.deps.client.state === 'ready';
  }

  /** A fresh subscribe_id on the key's view, known to notifies before the request goes out. */
  protected open(key: string, sub: Mtcti3Sub, bind: (id: number) => void): SubView {
    let view = this.views.get(key);
    if (!view) {
      view = new SubView(key, sub.kind, sub.name);
      this.views.set(key, view);
    }
    view.subscribeId = this.ids.next++;
    view.gotCalls = false;
    view.gotObject = false;
    this.byId.set(view.subscribeId, view); // notifies follow the response at once
    bind(view.subscribeId);
    return view;
  }

  protected subscribe(view: SubView, payload: Omit<Subscribe, 'subscribe_id' | 'timeout' | 'requestid'>) {
    return this.deps.client.request({
      subscribe: {
        subscribe_id: view.subscribeId,
        timeout: this.deps.options.subscriptionTimeoutSec,
        ...payload,
      },
    });
  }

  /** Refresh: the same subscribe_id with only a new timeout. */
  async refresh(id: number): Promise<RefreshOutcome> {
    const { client, options, logger } = this.deps;
    const key = this.byId.get(id)?.key;
    let r;
    try {
      r = await client.request({ subscribe: { subscribe_id: id, timeout: options.subscriptionTimeoutSec } });
    } catch (err) {
      logger.warn('avaya-mtcti3 refresh failed', { key, error: (err as Error).message });
      throw err;
    }
    if (r.result === RESULT.SUCCESS) return { ok: true, expiresSec: options.subscriptionTimeoutSec };
    logger.warn('avaya-mtcti3 refresh refused; subscribing again', { key, result: r.result });
    return { ok: false, reason: `refresh refused: ${r.result} ${resultName(r.result)}` };
  }

  async delete(id: number, _sub: Mtcti3Sub, closing: boolean): Promise<void> {
    const { client, options, logger } = this.deps;
    if (client.state !== 'ready') return;
    if (closing) {
      await client.request(
        { subscribeend: { subscribe_id: id, reason: 'bridge closing' } },
        Math.min(2000, options.requestTimeoutMs),
      );
      return;
    }
    try {
      await client.request({ subscribeend: { subscribe_id: id, reason: 'no longer watched' } });
    } catch (err) {
      logger.warn('avaya-mtcti3 SubscribeEnd failed', { id, error: (err as Error).message });
    }
  }

  dropped(id: number): void {
    const view = this.byId.get(id);
    this.byId.delete(id);
    view?.release();
  }
}

/** Lines: always, from connect on; `connect()` resolves once the first Lines notify is in. */
class LinesAdapter extends Subscriber implements SubscriptionAdapter<Mtcti3Sub, number> {
  /** Why the last Lines subscribe failed (thrown by `connect`). */
  lastError: Error | undefined;

  expand(): [] {
    return [];
  }

  *extra(): Iterable<readonly [string, Mtcti3Sub]> {
    yield ['lines', LINES];
  }

  async add(key: string, sub: Mtcti3Sub, bind: (id: number) => void): Promise<AddOutcome<number>> {
    const view = this.open(key, sub, bind);
    this.lastError = undefined;
    try {
      const r = await this.subscribe(view, { lines: { flags: 0x03 } });
      if (r.result !== RESULT.SUCCESS) throw resultError(r.result, r.additional, 'Lines subscription');
      view.active = true;
      if (!(await view.waitFor((x) => x.gotObject, this.deps.options.requestTimeoutMs)))
        throw new Error('MTCTI-3: no Lines notify after subscribing');
    } catch (err) {
      this.lastError = err as Error;
      return { ok: false, reason: (err as Error).message };
    }
    return { ok: true, vendorId: view.subscribeId, expiresSec: this.deps.options.subscriptionTimeoutSec };
  }

  gaveUp(_key: string, _sub: Mtcti3Sub, reason: string): void {
    this.deps.client.fail(`Lines subscription lost: ${reason}`);
  }
}

/** User and Queue subscriptions for the watch specs and for commands. */
class TargetsAdapter extends Subscriber implements SubscriptionAdapter<Mtcti3Sub, number> {
  /** Users a command named: subscribed even when nobody watches them. */
  readonly pinned = new Set<string>();

  *expand(spec: WatchSpec): Iterable<readonly [string, Mtcti3Sub]> {
    const { directory: dir, logger } = this.deps;
    const t = spec.target;
    if (t.type === 'user') {
      const names = t.id ? [dir.resolveUser(t.id)?.name ?? t.id] : [...dir.users.keys()];
      for (const n of names) yield this.user(n, t.id ? t : { type: 'user', id: n }, spec.families);
      // agent state is hunt group membership: every hunt group's members are needed
      if (spec.families.includes('agent'))
        for (const q of dir.queues.keys()) yield this.queue(q, { type: 'queue', id: q }, []);
    } else if (t.type === 'queue') {
      const names = t.id ? [dir.resolveQueue(t.id)?.name ?? t.id] : [...dir.queues.keys()];
      for (const n of names) yield this.queue(n, t.id ? t : { type: 'queue', id: n }, spec.families);
    } else if (t.type === 'system') {
      // every event of the link: each user and each hunt group, tagged with itself (docs/delivery.md)
      for (const n of dir.users.keys()) {
        const [key, sub] = this.user(n, { type: 'user', id: n }, spec.families);
        yield [key, { ...sub, wide: true }] as const;
      }
      for (const q of dir.queues.keys()) {
        const [key, sub] = this.queue(q, { type: 'queue', id: q }, spec.families);
        yield [key, { ...sub, wide: true }] as const;
      }
    } else {
      logger.warn(`avaya-mtcti3: ${t.type} targets are not supported (only user, queue and system)`, {
        target: t,
      });
    }
  }

  *extra(): Iterable<readonly [string, Mtcti3Sub]> {
    for (const name of this.pinned) yield this.user(name, { type: 'user', id: name }, []);
  }

  private user(name: string, target: Target, families: EventFamily[]): [string, Mtcti3Sub] {
    const o = this.deps.options;
    const sub = { kind: 'user' as const, name, target, families: new Set(families) };
    return [`user:${name}`, { ...sub, flags: o.userFlags, ccflags: o.userCcflags }];
  }

  private queue(name: string, target: Target, families: EventFamily[]): [string, Mtcti3Sub] {
    const ccflags = families.includes('queue') ? this.deps.options.queueCcflags : 0;
    return [
      `queue:${name}`,
      { kind: 'queue', name, target, families: new Set(families), flags: 0x02, ccflags },
    ];
  }

  merge(first: Mtcti3Sub, next: Mtcti3Sub): Mtcti3Sub {
    const families = new Set([...first.families, ...next.families]);
    const named = first.wide && !next.wide ? { target: next.target, wide: false } : {};
    if (first.kind === 'queue' && families.has('queue'))
      return { ...first, families, target: next.target, ccflags: this.deps.options.queueCcflags, ...named };
    return { ...first, families, ...named };
  }

  compatible(live: Mtcti3Sub, next: Mtcti3Sub): boolean {
    return live.flags === next.flags && live.ccflags === next.ccflags;
  }

  async add(key: string, sub: Mtcti3Sub, bind: (id: number) => void): Promise<AddOutcome<number>> {
    const { directory, logger, options } = this.deps;
    const entry = sub.kind === 'user' ? directory.users.get(sub.name) : directory.queues.get(sub.name);
    if (!entry) {
      logger.warn('avaya-mtcti3: target not in the Lines directory', { key });
      const reason = `${sub.name} is not a known IP Office ${sub.kind === 'user' ? 'user' : 'hunt group'}`;
      this.terminated(sub, { reason }, 'NotifyLines');
      return { ok: false, reason, permanent: true };
    }
    const view = this.open(key, sub, bind);
    const target = { guid: entry.guid, flags: sub.flags, ccflags: sub.ccflags };
    let r;
    try {
      r = await this.subscribe(view, sub.kind === 'user' ? { user: target } : { queue: target });
    } catch (err) {
      logger.warn('avaya-mtcti3 subscribe failed', { key, error: (err as Error).message });
      return { ok: false, reason: (err as Error).message };
    }
    if (r.result !== RESULT.SUCCESS) {
      const why = `${r.result} ${resultName(r.result)}${r.additional ? ` ${r.additional}` : ''}`;
      logger.warn('avaya-mtcti3 subscription refused', { key, why });
      this.terminated(sub, { reason: `${sub.kind} subscription refused: ${why}` }, 'RequestResponse');
      return { ok: false, reason: why };
    }
    view.active = true;
    return { ok: true, vendorId: view.subscribeId, expiresSec: options.subscriptionTimeoutSec };
  }

  removed(key: string, sub: Mtcti3Sub, replaced: boolean): void {
    this.views.delete(key);
    if (sub.kind === 'user' && !replaced) this.deps.mapper.forgetUser(sub.name);
    if (sub.kind === 'queue') this.deps.mapper.forgetQueue(sub.name);
  }

  synced(): void {
    this.deps.synced();
  }

  terminated(sub: Mtcti3Sub, data: Record<string, string>, event: string): void {
    this.deps.emit({
      type: 'subscription.terminated',
      target: sub.target,
      data,
      vendor: { name: VENDOR, event },
    });
  }
}

/**
 * The driver's subscriptions: Lines for the link, Users and Queues for the watch specs and commands.
 *
 * @example
 * const subs = new Mtcti3Subscriptions(deps);
 * await subs.connect(); // Lines subscribed and its first notify in
 * await subs.watch([{ target: { type: 'user', id: 'alice' }, families: ['call'] }]);
 * subs.active('user:alice')?.subscribeId;
 */
export class Mtcti3Subscriptions {
  private readonly linesAdapter: LinesAdapter;
  private readonly targets: TargetsAdapter;
  readonly lines: Subscriptions<Mtcti3Sub, number>;
  readonly watched: Subscriptions<Mtcti3Sub, number>;

  constructor(private readonly deps: Mtcti3SubscriptionDeps) {
    const ids: SubIds = { next: 1 };
    this.linesAdapter = new LinesAdapter(deps, ids);
    this.targets = new TargetsAdapter(deps, ids);
    const { refreshRatio } = deps.options;
    // a lost Lines subscription is taken again at once, once; then the session is dropped
    this.lines = new Subscriptions(this.linesAdapter, {
      refreshRatio,
      queue: deps.queue,
      maxRetries: 1,
      retryDelayMs: 0,
    });
    this.watched = new Subscriptions(this.targets, { refreshRatio, queue: deps.queue, retryDelayMs: 1000 });
  }

  /** Subscribes Lines; throws (and leaves nothing behind) when that fails. */
  async connect(): Promise<void> {
    await this.lines.apply();
    const lines = this.lines.status('lines');
    if (lines?.state === 'active') return;
    const err =
      this.linesAdapter.lastError ?? new Error(`MTCTI-3 Lines subscription failed: ${lines?.reason}`);
    this.lines.reset();
    throw err;
  }

  /** A watched spec's state (its lines' monitors). */
  statusOf(spec: WatchSpec): { state: 'pending' | 'active' | 'failed'; reason?: string } {
    const { state, reason } = this.watched.statusOf(spec);
    return { state, ...(reason ? { reason } : {}) };
  }

  watch(specs: readonly WatchSpec[]): Promise<void> {
    return this.watched.watch(specs);
  }

  /** Re-applies the watch specs (in the queue), e.g. after a user was pinned. */
  apply(): Promise<void> {
    return this.deps.queue.run(() => this.watched.apply());
  }

  /** Subscribe the user even if nobody watches it (commands need its subscription). */
  pin(name: string): void {
    this.targets.pinned.add(name);
  }

  /** The view of a live User / Queue subscription by key (`user:alice`, `queue:sales`). */
  active(key: string): SubView | undefined {
    const view = this.targets.views.get(key);
    return view?.active ? view : undefined;
  }

  /** The view of a User / Queue subscription by key, live or not. */
  view(key: string): SubView | undefined {
    return this.targets.views.get(key);
  }

  /** The view a notify's subscribe_id belongs to (Lines included); undefined for unknown ids. */
  byId(id: number): SubView | undefined {
    return this.linesAdapter.byId.get(id) ?? this.targets.byId.get(id);
  }

  /** What is wanted for a User / Queue key (its bridge target and families). */
  spec(key: string): Mtcti3Sub | undefined {
    return this.watched.status(key)?.spec;
  }

  /** The views of every wanted User / Queue subscription, with what is wanted. */
  list(): { view: SubView | undefined; spec: Mtcti3Sub }[] {
    return this.watched.list().map((s) => ({ view: this.targets.views.get(s.key), spec: s.spec }));
  }

  /**
   * IP Office ended a subscription. A User / Queue one gives `subscription.terminated` and is taken
   * again with backoff; Lines is taken again at once.
   */
  terminated(id: number, reason: string | undefined): void {
    if (this.linesAdapter.byId.has(id)) {
      this.lines.terminated(id, reason || 'SubscribeTerminated');
      return;
    }
    const sub = this.watched.terminated(id, reason || 'SubscribeTerminated');
    if (!sub) return;
    this.targets.terminated(
      sub.spec,
      { subscription: String(id), reason: reason || 'SubscribeTerminated' },
      'SubscribeTerminated',
    );
  }

  /** The link is gone: nothing is live any more (the wanted set stays). */
  reset(): void {
    this.watched.reset();
    this.lines.reset();
  }

  /** Ends every live subscription (if the link is up), then `reset`. */
  async close(): Promise<void> {
    await Promise.all([this.watched.close(), this.lines.close()]);
  }
}
