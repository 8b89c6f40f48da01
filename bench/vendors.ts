/**
 * `npm run bench -- --only vendors`: what a link of each vendor reaches with acknowledgement after the
 * segment write (docs/delivery.md, "Acknowledgement after the segment write, per vendor").
 *
 * The PBX runs in a process of its own (bench/simulator-process.ts, every front-end). The links are those
 * `npm start` makes to its simulator (each front-end's `localLinks`), created one at a time in this
 * process's local stack, so that a link has the connector and DynamoDB Local to itself. Per link and
 * subscription shape (`system`, and `per-user` for one subscription per directory user where the vendor
 * has user targets): the subscriptions on one disabled channel (the vendor side alone: nothing is
 * delivered), then `loadMs` of calls at `eventsPerSec` (the delivery benchmark's load generator: 3 call
 * events per call), then a drain until every call event is logged or nothing was logged for `idleMs`.
 *
 * A call event of a directory user is matched to the event its link logged by the calling number (unique
 * per call) and the event type: every vendor names calls its own way, but all report the caller.
 *
 * @example
 * const rows = await vendorsBench({ eventsPerSec: 2000, loadMs: 6000, drainMs: 30000, idleMs: 5000 });
 * for (const line of vendorsTable(rows)) console.log(line);
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ensureLinks, startStack, type LocalStack } from '../local/stack.js';
import type { BridgeEvent } from '../shared/events/model.js';
import { manifestOf } from '../vendors/index.js';
import type { SimulatorLinkSeed } from '../simulator/index.js';
import { benchDirectory } from './directory.js';
import { PhaseProfiler } from './cpu-profile.js';
import { Helper, adminApi, cpuMs, now, pct, sleep, type ClockOffset } from './helper.js';
import type { FromSimulator, LoadResult, SimStats, ToSimulator } from './simulator-process.js';

export interface VendorRow {
  link: string;
  vendor: string;
  shape: 'system' | 'per-user';
  /** Subscriptions the link holds at the vendor for the shape. */
  subscriptions: number;
  /** Why the phase did not run (a subscription the vendor refused, a link that did not come up). */
  skipped?: string;
  /** Vendor call events offered per second of load (directory users' legs). */
  offered: number;
  /** The link's matched call events logged per second during the load. */
  loggedPerSec: number;
  /** Call events matched / offered at the end of the drain. */
  matched: number;
  expected: number;
  /** Other events the link logged in the phase (vendor extras, e.g. `call.updated`). */
  otherLogged: number;
  /** Call events logged that matched no call event of the phase (a second copy of one, or a stray). */
  unmatched: number;
  /** Seconds after the load until the last call event was logged. */
  tailSec: number;
  /** Emission at the simulator -> logged and handed to delivery, ms. */
  p50: number;
  p99: number;
  eventsPerSegment: number;
  /** Connector process CPU per logged event (load and drain), µs. */
  cpuUsPerEvent: number;
  /** Connector and simulator process CPU over load and drain, % of one core. */
  cpuConnector: number;
  cpuSimulator: number;
  /** Event loop delay of the connector process during the load, p99 ms. */
  loopP99: number;
}

/** The calling number's last 7 digits (unique per call, `+1666` and a 7-digit counter) and the type. */
const callKey = (caller: string, type: string) => `${caller.replace(/\D/g, '').slice(-7)}|${type}`;

