/**
 * Test helpers: a minimal scripted BroadWorks Xsp (TCP server speaking just the messages the tests need)
 * and a recorder for driver hooks that lets tests await conditions instead of sleeping.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { XmlFramer } from '../../../../shared/xml/framer.js';
import { parseXml, textOf, child, type XNode } from '../../../../vendors/broadworks-cti/wire/index.js';
import type { DriverHooks, DriverLogger, LinkConfig } from '../../../../vendors/driver-kit/seam.js';
import type { EventDraft } from '../../../../shared/events/model.js';

const XSP = 'http://schema.broadsoft.com/XspXMLInterface';
const XSI = 'http://schema.broadsoft.com/xsi';

export interface Received {
  text: string;
  root: XNode;
  /** Root local name: request, eventresponse, keepalive, keepaliveresponse. */
  kind: string;
  /** xsi1:type of the request payload (AddChannelRequest, DialRequest, ...). */
  type?: string;
  requestId?: string;
  params: Record<string, string>;
  socket: net.Socket;
}

export type Handler = (req: Received, server: FakeXsp) => string | string[] | null | undefined;

/** Waits until `pred()` holds, re-checking whenever `emitter` emits 'change'. */
export function until<T>(
  emitter: EventEmitter,
  pred: () => T | undefined | false,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      const v = pred();
      if (v) {
        cleanup();
        resolve(v as T);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      emitter.off('change', check);
    };
    emitter.on('change', check);
    check();
  });
}

export function response(
  requestId: string | undefined,
  status: number,
  payloadInner = '',
  reason?: string,
  errorCode?: string,
): string {
  const err =
    errorCode !== undefined
      ? `<xsp:payload><ErrorInfo xmlns="${XSI}"><errorCode>${errorCode}</errorCode><summary>${reason ?? 'error'}</summary><summaryEnglish>${reason ?? 'error'}</summaryEnglish></ErrorInfo></xsp:payload>`
      : payloadInner
        ? `<xsp:payload>${payloadInner}</xsp:payload>`
        : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?><xsp:response version="17.0" xmlns:xsp="${XSP}">` +
    `<requestId>${requestId ?? ''}</requestId><sessionId>S-1</sessionId><statusCode>${status}</statusCode>` +
    `<reason>${reason ?? (status === 200 ? 'OK' : status === 201 ? 'Created' : 'Error')}</reason>${err}</xsp:response>\n`
  );
}

export interface EventSpec {
  requestId: string;
  eventId: string;
  seq?: number;
  subscriptionId?: string;
  userId?: string;
  targetId?: string;
  channelId?: string;
  type: string;
  /** Inner XML of eventData, using the xsi: prefix. */
  body: string;
}

export function eventXml(e: EventSpec): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><xsp:event version="17.0" xmlns:xsp="${XSP}">` +
    `<requestId>${e.requestId}</requestId><xsp:payload>` +
    `<xsi:Event xsi1:type="xsi:SubscriptionEvent" xmlns:xsi1="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsi="${XSI}">` +
    `<xsi:eventID>${e.eventId}</xsi:eventID>` +
    (e.seq !== undefined ? `<xsi:sequenceNumber>${e.seq}</xsi:sequenceNumber>` : '') +
    `<xsi:userId>${e.userId ?? 'bridge@sim.example'}</xsi:userId><xsi:externalApplicationId>app</xsi:externalApplicationId>` +
    `<xsi:subscriptionId>${e.subscriptionId ?? 'sub-1'}</xsi:subscriptionId><xsi:channelId>${e.channelId ?? 'ch-1'}</xsi:channelId>` +
    (e.targetId ? `<xsi:targetId>${e.targetId}</xsi:targetId>` : '') +
    `<xsi:eventData xsi1:type="xsi:${e.type}">${e.body}</xsi:eventData></xsi:Event></xsp:payload></xsp:event>\n`
  );
}

export interface CallSpec {
  callId: string;
  ext: string;
  personality: string;
  state: string;
  remote?: string;
  remoteName?: string;
  start?: number;
  answer?: number;
  release?: number;
  releasingParty?: string;
  extra?: string;
}

export function callXml(c: CallSpec): string {
  return (
    `<xsi:call><xsi:callId>${c.callId}</xsi:callId><xsi:extTrackingId>${c.ext}</xsi:extTrackingId>` +
    `<xsi:personality>${c.personality}</xsi:personality><xsi:state>${c.state}</xsi:state>` +
    (c.releasingParty ? `<xsi:releasingParty>${c.releasingParty}</xsi:releasingParty>` : '') +
    `<xsi:remoteParty>${c.remoteName ? `<xsi:name>${c.remoteName}</xsi:name>` : ''}<xsi:address>${c.remote ?? 'tel:1012'}</xsi:address><xsi:callType>Group</xsi:callType></xsi:remoteParty>` +
    `<xsi:startTime>${c.start ?? 1271253524007}</xsi:startTime>` +
    (c.answer ? `<xsi:answerTime>${c.answer}</xsi:answerTime>` : '') +
    (c.release ? `<xsi:releaseTime>${c.release}</xsi:releaseTime>` : '') +
    (c.extra ?? '') +
    `</xsi:call>`
  );
}

