/**
 * A small IP Office CTI WebServices client for the simulator tests: the front-end on a fresh core, REST
 * requests over real HTTP, and event sockets that collect parsed frames and let a test await an event.
 */
import WebSocket from 'ws';
import { PbxCore } from '../../../simulator/core/index.js';
import { defaultDirectory } from '../../../simulator/directory.js';
import { IpoCtiFrontEnd, type IpoCtiSimOptions } from '../../../vendors/avaya-ipo-cti/simulator/index.js';
import { parseEventsFrame, type WireEvent } from '../../../vendors/avaya-ipo-cti/wire/events.js';
import {
  parseLoginResponse,
  userLoginRequest,
  type LoginResponse,
} from '../../../vendors/avaya-ipo-cti/wire/session.js';

export const ADMIN = { username: 'bridge', password: 'bridge-secret', admin: true };

export interface Sim {
  core: PbxCore;
  fe: IpoCtiFrontEnd;
  url: string;
  stop(): Promise<void>;
}

export async function startIpoSim(options: Partial<IpoCtiSimOptions> = {}): Promise<Sim> {
  const core = new PbxCore(defaultDirectory(), { legId: (n) => `leg-${n}` });
  const fe = new IpoCtiFrontEnd(core, { host: '127.0.0.1', port: 0, credentials: [ADMIN], ...options });
  const { url } = await fe.start();
  return {
    core,
    fe,
    url,
    async stop() {
      await fe.stop();
      core.dispose();
    },
  };
}

export interface HttpReply {
  status: number;
  body: string;
  headers: Headers;
}

export async function request(
  sim: Sim,
  method: string,
  path: string,
  opts: { session?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = { 'content-type': 'application/xml', ...opts.headers };
  if (opts.session) headers.ClientSessionId = opts.session;
  const res = await fetch(`${sim.url}/inyama/service/${path}`, { method, headers, body: opts.body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function login(
  sim: Sim,
  userName: string,
  opts: { password?: string; applicationName?: string; eventTypes?: string[] } = {},
): Promise<{ status: number; body: string; headers: Headers; response: LoginResponse | undefined }> {
  const body = userLoginRequest({
    userName,
    userPassword: opts.password ?? 'bridge-secret',
    applicationName: opts.applicationName ?? 'tests',
    eventTypes: opts.eventTypes ?? [],
  });
  const r = await request(sim, 'POST', 'session', { body });
  let response: LoginResponse | undefined;
  try {
    response = parseLoginResponse(r.body);
  } catch {
    response = undefined;
  }
  return { ...r, response };
}

/** An event socket: every frame parsed, events awaited by predicate. */
export class EventSocket {
  readonly frames: WireEvent[][] = [];
  readonly events: WireEvent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (e: WireEvent) => boolean; resolve: (e: WireEvent) => void; from: number }[] = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data) => {
      const frame = parseEventsFrame(data.toString()).events;
      this.frames.push(frame);
      for (const e of frame) {
        this.events.push(e);
        for (const w of [...this.waiters]) {
          if (w.pred(e)) {
            this.waiters = this.waiters.filter((x) => x !== w);
            w.resolve(e);
          }
        }
      }
    });
  }

  static async open(url: string): Promise<EventSocket> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new EventSocket(ws);
  }

  /** The first event (from index `from` on) matching `pred`, now or when it arrives. */
  next(pred: (e: WireEvent) => boolean, from = 0, timeoutMs = 3000): Promise<WireEvent> {
    const seen = this.events.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
      this.waiters.push({
        pred,
        from,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  named(name: string, from = 0): Promise<WireEvent> {
    return this.next((e) => e.name === name, from);
  }

  close(): void {
    this.ws.close();
  }
}

/** Logs in and opens the event socket. */
export async function connect(
  sim: Sim,
  userName: string,
  opts: { password?: string; applicationName?: string; eventTypes?: string[]; query?: string } = {},
): Promise<{ id: string; socket: EventSocket; response: LoginResponse }> {
  const r = await login(sim, userName, opts);
  if (r.status !== 200 || !r.response) throw new Error(`login failed: ${r.status} ${r.body}`);
  const socket = await EventSocket.open(`${r.response.webSocketWsUrl!}${opts.query ?? ''}`);
  return { id: r.response.clientSessionID, socket, response: r.response };
}
