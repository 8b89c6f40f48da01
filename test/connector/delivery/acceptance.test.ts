/**
 * Webhook acceptance checks with real HTTP receivers on loopback: the retry schedule against an injected
 * clock (computed due times, no waiting), a crash in the middle of a retry, and SSRF refusals end to end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_MS, type DeliveryClock } from '../../../connector/delivery/index.js';
import type { LocalStack } from '../../../local/stack.js';
import { testStack, newTenantWithLink } from '../../support/stack.js';
import { callDraft, receiver, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(url: string) {
  const t = await newTenantWithLink(stack);
  const ch = (await t.client.post('/v1/channels', { type: 'webhook', url })).body;
  expect(ch.id).toBeDefined();
  expect(
    (
      await t.client.post('/v1/subscriptions', {
        channel: ch.id,
        link: 'pbx',
        target: { type: 'system' },
        events: ['call'],
      })
    ).status,
  ).toBe(201);
  return { t, ch };
}

/** A clock the test moves by hand; timers fire when it passes their due time. */
class ManualClock implements DeliveryClock {
  t = Date.parse('2030-01-01T00:00:00.000Z');
  private timers = new Set<{ at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const h = { at: this.t + ms, fn };
    this.timers.add(h);
    return h;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as { at: number; fn: () => void });
  advanceTo(t: number) {
    this.t = t;
    for (const h of [...this.timers])
      if (h.at <= t) {
        this.timers.delete(h);
        h.fn();
      }
  }
}

describe('webhook retry schedule (injected clock)', () => {
  it('attempts at once, then after 5 s, 5 min, 30 min (here postponed by Retry-After), 2 h, 5 h, 10 h, 10 h, then fails', async () => {
    // Attempt 3 answers 429 with Retry-After: 3600, which postpones attempt 4 from 30 min to 1 h.
    const rx = await receiver((_r, res, n) =>
      n === 3 ? res.writeHead(429, { 'retry-after': '3600' }).end() : res.writeHead(503).end(),
    );
    const { t, ch } = await setup(rx.url);
    const clock = new ManualClock();
    const { writer, delivery } = wire(stack, {
      clock,
      retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
      retryJitter: 0,
      disableAfterMs: 30 * 86_400_000,
    });
    const expected = [5_000, 300_000, 3_600_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    expect(DEFAULT_RETRY_SCHEDULE_MS).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    try {
      const e = (await writer.write(t.id, 'pbx', callDraft('alice', 'sched')))!;
      const t0 = clock.now();
      const dueTimes: number[] = [];
      for (let n = 1; n <= 8; n++) {
        await rx.waitFor(n);
        const at = clock.now();
        if (n === 1) expect(at).toBe(t0); // at once
        const get = () => t.client.get(`/v1/channels/${ch.id}/deliveries`).then((r) => r.body.items[0]);
        if (n === 8) {
          const d = await until(get, (x) => x?.status === 'failed');
          expect(d.attempts.map((a: any) => a.statusCode)).toEqual([503, 503, 429, 503, 503, 503, 503, 503]);
          expect(d.attempts.map((a: any) => Date.parse(a.at) - t0)).toEqual([
            0,
            ...dueTimes.map((x) => x - t0),
          ]);
          break;
        }
        const d = await until(get, (x) => x?.attemptCount === n && x.nextAttemptAt !== null);
        expect(d.status).toBe('pending');
        const due = Date.parse(d.nextAttemptAt);
        expect(due - at).toBe(expected[n - 1]);
        dueTimes.push(due);
        // Nothing goes out a millisecond early ...
        clock.advanceTo(due - 1);
        await sleep(120);
        expect(rx.got).toHaveLength(n);
        // ... and the attempt goes out when its due time comes.
        clock.advanceTo(due);
      }
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual(Array(8).fill(e.id));
      expect(dueTimes.map((d) => d - t0)).toEqual([
        5_000, 305_000, 3_905_000, 11_105_000, 29_105_000, 65_105_000, 101_105_000,
      ]);
      clock.advanceTo(clock.now() + 100 * 3_600_000);
      await sleep(200);
      expect(rx.got).toHaveLength(8);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });
});

describe('connector restart in the middle of a retry', () => {
  it('a crash with a retry scheduled: the new process makes the retry, exactly once', async () => {
    let ok = false;
    const rx = await receiver((_r, res) => res.writeHead(ok ? 200 : 500).end());
    const { t, ch } = await setup(rx.url);
    const first = wire(stack, { retryScheduleMs: [0, 400, 400, 400] });
    const e = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'crash1')))!;
    await rx.waitFor(1);
    await until(
      () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
      (r) => r.body.items[0]?.attemptCount === 1,
    );
    first.delivery.kill(); // no graceful stop: timers and queues die with the process
    ok = true;
    const second = wire(stack);
    try {
      await rx.waitFor(2);
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items[0]?.status === 'delivered',
      );
      expect(d.body.items[0].attempts.map((a: any) => a.statusCode)).toEqual([500, 200]);
      await sleep(1000); // the dead process's schedule (400 ms) is long past
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e.id, e.id]);
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });

  it('a crash while a first attempt is in flight: the next owner of the link sends it again, exactly once', async () => {
    let hang = true;
    const rx = await receiver((_r, res) => (hang ? undefined : res.writeHead(200).end()));
    const { t, ch } = await setup(rx.url);
    const opts = { webhookTimeoutMs: 400, claimMarginMs: 300 };
    const first = wire(stack, opts);
    const e = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'crash2')))!;
    await rx.waitFor(1); // the attempt is on the wire, unanswered; the delivery exists in memory only
    first.delivery.kill();
    hang = false;
    const second = wire(stack, opts);
    try {
      // The link's watermark stayed below the event: taking the link matches it again.
      await second.delivery.linkOwned(t.id, 'pbx');
      await rx.waitFor(2);
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items[0]?.status === 'delivered',
      );
      // The abandoned attempt left no record; the new process made one attempt.
      expect(d.body.items.map((x: any) => x.eventId)).toEqual([e.id]);
      expect(d.body.items[0].attempts.map((a: any) => a.statusCode)).toEqual([200]);
      await sleep(1200);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e.id, e.id]);
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });

  it('a crash while a retry is in flight: after the claim lapses the new process retries, exactly once', async () => {
    let answer: 'fail' | 'hang' | 'ok' = 'fail';
    const rx = await receiver((_r, res) =>
      answer === 'hang' ? undefined : res.writeHead(answer === 'ok' ? 200 : 500).end(),
    );
    const { t, ch } = await setup(rx.url);
    const opts = { webhookTimeoutMs: 400, claimMarginMs: 300, retryScheduleMs: [0, 300, 300] };
    const first = wire(stack, opts);
    const e = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'crash3')))!;
    await rx.waitFor(1); // the first attempt failed: the delivery is stored with its retry
    answer = 'hang';
    await rx.waitFor(2); // the retry is on the wire, unanswered, claimed by the first process
    first.delivery.kill();
    answer = 'ok';
    const second = wire(stack, opts);
    try {
      await rx.waitFor(3);
      const d = await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items[0]?.status === 'delivered',
      );
      // The abandoned retry left no record; the new process made one attempt.
      expect(d.body.items[0].attempts.map((a: any) => a.statusCode)).toEqual([500, 200]);
      await sleep(1200);
      expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([e.id, e.id, e.id]);
    } finally {
      await second.delivery.stop();
      await rx.close();
    }
  });
});

