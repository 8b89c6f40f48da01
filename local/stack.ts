/**
 * The local stack: DynamoDB Local, the API Gateway emulation and the very Lambda handlers lib/ deploys,
 * wired with explicit deps (no process-wide state), so several stacks can run side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateAdminKey, sha256Hex } from '../shared/auth/keys.js';
import { RuntimeConfigSchema, type RuntimeConfig } from '../shared/config.js';
import { ensureTable } from '../shared/db/client.js';
import { createDeps, type Deps } from '../shared/deps.js';
import { createLogger } from '../shared/log.js';
import { FUNCTIONS, ROUTES, type FunctionName } from '../shared/api/routes.js';
import { CONSOLE_ROUTES, handler as consoleHandler } from '../functions/console.js';
import { build as buildAuthorizer } from '../functions/authorizer.js';
import { build as buildCalls } from '../functions/http/calls.js';
import { build as buildChannels } from '../functions/http/channels.js';
import { build as buildEvents } from '../functions/http/events.js';
import { build as buildLinks } from '../functions/http/links.js';
import { build as buildMeta } from '../functions/http/meta.js';
import { build as buildSessions } from '../functions/http/sessions.js';
import { build as buildSubscriptions } from '../functions/http/subscriptions.js';
import { build as buildTenants } from '../functions/http/tenants.js';
import type { HttpHandler } from '../functions/http/runtime.js';
import { build as buildConnect } from '../functions/ws/connect.js';
import { build as buildDefault } from '../functions/ws/default.js';
import { build as buildDisconnect } from '../functions/ws/disconnect.js';
import { startGateway, type Gateway, type HttpRoute } from './gateway/index.js';
import { startDynamoDbLocal, type LocalDynamo } from './dynamodb.js';
import { simulatorIdBase } from '../simulator/core/index.js';
import { Problem } from '../shared/http/problem.js';
import { startConnector, type Connector, type ConnectorOptions } from '../connector/connector.js';
import { OwnedLinks } from '../connector/owned-links.js';
import { LinkSubscriptionViews } from '../connector/link-subscriptions.js';
import { defaultDrivers } from '../vendors/load.js';
import { startDelivery, type Delivery, type DeliveryOptions } from '../connector/delivery/index.js';
import { randomBytes } from 'node:crypto';
import { TTL } from '../shared/api/schemas.js';
import { newSessionId } from '../shared/repos/sessions.js';
import { sessionSecrets } from '../shared/secrets/sessions.js';
import type { SimSessionSeed } from '../simulator/frontends/types.js';
import {
  startSimulator,
  simulatorLinkSeeds,
  type RunningSimulator,
  type SimulatorLinkSeed,
  type SimulatorOptions,
  DEFAULT_DIRECTORY,
} from '../simulator/index.js';

export const HTTP_FUNCTIONS: Record<FunctionName, (getDeps: () => Deps) => HttpHandler> = {
  meta: buildMeta,
  tenants: buildTenants,
  links: buildLinks,
  sessions: buildSessions,
  channels: buildChannels,
  subscriptions: buildSubscriptions,
  events: buildEvents,
  calls: buildCalls,
};

export interface StackOptions {
  host?: string;
  httpPort?: number;
  wsPort?: number;
  /** Admin key; generated when omitted (and returned). */
  adminKey?: string;
  /** Folder for DynamoDB and secrets, or 'memory'. */
  dataDir?: string;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (tests share one per run). */
  dynamoEndpoint?: string;
  /** Table name (tests use one per stack for isolation). */
  tableName?: string;
  logLevel?: string;
  /**
   * Run the PBX simulator and create (or re-point) the links `sim-broadworks` and `sim-mtcti3` to it
   * in the tenant `default`. `npm start` turns it on; tests opt in.
   */
  simulator?: boolean | SimulatorOptions;
  /** Run a connector in this process (default true). */
  connector?: boolean | Partial<Omit<ConnectorOptions, 'deps' | 'commandToken'>>;
  /** Event delivery options; delivery runs whenever the connector does (loopback webhooks allowed locally). */
  delivery?: Partial<Omit<DeliveryOptions, 'deps'>>;
  /** Clock for handlers (tests move it forward to check expiry). */
  now?: () => Date;
  /**
   * Port of the connector's inbound callback listener, on loopback (default: the HTTP port + 2, 3002
   * with the default ports; a free port when the HTTP port is 0).
   */
  callbackPort?: number;
  /** The base vendors call back (default the listener's own URL). */
  callbackPublicUrl?: string;
  /** Start DynamoDB Local in its own process group (`npm start`, which handles Ctrl-C itself). */
  dynamoOwnProcessGroup?: boolean;
  /** Told each start-up step as it begins (`npm start` prints them). */
  progress?: (step: string) => void;
}

