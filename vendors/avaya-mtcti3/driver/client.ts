/**
 * MTCTI-3 session client: one websocket (`openapi` subprotocol, Basic service-user credentials in the
 * upgrade), the 4-octet framing (or none), requestid bookkeeping (RequestResponse / GeneralData) and the
 * NotifyAck of every numbered Notify, sent once the driver's handling of it is durable (in the event
 * log). Subscriptions and mapping live in the driver.
 *
 *   disconnected → connecting → ready → closing → disconnected
 *   (a refused upgrade or a lost socket goes back to disconnected)
 */
import WebSocket from 'ws';
import type { DriverLogger } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import {
  MTCTI3_PATH_FRAMED,
  MTCTI3_PATH_UNFRAMED,
  MTCTI3_SUBPROTOCOL,
  decodeMessage,
  encodeMessage,
  frame,
  kindOf,
  unframe,
  type Message,
  type Notify,
} from '../wire/codec.js';

export interface ClientConfig {
  /** ws(s)://host:port[/path]; without a path the framing decides it. */
  endpoint: string;
  username: string;
  password: string;
  framed: boolean;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  pingIntervalMs: number;
  rejectUnauthorized: boolean;
  ca?: string;
}

export interface ClientHandlers {
  /**
   * A Notify. A numbered one is acknowledged (NotifyAck) once the returned promise resolved (its events
   * are in the log; at once without a promise); if it rejects, never: the session is dropped instead, as
   * IP Office would hold the subscription forever, and the reconnect's new subscriptions report the state.
   */
  onNotify(n: Notify): void | Promise<void>;
  onTerminated(subscribeId: number, reason: string | undefined): void;
  /** The socket closed after `connect()` resolved (not after `close()`). */
  onClosed(reason: string): void;
  onGarbage(kind: string, detail: string): void;
}

export type ClientState = 'disconnected' | 'connecting' | 'ready' | 'closing';

const TRANSITIONS: TransitionTable<ClientState> = {
  disconnected: ['connecting'],
  connecting: ['ready', 'disconnected', 'closing'],
  ready: ['closing', 'disconnected'],
  closing: ['disconnected'],
};

/** A reply to a request: the RequestResponse, or the GeneralData of a GeneralCmd. */
export interface Reply {
  result: number;
  additional?: string;
  message: Message;
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** The connection was refused or lost. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export function endpointUrl(endpoint: string, framed: boolean): string {
  const u = new URL(endpoint);
  if (u.pathname === '' || u.pathname === '/')
    u.pathname = framed ? MTCTI3_PATH_FRAMED : MTCTI3_PATH_UNFRAMED;
  return u.toString();
}

const REQUEST_KINDS = ['generalcmd', 'subscribe', 'subscribecmd', 'subscribeend'] as const;

export class Mtcti3Client {
  private readonly phase: StateMachine<ClientState>;
  private ws: WebSocket | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  /** The server's `Server` header of the last handshake. */
  serverHeader: string | undefined;

  constructor(
    private readonly cfg: ClientConfig,
    private readonly handlers: ClientHandlers,
    private readonly logger: DriverLogger,
  ) {
    this.phase = new StateMachine<ClientState>('disconnected', TRANSITIONS, (from, to) =>
      this.logger.debug('mtcti3 state', { from, to }),
    );
  }

  get state(): ClientState {
    return this.phase.state;
  }

