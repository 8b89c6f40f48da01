/**
 * `npm run bench`: prints the figures docs/performance.md records. Bounded loops on loopback only.
 *   - control API latency through the local gateway + Lambda handlers + DynamoDB Local
 *   - event log append rate (seq reservation + conditional put), and the write ceiling of DynamoDB Local
 *     itself on this machine (batch puts alone: what every figure below shares)
 *   - BroadWorks XML framing throughput
 *   - process memory
 *   - what a delivery process keeps of webhook channels that come and go (bench/churn.ts)
 *   - delivery with the simulator generating calls into 0 / 1 / 100 / 1000 channels, per-user and broadcast
 *     subscriptions; the simulator with its load generator and the clients each run in a process of their
 *     own (bench/delivery.ts, bench/simulator-process.ts, bench/receivers.ts)
 *
 * Flags (`npm run bench -- --only delivery --load-ms 3000`):
 *   --only <parts>     comma-separated: api, log, webhook, posts, framing, memory, churn, delivery, vendors
 *                      (default: all)
 *   --load-ms <ms>     offered load per delivery phase (default 6000)
 *   --drain-ms <ms>    longest drain after each delivery phase (default 30000)
 *   --idle-ms <ms>     a drain stops when nothing was received or logged for this long (default 5000)
 *   --ws-framing <f>   framing of the WebSocket channels, single or batch (default batch)
 *   --log-linger <ms>  the event log's linger under load (default: the connector's, 10; 0: off)
 *   --vendor-window <n> BroadWorks events the simulator sends before their eventResponse (default 64)
 *   --vendor-rate <n> call events offered per second to each vendor's link (`vendors`; default 2000)
 *   --links <ids>      the links `vendors` measures (default: every link to the simulator)
 *   --cpu-prof <dir>   CPU profiles of the connector and simulator processes per delivery or vendor phase (load and drain)
 *   --phases <spec>    delivery phases, `channels:per-user|system@events-per-second`, comma-separated
 *                      (default: DEFAULT_PHASES in bench/delivery.ts, printed by --help)
 */
// Node 20 is supported here; the SDK's notice about its future Node 22 floor is noise in the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { LocalStack } from '../local/stack.js';
import { EventLogWriter } from '../connector/event-log-writer.js';
import { XmlFramer } from '../shared/xml/framer.js';
import { startDelivery } from '../connector/delivery/index.js';
import { batchPut } from '../shared/db/batch.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_PHASES, deliveryBench, deliveryTable, formatPhases, parsePhases } from './delivery.js';
import { benchPosts } from './posts.js';
import { vendorsBench, vendorsTable } from './vendors.js';
import { churnBench } from './churn.js';
import { pct, quietStack, systemCallDraft } from './helper.js';

const PARTS = [
  'api',
  'log',
  'webhook',
  'posts',
  'framing',
  'memory',
  'churn',
  'delivery',
  'vendors',
] as const;
const USAGE =
  'usage: npm run bench -- [--only api,log,webhook,posts,framing,memory,churn,delivery,vendors]\n' +
  '                        [--load-ms 6000] [--drain-ms 30000] [--idle-ms 5000]\n' +
  `                        [--phases ${formatPhases(DEFAULT_PHASES)}] [--ws-framing batch|single]\n` +
  '                        [--log-linger <ms>] [--vendor-window <n>] [--cpu-prof <dir>]\n' +
  '                        [--vendor-rate 2000] [--links sim-broadworks,sim-mtcti3,...]';
