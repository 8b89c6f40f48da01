/**
 * The delivery benchmark's clients (bench/delivery.ts), in a process of their own so that parsing frames
 * and answering webhooks does not take CPU from the connector process being measured.
 *
 * Started with `child_process.fork` (IPC channel). The parent says which channels to open; this process
 * opens the WebSocket clients (they `resume` at 0, so no hold), serves every webhook channel on one
 * loopback HTTP server (a path each, answered 204 at once), and sends receipt records back in batches.
 * Every time is wall-clock high-resolution time, `performance.timeOrigin + performance.now()`, the clock
 * the parent stamps with.
 *
 * Parent -> child:  {op:'open', id, phase, ws:[{rx,url}]}  {op:'close', id, phase}  {op:'flush', id}
 *                   {op:'clock', id}  {op:'floor', id, url, n}  {op:'exit'}
 * Child -> parent:  {op:'ready', hookPort}  {op:'reply', id, ...}
 *                   {op:'receipts', r:[phase, rx, eventId, eventType, callId, receivedAtMs, dup][]}
 *                   {op:'dup', phase, rx, timestamp, signature, body}  (first 3 duplicate webhooks a phase)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** `dup` = 1: this receiver had already received this event id (the parent counts it as a duplicate). */
export type Receipt = [
  phase: number,
  rx: number,
  eventId: string,
  type: string,
  callId: string,
  at: number,
  dup: 0 | 1,
];

export type ToReceivers =
  | { op: 'open'; id: number; phase: number; ws: { rx: number; url: string }[] }
  | { op: 'close'; id: number; phase: number }
  | { op: 'flush'; id: number }
  | { op: 'clock'; id: number }
  | { op: 'floor'; id: number; url: string; n: number }
  | { op: 'exit' };

export type FromReceivers =
  | { op: 'ready'; hookPort: number }
  | { op: 'reply'; id: number; error?: string; [k: string]: unknown }
  | { op: 'receipts'; r: Receipt[] }
  /** The first duplicate webhook requests of a phase, whole, so the parent can check who signed them. */
  | { op: 'dup'; phase: number; rx: number; timestamp: string; signature: string; body: string };

const now = () => performance.timeOrigin + performance.now();
const BATCH_MS = 50;
const BATCH_MAX = 2000;

function send(m: FromReceivers): void {
  process.send!(m);
}

let buffer: Receipt[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
const seen = new Set<string>();

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!buffer.length) return;
  send({ op: 'receipts', r: buffer });
  buffer = [];
}

type Envelope = { id?: string; type?: string; data?: { call?: { id?: string } } };

/**
 * One received event: duplicate check per (phase, receiver, event id), then into the next batch.
 * Returns true for a duplicate.
 */
function receipt(phase: number, rx: number, at: number, ev: Envelope | undefined): boolean {
  if (!ev?.id || !ev.type) return false;
  const key = `${phase}|${rx}|${ev.id}`;
  const dup = seen.has(key) ? 1 : 0;
  if (!dup) seen.add(key);
  buffer.push([phase, rx, ev.id, ev.type, ev.data?.call?.id ?? '', at, dup]);
  if (buffer.length >= BATCH_MAX) flush();
  else timer ??= setTimeout(flush, BATCH_MS);
  return dup === 1;
}

const dupDetails = new Map<number, number>();

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

// Webhook receivers: one server, path /p{phase}/h/{rx}.
const hooks = createServer((req, res) => {
  const m = /^\/p(\d+)\/h\/(\d+)$/.exec(req.url ?? '');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    res.writeHead(204).end();
    if (!m) return;
    const phase = Number(m[1]);
    const body = Buffer.concat(chunks).toString();
    if (receipt(phase, Number(m[2]), at, parse<Envelope>(body)) && (dupDetails.get(phase) ?? 0) < 3) {
      dupDetails.set(phase, (dupDetails.get(phase) ?? 0) + 1);
      send({
        op: 'dup',
        phase,
        rx: Number(m[2]),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
      });
    }
  });
});
hooks.keepAliveTimeout = 5000;

// WebSocket clients of the current phases.
const clients = new Map<number, WebSocket[]>();

async function openWs(phase: number, rx: number, url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('message', (d) => {
    const at = now();
    // {"type":"event","channelSeq":N,"event":{...}}, or several in {"type":"events","frames":[...]} (batch
    // framing); other frames (resume answers, heartbeats) are ignored.
    type Frame = { type?: string; event?: Envelope };
    const f = parse<Frame & { frames?: Frame[] }>(d.toString());
    for (const x of f?.type === 'events' ? (f.frames ?? []) : f ? [f] : [])
      if (x.type === 'event') receipt(phase, rx, at, x.event);
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.on('error', () => undefined);
  ws.send(JSON.stringify({ action: 'resume', after: 0 }));
  return ws;
}

/** Raw loopback WebSocket floor: connect to the parent's server, receive `n` stamped messages. */
async function floor(url: string, n: number): Promise<number[]> {
  const lat: number[] = [];
  const ws = new WebSocket(url);
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  ws.on('message', (d) => {
    const at = now();
    lat.push(at - (JSON.parse(d.toString()) as { t: number }).t);
    if (lat.length === n) done();
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.send('ready');
  await all;
  ws.close();
  return lat;
}

process.on('message', (m: ToReceivers) => {
  const reply = (body: Record<string, unknown>) =>
    send({ op: 'reply', id: (m as { id: number }).id, ...body });
  const fail = (err: unknown) => reply({ error: (err as Error).message ?? String(err) });
  switch (m.op) {
    case 'open': {
      void (async () => {
        for (const k of [...seen]) if (!k.startsWith(`${m.phase}|`)) seen.delete(k);
        const list: WebSocket[] = [];
        clients.set(m.phase, list);
        for (let i = 0; i < m.ws.length; i += 50)
          list.push(...(await Promise.all(m.ws.slice(i, i + 50).map((c) => openWs(m.phase, c.rx, c.url)))));
        reply({ opened: list.length });
      })().catch(fail);
      return;
    }
    case 'close': {
      for (const ws of clients.get(m.phase) ?? []) ws.close();
      clients.delete(m.phase);
      reply({});
      return;
    }
    case 'flush':
      flush();
      reply({ rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), cpu: process.cpuUsage() });
      return;
    case 'clock':
      reply({ t: now() });
      return;
    case 'floor':
      floor(m.url, m.n).then((lat) => reply({ lat }), fail);
      return;
    case 'exit':
      flush();
      for (const list of clients.values()) for (const ws of list) ws.terminate();
      hooks.closeAllConnections();
      hooks.close();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
      return;
  }
});
// The parent gone: nothing left to do.
process.on('disconnect', () => process.exit(0));

hooks.listen(0, '127.0.0.1', () => send({ op: 'ready', hookPort: (hooks.address() as AddressInfo).port }));
