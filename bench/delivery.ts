/**
 * Delivery benchmark (`npm run bench`, docs/performance.md "Delivery benchmark").
 *
 * The connector process (this one): the local stack (gateway, Lambda handlers, connector, delivery) and the
 * PBX simulator with a directory of 100 agents, driven through `simulator.core` (external numbers call the
 * agents: dial, answer after 20 ms, release after 40 ms; 3 vendor events per call). The simulator's
 * BroadWorks front-end turns them into vendor frames to the connector's driver; events go through the event
 * log and delivery to N channels, half WebSocket clients on the local gateway, half webhook receivers on
 * loopback. DynamoDB Local is a separate Java process.
 *
 * The clients run in a forked process (bench/receivers.ts) and report receipts over IPC in batches, so
 * their CPU is not taken from the process under measurement. Both processes stamp with wall-clock
 * high-resolution time (`performance.timeOrigin + performance.now()`): here when the simulator core emits
 * the change, there when the client has the whole frame/request. Latency = receipt - emission, matched by
 * call leg id and event type. The floor is a raw loopback WebSocket between the same two processes.
 *
 * Each phase has a subscription shape:
 *   - `per-user`: channel i subscribes to `{type:'user', id: agent (i mod 100)}`, events ['call'];
 *     an event reaches channels/100 channels (1 with 100 channels, 10 with 1,000);
 *   - `system`: every channel subscribes to `{type:'system'}`, every event reaches every channel.
 * A phase with 0 channels is the vendor side alone: one disabled channel keeps the link subscribed (same
 * vendor subscriptions as the shape), nothing is delivered.
 *
 * A phase: create the channels and subscriptions through the API, open the clients, wait until the
 * simulator holds exactly the phase's vendor subscriptions and the process is quiet; offer calls for
 * `loadMs` (round robin over the agents, a batch per 10 ms tick; an agent with a call still up is
 * skipped, so every call is 3 vendor events); drain until every expected delivery arrived, nothing was
 * received or logged for `idleMs`, or `drainMs`. Expected = sum over the phase's vendor events of the
 * channels subscribed to the event's user. The phase's vendor events are then all logged (so that none
 * meets the next phase's subscriptions) and the channels deleted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { startStack, SIM_LINK, type LocalStack } from '../local/stack.js';
import { defaultDirectory, type SeedDirectory, type SimulatorOptions } from '../simulator/index.js';
import type { BridgeEvent } from '../shared/events/model.js';
import type { FromReceivers, Receipt, ToReceivers } from './receivers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The clock both processes stamp with (ms since the epoch, sub-ms resolution). */
const now = () => performance.timeOrigin + performance.now();

export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export type Shape = 'per-user' | 'system';

export interface PhaseSpec {
  channels: number;
  shape: Shape;
  /** Offered vendor events per second (3 per call). */
  eventsPerSec: number;
}

/** Default phases: vendor side alone, then the shapes of the target (docs/performance.md). */
export const DEFAULT_PHASES: PhaseSpec[] = [
  { channels: 0, shape: 'per-user', eventsPerSec: 2000 },
  { channels: 1, shape: 'system', eventsPerSec: 2000 },
  { channels: 100, shape: 'per-user', eventsPerSec: 2000 },
  { channels: 1000, shape: 'per-user', eventsPerSec: 1000 },
  { channels: 100, shape: 'system', eventsPerSec: 100 },
];

/** `channels:shape@events/s`, comma-separated, e.g. `0:per-user@2000,100:per-user@2000,100:system@100`. */
export function parsePhases(spec: string): PhaseSpec[] {
  return spec.split(',').map((part) => {
    const m = /^\s*(\d+)\s*:\s*(per-user|system)\s*@\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new Error(`bad phase "${part}": expected channels:per-user|system@events-per-second`);
    if (!(Number(m[3]) > 0)) throw new Error(`bad phase "${part}": the offered rate must be above 0`);
    return { channels: Number(m[1]), shape: m[2] as Shape, eventsPerSec: Number(m[3]) };
  });
}

