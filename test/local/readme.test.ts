/**
 * The README walk-through, run as a newcomer would: `npm start`, then the shell block pasted into bash
 * with the printed admin key. The events it prints must tell the call's story in order.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { killStarted, npmStart } from '../support/npm-start.js';

const run = promisify(execFile);
afterAll(killStarted);

describe('README walk-through', () => {
  it('works by copy-paste against npm start', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.slice(
      readme.indexOf('<!-- walkthrough:start -->'),
      readme.indexOf('<!-- walkthrough:end -->'),
    );
    const script = block.slice(block.indexOf('```sh') + 5, block.lastIndexOf('```'));
    expect(script).toContain('export KEY=');

    const { httpUrl: http, adminKey: key } = await npmStart();
    const pasted = script
      .replace(/^export KEY=.*$/m, `export KEY=${key}`)
      .replace(/^export API=.*$/m, `export API=${http}`);
    const { stdout } = await run('bash', ['-c', pasted], { timeout: 60_000 });
    const lines = stdout.split('\n').filter((l) => /^\d+ [a-z.]+/.test(l));
    const story = lines.map((l) => l.split(' ').slice(1, 3).join(' ')).filter((l) => l.startsWith('call.'));
    const expected = [
      'call.originated alice@sim.example',
      'call.received bob@sim.example',
      'call.answered bob@sim.example',
      'call.held bob@sim.example',
      'call.retrieved bob@sim.example',
      'call.transferred bob@sim.example',
      'call.released alice@sim.example',
    ];
    let at = -1;
    for (const step of expected) {
      const i = story.indexOf(step, at + 1);
      expect(i, `${step} after position ${at} in:\n${story.join('\n')}`).toBeGreaterThan(at);
      at = i;
    }
    // One correlationId for every leg of the call.
    const corr = new Set(lines.filter((l) => l.includes(' call.')).map((l) => l.split(' ')[3]));
    expect(corr.size).toBe(1);
    const seqs = lines.map((l) => Number(l.split(' ')[0]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }, 120_000);
});
