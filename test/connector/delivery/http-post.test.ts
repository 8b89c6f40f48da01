/**
 * `postOnce` (connector/delivery/http-post.ts), the one POST both delivery senders make, against a
 * loopback server: the overall timeout holds for a POST still waiting for a connection (and it is never
 * sent afterwards), an answer cut short after its status line counts as that answer, a long answer is
 * read only as far as the cap, and a refused connection rejects.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostTimeoutError, postOnce } from '../../../connector/delivery/http-post.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const arrived: string[] = [];
let origin: string;
const server = createServer((req, res) => {
  arrived.push(req.url!);
  req.resume();
  req.on('end', () => (routes.get(req.url!) ?? ((_q, s) => s.writeHead(204).end()))(req, res));
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const limits = { timeoutMs: 2_000, maxAnswerBytes: 1_024, keepBody: true };
const req = (path: string) => ({ origin, path, headers: { 'content-type': 'application/json' }, body: '{}' });

it('times out a POST that waits for a connection, and never sends it afterwards', async () => {
  const agent = new Agent({ connections: 1, headersTimeout: 0, bodyTimeout: 0 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  routes.set('/slow', (_q, res) => void held.then(() => res.writeHead(200).end('late')));
  const slow = postOnce(agent, req('/slow'), { ...limits, timeoutMs: 10_000 });
  await expect.poll(() => arrived.includes('/slow')).toBe(true);
  // the only connection is busy: this one queues, and its time runs out there
  const queued = postOnce(agent, req('/queued'), { ...limits, timeoutMs: 200 });
  await expect(queued).rejects.toBeInstanceOf(PostTimeoutError);
  release();
  expect((await slow).body.toString()).toBe('late');
  // the connection is free again: a later POST goes out, the timed-out one did not
  expect((await postOnce(agent, req('/after'), limits)).statusCode).toBe(204);
  expect(arrived.filter((u) => u === '/queued' || u === '/after')).toEqual(['/after']);
  await agent.close();
});

it('counts an answer cut short after its status line, and reads a long one only up to the cap', async () => {
  const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  routes.set('/cut', (_q, res) => {
    res.writeHead(503, { 'retry-after': '7', 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const cut = await postOnce(agent, req('/cut'), limits);
  expect(cut.statusCode).toBe(503);
  expect(cut.headers['retry-after']).toBe('7');
  expect(cut.body.toString()).toBe('partial');

  routes.set('/long', (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('x'.repeat(1_000));
    res.write('y'.repeat(1_000)); // over the cap: the rest is never read
    // the server keeps the answer open; the cap, not the end, settles the POST
  });
  const long = await postOnce(agent, req('/long'), limits);
  expect(long.statusCode).toBe(200);
  // exactly the cap, however the answer was cut into chunks on the way
  expect(long.body.toString()).toBe('x'.repeat(1_000) + 'y'.repeat(24));

  const dropped = await postOnce(agent, req('/long'), { ...limits, keepBody: false });
  expect(dropped.body.length).toBe(0);
  await agent.destroy();
});

it('rejects with the error of a connection that could not be opened, or of a request never sent', async () => {
  const agent = new Agent();
  const refused = postOnce(agent, { ...req('/x'), origin: 'http://127.0.0.1:9' }, limits);
  await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  // a request undici will not send fails at once, not at its timeout
  const started = performance.now();
  const bad = postOnce(agent, { ...req('/x'), headers: { 'transfer-encoding': 'chunked' } }, limits);
  await expect(bad).rejects.toThrow();
  expect(performance.now() - started).toBeLessThan(limits.timeoutMs / 2);
  await agent.close();
  // and so does any POST on a closed agent
  await expect(postOnce(agent, req('/x'), limits)).rejects.toThrow(/closed|destroyed/i);
});