/** Agents of the benchmark directory. */
export const BENCH_USERS = 100;

/** The benchmark's directory: 100 agent users (agent001@sim.example, extensions 5001-5100), no queues. */
export function benchDirectory(): SeedDirectory {
  const base = defaultDirectory();
  return {
    ...base,
    users: Array.from({ length: BENCH_USERS }, (_, i) => {
      const n = String(i + 1).padStart(3, '0');
      const extension = String(5001 + i);
      return {
        userId: `agent${n}@${base.domain}`,
        extension,
        name: `Agent ${n}`,
        phone: `+1555000${extension}`,
      };
    }),
    queues: [],
    routePoints: [],
  };
}

export interface Row {
  shape: Shape;
  channels: number;
  /** Deliveries per vendor event (average over the directory). */
  fanOut: number;
  /** Configured offered rate, vendor events/s. */
  target: number;
  /** Vendor events actually offered per second of load. */
  offered: number;
  /** Vendor events of subscribed-to users emitted during the phase (what expected is built from). */
  vendorEvents: number;
  loggedPerSec: number;
  deliveredPerSec: number;
  deliveries: number;
  /** Sum over the phase's vendor events of the channels subscribed to the event's user. */
  expected: number;
  p50: number;
  p95: number;
  p99: number;
  /** Peak RSS of the connector process (stack, connector, delivery, simulator) during load and drain. */
  rssMiB: number;
  /** Frames/requests whose (receiver, event id) a receiver had already seen (should be 0). */
  duplicates: number;
  /** CPU of the connector process and of the receivers process, % of one core, load + drain. */
  cpuConnector: number;
  cpuReceivers: number;
  /** Calls not placed because every agent still had a call (keeps 3 events per call). */
  skippedCalls: number;
  /** Calls not placed because this process's event loop stalled the load generator. */
  missedCalls: number;
  /** Simulator operations refused (answer/release of a leg that was gone). */
  errors: number;
  /** Seconds the drain took (bounded). */
  drainSec: number;
}

export interface Floor {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

export interface DeliveryResult {
  floor: Floor;
  /** Estimated clock offset receivers - connector process (ms) and the IPC round trip it was measured on. */
  clock: { offsetMs: number; rttMs: number };
  rows: Row[];
  receiversRssMiB: number;
}

// ---------------------------------------------------------------------------------------------------
// The receivers process

/** A request to the receivers process, without its id. */
type Request = ToReceivers extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

class Receivers {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private exited = false;
  onReceipts: (r: Receipt[]) => void = () => undefined;
  onDup: (d: Extract<FromReceivers, { op: 'dup' }>) => void = () => undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly hookPort: number,
  ) {
    child.on('message', (m: FromReceivers) => {
      if (m.op === 'receipts') this.onReceipts(m.r);
      else if (m.op === 'dup') this.onDup(m);
      else if (m.op === 'reply') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p?.reject(new Error(`receivers: ${m.error}`));
        else p?.resolve(m);
      }
    });
    child.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`receivers process exited (${code})`));
      this.pending.clear();
    });
  }

  static async start(): Promise<Receivers> {
    // Run the TypeScript child the way this process runs (tsx's loader in execArgv under `npm run bench`).
    const execArgv = process.execArgv.some((a) => a.includes('tsx'))
      ? process.execArgv
      : [...process.execArgv, '--import', 'tsx'];
    const child = fork(fileURLToPath(new URL('./receivers.ts', import.meta.url)), [], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const hookPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('receivers process not ready in 20 s')), 20_000);
      child.once('message', (m: FromReceivers) => {
        clearTimeout(timer);
        if (m.op === 'ready') resolve(m.hookPort);
        else reject(new Error(`receivers: unexpected first message ${m.op}`));
      });
      child.once('exit', (code) => reject(new Error(`receivers process exited (${code})`)));
    });
    return new Receivers(child, hookPort);
  }

  request<T = any>(m: Request): Promise<T> {
    if (this.exited) return Promise.reject(new Error('receivers process gone'));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...m, id } as ToReceivers);
    });
  }

  /** Clock offset (receivers - here) from the IPC ping with the smallest round trip. */
  async clock(samples = 40): Promise<{ offsetMs: number; rttMs: number }> {
    let best = { offsetMs: 0, rttMs: Infinity };
    for (let i = 0; i < samples; i++) {
      const t1 = now();
      const { t } = await this.request<{ t: number }>({ op: 'clock' });
      const t2 = now();
      if (t2 - t1 < best.rttMs) best = { offsetMs: t - (t1 + t2) / 2, rttMs: t2 - t1 };
    }
    return best;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ op: 'exit' } satisfies ToReceivers);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}

