/**
 * The README's one-file webhook receiver and WebSocket client, run as processes against a local stack
 * with the simulator: both receive the events of a simulated call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/stack.js';

let stack: LocalStack | undefined;
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) p.kill();
  await stack?.stop();
});

function run(args: string[], env: Record<string, string> = {}) {
  const p = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d.toString()));
  p.stderr!.on('data', (d) => (out += d.toString()));
  return {
    output: () => out,
    until: (re: RegExp, ms = 15_000) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const end = Date.now() + ms;
        const tick = () => {
          const m = re.exec(out);
          if (m) return resolve(m);
          if (Date.now() > end) return reject(new Error(`no ${re} in:\n${out}`));
          setTimeout(tick, 20);
        };
        tick();
      }),
  };
}

describe('README examples', () => {
  it('the webhook receiver and the WebSocket client both receive a simulated call', async () => {
    stack = await testStack({
      simulator: true,
      connector: { subscriptionPollMs: 50, reconcileMs: 200 },
      delivery: { subscriptionCacheMs: 50, channelCacheMs: 50 },
    });
    const client = api(stack, stack.adminKey);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const receiver = run(['examples/webhook-receiver.mjs'], { WEBHOOK_SECRET: secret, PORT: '0' });
    const [, hookUrl] = await receiver.until(/listening on (http:\/\/\S+)/);

    const hook = await client.post('/v1/channels', { type: 'webhook', url: hookUrl, secret });
    const ws = await client.post('/v1/channels', { type: 'websocket' });
    const wsBatch = await client.post('/v1/channels', { type: 'websocket', framing: 'batch' });
    for (const ch of [hook.body.id, ws.body.id, wsBatch.body.id]) {
      const s = await client.post('/v1/subscriptions', {
        channel: ch,
        link: 'sim-broadworks',
        target: { type: 'user', id: 'alice@sim.example' },
        events: ['call'],
      });
      expect(s.status).toBe(201);
    }
    const wsClient = run(['examples/ws-client.mjs', ws.body.url]);
    const wsBatchClient = run(['examples/ws-client.mjs', wsBatch.body.url]);
    await wsClient.until(/connected/);
    await wsBatchClient.until(/connected/);
    const runner = stack.connector!.runner('default', 'sim-broadworks')!;
    while (!runner.watching().some((w) => w.target.id === 'alice@sim.example'))
      await new Promise((r) => setTimeout(r, 20));

    const dial = await client.post('/v1/links/sim-broadworks/users/alice@sim.example/calls', { to: '1002' });
    expect(dial.status).toBe(201);
    await receiver.until(/webhook \d+ call\.originated alice@sim\.example/);
    await wsClient.until(/ws 1 call\.originated alice@sim\.example/);
    await wsBatchClient.until(/ws 1 call\.originated alice@sim\.example/);
    expect(receiver.output()).not.toContain('rejected');
  }, 60_000);
});
