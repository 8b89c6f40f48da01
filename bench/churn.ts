/**
 * `npm run bench -- --only churn`: what long-running delivery processes keep of webhook channels that
 * come and go. Two delivery services (two connector tasks, in this one process) each own one link. Each
 * round creates `channels` webhook channels, each subscribed to both links (`system`), logs `events` call
 * events on each link that every channel receives (loopback receiver, `204`), deletes the channels, then
 * waits until both services have forgotten them or `settleMs` passed. A service learns of a deleted
 * channel when its recovery scan finds the channel's work item and no channel, and then removes the
 * item: only the first of the two does; the other forgets the channel once it is idle (`forgetIdleMs`,
 * docs/delivery.md). Printed: the deleted channels still held after `settleMs`, and the heap after a full
 * garbage collection at the end of each round (its growth over the second half of the rounds, per deleted
 * channel, is what the services keep of every channel they ever served).
 *
 * @example
 * const r = await churnBench({ rounds: 16, channels: 50, events: 10, forgetIdleMs: 1000, settleMs: 5000 });
 * console.log(r.perChannelKiB); // heap kept per deleted channel
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventLogWriter } from '../connector/event-log-writer.js';
import { startDelivery } from '../connector/delivery/index.js';
import { adminApi, quietStack, sleep, systemCallDraft } from './helper.js';

export interface ChurnOptions {
  rounds: number;
  channels: number;
  events: number;
  /** The delivery process's idle limit (ms; the product's default is 10 minutes). */
  forgetIdleMs: number;
  /** How long a round waits at most for the deleted channels to be forgotten (ms). */
  settleMs: number;
}

export interface ChurnResult {
  /** Heap used after a full collection at the end of each round (bytes). */
  heapAfterRound: number[];
  /** Heap growth per deleted channel over the second half of the rounds (KiB). */
  perChannelKiB: number;
  /** Deleted channels one of the services still held `settleMs` after their deletion, all rounds. */
  stillHeld: number;
  posts: number;
}

/** A full collection (the flag is set at run time; `gc` then lives in a new context's global). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

export async function churnBench(opts: ChurnOptions): Promise<ChurnResult> {
  const gc = collector();
  let posts = 0;
  let waiting: { n: number; resolve: () => void } | undefined;
  const rx = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      res.writeHead(204).end();
      if (waiting && posts >= waiting.n) waiting.resolve();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/`;
  const stack = await quietStack();
  const links = ['churn-a', 'churn-b'];
  const services = links.map((link) => {
    const delivery = startDelivery({
      deps: stack.deps,
      allowLoopbackWebhooks: true,
      forgetIdleMs: opts.forgetIdleMs,
      recoverMs: 200,
      channelCacheMs: 200,
      subscriptionCacheMs: 200,
    });
    const writer = new EventLogWriter(stack.deps, { ttlDays: 1 });
    writer.listen(delivery.onEvent);
    return { link, delivery, writer };
  });
  const api = adminApi(stack);
  const heapAfterRound: number[] = [];
  let stillHeld = 0;
  try {
    for (const id of links)
      await api('POST', '/v1/links', {
        id,
        vendor: 'broadworks-cti',
        endpoint: 'tcp://127.0.0.1:9',
        credentials: { username: 'u', password: 'p' },
      });
    for (let round = 0; round < opts.rounds; round++) {
      const ids: string[] = [];
      for (let i = 0; i < opts.channels; i++) {
        const ch = await api('POST', '/v1/channels', { type: 'webhook', url });
        for (const link of links)
          await api('POST', '/v1/subscriptions', {
            channel: ch.id,
            link,
            target: { type: 'system' },
            events: ['call'],
          });
        ids.push(ch.id);
      }
      const expected = posts + opts.channels * opts.events * services.length;
      const received = new Promise<void>((resolve) => (waiting = { n: expected, resolve }));
      for (let e = 0; e < opts.events * services.length; e++) {
        const { writer, link } = services[e % services.length]!;
        const corr = `churn-${round}-${e}`;
        await writer.write('default', link, systemCallDraft(corr, 'call.received', '+15551230000'));
      }
      await received;
      for (const id of ids) await api('DELETE', `/v1/channels/${id}`);
      // forgotten: no first-attempt success of a deleted channel is held by either service any more
      const end = performance.now() + opts.settleMs;
      const holding = () =>
        ids.filter((id) => services.some((s) => s.delivery.latestSuccesses('default', id).length > 0)).length;
      let held = holding();
      while (held > 0 && performance.now() < end) {
        await sleep(100);
        held = holding();
      }
      stillHeld += held;
      gc();
      heapAfterRound.push(process.memoryUsage().heapUsed);
    }
  } finally {
    for (const s of services) await s.delivery.stop();
    await stack.stop();
    rx.close();
  }
  // the second half: the first rounds also fill what is bounded (caches, windows, compiled code)
  const from = Math.floor(opts.rounds / 2) - 1;
  const grown = heapAfterRound.at(-1)! - heapAfterRound[from]!;
  return {
    heapAfterRound,
    perChannelKiB: grown / 1024 / Math.max(1, (opts.rounds - 1 - from) * opts.channels),
    stillHeld,
    posts,
  };
}
