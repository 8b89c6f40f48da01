/**
 * The webhook sender (connector/delivery/webhook.ts) against a loopback receiver: POSTs reuse kept-alive
 * connections, a host is checked when a connection is opened (and connected to at the address checked),
 * and the answer's status, `Retry-After`, body cap and the overall timeout come back in the result.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createWebhookSender, type WebhookSender } from '../../../connector/delivery/webhook.js';
import { receiver, type Received } from './helpers.js';

const respondNoContent = (_r: Received, res: ServerResponse) => void res.writeHead(204).end();
let answer = respondNoContent;
let rx: Awaited<ReturnType<typeof receiver>>;
let sender: WebhookSender | undefined;

beforeAll(async () => {
  rx = await receiver((r, res) => answer(r, res));
});
afterEach(() => {
  sender?.close();
  sender = undefined;
  rx.got.length = 0;
  answer = respondNoContent;
});
afterAll(() => rx.close());

const url = (host = '127.0.0.1') => `http://${host}:${rx.port}/hooks/a?b=1`;

it('posts the body and headers, and reuses kept-alive connections for POSTs one after another', async () => {
  sender = createWebhookSender({ policy: { allowLoopback: true }, userAgent: 'test-agent/1' });
  const before = rx.connections();
  for (let i = 0; i < 20; i++) {
    const res = await sender.post(url(), `{"n":${i}}`, { 'webhook-id': `msg_${i}` }, { timeoutMs: 5_000 });
    expect(res).toMatchObject({ statusCode: 204, error: null, refused: false, retryAfterMs: null });
  }
  expect(rx.got.map((s) => s.body)).toEqual([...Array(20).keys()].map((n) => `{"n":${n}}`));
  expect(rx.got[4]!.headers).toMatchObject({
    'content-type': 'application/json',
    'user-agent': 'test-agent/1',
    'webhook-id': 'msg_4',
    'content-length': '7',
  });
  // (a connection may still be busy with its answer's end when the next POST starts: then a second one)
  expect(rx.connections() - before).toBeLessThanOrEqual(2);
});

it('checks a host name when it connects: a refused address is never connected to', async () => {
  const resolved: string[] = [];
  sender = createWebhookSender({
    policy: {},
    resolver: (host) => {
      resolved.push(host);
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    },
  });
  const before = rx.connections();
  const res = await sender.post(url('hooks.example'), '{}', {}, { timeoutMs: 5_000 });
  expect(res).toMatchObject({ statusCode: null, refused: true });
  expect(res.error).toMatch(/refused hooks\.example: 127\.0\.0\.1 is a loopback address/);
  expect(resolved).toEqual(['hooks.example']);
  // an IP literal is checked alike, without a lookup
  expect(await sender.post(url('[::1]'), '{}', {}, { timeoutMs: 5_000 })).toMatchObject({ refused: true });
  expect(rx.connections()).toBe(before);
});

it('connects to the address it checked and sends the name as the Host', async () => {
  sender = createWebhookSender({
    policy: { allowLoopback: true },
    resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  });
  const res = await sender.post(url('hooks.example'), '{}', {}, { timeoutMs: 5_000 });
  expect(res.statusCode).toBe(204);
  expect(rx.got[0]!.headers.host).toBe(`hooks.example:${rx.port}`);
});

it('reads Retry-After, keeps at most 64 KiB of a body when asked, and times out a silent server', async () => {
  sender = createWebhookSender({ policy: { allowLoopback: true } });
  answer = (_r, res) => void res.writeHead(503, { 'retry-after': '7' }).end('busy');
  expect(await sender.post(url(), '{}', {}, { timeoutMs: 5_000 })).toMatchObject({
    statusCode: 503,
    error: 'HTTP 503',
    retryAfterMs: 7_000,
  });

  answer = (_r, res) => void res.writeHead(200).end('{"route":"' + 'x'.repeat(100_000) + '"}');
  const big = await sender.post(url(), '{}', {}, { timeoutMs: 5_000, captureBody: true });
  expect(big.statusCode).toBe(200);
  expect(big.body!.length).toBeGreaterThan(0);
  expect(big.body!.length).toBeLessThanOrEqual(65_536);
  expect(big.body!.startsWith('{"route":"xxx')).toBe(true);

  answer = () => undefined; // never answers
  const slow = await sender.post(url(), '{}', {}, { timeoutMs: 200 });
  expect(slow).toMatchObject({ statusCode: null, error: 'timeout after 200 ms', refused: false });
  expect(slow.latencyMs).toBeGreaterThanOrEqual(190);
});

it('reports a refused connection as a connection error, not a refusal by the policy', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const freePort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  sender = createWebhookSender({ policy: { allowLoopback: true } });
  const res = await sender.post(`http://127.0.0.1:${freePort}/`, '{}', {}, { timeoutMs: 5_000 });
  expect(res).toMatchObject({ statusCode: null, refused: false });
  expect(res.error).toMatch(/^connection error: .*ECONNREFUSED/);
});
