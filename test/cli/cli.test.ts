/**
 * The `cti-bridge` CLI as a user runs it (`bin/cti-bridge.mjs`, a child process) against a local stack
 * with the simulator and a connector: `listen` prints a user's call as `trigger` plays it, forwards each
 * event as a Standard Webhook that the `standardwebhooks` package verifies, resumes after its
 * connection is dropped without losing or repeating an event, and removes its channel on Ctrl-C;
 * `links`, `events` and `call dial` print what the API answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { SCENARIOS } from '../../cli/trigger.js';
import { receiver } from '../connector/delivery/helpers.js';
import { api, testStack, until } from '../support/stack.js';

const LINK = 'sim-broadworks';
const ALICE = 'alice@sim.example';
let stack: LocalStack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await testStack({ simulator: { only: ['broadworks-cti'] }, connector: {} });
  await until(
    async () => (await api(stack, stack.adminKey).get(`/v1/links/${LINK}`)).body?.status,
    (s) => s === 'up',
    20_000,
  );
}, 60_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stack?.stop();
});

let watching = false;

async function logLength(): Promise<number> {
  let n = 0;
  let after = 0;
  for (;;) {
    const page = (await api(stack, stack.adminKey).get(`/v1/events?link=${LINK}&limit=500&after=${after}`))
      .body;
    n += page.items.length;
    if (!page.items.length || !page.nextCursor) return n;
    after = page.items.at(-1).seq;
  }
}

/** Runs the CLI; `output()` is what it printed so far, `exited` its exit code. */
function cli(...args: string[]) {
  const child = spawn(
    process.execPath,
    ['bin/cti-bridge.mjs', '--api', stack.httpUrl, '--key', stack.adminKey, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CTI_BRIDGE_SIMULATOR: stack.simulator!.controlUrl },
    },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function run(...args: string[]): Promise<string> {
  const c = cli(...args);
  const code = await c.exited;
  expect(code, c.output()).toBe(0);
  return c.output();
}

const callLines = (out: string) =>
  out
    .split('\n')
    .map((l) => /^\d\d:\d\d:\d\d\.\d{3}\s+(\d+) (call\.\S+)\s+user alice@sim\.example\s+(\S+) (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ seq: Number(m[1]), type: m[2]!, call: m[3]!, state: m[4]! }));

