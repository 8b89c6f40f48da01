/**
 * BroadWorks CTI front-end: the Xsp side of the CTI TCP/TLS interface. Envelope, authentication,
 * sessions, keepalives, event channels and channel sets, subscriptions, event delivery with
 * eventResponse handling and failover, and the call/service requests of calls.ts.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { PbxCore } from '../../../simulator/core/index.js';
import type { CoreEvent } from '../../../simulator/core/types.js';
import { XmlFramer } from '../../../shared/xml/framer.js';
import { writeCoalesced } from '../../../shared/net/coalesce.js';
import { SimFaultError, type SimFrontEnd } from '../../../simulator/frontends/types.js';
import { matchUri, routeByName, type CallRequestContext, type Principal } from './calls.js';
import { BwError, E, REASONS } from './errors.js';
import {
  CALL_PACKAGES,
  EVENT_PACKAGES,
  initialEvent,
  translate,
  type BwEventDraft,
  type PackageLevel,
} from './model.js';
import {
  ENVELOPE_VERSION,
  XSI1_NS,
  XSI_NS,
  XSP_NS,
  XmlNode,
  attr,
  child,
  childText,
  el,
  lookup,
  message,
  parseXml,
  text,
  tx,
  wireName,
  type XChild,
  type XNode,
} from '../wire/index.js';

export interface BroadWorksCtiOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Serve TLS instead of plain TCP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Accepted credentials. Default: bridge / bridge-secret, an administrator. */
  credentials?: { username: string; password: string; admin?: boolean }[];
  /** Idle time after which the server sends a keepalive; also the interval between keepalives. Default 60000. */
  keepaliveIntervalMs?: number;
  /** Consecutive unanswered keepalives after which the socket is dropped. Default 3. */
  keepaliveMaxMisses?: number;
  /** Wait for an eventResponse before the channel is tagged non-responsive. Default 5000. */
  eventResponseTimeoutMs?: number;
  /** How long a non-responsive tag lasts. Default 60000. */
  nonResponsiveTagMs?: number;
  /** Delay before re-sending an event on the next channel (404, 500, timeout). Default 0. */
  retryDelayMs?: number;
  /**
   * Events of a channel set sent and not yet answered. Default 1 = one at a time, the behaviour of the
   * spec's samples. With N > 1 up to N events await their eventResponse at once, each with its own
   * requestId and timer (the spec does not guarantee in-order delivery; clients re-order by sequenceNumber).
   */
  maxEventsInFlight?: number;
  /** Channel and subscription expiry range, seconds. Default 3600 .. 7200. */
  minExpiresSec?: number;
  maxExpiresSec?: number;
  /** Length of one "second" of expiry, for tests. Default 1000. */
  expiryUnitMs?: number;
  /** Max channels per channel set (1-100). Default 8. */
  maxChannelsPerSet?: number;
  /** Random source for weighted channel selection. */
  random?: () => number;
  log?: (line: string) => void;
}

export type ChannelTerminatedReason =
  | 'DuplicateChannelSet'
  | 'UserDeleted'
  | 'NonResponsiveChannel'
  | 'ExplicitDelete'
  | 'Expired'
  | 'UnknownChannel';

interface Conn {
  id: number;
  socket: net.Socket;
  framer: XmlFramer;
  lastInbound: number;
  pendingKeepalive: string | null;
  misses: number;
  timer?: ReturnType<typeof setInterval>;
  closed: boolean;
}

interface Channel {
  id: string;
  owner: string;
  channelSetId: string;
  setKey: string;
  conn: Conn;
  priority: number;
  weight: number;
  expires: number;
  expiresAt: number;
  applicationId?: string;
  nonResponsiveUntil: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface ChannelSet {
  key: string;
  owner: string;
  channelSetId: string;
  channels: Channel[];
  /** Events waiting to be sent, in the order they were first queued. */
  queue: PendingEvent[];
  /** Events sent and awaiting their eventResponse, by requestId (at most `maxEventsInFlight`). */
  inFlight: Map<string, InFlight>;
  /** While set, nothing is sent on the set (`retryDelayMs` after a 500 or a timeout). */
  retryTimer?: ReturnType<typeof setTimeout>;
}

type TargetType = 'User' | 'Group' | 'Enterprise' | 'System';

/** The request element a channel or subscription handler reads (absent when the payload names none). */
type Req = XNode | undefined;

interface Subscription {
  id: string;
  owner: string;
  targetType: TargetType;
  targetId?: string;
  groupParentId?: string;
  subId?: string;
  event: string;
  expires: number;
  expiresAt: number;
  channelSetId: string;
  setKey: string;
  applicationId?: string;
  seq: number;
  timer?: ReturnType<typeof setTimeout>;
  active: boolean;
  /**
   * Replaced by a duplicate add: the events it generated before still go out (re-sent on another channel
   * of the set if need be), ahead of its SubscriptionTerminated; it generates no new ones.
   */
  replaced?: boolean;
}

interface PendingEvent {
  sub: Subscription;
  /** Position in the order events were first queued (front-end wide); re-sends keep it. */
  order: number;
  eventID: string;
  sequenceNumber: number;
  type: string;
  targetId?: string;
  body: XmlNode[];
  tried: Set<string>;
  /** SubscriptionTerminated: delivered although the subscription is gone. */
  terminal?: boolean;
}

/** One event sent on a channel and awaiting its eventResponse. */
interface InFlight {
  ev: PendingEvent;
  channel: Channel;
  requestId: string;
  timer: ReturnType<typeof setTimeout>;
}

/** What the client answered to an event, and what the server did with it. */
export interface EventResponseRecord {
  at: number;
  requestId: string;
  eventID: string;
  eventType: string;
  subscriptionId: string;
  channelId: string;
  /** Status the client sent (undefined on timeout). */
  statusCode?: number;
  /** Status used by the server (differs when a fault override applied). */
  appliedStatus?: number;
  outcome:
    | 'delivered'
    | 'retry-next-channel'
    | 'channel-removed-retry'
    | 'subscription-deleted'
    | 'dropped'
    | 'timeout-retry'
    | 'timeout-dropped';
}

export interface DeliveryLogRecord {
  at: number;
  requestId: string;
  eventID: string;
  eventType: string;
  subscriptionId: string;
  channelId: string;
  targetId?: string;
}

const PRIORITY_NONRESPONSIVE = Number.MAX_SAFE_INTEGER;

export class BroadWorksCtiFrontEnd implements SimFrontEnd {
  readonly name = 'broadworks-cti';
  private server?: net.Server;
  private port = 0;
  private readonly conns = new Set<Conn>();
  private readonly sets = new Map<string, ChannelSet>();
  private readonly channels = new Map<string, Channel>();
  private readonly subs = new Map<string, Subscription>();
  private readonly sessions = new Map<string, Principal>();
  private readonly opts: Required<Omit<BroadWorksCtiOptions, 'tls' | 'log'>> &
    Pick<BroadWorksCtiOptions, 'tls' | 'log'>;
  private unsubscribe?: () => void;
  private connCounter = 0;
  private requestCounter = 0;
  private eventCounter = 0;
  private sessionCounter = 100;
  private deferDepth = 0;
  private afterResponse: (() => void)[] = [];
  private overrides: { remaining: number; status: number }[] = [];
  /** Every eventResponse received (and every timeout), oldest first. */
  readonly eventResponses: EventResponseRecord[] = [];
  /** Every event sent, oldest first. */
  readonly deliveries: DeliveryLogRecord[] = [];