function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
let parsed;
try {
  parsed = parseArgs({
    options: {
      only: { type: 'string' },
      'load-ms': { type: 'string', default: '6000' },
      'drain-ms': { type: 'string', default: '30000' },
      'idle-ms': { type: 'string', default: '5000' },
      phases: { type: 'string' },
      'ws-framing': { type: 'string', default: 'batch' },
      'log-linger': { type: 'string' },
      'vendor-window': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'vendor-rate': { type: 'string', default: '2000' },
      links: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  usage((err as Error).message);
}
const args = parsed.values;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = args.only ? args.only.split(',').map((p) => p.trim()) : [...PARTS];
for (const p of only) if (!(PARTS as readonly string[]).includes(p)) usage(`--only: unknown part "${p}"`);
const want = (p: (typeof PARTS)[number]) => only.includes(p);
const int = (name: string, v: string, unit = 'ms', min = 0) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    usage(`--${name}: expected a whole number of ${unit}${min ? ` (at least ${min})` : ''}, got "${v}"`);
  return n;
};
const loadMs = int('load-ms', args['load-ms']!);
// the simulator process reads it (forked with this environment)
const vendorWindow =
  args['vendor-window'] !== undefined ? int('vendor-window', args['vendor-window'], 'events') : 64;
// checked here, not when the vendor part starts after the others
const vendorRate = int('vendor-rate', args['vendor-rate']!, 'events per second', 1);
process.env.BENCH_VENDOR_WINDOW = String(vendorWindow);
const drainMs = int('drain-ms', args['drain-ms']!);
const idleMs = int('idle-ms', args['idle-ms']!);
const wsFraming = args['ws-framing'];
if (wsFraming !== 'single' && wsFraming !== 'batch')
  usage(`--ws-framing: expected single or batch, got "${wsFraming}"`);
let phases = DEFAULT_PHASES;
try {
  if (args.phases) phases = parsePhases(args.phases);
} catch (err) {
  usage((err as Error).message);
}

const fmt = (n: number) => n.toFixed(2);

async function timeRequests(n: number, fn: () => Promise<Response>) {
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`request failed: ${res.status}`);
    lat.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), rps: (n / total) * 1000 };
}

