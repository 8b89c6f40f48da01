/**
 * The WebSocket API: the handshake runs `$connect` before the upgrade is answered (a non-2xx result
 * refuses it with that status), each message runs `$default` in arrival order per connection and a
 * returned body is sent back (two-way route), any close runs `$disconnect`, and connections idle for
 * longer than the idle timeout are closed, as API Gateway does.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  connectEvent,
  disconnectEvent,
  gatewayId,
  messageEvent,
  sourceIpOf,
  splitUrl,
  type WsConnectionInfo,
  type WsEvent,
} from './events.js';
import { invoke } from './lambda.js';
import type { GatewayLogger, GatewayOptions } from './index.js';

/** A live (upgraded) connection. */
export interface LiveConnection {
  info: WsConnectionInfo;
  ws: WebSocket;
  lastActiveAt: number;
  /** Invocations for this connection run one after another, in arrival order. */
  queue: Promise<void>;
  idle: NodeJS.Timeout;
  /** Set when the gateway closes the connection, so `$disconnect` reports the gateway's reason. */
  closedBy?: { code: number; reason: string };
}

export interface WebSocketApiOptions {
  stage: string;
  handlers: GatewayOptions['websocket'];
  logger: GatewayLogger;
  maxFrameBytes: number;
  idleTimeoutMs: number;
  timeoutMs: number;
}

const CLOSE_GRACE_MS = 1_000;

