/**
 * One event WebSocket of a login (`webSocketWsUrl` / `webSocketWssUrl` of the login response, taken
 * as given, L712-713), as an explicit state machine:
 *
 *   connecting ─open→ open ─close()→ closed
 *        └─ failed ───────┴─ closed by the server / error ──→ closed (onClosed)
 *
 * With `keepaliveMs` > 0 the URL gets the `clientName` and `clientVersion` query parameters, which turn
 * on the server's WebSocket heartbeat (both are needed, L1411-1432), and a text goes out every
 * `keepaliveMs` (the server closes a socket silent for 30 s). Every text message is one `Events`
 * document (parseEventsFrame); what the reader refuses, and binary messages, are vendor garbage,
 * reported and skipped: the socket stays up.
 */
import WebSocket from 'ws';
import type { DriverLogger } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import { IpoXmlError } from '../wire/xml.js';
import { parseEventsFrame, type EventsFrame } from '../wire/events.js';

export type SocketState = 'connecting' | 'open' | 'closed';

export const SOCKET_TRANSITIONS: TransitionTable<SocketState> = {
  connecting: ['open', 'closed'],
  open: ['closed'],
  closed: [],
};

/** The text the keepalive sends ("The heartbeat message can be any string", L1430). */
export const KEEPALIVE_TEXT = 'keepalive';

export interface SocketConfig {
  url: string;
  /** For logs: whose socket this is. */
  label: string;
  /** 0 = no keepalive and no clientName/clientVersion parameters. */
  keepaliveMs: number;
  clientName: string;
  clientVersion: string;
  connectTimeoutMs: number;
  maxFrameBytes: number;
  rejectUnauthorized: boolean;
  ca?: string;
}

export interface SocketHandlers {
  onFrame(frame: EventsFrame): void;
  onGarbage(kind: string, detail: string): void;
  /** The socket closed after `open()` resolved, without `close()`. */
  onClosed(reason: string): void;
}

/**
 * The URL the socket opens: the login response's URL, plus the keepalive parameters when on.
 *
 * @example
 * socketUrl('ws://h:8080/inyama/openapiwebsocket/abc', 20000, 'cti-bridge', '1.0');
 * // 'ws://h:8080/inyama/openapiwebsocket/abc?clientName=cti-bridge&clientVersion=1.0'
 */
export function socketUrl(
  url: string,
  keepaliveMs: number,
  clientName: string,
  clientVersion: string,
): string {
  if (keepaliveMs <= 0) return url;
  const u = new URL(url);
  u.searchParams.set('clientName', clientName);
  u.searchParams.set('clientVersion', clientVersion);
  return u.toString();
}

/**
 * @example
 * const socket = new EventSocket(config, { onFrame, onGarbage, onClosed }, { timers, logger });
 * await socket.open();
 */
export class EventSocket {
  private readonly phase: StateMachine<SocketState>;
  private ws: WebSocket | undefined;
  /** Counters for tests and diagnostics. */
  readonly stats = { frames: 0, keepalives: 0, garbage: 0 };

  constructor(
    readonly config: SocketConfig,
    private readonly handlers: SocketHandlers,
    private readonly deps: { timers: DriverTimers; logger: DriverLogger },
  ) {
    this.phase = new StateMachine<SocketState>('connecting', SOCKET_TRANSITIONS, (from, to) =>
      deps.logger.debug('avaya-ipo-cti socket', { socket: config.label, from, to }),
    );
  }

  get state(): SocketState {
    return this.phase.state;
  }

  /** Opens the socket; rejects on a refused upgrade, an error or after connectTimeoutMs. */
  open(): Promise<void> {
    const c = this.config;
    const url = socketUrl(c.url, c.keepaliveMs, c.clientName, c.clientVersion);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(url, {
        handshakeTimeout: c.connectTimeoutMs,
        maxPayload: c.maxFrameBytes,
        perMessageDeflate: false,
        rejectUnauthorized: c.rejectUnauthorized,
        ...(c.ca ? { ca: c.ca } : {}),
      });
      this.ws = ws;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        if (!this.phase.is('closed')) this.phase.to('closed');
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(new Error(reason));
      };
      ws.on('unexpected-response', (_req, res) =>
        fail(`WebSocket upgrade refused with HTTP ${res.statusCode ?? 0}`),
      );
      ws.on('error', (err) => {
        if (!settled) fail(`WebSocket failed: ${err.message}`);
        else this.deps.logger.debug('avaya-ipo-cti socket error', { socket: c.label, error: err.message });
      });
      ws.on('open', () => {
        if (settled) return;
        if (!this.phase.is('connecting')) {
          fail('WebSocket abandoned (closed while connecting)');
          return;
        }
        settled = true;
        this.phase.to('open');
        ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
        ws.on('close', (code, reason) =>
          this.onClose(`WebSocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`),
        );
        this.keepalive();
        resolve();
      });
    });
  }

  /** Closes the socket; no `onClosed`. */
  close(): void {
    const wasConnecting = this.phase.is('connecting');
    if (!this.phase.is('closed')) this.phase.to('closed');
    const ws = this.ws;
    if (!ws) return;
    if (wasConnecting) return; // open() fails by itself (phase is closed)
    ws.removeAllListeners('close');
    ws.on('error', () => undefined);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'bye');
    else ws.terminate();
    const ref = setTimeout(() => ws.terminate(), 1000);
    ref.unref?.();
    ws.once('close', () => clearTimeout(ref));
  }

  /** Drops the socket as if the server had (tests and heartbeat failures); `onClosed` follows. */
  drop(): void {
    this.ws?.terminate();
  }

  private keepalive(): void {
    const every = this.config.keepaliveMs;
    if (every <= 0) return;
    this.deps.timers.later(every, () => {
      if (!this.phase.is('open') || this.ws?.readyState !== WebSocket.OPEN) return;
      this.ws.send(KEEPALIVE_TEXT);
      this.stats.keepalives++;
      this.keepalive();
    });
  }

  private onClose(reason: string): void {
    if (this.phase.is('closed')) return;
    this.phase.to('closed');
    this.handlers.onClosed(reason);
  }

  private garbage(kind: string, detail: string): void {
    this.stats.garbage++;
    try {
      this.handlers.onGarbage(kind, `${this.config.label}: ${detail}`);
    } catch {
      /* a hook must not break the socket */
    }
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (!this.phase.is('open')) return;
    if (isBinary) {
      this.garbage('binary', 'binary WebSocket message');
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    let frame: EventsFrame;
    try {
      frame = parseEventsFrame(text, { maxBytes: this.config.maxFrameBytes });
    } catch (err) {
      if (!(err instanceof IpoXmlError)) {
        this.garbage('unparseable', `${(err as Error).message}: ${text.slice(0, 200)}`);
        return;
      }
      this.garbage(
        err.kind === 'oversized' ? 'oversized' : 'unparseable',
        `${err.message}: ${text.slice(0, 200)}`,
      );
      return;
    }
    this.stats.frames++;
    try {
      this.handlers.onFrame(frame);
    } catch (err) {
      this.garbage('internal', `frame handling failed: ${(err as Error).message}`);
    }
  }
}