  constructor(
    private readonly core: PbxCore,
    options: BroadWorksCtiOptions = {},
  ) {
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      tls: options.tls,
      credentials: options.credentials ?? [{ username: 'bridge', password: 'bridge-secret', admin: true }],
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 60_000,
      keepaliveMaxMisses: options.keepaliveMaxMisses ?? 3,
      eventResponseTimeoutMs: options.eventResponseTimeoutMs ?? 5000,
      nonResponsiveTagMs: options.nonResponsiveTagMs ?? 60_000,
      retryDelayMs: options.retryDelayMs ?? 0,
      minExpiresSec: options.minExpiresSec ?? 3600,
      maxExpiresSec: options.maxExpiresSec ?? 7200,
      expiryUnitMs: options.expiryUnitMs ?? 1000,
      maxChannelsPerSet: Math.min(100, Math.max(1, options.maxChannelsPerSet ?? 8)),
      maxEventsInFlight: Math.max(1, Math.floor(options.maxEventsInFlight ?? 1) || 1),
      random: options.random ?? Math.random,
      log: options.log,
    };
  }

  // ---------------------------------------------------------------- control API faults

  /** `METHOD /faults/broadworks/<action>` of the simulator's control API. */
  async fault(method: string, action: string, b: Record<string, unknown>): Promise<unknown> {
    switch (`${method} ${action}`) {
      case 'POST drop-connections':
        this.dropConnections();
        return { ok: true };
      case 'POST stop':
        await this.stopListener();
        return { ok: true, listening: this.listening };
      case 'POST start':
        await this.restartListener();
        return { ok: true, listening: this.listening };
      case 'POST event-responses': {
        const count = Number(b['count'] ?? 1);
        const status = Number(b['status']);
        if (!Number.isInteger(count) || count < 1 || !Number.isInteger(status))
          throw new SimFaultError('count and status must be integers');
        this.overrideEventResponses(count, status);
        return { ok: true };
      }
      case 'GET event-responses':
        return this.eventResponses;
      case 'GET deliveries':
        return this.deliveries;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<{ port: number; url: string }> {
    if (!this.unsubscribe) this.unsubscribe = this.core.on((ev) => this.onCoreEvent(ev));
    await this.listen(this.opts.port);
    return { port: this.port, url: `${this.opts.tls ? 'tls' : 'tcp'}://${this.opts.host}:${this.port}` };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.stopListener();
    for (const s of this.subs.values()) if (s.timer) clearTimeout(s.timer);
    for (const c of this.channels.values()) if (c.timer) clearTimeout(c.timer);
    for (const set of this.sets.values()) {
      for (const f of set.inFlight.values()) clearTimeout(f.timer);
      set.inFlight.clear();
      if (set.retryTimer) clearTimeout(set.retryTimer);
    }
    this.subs.clear();
    this.channels.clear();
    this.sets.clear();
  }

  private listen(port: number): Promise<void> {
    const onConn = (socket: net.Socket) => this.accept(socket);
    const server = this.opts.tls
      ? tls.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, onConn)
      : net.createServer(onConn);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        const addr = server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
    });
  }

  // ---------------------------------------------------------------- fault injection

  /** Close every CTI socket now (channels on them are invalidated as for a dead connection). */
  dropConnections(): void {
    for (const c of [...this.conns]) c.socket.destroy();
  }

  /**
   * Drops one connection (as `snapshot().channels[].connection` names it), as when its client died: its
   * channels are removed and their events in flight go to another channel of the set (§3.4.5.12).
   */
  dropConnection(id: number): boolean {
    const c = [...this.conns].find((x) => x.id === id);
    c?.socket.destroy();
    return !!c;
  }

  /** Stop accepting connections and drop the existing ones. */
  async stopListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listen again on the same port as before. */
  async restartListener(): Promise<void> {
    if (this.server) return;
    await this.listen(this.port);
  }

  get listening(): boolean {
    return !!this.server;
  }

  /** Events waiting for room in their channel set's window (`maxEventsInFlight`), all sets together. */
  get queuedEvents(): number {
    let n = 0;
    for (const set of this.sets.values()) n += set.queue.length;
    return n;
  }

  /** Treat the next `count` eventResponses as if the client had answered `status`. */
  overrideEventResponses(count: number, status: number): void {
    this.overrides.push({ remaining: count, status });
  }

  /** Introspection for tests and the control API. */
  snapshot(): {
    connections: number;
    channels: {
      channelId: string;
      channelSetId: string;
      owner: string;
      priority: number;
      weight: number;
      expires: number;
      applicationId?: string;
      nonResponsive: boolean;
      connection: number;
    }[];
    subscriptions: {
      subscriptionId: string;
      owner: string;
      targetIdType: string;
      targetId?: string;
      event: string;
      channelSetId: string;
      applicationId?: string;
      expires: number;
      sequenceNumber: number;
    }[];
  } {
    const now = Date.now();
    return {
      connections: this.conns.size,
      channels: [...this.channels.values()].map((c) => ({
        channelId: c.id,
        channelSetId: c.channelSetId,
        owner: c.owner,
        priority: c.priority,
        weight: c.weight,
        expires: c.expires,
        applicationId: c.applicationId,
        nonResponsive: c.nonResponsiveUntil > now,
        connection: c.conn.id,
      })),
      subscriptions: [...this.subs.values()].map((s) => ({
        subscriptionId: s.id,
        owner: s.owner,
        targetIdType: s.targetType,
        targetId: s.targetId,
        event: s.event,
        channelSetId: s.channelSetId,
        applicationId: s.applicationId,
        expires: s.expires,
        sequenceNumber: s.seq,
      })),
    };
  }

  // ---------------------------------------------------------------- connections

  private accept(socket: net.Socket): void {
    const conn: Conn = {
      id: ++this.connCounter,
      socket,
      framer: new XmlFramer(),
      lastInbound: Date.now(),
      pendingKeepalive: null,
      misses: 0,
      closed: false,
    };
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      conn.lastInbound = Date.now();
      const { messages, errors } = conn.framer.push(chunk);
      for (const e of errors) this.opts.log?.(`conn ${conn.id}: framing: ${e.message}`);
      for (const m of messages) this.onMessage(conn, m);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.onClose(conn));
    conn.timer = setInterval(() => this.keepaliveTick(conn), this.opts.keepaliveIntervalMs);
    conn.timer.unref?.();
  }

  private keepaliveTick(conn: Conn): void {
    if (conn.closed) return;
    if (conn.pendingKeepalive !== null) {
      conn.misses++;
      conn.pendingKeepalive = null;
      if (conn.misses >= this.opts.keepaliveMaxMisses) {
        this.opts.log?.(`conn ${conn.id}: ${conn.misses} keepalives missed, closing`);
        conn.socket.destroy();
        return;
      }
    }
    const idle = Date.now() - conn.lastInbound >= this.opts.keepaliveIntervalMs * 0.8;
    if (idle || conn.misses > 0) {
      const requestId = String(++this.requestCounter);
      conn.pendingKeepalive = requestId;
      const period = Math.max(1, Math.round(this.opts.keepaliveIntervalMs / 1000));
      this.write(
        conn,
        el(
          'xsp:keepalive',
          { version: ENVELOPE_VERSION, 'xmlns:xsp': XSP_NS },
          tx('requestId', requestId),
          tx('period', period),
        ),
      );
    }
  }

  private onClose(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    if (conn.timer) clearInterval(conn.timer);
    this.conns.delete(conn);
    // every channel on a dead connection is invalidated (no ChannelTerminated can be sent on it)
    for (const ch of [...this.channels.values()])
      if (ch.conn === conn) this.removeChannel(ch, 'ExplicitDelete', false);
  }

  private write(conn: Conn, root: XmlNode): void {
    if (conn.closed || conn.socket.destroyed) return;
    writeCoalesced(conn.socket, message(root));
  }

  private onMessage(conn: Conn, xml: string): void {
    let parsed: XNode;
    try {
      parsed = parseXml(xml, { strict: true }).root;
    } catch (err) {
      const rid = /<(?:\w+:)?requestId>([^<]*)</i.exec(xml)?.[1] ?? '';
      this.respond(conn, rid, undefined, new BwError(409, 1116, `Invalid Xml: ${(err as Error).message}`));
      return;
    }
    const root = parsed.name;
    if (root === 'request') this.onRequest(conn, parsed);
    else if (root === 'eventresponse') this.onEventResponse(conn, parsed);
    else if (root === 'keepalive') {
      const rid = childText(parsed, 'requestId') ?? '';
      this.write(
        conn,
        el('xsp:keepaliveResponse', { version: ENVELOPE_VERSION, 'xmlns:xsp': XSP_NS }, tx('requestId', rid)),
      );
    } else if (root === 'keepaliveresponse') {
      conn.pendingKeepalive = null;
      conn.misses = 0;
    } else {
      this.opts.log?.(`conn ${conn.id}: ignoring <${parsed.raw}>`);
    }
  }

  // ---------------------------------------------------------------- requests

  private respond(
    conn: Conn,
    requestId: string,
    sessionId: string | undefined,
    result: BwError | { status: number; payload?: XmlNode },
  ): void {
    const status = result instanceof BwError ? result.status : result.status;
    let payload: XmlNode | undefined;
    if (result instanceof BwError) {
      if (result.code !== undefined) {
        payload = el(
          'ErrorInfo',
          { xmlns: XSI_NS },
          tx('errorCode', result.code),
          tx('summary', result.message),
          tx('summaryEnglish', result.message),
        );
      }
    } else payload = result.payload;
    this.write(
      conn,
      el(
        'xsp:response',
        { version: ENVELOPE_VERSION, 'xmlns:xsp': XSP_NS },
        tx('requestId', requestId),
        tx('sessionId', sessionId),
        tx('statusCode', status),
        tx('reason', REASONS[status] ?? 'Error'),
        payload ? el('xsp:payload', null, payload) : undefined,
      ),
    );
  }

  private authenticate(body: XNode): { principal: Principal; sessionId: string } | undefined {
    const sid = childText(body, 'sessionId');
    if (sid) {
      const p = this.sessions.get(sid);
      if (p) return { principal: p, sessionId: sid };
    }
    const cred = childText(body, 'credential', 'credentials');
    if (!cred) return undefined;
    let decoded: string;
    try {
      decoded = Buffer.from(cred, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const username = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    const match = this.opts.credentials.find((c) => c.username === username && c.password === password);
    if (!match) return undefined;
    const principal: Principal = { username, admin: match.admin ?? false };
    const sessionId = String(++this.sessionCounter);
    this.sessions.set(sessionId, principal);
    return { principal, sessionId };
  }

  private onRequest(conn: Conn, body: XNode): void {
    const requestId = childText(body, 'requestId') ?? '';
    const auth = this.authenticate(body);
    if (!auth) {
      this.respond(conn, requestId, undefined, new BwError(401, undefined, 'Authentication failed.'));
      return;
    }
    this.deferDepth++;
    try {
      const result = this.dispatch(conn, auth.principal, body);
      this.respond(conn, requestId, auth.sessionId, result);
    } catch (err) {
      const e =
        err instanceof BwError ? err : new BwError(500, 102000, `System error: ${(err as Error).message}`);
      this.respond(conn, requestId, auth.sessionId, e);
    } finally {
      this.deferDepth--;
    }
    if (this.deferDepth === 0) {
      const actions = this.afterResponse;
      this.afterResponse = [];
      for (const a of actions) a();
      for (const set of this.sets.values()) this.pump(set);
    }
  }

  private dispatch(conn: Conn, principal: Principal, body: XNode): { status: number; payload?: XmlNode } {
    const payload = child(body, 'payload');
    let name = attr(payload, 'type')?.split(':').pop();
    let inner = payload;
    const named = payload?.children.find((c) => /request$/.test(c.name) || c.name === 'getsubscriptions');
    if (named) {
      name ??= wireName(named);
      inner = named;
    }
    const uri = text(lookup(inner ?? body, 'uri')) ?? childText(body, 'uri');
    const method = (text(lookup(inner ?? body, 'method')) ?? childText(body, 'method') ?? '').toUpperCase();
    const lname = (name ?? '').toLowerCase();

    const channelHandler = lname ? CHANNEL_REQUESTS[lname] : undefined;
    if (channelHandler) return channelHandler.call(this, conn, principal, inner ?? payload);

    let route;
    let values: Record<string, string> = {};
    if (uri) {
      const m = matchUri(uri, method || 'GET');
      if (m === 'method') throw E.methodNotSupported(method);
      if (!m) {
        const byName = name ? routeByName(name) : undefined;
        if (!byName) throw E.handlerNotFound(uri);
        route = byName;
      } else {
        route = m.route;
        values = m.values;
      }
    } else if (name) {
      route = routeByName(name);
      if (!route) throw new BwError(400, 102007, `No handler for ${name}.`);
    } else {
      throw E.invalidXml('request payload names no request and carries no uri');
    }
    const paramsEl = lookup(inner ?? payload, 'params');
    const requestBody = child(inner, 'payload') ?? inner;
    const ctx: CallRequestContext = {
      core: this.core,
      principal,
      method,
      body: requestBody,
      emit: (draft) => this.publish([draft]),
      param: (n: string) => {
        const lower = n.toLowerCase();
        if (values[lower] !== undefined) return values[lower];
        const v = childText(paramsEl, n) ?? childText(inner, n) ?? childText(body, n);
        return v === undefined ? undefined : v.replace(/%2b/gi, '+');
      },
    };
    return route.handler(ctx);
  }

  // ---------------------------------------------------------------- channels

  private setKey(owner: string, channelSetId: string): string {
    return `${owner}\u0000${channelSetId}`;
  }

  private clamp(v: number | undefined): number {
    const n = v === undefined || !Number.isFinite(v) ? this.opts.minExpiresSec : Math.trunc(v);
    return Math.min(this.opts.maxExpiresSec, Math.max(this.opts.minExpiresSec, n));
  }

  private channelXml(c: Channel, full: boolean, prefix = ''): XmlNode {
    return el(
      prefix + (full ? 'channel' : 'Channel'),
      full ? null : { xmlns: XSI_NS },
      tx(prefix + 'channelId', c.id),
      full ? tx(prefix + 'channelSetId', c.channelSetId) : undefined,
      full ? tx(prefix + 'priority', c.priority) : undefined,
      full ? tx(prefix + 'weight', c.weight) : undefined,
      tx(
        prefix + 'expires',
        full ? Math.max(0, Math.round((c.expiresAt - Date.now()) / this.opts.expiryUnitMs)) : c.expires,
      ),
      full ? tx(prefix + 'applicationId', c.applicationId) : undefined,
    );
  }

  addChannel(conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const ch = lookup(req, 'channel');
    if (ch === undefined) throw E.missingParam('channel');
    const channelSetId = childText(ch, 'channelSetId');
    if (!channelSetId) throw E.missingParam('channelSetId');
    const expiresRaw = childText(ch, 'expires');
    if (!expiresRaw) throw E.missingParam('expires');
    const expires = this.clamp(Number(expiresRaw));
    const priority = Math.min(100, Math.max(1, Number(childText(ch, 'priority') ?? 1) || 1));
    const weight = Math.min(100, Math.max(1, Number(childText(ch, 'weight') ?? 50) || 50));
    const applicationId = childText(ch, 'applicationId') || undefined;
    const key = this.setKey(principal.username, channelSetId);
    // one channel set per application: a new set with the same applicationId terminates the old set
    if (applicationId) {
      for (const other of [...this.sets.values()]) {
        if (other.key === key || other.owner !== principal.username) continue;
        const olds = other.channels.filter((c) => c.applicationId === applicationId);
        if (olds.length)
          this.afterResponse.push(() =>
            other.channels.slice().forEach((c) => this.removeChannel(c, 'DuplicateChannelSet', true)),
          );
      }
    }
    let set = this.sets.get(key);
    if (!set) {
      set = { key, owner: principal.username, channelSetId, channels: [], queue: [], inFlight: new Map() };
      this.sets.set(key, set);
    }
    if (set.channels.length >= this.opts.maxChannelsPerSet) {
      const victim = [...set.channels].sort((a, b) => a.expiresAt - b.expiresAt)[0]!;
      this.removeChannel(victim, 'ExplicitDelete', true, true);
    }
    const channel: Channel = {
      id: randomUUID(),
      owner: principal.username,
      channelSetId,
      setKey: key,
      conn,
      priority,
      weight,
      expires,
      expiresAt: Date.now() + expires * this.opts.expiryUnitMs,
      applicationId,
      nonResponsiveUntil: 0,
    };
    this.armChannelExpiry(channel);
    set.channels.push(channel);
    this.channels.set(channel.id, channel);
    return { status: 200, payload: this.channelXml(channel, false) };
  }

  private armChannelExpiry(c: Channel): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = setTimeout(() => this.removeChannel(c, 'Expired', true), Math.max(0, c.expiresAt - Date.now()));
    c.timer.unref?.();
  }

  updateChannel(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const ch = lookup(req, 'channel');
    const id = childText(ch, 'channelId') ?? text(lookup(req, 'channelId'));
    if (!id) throw E.missingParam('channelId');
    const c = this.channels.get(id);
    if (!c || c.owner !== principal.username) throw E.channelNotFound(id);
    const expires = this.clamp(Number(childText(ch, 'expires') ?? text(lookup(req, 'expires'))));
    c.expires = expires;
    c.expiresAt = Date.now() + expires * this.opts.expiryUnitMs;
    this.armChannelExpiry(c);
    return { status: 200, payload: this.channelXml(c, false) };
  }

  deleteChannel(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const id = text(lookup(req, 'channelId'));
    if (!id) throw E.missingParam('channelId');
    const c = this.channels.get(id);
    if (!c || c.owner !== principal.username) throw E.channelNotFound(id);
    this.afterResponse.push(() => this.removeChannel(c, 'ExplicitDelete', true));
    return { status: 200 };
  }

  getChannelSet(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const id = text(lookup(req, 'channelSetId'));
    if (!id) throw E.missingParam('channelSetId');
    const set = this.sets.get(this.setKey(principal.username, id));
    if (!set || !set.channels.length) throw E.channelSetNotFound(id);
    return {
      status: 200,
      payload: el(
        'ChannelSet',
        { xmlns: XSI_NS },
        tx('channelSetId', id),
        el(
          'channels',
          null,
          set.channels.map((c) => this.channelXml(c, true)),
        ),
      ),
    };
  }

  /**
   * Remove a channel. `notify` sends ChannelTerminated over it (impossible on a dead socket). When the
   * set becomes empty, its subscriptions terminate (no channel is left to carry SubscriptionTerminated).
   */
  private removeChannel(c: Channel, reason: ChannelTerminatedReason, notify: boolean, keepSet = false): void {
    if (!this.channels.has(c.id)) return;
    this.channels.delete(c.id);
    if (c.timer) clearTimeout(c.timer);
    const set = this.sets.get(c.setKey);
    if (set) set.channels = set.channels.filter((x) => x !== c);
    if (notify) {
      const { xml } = this.eventEnvelope(
        'ChannelTerminatedEvent',
        tx('xsi:channelId', c.id),
        tx('xsi:reason', reason),
      );
      this.write(c.conn, xml);
    }
    if (!set) return;
    // every event in flight on this channel moves on to the next channel, ahead of newer events
    const stranded = [...set.inFlight.values()].filter((f) => f.channel === c);
    for (const f of stranded) {
      clearTimeout(f.timer);
      set.inFlight.delete(f.requestId);
      f.ev.tried.add(c.id);
    }
    this.requeue(
      set,
      stranded.map((f) => f.ev),
    );
    if (!set.channels.length && !keepSet) {
      for (const s of [...this.subs.values()]) if (s.setKey === set.key) this.deleteSubscription(s, false);
      set.queue = [];
      if (set.retryTimer) clearTimeout(set.retryTimer);
      this.sets.delete(set.key);
      return;
    }
    this.schedulePump(set);
  }

  // ---------------------------------------------------------------- subscriptions

  private subscriptionXml(s: Subscription, root = 'Subscription', ns = true): XmlNode {
    return el(
      root,
      ns ? { xmlns: XSI_NS } : null,
      tx('subscriptionId', s.id),
      tx('subscriberId', s.owner),
      tx('targetIdType', s.targetType),
      tx('targetGroupParentId', s.groupParentId),
      tx('targetId', s.targetId),
      tx('targetSubId', s.subId),
      tx('event', s.event),
      tx('expires', Math.max(0, Math.round((s.expiresAt - Date.now()) / this.opts.expiryUnitMs))),
      tx('channelSetId', s.channelSetId),
      tx('applicationId', s.applicationId),
    );
  }

  addSubscription(targetType: TargetType, withSubId = false) {
    return (_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } => {
      const p = (n: string) => childText(lookup(req, 'params'), n) ?? childText(req, n);
      const dir = this.core.directory;
      let targetId: string | undefined;
      let groupParentId: string | undefined;
      if (targetType === 'User') {
        const id = p('subscriberId') ?? p('targetId');
        if (!id) throw E.missingParam('subscriberId');
        if (!id.includes('@')) throw E.badUserId(id);
        if (!this.core.isDirectoryId(id)) throw E.userNotFound(id);
        if (!principal.admin && principal.username !== id) throw E.unauthorized(403);
        targetId = id;
      } else {
        if (!principal.admin) throw E.unauthorized(403);
        if (targetType === 'Group') {
          const sp = p('serviceProviderId') ?? p('enterpriseId');
          const g = p('groupId');
          if (!g) throw E.missingParam('groupId');
          if (!sp) throw E.missingParam('serviceProviderId');
          if (sp !== dir.enterpriseId) throw E.enterpriseNotFound(sp);
          if (g !== dir.groupId) throw E.groupNotFound(g);
          targetId = g;
          groupParentId = sp;
        } else if (targetType === 'Enterprise') {
          const sp = p('enterpriseId') ?? p('serviceProviderId');
          if (!sp) throw E.missingParam('enterpriseId');
          if (sp !== dir.enterpriseId) throw E.enterpriseNotFound(sp);
          targetId = sp;
        }
      }
      const subId = withSubId ? p('subId') : undefined;
      if (withSubId && !subId) throw E.missingParam('subId');
      const sub = lookup(req, 'subscription');
      if (sub === undefined) throw E.missingParam('subscription');
      const event = childText(sub, 'event');
      if (!event) throw E.missingParam('event');
      if (!EVENT_PACKAGES.has(event)) throw new BwError(400, 102005, `Event package ${event} is not valid.`);
      const channelSetId = childText(sub, 'channelSetId');
      if (!channelSetId) throw E.channelSetRequired();
      const key = this.setKey(principal.username, channelSetId);
      const set = this.sets.get(key);
      if (!set || !set.channels.length) throw E.channelSetNotFound(channelSetId);
      const applicationId = childText(sub, 'applicationId') || undefined;
      const expires = this.clamp(childText(sub, 'expires') ? Number(childText(sub, 'expires')) : undefined);
      // duplicate (owner, target[, subId], event, applicationId): the old one is terminated
      for (const old of [...this.subs.values()]) {
        if (
          old.owner === principal.username &&
          old.targetType === targetType &&
          old.targetId === targetId &&
          old.subId === subId &&
          old.event === event &&
          old.applicationId === applicationId
        ) {
          this.deleteSubscription(old, true, true);
        }
      }
      const s: Subscription = {
        id: randomUUID(),
        owner: principal.username,
        targetType,
        targetId,
        groupParentId,
        subId,
        event,
        expires,
        expiresAt: Date.now() + expires * this.opts.expiryUnitMs,
        channelSetId,
        setKey: key,
        applicationId,
        seq: 0,
        active: true,
      };
      this.subs.set(s.id, s);
      this.armSubscriptionExpiry(s);
      if (targetType === 'User') this.enqueueInitial(s);
      return { status: 200, payload: this.subscriptionXml(s) };
    };
  }

  private armSubscriptionExpiry(s: Subscription): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => this.deleteSubscription(s, true), Math.max(0, s.expiresAt - Date.now()));
    s.timer.unref?.();
  }

  private enqueueInitial(s: Subscription): void {
    if (s.targetType !== 'User' || !s.targetId) return;
    const init = initialEvent(s.event, s.targetId, this.core);
    if (!init) return;
    this.enqueue(s, init.type, init.body, s.targetId);
  }

  private findSub(principal: Principal, req: Req): Subscription {
    const id = text(lookup(req, 'subscriptionId'));
    if (!id) throw E.missingParam('subscriptionId');
    const s = this.subs.get(id);
    if (!s || (!principal.admin && s.owner !== principal.username) || s.owner !== principal.username)
      throw E.subscriptionNotFound(id);
    return s;
  }

  updateSubscription(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const s = this.findSub(principal, req);
    const sub = lookup(req, 'subscription');
    const expires = this.clamp(Number(childText(sub, 'expires') ?? text(lookup(req, 'expires'))));
    s.expires = expires;
    s.expiresAt = Date.now() + expires * this.opts.expiryUnitMs;
    this.armSubscriptionExpiry(s);
    this.enqueueInitial(s);
    return { status: 200, payload: this.subscriptionXml(s) };
  }

  deleteSubscriptionRequest(
    _conn: Conn,
    principal: Principal,
    req: Req,
  ): { status: number; payload?: XmlNode } {
    const s = this.findSub(principal, req);
    this.afterResponse.push(() => this.deleteSubscription(s, true));
    s.active = false;
    return { status: 200 };
  }

  getSingleSubscription(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const s = this.findSub(principal, req);
    return { status: 200, payload: this.subscriptionXml(s) };
  }

  getSubscriptions(_conn: Conn, principal: Principal, req: Req): { status: number; payload?: XmlNode } {
    const f = (n: string) => text(lookup(req, n));
    const type = f('targetEntityType');
    const list = [...this.subs.values()]
      .filter((s) => s.active && s.owner === principal.username)
      .filter((s) => !type || s.targetType.toLowerCase() === type.toLowerCase())
      .filter((s) => !f('targetId') || s.targetId === f('targetId'))
      .filter((s) => !f('targetSubId') || s.subId === f('targetSubId'))
      .filter((s) => !f('extAppId') || s.applicationId === f('extAppId'))
      .filter((s) => !f('event') || s.event === f('event'))
      .sort((a, b) => a.expiresAt - b.expiresAt);
    if (!list.length) return { status: 200 };
    return {
      status: 200,
      payload: el(
        'Subscriptions',
        { xmlns: XSI_NS },
        list.map((s) => this.subscriptionXml(s, 'subscription', false)),
      ),
    };
  }

  /** Delete a subscription; `notify` queues a SubscriptionTerminated on its channel set. */
  private deleteSubscription(s: Subscription, notify: boolean, replaced = false): void {
    if (!this.subs.has(s.id)) return;
    this.subs.delete(s.id);
    s.active = false;
    s.replaced = replaced;
    if (s.timer) clearTimeout(s.timer);
    const set = this.sets.get(s.setKey);
    if (!set) return;
    if (!replaced) set.queue = set.queue.filter((e) => e.sub !== s || e.terminal);
    if (notify && set.channels.length) {
      const ev = this.makeEvent(s, 'SubscriptionTerminatedEvent', [], s.targetId);
      ev.terminal = true;
      set.queue.push(ev);
      this.schedulePump(set);
    }
  }

  // ---------------------------------------------------------------- events

  private onCoreEvent(ev: CoreEvent): void {
    let drafts: BwEventDraft[];
    try {
      drafts = translate(ev, this.core);
    } catch (err) {
      this.opts.log?.(`translate ${ev.type}: ${(err as Error).message}`);
      return;
    }
    this.publish(drafts);
  }

  /** Queues each draft on every active subscription it matches. */
  private publish(drafts: BwEventDraft[]): void {
    for (const d of drafts) {
      for (const s of this.subs.values()) {
        if (!s.active || !this.matches(s, d)) continue;
        this.enqueue(s, d.type, d.body, d.targetId);
      }
    }
  }

  private matches(s: Subscription, d: BwEventDraft): boolean {
    if (d.pkg.kind === 'call') {
      const lvl = CALL_PACKAGES[s.event];
      if (!lvl) return false;
      const order: PackageLevel[] = ['basic', 'standard', 'advanced'];
      if (order.indexOf(lvl) < order.indexOf(d.pkg.level)) return false;
    } else if (s.event !== d.pkg.name) return false;
    switch (s.targetType) {
      case 'User':
        return s.targetId === d.targetId;
      case 'Group':
      case 'Enterprise':
      case 'System':
        return this.core.isDirectoryId(d.targetId);
    }
  }

  private makeEvent(
    s: Subscription,
    type: string,
    body: XmlNode[],
    targetId: string | undefined,
  ): PendingEvent {
    return {
      sub: s,
      order: ++this.eventCounter,
      eventID: randomUUID(),
      sequenceNumber: ++s.seq,
      type,
      targetId,
      body,
      tried: new Set(),
    };
  }

  private enqueue(s: Subscription, type: string, body: XmlNode[], targetId: string | undefined): void {
    const set = this.sets.get(s.setKey);
    if (!set) return;
    set.queue.push(this.makeEvent(s, type, body, targetId));
    this.schedulePump(set);
  }

  private schedulePump(set: ChannelSet): void {
    if (this.deferDepth > 0) return; // flushed after the response is written
    this.pump(set);
  }

  /** Channel choice: untried live channels, non-responsive last, lowest priority, then weighted random. */
  private selectChannel(set: ChannelSet, tried: Set<string>): Channel | undefined {
    const now = Date.now();
    const cands = set.channels.filter((c) => !tried.has(c.id) && !c.conn.closed);
    if (!cands.length) return undefined;
    const rank = (c: Channel) => (c.nonResponsiveUntil > now ? PRIORITY_NONRESPONSIVE : c.priority);
    const best = Math.min(...cands.map(rank));
    const group = cands.filter((c) => rank(c) === best);
    const total = group.reduce((a, c) => a + c.weight, 0);
    let r = this.opts.random() * total;
    for (const c of group) {
      r -= c.weight;
      if (r < 0) return c;
    }
    return group[group.length - 1];
  }

  /** Send queued events while the window (`maxEventsInFlight`) has room and no retry delay runs. */
  private pump(set: ChannelSet): void {
    if (!this.sets.has(set.key)) return;
    while (set.inFlight.size < this.opts.maxEventsInFlight && !set.retryTimer && set.queue.length) {
      const ev = set.queue.shift()!;
      if (!ev.terminal && !ev.sub.replaced && !this.subs.has(ev.sub.id)) continue;
      const ch = this.selectChannel(set, ev.tried);
      if (!ch) {
        this.opts.log?.(`event ${ev.eventID} dropped: no channel left`);
        continue;
      }
      this.send(set, ev, ch);
    }
  }

  /** An `xsp:event` envelope with a fresh requestId around an `xsi:Event` of the given type. */
  private eventEnvelope(type: string, ...children: XChild[]): { requestId: string; xml: XmlNode } {
    const requestId = `0:${++this.requestCounter}`;
    const xml = el(
      'xsp:event',
      { version: ENVELOPE_VERSION, 'xmlns:xsp': XSP_NS },
      tx('requestId', requestId),
      el(
        'xsp:payload',
        null,
        el(
          'xsi:Event',
          { 'xsi1:type': `xsi:${type}`, 'xmlns:xsi1': XSI1_NS, 'xmlns:xsi': XSI_NS },
          ...children,
        ),
      ),
    );
    return { requestId, xml };
  }

  private send(set: ChannelSet, ev: PendingEvent, ch: Channel): void {
    const s = ev.sub;
    const { requestId, xml } = this.eventEnvelope(
      'SubscriptionEvent',
      tx('xsi:eventID', ev.eventID),
      tx('xsi:sequenceNumber', ev.sequenceNumber),
      tx('xsi:userId', s.owner),
      tx('xsi:externalApplicationId', s.applicationId ?? ''),
      tx('xsi:subscriptionId', s.id),
      tx('xsi:channelId', ch.id),
      ev.targetId && ev.targetId !== s.owner ? tx('xsi:targetId', ev.targetId) : undefined,
      tx('xsi:targetSubId', s.subId),
      el('xsi:eventData', { 'xsi1:type': `xsi:${ev.type}` }, ev.body),
    );
    const timer = setTimeout(() => this.onTimeout(set, requestId), this.opts.eventResponseTimeoutMs);
    timer.unref?.();
    set.inFlight.set(requestId, { ev, channel: ch, requestId, timer });
    this.deliveries.push({
      at: Date.now(),
      requestId,
      eventID: ev.eventID,
      eventType: ev.type,
      subscriptionId: s.id,
      channelId: ch.id,
      targetId: ev.targetId,
    });
    this.write(ch.conn, xml);
  }

  private record(
    f: InFlight,
    status: number | undefined,
    applied: number | undefined,
    outcome: EventResponseRecord['outcome'],
  ): void {
    this.eventResponses.push({
      at: Date.now(),
      requestId: f.requestId,
      eventID: f.ev.eventID,
      eventType: f.ev.type,
      subscriptionId: f.ev.sub.id,
      channelId: f.channel.id,
      statusCode: status,
      appliedStatus: applied,
      outcome,
    });
    if (this.eventResponses.length > 5000) this.eventResponses.splice(0, 1000);
  }

  /**
   * Put events back in the queue for a re-send, in the order they were first queued: ahead of every
   * newer event, behind older ones already waiting for their own re-send. With one event in flight at a
   * time this is always the front of the queue.
   */
  private requeue(set: ChannelSet, evs: PendingEvent[]): void {
    for (const ev of [...evs].sort((a, b) => a.order - b.order)) {
      const i = set.queue.findIndex((q) => q.order > ev.order);
      if (i < 0) set.queue.push(ev);
      else set.queue.splice(i, 0, ev);
    }
  }

  /** Re-send an event on the next channel, after `retryDelayMs` (during which the set sends nothing). */
  private retryLater(set: ChannelSet, ev: PendingEvent): void {
    this.requeue(set, [ev]);
    if (this.opts.retryDelayMs > 0) {
      if (set.retryTimer) clearTimeout(set.retryTimer);
      set.retryTimer = setTimeout(() => {
        set.retryTimer = undefined;
        this.pump(set);
      }, this.opts.retryDelayMs);
      set.retryTimer.unref?.();
    } else this.pump(set);
  }

  private onEventResponse(conn: Conn, body: XNode): void {
    const requestId = childText(body, 'requestId');
    const er = lookup(body, 'EventResponse') ?? child(body, 'payload');
    const eventID = text(lookup(er, 'eventID'));
    const statusRaw = text(lookup(er, 'statusCode'));
    const found = this.findInFlight(conn, requestId, eventID);
    if (!found) {
      this.opts.log?.(`conn ${conn.id}: late or unknown eventResponse ${requestId ?? eventID ?? ''}`);
      return;
    }
    const { set, f } = found;
    clearTimeout(f.timer);
    set.inFlight.delete(f.requestId);
    const status = statusRaw !== undefined ? Number(statusRaw) : 200;
    let applied = status;
    const ov = this.overrides[0];
    if (ov) {
      applied = ov.status;
      if (--ov.remaining <= 0) this.overrides.shift();
    }
    if (applied >= 200 && applied < 300) {
      this.record(f, status, applied, 'delivered');
      this.pump(set);
    } else if (applied === 404) {
      // removing the channel also moves every other event in flight on it back to the queue
      this.record(f, status, applied, 'channel-removed-retry');
      f.ev.tried.add(f.channel.id);
      this.requeue(set, [f.ev]);
      this.removeChannel(f.channel, 'UnknownChannel', true);
      this.pump(set);
    } else if (applied === 481) {
      this.record(f, status, applied, 'subscription-deleted');
      this.deleteSubscription(f.ev.sub, false);
      this.pump(set);
    } else if (applied === 500) {
      this.record(f, status, applied, 'retry-next-channel');
      f.ev.tried.add(f.channel.id);
      this.retryLater(set, f.ev);
    } else {
      this.record(f, status, applied, 'dropped');
      this.pump(set);
    }
  }

  /** The in-flight event an eventResponse answers: by requestId, or by eventID when it has none. */
  private findInFlight(
    conn: Conn,
    requestId: string | undefined,
    eventID: string | undefined,
  ): { set: ChannelSet; f: InFlight } | undefined {
    for (const set of this.sets.values()) {
      const f = requestId
        ? set.inFlight.get(requestId)
        : [...set.inFlight.values()].find((x) => x.ev.eventID === eventID);
      if (f && f.channel.conn === conn) return { set, f };
    }
    return undefined;
  }

  private onTimeout(set: ChannelSet, requestId: string): void {
    const f = set.inFlight.get(requestId);
    if (!f) return;
    set.inFlight.delete(requestId);
    f.channel.nonResponsiveUntil = Date.now() + this.opts.nonResponsiveTagMs;
    f.ev.tried.add(f.channel.id);
    if (this.selectChannel(set, f.ev.tried)) {
      this.record(f, undefined, undefined, 'timeout-retry');
      this.retryLater(set, f.ev);
      return;
    }
    // no other channel: drop the event, remove the non-responsive channel(s), delete the subscription
    this.record(f, undefined, undefined, 'timeout-dropped');
    this.deleteSubscription(f.ev.sub, true);
    const now = Date.now();
    for (const c of [...set.channels])
      if (c === f.channel || c.nonResponsiveUntil > now) this.removeChannel(c, 'NonResponsiveChannel', true);
    this.pump(set);
  }
}

