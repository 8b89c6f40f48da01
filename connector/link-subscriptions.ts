/**
 * A link's live subscriptions as one connector process sees them, listed again only when they may have
 * changed (docs/delivery.md, "Subscriptions"). Each `current()` reads the link's subscription revision,
 * one small item; it lists the link's subscriptions (a query that reads every one of them) only when:
 * - nothing was listed yet, or `invalidate()` was called (a change pushed through the command endpoint);
 * - the revision changed since the last listing, and once more at the next call after that, because the
 *   listing reads an index that may trail the write by a moment;
 * - the earliest `expiresAt` of the listed subscriptions has passed (expiry changes no revision);
 * - the last listing is older than `fullRefreshMs` (a safety net for writes made without the revision).
 *
 * One per link and process (`LinkSubscriptionViews`), read by the link runner (vendor watches) and by
 * delivery's matching: calls made while a read is in flight share it.
 */
import type { SubscriptionRecord, SubscriptionRepo } from '../shared/repos/subscriptions.js';
import { idleSweep } from '../shared/idle-sweep.js';

/** How long a listing stands at most while the revision does not change (ms). */
export const SUBSCRIPTIONS_FULL_REFRESH_MS = 60_000;
/** A link's view nobody read for this long is dropped (ms): the link was deleted or moved to another process. */
export const SUBSCRIPTIONS_VIEW_IDLE_MS = 10 * 60_000;

export interface LinkSubscriptionsView {
  /** The subscriptions, and whether this call listed them (false: the same array as before). */
  subs: readonly SubscriptionRecord[];
  listed: boolean;
}

/**
 * @example
 * const view = new LinkSubscriptions(repos.subscriptions, 'acme', 'pbx');
 * const { subs, listed } = await view.current(new Date()); // listed: true the first time
 * await view.current(new Date()); // listed: false while the revision stands
 */
export class LinkSubscriptions {
  private subs: readonly SubscriptionRecord[] | undefined;
  private revision = 0;
  private listedAt = 0;
  private nextExpiry = Infinity;
  private stale = true;
  private recheck = false;
  /** The read in flight, shared by the calls made meanwhile (none after `invalidate()`). */
  private inFlight: Promise<LinkSubscriptionsView> | null = null;
  /** Raised by `invalidate()`: a read begun before it does not replace what a later one found. */
  private generation = 0;
  /** When `current()` was last called, by the clock given to `LinkSubscriptionViews` (ms). */
  lastUsedAt = 0;

  constructor(
    private readonly repo: Pick<SubscriptionRepo, 'revision' | 'listByLink'>,
    readonly tenant: string,
    readonly link: string,
    private readonly fullRefreshMs = SUBSCRIPTIONS_FULL_REFRESH_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The next `current()` lists the subscriptions, whatever the revision says. */
  invalidate(): void {
    this.stale = true;
    this.inFlight = null;
    this.generation++;
  }

  /** The link's live subscriptions at `now` (a call made while another reads shares its read). */
  current(now: Date): Promise<LinkSubscriptionsView> {
    this.lastUsedAt = this.clock();
    if (this.inFlight) return this.inFlight;
    const p = this.read(now).finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }

  private async read(now: Date): Promise<LinkSubscriptionsView> {
    const generation = this.generation;
    const revision = await this.repo.revision(this.tenant, this.link);
    const t = now.getTime();
    const changed = revision !== this.revision;
    if (
      this.subs &&
      !changed &&
      !this.stale &&
      !this.recheck &&
      t < this.nextExpiry &&
      t - this.listedAt < this.fullRefreshMs
    )
      return { subs: this.subs, listed: false };
    const recheck = changed && this.subs !== undefined;
    const subs = await this.repo.listByLink(this.tenant, this.link, now);
    if (generation !== this.generation) return { subs, listed: true }; // invalidated meanwhile
    this.recheck = recheck;
    this.stale = false;
    this.subs = subs;
    this.revision = revision;
    this.listedAt = t;
    this.nextExpiry = subs.reduce((min, s) => Math.min(min, Date.parse(s.expiresAt)), Infinity);
    return { subs, listed: true };
  }
}

/**
 * The `LinkSubscriptions` of every link a process reads, one each: give the same object to the
 * connector (its link runners) and to the delivery service (its matching), so that they share the reads.
 * A view that nobody read for `idleMs` (a deleted link, a link another process owns now) is dropped, with
 * the subscriptions it listed; a later `of()` makes a new one, which lists again.
 *
 * @example
 * const views = new LinkSubscriptionViews(deps.repos.subscriptions);
 * const delivery = startDelivery({ deps, subscriptionViews: views });
 * const connector = await startConnector({ deps, drivers, commandToken, subscriptionViews: views });
 */
export class LinkSubscriptionViews {
  private readonly views = new Map<string, LinkSubscriptions>();
  private readonly clock: () => number;
  private readonly sweep: () => void;

  constructor(
    private readonly repo: Pick<SubscriptionRepo, 'revision' | 'listByLink'>,
    opts: { idleMs?: number; clock?: () => number } = {},
  ) {
    const idleMs = opts.idleMs ?? SUBSCRIPTIONS_VIEW_IDLE_MS;
    this.clock = opts.clock ?? Date.now;
    this.sweep = idleSweep(
      idleMs / 10,
      (now) => {
        for (const [k, view] of this.views) if (now - view.lastUsedAt >= idleMs) this.views.delete(k);
      },
      this.clock,
    );
  }

  /** The link's view (made on first use; idle views are dropped at most once per `idleMs / 10`). */
  of(tenant: string, link: string): LinkSubscriptions {
    this.sweep();
    const k = `${tenant}#${link}`;
    let view = this.views.get(k);
    if (!view) {
      view = new LinkSubscriptions(this.repo, tenant, link, SUBSCRIPTIONS_FULL_REFRESH_MS, this.clock);
      view.lastUsedAt = this.clock();
      this.views.set(k, view);
    }
    return view;
  }

  /** How many links have a view (for tests and metrics). */
  get size(): number {
    return this.views.size;
  }
}
