/**
 * `npm start`: the whole local stack in the foreground. Settings by environment (docs/configuration.md):
 * BRIDGE_HTTP_PORT (3000), BRIDGE_WS_PORT (3001), BRIDGE_ADMIN_KEY (generated), BRIDGE_DATA_DIR
 * (./.bridge-data, or `memory`). Port 0 picks a free port; the real one is printed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { localInfoPath, type LocalStackInfo } from '../cli/config.js';
import { DEFAULT_DIRECTORY } from '../simulator/directory.js';
import { simulatorVendors } from '../simulator/vendors.js';
import { VENDOR_IDS } from '../vendors/index.js';
import { ensureConsoleBuilt } from './console-build.js';
import { startStack } from './stack.js';

// Node 20 is supported here; the SDK's notice about its future Node 22 floor is noise for a local run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number 0..65535 (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

/**
 * Front-end ports: SIM_PORTS as `vendor=port,...` wins; otherwise consecutive ports from the HTTP port
 * + 11 in vendor registration order, each vendor taking as many as its front-end listens on (3011
 * BroadWorks CTI, 3012 MTCTI-3, 3013 CAP-C, 3014 CCC2, 3015 IP Office CTI WebServices, 3016 Aspect CTIPS),
 * or free ports when the HTTP port is 0.
 */
async function simulatorPorts(base: number): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  let next = base;
  for (const v of await simulatorVendors()) {
    ports[v.id] = base === 0 ? 0 : next;
    next += v.ports ?? 1;
  }
  for (const kv of (process.env.SIM_PORTS ?? '').split(',').filter(Boolean)) {
    const [id, raw] = kv.split('=');
    if (!id || !(VENDOR_IDS as readonly string[]).includes(id.trim())) {
      console.error(`SIM_PORTS: unknown vendor "${id}" (known: ${VENDOR_IDS.join(', ')})`);
      process.exit(2);
    }
    process.env.SIM_PORT_VALUE = raw;
    ports[id.trim()] = port('SIM_PORT_VALUE', 0);
  }
  return ports;
}

const started = Date.now();
// The console page is served from console/dist: built here on a fresh checkout or after a change.
await ensureConsoleBuilt(() => console.log('cti-bridge: building the console page...')).catch(
  (err: unknown) =>
    console.error(
      `cti-bridge: the console page could not be built (${(err as Error).message}); the API works without it`,
    ),
);
const httpPort = port('BRIDGE_HTTP_PORT', 3000);
// Simulator ports follow the HTTP port (3000 → 3010/3011/3012; 0 → free ports) unless set explicitly.
const simBase = (offset: number) => (httpPort === 0 ? 0 : httpPort + offset);
const stack = await startStack({
  httpPort,
  wsPort: port('BRIDGE_WS_PORT', 3001),
  adminKey: process.env.BRIDGE_ADMIN_KEY || undefined,
  dataDir: process.env.BRIDGE_DATA_DIR || './.bridge-data',
  dynamoOwnProcessGroup: true,
  progress: (step) => console.log(`cti-bridge: ${step}...`),
  logLevel: process.env.BRIDGE_LOG_LEVEL ?? 'WARN',
  simulator: {
    controlPort: port('SIM_CONTROL_PORT', simBase(10)),
    ports: await simulatorPorts(simBase(11)),
  },
}).catch((err: unknown) => {
  console.error(`cti-bridge: failed to start: ${(err as Error).message}`);
  process.exit(1);
});

// For the `cti-bridge` CLI on this machine: where this stack listens and its admin key (owner-only file,
// next to the link credentials; removed on a clean stop).
const infoFile = localInfoPath();
if (infoFile) {
  const info: LocalStackInfo = {
    httpUrl: stack.httpUrl,
    wsUrl: stack.wsUrl,
    adminKey: stack.adminKey,
    simulatorUrl: stack.simulator!.controlUrl,
  };
  writeFileSync(infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
}

const generated = !process.env.BRIDGE_ADMIN_KEY;
console.log(
  [
    '',
    `cti-bridge local stack is ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  HTTP API:   ${stack.httpUrl}        (try: curl ${stack.httpUrl}/v1/health)`,
    `  Console:    ${stack.httpUrl}/console/   (sign in with the admin key below)`,
    `  WebSocket:  ${stack.wsUrl}`,
    `  Callbacks:  ${stack.callbackUrl ?? '(none)'}   (vendors that call back, e.g. Aspect CTIPS, reach the connector here)`,
    `  Admin key:  ${stack.adminKey}${generated ? '   (generated; set BRIDGE_ADMIN_KEY to keep one)' : ''}`,
    `  Tenant:     the admin key also acts on tenant "${stack.adminTenant}"`,
    `  Simulator:  control API ${stack.simulator!.controlUrl}`,
    `  CLI:        npx cti-bridge listen --user alice@sim.example   (then: npx cti-bridge trigger inbound-call)`,
    ...stack.simulator!.frontEnds.map(
      (r) =>
        `              ${r.vendor.label} ${r.url}: link ${r.vendor
          .localLinks(r, DEFAULT_DIRECTORY, stack.simulator!.credentials)
          .map((l) => `"${l.id}"`)
          .join(', ')} in tenant "default"`,
    ),
    `              users alice..erin@sim.example (extensions 1001..1005)`,
    `  Data:       ${process.env.BRIDGE_DATA_DIR === 'memory' ? 'in memory' : process.env.BRIDGE_DATA_DIR || './.bridge-data'}`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  try {
    if (infoFile) rmSync(infoFile, { force: true });
    await stack.stop();
  } catch (err) {
    console.error(`cti-bridge: stopping failed: ${(err as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
