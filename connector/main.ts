/**
 * The connector process entry (the container's CMD in AWS). Configuration from the environment:
 * everything `configFromEnv()` reads, plus
 *   BRIDGE_CONNECTOR_TOKEN        shared secret for the command endpoint (required)
 *   BRIDGE_CONNECTOR_PORT         command endpoint port (default 8080)
 *   BRIDGE_CONNECTOR_ADVERTISE    URL other processes use to reach it (default http://<host>:<port>)
 *   BRIDGE_LEASE_MS               lease time (default 15000)
 *   BRIDGE_WEBSOCKET_MANAGEMENT_URL  `@connections` endpoint of the WebSocket API stage (delivery)
 *   BRIDGE_WEBHOOK_ALLOW_CIDRS    comma-separated non-public networks webhooks may reach (default none)
 * SIGTERM (ECS stop) closes drivers and releases leases so another task takes over at once.
 */
import { networkInterfaces } from 'node:os';
import { configFromEnv } from '../shared/config.js';
import { createDeps } from '../shared/deps.js';
import { startConnector } from './connector.js';
import { defaultDrivers } from './drivers/registry.js';
import { startDelivery } from './delivery/index.js';

function privateAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const config = configFromEnv();
if (!config.connectorToken) {
  console.error('BRIDGE_CONNECTOR_TOKEN is required');
  process.exit(2);
}
const deps = createDeps(config);
const port = Number(process.env.BRIDGE_CONNECTOR_PORT ?? 8080);
const delivery = startDelivery({
  deps,
  managementEndpoint: process.env.BRIDGE_WEBSOCKET_MANAGEMENT_URL || undefined,
  allowedWebhookNetworks: (process.env.BRIDGE_WEBHOOK_ALLOW_CIDRS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
});
const connector = await startConnector({
  deps,
  drivers: await defaultDrivers(),
  commandToken: config.connectorToken,
  commandHost: '0.0.0.0',
  commandPort: port,
  advertiseUrl: process.env.BRIDGE_CONNECTOR_ADVERTISE ?? `http://${privateAddress()}:${port}`,
  leaseMs: Number(process.env.BRIDGE_LEASE_MS ?? 15_000),
  onEvent: delivery.onEvent,
});
deps.logger.info('connector started', { connector: connector.id, commandUrl: connector.commandUrl });

const shutdown = async (signal: string) => {
  deps.logger.info('connector stopping', { signal });
  await connector.stop();
  await delivery.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
