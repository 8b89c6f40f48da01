/**
 * The benchmarks' helper processes (bench/receivers.ts, bench/simulator-process.ts): forked the way this
 * process runs, request/reply over IPC, and the clocks and CPU figures the benchmarks share.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { EventDraft } from '../shared/events/model.js';
import { startStack, type LocalStack } from '../local/stack.js';

/** CPU time of a `process.cpuUsage()` reading, ms. */
export const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `p`th percentile of `xs` (NaN when empty). */
export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/**
 * Requests to a local stack's HTTP API with its admin key: the parsed JSON answer, or an error naming the
 * request, its status and body.
 *
 * @example
 * const api = adminApi(stack);
 * const ch = await api('POST', '/v1/channels', { type: 'websocket' });
 */
export function adminApi(stack: { httpUrl: string; adminKey: string }) {
  const auth = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Busy CPU time of the whole machine, ms (all cores; `/proc/stat`, Linux only, else NaN). */
export function machineCpuMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'latin1')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait; USER_HZ is 100
    return (f.slice(0, 8).reduce((a, b) => a + b, 0) - f[3]! - f[4]!) * 10;
  } catch {
    return NaN;
  }
}

/** The clock every process stamps with (ms since the epoch, sub-ms resolution). */
export const now = () => performance.timeOrigin + performance.now();

/** A helper process's clock offset to the connector process (ms) and the IPC round trip it was measured on. */
export interface ClockOffset {
  offsetMs: number;
  rttMs: number;
}

/** A request to a helper process, without its id. */
export type Request<M> = M extends { id: number } ? Omit<M, 'id'> : never;
type Reply = { op: 'reply'; id: number; error?: string };

/**
 * A forked helper process (bench/receivers.ts, bench/simulator-process.ts): request/reply over IPC, other
 * messages to `onMessage`. It is killed if this process exits while it runs.
 */
export class Helper<To extends { op: string }, From extends { op: string }> {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private exited = false;
  private onReady: (m: Extract<From, { op: 'ready' }>) => void = () => undefined;
  /** Messages other than `ready` and replies. */
  onMessage: (m: From) => void = () => undefined;
  private readonly killNow = () => this.kill();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (m: From) => {
      if (m.op === 'reply') {
        const r = m as unknown as Reply;
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        if (r.error) p?.reject(new Error(`${name}: ${r.error}`));
        else p?.resolve(r);
      } else if (m.op === 'ready') this.onReady(m as Extract<From, { op: 'ready' }>);
      else this.onMessage(m);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      process.off('exit', this.killNow);
      for (const p of this.pending.values())
        p.reject(new Error(`${name} process exited (${code ?? signal})`));
      this.pending.clear();
    });
    process.on('exit', this.killNow);
  }

  /** Fork `file` (next to this one) the way this process runs, and wait for its `ready` message. */
  static async start<To extends { op: string }, From extends { op: string }>(
    name: string,
    file: string,
    { timeoutMs = 30_000, env }: { timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<{ helper: Helper<To, From>; ready: Extract<From, { op: 'ready' }> }> {
    // Run the TypeScript child the way this process runs (tsx's loader in execArgv under `npm run bench`).
    // The heap limit is the measured connector process's (`npm run bench`), not the simulator's or the
    // receivers': a long run's simulator keeps every call it placed.
    const own = process.execArgv.filter((a) => !a.startsWith('--max-old-space-size'));
    const execArgv = own.some((a) => a.includes('tsx')) ? own : [...own, '--import', 'tsx'];
    const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
      execArgv,
      ...(env ? { env: { ...process.env, ...env } } : {}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const helper = new Helper<To, From>(name, child);
    try {
      const ready = await new Promise<Extract<From, { op: 'ready' }>>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} process not ready in ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        helper.onReady = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`${name} process exited (${code ?? signal}) before it was ready`));
        });
      });
      return { helper, ready };
    } catch (err) {
      helper.kill();
      throw err;
    }
  }

  request<T = any>(m: Request<To>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} process gone`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...m, id });
    });
  }

  /** Clock offset (helper - here) from the IPC ping with the smallest round trip. */
  async clock(samples = 40): Promise<ClockOffset> {
    let best = { offsetMs: 0, rttMs: Infinity };
    for (let i = 0; i < samples; i++) {
      const t1 = now();
      const { t } = await this.request<{ t: number }>({ op: 'clock' } as Request<To>);
      const t2 = now();
      if (t2 - t1 < best.rttMs) best = { offsetMs: t - (t1 + t2) / 2, rttMs: t2 - t1 };
    }
    return best;
  }

  kill(): void {
    if (!this.exited && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGKILL');
  }

  /** Ask the process to exit; killed after 5 s. */
  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    const timer = setTimeout(() => this.kill(), 5000);
    try {
      this.child.send({ op: 'exit' });
    } catch {
      this.kill();
    }
    await gone;
    clearTimeout(timer);
  }
}

/**
 * A call event as a BroadWorks `system` subscription's copy (tagged with its target: docs/delivery.md),
 * for the benches that write the log themselves.
 */
export function systemCallDraft(
  correlationId: string,
  type: 'call.received' | 'call.updated',
  remoteAddress = '1',
): EventDraft {
  return {
    type,
    target: { type: 'system' },
    data: {
      call: {
        id: correlationId,
        correlationId,
        state: type === 'call.received' ? 'alerting' : 'active',
        direction: 'inbound',
        local: { user: 'u' },
        remote: { address: remoteAddress },
        startedAt: new Date().toISOString(),
      },
    },
    vendor: {
      name: 'broadworks-cti',
      event: type === 'call.received' ? 'CallReceivedEvent' : 'CallUpdatedEvent',
    },
  };
}

/**
 * The local stack the benches that write the log themselves run against: free ports, DynamoDB Local in
 * memory, no connector (nothing reaches a vendor), quiet logs.
 */
export function quietStack(): Promise<LocalStack> {
  return startStack({ httpPort: 0, wsPort: 0, dataDir: 'memory', logLevel: 'SILENT', connector: false });
}