export async function vendorsBench(opts: {
  eventsPerSec: number;
  loadMs: number;
  drainMs: number;
  idleMs: number;
  /** Only these links (default: every link to the simulator). */
  links?: string[];
  /** Writes a CPU profile of this process per link and shape (load and drain) into this folder. */
  cpuProfileDir?: string;
  log?: (s: string) => void;
}): Promise<VendorRow[]> {
  const log = opts.log ?? (() => undefined);
  const directory = benchDirectory();
  const users = directory.users;
  let simp: Helper<ToSimulator, FromSimulator> | undefined;
  let stack: LocalStack | undefined;

  /** The phase's stamps by call key: emission time on this process's clock. */
  let stamps = new Map<string, number>();
  /** Logged call events of the phase's link that came before their stamp, by call key. */
  let early = new Map<string, number>();
  let link = '';
  let measuring = false;
  let lat: number[] = [];
  let matched = 0;
  let other = 0;
  /** Call events logged again after their stamp was matched. */
  let duplicates = 0;
  /** Call keys already matched in this phase. */
  let done = new Set<string>();
  let lastLoggedAt = 0;
  let simOffset: ClockOffset = { offsetMs: 0, rttMs: 0 };

  const onLogged = (e: BridgeEvent) => {
    if (!measuring || e.link !== link) return;
    lastLoggedAt = performance.now();
    const remote = (e.data as { call?: { remote?: { address?: string } } }).call?.remote?.address;
    if (!e.type.startsWith('call.') || !remote) {
      other++;
      return;
    }
    const key = callKey(remote, e.type);
    const t = stamps.get(key);
    if (t === undefined) {
      if (done.has(key) || early.has(key)) duplicates++;
      else early.set(key, now());
      return;
    }
    stamps.delete(key);
    done.add(key);
    matched++;
    lat.push(now() - t);
  };

  try {
    // The links to list: a simulator with every front-end, stopped again at once. Each vendor is then
    // measured against a simulator running its front-end alone (`BENCH_SIM_VENDORS`): a front-end nobody
    // connects to still translates every call, on the cores the measured link shares.
    const all0 = await Helper.start<ToSimulator, FromSimulator>('simulator', './simulator-process.ts');
    const listed = all0.ready.links;
    await all0.helper.stop();
    const wanted = listed.filter((l) => !opts.links || opts.links.includes(l.id));
    for (const l of opts.links ?? [])
      if (!wanted.some((x) => x.id === l))
        throw new Error(`--links: no link "${l}" (${listed.map((x) => x.id).join(', ')})`);
    let s!: Helper<ToSimulator, FromSimulator>;
    const onStamps = (m: FromSimulator) => {
      if (m.op !== 'stamps' || !measuring) return;
      for (const [legKey, , emittedAt, caller] of m.s) {
        const key = callKey(caller, legKey.slice(legKey.indexOf('|') + 1));
        const t = emittedAt - simOffset.offsetMs;
        const at = early.get(key);
        if (at !== undefined) {
          early.delete(key);
          done.add(key);
          matched++;
          lat.push(at - t);
        } else stamps.set(key, t);
      }
    };
    /** A simulator process with only `vendor`'s front-end; its links and credentials. */
    const simulatorFor = async (vendor: string) => {
      await simp?.stop();
      const started = await Helper.start<ToSimulator, FromSimulator>('simulator', './simulator-process.ts', {
        env: { BENCH_SIM_VENDORS: vendor },
      });
      simp = s = started.helper;
      s.onMessage = onStamps;
      simOffset = await s.clock();
      return started.ready;
    };
    stack = await startStack({
      httpPort: 0,
      wsPort: 0,
      dataDir: 'memory',
      simulator: false,
      logLevel: 'SILENT',
      connector: { reconcileMs: 500, onEvent: onLogged },
    });
    const st = stack;
    const api = adminApi(st);
    const until = async (what: string, ok: () => Promise<boolean>, ms: number) => {
      const end = performance.now() + ms;
      while (!(await ok())) {
        if (performance.now() > end) throw new Error(`${what} not within ${ms / 1000} s`);
        await sleep(100);
      }
    };
    const simStats = () => s.request<SimStats>({ op: 'stats' });
    /** Every item of a paged listing. */
    const all = async (path: string) => {
      const items: any[] = [];
      let cursor: string | null = null;
      do {
        const page = await api(
          'GET',
          `${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };

    const rows: VendorRow[] = [];
    for (const vendor of new Set(wanted.map((l) => l.vendor))) {
      const pbx = await simulatorFor(vendor);
      for (const seed of pbx.links.filter((l) => wanted.some((w) => w.id === l.id)))
        await measureLink(seed, pbx.credentials[0]!);
    }
    return rows;

    async function measureLink(seed: SimulatorLinkSeed, credential: { username: string; password: string }) {
      // (a manifest without `targets` delivers every target type)
      const targets = manifestOf(seed.vendor)?.targets ?? ['system', 'user'];
      const shapes = (['system', 'per-user'] as const).filter((sh) =>
        targets.includes(sh === 'system' ? 'system' : 'user'),
      );
      // Each phase has a link of its own: a backlog the vendor still holds for the last one (Aspect
      // sends callbacks one at a time) goes with that link's connection, not into the next phase.
      for (const shape of shapes) {
        await ensureLinks(st.deps, [seed], credential);
        try {
          await until(
            'the link up',
            async () => (await api('GET', `/v1/links/${seed.id}`)).status === 'up',
            30_000,
          );
          // A link whose users log in one by one (CAP-C) is up when each of its sessions is.
          if (seed.sessions?.length)
            await until(
              "the link's sessions active",
              async () =>
                (await all('/v1/sessions')).filter((x) => x.link === seed.id && x.state === 'active')
                  .length >= seed.sessions!.length,
              60_000,
            );
          rows.push(await phase(seed, shape));
        } finally {
          await api('DELETE', `/v1/links/${seed.id}`);
          // the connector closes the link's vendor connection at its next reconcile
          await until('the link closed', async () => !st.connector!.runner('default', seed.id), 30_000);
        }
      }
    }

    async function phase(seed: SimulatorLinkSeed, shape: 'system' | 'per-user'): Promise<VendorRow> {
      const base = { link: seed.id, vendor: seed.vendor, shape };
      const ch = await api('POST', '/v1/channels', { type: 'webhook', url: 'http://127.0.0.1:9/unused' });
      // A user as the link knows them (by extension: each vendor names users its own way).
      // (a vendor without a user listing, e.g. CAP, knows them by the directory's ids)
      const known = shape === 'system' ? [] : await all(`/v1/links/${seed.id}/users`).catch((): any[] => []);
      const idOf = (u: { userId: string; extension: string }) =>
        (known.find((k) => k.extension === u.extension)?.id as string | undefined) ?? u.userId;
      const targets =
        shape === 'system' ? [{ type: 'system' }] : users.map((u) => ({ type: 'user', id: idOf(u) }));
      const subs: string[] = [];
      try {
        for (let i = 0; i < targets.length; i += 25)
          await Promise.all(
            targets.slice(i, i + 25).map(async (target) => {
              const sb = await api('POST', '/v1/subscriptions', {
                channel: ch.id,
                link: seed.id,
                target,
                events: ['call'],
              });
              subs.push(sb.id);
            }),
          );
        await st.deps.repos.channels.disable('default', ch.id, 'benchmark: vendor side only', new Date());
        // In force when every subscription is active; a refusal is the phase's result.
        let refused: string | undefined;
        await until(
          'the subscriptions active',
          async () => {
            const states = await Promise.all(subs.map((id) => api('GET', `/v1/subscriptions/${id}`)));
            const failed = states.find((x) => x.state === 'failed');
            if (failed) refused = `subscription refused: ${failed.stateReason}`;
            return refused !== undefined || states.every((x) => x.state === 'active');
          },
          30_000,
        );
        if (refused) return { ...base, ...empty(subs.length), skipped: refused };
        await sleep(1000);

        link = seed.id;
        stamps = new Map();
        early = new Map();
        lat = [];
        matched = 0;
        other = 0;
        duplicates = 0;
        done = new Set();
        const loopDelay = monitorEventLoopDelay({ resolution: 10 });
        const profiler = opts.cpuProfileDir ? await PhaseProfiler.start(opts.cpuProfileDir) : undefined;
        if (opts.cpuProfileDir) await s.request({ op: 'profile', dir: opts.cpuProfileDir });
        const log0 = { ...st.connector!.log.stats };
        const cpu0 = process.cpuUsage();
        const sim0 = await simStats();
        const t0 = performance.now();
        measuring = true;
        loopDelay.enable();
        const load = await s.request<LoadResult>({
          op: 'load',
          phase: 1,
          eventsPerSec: opts.eventsPerSec,
          ms: opts.loadMs,
        });
        loopDelay.disable();
        const loadEnd = performance.now();
        const loggedInLoad = matched;
        const expected = load.vendorEvents;
        // Drain: every call event logged, nothing logged for idleMs, or drainMs.
        while (matched < expected && performance.now() - loadEnd < opts.drainMs) {
          await sleep(100);
          if (performance.now() - Math.max(lastLoggedAt, loadEnd) > opts.idleMs) break;
        }
        measuring = false;
        const cpu = cpuMs(process.cpuUsage(cpu0));
        if (profiler) {
          log(`  CPU profile: ${await profiler.stop(`vendors-${seed.id}-${shape}`)}`);
          const name = `vendors-${seed.id}-${shape}-simulator`;
          log(`  CPU profile: ${(await s.request<{ file: string }>({ op: 'profile', name })).file}`);
        }
        const sim1 = await simStats();
        const wallMs = performance.now() - t0;
        const log1 = st.connector!.log.stats;
        const loadSec = load.loadMs / 1000;
        const row: VendorRow = {
          ...base,
          subscriptions: subs.length,
          offered: Math.round(expected / loadSec),
          loggedPerSec: Math.round(loggedInLoad / ((loadEnd - t0) / 1000)),
          matched,
          expected,
          otherLogged: other,
          unmatched: early.size + duplicates,
          tailSec: Math.max(0, (lastLoggedAt - loadEnd) / 1000),
          p50: pct(lat, 50),
          p99: pct(lat, 99),
          eventsPerSegment: (log1.events - log0.events) / Math.max(1, log1.segments - log0.segments),
          cpuUsPerEvent: (cpu * 1000) / Math.max(1, matched + other),
          cpuConnector: Math.round((100 * cpu) / wallMs),
          cpuSimulator: Math.round((100 * (cpuMs(sim1.cpu) - cpuMs(sim0.cpu))) / wallMs),
          loopP99: loopDelay.percentile(99) / 1e6,
        };
        log(
          `  ${seed.id} (${seed.vendor}), ${shape}: ${load.calls} calls, ${matched} / ${expected} call events logged ` +
            `(${other} other events, ${row.unmatched} unmatched), p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms` +
            (load.skipped ? `; ${load.skipped} calls skipped (all agents busy)` : '') +
            (load.missed ? `; ${load.missed} calls missed (the simulator's event loop stalled)` : ''),
        );
        return row;
      } finally {
        measuring = false;
        link = '';
        await api('DELETE', `/v1/channels/${ch.id}`); // its subscriptions go with it
      }
    }
  } finally {
    await simp?.stop();
    await stack?.stop();
  }
}

function empty(subscriptions: number): Omit<VendorRow, 'link' | 'vendor' | 'shape'> {
  return {
    subscriptions,
    offered: 0,
    loggedPerSec: 0,
    matched: 0,
    expected: 0,
    otherLogged: 0,
    unmatched: 0,
    tailSec: 0,
    p50: NaN,
    p99: NaN,
    eventsPerSegment: NaN,
    cpuUsPerEvent: NaN,
    cpuConnector: 0,
    cpuSimulator: 0,
    loopP99: NaN,
  };
}

const f = (v: number, d = 1) =>
  Number.isNaN(v) ? '–' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(d);

/** The figures as a markdown table (docs/performance.md). */
export function vendorsTable(rows: VendorRow[]): string[] {
  return [
    '| link (vendor) | subscriptions | call events offered/s | logged/s during the load | logged / offered | other events / unmatched | last logged after the load, s | emission → log p50 / p99 ms | events / segment | connector CPU µs / event | CPU % connector / simulator | connector event loop p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      r.skipped
        ? `| ${r.link} (${r.vendor}) | ${r.subscriptions} ${r.shape} | – | – | – | – | – | ${r.skipped} | – | – | – | – |`
        : `| ${r.link} (${r.vendor}) | ${r.subscriptions} ${r.shape} | ${f(r.offered)} | ${f(r.loggedPerSec)} | ${r.matched.toLocaleString('en-US')} / ${r.expected.toLocaleString('en-US')} | ${r.otherLogged} / ${r.unmatched} | ${f(r.tailSec)} | ${f(r.p50)} / ${f(r.p99)} | ${f(r.eventsPerSegment)} | ${f(r.cpuUsPerEvent, 0)} | ${r.cpuConnector} / ${r.cpuSimulator} | ${f(r.loopP99)} |`,
    ),
  ];
}
