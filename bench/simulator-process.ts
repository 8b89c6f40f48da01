/**
 * The delivery benchmark's PBX (bench/delivery.ts), in a process of its own, as a real PBX would be: the
 * simulator (core, BroadWorks CTI front-end rendering events and reading eventResponses, MTCTI-3
 * front-end, control API) with the benchmark's 100-agent directory, and the load generator driving its
 * core. The process under measurement then runs only what the product runs.
 *
 * Started with `child_process.fork` (IPC channel). The simulator listens on free loopback ports; the
 * parent creates the BroadWorks link to the port this process reports. On `load`, calls are offered
 * exactly as the benchmark always did (external numbers call the agents round robin, a batch per 10 ms
 * tick, answer after 20 ms, release after 40 ms; an agent with a call still up is skipped, so every call
 * is 3 vendor events; after a stall of this process's event loop at most 100 ms worth of calls are placed
 * at once, the rest counted as missed). Each call event of a directory user is stamped when the core
 * emits it, with wall-clock high-resolution time (`performance.timeOrigin + performance.now()`, the clock
 * the other processes stamp with), and the stamps go to the parent in batches; the reply to `load` comes
 * after the last call is released and the last batch is sent (IPC keeps order).
 *
 * Parent -> child:  {op:'load', id, phase, eventsPerSec, ms}  {op:'subs', id}  {op:'stats', id, reset?}
 *                   {op:'profile', id, dir?, name?}  {op:'clock', id}  {op:'exit'}
 * Child -> parent:  {op:'ready', broadworksPort, credentials, links}  {op:'reply', id, ...}
 *                   {op:'stamps', phase, s:[key, user, emittedAtMs, caller][]}   key = `${legId}|call.${kind}`
 */
import type { BroadWorksCtiFrontEnd } from '../vendors/broadworks-cti/simulator/index.js';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  simulatorLinkSeeds,
  startSimulator,
  type RunningFrontEnd,
  type SimulatorLinkSeed,
} from '../simulator/index.js';
import { PhaseProfiler } from './cpu-profile.js';
import { benchDirectory } from './directory.js';

/**
 * A call event of a directory user: `${legId}|call.received|answered|released`, user index, emitted at,
 * and the calling number (unique per call: the key of a vendor whose call ids are not the simulator's).
 */
export type Stamp = [key: string, user: number, at: number, caller: string];

export type ToSimulator =
  | { op: 'load'; id: number; phase: number; eventsPerSec: number; ms: number }
  | { op: 'subs'; id: number }
  | { op: 'stats'; id: number; reset?: boolean }
  | { op: 'clock'; id: number }
  /** `dir`: start a CPU profile of this process (`--cpu-prof`); `name`: stop it and write `<dir>/<name>.cpuprofile`. */
  | { op: 'profile'; id: number; dir?: string; name?: string }
  | { op: 'exit' };

export type FromSimulator =
  | {
      op: 'ready';
      broadworksPort: number;
      credentials: { username: string; password: string }[];
      /** The links to every front-end of this simulator, for the benchmark's directory. */
      links: SimulatorLinkSeed[];
    }
  | { op: 'reply'; id: number; error?: string; [k: string]: unknown }
  | { op: 'stamps'; phase: number; s: Stamp[] };

/** The reply to `load`. */
export interface LoadResult {
  calls: number;
  /** Calls not placed because every agent still had a call. */
  skipped: number;
  /** Calls not placed because this process's event loop stalled the load generator. */
  missed: number;
  /** Simulator operations refused (answer/release of a leg that was gone). */
  errors: number;
  /** Call events of directory users emitted (= stamps sent) during the load. */
  vendorEvents: number;
  /** Length of the load, ms (without the follow-ups of the last batch). */
  loadMs: number;
  /** Wall-clock start of the load, this process's clock. */
  startedAt: number;
  /** This process's event loop delay during the load, ms. */
  loopP99: number;
  loopMax: number;
}

/** The reply to `stats`: CPU since start, RSS now and its peak since the last reset. */
export interface SimStats {
  cpu: NodeJS.CpuUsage;
  rssMiB: number;
  peakRssMiB: number;
  /**
   * The most events the BroadWorks front-end held back at once, waiting for room in the window of
   * unanswered events (sampled every 5 ms): how far the connector's acknowledgements fell behind.
   */
  peakQueued: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BATCH_MS = 50;
const BATCH_MAX = 2000;

function send(m: FromSimulator): void {
  process.send!(m);
}

const directory = benchDirectory();
const users = directory.users;
const userIndex = new Map(users.map((u, i) => [u.userId, i]));
const sim = await startSimulator({
  host: '127.0.0.1',
  directory,
  // The BroadWorks front-end's window of events sent before their eventResponse (the simulator's
  // default is 1; the bench's 64 unless `--vendor-window` says otherwise).
  frontEnds: { 'broadworks-cti': { maxEventsInFlight: Number(process.env.BENCH_VENDOR_WINDOW || 64) } },
  // Only the vendors a benchmark measures (`BENCH_SIM_VENDORS`, comma-separated; default every one): a
  // front-end nobody connects to still translates every core change, on the CPU the measured link shares.
  ...(process.env.BENCH_SIM_VENDORS ? { only: process.env.BENCH_SIM_VENDORS.split(',') } : {}),
});
const core = sim.core;

// --- stamps, batched to the parent
let measuring = false;
let phase = 0;
let vendorEvents = 0;
let buffer: Stamp[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!buffer.length) return;
  send({ op: 'stamps', phase, s: buffer });
  buffer = [];
}

