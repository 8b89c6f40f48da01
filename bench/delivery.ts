/**
 * Delivery benchmark (`npm run bench`, docs/performance.md "Delivery benchmark"): the local stack with the
 * PBX simulator generating calls (driven through `simulator.core`), the BroadWorks front-end turning them
 * into vendor frames to the connector's driver, the event log, delivery, and N subscribed channels (half
 * WebSocket clients on the local gateway, half webhook receivers on loopback).
 *
 * Per phase: offered call load for `loadMs`, then a bounded drain. Latency = client receipt time - the
 * time the simulator core emitted the change (matched by call leg id and event type), in one process
 * (performance.now()). The physical floor is a raw loopback WebSocket (server -> client) in this process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { startStack, SIM_LINK } from '../local/stack.js';
import { DEFAULT_DIRECTORY } from '../simulator/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export interface Row {
  channels: number;
  offered: number;
  vendorEvents: number;
  loggedPerSec: number;
  deliveredPerSec: number;
  deliveries: number;
  expected: number;
  p50: number;
  p95: number;
  p99: number;
  rssMiB: number;
  /** Frames/requests whose (channel, event id) a receiver had already seen (should be 0). */
  duplicates: number;
}

/** Raw loopback WebSocket, server -> client, `n` stamped messages at about `rate`/s. */
export async function rawFloor(n = 3000, rate = 2000): Promise<{ p50: number; p95: number; p99: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const lat: number[] = [];
  const conn = new Promise<WebSocket>((r) => wss.once('connection', (s) => r(s)));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  client.on('message', (d) => lat.push(performance.now() - (JSON.parse(d.toString()) as { t: number }).t));
  const server = await conn;
  const body = 'x'.repeat(600); // about the size of a call event frame
  for (let i = 0; i < n; i++) {
    server.send(JSON.stringify({ t: performance.now(), i, body }));
    if (i % Math.max(1, Math.round(rate / 100)) === 0) await sleep(10);
  }
  while (lat.length < n) await sleep(10);
  client.close();
  wss.close();
  return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) };
}