describe('cti-bridge CLI', () => {
  it('listen shows a triggered call, forwards signed webhooks, resumes after a drop, cleans up', async () => {
    const rx = await receiver();
    const listener = cli(
      'listen',
      '--user',
      ALICE,
      '--link',
      LINK,
      '--events',
      'call',
      '--forward-to',
      rx.url,
    );
    await until(
      async () => listener.output(),
      (o) => o.includes('Ready'),
      20_000,
    );
    const secret = /signing secret: (whsec_\S+)/.exec(listener.output())?.[1];
    expect(secret).toBeDefined();
    const channel = /Ready: channel (\S+),/.exec(listener.output())![1]!;

    const first = await run('trigger', 'inbound-call');
    expect(first).toContain('alice answers');
    await until(
      async () => callLines(listener.output()),
      (l) => l.some((x) => x.type === 'call.released'),
      10_000,
    );
    const lines = callLines(listener.output());
    expect(lines.map((l) => l.type)).toEqual(
      expect.arrayContaining(['call.received', 'call.answered', 'call.released']),
    );
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));

    // every forwarded event verifies with the printed secret (the standardwebhooks package, not ours)
    await rx.waitFor(lines.length);
    const wh = new Webhook(secret!);
    for (const r of rx.got) {
      const verified = wh.verify(r.body, r.headers as Record<string, string>) as { id: string };
      expect(verified.id).toBe(r.headers['webhook-id']);
    }

    // the connection drops (as when a laptop sleeps); events go on meanwhile; nothing is lost or repeated
    const mgmt = new ApiGatewayManagementApiClient({
      endpoint: stack.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const id of stack.gateway.connections())
      await mgmt.send(new DeleteConnectionCommand({ ConnectionId: id }));
    mgmt.destroy();
    await run('trigger', 'missed-call'); // to bob: alice sees nothing of it
    await run('trigger', 'inbound-call');
    await until(
      async () => listener.output(),
      (o) => o.includes('reconnected'),
      10_000,
    );
    await until(
      async () => callLines(listener.output()),
      (l) => l.filter((x) => x.type === 'call.released').length >= 2,
      10_000,
    );
    const all = callLines(listener.output());
    expect(all.map((l) => l.seq)).toEqual(all.map((_, i) => i + 1));
    const log = (await api(stack, stack.adminKey).get(`/v1/events?link=${LINK}&limit=500`)).body.items as {
      type: string;
      target: { id?: string };
    }[];
    expect(all.length).toBe(log.filter((e) => e.type.startsWith('call.') && e.target.id === ALICE).length);

    // Ctrl-C: the channel and its subscription are removed
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    expect(listener.output()).toContain(`removed channel ${channel}`);
    expect((await api(stack, stack.adminKey).get(`/v1/channels/${channel}`)).status).toBe(404);
    await rx.close();
  }, 90_000);

  it('deliveries lists the attempts of a webhook channel and --replay queues its events again; events --follow streams', async () => {
    const rx = await receiver();
    const admin = api(stack, stack.adminKey);
    const ch = await admin.post('/v1/channels', { type: 'webhook', url: rx.url });
    expect(ch.status).toBe(201);
    const sub = await admin.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: LINK,
      target: { type: 'user', id: ALICE },
      events: ['call'],
    });
    expect(sub.status).toBe(201);
    const follow = cli('events', '--link', LINK, '--follow');
    await run('trigger', 'inbound-call');
    await until(
      async () => rx.got.map((g) => `${g.json.seq}:${g.json.type}`),
      (n) => n.length >= 3,
      10_000,
    );
    // first-attempt successes are listed once their link's latest are written (within a second)
    const rows = await until(
      async () =>
        (await run('deliveries', ch.body.id)).split('\n').filter((l) => /^\s*\d+ delivered\s+call\./.test(l)),
      (r) => r.length >= 3,
      10_000,
    );
    expect(rows[0]).toMatch(/attempts 1 last 204 in \d+ ms/);
    const before = rx.got.length;
    expect(await run('deliveries', ch.body.id, '--replay', '0')).toMatch(
      /^replay queued: [1-9]\d* event\(s\)/m,
    );
    await until(
      async () => rx.got.length,
      (n) => n >= before * 2,
      10_000,
    );
    // --follow printed the call's events as they were logged
    await until(
      async () => follow.output(),
      (o) => /call\.released\s+user alice@sim\.example/.test(o),
      10_000,
    );
    follow.child.kill('SIGINT');
    expect(await follow.exited).toBe(0);
    await rx.close();
  }, 60_000);

  it.each(Object.keys(SCENARIOS))(
    'trigger %s plays its call to the end, and the bridge logs it',
    async (name) => {
      // the link logs the events of what is subscribed to: every user's, through one system subscription
      if (!watching) {
        const admin = api(stack, stack.adminKey);
        const ch = await admin.post('/v1/channels', { type: 'websocket' });
        const sub = await admin.post('/v1/subscriptions', {
          channel: ch.body.id,
          link: LINK,
          target: { type: 'system' },
          events: ['call', 'agent'],
        });
        expect(sub.status).toBe(201);
        watching = true;
      }
      const before = await logLength();
      const out = await run('trigger', name);
      expect(out).toContain('done');
      // every call of the scenario ended on the simulator
      const legs = (await (await fetch(`${stack.simulator!.controlUrl}/calls`)).json()) as {
        state: string;
      }[];
      expect(legs.filter((l) => l.state !== 'released').map((l) => l.state)).toEqual([]);
      // and its events reached the log
      await until(logLength, (n) => n > before, 10_000);
    },
    30_000,
  );

  it('listen --system --print-json prints JSON per event and stops after --count, removing its channel', async () => {
    const listener = cli(
      'listen',
      '--system',
      '--link',
      LINK,
      '--events',
      'call',
      '--print-json',
      '--count',
      '3',
    );
    await until(
      async () => listener.output(),
      (o) => o.includes('Ready'),
      20_000,
    );
    await run('trigger', 'inbound-call');
    expect(await listener.exited, listener.output()).toBe(0);
    const frames = listener
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { channelSeq: number; event: { type: string; target: { type: string } } });
    expect(frames.map((f) => f.channelSeq)).toEqual([1, 2, 3]);
    expect(frames.every((f) => f.event.type.startsWith('call.'))).toBe(true);
    const channel = /Ready: channel (\S+),/.exec(listener.output())![1]!;
    expect((await api(stack, stack.adminKey).get(`/v1/channels/${channel}`)).status).toBe(404);
  }, 60_000);

  it('listen --queue prints the queue events of a queue call, each targeted at the queue', async () => {
    const queue = 'sales@sim.example';
    const listener = cli('listen', '--queue', queue, '--link', LINK, '--print-json', '--count', '3');
    await until(
      async () => listener.output(),
      (o) => o.includes('Ready'),
      20_000,
    );
    expect(listener.output()).toContain(`queue ${queue} on ${LINK}`);
    await run('trigger', 'queue-call');
    expect(await listener.exited, listener.output()).toBe(0);
    const events = listener
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) => (JSON.parse(l) as { event: { type: string; target: { type: string; id?: string } } }).event,
      );
    expect(events.map((e) => e.type)).toEqual([
      'queue.call.added',
      'queue.call.offered',
      'queue.call.answered',
    ]);
    expect(events.every((e) => e.target.type === 'queue' && e.target.id === queue)).toBe(true);
  }, 60_000);

  it("listen across several links names each line's link and leaves out a link that refuses the target", async () => {
    const admin = api(stack, stack.adminKey);
    // a second link, down (nothing listens there): its subscriptions stay pending, not refused
    const second = 'aaa-down';
    expect(
      (
        await admin.post('/v1/links', {
          id: second,
          vendor: 'broadworks-cti',
          endpoint: 'tcp://127.0.0.1:9',
          credentials: { username: 'u', password: 'p' },
        })
      ).status,
    ).toBe(201);
    try {
      const listener = cli('listen', '--user', ALICE, '--events', 'call', '--count', '3');
      await until(
        async () => listener.output(),
        (o) => o.includes('Ready'),
        20_000,
      );
      expect(listener.output()).toContain(`user ${ALICE} on ${second}, ${LINK} (call)`);
      await run('trigger', 'inbound-call');
      expect(await listener.exited, listener.output()).toBe(0);
      const lines = listener
        .output()
        .split('\n')
        .filter((l) => /^\d\d:\d\d/.test(l));
      expect(lines).toHaveLength(3);
      for (const l of lines)
        expect(l).toMatch(/^\S+\s+\d+ sim-broadworks\s+call\.\S+\s+user alice@sim\.example /);

      // a user the simulator does not know: BroadWorks refuses it, the down link takes it (pending)
      const nobody = cli('listen', '--user', 'nobody@sim.example', '--count', '1');
      await until(
        async () => nobody.output(),
        (o) => o.includes('Ready'),
        20_000,
      );
      expect(nobody.output()).toMatch(
        new RegExp(`^Not listening on ${LINK}: the vendor refused it: .*nobody@sim\\.example`, 'm'),
      );
      expect(nobody.output()).toContain(`user nobody@sim.example on ${second} (`);
      // the refused subscription is gone: only the down link's is left on the channel
      const nobodyChannel = /Ready: channel (\S+),/.exec(nobody.output())![1]!;
      const subs = (await admin.get(`/v1/subscriptions?channel=${nobodyChannel}`)).body.items;
      expect(subs.map((x: { link: string }) => x.link)).toEqual([second]);
      nobody.child.kill('SIGINT');
      expect(await nobody.exited).toBe(0);

      // with --link, a refusal is an error, and nothing is left behind
      const channelsBefore = (await admin.get('/v1/channels?limit=100')).body.items.length;
      const refused = cli('listen', '--user', 'nobody@sim.example', '--link', LINK);
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/subscribing on link sim-broadworks: the vendor refused it: /);
      expect((await admin.get('/v1/channels?limit=100')).body.items.length).toBe(channelsBefore);
    } finally {
      expect((await admin.del(`/v1/links/${second}`)).status).toBe(204);
    }
  }, 60_000);

  it('links, events and call dial print what the API answers', async () => {
    expect(await run('links')).toMatch(/^sim-broadworks\s+broadworks-cti\s+up\s/m);
    const dialled = await run('call', 'dial', '--link', LINK, '--user', ALICE, '--to', '1002');
    expect(dialled).toMatch(/^dialled: call \S+ \(correlation \S+\)/m);
    const events = await run('events', '--link', LINK, '--json');
    const parsed = events
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number });
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.map((e) => e.seq)).toEqual(parsed.map((_, i) => i + 1));
    const bad = cli('call', 'answer', '--link', LINK, '--user', ALICE);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('answer needs --call');
    const unknown = cli('call', 'dial', '--link', 'nope', '--user', ALICE, '--to', '1002');
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toMatch(/dial: 404 Not Found/);
  }, 60_000);
});
