/**
 * `npm start` as a newcomer runs it: two stacks side by side on port 0 with in-memory data, each
 * printing its real URLs and admin key; Ctrl-C (SIGINT to the process group) leaves no process behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

interface Started {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  adminKey: string;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function start(): Promise<Started> {
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
    detached: true, // own process group, so SIGINT to -pid is what Ctrl-C does in a terminal
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
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

function processesInGroup(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && Number(l.split(/\s+/)[0]) === pgid);
}

describe('npm start', () => {
  it('runs two stacks side by side on free ports and stops cleanly on Ctrl-C', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.httpUrl).not.toBe(b.httpUrl);
    expect(a.wsUrl).not.toBe(b.wsUrl);
    expect(a.httpUrl).not.toMatch(/:0$/);
    for (const s of [a, b]) {
      const health = await fetch(`${s.httpUrl}/v1/health`);
      expect(health.status).toBe(200);
      const tenants = await fetch(`${s.httpUrl}/v1/tenants`, {
        headers: { authorization: `Bearer ${s.adminKey}` },
      });
      expect(tenants.status).toBe(200);
      // In local mode the admin key also acts on the tenant "default".
      const links = await fetch(`${s.httpUrl}/v1/links`, {
        headers: { authorization: `Bearer ${s.adminKey}` },
      });
      expect(links.status).toBe(200);
    }
    // Each stack has its own admin key: a's key means nothing to b.
    const cross = await fetch(`${b.httpUrl}/v1/tenants`, {
      headers: { authorization: `Bearer ${a.adminKey}` },
    });
    expect(cross.status).toBe(401);

    for (const s of [a, b]) {
      const pgid = s.child.pid!;
      expect(processesInGroup(pgid).some((l) => l.includes('DynamoDBLocal.jar'))).toBe(true);
      const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
      process.kill(-pgid, 'SIGINT'); // what Ctrl-C does: every process of the foreground group gets SIGINT
      await exited;
      const deadline = Date.now() + 10_000;
      while (processesInGroup(pgid).length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(processesInGroup(pgid)).toEqual([]);
    }
  }, 120_000);
});
