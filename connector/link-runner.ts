/**
 * One link's life inside the connector, as an explicit state machine:
 *
 *   idle ─start()→ connecting ─connect ok→ up ─onDown→ backoff ─timer→ connecting ...
 *                       └─connect failed→ backoff                 any ─stop()→ stopped
 *
 * The runner keeps one driver for the link's lifetime (so its call cache survives reconnects and
 * `resync()` can release calls that ended while the link was down), records status in DynamoDB, logs
 * `link.up` / `link.down`, keeps the driver's vendor subscriptions in step with the bridge
 * subscriptions (polled), and serialises events into the event log in vendor order. A driver acknowledges
 * a vendor event only once `onEvent` resolved (the event is in the log); redeliveries of logged vendor
 * events are recognised (`VendorEventWindow`, seeded from the log at start) and not logged twice.
 */
import { durable, type Durable } from '../vendors/driver-kit/events.js';
import type { Deps } from '../shared/deps.js';
import type { EventDraft, EventFamily } from '../shared/events/model.js';
import type { LinkRecord } from '../shared/repos/links.js';
import type { SubscriptionRecord } from '../shared/repos/subscriptions.js';
import type { LinkCredentials } from '../shared/secrets/store.js';
import { backoffDelay, Sleeper, type BackoffOptions } from './backoff.js';
import {
  LinkUnavailableError,
  type CallCommand,
  type CommandKind,
  type CommandResult,
  type Driver,
  type DriverFactory,
  type DriverCallbacks,
  type DriverLogger,
  type LinkConfig,
  type SessionEndOutcome,
  type WatchSpec,
} from '../vendors/driver-kit/seam.js';
import { DriverTimers } from '../vendors/driver-kit/util.js';
import { targetKey } from '../vendors/driver-kit/mapping.js';
import { DEDUPE_WINDOW, VendorEventWindow, vendorEventKey, type EventLogWriter } from './event-log-writer.js';
import { LinkSubscriptions } from './link-subscriptions.js';

export type RunnerState = 'idle' | 'connecting' | 'up' | 'backoff' | 'stopped';

/** `LinkRunnerOptions.linger`'s default. */
export const DEFAULT_LINGER = { lingerMs: 10, lingerFromEvents: 8 };

/** How long `stop()` waits for a connect in progress to settle after the driver was closed. */
const STOP_WAIT_MS = 5_000;

/** One key per watched target: bridge subscriptions of the same target merge into one watch spec. */

export interface LinkRunnerOptions {
  backoff: BackoffOptions;
  /** How often bridge subscriptions are re-read (changes take effect within this). */
  subscriptionPollMs: number;
  /** Drafts logged per write at most (default 500; a bigger batch is written as several segments). */
  maxLogBatch?: number;
  /**
   * Linger under load (docs/delivery.md, "Group commit and linger"): once a segment held at least
   * `lingerFromEvents` events (default 8), the next write waits until `lingerMs` (default 10) after that
   * one began, so that more events share it. A quiet link (smaller batches) writes at once.
   */
  linger?: { lingerMs: number; lingerFromEvents: number };
  /**
   * Vendor events (in drafts) remembered to recognise a redelivery (default `DEDUPE_WINDOW`, 1000); seeded
   * from the link's last logged events when the runner starts.
   */
  dedupeWindow?: number;
  /** The link's `lastEventAt` is written at most this often (ms, default 1000). */
  lastEventIntervalMs?: number;
  /** The link's subscriptions as this process reads them (default its own; `LinkSubscriptionViews.of`). */
  subscriptions?: LinkSubscriptions;
  /** The link's inbound callback URL, given to the driver (`DriverContext.callbacks`). */
  callbacks?: DriverCallbacks;
  /** Each time the link comes up (after resync): per-user sessions log in again. */
  onUp?: (runner: LinkRunner) => void;
  /** The vendor ended a per-user session (`DriverHooks.onSessionEnded`). */
  onSessionEnded?: (runner: LinkRunner, user: string, outcome: SessionEndOutcome) => void;
}

export class LinkRunner {
  state: RunnerState = 'idle';
  private driver: Driver | undefined;
  private readonly sleeper = new Sleeper();
  private downSignal: ((reason: string) => void) | undefined;
  private eventChain: Promise<unknown> = Promise.resolve();
  private readonly pending: { draft: EventDraft; key: string | undefined; durable: Durable }[] = [];
  /** When the last segment write started (`performance.now()`), and how many drafts it held. */
  private lastFlush = { at: -Infinity, drafts: 0 };
  private readonly timers = new DriverTimers();
  private watched = '';
  /** The link's subscriptions, listed again only when they changed (`./link-subscriptions.ts`; shared with delivery's matching). */
  private readonly subscriptions: LinkSubscriptions;
  private subsTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private everUp = false;
  /** Counters for logs and the link's status. */
  readonly stats = { connects: 0, failures: 0, events: 0, garbage: 0, redelivered: 0 };
  /** Vendor events logged lately (and being logged): a redelivered one is not logged again. */
  private readonly recent: VendorEventWindow;

