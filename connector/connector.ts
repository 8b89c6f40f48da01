/**
 * The connector: a long-lived process (Fargate in AWS, in-process locally) that owns links through
 * DynamoDB leases, runs one LinkRunner (one driver) per owned link, logs every event and serves the
 * private command endpoint the API Lambdas call.
 *
 * Ownership: every `reconcileMs` it lists links and tries to acquire the lease of each link it does not
 * run (conditional put: free, expired or ours). It renews its leases every `leaseMs / 3`; a lease it
 * fails to renew is lost and its runner stops. A dead connector's leases expire after `leaseMs`, and the
 * next reconcile of a live connector takes them over: takeover within `leaseMs + reconcileMs`.
 *
 * Per-user sessions of owned links are driven by a `SessionManager` (`./sessions/`): the API reaches it
 * through the command endpoint (`POST /v1/sessions/sync`), links coming up log their users in again, and
 * a reconcile every `sessionReconcileMs` ends expired sessions. When `callbackPort` is set, the inbound
 * callback listener (`./callbacks/`) serves `/v1/callbacks/{tenant}/{link}/...`: the owning driver's
 * `handleCallback` answers, and a request for a link another connector owns is forwarded to that
 * connector's listener (its address is in the lease, `callbackEndpoint`).
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../shared/deps.js';
import type { LinkRecord } from '../shared/repos/links.js';
import type { BackoffOptions } from './backoff.js';
import { startCommandServer } from './command-server.js';
import type { DriverRegistry } from '../vendors/load.js';
import { EventLogWriter, type EventListener } from './event-log-writer.js';
import { LinkRunner } from './link-runner.js';
import { noMetrics, type ConnectorMetrics } from './metrics.js';
import { BRIDGE_METRICS } from '../shared/config.js';
import {
  startCallbackListener,
  type CallbackListener,
  type CallbackListenerStats,
  type CallbackTarget,
} from './callbacks/listener.js';
import { callbackUrl } from './callbacks/path.js';
import { SessionManager } from './sessions/manager.js';
import { balance, mayTake, type BalancePlan } from './balance.js';
import { OwnedLinks } from './owned-links.js';
import { LinkSubscriptionViews } from './link-subscriptions.js';
import { channelRoutes } from './channel-routes.js';
import type { DeliveryRecord } from '../shared/repos/deliveries.js';
import { subscriptionRoutes } from './subscription-route.js';
import { sessionRoutes } from './sessions/route.js';

export interface ConnectorOptions {
  deps: Deps;
  drivers: DriverRegistry;
  /** Identity written into leases. */
  id?: string;
  /** Shared secret the API Lambdas present on the command endpoint. */
  commandToken: string;
  commandHost?: string;
  commandPort?: number;
  /** Address other processes use to reach the command endpoint (default: the bound address). */
  advertiseUrl?: string;
  leaseMs?: number;
  reconcileMs?: number;
  subscriptionPollMs?: number;
  backoff?: BackoffOptions;
  eventTtlDays?: number;
  /** The event log's linger under load (`LinkRunnerOptions.linger`; default `DEFAULT_LINGER`). */
  logLinger?: { lingerMs: number; lingerFromEvents: number };
  /**
   * Where the connector records the leases it holds (default its own): give the same object to the
   * delivery (`owns`) so that it stops delivering a link this process lost.
   */
  owned?: OwnedLinks;
  /**
   * The links' subscription views (default its own): give the delivery service the same object
   * (`DeliveryOptions.subscriptionViews`) so that the link runners and matching share their reads.
   */
  subscriptionViews?: LinkSubscriptionViews;
  /** Only run links of these tenants (default all). */
  tenants?: string[];
  /**
   * Share the links with the other running connectors (default true): take no more than the fair
   * share while a peer has room, hand links over to a peer that has (docs/connector.md).
   */
  balance?: boolean;
  onEvent?: EventListener;
  /**
   * Called when this connector takes a link (start, lease takeover), before its runner starts: delivery
   * re-matches log events after its watermark. Defaults to `onEvent.linkOwned` when the listener has one.
   */
  onLinkOwned?: (tenant: string, link: string) => Promise<void>;
  /**
   * The API changed a link's subscriptions (`POST /v1/subscriptions/sync`): the delivery serving this
   * connector's links matches against them from the next event on (`Delivery.subscriptionsChanged`).
   */
  onSubscriptionsChanged?(tenant: string, link: string): void;
  /** A WebSocket channel has a new connection or a resume request (delivery: look at it now). */
  onChannelAttention?(tenant: string, channel: string): void;
  /**
   * A webhook channel's first-attempt successes the delivery serving this connector's links delivered
   * lately, stored or not (`Delivery.latestSuccesses`; none when not given).
   */
  latestSuccesses?(tenant: string, channel: string): DeliveryRecord[];
  /** Metrics sink (EMF in AWS; none locally). Link gauges are sampled every `metricsMs` (60 s). */
  metrics?: ConnectorMetrics;
  metricsMs?: number;
  /** How often sessions of owned links are reconciled (expiry, deletes, pending logins; default 5000). */
  sessionReconcileMs?: number;
  /** Port of the inbound callback listener (default `config.callbacks.port`; unset: no listener). */
  callbackPort?: number;
  /** Address it binds (default `config.callbacks.host`, loopback). */
  callbackHost?: string;
  /** Base URL vendors call (default `config.callbacks.publicUrl`, else the listener's own URL). */
  callbackPublicUrl?: string;
  /**
   * Address other connectors forward callbacks to (default the bound URL; for a wildcard bind, the
   * host of `advertiseUrl` with the listener's port).
   */
  callbackAdvertiseUrl?: string;
  /** Largest callback body accepted (default `config.callbacks.maxBodyBytes`, 1 MiB). */
  callbackMaxBodyBytes?: number;
}

