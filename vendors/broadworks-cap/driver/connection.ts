/**
 * One CAP socket (TCP or TLS) as an explicit state machine:
 *
 *   connecting ─connected→ open ─close()→ closing → closed
 *        └─ failed ─────────────┴─ lost / silent / fail() ──→ closed
 *
 * It owns the framing (`CapFramer`), the reading of each document (`parseCapDocument`), vendor garbage
 * (reported, never fatal: the connection stays up), and the keepalive. CAP's keepalive is
 * `serverStatusRequest`, which is never answered in either direction (L2581-2586): the connection
 * sends its own every `keepaliveIntervalMs` so that idle sockets stay open, never answers the server's,
 * and counts any inbound bytes as proof of life. A connection silent for half of `silenceTimeoutMs`
 * sends one `infoRequest` (the one request every CAP server answers, registered or not) as a probe; one
 * silent for the whole `silenceTimeoutMs` is dead and is destroyed, which its owner sees as lost.
 * What the messages mean is the owner's business (registration in dialog.ts, events in driver.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { DriverLogger } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import {
  CapFramer,
  CapXmlError,
  parseCapDocument,
  serializeCap,
  type CapDialect,
  type CapMessage,
} from '../wire/index.js';

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

export const CONNECTION_TRANSITIONS: TransitionTable<ConnectionState> = {
  connecting: ['open', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

export interface ConnectionConfig {
  /** tcp://host:port or tls://host:port */
  endpoint: string;
  dialect: CapDialect;
  /** For logs: which connection this is (e.g. `ccc2#1`, `alice@sim.example`). */
  label: string;
  connectTimeoutMs: number;
  /** Our own serverStatusRequest this often; 0 = none. */
  keepaliveIntervalMs: number;
  silenceTimeoutMs: number;
  maxDocumentBytes: number;
  rejectUnauthorized: boolean;
  ca?: string;
}

export interface ConnectionHandlers {
  /** Every document read, in arrival order, except the server's serverStatusRequest pings. */
  onMessage(m: CapMessage, conn: CapConnection): void;
  onGarbage(kind: string, detail: string): void;
  /** The connection ended without `close()` (peer closed, socket error, silence). Not after close(). */
  onLost(reason: string, conn: CapConnection): void;
}

export interface ConnectionDeps {
  timers: DriverTimers;
  logger: DriverLogger;
  /** Milliseconds clock (tests may slow it down; default Date.now). */
  now?: () => number;
}

/**
 * `tcp://host:port` or `tls://host:port` → its parts.
 *
 * @example
 * parseEndpoint('tls://ocs.example.com:2209'); // { secure: true, host: 'ocs.example.com', port: 2209 }
 */
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

/** The garbage kind of a document the reader refused. */
function refusedKind(err: CapXmlError): string {
  return /unknown commandType/.test(err.message) ? 'unknown-command' : 'unparseable';
}

/**
 * @example
 * const conn = new CapConnection(config, { onMessage, onGarbage, onLost }, { timers, logger });
 * await conn.open();
 * conn.send({ type: 'infoRequest' });
 */
export class CapConnection {
  private readonly phase: StateMachine<ConnectionState>;
  private socket: net.Socket | undefined;
  private readonly framer: CapFramer;
  private readonly now: () => number;
  private lastInbound = 0;
  private lastPing = 0;
  private probeSent = false;
  private closeReason: string | undefined;
  /** Counters for tests and diagnostics. */
  readonly stats = { documents: 0, sent: 0, pingsSent: 0, pingsReceived: 0, probes: 0, garbage: 0 };

  constructor(
    readonly config: ConnectionConfig,
    private readonly handlers: ConnectionHandlers,
    private readonly deps: ConnectionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.framer = new CapFramer(config.maxDocumentBytes);
    this.phase = new StateMachine<ConnectionState>('connecting', CONNECTION_TRANSITIONS, (from, to) =>
      deps.logger.debug('broadworks-cap connection', { connection: config.label, from, to }),
    );
  }

  get state(): ConnectionState {
    return this.phase.state;
  }

  get isOpen(): boolean {
    return this.phase.is('open');
  }

