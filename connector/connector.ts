/**
 * The connector: a long-lived process (Fargate in AWS, in-process locally) that owns links through
 * DynamoDB leases, runs one LinkRunner (one driver) per owned link, logs every event and serves the
 * private command endpoint the API Lambdas call.
 *
 * Ownership: every `reconcileMs` it lists links and tries to acquire the lease of each link it does not
 * run (conditional put: free, expired or ours). It renews its leases every `leaseMs / 3`; a lease it
 * fails to renew is lost and its runner stops. A dead connector's leases expire after `leaseMs`, and the
 * next reconcile of a live connector takes them over: takeover within `leaseMs + reconcileMs`.
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
  /** Only run links of these tenants (default all). */
  tenants?: string[];
  onEvent?: EventListener;
  /**
   * Called when this connector takes a link (start, lease takeover), before its runner starts: delivery
   * re-matches log events after its watermark. Defaults to `onEvent.linkOwned` when the listener has one.
   */
  onLinkOwned?: (tenant: string, link: string) => Promise<void>;
  /** Metrics sink (EMF in AWS; none locally). Link gauges are sampled every `metricsMs` (60 s). */
  metrics?: ConnectorMetrics;
  metricsMs?: number;
}

export interface Connector {
  id: string;
  commandUrl: string;
  log: EventLogWriter;
  runner(tenant: string, link: string): LinkRunner | undefined;
  runners(): LinkRunner[];
  /** Runs one reconcile pass now (tests; normally on a timer). */
  reconcile(): Promise<void>;
  /** Graceful: closes drivers and releases leases so another connector takes over at once. */
  stop(): Promise<void>;
  /** Simulates a crash: stops timers and sockets without releasing leases. */
  kill(): Promise<void>;
}

export async function startConnector(opts: ConnectorOptions): Promise<Connector> {
  const { deps } = opts;
  const id = opts.id ?? `conn_${randomBytes(6).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? 15_000;
  const reconcileMs = opts.reconcileMs ?? 2_000;
  const runners = new Map<string, { runner: LinkRunner; updatedAt: string }>();
  const log = new EventLogWriter(deps, {
    ttlDays: opts.eventTtlDays ?? deps.config.eventTtlDays,
    onLogged: opts.onEvent,
  });
  const key = (t: string, l: string) => `${t}/${l}`;
  const linkOwned =
    opts.onLinkOwned ??
    (opts.onEvent as { linkOwned?: (t: string, l: string) => Promise<void> } | undefined)?.linkOwned;

  const server = await startCommandServer({
    host: opts.commandHost ?? '127.0.0.1',
    port: opts.commandPort ?? 0,
    token: opts.commandToken,
    runner: (t, l) => runners.get(key(t, l))?.runner,
    logger: deps.logger,
  });
  const endpoint = opts.advertiseUrl ?? server.url;
  let stopped = false;
  let reconciling: Promise<void> | undefined;

  async function stopRunner(k: string, release: boolean) {
    const entry = runners.get(k);
    if (!entry) return;
    runners.delete(k);
    await entry.runner.stop();
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
    });
    runners.set(key(link.tenant, link.id), { runner, updatedAt: link.updatedAt });
    deps.logger.info('link owned', { link: runner.key, connector: id });
    await linkOwned?.(link.tenant, link.id).catch((err: unknown) =>
      deps.logger.error('link catch-up failed', { link: runner.key, error: err as Error }),
    );
    if (runners.get(key(link.tenant, link.id))?.runner !== runner) return; // stopped meanwhile
    runner.start();
  }

  async function reconcileOnce(): Promise<void> {
    const links = (await deps.repos.links.listAll(deps.now())).filter(
      (l) => !opts.tenants || opts.tenants.includes(l.tenant),
    );
    const present = new Set(links.map((l) => key(l.tenant, l.id)));
    for (const k of [...runners.keys()]) if (!present.has(k)) await stopRunner(k, true);
    for (const link of links) {
      if (stopped) return;
      const k = key(link.tenant, link.id);
      const entry = runners.get(k);
      if (entry && entry.updatedAt !== link.updatedAt) await stopRunner(k, false); // configuration changed
      if (runners.has(k)) continue;
      const got = await deps.repos.leases.acquire(
        { tenant: link.tenant, link: link.id, owner: id, endpoint, expiresAtMs: Date.now() + leaseMs },
        Date.now(),
      );
      if (got) await startRunner(link);
    }
  }

  const reconcile = () =>
    (reconciling ??= reconcileOnce()
      .catch((err: unknown) => deps.logger.error('reconcile failed', { error: err as Error }))
      .finally(() => (reconciling = undefined)));

  const renew = async () => {
    for (const [k, { runner }] of [...runners]) {
      const ok = await deps.repos.leases
        .renew(runner.link.tenant, runner.link.id, id, Date.now() + leaseMs)
        .catch(() => false);
      if (!ok && !stopped) {
        deps.logger.warn('lease lost', { link: k, connector: id });
        await stopRunner(k, false);
      }
    }
  };

  await reconcile();
  const reconcileTimer = setInterval(() => void reconcile(), reconcileMs);
  const renewTimer = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
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
    await reconciling;
    await Promise.all([...runners.keys()].map((k) => stopRunner(k, release)));
    await server.close();
  };

  return {
    id,
    commandUrl: endpoint,
    log,
    runner: (t, l) => runners.get(key(t, l))?.runner,
    runners: () => [...runners.values()].map((e) => e.runner),
    reconcile,
    stop: () => halt(true),
    kill: () => halt(false),
  };
}