// The measured process (the local stack: gateway, handlers, connector, delivery) runs with the heap
// limit `npm run bench` gives it (160 MiB old space, sized for the 300 MB RSS target; the container gets
// half its task, lib/constructs/connector-service.ts), printed so that every figure says what it ran on.
const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, V8 heap limit ${heapLimitMiB} MiB`,
);
if (want('api') || want('log') || want('webhook')) {
  const stack = await quietStack();
  try {
    await stackParts(stack);
  } finally {
    await stack.stop();
  }
}

async function stackParts(stack: LocalStack) {
  const auth = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  // warm-up
  for (let i = 0; i < 50; i++) await (await fetch(`${stack.httpUrl}/v1/health`)).arrayBuffer();
  if (want('api')) {
    const health = await timeRequests(500, () => fetch(`${stack.httpUrl}/v1/health`));
    console.log(
      `GET /v1/health           p50 ${fmt(health.p50)} ms  p95 ${fmt(health.p95)} ms  p99 ${fmt(health.p99)} ms  ${health.rps.toFixed(0)} req/s`,
    );
    const create = await timeRequests(300, () =>
      fetch(`${stack.httpUrl}/v1/channels`, { method: 'POST', headers: auth, body: '{"type":"websocket"}' }),
    );
    console.log(
      `POST /v1/channels        p50 ${fmt(create.p50)} ms  p95 ${fmt(create.p95)} ms  p99 ${fmt(create.p99)} ms  ${create.rps.toFixed(0)} req/s`,
    );
    const list = await timeRequests(300, () =>
      fetch(`${stack.httpUrl}/v1/channels?limit=50`, { headers: auth }),
    );
    console.log(
      `GET /v1/channels (50)    p50 ${fmt(list.p50)} ms  p95 ${fmt(list.p95)} ms  p99 ${fmt(list.p99)} ms  ${list.rps.toFixed(0)} req/s`,
    );
  }
  if (want('log')) {
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await writer.write('default', 'bench', {
        type: 'service.dnd',
        target: { type: 'user', id: 'u' },
        data: { user: 'u', enabled: i % 2 === 0 },
        vendor: { name: 'broadworks-cti', event: 'DoNotDisturbEvent' },
      });
    }
    const ms = performance.now() - t0;
    console.log(
      `event log append         ${((n / ms) * 1000).toFixed(0)} events/s per link (sequential, ${fmt(ms / n)} ms each)`,
    );
    // The ceiling every stored event and delivery shares: items of an event's size, BatchWriteItem of 25,
    // 8 requests in flight, nothing else running.
    const items = 10_000;
    const json = 'x'.repeat(700);
    const w0 = performance.now();
    await batchPut(
      stack.deps.db,
      Array.from({ length: items }, (_, i) => ({
        pk: 'BENCH#ceiling',
        sk: String(i).padStart(16, '0'),
        type: 'bench',
        json,
      })),
      8,
    );
    const wms = performance.now() - w0;
    console.log(
      `DynamoDB Local writes    ${((items / wms) * 1000).toFixed(0)} items/s (BatchWriteItem of 25, 8 in flight, 700-byte items, nothing else running)`,
    );
    // One request's latency: the unit every step of the event path (log, deliveries, sequencer) pays.
    const one: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await stack.deps.db.doc.send(
        new UpdateCommand({
          TableName: stack.deps.db.table,
          Key: { pk: 'BENCH#latency', sk: 'COUNTER' },
          UpdateExpression: 'ADD #n :one',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      one.push(performance.now() - t);
    }
    const o = one.slice(50);
    console.log(
      `DynamoDB Local request   p50 ${fmt(pct(o, 50))} ms  p95 ${fmt(pct(o, 95))} ms  p99 ${fmt(pct(o, 99))} ms (one UpdateItem at a time)`,
    );
  }
  if (!want('webhook')) return;
  // Webhook delivery: events written through the log, delivered to a local receiver (end-to-end latency
  // = receipt time - event time; 20 calls so per-call ordering still allows parallel sends).
  const lat: number[] = [];
  const dn = 500;
  let received = 0;
  let allIn!: () => void;
  const done = new Promise<void>((r) => (allIn = r));
  const rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      lat.push(
        Date.now() - Date.parse((JSON.parse(Buffer.concat(chunks).toString()) as { time: string }).time),
      );
      res.writeHead(204).end();
      if (++received === dn) allIn();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  await fetch(`${stack.httpUrl}/v1/links`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      id: 'dlv',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    }),
  });
  const hook = (await (
    await fetch(`${stack.httpUrl}/v1/channels`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        type: 'webhook',
        url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`,
      }),
    })
  ).json()) as { id: string };
  await fetch(`${stack.httpUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ channel: hook.id, link: 'dlv', target: { type: 'system' }, events: ['call'] }),
  });
  const delivery = startDelivery({ deps: stack.deps, allowLoopbackWebhooks: true });
  const dw = new EventLogWriter(stack.deps, { ttlDays: 1 });
  dw.listen(delivery.onEvent);
  const d0 = performance.now();
  for (let i = 0; i < dn; i++) {
    const corr = `bench-${i % 20}`;
    await dw.write('default', 'dlv', systemCallDraft(corr, 'call.updated'));
  }
  await done;
  const dms = performance.now() - d0;
  console.log(
    `webhook delivery         ${((dn / dms) * 1000).toFixed(0)} events/s end-to-end (log + outbox + signed POST), latency p50 ${fmt(pct(lat, 50))} ms  p95 ${fmt(pct(lat, 95))} ms`,
  );
  await delivery.stop();
  rx.close();
}

if (want('posts')) {
  const { webhook, connections } = await benchPosts();
  const line = (c: { cpuMicros: number; requestsPerSecond: number }) =>
    `CPU ${c.cpuMicros.toFixed(0)} µs per request (sending side), ${c.requestsPerSecond.toFixed(0)} requests/s`;
  console.log(`webhook POST             ${line(webhook)}, 64 in flight, receiver in another process`);
  console.log(`@connections post        ${line(connections)}, SigV4-signed, 64 in flight`);
}
if (want('framing')) {
  const msg = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><xsp:Event xmlns:xsp="http://schema.broadsoft.com/xsp" xmlns:xsi1="http://www.w3.org/2001/XMLSchema-instance" xsi1:type="xsp:SubscriptionEvent"><xsp:eventID>a1b2</xsp:eventID><xsp:sequenceNumber>7</xsp:sequenceNumber><xsp:userId>alice@sim.example</xsp:userId><xsp:externalApplicationId>app</xsp:externalApplicationId><xsp:subscriptionId>s1</xsp:subscriptionId><xsp:channelId>c1</xsp:channelId><xsp:targetId>alice@sim.example</xsp:targetId><xsp:eventData xsi1:type="xsp:CallReceivedEvent"><xsp:call><xsp:callId>callhalf-1:0</xsp:callId><xsp:extTrackingId>1:1</xsp:extTrackingId><xsp:personality>Terminator</xsp:personality><xsp:state>Alerting</xsp:state></xsp:call></xsp:eventData></xsp:Event>\n',
  );
  const stream = Buffer.concat(Array.from({ length: 20_000 }, () => msg));
  const framer = new XmlFramer();
  const f0 = performance.now();
  let count = 0;
  for (let off = 0; off < stream.length; off += 1460)
    count += framer.push(stream.subarray(off, off + 1460)).messages.length;
  const fms = performance.now() - f0;
  console.log(
    `XML framing              ${((stream.length / 2 ** 20 / fms) * 1000).toFixed(1)} MiB/s, ${((count / fms) * 1000).toFixed(0)} msgs/s (1460-byte reads)`,
  );
}
if (want('memory')) {
  const mem = process.memoryUsage();
  console.log(
    `memory                   rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}