/** Raw loopback WebSocket from this process (server) to the receivers process (client). */
async function rawFloor(rx: Receivers, n = 3000, rate = 2000): Promise<Floor> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const conn = new Promise<import('ws').WebSocket>((r) =>
    wss.once('connection', (s) => s.once('message', () => r(s))),
  );
  const result = rx.request<{ lat: number[] }>({ op: 'floor', url: `ws://127.0.0.1:${port}`, n });
  const server = await conn;
  const body = 'x'.repeat(600); // about the size of a call event frame
  const perTick = Math.max(1, Math.round(rate / 100));
  for (let i = 0; i < n; i++) {
    server.send(JSON.stringify({ t: now(), i, body }));
    if (i % perTick === perTick - 1) await sleep(10);
  }
  const { lat } = await result;
  wss.close();
  return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), n: lat.length };
}

// ---------------------------------------------------------------------------------------------------

export async function deliveryBench(opts: {
  phases: PhaseSpec[];
  /** Offered load per phase, ms. */
  loadMs: number;
  /** Longest drain after the load, ms. */
  drainMs: number;
  /** The drain stops when nothing arrived for this long, ms. */
  idleMs?: number;
  log?: (s: string) => void;
}): Promise<DeliveryResult> {
  const log = opts.log ?? (() => undefined);
  const idleMs = opts.idleMs ?? 5000;
  const directory = benchDirectory();
  const users = directory.users;
  const userIndex = new Map(users.map((u, i) => [u.userId, i]));

  let logged = 0;
  let lastLoggedAt = 0;
  let onLogged: (e: BridgeEvent) => void = () => undefined;
  // The BroadWorks front-end's window of events sent before their eventResponse (default 1).
  const broadworks: NonNullable<SimulatorOptions['broadworks']> & { maxEventsInFlight?: number } = {
    maxEventsInFlight: 64,
  };
  const rx = await Receivers.start();
  let stack: LocalStack | undefined;
  try {
    stack = await startStack({
      httpPort: 0,
      wsPort: 0,
      dataDir: 'memory',
      simulator: { directory, broadworks },
      logLevel: 'SILENT',
      connector: {
        reconcileMs: 500,
        onEvent: (e: BridgeEvent) => {
          logged++;
          lastLoggedAt = performance.now();
          onLogged(e);
        },
      },
      delivery: { resumeHoldMs: 500 },
    });
    const st = stack;
    const sim = st.simulator!;
    const core = sim.core;
    const auth = { authorization: `Bearer ${st.adminKey}`, 'content-type': 'application/json' };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${st.httpUrl}${path}`, {
        method,
        headers: auth,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as any) : undefined;
    };

    // --- per-phase measurement state, fed by the simulator core and by the receivers' batches
    let phaseNo = 0;
    let measuring = false;
    let stamps = new Map<string, number>();
    /** Channels subscribed to each user's events in the current phase. */
    let fanOut: number[] = new Array<number>(users.length).fill(0);
    let vendorEvents = 0;
    let expected = 0;
    let lat: number[] = [];
    let received = 0;
    let unmatched = 0;
    let duplicates = 0;
    let lastReceiptAt = 0; // local clock, any receipt of the phase
    let lastMatchedAt = 0; // receipt clock of the last matched receipt
    core.on((e) => {
      if (!measuring) return;
      if (e.type !== 'leg.received' && e.type !== 'leg.answered' && e.type !== 'leg.released') return;
      if (!e.leg.userId) return; // the external caller's leg: no subscribed user
      const u = userIndex.get(e.leg.userId);
      if (u === undefined) return;
      stamps.set(`${e.leg.id}|call.${e.type.slice(4)}`, now());
      vendorEvents++;
      expected += fanOut[u]!;
    });
    /** Emission -> logged and handed to delivery, for the phase's call events (where the time goes). */
    let logLat: number[] = [];
    onLogged = (e) => {
      const id = (e.data as { call?: { id?: string } }).call?.id;
      const t = id === undefined ? undefined : stamps.get(`${id}|${e.type}`);
      if (t !== undefined) logLat.push(now() - t);
    };
    /** Duplicates by receiver kind, and the first few for the log. */
    let dupWs = 0;
    let dupHook = 0;
    let nWsPhase = 0;
    let dupRequests: Extract<FromReceivers, { op: 'dup' }>[] = [];
    rx.onDup = (d) => {
      if (d.phase === phaseNo) dupRequests.push(d);
    };
    rx.onReceipts = (batch) => {
      for (const [phase, receiver, , type, callId, at, dup] of batch) {
        if (phase !== phaseNo) continue;
        lastReceiptAt = performance.now();
        if (dup) {
          duplicates++;
          if (receiver < nWsPhase) dupWs++;
          else dupHook++;
          continue;
        }
        const t = stamps.get(`${callId}|${type}`);
        if (t === undefined) {
          unmatched++;
          continue;
        }
        received++;
        lat.push(at - t);
        if (at > lastMatchedAt) lastMatchedAt = at;
      }
    };

    // --- helpers
    /** The simulator's BroadWorks subscriptions, as `User:id` / `System:` keys. */
    const simSubs = () =>
      new Set(sim.broadworks.snapshot().subscriptions.map((s) => `${s.targetIdType}:${s.targetId ?? ''}`));
    const waitFor = async (what: string, pred: () => boolean, ms: number) => {
      const end = performance.now() + ms;
      while (!pred()) {
        if (performance.now() > end) {
          log(`  (gave up waiting for ${what} after ${ms} ms)`);
          return false;
        }
        await sleep(50);
      }
      return true;
    };
    /**
     * Quiet: nothing logged, nothing received and this process below 15 % of a core for `quietMs`
     * (backlogs of the previous phase drained), at most `maxMs`.
     */
    const waitQuiet = async (maxMs: number, quietMs = 1000) => {
      const end = performance.now() + maxMs;
      for (;;) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await sleep(quietMs);
        const c = process.cpuUsage(c0);
        const cpu = (c.user + c.system) / 1000 / (performance.now() - t0);
        const idle = performance.now() - Math.max(lastLoggedAt, lastReceiptAt) >= quietMs;
        if (idle && cpu < 0.15) return;
        if (performance.now() > end) {
          log(`  (not quiet after ${maxMs / 1000} s: ${Math.round(cpu * 100)} % CPU; starting anyway)`);
          return;
        }
      }
    };
    /** Until `done()`, the `deadline`, or `progress()` standing still for `idle` ms. */
    const until = async (done: () => boolean, deadline: number, progress: () => number, idle: number) => {
      let last = progress();
      let lastChange = performance.now();
      while (!done() && performance.now() < deadline) {
        await sleep(100);
        const p = progress();
        if (p !== last) {
          last = p;
          lastChange = performance.now();
        } else if (performance.now() - lastChange > idle) return;
      }
    };
    const inBatches = async <T>(items: T[], size: number, fn: (x: T) => Promise<void>) => {
      for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
    };

    // --- floor and clock, before any load
    const clock = await rx.clock();
    const floor = await rawFloor(rx);
    log(
      `  floor p50 ${floor.p50.toFixed(3)} ms; clock offset receivers-connector ${clock.offsetMs.toFixed(3)} ms (IPC rtt ${clock.rttMs.toFixed(3)} ms)`,
    );

    // --- phases
    const rows: Row[] = [];
    let caller = 0;
    let nextUser = 0;
    const busy = new Set<number>();
    for (const phase of opts.phases) {
      phaseNo++;
      const n = phase.channels;
      const t00 = performance.now();
      // Channels and subscriptions. Receiver i: WebSocket for i < n/2, webhook after.
      const nWs = Math.ceil(n / 2);
      nWsPhase = nWs;
      fanOut = new Array<number>(users.length).fill(0);
      if (phase.shape === 'system') fanOut.fill(n);
      else for (let i = 0; i < n; i++) fanOut[i % users.length]!++;
      const subUsers =
        phase.shape === 'per-user' ? users.slice(0, n === 0 ? users.length : Math.min(n, users.length)) : [];
      const chans: { id: string; subs: string[]; ws?: string; secret?: string }[] = [];
      if (n === 0) {
        // Vendor side alone: one disabled channel holds the phase's subscriptions.
        const ch = await api('POST', '/v1/channels', { type: 'websocket' });
        const subs: string[] = [];
        const targets = phase.shape === 'system' ? [{ type: 'system' }] : subUsers.map((u) => userTarget(u));
        await inBatches(targets, 25, async (target) => {
          subs.push((await api('POST', '/v1/subscriptions', sub(ch.id, target))).id);
        });
        await st.deps.repos.channels.disable('default', ch.id, 'benchmark: vendor side only', new Date());
        chans.push({ id: ch.id, subs });
      } else {
        const idx = Array.from({ length: n }, (_, i) => i);
        const made = new Array<(typeof chans)[number]>(n);
        await inBatches(idx, 25, async (i) => {
          const ch =
            i < nWs
              ? await api('POST', '/v1/channels', { type: 'websocket' })
              : await api('POST', '/v1/channels', {
                  type: 'webhook',
                  url: `http://127.0.0.1:${rx.hookPort}/p${phaseNo}/h/${i}`,
                });
          const target = phase.shape === 'system' ? { type: 'system' } : userTarget(users[i % users.length]!);
          const s = await api('POST', '/v1/subscriptions', sub(ch.id, target));
          made[i] = {
            id: ch.id,
            subs: [s.id],
            ...(ch.type === 'websocket' ? { ws: ch.url as string } : { secret: ch.secret as string }),
          };
        });
        chans.push(...made);
        await rx.request({
          op: 'open',
          phase: phaseNo,
          ws: chans.flatMap((c, i) => (c.ws ? [{ rx: i, url: c.ws }] : [])),
        });
      }
      // The vendor subscriptions of exactly this phase are in place at the simulator, the gateway
      // connections are noticed by delivery (1 s cache), and the previous phase's work is over.
      const want =
        phase.shape === 'system' ? new Set(['System:']) : new Set(subUsers.map((u) => `User:${u.userId}`));
      await waitFor(
        'the vendor subscriptions',
        () => {
          const have = simSubs();
          return have.size === want.size && [...want].every((k) => have.has(k));
        },
        20_000,
      );
      await sleep(1500);
      await waitQuiet(30_000);
      const setupSec = (performance.now() - t00) / 1000;

      // Measured load: calls spread over the 100 agents, batched per 10 ms tick.
      stamps = new Map();
      lat = [];
      logLat = [];
      received = 0;
      unmatched = 0;
      duplicates = 0;
      dupWs = 0;
      dupHook = 0;
      dupRequests = [];
      vendorEvents = 0;
      expected = 0;
      lastMatchedAt = 0;
      let errors = 0;
      let skipped = 0;
      let missed = 0;
      let calls = 0;
      let rss = process.memoryUsage().rss;
      const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const cpu0 = process.cpuUsage();
      const rxCpu0 = (await rx.request<{ cpu: NodeJS.CpuUsage }>({ op: 'flush' })).cpu;
      const logged0 = logged;
      const callsPerSec = phase.eventsPerSec / 3;
      const tickMs = 10;
      const followUps: Promise<void>[] = [];
      measuring = true;
      const t0 = performance.now();
      const tw0 = now();
      let nextTick = t0;
      for (;;) {
        const elapsed = performance.now() - t0;
        if (elapsed >= opts.loadMs) break;
        // Calls due by now (one at t0). After a stall of this process's event loop, at most 100 ms worth
        // are placed at once; the rest are counted as missed, not made up in a burst.
        let k = Math.floor((elapsed / 1000) * callsPerSec) + 1 - calls - skipped - missed;
        const most = Math.max(1, Math.ceil(callsPerSec / 10));
        if (k > most) {
          missed += k - most;
          k = most;
        }
        const batch: { leg: string; user: number }[] = [];
        for (let j = 0; j < k; j++) {
          let u = -1;
          for (let probe = 0; probe < users.length; probe++) {
            const c = (nextUser + probe) % users.length;
            if (!busy.has(c)) {
              u = c;
              break;
            }
          }
          if (u < 0) {
            skipped++;
            continue;
          }
          nextUser = (u + 1) % users.length;
          try {
            const orig = core.dial(
              `+1666${String(1_000_000 + (caller++ % 9_000_000)).slice(-7)}`,
              users[u]!.userId,
            );
            if (!orig.peerLegId) {
              errors++;
              continue;
            }
            busy.add(u);
            batch.push({ leg: orig.peerLegId, user: u });
            calls++;
          } catch {
            errors++;
          }
        }
        if (batch.length) {
          followUps.push(
            (async () => {
              await sleep(20);
              for (const c of batch)
                try {
                  core.answer(c.leg);
                } catch {
                  errors++;
                }
              await sleep(20);
              for (const c of batch) {
                try {
                  core.release(c.leg);
                } catch {
                  errors++;
                }
                busy.delete(c.user);
              }
            })(),
          );
        }
        nextTick += tickMs;
        await sleep(Math.max(0, nextTick - performance.now()));
      }
      const loadEnd = performance.now();
      loopDelay.disable();
      const loadSec = (loadEnd - t0) / 1000;
      await Promise.all(followUps); // every call released: the phase's vendor events are all emitted
      measuring = false;
      const loggedDuringLoad = logged - logged0;

      // Drain (bounded): until every expected delivery arrived, nothing was received or logged for idleMs,
      // or drainMs.
      const drainStart = performance.now();
      if (n > 0)
        await until(
          () => received >= expected,
          drainStart + opts.drainMs,
          () => received + logged,
          idleMs,
        );
      const drainSec = (performance.now() - drainStart) / 1000;
      const flushed = await rx.request<{ cpu: NodeJS.CpuUsage }>({ op: 'flush' });
      await sleep(20); // the flushed batch is handled before the reply: IPC keeps order
      clearInterval(rssTimer);
      rss = Math.max(rss, process.memoryUsage().rss);
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      const rxCpuMs = (flushed.cpu.user + flushed.cpu.system - rxCpu0.user - rxCpu0.system) / 1000;
      const deliveredSec = Math.max(loadSec, (lastMatchedAt - tw0) / 1000);
      const row: Row = {
        shape: phase.shape,
        channels: n,
        fanOut: fanOut.reduce((a, b) => a + b, 0) / users.length,
        target: phase.eventsPerSec,
        offered: Math.round((calls * 3) / loadSec),
        vendorEvents,
        loggedPerSec: Math.round(loggedDuringLoad / loadSec),
        deliveredPerSec: n > 0 ? Math.round(received / deliveredSec) : 0,
        deliveries: received,
        expected,
        p50: pct(lat, 50),
        p95: pct(lat, 95),
        p99: pct(lat, 99),
        rssMiB: Math.round(rss / 2 ** 20),
        duplicates,
        cpuConnector: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
        cpuReceivers: Math.round((rxCpuMs / wallMs) * 100),
        skippedCalls: skipped,
        missedCalls: missed,
        errors,
        drainSec,
      };
      rows.push(row);
      // The vendor side's backlog of this phase goes into the log before the subscriptions go: logged
      // later, its events would meet the next phase's subscriptions.
      const tailStart = performance.now();
      await until(
        () => logLat.length >= vendorEvents,
        tailStart + 60_000,
        () => logged,
        idleMs,
      );
      const tailSec = (performance.now() - tailStart) / 1000;
      log(
        `  phase ${phaseNo} (${n} × ${phase.shape} @ ${phase.eventsPerSec}/s): setup ${setupSec.toFixed(1)} s, ` +
          `${calls} calls, ${vendorEvents} vendor events, ${received} / ${expected} delivered, ` +
          `${unmatched} unmatched receipts, drain ${drainSec.toFixed(1)} s; ` +
          `emission -> log p50 ${ms(pct(logLat, 50))} ms p99 ${ms(pct(logLat, 99))} ms ` +
          `(${logLat.length} events, ${tailSec.toFixed(1)} s after the drain); ` +
          `event loop delay during load p99 ${ms(loopDelay.percentile(99) / 1e6)} ms max ${ms(loopDelay.max / 1e6)} ms` +
          (skipped ? `; ${skipped} calls skipped (all agents busy)` : '') +
          (missed ? `; ${missed} calls missed (load generator stalled by the event loop)` : '') +
          (errors ? `; ${errors} simulator operations refused` : ''),
      );
      if (duplicates) {
        // Who sent the first duplicate webhook requests: the receiver's own channel (its secret verifies
        // the signature; a resend) or another channel (delivered to the wrong URL)?
        const who = dupRequests.map((d) => {
          const ev = JSON.parse(d.body) as { id: string; type: string };
          const signedBy = chans.findIndex(
            (c) => c.secret && d.signature.split(' ').includes(sign(c.secret, ev.id, d.timestamp, d.body)),
          );
          return `receiver ${d.rx} got ${ev.id} ${ev.type} again, signed by ${signedBy === d.rx ? 'its own channel' : signedBy < 0 ? 'no channel of the phase' : `channel ${signedBy}`}`;
        });
        log(
          `    duplicates: ${dupWs} WebSocket, ${dupHook} webhook${who.length ? `; ${who.join('; ')}` : ''}`,
        );
      }

      // Tear the phase down; the next one starts once its own subscriptions are the only ones.
      if (n > 0) await rx.request({ op: 'close', phase: phaseNo });
      await inBatches(chans, 25, async (c) => {
        for (const s of c.subs) await api('DELETE', `/v1/subscriptions/${s}`);
        await api('DELETE', `/v1/channels/${c.id}`);
      });
    }
    const last = await rx.request<{ rssMiB: number }>({ op: 'flush' });
    return { floor, clock, rows, receiversRssMiB: last.rssMiB };
  } finally {
    await rx.stop();
    await stack?.stop();
  }
}