core.on((e) => {
  if (!measuring) return;
  if (e.type !== 'leg.received' && e.type !== 'leg.answered' && e.type !== 'leg.released') return;
  if (!e.leg.userId) return; // the external caller's leg: no subscribed user
  const u = userIndex.get(e.leg.userId);
  if (u === undefined) return;
  buffer.push([`${e.leg.id}|call.${e.type.slice(4)}`, u, now(), e.leg.remote.number]);
  vendorEvents++;
  if (buffer.length >= BATCH_MAX) flush();
  else timer ??= setTimeout(flush, BATCH_MS);
});

// --- peak RSS and peak queue of the BroadWorks front-end between two `stats` requests with `reset`
let peakRss = process.memoryUsage().rss;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250).unref();
let peakQueued = 0;
const broadworks = sim.frontEnds.find((r) => r.vendor.id === 'broadworks-cti') as
  RunningFrontEnd<BroadWorksCtiFrontEnd> | undefined;
if (broadworks)
  setInterval(() => (peakQueued = Math.max(peakQueued, broadworks.frontEnd.queuedEvents)), 5).unref();

// --- the load generator; its state carries over from phase to phase
let caller = 0;
let nextUser = 0;
const busy = new Set<number>();

async function load(p: number, eventsPerSec: number, loadMs: number): Promise<LoadResult> {
  phase = p;
  vendorEvents = 0;
  let errors = 0;
  let skipped = 0;
  let missed = 0;
  let calls = 0;
  const callsPerSec = eventsPerSec / 3;
  const tickMs = 10;
  const followUps: Promise<void>[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  measuring = true;
  const t0 = performance.now();
  const startedAt = now();
  let nextTick = t0;
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= loadMs) break;
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
  await Promise.all(followUps); // every call released: the phase's vendor events are all emitted
  measuring = false;
  flush();
  return {
    calls,
    skipped,
    missed,
    errors,
    vendorEvents,
    loadMs: loadEnd - t0,
    startedAt,
    loopP99: loopDelay.percentile(99) / 1e6,
    loopMax: loopDelay.max / 1e6,
  };
}

let exiting = false;
const exit = () => {
  if (exiting) return;
  exiting = true;
  measuring = false;
  flush();
  const bye = () => {
    process.disconnect?.();
    process.exit(0);
  };
  setTimeout(bye, 2000).unref();
  sim.stop().then(bye, bye);
};

let profiler: PhaseProfiler | undefined;
process.on('message', (m: ToSimulator) => {
  const reply = (body: object) => send({ op: 'reply', id: (m as { id: number }).id, ...body });
  const fail = (err: unknown) => reply({ error: (err as Error).message ?? String(err) });
  switch (m.op) {
    case 'load':
      if (measuring) return fail(new Error('a load is already running'));
      load(m.phase, m.eventsPerSec, m.ms).then(reply, fail);
      return;
    case 'subs':
      // The BroadWorks subscriptions, as `User:id` / `System:` keys.
      reply({
        subs: (broadworks?.frontEnd.snapshot().subscriptions ?? []).map(
          (s) => `${s.targetIdType}:${s.targetId ?? ''}`,
        ),
      });
      return;
    case 'stats': {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      const stats: SimStats = {
        cpu: process.cpuUsage(),
        rssMiB: Math.round(rss / 2 ** 20),
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        peakQueued,
      };
      if (m.reset) {
        peakRss = rss;
        peakQueued = 0;
      }
      reply(stats);
      return;
    }
    case 'clock':
      reply({ t: now() });
      return;
    case 'profile':
      if (m.dir)
        PhaseProfiler.start(m.dir).then((p) => {
          profiler = p;
          reply({});
        }, fail);
      else if (profiler && m.name) {
        const p = profiler;
        profiler = undefined;
        p.stop(m.name).then((file) => reply({ file }), fail);
      } else fail(new Error('no profile running'));
      return;
    case 'exit':
      exit();
      return;
  }
});
// The parent gone: nothing left to do.
process.on('disconnect', () => process.exit(0));

send({
  op: 'ready',
  broadworksPort: broadworks?.port ?? 0,
  credentials: sim.credentials,
  links: simulatorLinkSeeds(sim, directory),
});
