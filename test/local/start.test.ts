/**
 * `npm start` as a newcomer runs it: two stacks side by side on port 0 with in-memory data, each
 * printing its real URLs and admin key; Ctrl-C (SIGINT to the process group) stops every part in order, without an error, and leaves no
 * process behind. Every listener of the stack is on loopback, and a hard kill (SIGKILL to the process
 * group, as when the terminal's session dies or the kernel runs out of memory) leaves no process behind
 * either: DynamoDB Local, in a group of its own, follows its parent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopback, listeners } from '../support/listeners.js';
import { descendants, killStarted, npmStart } from '../support/npm-start.js';

afterAll(killStarted);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('runs two stacks side by side on free ports and stops cleanly on Ctrl-C', async () => {
    const [a, b] = await Promise.all([npmStart(), npmStart()]);
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
      const below = descendants(pgid);
      expect(below.some((p) => p.args.includes('DynamoDBLocal.jar'))).toBe(true);
      let output = '';
      s.child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      s.child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
      process.kill(-pgid, 'SIGINT'); // what Ctrl-C does: every process of the foreground group gets SIGINT
      // DynamoDB Local runs in its own group, so it is still there while the rest stops in order: the
      // connector releases its leases and records its links down before the database goes.
      await exited;
      expect(output).toContain('SIGINT: stopping');
      expect(output).not.toMatch(/ECONNREFUSED|Unhandled|failed|"level":"(WARN|ERROR)"/i);
      const deadline = Date.now() + 10_000;
      while (below.some((p) => alive(p.pid)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(below.filter((p) => alive(p.pid))).toEqual([]);
    }
  }, 120_000);

  it('listens on loopback only, and leaves no process behind after kill -9 of its group', async () => {
    const s = await npmStart();
    const pgid = s.child.pid!;
    const below = descendants(pgid);
    expect(below.some((p) => p.args.includes('DynamoDBLocal.jar'))).toBe(true);
    const open = listeners([pgid, ...below.map((p) => p.pid)]);
    // the API, WebSocket, callback and command listeners, DynamoDB Local, the simulator's control API
    // and every vendor front-end
    expect(open.length).toBeGreaterThan(8);
    expect(new Set(open.map((l) => l.pid)).size).toBeGreaterThan(1); // node and java
    expect(open.filter((l) => !isLoopback(l.address))).toEqual([]);

    process.kill(-pgid, 'SIGKILL');
    const deadline = Date.now() + 5_000;
    while (below.some((p) => alive(p.pid)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(below.filter((p) => alive(p.pid))).toEqual([]);
  }, 120_000);
});