export async function deliveryBench(opts: {
  counts: number[];
  loadMs: number;
  callsPerSec: number;
  drainMs: number;
  log?: (s: string) => void;
}): Promise<Row[]> {
  const log = opts.log ?? (() => undefined);
  let logged = 0;
  const stack = await startStack({
    httpPort: 0,
    wsPort: 0,
    dataDir: 'memory',
    simulator: true,
    logLevel: 'SILENT',
    connector: { reconcileMs: 500, onEvent: () => void logged++ },
    delivery: { resumeHoldMs: 500 },
  });
  const core = stack.simulator!.core;
  const auth = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as any) : undefined;
  };
  // Core emission stamps: `${legId}|call.{received,answered,released}` -> time.
  const stamps = new Map<string, number>();
  let vendorEvents = 0;
  let measuring = false;
  core.on((e) => {
    if (e.type !== 'leg.received' && e.type !== 'leg.answered' && e.type !== 'leg.released') return;
    if (!e.leg.userId) return; // external party legs have no subscribed user
    stamps.set(`${e.leg.id}|call.${e.type.slice(4)}`, performance.now());
    if (measuring) vendorEvents++;
  });
  let lat: number[] = [];
  let received = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const onEvent = (ev: { id: string; type: string; data: { call?: { id: string } } }, receiver: string) => {
    const k = `${receiver}|${ev.id}`;
    if (seen.has(k)) duplicates++;
    else seen.add(k);
    const call = ev.data?.call;
    if (!call) return;
    const t = stamps.get(`${call.id}|${ev.type}`);
    if (t === undefined) return;
    received++;
    lat.push(performance.now() - t);
  };

  // One loopback HTTP receiver for all webhook channels (a path each).
  const hooks: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      onEvent(JSON.parse(Buffer.concat(chunks).toString()), req.url ?? '');
    });
  });
  hooks.keepAliveTimeout = 5000;
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookPort = (hooks.address() as AddressInfo).port;

  const rows: Row[] = [];
  const users = DEFAULT_DIRECTORY.users;
  try {
    for (const n of opts.counts) {
      // Channels and subscriptions of this phase.
      const chans: { id: string; sub: string; ws?: WebSocket }[] = [];
      const nWs = Math.ceil(n / 2);
      const mk = async (i: number) => {
        const ch =
          i < nWs || n === 0
            ? await api('POST', '/v1/channels', { type: 'websocket' })
            : await api('POST', '/v1/channels', {
                type: 'webhook',
                url: `http://127.0.0.1:${hookPort}/h/${i}`,
              });
        const sub = await api('POST', '/v1/subscriptions', {
          channel: ch.id,
          link: SIM_LINK,
          target: { type: 'system' },
          events: ['call'],
        });
        const entry: (typeof chans)[number] = { id: ch.id, sub: sub.id };
        if (n === 0) {
          // 0 channels: one disabled channel keeps the link subscribed to its users; nothing is delivered.
          await stack.deps.repos.channels.disable(
            'default',
            ch.id,
            'benchmark: vendor side only',
            new Date(),
          );
        } else if (ch.type === 'websocket') {
          const ws = new WebSocket(ch.url);
          ws.on('message', (d) => {
            const f = JSON.parse(d.toString()) as { type: string; event?: any };
            if (f.type === 'event') onEvent(f.event, ch.id);
          });
          await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
          ws.send(JSON.stringify({ action: 'resume', after: 0 }));
          entry.ws = ws;
        }
        chans.push(entry);
      };
      const total = Math.max(1, n);
      for (let i = 0; i < total; i += 25)
        await Promise.all(Array.from({ length: Math.min(25, total - i) }, (_, j) => mk(i + j)));
      await sleep(2500); // subscriptions reach the driver (1 s poll), connections are noticed (1 s)

      // Warm-up call, then the measured load.
      const warm = core.dial('+15559990000', users[0]!.extension);
      await sleep(100);
      for (const l of core.listLegs({ userId: users[0]!.userId })) core.release(l.id);
      void warm;
      await sleep(1500);
      lat = [];
      received = 0;
      duplicates = 0;
      vendorEvents = 0;
      const logged0 = logged;
      measuring = true;
      const t0 = performance.now();
      let calls = 0;
      let errors = 0;
      const interval = 1000 / opts.callsPerSec;
      let next = performance.now();
      while (performance.now() - t0 < opts.loadMs) {
        const u = users[calls % users.length]!;
        const from = `+1555${String(1_000_000 + calls).slice(-7)}`;
        try {
          const orig = core.dial(from, u.extension);
          const leg = core.listLegs({ userId: u.userId }).find((l) => l.peerLegId === orig.id);
          if (leg) {
            setTimeout(() => {
              try {
                core.answer(leg.id);
              } catch {
                errors++;
              }
            }, 20);
            setTimeout(() => {
              try {
                core.release(leg.id);
              } catch {
                errors++;
              }
            }, 40);
          }
        } catch {
          errors++;
        }
        calls++;
        next += interval;
        const wait = next - performance.now();
        if (wait > 1) await sleep(wait);
        else if (calls % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      const loadEnd = performance.now();
      await sleep(100);
      measuring = false;
      const loggedDuringLoad = logged - logged0;
      const expected = vendorEvents * n;
      // Drain (bounded): wait until every expected delivery arrived or the drain time passed.
      const drainEnd = performance.now() + opts.drainMs;
      let last = received;
      let lastChange = performance.now();
      while (n > 0 && received < expected && performance.now() < drainEnd) {
        await sleep(100);
        if (received !== last) {
          last = received;
          lastChange = performance.now();
        } else if (performance.now() - lastChange > 5000) break;
      }
      const elapsed = (Math.max(lastChange, loadEnd) - t0) / 1000;
      const rss = process.memoryUsage().rss / 2 ** 20;
      const row: Row = {
        channels: n,
        offered: Math.round((calls * 3) / (opts.loadMs / 1000)),
        vendorEvents,
        loggedPerSec: Math.round(loggedDuringLoad / ((loadEnd - t0) / 1000)),
        deliveredPerSec: n > 0 ? Math.round(received / elapsed) : 0,
        deliveries: received,
        expected,
        p50: pct(lat, 50),
        p95: pct(lat, 95),
        p99: pct(lat, 99),
        rssMiB: Math.round(rss),
        duplicates,
      };
      if (errors) log(`  (phase ${n}: ${errors} simulator operations refused)`);
      rows.push(row);
      log(`  phase ${n} channels done: ${JSON.stringify(row)}`);
      // Tear the phase down.
      for (const c of chans) c.ws?.close();
      for (let i = 0; i < chans.length; i += 25)
        await Promise.all(
          chans
            .slice(i, i + 25)
            .map(
              async (c) => (
                await api('DELETE', `/v1/subscriptions/${c.sub}`),
                await api('DELETE', `/v1/channels/${c.id}`)
              ),
            ),
        );
      await sleep(1500);
    }
  } finally {
    hooks.closeAllConnections();
    hooks.close();
    await stack.stop();
  }
  return rows;
}
