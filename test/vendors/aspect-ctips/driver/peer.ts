/**
 * A scripted CTIPS for the driver tests, written from the document: an HTTP SOAP service that answers
 * the operations (L446-1070) and calls the client back (L1080-1106): StartSession during OpenConnection,
 * HeartbeatMessage on demand, the SnapShotUpdates of a Snapshot, and whatever events a test publishes.
 * Requests are recorded; a test scripts faults and the events a request causes through `on`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCallback } from '../../../../vendors/aspect-ctips/wire/callbacks.js';
import {
  buildResponse,
  parseRequest,
  type CtipsOperation,
} from '../../../../vendors/aspect-ctips/wire/operations.js';
import { soapFault } from '../../../../vendors/aspect-ctips/wire/soap.js';
import { nodeToValue } from '../../../../vendors/aspect-ctips/wire/values.js';
import { child, textOf } from '../../../../vendors/aspect-ctips/wire/xml.js';

export interface PeerRequest {
  op: CtipsOperation;
  soapAction: string;
  fields: Record<string, unknown>;
}

/** What a scripted request does: a fault, and/or events published after the answer. */
export interface Reaction {
  fault?: string;
  events?: Record<string, unknown>[];
}

export interface PeerOptions {
  /** The password OpenConnection must carry. */
  password?: string;
  /** Answer OpenConnection before calling StartSession (default: StartSession first). */
  startAfterAnswer?: boolean;
  /** Never call StartSession. */
  noStartSession?: boolean;
  /** Call StartSession with these credentials instead of OpenConnection's. */
  startCredentials?: { UserName: string; Password: string };
  /** Entities of the Snapshot (one SnapShotUpdate each, the last complete). */
  snapshot?: Record<string, unknown>[];
}

const read = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * @example
 * const peer = await new CtipsPeer().start();
 * peer.on('HoldCall', (f) => ({ events: [{ EventType: 'CallHeld', RequestId: f.RequestId, CallId: f.CallId }] }));
 */
export class CtipsPeer {
  readonly requests: PeerRequest[] = [];
  /** Answers of the callbacks the peer made: op and HTTP status. */
  readonly callbacks: { op: string; status: number; body: string }[] = [];
  callbackUrl: string | undefined;
  sessionId: string | undefined;
  sessions = 0;
  private server: Server | undefined;
  private readonly scripts = new Map<string, (fields: Record<string, unknown>) => Reaction | undefined>();
  private listeners: (() => boolean)[] = [];

  constructor(readonly opts: PeerOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/Aspect.UnifiedIP.EDK.CTIPortalService`;
  }

  ops(): string[] {
    return this.requests.map((r) => r.op);
  }

  on(op: string, react: (fields: Record<string, unknown>) => Reaction | undefined): this {
    this.scripts.set(op, react);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void read(req).then(async (xml) => {
        let op: CtipsOperation;
        let fields: Record<string, unknown>;
        try {
          const parsed = parseRequest(xml);
          op = parsed.op;
          fields = nodeToValue(parsed.params) as Record<string, unknown>;
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/xml' }).end(soapFault('Client', (err as Error).message));
          return;
        }
        this.requests.push({ op, soapAction: String(req.headers['soapaction'] ?? ''), fields });
        this.poke();
        const reaction = this.scripts.get(op)?.(fields);
        if (reaction?.fault) {
          res.writeHead(500, { 'content-type': 'text/xml' }).end(soapFault('Client', reaction.fault));
          return;
        }
        if (op === 'OpenConnection') return this.open(xml, fields, (body) => res.writeHead(200).end(body));
        res.writeHead(200, { 'content-type': 'text/xml' }).end(buildResponse(op, { result: 0 }));
        if (op === 'Snapshot') await this.sendSnapshot();
        for (const ev of reaction?.events ?? []) await this.publish(ev);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  private async open(
    _xml: string,
    fields: Record<string, unknown>,
    answer: (body: string) => void,
  ): Promise<void> {
    const creds = fields['UserCredentials'] as Record<string, string> | undefined;
    if (this.opts.password && creds?.['Password'] !== this.opts.password) {
      answer(buildResponse('OpenConnection', { SessionId: '', status: 5 }));
      return;
    }
    this.callbackUrl = String(fields['ClientCallbackURL']);
    this.sessions++;
    this.sessionId = `S${this.sessions}-${Math.random().toString(36).slice(2, 8)}`;
    const start = () =>
      this.call('StartSession', {
        UserName: creds?.['UserName'] ?? '',
        Password: creds?.['Password'] ?? '',
        ...this.opts.startCredentials,
        SessionId: this.sessionId,
      });
    if (!this.opts.startAfterAnswer && !this.opts.noStartSession) await start();
    answer(buildResponse('OpenConnection', { SessionId: this.sessionId, status: 0 }));
    if (this.opts.startAfterAnswer && !this.opts.noStartSession) await start();
  }

  private async sendSnapshot(): Promise<void> {
    const entities = this.opts.snapshot ?? [
      { SnapShotType: 'ServiceInfo', ServiceData: { ServiceId: 3, ServiceState: 'Active' } },
    ];
    for (const [i, e] of entities.entries())
      await this.publish({ EventType: 'SnapShotUpdate', ...e, SnapShotComplete: i === entities.length - 1 });
  }

  /** Calls the client's callback URL; resolves with its HTTP status. */
  async call(
    op: 'PublishCTIEvent' | 'HeartbeatMessage' | 'StartSession',
    payload: Record<string, unknown>,
    url = this.callbackUrl,
  ): Promise<number> {
    const { soapAction, xml } = buildCallback(op, payload);
    return this.post(op, url!, xml, soapAction);
  }

  async post(op: string, url: string, xml: string, soapAction = ''): Promise<number> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
      body: xml,
    });
    const body = await res.text();
    this.callbacks.push({ op, status: res.status, body });
    this.poke();
    return res.status;
  }

  publish(event: Record<string, unknown>): Promise<number> {
    return this.call('PublishCTIEvent', event);
  }

  heartbeat(): Promise<number> {
    return this.call('HeartbeatMessage', {});
  }

  /** Resolves once `pred` holds, re-checked on every request and callback. */
  until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`peer: timed out waiting for ${what}; ops ${this.ops().join(',')}`)),
        ms,
      );
      const check = () => {
        if (!pred()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      if (!check()) this.listeners.push(check);
    });
  }

  private poke(): void {
    this.listeners = this.listeners.filter((l) => !l());
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

/** The SessionId field of a recorded request. */
export const sessionOf = (r: PeerRequest): string | undefined => r.fields['SessionId'] as string | undefined;

/** The text of a field of a parsed node (re-exported for tests). */
export { child, textOf };
