/**
 * MTCTI-3 through the connector: garbage in both directions never crashes either side, and a dropped
 * socket is reconnected with subscriptions restored, snapshots reconciled and link.down/link.up logged.
 */
import type { AvayaMtcti3FrontEnd } from '../../vendors/avaya-mtcti3/simulator/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LocalStack } from '../../local/stack.js';
import { encodeMessage, frame } from '../../vendors/avaya-mtcti3/wire/codec.js';
import { testStack } from '../support/stack.js';
import { callsOf, EventTap, scenarioEnv, subscribe } from './harness.js';
import { prng } from '../support/prng.js';

const LINK = 'sim-mtcti3';
let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** Wrong headers, truncated protobufs, random bytes, and valid messages with unknown fields appended. */
function garbageFrames(seed: number): { bytes: Buffer; valid: boolean }[] {
  const rnd = prng(seed);
  const version = Buffer.from(encodeMessage({ generalcmd: { requestid: 77, getversioninfo: {} } }));
  const unknownField = Buffer.from([0xf8, 0x7f, 0x01]); // field 2047, varint 1
  const out: { bytes: Buffer; valid: boolean }[] = [];
  for (let i = 0; i < 60; i++) {
    const kind = Math.floor(rnd() * 4);
    const random = Buffer.from(
      Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)),
    );
    if (kind === 0)
      out.push({
        bytes: Buffer.concat([Buffer.from([0, 0, 0, 2 + Math.floor(rnd() * 200)]), version]),
        valid: false,
      });
    else if (kind === 1)
      out.push({
        bytes: frame(version.subarray(0, 1 + Math.floor(rnd() * (version.length - 1)))),
        valid: false,
      });
    else if (kind === 2) out.push({ bytes: frame(random), valid: false });
    else out.push({ bytes: frame(Buffer.concat([version, unknownField])), valid: true });
  }
  return out;
}

describe('avaya-mtcti3 faults', () => {
  it('the simulator survives wrong headers, truncated protobufs and unknown fields, and still answers', async () => {
    stack = await testStack({ simulator: true, connector: false });
    const sim = stack.simulator!;
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(sim.frontEnd('avaya-mtcti3').url, ['openapi'], {
          headers: { Authorization: `Basic ${Buffer.from('bridge:bridge-secret').toString('base64')}` },
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    let ws = await open();
    for (const g of garbageFrames(1)) {
      if (ws.readyState !== WebSocket.OPEN) ws = await open(); // the server may close on bad framing
      ws.send(g.bytes);
    }
    // After all of it the server still serves, and a message with an unknown field is understood.
    if (ws.readyState !== WebSocket.OPEN) ws = await open();
    const reply = new Promise<Buffer>((resolve) => ws.once('message', (d: Buffer) => resolve(d)));
    ws.send(
      frame(
        Buffer.concat([
          Buffer.from(encodeMessage({ generalcmd: { requestid: 9, getversioninfo: {} } })),
          Buffer.from([0xf8, 0x7f, 0x01]),
        ]),
      ),
    );
    expect((await reply).length).toBeGreaterThan(4);
    ws.terminate();
  });

  it('the driver reports garbage from the PBX and never goes down for it; a dropped socket is reconciled', async () => {
    stack = await testStack({
      simulator: true,
      connector: { subscriptionPollMs: 50, reconcileMs: 100, backoff: { baseMs: 50, maxMs: 200 } },
    });
    const e = scenarioEnv(stack, LINK);
    const tap = new EventTap(e);
    await subscribe(
      e,
      [
        { type: 'user', id: 'alice' },
        { type: 'user', id: 'bob' },
      ],
      ['call'],
    );
    const runner = stack.connector!.runner('default', LINK)!;
    const calls = (u: string) => `/v1/links/${LINK}/users/${u}/calls`;

    // Garbage from the PBX side: counted as garbage, the link stays up.
    const downsBefore = tap.events.filter((x) => x.type === 'link.down').length;
    for (const g of garbageFrames(2).filter((x) => !x.valid))
      e.sim.frontEnd<AvayaMtcti3FrontEnd>('avaya-mtcti3').frontEnd.sendRaw(g.bytes);
    const deadline = Date.now() + 5_000;
    while (runner.stats.garbage < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(runner.stats.garbage).toBeGreaterThanOrEqual(10);
    expect(runner.state).toBe('up');
    expect(tap.events.filter((x) => x.type === 'link.down').length).toBe(downsBefore);

    // A call, then the PBX drops the socket and the call ends while the link is down.
    const dial = await e.client.post(calls('alice'), { to: '1002' });
    expect(dial.status, JSON.stringify(dial.body)).toBe(201);
    const corr = dial.body.correlationId as string;
    await tap.until((evs) => callsOf(evs, corr).some((x) => x.type === 'call.received'), 'bob rings');
    const bobLeg = e.sim.core.listLegs({ userId: 'bob@sim.example' })[0]!.id;
    e.sim.frontEnd<AvayaMtcti3FrontEnd>('avaya-mtcti3').frontEnd.dropConnections();
    e.sim.core.release(bobLeg); // same tick: no session is left to hear about it
    await tap.until((evs) => evs.some((x) => x.type === 'link.down'), 'link.down');

    await tap.until(
      (evs) => evs.some((x) => x.type === 'link.up' && (x.data as { resynced?: boolean }).resynced),
      'link.up',
    );
    await tap.until(
      (evs) => callsOf(evs, corr).filter((x) => x.type === 'call.released').length === 2,
      'stale calls released',
    );
    expect((await e.client.get(calls('alice'))).body.items).toEqual([]);
    // Subscriptions restored: a new call is seen.
    const again = await e.client.post(calls('alice'), { to: '1002' });
    expect(again.status).toBe(201);
    await tap.until(
      (evs) => callsOf(evs, again.body.correlationId).some((x) => x.type === 'call.received'),
      'seen after reconnect',
    );
  }, 60_000);
});