  connect(): Promise<void> {
    if (this.state !== 'disconnected') return Promise.reject(new Error(`client is ${this.state}`));
    this.phase.to('connecting');
    const url = endpointUrl(this.cfg.endpoint, this.cfg.framed);
    const auth = Buffer.from(`${this.cfg.username}:${this.cfg.password}`).toString('base64');
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(url, MTCTI3_SUBPROTOCOL, {
        headers: { Authorization: `Basic ${auth}` },
        handshakeTimeout: this.cfg.connectTimeoutMs,
        rejectUnauthorized: this.cfg.rejectUnauthorized,
        ...(this.cfg.ca ? { ca: this.cfg.ca } : {}),
        perMessageDeflate: false,
      });
      this.ws = ws;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        this.phase.to('disconnected');
        this.ws = undefined;
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      };
      ws.on('upgrade', (res) => {
        const s = res.headers['server'];
        this.serverHeader = Array.isArray(s) ? s[0] : s;
      });
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        fail(
          new ConnectionError(
            status === 401
              ? 'MTCTI-3 login refused (401): check the service user and its rights group'
              : `MTCTI-3 upgrade refused with HTTP ${status}`,
            status,
          ),
        );
      });
      ws.on('error', (err) => {
        if (!settled) fail(new ConnectionError(`MTCTI-3 connect failed: ${err.message}`));
      });
      ws.on('open', () => {
        if (settled) return;
        if (!this.phase.is('connecting')) {
          fail(new ConnectionError('MTCTI-3 connect abandoned (client closing)'));
          return;
        }
        if (ws.protocol !== MTCTI3_SUBPROTOCOL) {
          fail(new ConnectionError(`server did not accept the "${MTCTI3_SUBPROTOCOL}" subprotocol`));
          return;
        }
        settled = true;
        this.phase.to('ready');
        ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
        ws.on('pong', () => (this.awaitingPong = false));
        ws.on('close', (code, reason) =>
          this.onClose(`socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`),
        );
        this.startPing();
        resolve();
      });
    });
  }

  private startPing(): void {
    if (!this.cfg.pingIntervalMs) return;
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.state !== 'ready' || !this.ws) return;
      if (this.awaitingPong) {
        this.logger.warn('mtcti3: no pong, dropping the socket');
        this.ws.terminate();
        return;
      }
      this.awaitingPong = true;
      this.ws.ping();
    }, this.cfg.pingIntervalMs);
    this.pingTimer.unref?.();
  }

  private onClose(reason: string): void {
    const was = this.phase.state;
    this.phase.to('disconnected');
    this.ws = undefined;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionError(`link lost: ${reason}`));
    }
    this.pending.clear();
    if (was === 'ready') this.handlers.onClosed(reason);
  }

  /** Drop the socket without a close handshake (used when the session is unusable). */
  fail(reason: string): void {
    if (!this.ws) return;
    this.logger.warn('mtcti3: dropping the session', { reason });
    this.ws.terminate();
  }

  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws) {
      this.phase.to('disconnected');
      return;
    }
    this.phase.to('closing');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      t.unref?.();
      ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      ws.close(1000, 'bye');
    });
    this.onClose('closed by the bridge');
  }

  /** Send one message (no reply expected). */
  send(m: Message): void {
    if (this.state !== 'ready' || !this.ws) throw new ConnectionError('link is not up');
    const payload = encodeMessage(m);
    this.ws.send(this.cfg.framed ? frame(payload) : Buffer.from(payload), { binary: true });
  }

  /**
   * Send a Subscribe / SubscribeCmd / SubscribeEnd / GeneralCmd with a fresh requestid and wait for the
   * RequestResponse (or GeneralData) that carries it. The requestid in `m` is replaced.
   */
  request(m: Message, timeoutMs = this.cfg.requestTimeoutMs): Promise<Reply> {
    const kind = kindOf(m);
    if (!kind || !(REQUEST_KINDS as readonly string[]).includes(kind))
      return Promise.reject(new Error(`${kind ?? 'empty'} message cannot carry a requestid`));
    const requestid = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= 0x7fffffff ? 1 : this.nextRequestId + 1;
    const body = { ...(m[kind] as Record<string, unknown>), requestid };
    const out = { [kind]: body } as Message;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestid);
        reject(new ConnectionError(`no answer to ${kind} (requestid ${requestid}) within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      this.pending.set(requestid, { resolve, reject, timer });
      try {
        this.send(out);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(requestid);
        reject(err as Error);
      }
    });
  }

  private settle(requestid: number, reply: Reply): boolean {
    const p = this.pending.get(requestid);
    if (!p) return false;
    this.pending.delete(requestid);
    clearTimeout(p.timer);
    p.resolve(reply);
    return true;
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!isBinary) {
      this.handlers.onGarbage('text-frame', buf.toString('utf8').slice(0, 200));
      return;
    }
    const payload = this.cfg.framed ? unframe(buf) : buf;
    if (!payload) {
      this.handlers.onGarbage('bad-framing', buf.subarray(0, 16).toString('hex'));
      return;
    }
    let m: Message;
    try {
      m = decodeMessage(payload);
    } catch (err) {
      this.handlers.onGarbage(
        'undecodable',
        `${(err as Error).message}: ${Buffer.from(payload).subarray(0, 32).toString('hex')}`,
      );
      return;
    }
    switch (kindOf(m)) {
      case 'response': {
        const r = m.response!;
        if (
          !this.settle(r.requestid ?? 0, {
            result: r.result ?? 0,
            ...(r.additional ? { additional: r.additional } : {}),
            message: m,
          })
        ) {
          this.logger.debug('mtcti3: unmatched RequestResponse', {
            requestid: r.requestid,
            result: r.result,
          });
        }
        return;
      }
      case 'generaldata': {
        const g = m.generaldata!;
        if (!this.settle(g.responseid ?? 0, { result: 0, message: m }))
          this.logger.debug('mtcti3: unmatched GeneralData', { responseid: g.responseid });
        return;
      }
      case 'notify': {
        const n = m.notify!;
        let durable: void | Promise<void> = undefined;
        try {
          durable = this.handlers.onNotify(n);
        } catch (err) {
          this.logger.warn('mtcti3: notify handler failed', { error: (err as Error).message });
        }
        // IP Office sends nothing more on the subscription until the numbered Notify is acknowledged:
        // acknowledged once durable, on the connection it came on (a subscription lives on one connection)
        if (!n.notify_id) return;
        const ws = this.ws;
        const ack = () => {
          if (this.ws === ws && this.state === 'ready')
            this.send({ notifyack: { subscribe_id: n.subscribe_id ?? 0, notify_id: n.notify_id } });
        };
        if (!(durable instanceof Promise)) return ack();
        durable.then(ack, (err: unknown) => {
          if (this.ws !== ws) return;
          this.fail(`notify ${n.subscribe_id}/${n.notify_id} not durable: ${(err as Error).message}`);
        });
        return;
      }
      case 'subscribeterminated': {
        const t = m.subscribeterminated!;
        this.handlers.onTerminated(t.subscribe_id ?? 0, t.reason);
        return;
      }
      default:
        this.handlers.onGarbage('unexpected-message', kindOf(m) ?? 'empty');
    }
  }
}
