/**
 * `cti-bridge listen`: a WebSocket channel and its subscriptions, created for this run and removed on
 * Ctrl-C; one line per event; `--forward-to` re-posts each event to a local URL as a signed Standard
 * Webhook. The connection is watched: when it drops (a network change, a laptop that slept), it is
 * opened again and the channel resumed after the last `channelSeq` printed, so no event is lost and
 * none is printed twice.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { webhookHeaders } from '../shared/webhooks/signing.js';
import type { Target } from './config.js';
import { describeProblem } from '../client/index.js';
import { eventLine, must, printJson } from './format.js';

export interface ListenOptions {
  link?: string;
  user?: string;
  queue?: string;
  system?: boolean;
  events?: string;
  forwardTo?: string;
  printJson?: boolean;
  /** Stop after this many events (scripts, tests). */
  count?: number;
}

interface Frame {
  type: string;
  channelSeq?: number;
  event?: Parameters<typeof eventLine>[0];
  url?: string;
}

type ConnectionState = 'connecting' | 'open' | 'waiting' | 'closed';

/** Creates the channel and subscriptions, streams until Ctrl-C (or `count` events), then cleans up. */
export async function listen(target: Target, opts: ListenOptions): Promise<void> {
  const { client } = target;
  const links = opts.link
    ? [opts.link]
    : must('listing links', await client.GET('/v1/links')).items.map((l) => l.id);
  if (!links.length) throw new Error('no links: create one first (or pass --link)');
  const tgt = opts.user
    ? { type: 'user' as const, id: opts.user }
    : opts.queue
      ? { type: 'queue' as const, id: opts.queue }
      : { type: 'system' as const };
  const families = (opts.events ?? 'call,conference,agent,queue,route,service,link')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  const channel = must(
    'creating the channel',
    await client.POST('/v1/channels', { body: { type: 'websocket' } }),
  );
  const subscriptions: string[] = [];
  const cleanup = async () => {
    for (const id of subscriptions)
      await client.DELETE('/v1/subscriptions/{id}', { params: { path: { id } } }).catch(() => undefined);
    await client.DELETE('/v1/channels/{id}', { params: { path: { id: channel.id } } }).catch(() => undefined);
  };
  // With `--link`, a refusal is an error. Across every link, a link that cannot serve the target (a user
  // it does not know, one without a session) is named and left out; only when none can is it an error.
  const skipped: string[] = [];
  const subscribed: string[] = [];
  try {
    for (const link of links) {
      const r = await client.POST('/v1/subscriptions', {
        body: { channel: channel.id, link, target: tgt, events: families as never },
      });
      if (!opts.link && r.response.status >= 400 && r.response.status < 500) {
        skipped.push(`${link}: ${describeProblem(r.response.status, r.error)}`);
        continue;
      }
      const s = must(`subscribing on link ${link}`, r);
      if (s.state !== 'failed') {
        subscriptions.push(s.id);
        subscribed.push(link);
        continue;
      }
      // removed now: the channel would otherwise get its `subscription.terminated`
      await client.DELETE('/v1/subscriptions/{id}', { params: { path: { id: s.id } } });
      const refusal = `${link}: the vendor refused it: ${s.stateReason}`;
      if (opts.link) throw new Error(`subscribing on link ${refusal}`);
      skipped.push(refusal);
    }
    if (!subscribed.length) throw new Error(`no link subscribed:\n  ${skipped.join('\n  ')}`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  for (const s of skipped) console.log(`Not listening on ${s}`);
  // one link: its name would repeat on every line; several: each line says which link reported it
  const showLink = subscribed.length > 1;

  const secret = opts.forwardTo ? `whsec_${randomBytes(24).toString('base64')}` : null;
  if (secret) console.log(`Forwarding to ${opts.forwardTo}; webhook signing secret: ${secret}`);

  let lastSeq = 0;
  let seen = 0;
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | undefined;
  let retryMs = 500;
  let ready = false;
  let forwarding = Promise.resolve();
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));

  const stop = () => {
    if (state === 'closed') return;
    state = 'closed';
    socket?.close();
    finish();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const forward = (e: NonNullable<Frame['event']>) => {
    forwarding = forwarding.then(async () => {
      const body = JSON.stringify(e);
      try {
        const res = await fetch(opts.forwardTo!, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...webhookHeaders([secret!], e.id, Math.floor(Date.now() / 1000), body),
          },
          body,
        });
        console.log(`  -> ${opts.forwardTo} ${res.status}`);
      } catch (err) {
        console.log(`  -> ${opts.forwardTo} failed: ${(err as Error).message}`);
      }
    });
  };

  const onFrames = (ws: WebSocket, frames: Frame[]) => {
    const before = lastSeq;
    for (const f of frames) {
      if ((f.type !== 'event' && f.type !== 'bridge.event-too-large') || f.channelSeq === undefined) continue;
      if (f.channelSeq <= lastSeq) continue; // repeated by a resume: printed already
      if (f.channelSeq > lastSeq + 1) {
        ws.send(JSON.stringify({ action: 'resume', after: lastSeq })); // a gap: ask again from here
        break;
      }
      lastSeq = f.channelSeq;
      if (f.type === 'bridge.event-too-large') {
        console.log(`${String(f.channelSeq).padStart(4)} (too large for a frame: GET ${f.url})`);
      } else if (f.event && !subscribed.includes(f.event.link)) {
        continue; // the refusal of a subscription removed at start (said in its `Not listening` line)
      } else if (f.event) {
        if (opts.printJson) printJson({ channelSeq: f.channelSeq, event: f.event });
        else console.log(eventLine(f.event, f.channelSeq, showLink));
        if (secret) forward(f.event);
      }
      if (opts.count && ++seen >= opts.count) stop();
    }
    if (lastSeq > before && ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ action: 'ack', seq: lastSeq }));
  };

  const connect = () => {
    if (state === 'closed') return;
    state = 'connecting';
    const ws = (socket = new WebSocket(channel.url));
    ws.on('pong', () => (pongAt = Date.now()));
    ws.on('open', () => {
      state = 'open';
      pongAt = Date.now();
      retryMs = 500;
      ws.send(JSON.stringify({ action: 'resume', after: lastSeq }));
      if (!ready) {
        ready = true;
        console.log(
          `Ready: channel ${channel.id}, ${tgt.type}${'id' in tgt ? ` ${tgt.id}` : ''} on ${subscribed.join(', ')} (${families.join(',')}). Ctrl-C to stop.`,
        );
      } else console.log(`(reconnected; resuming after ${lastSeq})`);
    });
    ws.on('message', (data) => {
      let msg: Frame & { frames?: Frame[] };
      try {
        msg = JSON.parse(data.toString()) as Frame & { frames?: Frame[] };
      } catch {
        return;
      }
      onFrames(ws, msg.type === 'events' ? (msg.frames ?? []) : [msg]);
    });
    ws.on('error', () => undefined); // the close that follows reconnects
    ws.on('close', () => {
      if (state === 'closed') return;
      state = 'waiting';
      console.log(`(connection lost; reconnecting in ${retryMs} ms)`);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    });
  };
  connect();
  // A heartbeat of our own: a socket that went quiet across a sleep is noticed within a minute.
  let pongAt = Date.now();
  const ping = setInterval(() => {
    if (state !== 'open' || socket?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - pongAt > 65_000)
      socket.terminate(); // no answer to two pings: reconnect
    else socket.ping();
  }, 30_000);
  ping.unref();

  await done;
  clearInterval(ping);
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  await forwarding;
  await cleanup();
  console.log(`Stopped; removed channel ${channel.id} and ${subscriptions.length} subscription(s).`);
}
