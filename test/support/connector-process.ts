/**
 * The real connector process (`connector/main.ts`, what the container runs) against a test stack's
 * table, secrets and WebSocket management endpoint: for tests that kill it with SIGKILL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { LocalStack } from '../../local/stack.js';

export interface ConnectorProcess {
  id: string;
  child: ChildProcess;
  /** What it wrote to stderr (for a failing test's message). */
  stderr(): string;
  /** SIGKILL: no cleanup of any kind. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * Starts a connector process for `stack` (which runs no connector of its own). The command endpoint
 * binds loopback; webhooks may reach loopback.
 */
export async function startConnectorProcess(
  stack: LocalStack,
  id: string,
  opts: { leaseMs: number },
): Promise<ConnectorProcess> {
  const port = await freePort();
  const cfg = stack.deps.config;
  if (cfg.secrets.kind !== 'file') throw new Error('the connector process needs file secrets');
  const child = fork(fileURLToPath(new URL('../../connector/main.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      BRIDGE_TABLE: cfg.tableName,
      AWS_REGION: cfg.region,
      BRIDGE_DYNAMODB_ENDPOINT: cfg.dynamoEndpoint,
      BRIDGE_LOCAL_MODE: 'true',
      BRIDGE_WEBSOCKET_URL: cfg.websocketUrl,
      BRIDGE_SECRETS_KIND: 'file',
      BRIDGE_SECRETS_DIR: cfg.secrets.dir,
      BRIDGE_CONNECTOR_TOKEN: cfg.connectorToken,
      BRIDGE_CONNECTOR_HOST: '127.0.0.1',
      BRIDGE_CONNECTOR_PORT: String(port),
      BRIDGE_CONNECTOR_ADVERTISE: `http://127.0.0.1:${port}`,
      BRIDGE_CONNECTOR_ID: id,
      BRIDGE_LEASE_MS: String(opts.leaseMs),
      BRIDGE_WEBSOCKET_MANAGEMENT_URL: stack.managementEndpoint,
      BRIDGE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN: '16',
      BRIDGE_LOG_LEVEL: 'WARN',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  });
  let err = '';
  const keep = (d: Buffer) => {
    // its log lines (JSON) and metrics (EMF) go to stdout; only the warnings and errors are kept
    for (const line of d.toString().split('\n'))
      if (/"level":"(WARN|ERROR)"|Error/.test(line)) err = (err + line + '\n').slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = async (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(s);
    await exited;
  };
  return { id, child, stderr: () => err, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