type ChannelHandler = (
  this: BroadWorksCtiFrontEnd,
  conn: Conn,
  principal: Principal,
  req: Req,
) => { status: number; payload?: XmlNode };

function subHandler(t: TargetType, withSubId = false): ChannelHandler {
  return function (this: BroadWorksCtiFrontEnd, conn, principal, req) {
    return this.addSubscription(t, withSubId)(conn, principal, req);
  };
}

const CHANNEL_REQUESTS: Record<string, ChannelHandler> = {
  addchannelrequest: BroadWorksCtiFrontEnd.prototype.addChannel,
  updatechannelrequest: BroadWorksCtiFrontEnd.prototype.updateChannel,
  deletechannelrequest: BroadWorksCtiFrontEnd.prototype.deleteChannel,
  getchannelsetrequest: BroadWorksCtiFrontEnd.prototype.getChannelSet,
  addusersubscriptionrequest: subHandler('User'),
  addusersubidsubscriptionrequest: subHandler('User', true),
  addgroupsubscriptionrequest: subHandler('Group'),
  addenterprisesubscriptionrequest: subHandler('Enterprise'),
  addserviceprovidersubscriptionrequest: subHandler('Enterprise'),
  addsystemsubscriptionrequest: subHandler('System'),
  updatesubscriptionrequest: BroadWorksCtiFrontEnd.prototype.updateSubscription,
  deletesubscriptionrequest: BroadWorksCtiFrontEnd.prototype.deleteSubscriptionRequest,
  getsinglesubscriptionrequest: BroadWorksCtiFrontEnd.prototype.getSingleSubscription,
  getsubscriptions: BroadWorksCtiFrontEnd.prototype.getSubscriptions,
  getsubscriptionsrequest: BroadWorksCtiFrontEnd.prototype.getSubscriptions,
};

export function createBroadWorksCtiFrontEnd(
  core: PbxCore,
  options: BroadWorksCtiOptions = {},
): BroadWorksCtiFrontEnd {
  return new BroadWorksCtiFrontEnd(core, options);
}
