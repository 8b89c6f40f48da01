/**
 * `npm start` as a newcomer runs it: two stacks side by side on port 0 with in-memory data, each
 * printing its real URLs and admin key; Ctrl-C (SIGINT to the process group) leaves no process behind.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { killStarted, npmStart } from '../support/npm-start.js';

afterAll(killStarted);

function processesInGroup(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && Number(l.split(/\s+/)[0]) === pgid);
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