  /** Connects; resolves once the socket (and TLS) is up. Rejects on failure or after connectTimeoutMs. */
  open(): Promise<void> {
    const { secure, host, port } = parseEndpoint(this.config.endpoint);
    const { ca, rejectUnauthorized, connectTimeoutMs } = this.config;
    return new Promise<void>((resolve, reject) => {
      const sock = secure
        ? tls.connect({
            host,
            port,
            rejectUnauthorized,
            ...(ca ? { ca } : {}),
            ...(net.isIP(host) ? {} : { servername: host }),
          })
        : net.connect({ host, port });
      this.socket = sock;
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 30_000);
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!err) {
          this.phase.to('open');
          this.lastInbound = this.lastPing = this.now();
          this.tick();
          resolve();
          return;
        }
        this.phase.to('closed');
        sock.destroy();
        reject(err);
      };
      const timer = setTimeout(
        () => settle(new Error(`connect to ${host}:${port} timed out`)),
        connectTimeoutMs,
      );
      timer.unref?.();
      sock.once(secure ? 'secureConnect' : 'connect', () => settle());
      sock.on('error', (err) => {
        this.closeReason ??= `socket error: ${err.message}`;
        settle(new Error(`connect to ${host}:${port} failed: ${err.message}`));
      });
      sock.on('data', (chunk: Buffer) => this.onData(chunk));
      sock.on('close', () => {
        if (!settled) settle(new Error(`connection to ${host}:${port} closed while connecting`));
        this.onClose();
      });
    });
  }

  /** Writes one message; false when the connection is not open (nothing written). */
  send(m: CapMessage): boolean {
    return this.write(serializeCap(m, { dialect: this.config.dialect }));
  }

  /** Writes one document as it is (raw requests); false when the connection is not open. */
  write(document: string): boolean {
    const sock = this.socket;
    if (!this.phase.is('open') || !sock || sock.destroyed) return false;
    sock.write(`${document}\n`);
    this.stats.sent++;
    return true;
  }

  /** Ends the connection politely (after any last `send`); resolves once the socket is closed. */
  async close(): Promise<void> {
    if (this.phase.is('closing', 'closed')) return;
    if (this.phase.is('connecting')) {
      this.phase.to('closed');
      this.socket?.destroy();
      return;
    }
    this.phase.to('closing');
    const sock = this.socket;
    if (!sock || sock.destroyed) {
      this.phase.to('closed');
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => sock.destroy(), 1000);
      timer.unref?.();
      sock.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.end();
    });
  }

  /** Drops the connection because of `reason`; the owner hears of it through `onLost`. */
  fail(reason: string): void {
    if (!this.phase.is('open')) return;
    this.closeReason = reason;
    this.socket?.destroy();
  }

  // ------------------------------------------------------------------------------------ internals

  private onClose(): void {
    const wasOpen = this.phase.is('open');
    if (!this.phase.is('closed')) this.phase.to('closed');
    this.framer.reset();
    if (wasOpen) this.handlers.onLost(this.closeReason ?? 'connection closed by the server', this);
  }

  /** The keepalive and silence check, every quarter of the silence timeout (or keepalive interval). */
  private tick(): void {
    const { keepaliveIntervalMs: every, silenceTimeoutMs: silence } = this.config;
    const period = Math.max(10, Math.min(every > 0 ? every : Infinity, silence / 4));
    this.deps.timers.later(period, () => {
      if (!this.phase.is('open')) return;
      const now = this.now();
      const quiet = now - this.lastInbound;
      if (quiet >= silence) {
        this.fail(`no traffic for ${quiet} ms (silenceTimeoutMs ${silence})`);
        return;
      }
      if (quiet >= silence / 2 && !this.probeSent) {
        this.probeSent = true;
        this.stats.probes++;
        this.send({ type: 'infoRequest' });
      }
      if (every > 0 && now - this.lastPing >= every) {
        this.lastPing = now;
        this.stats.pingsSent++;
        this.send({ type: 'serverStatusRequest' });
      }
      this.tick();
    });
  }

  private garbage(kind: string, detail: string): void {
    this.stats.garbage++;
    try {
      this.handlers.onGarbage(kind, `${this.config.label}: ${detail}`);
    } catch {
      /* a hook must not break the connection */
    }
  }

  private onData(chunk: Buffer): void {
    this.lastInbound = this.now();
    this.probeSent = false;
    const { documents, errors } = this.framer.push(chunk);
    for (const e of errors) this.garbage(/exceeds/.test(e) ? 'oversized' : 'framing', e);
    for (const text of documents) {
      if (!this.phase.is('open', 'closing')) return;
      let m: CapMessage;
      try {
        m = parseCapDocument(text, { maxChars: this.config.maxDocumentBytes });
      } catch (err) {
        if (!(err instanceof CapXmlError)) throw err;
        this.garbage(refusedKind(err), `${err.message}: ${text.slice(0, 200)}`);
        continue;
      }
      this.stats.documents++;
      if (m.type === 'serverStatusRequest') {
        this.stats.pingsReceived++; // never answered (rule 14)
        continue;
      }
      try {
        this.handlers.onMessage(m, this);
      } catch (err) {
        this.garbage('internal', `${m.type} handling failed: ${(err as Error).message}`);
      }
    }
  }
}
