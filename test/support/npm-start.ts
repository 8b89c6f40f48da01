/**
 * `npm start` as a newcomer runs it, in its own process group (so SIGINT to the group is what Ctrl-C
 * does in a terminal), on free ports with in-memory data. Resolves once it printed its URLs and key.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface StartedStack {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  adminKey: string;
}

const started: ChildProcess[] = [];

export function npmStart(): Promise<StartedStack> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      BRIDGE_HTTP_PORT: '0',
      BRIDGE_WS_PORT: '0',
      BRIDGE_DATA_DIR: 'memory',
      BRIDGE_ADMIN_KEY: '',
      BRIDGE_LOG_LEVEL: 'WARN',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const http = /HTTP API:\s+(http:\/\/\S+)/.exec(out);
      const ws = /WebSocket:\s+(ws:\/\/\S+)/.exec(out);
      const key = /Admin key:\s+(cba_\S+)/.exec(out);
      if (http && ws && key) {
        clearTimeout(timer);
        descendants(child.pid!); // remembered: killStarted reaches them even once orphaned
        resolve({ child, httpUrl: http[1]!, wsUrl: ws[1]!, adminKey: key[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
}

/** Every process `descendants` found, with its command line: killed by `killStarted` even once orphaned. */
const seenBelow = new Map<number, string>();

function processes(): { pid: number; ppid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
}

/** Every live process below `pid` (children, their children, ...), with its command line. */
export function descendants(pid: number): { pid: number; args: string }[] {
  const rows = processes();
  const out: { pid: number; args: string }[] = [];
  const todo = [pid];
  while (todo.length) {
    const parent = todo.pop()!;
    for (const r of rows)
      if (r.ppid === parent) {
        out.push({ pid: r.pid, args: r.args });
        todo.push(r.pid);
        seenBelow.set(r.pid, r.args);
      }
  }
  return out;
}

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
};

/**
 * Kills every process started here that is still running (afterAll): the process group, whatever runs
 * below it in another group (DynamoDB Local has its own, see local/dynamodb.ts), and any process found
 * below it earlier that is still there with the same command line (orphaned when its parent was killed).
 */
export function killStarted(): void {
  for (const c of started.splice(0)) {
    if (!c.pid) continue;
    const below = descendants(c.pid);
    kill(-c.pid);
    for (const d of below) kill(d.pid);
  }
  const alive = new Map(processes().map((p) => [p.pid, p.args]));
  for (const [pid, args] of seenBelow) if (alive.get(pid) === args) kill(pid);
  seenBelow.clear();
}
