/**
 * BroadWorks CTI protocol client: one TCP/TLS connection to an Xsp, as an explicit state machine.
 *
 *   disconnected → connecting → authenticating → channelSetup → subscribing → ready → closing → disconnected
 *                      ↑ (any failure or socket loss goes back to disconnected)    ↘ channelSetup (channel lost)
 *
 * It owns the socket, the framing, the `xsp:` envelopes, requestId correlation with per-request timeouts,
 * write back-pressure, keepalives (answers the server's, sends its own), the event channel (add, refresh,
 * delete), the acknowledgement of every event, and the collation of events by sequenceNumber. What events
 * mean is the driver's business.
 *
 * An event is acknowledged (eventResponse 200) only once the driver's handling of it is durable (the
 * promise `onEvent` returned resolved: its drafts are in the event log); never if it rejected, so that
 * BroadWorks re-sends it on another channel of the set. Events answered otherwise (481 for a deleted
 * subscription, 400 for an unreadable one) are answered on receipt.
 */
import { durable, type Durable } from '../../driver-kit/events.js';
import net from 'node:net';
import tls from 'node:tls';
import { LinkUnavailableError, type DriverLogger } from '../../driver-kit/seam.js';
import { XmlFramer } from '../../../shared/xml/framer.js';
import {
  buildEventResponse,
  buildKeepalive,
  buildKeepaliveResponse,
  buildRequest,
  parseInbound,
  type BwEvent,
  type Inbound,
  type RequestSpec,
} from './messages.js';
import { find, textOf, intOf } from '../wire/index.js';
import { Requests } from './requests.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import { writeCoalesced } from '../../../shared/net/coalesce.js';

export type SessionState =
  'disconnected' | 'connecting' | 'authenticating' | 'channelSetup' | 'subscribing' | 'ready' | 'closing';

const TRANSITIONS: TransitionTable<SessionState> = {
  disconnected: ['connecting'],
  connecting: ['authenticating', 'disconnected', 'closing'],
  authenticating: ['channelSetup', 'disconnected', 'closing'],
  channelSetup: ['subscribing', 'disconnected', 'closing'],
  subscribing: ['ready', 'disconnected', 'closing'],
  ready: ['channelSetup', 'disconnected', 'closing'],
  closing: ['disconnected'],
};

export type Response = Extract<Inbound, { kind: 'response' }>;

export interface ClientConfig {
  endpoint: string;
  username: string;
  password: string;
  rejectUnauthorized: boolean;
  ca?: string;
  version: string;
  requests: Requests;
  channelSetId: string;
  applicationId: string;
  channelExpires: number;
  channelPriority: number;
  channelWeight: number;
  /** Refresh a channel (and subscriptions) after this fraction of `expires`. */
  refreshRatio: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveMaxMisses: number;
  collateWindowMs: number;
  authProbe: boolean;
}

export interface ClientHandlers {
  /**
   * Events in sequenceNumber order per subscription, duplicates removed. The eventResponse goes out when
   * the returned promise resolves (at once without one); none when it rejects.
   */
  onEvent(ev: BwEvent): void | Promise<void>;
  /** Status for the eventResponse of a parsed event (200 unless the driver knows better). */
  ackStatus(ev: BwEvent): { status: number; reason: string };
  /** The channel is gone but the connection lives (ChannelTerminated or failed refresh). */
  onChannelLost(reason: string, fatal: boolean): void;
  /** The connection ended without close(). */
  onClosed(reason: string): void;
  onGarbage(kind: string, detail: string): void;
}

interface Pending {
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  onResponse: ((r: Response) => void) | undefined;
  type: string;
}

interface Collator {
  next?: number;
  buffer: Map<number, BwEvent>;
  timer?: NodeJS.Timeout;
}

const SEEN_EVENT_IDS = 4096;