/** Standard Webhooks signature (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), to check who sent a request. */
const sign = (secret: string, id: string, timestamp: string, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64')}`;

const userTarget = (u: { userId: string }) => ({ type: 'user', id: u.userId });
const sub = (channel: string, target: { type: string; id?: string }) => ({
  channel,
  link: SIM_LINK,
  target,
  events: ['call'],
});

// ---------------------------------------------------------------------------------------------------
// Output

const ms = (v: number) => (Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const num = (v: number) => v.toLocaleString('en-US');
const trim = (v: number) => String(Number(v.toFixed(2)));
const times = (q: number) => (Number.isNaN(q) ? '–' : `${q >= 10 ? num(Math.round(q)) : q.toFixed(1)}×`);

/** The delivery table (markdown), with the floor and notes above it. */
export function deliveryTable(r: DeliveryResult): string[] {
  const out = [
    `raw loopback WebSocket floor (connector process -> receivers process, ${r.floor.n} msgs): p50 ${r.floor.p50.toFixed(3)} ms  p95 ${r.floor.p95.toFixed(3)} ms  p99 ${r.floor.p99.toFixed(3)} ms`,
    `clock offset receivers - connector process: ${r.clock.offsetMs.toFixed(3)} ms (IPC round trip ${r.clock.rttMs.toFixed(3)} ms)`,
    '',
    '| phase | channels | fan-out | vendor events offered/s | into the log/s (during load) | deliveries received/s | delivered / expected (drain) | p50 ms | p95 ms | p99 ms | p50 / floor | connector RSS MiB | duplicates | CPU % connector / receivers |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const x of r.rows) {
    const phase = x.channels === 0 ? `vendor side only (${x.shape} subs)` : x.shape;
    const offered =
      Math.abs(x.offered - x.target) > 0.05 * x.target
        ? `${num(x.offered)} (of ${num(x.target)})`
        : num(x.offered);
    const ratio = x.channels ? times(x.p50 / r.floor.p50) : '–';
    out.push(
      `| ${phase} | ${num(x.channels)} | ${trim(x.fanOut)} | ${offered} | ${num(x.loggedPerSec)} | ${x.channels ? num(x.deliveredPerSec) : '–'} | ${num(x.deliveries)} / ${num(x.expected)} (${x.drainSec.toFixed(0)} s) | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.p99)} | ${ratio} | ${x.rssMiB} | ${x.duplicates} | ${x.cpuConnector} / ${x.cpuReceivers} |`,
    );
  }
  out.push(
    '',
    `connector RSS = peak RSS, during the phase, of the process running the gateway, handlers, connector, delivery ` +
      `and the simulator (memory taken in earlier phases is not given back); receivers process RSS at the end: ` +
      `${r.receiversRssMiB} MiB; DynamoDB Local is a separate Java process.`,
  );
  // The target: >= 2,000 vendor events/s sustained into 100 channels (per-user: one delivery per event),
  // p99 <= 50 ms, p50 <= 10x the floor, connector RSS <= 300 MB.
  const t = r.rows.find((x) => x.channels === 100 && x.shape === 'per-user');
  if (t) {
    const yes = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const perSec = t.deliveredPerSec / (t.fanOut || 1);
    const all = t.deliveries === t.expected;
    const mb = (t.rssMiB * 2 ** 20) / 1e6;
    out.push(
      `target, 100 per-user channels at ${num(t.target)} events/s offered: ` +
        `${num(Math.round(perSec))} events/s delivered${all ? '' : ` (${num(t.deliveries)} of ${num(t.expected)} within the drain)`} ` +
        `-> ${yes(t.offered >= 0.98 * 2000 && perSec >= 0.98 * 2000 && all)} (>= 2,000); ` +
        `p99 ${ms(t.p99)} ms -> ${yes(t.p99 <= 50)} (<= 50); ` +
        `p50 ${times(t.p50 / r.floor.p50)} the floor -> ${yes(t.p50 <= 10 * r.floor.p50)} (<= 10×); ` +
        `RSS ${Math.round(mb)} MB -> ${yes(mb <= 300)} (<= 300).`,
    );
  }
  return out;
}