if (want('churn')) {
  const c = { rounds: 16, channels: 50, events: 10, forgetIdleMs: 1000, settleMs: 5000 };
  const r = await churnBench(c);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `channel churn            ${c.rounds} rounds of ${c.channels} webhook channels, each on 2 links served by 2 delivery services, ` +
      `${c.events} events per link, deleted after each round (forgetIdleMs ${c.forgetIdleMs}): ` +
      `${r.stillHeld} of ${c.rounds * c.channels} deleted channels still held ${c.settleMs / 1000} s after their deletion; ` +
      `heap ${r.heapAfterRound.map(mib).join(' ')} MiB after each round, ${r.perChannelKiB.toFixed(1)} KiB per deleted channel over the second half; ${r.posts} posts`,
  );
}

// Delivery with the simulator generating calls (bench/delivery.ts): per phase `loadMs` of offered vendor
// events, then a bounded drain; simulator and clients in processes of their own.
if (want('delivery')) {
  console.log(
    `\ndelivery benchmark (simulator process -> BroadWorks front-end -> driver -> log -> delivery -> clients process), ${loadMs / 1000} s of load per phase, WebSocket channels with ${wsFraming} framing, ` +
      `a BroadWorks window of ${vendorWindow} unanswered events`,
  );
  const result = await deliveryBench({
    phases,
    loadMs,
    drainMs,
    idleMs,
    wsFraming,
    ...(args['log-linger'] !== undefined ? { logLingerMs: int('log-linger', args['log-linger']) } : {}),
    ...(args['cpu-prof'] ? { cpuProfileDir: args['cpu-prof'] } : {}),
    log: (s) => console.log(s),
  });
  console.log('');
  for (const line of deliveryTable(result)) console.log(line);
}

// What each vendor's link reaches, the vendor side alone (bench/vendors.ts).
if (want('vendors')) {
  console.log(
    `\nvendor links (simulator process -> each front-end -> its driver -> log; the link alone, nothing delivered), ` +
      `${loadMs / 1000} s of load at ${vendorRate} call events/s`,
  );
  const rows = await vendorsBench({
    eventsPerSec: vendorRate,
    loadMs,
    drainMs,
    idleMs,
    ...(args.links ? { links: args.links.split(',').map((l) => l.trim()) } : {}),
    ...(args['cpu-prof'] ? { cpuProfileDir: args['cpu-prof'] } : {}),
    log: (s) => console.log(s),
  });
  console.log('');
  for (const line of vendorsTable(rows)) console.log(line);
}