describe('SSRF refusals end to end', () => {
  it('never reaches a receiver behind a refused address; an allowed network still gets its webhook', async () => {
    const rx = await receiver(); // 127.0.0.1
    // A receiver on ::1 when the host has IPv6 loopback.
    const got6: string[] = [];
    const srv6 = createServer((req, res) => (got6.push(req.url ?? ''), res.writeHead(204).end()));
    const port6 = await new Promise<number | null>((resolve) => {
      srv6.once('error', () => resolve(null));
      srv6.listen(0, '::1', () => resolve((srv6.address() as AddressInfo).port));
    });
    // The control: an allowed network (127.0.0.2/32) with its own receiver.
    const gotOk: string[] = [];
    const srvOk = createServer(
      (req, res) => (gotOk.push(req.headers['webhook-id'] as string), res.writeHead(204).end()),
    );
    await new Promise<void>((r) => srvOk.listen(0, '127.0.0.2', r));
    const portOk = (srvOk.address() as AddressInfo).port;
    const names: Record<string, string> = {
      'hooks.internal.test': '10.1.2.3',
      'rebind.test': '127.0.0.1',
      'allowed.test': '127.0.0.2',
    };
    const resolver = async (h: string) => (names[h] ? [{ address: names[h], family: 4 }] : []);
    const refusedUrls = [
      [`http://127.0.0.1:${rx.port}/hook`, /127\.0\.0\.1 is a loopback/],
      [`http://10.0.0.1:${rx.port}/hook`, /10\.0\.0\.1 is a private/],
      ['http://169.254.169.254/latest/meta-data/iam/', /169\.254\.169\.254 is a link-local/],
      [`http://[::1]:${port6 ?? rx.port}/hook`, /::1 is a loopback/],
      [`http://[::ffff:127.0.0.1]:${rx.port}/hook`, /is a loopback/],
      [`http://hooks.internal.test:${rx.port}/hook`, /10\.1\.2\.3 is a private/],
      [`http://rebind.test:${rx.port}/hook`, /127\.0\.0\.1 is a loopback/],
    ] as const;
    const chans = [];
    for (const [url, why] of refusedUrls) chans.push({ ...(await setup(url)), why, url });
    const ok = await setup(`http://allowed.test:${portOk}/hook`);
    const { writer, delivery } = wire(stack, {
      allowLoopbackWebhooks: false,
      allowedWebhookNetworks: ['127.0.0.2/32'],
      resolver,
      retryScheduleMs: [0, 50],
    });
    try {
      for (const c of chans) await writer.write(c.t.id, 'pbx', callDraft('alice', 'ssrf'));
      const okEvent = (await writer.write(ok.t.id, 'pbx', callDraft('alice', 'ssrf-ok')))!;
      for (const c of chans) {
        const d = await until(
          () => c.t.client.get(`/v1/channels/${c.ch.id}/deliveries?status=failed`),
          (r) => r.body.items.length === 1,
        );
        const attempts = d.body.items[0].attempts;
        expect(attempts).toHaveLength(2);
        for (const a of attempts) {
          expect(a.statusCode, c.url).toBeNull();
          expect(a.error, c.url).toMatch(/^refused /);
          expect(a.error, c.url).toMatch(c.why);
        }
      }
      await until(
        async () => gotOk.length,
        (n) => n === 1,
      );
      expect(gotOk).toEqual([okEvent.id]);
      await sleep(200);
      expect(rx.got).toHaveLength(0);
      expect(got6).toHaveLength(0);
    } finally {
      await delivery.stop();
      await rx.close();
      srv6.close();
      srvOk.closeAllConnections();
      srvOk.close();
    }
  });
});