export function parseEndpoint(endpoint: string): { secure: boolean; host: string; port: number } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`invalid endpoint ${endpoint}`);
  }
  const secure = url.protocol === 'tls:';
  if (url.protocol !== 'tcp:' && !secure)
    throw new Error(`unsupported endpoint scheme ${url.protocol} (tcp:// or tls://)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`endpoint ${endpoint} needs host:port`);
  return { secure, host, port };
}

export class BwClient {
  private readonly session: StateMachine<SessionState>;
  private socket: net.Socket | undefined;
  private framer = new XmlFramer();
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private sessionId: string | undefined;
  private blocked = false;
  private readonly urgentQ: string[] = [];
  private readonly normalQ: string[] = [];
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private inboundSinceKeepalive = true;
  private keepaliveMisses = 0;
  private channelTimer: NodeJS.Timeout | undefined;
  private readonly collators = new Map<string, Collator>();
  /** Event ids handled lately, with the durability of their handling (a resend is answered with it). */
  private readonly seen = new Map<string, Promise<void>>();
  /** Received events not yet handed to the driver (collating), with their durability. */
  private readonly held = new Map<BwEvent, Durable>();
  private closeReason: string | undefined;
  private readonly credential: string;
  /** The channel on this connection. */
  channelId: string | undefined;
  channelExpires: number | undefined;
  /** Counters for tests and diagnostics. */
  readonly stats = { acks: 0, keepalivesAnswered: 0, duplicates: 0, late: 0, channelRefreshes: 0 };

  constructor(
    private readonly cfg: ClientConfig,
    private readonly handlers: ClientHandlers,
    private readonly logger: DriverLogger,
  ) {
    this.credential = Buffer.from(`${cfg.username}:${cfg.password}`, 'utf8').toString('base64');
    this.session = new StateMachine<SessionState>('disconnected', TRANSITIONS, (from, to) =>
      this.logger.debug('broadworks-cti state', { from, to }),
    );
  }

  get state(): SessionState {
    return this.session.state;
  }

  /** Opens the connection and walks the state machine up to `ready`; `subscribe` runs in `subscribing`. */
  async connect(subscribe: () => Promise<void>): Promise<void> {
    if (this.session.state !== 'disconnected') throw new Error(`connect() while ${this.session.state}`);
    this.session.to('connecting');
    this.closeReason = undefined;
    try {
      await this.openSocket();
      this.session.to('authenticating');
      if (this.cfg.authProbe) await this.authenticate();
      this.session.to('channelSetup');
      await this.addChannel();
      this.session.to('subscribing');
      await subscribe();
      this.session.to('ready');
      this.startKeepalive();
    } catch (err) {
      this.teardown(`connect failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** After a channel loss on a live connection: add a new channel, re-subscribe, back to ready. */
  async recoverChannel(subscribe: () => Promise<void>): Promise<void> {
    if (this.session.state !== 'ready') return;
    this.session.to('channelSetup');
    this.clearChannelTimer();
    this.channelId = undefined;
    // the lost channel's subscriptions are all added again, under new ids: their collators are done
    this.forgetAll();
    try {
      await this.addChannel();
      this.session.to('subscribing');
      await subscribe();
      this.session.to('ready');
    } catch (err) {
      const now = this.session.state as SessionState;
      if (now === 'closing' || now === 'disconnected') return;
      this.fail(`channel recovery failed: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.session.is('disconnected', 'closing')) return;
    const wasUp = this.session.state === 'ready';
    this.session.to('closing');
    this.stopTimers();
    if (wasUp && this.channelId && this.socket && !this.socket.destroyed) {
      try {
        await this.request(this.cfg.requests.deleteChannel(this.channelId), {
          timeoutMs: Math.min(2000, this.cfg.requestTimeoutMs),
          allowIn: ['closing'],
        });
      } catch {
        /* best effort */
      }
    }
    const sock = this.socket;
    if (sock && !sock.destroyed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          sock.destroy();
          resolve();
        }, 1000);
        sock.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        sock.end();
      });
    }
    this.teardown('closed');
  }

  // ---------------------------------------------------------------------------------------------------
  // requests

  /**
   * Sends one request and resolves with the response (any status). `onResponse` runs synchronously when
   * the response is read, before any later message of the same chunk is handled.
   */
  request(
    spec: RequestSpec,
    opts: { timeoutMs?: number; onResponse?: (r: Response) => void; allowIn?: SessionState[] } = {},
  ): Promise<Response> {
    const allowed = opts.allowIn ?? ['authenticating', 'channelSetup', 'subscribing', 'ready'];
    if (!this.socket || this.socket.destroyed || !allowed.includes(this.session.state)) {
      return Promise.reject(new LinkUnavailableError(`broadworks-cti link is ${this.session.state}`));
    }
    const requestId = String(++this.seq);
    const frame = buildRequest(spec, {
      requestId,
      credential: this.credential,
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
      version: this.cfg.version,
    });
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new LinkUnavailableError(
            `broadworks-cti ${spec.type} timed out after ${opts.timeoutMs ?? this.cfg.requestTimeoutMs} ms`,
          ),
        );
      }, opts.timeoutMs ?? this.cfg.requestTimeoutMs);
      this.pending.set(requestId, { resolve, reject, timer, onResponse: opts.onResponse, type: spec.type });
      this.write(frame, false);
    });
  }

  private async authenticate(): Promise<void> {
    // BroadWorks authenticates every request; a harmless first request proves the credentials and yields
    // the sessionId. Any answer but 401 (or 403/100004) means the credentials were accepted.
    const r = await this.request(this.cfg.requests.getChannelSet(this.cfg.channelSetId));
    if (r.statusCode === 401 || (r.statusCode === 403 && r.errorInfo?.errorCode === '100004')) {
      throw new Error(`authentication failed (${r.statusCode}${r.reason ? ` ${r.reason}` : ''})`);
    }
  }

  private async addChannel(): Promise<void> {
    const r = await this.request(
      this.cfg.requests.addChannel({
        channelSetId: this.cfg.channelSetId,
        priority: this.cfg.channelPriority,
        weight: this.cfg.channelWeight,
        expires: this.cfg.channelExpires,
        applicationId: this.cfg.applicationId,
      }),
    );
    if (r.statusCode === 401) throw new Error(`authentication failed (401${r.reason ? ` ${r.reason}` : ''})`);
    if (r.statusCode !== 200) {
      throw new Error(
        `AddChannel refused: ${r.statusCode} ${r.errorInfo?.errorCode ?? ''} ${r.errorInfo?.summaryEnglish ?? r.reason ?? ''}`.trim(),
      );
    }
    const channelId = textOf(r.payload ?? r.root, 'channelid');
    if (!channelId) throw new Error('AddChannel response without channelId');
    this.channelId = channelId;
    this.channelExpires =
      intOf(find(r.root, 'channel') ?? r.payload ?? r.root, 'expires') ?? this.cfg.channelExpires;
    this.scheduleChannelRefresh();
  }

  private scheduleChannelRefresh(): void {
    this.clearChannelTimer();
    const seconds = Math.max(1, this.channelExpires ?? this.cfg.channelExpires);
    const ms = Math.max(500, seconds * 1000 * this.cfg.refreshRatio);
    this.channelTimer = setTimeout(() => void this.refreshChannel(), ms);
    this.channelTimer.unref?.();
  }

  private clearChannelTimer(): void {
    if (this.channelTimer) clearTimeout(this.channelTimer);
    this.channelTimer = undefined;
  }

  private async refreshChannel(): Promise<void> {
    const id = this.channelId;
    if (!id || !this.session.is('ready', 'subscribing')) return;
    try {
      const r = await this.request(this.cfg.requests.updateChannel(id, this.cfg.channelExpires));
      if (r.statusCode === 200) {
        this.stats.channelRefreshes++;
        this.channelExpires =
          intOf(find(r.root, 'channel') ?? r.payload ?? r.root, 'expires') ?? this.cfg.channelExpires;
        this.scheduleChannelRefresh();
      } else {
        this.logger.warn('broadworks-cti channel refresh refused', {
          status: r.statusCode,
          code: r.errorInfo?.errorCode,
        });
        this.handlers.onChannelLost(`channel refresh refused (${r.statusCode})`, false);
      }
    } catch (err) {
      if (this.session.state === 'ready')
        this.logger.warn('broadworks-cti channel refresh failed', { error: (err as Error).message });
      if (this.session.state === 'ready') this.scheduleChannelRefreshSoon();
    }
  }

  private scheduleChannelRefreshSoon(): void {
    this.clearChannelTimer();
    this.channelTimer = setTimeout(() => void this.refreshChannel(), 5000);
    this.channelTimer.unref?.();
  }

  // ---------------------------------------------------------------------------------------------------
  // socket

  private openSocket(): Promise<void> {
    const { secure, host, port } = parseEndpoint(this.cfg.endpoint);
    this.framer = new XmlFramer();
    this.blocked = false;
    this.urgentQ.length = 0;
    this.normalQ.length = 0;
    this.sessionId = undefined;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const sock = secure
        ? tls.connect({
            host,
            port,
            rejectUnauthorized: this.cfg.rejectUnauthorized,
            ...(this.cfg.ca ? { ca: this.cfg.ca } : {}),
            ...(net.isIP(host) ? {} : { servername: host }),
          })
        : net.connect({ host, port });
      this.socket = sock;
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        sock.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, this.cfg.connectTimeoutMs);
      sock.once(secure ? 'secureConnect' : 'connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      });
      sock.on('error', (err) => {
        this.closeReason ??= `socket error: ${err.message}`;
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new Error(`connect to ${host}:${port} failed: ${err.message}`));
        }
      });
      sock.on('data', (chunk: Buffer) => this.onData(chunk));
      sock.on('drain', () => this.flush());
      sock.on('close', () => {
        if (this.socket !== sock) return;
        const reason = this.closeReason ?? 'connection closed by server';
        const unexpected = !this.session.is('closing', 'disconnected');
        const wasUp = this.session.is('ready', 'channelSetup', 'subscribing');
        this.teardown(reason);
        if (unexpected && wasUp) this.handlers.onClosed(reason);
      });
    });
  }

  /** Ends the connection because of a protocol failure (the driver reports it as down). */
  fail(reason: string): void {
    if (this.session.is('disconnected', 'closing')) return;
    this.closeReason = reason;
    this.socket?.destroy();
  }

  private teardown(reason: string): void {
    this.stopTimers();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new LinkUnavailableError(`broadworks-cti ${p.type} aborted: ${reason}`));
      this.pending.delete(id);
    }
    for (const c of this.collators.values()) if (c.timer) clearTimeout(c.timer);
    this.collators.clear();
    // events still collating were not handled: a resend (on another channel) is handled afresh
    for (const d of this.held.values()) d.reject(new Error(`connection ended: ${reason}`));
    this.held.clear();
    const sock = this.socket;
    this.socket = undefined;
    if (sock && !sock.destroyed) sock.destroy();
    this.channelId = undefined;
    this.urgentQ.length = 0;
    this.normalQ.length = 0;
    if (this.session.state !== 'disconnected') this.session.to('disconnected');
  }

  private stopTimers(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.clearChannelTimer();
  }

  /** Writes a frame respecting back-pressure; acknowledgements and keepalive answers jump the queue. */
  private write(frame: string, urgent: boolean): void {
    const sock = this.socket;
    if (!sock || sock.destroyed) return;
    if (this.blocked) {
      (urgent ? this.urgentQ : this.normalQ).push(frame);
      return;
    }
    this.blocked = !writeCoalesced(sock, frame);
  }

  private flush(): void {
    const sock = this.socket;
    this.blocked = false;
    while (sock && !sock.destroyed && !this.blocked) {
      const next = this.urgentQ.shift() ?? this.normalQ.shift();
      if (next === undefined) break;
      this.blocked = !writeCoalesced(sock, next);
    }
  }

  /** Subscriptions with a collator (tests and diagnostics). */
  get collating(): number {
    return this.collators.size;
  }

  /** Frames waiting for the socket to drain (tests). */
  get queuedFrames(): number {
    return this.urgentQ.length + this.normalQ.length;
  }

  private startKeepalive(): void {
    if (this.cfg.keepaliveIntervalMs <= 0) return;
    this.inboundSinceKeepalive = true;
    this.keepaliveMisses = 0;
    this.keepaliveTimer = setInterval(() => {
      if (this.session.state !== 'ready') return;
      if (!this.inboundSinceKeepalive) {
        this.keepaliveMisses++;
        if (this.keepaliveMisses >= this.cfg.keepaliveMaxMisses) {
          this.fail(`keepalive lost (${this.keepaliveMisses} intervals without traffic)`);
          return;
        }
      } else {
        this.keepaliveMisses = 0;
      }
      this.inboundSinceKeepalive = false;
      this.write(buildKeepalive(`ka-${++this.seq}`, this.cfg.version), true);
    }, this.cfg.keepaliveIntervalMs);
    this.keepaliveTimer.unref?.();
  }

  // ---------------------------------------------------------------------------------------------------
  // inbound

  private onData(chunk: Buffer): void {
    this.inboundSinceKeepalive = true;
    let messages: string[];
    try {
      const res = this.framer.push(chunk);
      messages = res.messages;
      for (const e of res.errors) this.garbage('framing', `${e.message}: ${e.garbage.slice(0, 200)}`);
    } catch (err) {
      this.garbage('framing', `framer failure: ${(err as Error).message}`);
      this.framer = new XmlFramer();
      return;
    }
    for (const m of messages) {
      if (!this.socket) return; // torn down by an earlier message
      try {
        this.handle(m);
      } catch (err) {
        this.garbage('internal', `message handling failed: ${(err as Error).message}`);
      }
    }
  }

  private garbage(kind: string, detail: string): void {
    try {
      this.handlers.onGarbage(kind, detail);
    } catch {
      /* a hook must not break the session */
    }
  }

  private handle(text: string): void {
    const msg = parseInbound(text);
    switch (msg.kind) {
      case 'keepalive':
        this.stats.keepalivesAnswered++;
        this.write(buildKeepaliveResponse(msg.requestId, this.cfg.version), true);
        return;
      case 'keepaliveResponse':
        this.keepaliveMisses = 0;
        return;
      case 'response': {
        if (msg.sessionId) this.sessionId = msg.sessionId;
        const p = msg.requestId !== undefined ? this.pending.get(msg.requestId) : undefined;
        if (!p) {
          this.logger.warn('broadworks-cti response for an unknown request', {
            requestId: msg.requestId,
            status: msg.statusCode,
          });
          return;
        }
        this.pending.delete(msg.requestId!);
        clearTimeout(p.timer);
        try {
          p.onResponse?.(msg);
        } catch (err) {
          this.logger.warn('broadworks-cti response hook failed', { error: (err as Error).message });
        }
        p.resolve(msg);
        return;
      }
      case 'channelTerminated': {
        // never acknowledged (§6.15); only our channel matters
        if (msg.channelId && this.channelId && msg.channelId !== this.channelId) {
          this.logger.info('broadworks-cti ChannelTerminated for another channel', {
            channelId: msg.channelId,
          });
          return;
        }
        const reason = msg.reason ?? 'unknown';
        const fatal = reason === 'DuplicateChannelSet' || reason === 'UserDeleted';
        this.clearChannelTimer();
        this.channelId = undefined;
        this.handlers.onChannelLost(`ChannelTerminated: ${reason}`, fatal);
        return;
      }
      case 'event':
        this.onEvent(msg.event);
        return;
      case 'garbage':
        this.garbage('unparseable', `${msg.reason}: ${text.slice(0, 300)}`);
        if (msg.requestId) {
          // an event we cannot read: 400 = "application reason, drop the event" keeps channel and subscription
          this.stats.acks++;
          this.write(
            buildEventResponse(msg.requestId, msg.eventId ?? '', 400, 'Unparseable event', this.cfg.version),
            true,
          );
        }
        return;
    }
  }

  private onEvent(ev: BwEvent): void {
    let status = { status: 200, reason: 'OK' };
    try {
      status = this.handlers.ackStatus(ev);
    } catch {
      /* keep 200 */
    }
    const sock = this.socket;
    if (status.status !== 200) this.acknowledge(ev, status, sock);
    if (ev.repaired) this.garbage('repaired', `event ${ev.eventId} needed XML repair`);
    if (status.status !== 200) return;
    const id = ev.eventId!;
    const known = this.seen.get(id);
    if (known) {
      // a resend of an event handled already: answered once that handling is durable
      this.stats.duplicates++;
      known.then(
        () => this.acknowledge(ev, status, sock),
        () => undefined,
      );
      return;
    }
    const d = durable();
    this.seen.delete(id);
    this.seen.set(id, d.promise);
    if (this.seen.size > SEEN_EVENT_IDS) this.seen.delete(this.seen.keys().next().value!);
    d.promise.then(
      () => this.acknowledge(ev, status, sock),
      (err: unknown) => {
        if (this.seen.get(id) === d.promise) this.seen.delete(id);
        this.logger.warn('broadworks-cti event not acknowledged (not durable)', {
          eventId: id,
          error: (err as Error).message,
        });
      },
    );
    this.held.set(ev, d);
    this.collate(ev);
  }

  /** The eventResponse, on the connection the event came on (its requestId means nothing elsewhere). */
  private acknowledge(
    ev: BwEvent,
    status: { status: number; reason: string },
    sock: net.Socket | undefined,
  ): void {
    if (!sock || this.socket !== sock || sock.destroyed) return;
    this.stats.acks++;
    this.write(
      buildEventResponse(ev.requestId!, ev.eventId!, status.status, status.reason, this.cfg.version),
      true,
    );
  }

  private deliver(ev: BwEvent): void {
    const d = this.held.get(ev);
    this.held.delete(ev);
    try {
      const handled = this.handlers.onEvent(ev);
      if (handled)
        handled.then(
          () => d?.resolve(),
          (err: unknown) => d?.reject(err as Error),
        );
      else d?.resolve();
    } catch (err) {
      // a failure of ours, not of durability: answered, as a resend would fail the same way
      this.garbage('internal', `event handling failed: ${(err as Error).message}`);
      d?.resolve();
    }
  }

  /** Orders events per subscription (or shared subscription) by sequenceNumber. */
  private collate(ev: BwEvent): void {
    const seq = ev.sequenceNumber;
    if (seq === undefined) return this.deliver(ev);
    const key = ev.sharedSubscriptionId ?? ev.subscriptionId ?? '';
    let c = this.collators.get(key);
    if (!c) {
      c = { buffer: new Map() };
      this.collators.set(key, c);
    }
    if (c.next === undefined) {
      if (seq <= 1) c.next = seq;
      else {
        // first event of this subscription: wait a moment for a lower number
        c.buffer.set(seq, ev);
        this.armCollator(key, c);
        return;
      }
    }
    if (seq < c.next) {
      this.stats.late++;
      this.logger.warn('broadworks-cti late event delivered out of order', {
        eventId: ev.eventId,
        seq,
        expected: c.next,
      });
      return this.deliver(ev);
    }
    if (seq > c.next) {
      c.buffer.set(seq, ev);
      this.armCollator(key, c);
      return;
    }
    this.deliver(ev);
    c.next = seq + 1;
    this.drain(key, c);
  }

  /**
   * A subscription is gone (deleted, terminated, refused, or lost with its channel): its collator goes
   * too, else a connection that lives for weeks keeps one per subscription id it ever had. The events it
   * still holds were received, so they are handed on now, in order and gaps skipped, as the collation
   * window would have done. A later event of the id (BroadWorks sends none once the subscription ended;
   * one we deleted is answered 481 before collation) would start a new collator.
   */
  forget(subscriptionId: string): void {
    const c = this.collators.get(subscriptionId);
    if (!c) return;
    this.collators.delete(subscriptionId);
    this.release(c);
  }

  /** Every collator goes (the channel is lost), each handing on what it holds as `forget` does. */
  private forgetAll(): void {
    const all = [...this.collators.values()];
    this.collators.clear();
    for (const c of all) this.release(c);
  }

  private release(c: Collator): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = undefined;
    const held = [...c.buffer].sort(([a], [b]) => a - b);
    c.buffer.clear();
    for (const [, ev] of held) this.deliver(ev);
  }

  private drain(key: string, c: Collator): void {
    while (c.next !== undefined && c.buffer.has(c.next)) {
      const ev = c.buffer.get(c.next)!;
      c.buffer.delete(c.next);
      c.next++;
      this.deliver(ev);
    }
    if (c.buffer.size === 0) {
      if (c.timer) clearTimeout(c.timer);
      c.timer = undefined;
    } else {
      this.armCollator(key, c);
    }
  }

  private armCollator(key: string, c: Collator): void {
    if (c.timer) return;
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (this.collators.get(key) !== c || c.buffer.size === 0) return;
      // the gap did not fill in time: skip to the lowest buffered number
      const lowest = Math.min(...c.buffer.keys());
      if (c.next !== undefined && lowest > c.next) {
        this.logger.warn('broadworks-cti sequence gap skipped', {
          subscription: key,
          from: c.next,
          to: lowest,
        });
      }
      c.next = lowest;
      this.drain(key, c);
    }, this.cfg.collateWindowMs);
    c.timer.unref?.();
  }
}
