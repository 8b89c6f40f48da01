/**
 * A small CTIPS client for the simulator tests: the front-end on a fresh core, SOAP requests over real
 * HTTP, and a callback server (the client-hosted service) that records StartSession, heartbeats and
 * events and lets a test await them. The callback server can be told to fail (HTTP 500) to exercise
 * the missed-heartbeat rule.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PbxCore } from '../../../simulator/core/index.js';
import { defaultDirectory } from '../../../simulator/directory.js';
import { CtipsFrontEnd, type CtipsSimOptions } from '../../../vendors/aspect-ctips/simulator/index.js';
import {
  buildRequest,
  callbackResponse,
  CtipsFault,
  parseCallback,
  parseResponse,
  startSessionOf,
  textOf,
  type CtipsEvent,
  type CtipsOperation,
  type XmlNode,
} from '../../../vendors/aspect-ctips/wire/index.js';

export const ADMIN = { username: 'bridge', password: 'bridge-secret', admin: true };

export interface Sim {
  core: PbxCore;
  fe: CtipsFrontEnd;
  serviceUrl: string;
  stop(): Promise<void>;
}

export async function startCtipsSim(options: Partial<CtipsSimOptions> = {}): Promise<Sim> {
  const core = new PbxCore(defaultDirectory(), { legId: (n) => `leg-${n}` });
  const fe = new CtipsFrontEnd(core, { host: '127.0.0.1', port: 0, credentials: [ADMIN], ...options });
  await fe.start();
  return {
    core,
    fe,
    serviceUrl: fe.serviceUrl,
    async stop() {
      await fe.stop();
      core.dispose();
    },
  };
}

/** A SOAP call; resolves the result element or rejects with CtipsFault. */
export async function call(sim: Sim, op: CtipsOperation, params: Record<string, unknown>): Promise<XmlNode> {
  const { soapAction, xml } = buildRequest(op, params);
  const res = await fetch(sim.serviceUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
    body: xml,
  });
  return parseResponse(op, await res.text()).result;
}

/** Resolves the fault a call gets (fails the test if it succeeds). */
export async function fault(
  sim: Sim,
  op: CtipsOperation,
  params: Record<string, unknown>,
): Promise<CtipsFault> {
  try {
    await call(sim, op, params);
  } catch (e) {
    if (e instanceof CtipsFault) return e;
    throw e;
  }
  throw new Error(`${op} succeeded`);
}

export interface Received {
  op: string;
  event?: CtipsEvent;
  start?: { UserName: string; Password: string; SessionId: string };
  at: number;
}

/** The client-hosted callback service. */
export class CallbackServer {
  readonly received: Received[] = [];
  /** While true, every callback is answered 500. */
  failing = false;
  /** The int HeartbeatMessage is answered with (CTIPS does not check it, L1096). */
  heartbeatResult = 0;
  private server: Server | undefined;
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const p = parseCallback(body);
        if (this.failing) {
          res.writeHead(500).end();
        } else {
          res
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(callbackResponse(p.op, p.op === 'HeartbeatMessage' ? this.heartbeatResult : 0));
        }
        const r: Received = { op: p.op, at: Date.now() };
        if (p.event) r.event = p.event;
        if (p.op === 'StartSession') r.start = startSessionOf(p.node);
        this.received.push(r);
        for (const w of [...this.waiters]) {
          if (w.pred(r)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(r);
          }
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/www.aspect.com/PublishEvents`;
    return this;
  }

  /** Waits for a callback (already received or future) matching `pred`. */
  wait(pred: (r: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const seen = this.received.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a callback')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      });
    });
  }

  /** Waits for an event of type `name` (optionally matching more). */
  event(name: string, more: (n: XmlNode) => boolean = () => true): Promise<CtipsEvent> {
    return this.wait((r) => r.event?.name === name && more(r.event.node)).then((r) => r.event!);
  }

  /** Event names received so far, in order. */
  names(): string[] {
    return this.received.filter((r) => r.event).map((r) => r.event!.name);
  }

  clear(): void {
    this.received.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A field of an event. */
export const field = (n: XmlNode, name: string) => textOf(n, name);

/** Opens a session: OpenConnection, the given classes, OnLine. */
export async function openSession(
  sim: Sim,
  cb: CallbackServer,
  classes: string[] = [
    'EventCategoryAgent',
    'EventCategoryCall',
    'EventCategoryRoute',
    'EventCategorySystem',
  ],
  online = true,
): Promise<string> {
  const res = await call(sim, 'OpenConnection', {
    TenantIds: [1],
    UserCredentials: { UserName: ADMIN.username, Password: ADMIN.password },
    ClientCallbackURL: cb.url,
  });
  const sessionId = textOf(res, 'SessionId')!;
  for (const c of classes)
    await call(sim, 'AddMessageClass', { SessionId: sessionId, TenantId: 1, MessageClass: c });
  if (online) await call(sim, 'OnLine', { SessionId: sessionId, TenantId: 1 });
  return sessionId;
}
