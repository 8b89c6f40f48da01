/**
 * The README walk-through, run as a newcomer would: `npm start`, then the shell block pasted into bash
 * with the printed admin key. The events it prints must tell the call's story in order. The same block,
 * with only the link's name changed, works on `sim-cap` (BroadWorks CAP-C, where the local stack keeps a
 * session for each user).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStarted, npmStart, type StartedStack } from '../support/npm-start.js';
import { until } from '../support/stack.js';

const run = promisify(execFile);
let started: StartedStack;
beforeAll(async () => {
  started = await npmStart();
}, 90_000);
afterAll(killStarted);

/** The walk-through's shell block, pasted with the printed key and URL, on `link`. */
async function walkThrough(link: string): Promise<string[]> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.slice(
    readme.indexOf('<!-- walkthrough:start -->'),
    readme.indexOf('<!-- walkthrough:end -->'),
  );
  const script = block.slice(block.indexOf('```sh') + 5, block.lastIndexOf('```'));
  expect(script).toContain('export KEY=');
  expect(script).toContain('sim-broadworks');
  const pasted = script
    .replace(/^export KEY=.*$/m, `export KEY=${started.adminKey}`)
    .replace(/^export API=.*$/m, `export API=${started.httpUrl}`)
    .replaceAll('sim-broadworks', link);
  const { stdout } = await run('bash', ['-c', pasted], { timeout: 60_000 });
  const lines = stdout.split('\n').filter((l) => /^\d+ [a-z.]+/.test(l));
  // One correlationId for every leg of the call, and the log in seq order.
  const corr = new Set(lines.filter((l) => l.includes(' call.')).map((l) => l.split(' ')[3]));
  expect(corr.size, lines.join('\n')).toBe(1);
  const seqs = lines.map((l) => Number(l.split(' ')[0]));
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  return lines.map((l) => l.split(' ').slice(1, 3).join(' ')).filter((l) => l.startsWith('call.'));
}

/** `steps` appear in `story` in this order (other lines may come between). */
function expectInOrder(story: string[], steps: string[]): void {
  let at = -1;
  for (const step of steps) {
    const i = story.indexOf(step, at + 1);
    expect(i, `${step} after position ${at} in:\n${story.join('\n')}`).toBeGreaterThan(at);
    at = i;
  }
}

const BOB_STORY = [
  'call.received bob@sim.example',
  'call.answered bob@sim.example',
  'call.held bob@sim.example',
  'call.retrieved bob@sim.example',
  'call.transferred bob@sim.example',
];

describe('README walk-through', () => {
  it('works by copy-paste against npm start', async () => {
    const story = await walkThrough('sim-broadworks');
    expectInOrder(story, [
      'call.originated alice@sim.example',
      ...BOB_STORY,
      'call.released alice@sim.example',
    ]);
  }, 120_000);

  it('works unchanged on sim-cap once the kept sessions are logged in', async () => {
    // what a newcomer's pause before pasting gives: the local stack's CAP-C sessions are active
    await until(
      async () => {
        const res = await fetch(`${started.httpUrl}/v1/sessions?limit=100`, {
          headers: { authorization: `Bearer ${started.adminKey}` },
        });
        return ((await res.json()) as { items: { link: string; state: string }[] }).items;
      },
      (items) => {
        const cap = items.filter((s) => s.link === 'sim-cap');
        return cap.length > 0 && cap.every((s) => s.state === 'active');
      },
      30_000,
    );
    const story = await walkThrough('sim-cap');
    // CAP-C carries each user's traffic on the user's own socket: each user's story is in order
    expectInOrder(story, ['call.originated alice@sim.example', 'call.released alice@sim.example']);
    expectInOrder(story, BOB_STORY);
  }, 120_000);
});
