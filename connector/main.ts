/**
 * The connector process entry (the container's CMD in AWS). Configuration from the environment:
 * everything `configFromEnv()` reads, plus
 *   BRIDGE_CONNECTOR_TOKEN        shared secret for the command endpoint (required)
 *   BRIDGE_CONNECTOR_PORT         command endpoint port (default 8080)
 *   BRIDGE_CONNECTOR_HOST         address the command endpoint binds (default 0.0.0.0: the task's ENI)
 *   BRIDGE_CONNECTOR_ADVERTISE    URL other processes use to reach it (default http://<task IP>:<port>,
 *                                 the IP from the ECS task metadata endpoint or the first interface)
 *   BRIDGE_CONNECTOR_ID           identity written into leases (default a random one)
 *   BRIDGE_LEASE_MS               lease time of links and of WebSocket channel sequencers (default 15000)
 *   BRIDGE_WEBSOCKET_MANAGEMENT_URL  `@connections` endpoint of the WebSocket API stage (delivery)
 *   BRIDGE_WEBHOOK_ALLOW_CIDRS    comma-separated non-public networks webhooks may reach (default none)
 *   BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN  connections kept to one webhook origin (default 128)
 *   BRIDGE_SHUTDOWN_DEADLINE_MS   exit 1 if a graceful stop takes longer (default 50000)
 *   BRIDGE_CHANNEL_LOG_WRITES     `put` (default) or `transaction`: how WebSocket channel log segments are written
 *   BRIDGE_LOG_LINGER_MS          the link runners' group-commit linger (default 10)
 * `connector/settings.ts` checks them all at start; a malformed one exits 2 with the variable named.
 * SIGTERM (ECS stop) closes drivers and releases leases so another task takes over at once.
 */
import { networkInterfaces } from 'node:os';
import { configFromEnv } from '../shared/config.js';
import { DEFAULT_LINGER } from './link-runner.js';
import { createDeps } from '../shared/deps.js';
import { startConnector } from './connector.js';
import { emfMetrics } from './metrics.js';
import { defaultDrivers } from '../vendors/load.js';
import { startDelivery } from './delivery/index.js';
import { OwnedLinks } from './owned-links.js';
import { LinkSubscriptionViews } from './link-subscriptions.js';
import { ConnectorSettingsError, connectorSettingsFromEnv, type ConnectorSettings } from './settings.js';

function privateAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * The task's private IPv4 from the ECS task metadata endpoint (awsvpc mode: the task's own ENI, the address
 * the `calls` Lambda reaches through the security group rule); elsewhere the first interface address.
 */
async function advertiseHost(): Promise<string> {
  const uri = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (uri) {
    try {
      const res = await fetch(uri, { signal: AbortSignal.timeout(2_000) });
      const meta = (await res.json()) as { Networks?: { IPv4Addresses?: string[] }[] };
      const ip = meta.Networks?.[0]?.IPv4Addresses?.[0];
      if (ip) return ip;
    } catch {
      // fall back to the interface address
    }
  }
  return privateAddress();
}

let settings: ConnectorSettings;
try {
  settings = connectorSettingsFromEnv();
} catch (err) {
  if (!(err instanceof ConnectorSettingsError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const config = configFromEnv();
if (!config.connectorToken) {
  console.error('BRIDGE_CONNECTOR_TOKEN is required');
  process.exit(2);
}
const deps = createDeps(config);
const metrics = emfMetrics();
const { port, leaseMs } = settings;
const owned = new OwnedLinks();
// The link runners and matching read each link's subscriptions through one view.
const subscriptionViews = new LinkSubscriptionViews(deps.repos.subscriptions);
const delivery = startDelivery({
  subscriptionViews,
  metrics,
  deps,
  owns: owned.owns,
  sequencerLeaseMs: leaseMs, // WebSocket channels change hands on the links' time scale
  channelLogWrites: settings.channelLogWrites,
  managementEndpoint: settings.managementEndpoint,
  allowedWebhookNetworks: settings.allowedWebhookNetworks,
  webhookConnectionsPerOrigin: settings.webhookConnectionsPerOrigin,
});
const connector = await startConnector({
  metrics,
  deps,
  drivers: await defaultDrivers(),
  commandToken: config.connectorToken,
  ...(settings.id ? { id: settings.id } : {}),
  commandHost: settings.host,
  commandPort: port,
  advertiseUrl: settings.advertiseUrl ?? `http://${await advertiseHost()}:${port}`,
  leaseMs,
  ...(settings.logLingerMs !== undefined
    ? { logLinger: { ...DEFAULT_LINGER, lingerMs: settings.logLingerMs } }
    : {}),
  owned,
  subscriptionViews,
  onEvent: delivery.onEvent,
  onSubscriptionsChanged: (tenant, link) => delivery.subscriptionsChanged(tenant, link),
  onChannelAttention: (tenant, channel) => delivery.channelAttention(tenant, channel),
  latestSuccesses: (tenant, channel) => delivery.latestSuccesses(tenant, channel),
});
deps.logger.info('connector started', { connector: connector.id, commandUrl: connector.commandUrl });

// ECS sends SIGTERM, then SIGKILL after the container's stopTimeout (lib/: 60 s). Release the leases first
// so another task takes the links over at once; give up (exit 1) before the SIGKILL.
const SHUTDOWN_DEADLINE_MS = settings.shutdownDeadlineMs;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  deps.logger.info('connector stopping', { signal });
  setTimeout(() => {
    deps.logger.error('shutdown deadline exceeded', { deadlineMs: SHUTDOWN_DEADLINE_MS });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  await connector.stop();
  await delivery.stop();
  deps.logger.info('connector stopped', { signal });
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
