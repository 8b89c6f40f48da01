/**
 * The webhook sender (connector/delivery/webhook.ts) against a loopback server: POSTs reuse kept-alive
 * connections, a host is checked when a connection is opened (and connected to at the address checked),
 * and the answer's status, `Retry-After`, body cap and the overall timeout come back in the result.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createWebhookSender, type WebhookSender } from '../../../connector/delivery/webhook.js';

let server: Server;
let port: number;
let connections = 0;
const seen: { host: string | undefined; body: string; headers: IncomingMessage['headers'] }[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();
let sender: WebhookSender | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        host: req.headers.host,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      });
      answer(req, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  sender?.close();
  sender = undefined;
  seen.length = 0;
  connections = 0;
  answer = (_req, res) => res.writeHead(204).end();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const url = (host = '127.0.0.1') => `http://${host}:${port}/hooks/a?b=1`;

it('posts the body and headers, and reuses kept-alive connections for POSTs one after another', async () => {
  sender = createWebhookSender({ policy: { allowLoopback: true }, userAgent: 'test-agent/1' });
  for (let i = 0; i < 20; i++) {
    const res = await sender.post(url(), `{"n":${i}}`, { 'webhook-id': `msg_${i}` }, { timeoutMs: 5_000 });
    expect(res).toMatchObject({ statusCode: 204, error: null, refused: false, retryAfterMs: null });
  }
  expect(seen.map((s) => s.body)).toEqual([...Array(20).keys()].map((n) => `{"n":${n}}`));
  expect(seen[4]!.headers).toMatchObject({
    'content-type': 'application/json',
    'user-agent': 'test-agent/1',
    'webhook-id': 'msg_4',
    'content-length': '7',
  });
  // (a connection may still be busy with its answer's end when the next POST starts: then a second one)
  expect(connections).toBeLessThanOrEqual(2);
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
  const res = await sender.post(url('hooks.example'), '{}', {}, { timeoutMs: 5_000 });
  expect(res).toMatchObject({ statusCode: null, refused: true });
  expect(res.error).toMatch(/refused hooks\.example: 127\.0\.0\.1 is a loopback address/);
  expect(resolved).toEqual(['hooks.example']);
  expect(connections).toBe(0);
  // an IP literal is checked alike, without a lookup
  expect(await sender.post(url('[::1]'), '{}', {}, { timeoutMs: 5_000 })).toMatchObject({ refused: true });
  expect(connections).toBe(0);
});

it('connects to the address it checked and sends the name as the Host', async () => {
  sender = createWebhookSender({
    policy: { allowLoopback: true },
    resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  });
  const res = await sender.post(url('hooks.example'), '{}', {}, { timeoutMs: 5_000 });
  expect(res.statusCode).toBe(204);
  expect(seen[0]!.host).toBe(`hooks.example:${port}`);
});

it('reads Retry-After, keeps at most 64 KiB of a body when asked, and times out a silent server', async () => {
  sender = createWebhookSender({ policy: { allowLoopback: true } });
  answer = (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
  expect(await sender.post(url(), '{}', {}, { timeoutMs: 5_000 })).toMatchObject({
    statusCode: 503,
    error: 'HTTP 503',
    retryAfterMs: 7_000,
  });

  answer = (_req, res) => res.writeHead(200).end('{"route":"' + 'x'.repeat(100_000) + '"}');
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
