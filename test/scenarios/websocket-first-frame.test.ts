/**
 * A WebSocket client gets its frames without waiting for a periodic check (issue: no cold start on the
 * path): `$connect` and `resume` ask the connectors of the channel's links to look at the channel at
 * once (`POST /v1/channels/attention`), and a channel's first connection is not held for a resume it
 * cannot have. The delivery's periodic checks and the resume hold are set to a minute here, so only
 * the immediate path can make these pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testStack, until } from '../support/stack.js';
import { scenarioEnv, type ScenarioEnv } from './harness.js';

const LINK = 'sim-broadworks';
const MINUTE = 60_000;
let env: ScenarioEnv;

beforeAll(async () => {
  const stack = await testStack({
    simulator: true,
    connector: {},
    delivery: { channelCacheMs: MINUTE, connectionScanMs: MINUTE, resumeHoldMs: MINUTE },
  });
  await until(
    async () => stack.connector!.runner('default', LINK)?.state,
    (s) => s === 'up',
    20_000,
  );
  env = scenarioEnv(stack, LINK);
}, 60_000);
afterAll(async () => env?.stop());

interface Frame {
  type: string;
  channelSeq?: number;
  event?: { type: string; data: { call?: { id: string } } };
  frames?: Frame[];
  [k: string]: unknown;
}

/** A client that records every frame (batch messages unpacked). */
async function connect(url: string) {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Frame;
    if (m.type === 'events') frames.push(...m.frames!);
    else frames.push(m);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    until: (pred: (f: Frame[]) => boolean, what: string, ms = 5_000) =>
      until(async () => frames, pred, ms).catch(() => {
        throw new Error(`${what}: not within ${ms} ms; got ${JSON.stringify(frames.map((f) => f.type))}`);
      }),
    close: () =>
      new Promise<void>((r) => {
        ws.once('close', () => r());
        ws.close();
      }),
  };
}

const events = (frames: Frame[]) => frames.filter((f) => f.type === 'event');

async function dial(user: string): Promise<string> {
  const r = await env.client.post(`/v1/links/${LINK}/users/${encodeURIComponent(user)}/calls`, {
    to: '1002',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.callId as string;
}

describe('WebSocket frames without a periodic check', () => {
  it("a channel's first connection gets the events of a call dialled right after it opened", async () => {
    const ch = await env.client.post('/v1/channels', { type: 'websocket' });
    expect(ch.status).toBe(201);
    const sub = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: LINK,
      target: { type: 'user', id: 'erin@sim.example' },
      events: ['call'],
    });
    expect(sub.status).toBe(201);
    const client = await connect(ch.body.url);
    try {
      const callId = await dial('erin@sim.example');
      await client.until((f) => events(f).length >= 1, 'the first event frame');
      const first = events(client.frames)[0]!;
      expect(first).toMatchObject({ channelSeq: 1, event: { type: 'call.originated' } });
      expect(first.event!.data.call!.id).toBe(callId);
      await env.client.post(`/v1/links/${LINK}/users/erin%40sim.example/calls/${callId}/release`);
      await client.until((f) => events(f).some((e) => e.event!.type === 'call.released'), 'call.released');
      const seqs = events(client.frames).map((e) => e.channelSeq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await client.close();
    }
  });

  it('a reconnect that sends resume gets the missed frames, then live ones, in one order', async () => {
    const ch = await env.client.post('/v1/channels', { type: 'websocket', framing: 'batch' });
    await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: LINK,
      target: { type: 'user', id: 'alice@sim.example' },
      events: ['call'],
    });
    const one = await connect(ch.body.url);
    const first = await dial('alice@sim.example');
    await one.until((f) => events(f).length >= 1, 'a frame on the first connection');
    const seen = Math.max(...events(one.frames).map((e) => e.channelSeq!));
    await one.close();
    // while nobody is connected: the call is released (frames numbered, not posted)
    await env.client.post(`/v1/links/${LINK}/users/alice%40sim.example/calls/${first}/release`);
    await until(
      async () => (await env.client.get(`/v1/events?link=${LINK}&limit=200`)).body.items,
      (items: { type: string; data: { call?: { id: string } } }[]) =>
        items.some((e) => e.type === 'call.released' && e.data.call?.id === first),
    );
    const two = await connect(ch.body.url);
    try {
      two.ws.send(JSON.stringify({ action: 'resume', after: seen }));
      await two.until((f) => f.some((x) => x.type === 'bridge.resumed'), 'bridge.resumed');
      const second = await dial('alice@sim.example');
      await two.until(
        (f) => events(f).some((e) => e.event!.data.call?.id === second),
        'a live frame of the next call',
      );
      const replayed = events(two.frames).map((e) => e.channelSeq!);
      expect(replayed[0]).toBe(seen + 1);
      expect(replayed).toEqual(replayed.map((_, i) => seen + 1 + i));
      expect(
        events(two.frames).some((e) => e.event!.type === 'call.released' && e.event!.data.call!.id === first),
      ).toBe(true);
      await env.client.post(`/v1/links/${LINK}/users/alice%40sim.example/calls/${second}/release`);
    } finally {
      await two.close();
    }
  });
});
