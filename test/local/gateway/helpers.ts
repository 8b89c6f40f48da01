/** Helpers for the gateway tests: recorded events to await, a raw HTTP client and a WebSocket client. */
import { request } from 'node:http';
import { WebSocket } from 'ws';

/** Items pushed by handlers; `next(pred)` waits for the first (past or future) item matching `pred`. */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters: { pred: (x: T) => boolean; resolve: (x: T) => void }[] = [];

  push(item: T) {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(item)) return true;
      w.resolve(item);
      return false;
    });
  }

  next(pred: (x: T) => boolean = () => true): Promise<T> {
    const found = this.items.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

/** A promise with its resolver, for handlers the test releases. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** One HTTP request with full control of headers (repeated headers as arrays) and body bytes. */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface Frame {
  data: Buffer;
  isBinary: boolean;
  text: string;
}

/** A connected WebSocket client whose frames and close can be awaited. */
export interface Client {
  ws: WebSocket;
  frames: Recorder<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a client; resolves when open, rejects with the handshake status when refused. */
export function connect(
  url: string,
  opts: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers });
    const frames = new Recorder<Frame>();
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      frames.push({ data: buf, isBinary, text: buf.toString() });
    });
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

/** Rejects with the handshake status when the upgrade is refused. */
export async function refusedStatus(url: string): Promise<number> {
  try {
    const c = await connect(url);
    c.ws.terminate();
    throw new Error('handshake was accepted');
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === undefined) throw err;
    return status;
  }
}