/** Reasons API Gateway reports in `$disconnect` when the close frame carried none. */
function defaultReason(code: number): string {
  if (code === 1005) return 'Client-side close frame status not set';
  if (code === 1006) return 'Connection closed abnormally';
  return '';
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refuse(socket: Duplex, status: number) {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

/** What the `$connect` result means for the handshake: accept, or refuse with a status. */
function connectStatus(result: APIGatewayProxyResultV2 | void): number {
  if (result === undefined || result === null || typeof result !== 'object' || !('statusCode' in result))
    return 200;
  const s = result.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599 ? s : 500;
}

/** The subprotocol the `$connect` result chose (API Gateway echoes a `Sec-WebSocket-Protocol` response header). */
function chosenProtocol(result: APIGatewayProxyResultV2 | void): string | undefined {
  if (!result || typeof result !== 'object' || !result.headers) return undefined;
  for (const [k, v] of Object.entries(result.headers))
    if (k.toLowerCase() === 'sec-websocket-protocol') return String(v);
  return undefined;
}

export class WebSocketApi {
  readonly connections = new Map<string, LiveConnection>();
  private readonly pending = new Set<Duplex>();
  private readonly protocols = new WeakMap<IncomingMessage, string>();
  private readonly wss: WebSocketServer;
  private closing = false;

  constructor(private readonly opts: WebSocketApiOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: opts.maxFrameBytes,
      handleProtocols: (offered, req) => {
        const chosen = this.protocols.get(req);
        return chosen !== undefined && offered.has(chosen) ? chosen : false;
      },
    });
  }

  /** The server's `upgrade` listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.opts.logger.error('local WebSocket API failed during the handshake', err);
      refuse(socket, 500);
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', (err) => this.opts.logger.warn('WebSocket handshake socket error', err));
    const path = splitUrl(req.url ?? '/').rawPath;
    if (this.closing) return refuse(socket, 503);
    if (path !== '/' && path !== `/${this.opts.stage}` && path !== `/${this.opts.stage}/`)
      return refuse(socket, 403);
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key'])
      return refuse(socket, 400);

    const info: WsConnectionInfo = {
      connectionId: gatewayId(),
      connectedAt: Date.now(),
      sourceIp: sourceIpOf(req),
      userAgent: req.headers['user-agent'] ?? '',
      domainName: req.headers.host ?? 'localhost',
      stage: this.opts.stage,
    };
    this.pending.add(socket);
    const out = await invoke(
      this.opts.handlers.connect,
      connectEvent(info, req),
      '$connect',
      this.opts.timeoutMs,
    );
    this.pending.delete(socket);
    if (!out.ok) {
      this.opts.logger.error('$connect failed', out.error);
      return refuse(socket, 500);
    }
    const status = connectStatus(out.value);
    if (status < 200 || status > 299) return refuse(socket, status);
    if (this.closing || socket.destroyed) {
      // $connect accepted but the client is gone: API Gateway still reports the disconnect.
      if (!this.closing) void this.runDisconnect(info, 1006, defaultReason(1006));
      return socket.destroy();
    }
    const protocol = chosenProtocol(out.value);
    if (protocol !== undefined) this.protocols.set(req, protocol);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, info));
  }

  private open(ws: WebSocket, info: WsConnectionInfo) {
    const conn: LiveConnection = {
      info,
      ws,
      lastActiveAt: Date.now(),
      queue: Promise.resolve(),
      idle: setTimeout(() => this.close(conn, 1001, 'Going away'), this.opts.idleTimeoutMs),
    };
    this.connections.set(info.connectionId, conn);
    ws.on('message', (data, isBinary) => {
      this.touch(conn);
      const event = messageEvent(info, rawToBuffer(data), isBinary);
      this.enqueue(conn, () => this.runDefault(conn, event));
    });
    ws.on('ping', () => this.touch(conn));
    ws.on('error', (err) => this.opts.logger.warn(`WebSocket ${info.connectionId} error`, err));
    ws.on('close', (code, reason) => {
      clearTimeout(conn.idle);
      this.connections.delete(info.connectionId);
      if (this.closing) return;
      const status = conn.closedBy?.code ?? code;
      const text = conn.closedBy?.reason ?? (reason.toString() || defaultReason(code));
      this.enqueue(conn, () => this.runDisconnect(info, status, text));
    });
  }

  private enqueue(conn: LiveConnection, task: () => Promise<void>) {
    conn.queue = conn.queue.then(task, task);
  }

  /** Traffic in either direction restarts the idle timer. */
  private touch(conn: LiveConnection) {
    conn.lastActiveAt = Date.now();
    conn.idle.refresh();
  }

  private async runDefault(conn: LiveConnection, event: WsEvent) {
    const out = await invoke(this.opts.handlers.default, event, '$default', this.opts.timeoutMs);
    if (!out.ok) {
      this.opts.logger.error('$default failed', out.error);
      // API Gateway tells the client about a failed integration on the socket itself.
      const message = out.timedOut ? 'Endpoint request timed out' : 'Internal server error';
      this.send(
        conn,
        Buffer.from(
          JSON.stringify({
            message,
            connectionId: conn.info.connectionId,
            requestId: event.requestContext.requestId,
          }),
        ),
        false,
      );
      return;
    }
    const result = out.value;
    if (typeof result === 'string') this.send(conn, Buffer.from(result), false);
    else if (result && typeof result === 'object' && typeof result.body === 'string') {
      this.send(
        conn,
        Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
        !!result.isBase64Encoded,
      );
    }
  }

  private async runDisconnect(info: WsConnectionInfo, code: number, reason: string) {
    const out = await invoke(
      this.opts.handlers.disconnect,
      disconnectEvent(info, code, reason),
      '$disconnect',
      this.opts.timeoutMs,
    );
    if (!out.ok) this.opts.logger.error('$disconnect failed', out.error);
  }

  /** Sends one frame; false when the connection is no longer open. */
  send(conn: LiveConnection, data: Buffer, binary: boolean): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(data, { binary });
    this.touch(conn);
    return true;
  }

  /** Closes from the gateway's side; `$disconnect` reports this code and reason. */
  close(conn: LiveConnection, code: number, reason: string) {
    conn.closedBy ??= { code, reason };
    this.connections.delete(conn.info.connectionId);
    conn.ws.close(code, reason);
  }

  /** Closes every connection (1001 Going away) without running `$disconnect`, and refuses new ones. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
    const open = [...this.connections.values()];
    const closed = open.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === WebSocket.CLOSED) return resolve();
          c.ws.once('close', () => resolve());
          this.close(c, 1001, 'Going away');
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const c of open) {
      clearTimeout(c.idle);
      c.ws.terminate();
    }
    this.wss.close();
  }
}