export class FakeXsp extends EventEmitter {
  readonly received: Received[] = [];
  readonly sockets: net.Socket[] = [];
  handlers: Record<string, Handler> = {};
  private subCounter = 0;
  /** Sent after a successful AddUserSubscriptionRequest (initial event), if set. */
  initialEvent: ((subscriptionId: string, target: string, pkg: string) => string | null) | undefined;
  password = 'bridge-secret';
  username = 'bridge';
  channelExpires = 3600;

  private constructor(private readonly server: net.Server) {
    super();
    this.setMaxListeners(100);
  }

  static async start(): Promise<FakeXsp> {
    const server = net.createServer();
    const fake = new FakeXsp(server);
    server.on('connection', (s) => fake.accept(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return fake;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get endpoint(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  private accept(socket: net.Socket): void {
    this.sockets.push(socket);
    socket.on('error', () => undefined);
    const framer = new XmlFramer();
    socket.on('data', (chunk) => {
      for (const text of framer.push(chunk).messages) {
        const { root } = parseXml(text);
        const payload = child(root, 'payload');
        const params: Record<string, string> = {};
        for (const p of child(payload, 'params')?.children ?? []) params[p.raw] = p.text;
        const req: Received = { text, root, kind: root.name, params, socket };
        const rid = textOf(root, 'requestid');
        if (rid) req.requestId = rid;
        const t = payload?.attrs['type'];
        if (t) req.type = t;
        this.received.push(req);
        if (req.kind === 'request') this.answer(req);
        this.emit('change');
      }
    });
    socket.on('close', () => this.emit('change'));
    this.emit('change');
  }

  private answer(req: Received): void {
    const custom = req.type ? this.handlers[req.type] : undefined;
    const out = custom ? custom(req, this) : this.defaultAnswer(req);
    if (out === null || out === undefined) return;
    for (const m of Array.isArray(out) ? out : [out]) req.socket.write(m);
  }

  private defaultAnswer(req: Received): string | string[] {
    const cred = textOf(req.root, 'credential');
    if (cred !== Buffer.from(`${this.username}:${this.password}`).toString('base64')) {
      return response(req.requestId, 401, '', 'Unauthorized');
    }
    switch (req.type) {
      case 'GetChannelSetRequest':
        return response(req.requestId, 403, '', 'Channel set not found', '110842');
      case 'AddChannelRequest':
        return response(
          req.requestId,
          200,
          `<Channel xmlns="${XSI}"><channelId>ch-1</channelId><expires>${this.channelExpires}</expires></Channel>`,
        );
      case 'UpdateChannelRequest':
        return response(
          req.requestId,
          200,
          `<Channel xmlns="${XSI}"><channelId>ch-1</channelId><expires>${this.channelExpires}</expires></Channel>`,
        );
      case 'AddUserSubscriptionRequest': {
        const id = `sub-${++this.subCounter}`;
        const pkg = textOf(child(req.root, 'payload'), 'event') ?? '';
        const out = [
          response(
            req.requestId,
            200,
            `<Subscription xmlns="${XSI}"><subscriptionId>${id}</subscriptionId><expires>3600</expires></Subscription>`,
          ),
        ];
        const initial = this.initialEvent?.(id, req.params.subscriberId ?? '', pkg);
        if (initial) out.push(initial);
        return out;
      }
      default:
        return response(req.requestId, 200);
    }
  }

  /** Writes raw data to every connected client. */
  send(data: string | Buffer): void {
    for (const s of this.sockets) if (!s.destroyed) s.write(data);
  }

  requests(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  acks(): { requestId?: string; eventId?: string; status?: string }[] {
    return this.received
      .filter((r) => r.kind === 'eventresponse')
      .map((r) => {
        const a: { requestId?: string; eventId?: string; status?: string } = {};
        const rid = textOf(r.root, 'requestid');
        if (rid !== undefined) a.requestId = rid;
        const eid = textOf(r.root, 'eventid');
        if (eid !== undefined) a.eventId = eid;
        const st = textOf(r.root, 'statuscode');
        if (st !== undefined) a.status = st;
        return a;
      });
  }

  waitFor(pred: (r: Received) => boolean, what = 'message', timeoutMs = 5000): Promise<Received> {
    return until(this, () => this.received.find(pred), timeoutMs, what);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export class Recorder extends EventEmitter {
  readonly events: EventDraft[] = [];
  readonly garbage: { kind: string; detail: string }[] = [];
  readonly downs: string[] = [];
  readonly hooks: DriverHooks = {
    onEvent: async (e) => {
      this.events.push(e);
      this.emit('change');
    },
    onDown: (r) => {
      this.downs.push(r);
      this.emit('change');
    },
    onGarbage: (kind, detail) => {
      this.garbage.push({ kind, detail });
      this.emit('change');
    },
  };
  readonly logger: DriverLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m, e) => {
      if (process.env.BW_DEBUG) console.log(m, e);
    },
    error: () => undefined,
  };

  waitFor<T>(pred: () => T | undefined | false, what = 'condition', timeoutMs = 5000): Promise<T> {
    return until(this, pred, timeoutMs, what);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

export function linkConfig(
  endpoint: string,
  options: Record<string, unknown> = {},
  password = 'bridge-secret',
): LinkConfig {
  return {
    tenant: 't1',
    id: 'l1',
    vendor: 'broadworks-cti',
    endpoint,
    credentials: { username: 'bridge', password },
    options: { keepaliveIntervalMs: 0, collateWindowMs: 200, requestTimeoutMs: 2000, ...options },
  };
}