  constructor(
    readonly link: LinkRecord,
    private readonly credentials: LinkCredentials,
    private readonly factory: DriverFactory,
    private readonly deps: Deps,
    private readonly log: EventLogWriter,
    private readonly opts: LinkRunnerOptions,
  ) {
    this.recent = new VendorEventWindow(opts.dedupeWindow ?? DEDUPE_WINDOW);
    this.subscriptions =
      opts.subscriptions ?? new LinkSubscriptions(deps.repos.subscriptions, link.tenant, link.id);
  }

  /** The link's driver once started: its optional capabilities (sessions, callbacks) are used directly. */
  get activeDriver(): Driver | undefined {
    return this.driver;
  }

  get key(): string {
    return `${this.link.tenant}/${this.link.id}`;
  }

  start(): void {
    if (this.state !== 'idle' || this.loop) return;
    const logger: DriverLogger = {
      debug: (m, e) => this.deps.logger.debug(m, { link: this.key, ...e }),
      info: (m, e) => this.deps.logger.info(m, { link: this.key, ...e }),
      warn: (m, e) => this.deps.logger.warn(m, { link: this.key, ...e }),
      error: (m, e) => this.deps.logger.error(m, { link: this.key, ...e }),
    };
    const link: LinkConfig = {
      tenant: this.link.tenant,
      id: this.link.id,
      vendor: this.link.vendor,
      endpoint: this.link.endpoint,
      credentials: this.credentials,
      options: this.link.options,
    };
    this.driver = this.factory({
      link,
      logger,
      timers: this.timers,
      secrets: { read: async () => ({ ...this.credentials }) },
      ...(this.opts.callbacks ? { callbacks: this.opts.callbacks } : {}),
      hooks: {
        onEvent: (draft) => this.enqueue(draft),
        onDown: (reason) => this.downSignal?.(reason),
        onSessionEnded: (user, outcome) => this.sessionEnded(user, outcome),
        onGarbage: (kind, detail) => {
          this.stats.garbage++;
          this.deps.logger.warn('vendor garbage', { link: this.key, kind, detail: detail.slice(0, 500) });
        },
      },
    });
    // the driver connects (and the vendor redelivers) only once the runner knows what the log holds
    this.loop = this.seedRecent().then(() => this.run());
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasUp = this.state === 'up';
    this.state = 'stopped';
    if (this.subsTimer) clearInterval(this.subsTimer);
    this.sleeper.wake();
    this.timers.clear();
    this.downSignal?.('stopped');
    try {
      await this.driver?.close();
    } catch (err) {
      this.deps.logger.warn('driver close failed', { link: this.key, error: err as Error });
    }
    // A driver whose connect() waits on a timer the stop just cleared would hold the loop for ever: the
    // stop waits for it a bounded time (the loop ends by itself once connect() settles).
    let waiting: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      (this.loop ?? Promise.resolve()).then(
        () => true,
        () => true,
      ),
      new Promise<false>((r) => (waiting = setTimeout(() => r(false), STOP_WAIT_MS))),
    ]);
    clearTimeout(waiting);
    if (!settled)
      this.deps.logger.warn('link stop: the driver did not settle its connect in time', {
        link: this.key,
        waitedMs: STOP_WAIT_MS,
      });
    await this.eventChain.catch(() => undefined);
    clearTimeout(this.lastEvent.timer);
    this.lastEvent.timer = undefined;
    await this.lastEvent.writing;
    await this.writeLastEvent();
    if (wasUp) await this.setStatus('down', 'connector stopped');
  }

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    if (this.state !== 'up' || !this.driver)
      throw new LinkUnavailableError(`link ${this.link.id} is ${this.state}`);
    return this.driver.execute(command);
  }

  /** The watch specs last applied to the driver (what the vendor is asked to send). */
  watching(): WatchSpec[] {
    return this.watched ? (JSON.parse(this.watched) as WatchSpec[]) : [];
  }

  /** Resolves when all events received so far are in the log (tests, graceful stop). */
  async drained(): Promise<void> {
    let chain: Promise<unknown>;
    do {
      chain = this.eventChain;
      await chain.catch(() => undefined);
    } while (chain !== this.eventChain);
  }

  /** A user's vendor session ended: a `session.ended` event for the user, then the session record. */
  private sessionEnded(user: string, outcome: SessionEndOutcome): void {
    void this.enqueue({
      type: 'session.ended',
      target: { type: 'user', id: user },
      data: {
        state: outcome.state,
        reason: outcome.reason,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      },
      vendor: { name: this.link.vendor, event: outcome.vendorEvent ?? 'session' },
    });
    this.opts.onSessionEnded?.(this, user, outcome);
  }

  /**
   * Drafts are logged strictly in arrival order. While one batch is being written, new drafts collect in
   * `pending` and go out together next, as one segment (docs/delivery.md, "Group commit and linger"):
   * under load the log keeps up by writing bigger batches instead of queueing round trips. A draft whose
   * vendor event the log already holds (same vendor id, type, target and call: a redelivery, e.g. to this
   * connector after the previous one crashed before acknowledging) is not written again: it resolves with
   * the first write.
   */
  private enqueue(draft: EventDraft): Promise<void> {
    const key = vendorEventKey(draft);
    const known = key ? this.recent.get(key) : undefined;
    if (known) {
      // a redelivery of a vendor event logged (or being logged): durable with the first write
      this.stats.redelivered++;
      return known;
    }
    this.stats.events++;
    const d = durable();
    if (key) this.recent.set(key, d.promise);
    this.pending.push({ draft, key, durable: d });
    if (this.pending.length === 1) this.eventChain = this.eventChain.then(() => this.flush());
    // a flush for this batch is already chained otherwise
    return d.promise;
  }

  /** Writes the next batch; each draft's promise settles with its write (the driver acks the vendor then). */
  private async flush(): Promise<void> {
    const linger = this.opts.linger ?? DEFAULT_LINGER;
    if (this.lastFlush.drafts >= linger.lingerFromEvents) {
      const wait = this.lastFlush.at + linger.lingerMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const batch = this.pending.splice(0, this.opts.maxLogBatch ?? 500);
    this.lastFlush = { at: performance.now(), drafts: batch.length };
    if (this.pending.length) this.eventChain = this.eventChain.then(() => this.flush());
    try {
      const events = await this.log.writeMany(
        this.link.tenant,
        this.link.id,
        batch.map((b) => b.draft),
      );
      for (const b of batch) b.durable.resolve();
      const last = events.at(-1);
      if (last) this.touchLastEvent(last.time);
    } catch (err) {
      for (const b of batch) {
        if (b.key) this.recent.forget(b.key, b.durable.promise); // its redelivery is written again
        b.durable.reject(err as Error);
      }
      this.deps.logger.error('event log write failed', {
        link: this.key,
        events: batch.length,
        error: err as Error,
      });
    }
  }

  /**
   * Seeds the redelivery window from the link's last logged events before the driver first connects;
   * retried with the backoff while the log cannot be read (nothing could be logged then either).
   */
  private async seedRecent(): Promise<void> {
    for (let attempt = 1; this.state !== 'stopped'; attempt++) {
      try {
        const events = await this.deps.repos.events.latest(
          this.link.tenant,
          this.link.id,
          this.recent.size,
          this.deps.now(),
        );
        this.recent.seed(events.reverse());
        return;
      } catch (err) {
        this.deps.logger.warn('event log read for the redelivery window failed', {
          link: this.key,
          attempt,
          error: (err as Error).message,
        });
        await this.sleeper.sleep(backoffDelay(attempt, this.opts.backoff));
      }
    }
  }

  /**
   * Records the link's `lastEventAt` off the event path: at most one write every `lastEventIntervalMs`,
   * one in flight; a newer time seen meanwhile goes out with the next write. `stop` writes the last one.
   */
  private readonly lastEvent: {
    at: string | null;
    written: string | null;
    writtenAt: number;
    timer?: NodeJS.Timeout;
    writing?: Promise<void>;
  } = { at: null, written: null, writtenAt: 0 };
  private touchLastEvent(at: string): void {
    const t = this.lastEvent;
    t.at = at;
    if (t.timer || t.writing || this.state === 'stopped') return;
    const wait = Math.max(0, t.writtenAt + (this.opts.lastEventIntervalMs ?? 1000) - Date.now());
    t.timer = setTimeout(() => {
      t.timer = undefined;
      void this.writeLastEvent().then(() => {
        if (t.at !== t.written) this.touchLastEvent(t.at!);
      });
    }, wait);
  }
  private writeLastEvent(): Promise<void> {
    const t = this.lastEvent;
    const value = t.at;
    if (value === null || value === t.written) return t.writing ?? Promise.resolve();
    t.writtenAt = Date.now();
    t.writing = this.deps.repos.links
      .touchEvent(this.link.tenant, this.link.id, value)
      .then(() => void (t.written = value))
      .catch((err: unknown) =>
        this.deps.logger.warn('link lastEventAt write failed', { link: this.key, error: err as Error }),
      )
      .finally(() => (t.writing = undefined));
    return t.writing;
  }

  private async run(): Promise<void> {
    const driver = this.driver!;
    let attempt = 0;
    while (this.state !== 'stopped') {
      this.state = 'connecting';
      const down = new Promise<string>((resolve) => (this.downSignal = resolve));
      try {
        await driver.connect();
        if (this.stoppedNow()) break;
        this.stats.connects++;
        this.state = 'up';
        attempt = 0;
        await this.setStatus('up', null);
        this.watched = '';
        await this.syncSubscriptions({ relist: true });
        const resynced = this.everUp;
        if (resynced) await driver.resync();
        this.everUp = true;
        this.opts.onUp?.(this);
        void this.enqueue({
          type: 'link.up',
          target: { type: 'system' },
          data: { status: 'up', ...(resynced ? { resynced: true } : {}) },
          vendor: { name: this.link.vendor, event: 'connected' },
        });
        this.subsTimer = setInterval(() => void this.syncSubscriptions(), this.opts.subscriptionPollMs);
        const reason = await down;
        clearInterval(this.subsTimer);
        if (this.stoppedNow()) break;
        this.state = 'backoff';
        await this.setStatus('down', reason);
        void this.enqueue({
          type: 'link.down',
          target: { type: 'system' },
          data: { status: 'down', reason },
          vendor: { name: this.link.vendor, event: 'disconnected' },
        });
      } catch (err) {
        if (this.stoppedNow()) break;
        this.stats.failures++;
        this.state = 'backoff';
        const message = (err as Error).message;
        this.deps.logger.warn('link connect failed', { link: this.key, attempt, error: message });
        await this.setStatus('down', message);
        try {
          await driver.close();
        } catch {
          /* already closed */
        }
      }
      attempt++;
      await this.sleeper.sleep(backoffDelay(attempt, this.opts.backoff));
    }
  }

  private stoppedNow(): boolean {
    return this.state === 'stopped';
  }

  /**
   * Applies the link's bridge subscriptions: tells the driver when the watch set changed and resolves once
   * the driver watches them (at once while the link is not up: its next `up` applies them). The periodic
   * pass reads the link's subscription revision and lists the subscriptions only when they changed;
   * `relist` (a change pushed through the command endpoint, a new connection) lists them now.
   */
  async syncSubscriptions(opts: { relist?: boolean } = {}): Promise<void> {
    if (opts.relist) this.subscriptions.invalidate();
    if (this.state !== 'up' || !this.driver) return;
    try {
      const { subs } = await this.subscriptions.current(this.deps.now());
      const merged = new Map<string, Set<EventFamily>>();
      for (const s of subs) {
        const key = targetKey(s.target);
        const set = merged.get(key) ?? new Set<EventFamily>();
        for (const f of s.events) set.add(f);
        merged.set(key, set);
      }
      const specs: WatchSpec[] = [...merged.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, fams]) => {
          const [type, ...rest] = key.split(':');
          const id = rest.join(':');
          return {
            target: { type: type as WatchSpec['target']['type'], ...(id ? { id } : {}) },
            families: [...fams].sort(),
          };
        });
      const fingerprint = JSON.stringify(specs);
      if (fingerprint !== this.watched) {
        await this.driver.watch(specs);
        this.watched = fingerprint;
      }
      await this.recordStates(subs, specs);
    } catch (err) {
      this.deps.logger.warn('subscription sync failed', { link: this.key, error: (err as Error).message });
    }
  }

  /**
   * Writes on each bridge subscription what the vendor does for its target (the driver's `watchStatus`
   * of the merged spec; `active` for drivers without one), where that changed. The listed records are
   * the runner's own (its `LinkSubscriptions`): each takes the state written, so that a pass without a new
   * listing does not write it again.
   */
  private async recordStates(subs: readonly SubscriptionRecord[], specs: WatchSpec[]): Promise<void> {
    const driver = this.driver;
    if (!driver) return;
    const byTarget = new Map(specs.map((s) => [targetKey(s.target), s]));
    const now = this.deps.now();
    await Promise.all(
      subs.map(async (sub) => {
        const spec = byTarget.get(targetKey(sub.target));
        if (!spec) return;
        const status = driver.watchStatus?.(spec) ?? { state: 'active' as const };
        const reason = status.reason ?? null;
        if (sub.state === status.state && sub.stateReason === reason) return;
        await this.deps.repos.subscriptions.setState(sub.tenant, sub.id, status.state, reason, now);
        sub.state = status.state;
        sub.stateReason = reason;
      }),
    );
  }

  private async setStatus(status: 'up' | 'down' | 'connecting', lastError: string | null): Promise<void> {
    try {
      await this.deps.repos.links.setStatus(this.link.tenant, this.link.id, {
        status,
        since: this.deps.now().toISOString(),
        ...(lastError !== null ? { lastError } : status === 'up' ? { lastError: null } : {}),
      });
    } catch (err) {
      this.deps.logger.warn('link status write failed', { link: this.key, error: (err as Error).message });
    }
  }
}