export interface Connector {
  id: string;
  commandUrl: string;
  /** The public base of the callback listener (absent: no listener). */
  callbackUrl?: string;
  /** Where other connectors forward callbacks to (absent: no listener). */
  callbackEndpoint?: string;
  /** The callback listener's own refusals by reason (absent: no listener). */
  callbackStats?: Readonly<CallbackListenerStats>;
  log: EventLogWriter;
  sessions: SessionManager;
  runner(tenant: string, link: string): LinkRunner | undefined;
  /** Whether this connector holds the link's lease, by its own clock (the delivery's `owns`). */
  owns(tenant: string, link: string): boolean;
  runners(): LinkRunner[];
  /** Runs one reconcile pass now (tests; normally on a timer). */
  reconcile(): Promise<void>;
  /** Graceful: closes drivers and releases leases so another connector takes over at once. */
  stop(): Promise<void>;
  /** Simulates a crash: stops timers and sockets without releasing leases. */
  kill(): Promise<void>;
}

/** How long a new link may have no credentials yet (the API stores them right after the link). */
const CREDENTIALS_GRACE_MS = 10_000;

export async function startConnector(opts: ConnectorOptions): Promise<Connector> {
  const { deps } = opts;
  const id = opts.id ?? `conn_${randomBytes(6).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? 15_000;
  const reconcileMs = opts.reconcileMs ?? 2_000;
  const runners = new Map<string, { runner: LinkRunner; updatedAt: string }>();
  const key = (t: string, l: string) => `${t}/${l}`;
  /** Until when (by this process's clock) each lease it holds is known to be its own. */
  const owned = opts.owned ?? new OwnedLinks();
  const subscriptionViews = opts.subscriptionViews ?? new LinkSubscriptionViews(deps.repos.subscriptions);
  const owns = owned.owns;
  const log = new EventLogWriter(deps, {
    ttlDays: opts.eventTtlDays ?? deps.config.eventTtlDays,
    onLogged: opts.onEvent,
    // a link's log is written only while its lease is ours: a stalled process whose lease ran out
    // neither writes nor acknowledges (its vendor redelivers to the new owner)
    mayWrite: (t, l) => owns(t, l),
  });
  const linkOwned =
    opts.onLinkOwned ??
    (opts.onEvent as { linkOwned?: (t: string, l: string) => Promise<void> } | undefined)?.linkOwned;

  const sessions = new SessionManager({
    deps,
    runner: (t, l) => runners.get(key(t, l))?.runner,
    runners: () => [...runners.values()].map((e) => e.runner),
  });
  const server = await startCommandServer({
    host: opts.commandHost ?? '127.0.0.1',
    port: opts.commandPort ?? 0,
    token: opts.commandToken,
    runner: (t, l) => runners.get(key(t, l))?.runner,
    logger: deps.logger,
    routes: {
      ...sessionRoutes(sessions),
      ...subscriptionRoutes((t, l) => opts.onSubscriptionsChanged?.(t, l)),
      ...channelRoutes({
        attend: (t, c) => opts.onChannelAttention?.(t, c),
        latestSuccesses: (t, c) => opts.latestSuccesses?.(t, c) ?? [],
      }),
    },
  });
  const endpoint = opts.advertiseUrl ?? server.url;

  /** Where a callback for a link goes: its driver here, the owning connector, or nowhere. */
  const callbackTarget = async (
    tenant: string,
    link: string,
    forwarded: boolean,
  ): Promise<CallbackTarget> => {
    const runner = runners.get(key(tenant, link))?.runner;
    if (runner) {
      const driver = runner.activeDriver;
      return driver?.handleCallback
        ? { kind: 'local', handle: (request) => driver.handleCallback!(request) }
        : { kind: 'unknown' };
    }
    const lease = await deps.repos.leases.get(tenant, link, Date.now());
    if (lease && lease.owner !== id && lease.callbackEndpoint && !forwarded)
      return { kind: 'forward', url: lease.callbackEndpoint };
    if (!(await deps.repos.links.get(tenant, link))) return { kind: 'unknown' };
    return { kind: 'unavailable', detail: 'no connector serves this link right now' };
  };
  const callbackPort = opts.callbackPort ?? deps.config.callbacks?.port;
  let listener: CallbackListener | undefined;
  let callbackBase: string | undefined;
  let callbackEndpoint: string | undefined;
  if (callbackPort !== undefined) {
    const host = opts.callbackHost ?? deps.config.callbacks?.host ?? '127.0.0.1';
    listener = await startCallbackListener({
      host,
      port: callbackPort,
      maxBodyBytes: opts.callbackMaxBodyBytes ?? deps.config.callbacks?.maxBodyBytes,
      resolve: callbackTarget,
      forwardedBy: id,
      logger: deps.logger,
      onRefused: () => (opts.metrics ?? noMetrics).count(BRIDGE_METRICS.callbacksRefused),
    });
    callbackBase = opts.callbackPublicUrl ?? deps.config.callbacks?.publicUrl ?? listener.url;
    const wildcard = host === '0.0.0.0' || host === '::';
    callbackEndpoint =
      opts.callbackAdvertiseUrl ??
      (wildcard ? `http://${new URL(endpoint).hostname}:${listener.port}` : listener.url);
  }
  let stopped = false;
  let reconciling: Promise<void> | undefined;

  async function stopRunner(k: string, release: boolean) {
    const entry = runners.get(k);
    if (!entry) return;
    runners.delete(k);
    await entry.runner.stop();
    owned.delete(entry.runner.link.tenant, entry.runner.link.id);
    log.forget(entry.runner.link.tenant, entry.runner.link.id);
    if (!release) return;
    // A lease that cannot be released (database gone) simply expires after `leaseMs`.
    await deps.repos.leases
      .release(entry.runner.link.tenant, entry.runner.link.id, id)
      .catch((err: unknown) =>
        deps.logger.warn('link lease release failed', { link: k, error: err as Error }),
      );
  }

  async function startRunner(link: LinkRecord) {
    const factory = opts.drivers[link.vendor];
    if (!factory) {
      await deps.repos.links.setStatus(link.tenant, link.id, {
        status: 'down',
        since: deps.now().toISOString(),
        lastError: `no driver for vendor ${link.vendor} in this version`,
      });
      return;
    }
    const credentials = await deps.secrets.get(link.tenant, link.id);
    if (!credentials) {
      // The API stores a new link's credentials just after its record: a reconcile in between tries
      // again next time instead of reporting the link down.
      if (Date.now() - Date.parse(link.createdAt) < CREDENTIALS_GRACE_MS) return;
      await deps.repos.links.setStatus(link.tenant, link.id, {
        status: 'down',
        since: deps.now().toISOString(),
        lastError: 'credentials missing from the secret store',
      });
      return;
    }
    const runner = new LinkRunner(link, credentials, factory, deps, log, {
      backoff: opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
      subscriptionPollMs: opts.subscriptionPollMs ?? 1_000,
      subscriptions: subscriptionViews.of(link.tenant, link.id),
      ...(opts.logLinger ? { linger: opts.logLinger } : {}),
      ...(callbackBase ? { callbacks: { publicUrl: callbackUrl(callbackBase, link.tenant, link.id) } } : {}),
      onUp: (r) =>
        void sessions
          .linkUp(r)
          .catch((err: unknown) =>
            deps.logger.error('session re-login failed', { link: r.key, error: err as Error }),
          ),
      onSessionEnded: (r, user, outcome) =>
        void sessions
          .ended(r, user, outcome)
          .catch((err: unknown) =>
            deps.logger.error('session end not recorded', { link: r.key, error: err as Error }),
          ),
    });
    runners.set(key(link.tenant, link.id), { runner, updatedAt: link.updatedAt });
    deps.logger.info('link owned', { link: runner.key, connector: id });
    await linkOwned?.(link.tenant, link.id).catch((err: unknown) =>
      deps.logger.error('link catch-up failed', { link: runner.key, error: err as Error }),
    );
    if (runners.get(key(link.tenant, link.id))?.runner !== runner) return; // stopped meanwhile
    runner.start();
  }

  /** Announces this connector and plans its share of the links (docs/connector.md, "Sharing the links"). */
  async function share(links: number): Promise<BalancePlan | null> {
    if (opts.balance === false) return null;
    try {
      await deps.repos.leases.announce(id, runners.size, Date.now() + leaseMs);
      const peers = await deps.repos.leases.connectors(Date.now());
      return balance({ self: id, mine: runners.size, links, peers });
    } catch (err) {
      deps.logger.warn('connector announcement failed; taking links without sharing', {
        error: err as Error,
      });
      return null;
    }
  }

  async function reconcileOnce(): Promise<void> {
    const links = (await deps.repos.links.listAll(deps.now())).filter(
      (l) => !opts.tenants || opts.tenants.includes(l.tenant),
    );
    const present = new Set(links.map((l) => key(l.tenant, l.id)));
    for (const k of [...runners.keys()]) if (!present.has(k)) await stopRunner(k, true);
    const plan = await share(links.length);
    for (const link of links) {
      if (stopped) return;
      const k = key(link.tenant, link.id);
      const entry = runners.get(k);
      if (entry && entry.updatedAt !== link.updatedAt) await stopRunner(k, false); // configuration changed
      if (runners.has(k)) continue;
      if (plan && !mayTake(plan, runners.size)) continue; // a peer with room takes it
      const asked = Date.now();
      const got = await deps.repos.leases.acquire(
        {
          tenant: link.tenant,
          link: link.id,
          owner: id,
          endpoint,
          ...(callbackEndpoint ? { callbackEndpoint } : {}),
          expiresAtMs: asked + leaseMs,
        },
        Date.now(),
      );
      if (got) {
        owned.set(link.tenant, link.id, asked + leaseMs);
        await startRunner(link);
        if (!runners.has(k)) owned.delete(link.tenant, link.id);
      }
    }
    // Over the fair share while a peer has room: hand the most recently started link over (the peer
    // takes it at its next reconcile).
    if (plan?.giveBack && runners.size > plan.fair && !stopped) {
      const k = [...runners.keys()].at(-1)!;
      deps.logger.info('link handed over to a connector with room', {
        link: k,
        connector: id,
        fair: plan.fair,
      });
      await stopRunner(k, true);
    }
  }

  const reconcile = () =>
    (reconciling ??= reconcileOnce()
      .catch((err: unknown) => deps.logger.error('reconcile failed', { error: err as Error }))
      .finally(() => (reconciling = undefined)));

  const renew = async () => {
    for (const [k, { runner }] of [...runners]) {
      const asked = Date.now();
      const ok = await deps.repos.leases
        .renew(runner.link.tenant, runner.link.id, id, asked + leaseMs)
        .catch(() => false);
      if (ok && runners.get(k)?.runner === runner)
        owned.set(runner.link.tenant, runner.link.id, asked + leaseMs);
      if (!ok && !stopped) {
        deps.logger.warn('lease lost', { link: k, connector: id });
        await stopRunner(k, false);
      }
    }
  };

  await reconcile();
  const reconcileTimer = setInterval(() => void reconcile(), reconcileMs);
  const renewTimer = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
  let sessionPass: Promise<void> | undefined;
  const sessionTimer = setInterval(() => {
    sessionPass ??= sessions
      .reconcile()
      .catch((err: unknown) => deps.logger.error('session reconcile failed', { error: err as Error }))
      .finally(() => (sessionPass = undefined));
  }, opts.sessionReconcileMs ?? 5_000);
  const metrics = opts.metrics ?? noMetrics;
  const metricsTimer = setInterval(() => {
    const all = [...runners.values()].map((e) => e.runner);
    metrics.max(BRIDGE_METRICS.linksOwned, all.length);
    metrics.max(BRIDGE_METRICS.linksDown, all.filter((r) => r.state !== 'up').length);
    metrics.flush();
  }, opts.metricsMs ?? 60_000);

  const halt = async (release: boolean) => {
    if (stopped) return;
    stopped = true;
    clearInterval(reconcileTimer);
    clearInterval(renewTimer);
    clearInterval(metricsTimer);
    clearInterval(sessionTimer);
    await reconciling;
    await sessionPass;
    await Promise.all([...runners.keys()].map((k) => stopRunner(k, release)));
    // gone: its peers share the links without it at once (a crash's announcement lapses with its leases)
    if (release && opts.balance !== false)
      await deps.repos.leases
        .withdraw(id)
        .catch((err: unknown) => deps.logger.warn('connector withdrawal failed', { error: err as Error }));
    await sessions.idle();
    await listener?.close();
    await server.close();
  };

  return {
    id,
    commandUrl: endpoint,
    ...(callbackBase ? { callbackUrl: callbackBase } : {}),
    ...(callbackEndpoint ? { callbackEndpoint } : {}),
    ...(listener ? { callbackStats: listener.stats } : {}),
    log,
    sessions,
    runner: (t, l) => runners.get(key(t, l))?.runner,
    runners: () => [...runners.values()].map((e) => e.runner),
    owns,
    reconcile,
    stop: () => halt(true),
    kill: () => halt(false),
  };
}