export interface LocalStack {
  httpUrl: string;
  wsUrl: string;
  /** The base of the connector's callback listener (`<base>/v1/callbacks/{tenant}/{link}/...`). */
  callbackUrl: string | undefined;
  managementEndpoint: string;
  adminKey: string;
  adminTenant: string;
  tableName: string;
  dynamoEndpoint: string;
  deps: Deps;
  gateway: Gateway;
  connector: Connector | undefined;
  delivery: Delivery | undefined;
  simulator: RunningSimulator | undefined;
  stop(): Promise<void>;
}

export const ADMIN_TENANT = 'default';

export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const logger = createLogger('cti-bridge-local', opts.logLevel);
  const memory = !opts.dataDir || opts.dataDir === 'memory';
  const dataDir = memory ? null : resolve(opts.dataDir!);
  const cleanups: (() => Promise<void> | void)[] = [];
  /** Stops every part, last started first; a part that fails to stop is logged and the rest still stop. */
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        logger.error('local stack: a part failed to stop', { error: err as Error });
      }
    }
    cleanups.length = 0;
  };
  const progress = opts.progress ?? (() => undefined);
  /** `GET /v1/health` answers 503 until every part is up (the links created, the connector started). */
  let ready = false;
  try {
    let dynamo: LocalDynamo | undefined;
    let dynamoEndpoint = opts.dynamoEndpoint;
    if (!dynamoEndpoint) {
      progress(
        `starting DynamoDB Local (Java)${dataDir ? ` with data in ${join(dataDir, 'dynamodb')}` : ', in memory'}`,
      );
      dynamo = await startDynamoDbLocal({
        dataDir: dataDir ? join(dataDir, 'dynamodb') : null,
        ownProcessGroup: opts.dynamoOwnProcessGroup,
      });
      cleanups.push(() => dynamo!.stop());
      dynamoEndpoint = dynamo.endpoint;
    }
    let secretsDir: string;
    if (dataDir) secretsDir = join(dataDir, 'secrets');
    else {
      secretsDir = mkdtempSync(join(tmpdir(), 'cti-bridge-secrets-'));
      cleanups.push(() => rmSync(secretsDir, { recursive: true, force: true }));
    }
    const adminKey = opts.adminKey ?? generateAdminKey();
    const tableName = opts.tableName ?? 'cti-bridge';

    // Handlers are built before the gateway (they are its routes) and get their deps once it is up.
    const holder: { deps?: Deps } = {};
    const getDeps = () => {
      if (!holder.deps) throw new Error('local stack not ready');
      return holder.deps;
    };
    const adminKeySha256 = sha256Hex(adminKey);
    const routes: HttpRoute[] = [];
    const handlers = Object.fromEntries(FUNCTIONS.map((fn) => [fn, HTTP_FUNCTIONS[fn](getDeps)])) as Record<
      FunctionName,
      HttpHandler
    >;
    for (const r of ROUTES) {
      const handler = handlers[r.fn] as unknown as HttpRoute['handler'];
      routes.push({
        method: r.method,
        path: r.path,
        authorize: r.auth !== 'none',
        handler:
          r.operationId === 'getHealth' ? async (e, c) => (ready ? handler(e, c) : starting()) : handler,
      });
    }
    // The console page, served by the same function as in AWS (functions/console.ts), outside the API's manifest.
    for (const key of CONSOLE_ROUTES) {
      const [method, path] = key.split(' ') as ['GET', string];
      routes.push({
        method,
        path,
        authorize: false,
        handler: consoleHandler as unknown as HttpRoute['handler'],
      });
    }
    const authorizer = buildAuthorizer(getDeps, async () => adminKeySha256);
    progress('starting the API gateway emulation');
    const gateway = await startGateway({
      host: opts.host ?? '127.0.0.1',
      httpPort: opts.httpPort ?? 3000,
      wsPort: opts.wsPort ?? 3001,
      routes,
      // API Gateway's `$default` route, as the CDK app deploys it: 404 / 405 problems from `meta`
      defaultRoute: { authorize: false, handler: handlers.meta as unknown as HttpRoute['handler'] },
      authorizer,
      websocket: {
        connect: buildConnect(getDeps),
        disconnect: buildDisconnect(getDeps),
        default: buildDefault(getDeps),
      },
      logger: {
        info: (...a: unknown[]) => logger.info(String(a[0]), { detail: a.slice(1) }),
        warn: (...a: unknown[]) => logger.warn(String(a[0]), { detail: a.slice(1) }),
        error: (...a: unknown[]) => logger.error(String(a[0]), { detail: a.slice(1) }),
      },
    });
    progress(`API listening on ${gateway.httpUrl} (GET /v1/health answers 503 until the stack is ready)`);
    // The database client closes after the gateway, whose close still runs `$disconnect` handlers.
    cleanups.push(() => holder.deps?.db.doc.destroy());
    cleanups.push(() => gateway.close());

    const config: RuntimeConfig = RuntimeConfigSchema.parse({
      tableName,
      region: 'us-east-1',
      dynamoEndpoint,
      adminKeySha256,
      localMode: true,
      adminTenant: ADMIN_TENANT,
      websocketUrl: gateway.wsUrl,
      secrets: { kind: 'file', dir: secretsDir },
      webhookSchemes: ['http', 'https'],
      authCacheSeconds: 0,
      connectorToken: randomBytes(24).toString('base64url'),
      callbacks: {
        port: opts.callbackPort ?? ((opts.httpPort ?? 3000) === 0 ? 0 : (opts.httpPort ?? 3000) + 2),
        host: '127.0.0.1',
        ...(opts.callbackPublicUrl ? { publicUrl: opts.callbackPublicUrl } : {}),
      },
    });
    const deps = createDeps(config, {
      logger: createLogger('cti-bridge', opts.logLevel),
      ...(opts.now ? { now: opts.now } : {}),
    });
    holder.deps = deps;
    progress('creating the table');
    await ensureTable(deps.db);
    await deps.repos.tenants.ensure(ADMIN_TENANT, new Date());

    let simulator: RunningSimulator | undefined;
    if (opts.simulator) {
      progress('starting the PBX simulator and its links');
      const simOpts = typeof opts.simulator === 'object' ? opts.simulator : {};
      simulator = await startSimulator({
        host: opts.host ?? '127.0.0.1',
        ...simOpts,
        // A kept log outlives this run: the simulator's ids start where an earlier run's never reached.
        core: { ...(dataDir ? { idBase: simulatorIdBase() } : {}), ...simOpts.core },
      });
      cleanups.push(() => simulator!.stop());
      await ensureLinks(deps, simulatorLinkSeeds(simulator, DEFAULT_DIRECTORY), simulator.credentials[0]!);
    }

    let connector: Connector | undefined;
    let delivery: Delivery | undefined;
    if (opts.connector !== false) {
      progress('starting the connector (vendor sessions and delivery)');
      const connectorOpts = typeof opts.connector === 'object' ? opts.connector : {};
      const owned = connectorOpts.owned ?? new OwnedLinks();
      const subscriptionViews =
        connectorOpts.subscriptionViews ?? new LinkSubscriptionViews(deps.repos.subscriptions);
      const d = (delivery = startDelivery({
        deps,
        subscriptionViews,
        owns: owned.owns,
        managementEndpoint: gateway.managementEndpoint,
        apiUrl: gateway.httpUrl,
        allowLoopbackWebhooks: true,
        // DynamoDB Local pays per request: a batch's WebSocket segments go in transactions here.
        channelLogWrites: 'transaction',
        // A channel's sequencer changes hands on the same time scale as the links (lease takeover).
        ...(connectorOpts.leaseMs ? { sequencerLeaseMs: connectorOpts.leaseMs } : {}),
        ...opts.delivery,
      }));
      cleanups.push(() => d.stop());
      connector = await startConnector({
        deps,
        drivers: await defaultDrivers(),
        commandToken: config.connectorToken!,
        ...connectorOpts,
        owned,
        subscriptionViews,
        onEvent: async (e) => {
          await d.onEvent(e);
          await connectorOpts.onEvent?.(e);
        },
        onLinkOwned: async (t, l) => {
          await d.linkOwned(t, l);
          await connectorOpts.onLinkOwned?.(t, l);
        },
        onSubscriptionsChanged: (t, l) => {
          d.subscriptionsChanged(t, l);
          connectorOpts.onSubscriptionsChanged?.(t, l);
        },
        onChannelAttention: (t, c) => {
          d.channelAttention(t, c);
          connectorOpts.onChannelAttention?.(t, c);
        },
        latestSuccesses: (t, c) => d.latestSuccesses(t, c),
      });
      cleanups.push(() => connector!.stop());
    }
    ready = true;

    return {
      httpUrl: gateway.httpUrl,
      wsUrl: gateway.wsUrl,
      callbackUrl: connector?.callbackUrl,
      managementEndpoint: gateway.managementEndpoint,
      adminKey,
      adminTenant: ADMIN_TENANT,
      tableName,
      dynamoEndpoint,
      deps,
      gateway,
      connector,
      delivery,
      simulator,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The health answer while the stack is still starting: 503, and try again in a second. */
function starting() {
  return Promise.resolve(
    new Problem(
      503,
      'Service Unavailable',
      'the local stack is starting (its links and connector are not up yet); try again in a second',
      { headers: { 'retry-after': '1' } },
    ).response(),
  );
}

/**
 * Creates the seeded links in the tenant `default` (or re-points existing ones at the seed's endpoint
 * and options), stores `credential` as each link's secret and keeps the seeded sessions. The local stack
 * calls it for its own simulator at every start; the delivery benchmark for the simulator it runs in a
 * process of its own.
 */
export async function ensureLinks(
  deps: Deps,
  seeds: readonly SimulatorLinkSeed[],
  credential: { username: string; password: string },
): Promise<void> {
  const now = new Date();
  for (const { id, vendor, endpoint, options, sessions = [] } of seeds) {
    const existing = await deps.repos.links.get(ADMIN_TENANT, id);
    if (existing) await deps.repos.links.update(ADMIN_TENANT, id, { endpoint, options }, now);
    else await deps.repos.links.create({ tenant: ADMIN_TENANT, id, vendor, endpoint, options }, now);
    await deps.secrets.put(ADMIN_TENANT, id, credential);
    for (const seed of sessions) await ensureSession(deps, id, seed, now);
  }
}

/**
 * Keeps one session of a seed user on a simulator link: a new one (credentials first, as the API does)
 * unless the user has a live one that is not `failed` or `ended`. The connector logs it in once the link
 * is up. Sessions last the longest TTL the API allows; each start renews the seed.
 */
async function ensureSession(deps: Deps, link: string, seed: SimSessionSeed, now: Date): Promise<void> {
  const live = await deps.repos.sessions.liveOfUser(ADMIN_TENANT, link, seed.user, now);
  if (live.some((s) => s.state === 'active' || s.state === 'logging-in')) return;
  const id = newSessionId();
  await sessionSecrets(deps.secrets).put(ADMIN_TENANT, id, seed.credentials);
  await deps.repos.sessions.create(
    {
      id,
      tenant: ADMIN_TENANT,
      link,
      user: seed.user,
      ttlSeconds: TTL.session.max,
      options: seed.options ?? {},
    },
    now,
  );
}
