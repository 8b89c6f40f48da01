/**
 * Raw XML socket client for testing the BroadWorks CTI front-end. Independent of the simulator code:
 * it frames with the shared framer and parses with fast-xml-parser.
 */
import net from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { XmlFramer } from '../../../../shared/xml/framer.js';

export const XSP = 'http://schema.broadsoft.com/XspXMLInterface';
export const XSI = 'http://schema.broadsoft.com/xsi';
export const XSI1 = 'http://www.w3.org/2001/XMLSchema-instance';
export const XA = '/com.broadsoft.xsi-actions/v2.0';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
});

export type Obj = Record<string, any>;

export interface Msg {
  raw: string;
  root: string;
  doc: Obj;
}

export interface EventInfo {
  requestId: string;
  eventID: string;
  sequenceNumber: number;
  subscriptionId: string;
  channelId: string;
  userId: string;
  targetId?: string;
  type: string;
  data: Obj;
  raw: string;
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tags(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${esc(v!)}</${k}>`)
    .join('');
}

export class CtiTestClient {
  readonly messages: Msg[] = [];
  readonly events: EventInfo[] = [];
  readonly channelTerminated: { channelId: string; reason: string; raw: string }[] = [];
  /** Status used to answer events; undefined = do not answer. */
  ackStatus: ((ev: EventInfo) => number | undefined) | undefined = () => 200;
  answerKeepalives = true;
  private readonly framer = new XmlFramer();
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  private nextId = 1;
  closed: Promise<void>;
  isClosed = false;

  private constructor(
    readonly socket: net.Socket,
    private credential = 'bridge:bridge-secret',
  ) {
    socket.on('data', (chunk: Buffer) => {
      const { messages } = this.framer.push(chunk);
      for (const raw of messages) this.onMessage(raw);
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static connect(port: number, credential?: string): Promise<CtiTestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new CtiTestClient(s, credential)));
      s.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  setCredential(c: string): void {
    this.credential = c;
  }

  private onMessage(raw: string): void {
    const doc = parser.parse(raw) as Obj;
    const root = Object.keys(doc).find((k) => !k.startsWith('?'))!;
    const msg: Msg = { raw, root, doc: doc[root] as Obj };
    this.messages.push(msg);
    if (root === 'xsp:event') {
      const ev = msg.doc['xsp:payload']['xsi:Event'] as Obj;
      if (ev['@_xsi1:type'] === 'xsi:ChannelTerminatedEvent') {
        this.channelTerminated.push({ channelId: ev['xsi:channelId'], reason: ev['xsi:reason'], raw });
      } else {
        const info: EventInfo = {
          requestId: String(msg.doc['requestId']),
          eventID: ev['xsi:eventID'],
          sequenceNumber: Number(ev['xsi:sequenceNumber']),
          subscriptionId: ev['xsi:subscriptionId'],
          channelId: ev['xsi:channelId'],
          userId: ev['xsi:userId'],
          targetId: ev['xsi:targetId'],
          type: String(ev['xsi:eventData']['@_xsi1:type']).replace(/^xsi:/, ''),
          data: ev['xsi:eventData'] as Obj,
          raw,
        };
        this.events.push(info);
        const status = this.ackStatus?.(info);
        if (status !== undefined) this.eventResponse(info.requestId, info.eventID, status);
      }
    } else if (root === 'xsp:keepalive' && this.answerKeepalives) {
      this.send(
        `<xsp:keepaliveResponse version="17.0" xmlns:xsp="${XSP}"><requestId>${msg.doc['requestId']}</requestId></xsp:keepaliveResponse>`,
      );
    }
    for (const w of [...this.waiters]) {
      if (w.pred(msg)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
      }
    }
  }

  send(xml: string): void {
    this.socket.write(`<?xml version="1.0" encoding="UTF-8"?>${xml}\n`);
  }

  eventResponse(requestId: string, eventID: string, status: number): void {
    this.send(
      `<xsp:eventResponse version="17.0" xmlns:xsp="${XSP}"><requestId>${requestId}</requestId><xsp:payload><xsi:EventResponse xmlns:xsi="${XSI}"><xsi:eventID>${eventID}</xsi:eventID><xsi:statusCode>${status}</xsi:statusCode><xsi:reason>${status === 200 ? 'OK' : 'Error'}</xsi:reason></xsi:EventResponse></xsp:payload></xsp:eventResponse>`,
    );
  }

  /** Wait for a message matching pred (already received ones count when `includePast`). */
  waitFor(pred: (m: Msg) => boolean, timeoutMs = 2000, includePast = false): Promise<Msg> {
    if (includePast) {
      const m = this.messages.find(pred);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x.resolve !== done);
        reject(new Error('timeout waiting for message'));
      }, timeoutMs);
      const done = (m: Msg) => {
        clearTimeout(t);
        resolve(m);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  /** Wait until `n` events satisfy pred. */
  async waitEvents(
    n: number,
    pred: (e: EventInfo) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<EventInfo[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.events.filter(pred);
      if (got.length >= n) return got;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timeout: ${got.length}/${n} events (${this.events.map((e) => e.type).join(',')})`);
      await this.waitFor((m) => m.root === 'xsp:event', left).catch(() => undefined);
    }
  }

  /** Send a request with the given payload type and inner XML; resolves with the response document. */
  async request(
    type: string,
    inner: string,
    opts: { sessionId?: string; credential?: string | null } = {},
  ): Promise<Obj> {
    const id = String(this.nextId++);
    const cred =
      opts.credential === null ? '' : `<credential>${b64(opts.credential ?? this.credential)}</credential>`;
    const sid = opts.sessionId ? `<sessionId>${opts.sessionId}</sessionId>` : '';
    const wait = this.waitFor((m) => m.root === 'xsp:response' && String(m.doc['requestId']) === id);
    this.send(
      `<xsp:request version="17.0" xmlns:xsp="${XSP}"><requestId>${id}</requestId>${cred}${sid}<xsp:payload xmlns:xsi1="${XSI1}" xsi1:type="${type}">${inner}</xsp:payload></xsp:request>`,
    );
    return (await wait).doc;
  }

  /** A call/service request: uri + method + params (+ optional Xsi body). */
  action(
    type: string,
    uri: string,
    method: string,
    params: Record<string, string | undefined>,
    payload = '',
  ): Promise<Obj> {
    return this.request(
      type,
      `<uri>${esc(XA + uri)}</uri><method>${method}</method><version>17.0</version><params>${tags(params)}</params><payload>${payload}</payload>`,
    );
  }

  addChannel(channel: {
    channelSetId: string;
    expires: number;
    priority?: number;
    weight?: number;
    applicationId?: string;
  }): Promise<Obj> {
    return this.request(
      'AddChannelRequest',
      `<Channel xmlns="${XSI}">${tags({
        channelSetId: channel.channelSetId,
        priority: channel.priority?.toString(),
        weight: channel.weight?.toString(),
        expires: String(channel.expires),
        applicationId: channel.applicationId,
      })}</Channel>`,
    );
  }

  addUserSubscription(
    userId: string,
    sub: { event: string; channelSetId: string; applicationId?: string; expires?: number },
  ): Promise<Obj> {
    return this.request(
      'AddUserSubscriptionRequest',
      `<params><subscriberId>${userId}</subscriberId></params><Subscription xmlns="${XSI}">${tags({
        event: sub.event,
        expires: String(sub.expires ?? 3600),
        channelSetId: sub.channelSetId,
        applicationId: sub.applicationId,
      })}</Subscription>`,
    );
  }
}

/** Payload element of a response (`xsp:payload` child by local name). */
export function payloadOf(resp: Obj, name: string): Obj {
  const p = resp['xsp:payload'] as Obj | undefined;
  if (!p) throw new Error('response has no payload');
  return p[name] as Obj;
}

/** The `call` element of an event. */
export function callOf(e: EventInfo): Obj {
  return e.data['xsi:call'] as Obj;
}
