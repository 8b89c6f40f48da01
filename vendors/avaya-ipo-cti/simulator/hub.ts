/**
 * The simulator's WebSocket hub (`/inyama/openapiwebsocket/<clientSessionID>`, digest §2.2): accepts
 * one socket per live session (a newer one replaces the older), runs the opt-in keepalive (with both
 * `clientName` and `clientVersion` in the query, the socket is closed after `wsKeepaliveMs` without any
 * client message, L1411-1432), and delivers events as openapi `Events` frames: bare for device users,
 * wrapped in `Event device="<ext>"` for the application user (several per frame), conference events once
 * with `device="conference"` (rules 13-14). Deliveries can be deferred while a request is answered, so
 * a 202 goes out before the events it causes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventsFrame, type WireEvent } from '../wire/events.js';
import type { IpoSession, SessionRegistry } from './sessions.js';
import type { Outbound } from './translate.js';

export const WS_PATH = '/inyama/openapiwebsocket/';

interface Conn {
  ws: WebSocket;
  keepalive: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * @example
 * const hub = new WsHub(sessions, { wsKeepaliveMs: 30_000, maxFrameBytes: 4096 });
 * server.on('upgrade', (req, socket, head) => hub.upgrade(req, socket, head));
 */
export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private deferDepth = 0;
  private deferred: Outbound[] = [];
  /** Frames sent, for the control API's state. */
  framesSent = 0;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly opts: { wsKeepaliveMs: number; maxFrameBytes: number },
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes });
  }

  /** HTTP upgrade: only for a live session's path; anything else is refused before the handshake. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const id = url.pathname.startsWith(WS_PATH) ? decodeURIComponent(url.pathname.slice(WS_PATH.length)) : '';
    const session = this.sessions.get(id);
    if (!session) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const keepalive = url.searchParams.has('clientName') && url.searchParams.has('clientVersion');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(session, ws, keepalive));
  }

  private attach(session: IpoSession, ws: WebSocket, keepalive: boolean): void {
    if (!this.sessions.get(session.id)) {
      ws.close(4401, 'session ended');
      return;
    }
    const old = this.conns.get(session.id);
    if (old) this.drop(session.id, old, 4409, 'replaced by a newer socket');
    const conn: Conn = { ws, keepalive };
    this.conns.set(session.id, conn);
    const arm = () => {
      if (!conn.keepalive) return;
      if (conn.timer) clearTimeout(conn.timer);
      conn.timer = setTimeout(
        () => this.drop(session.id, conn, 4408, 'keepalive timeout'),
        this.opts.wsKeepaliveMs,
      );
      conn.timer.unref?.();
    };
    arm();
    ws.on('message', arm); // any text resets the timer (L1429)
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (conn.timer) clearTimeout(conn.timer);
      if (this.conns.get(session.id) === conn) this.conns.delete(session.id);
    });
  }

  private drop(id: string, conn: Conn, code: number, reason: string): void {
    if (conn.timer) clearTimeout(conn.timer);
    if (this.conns.get(id) === conn) this.conns.delete(id);
    conn.ws.close(code, reason);
  }

  /** Whether the session has an open socket. */
  connected(session: IpoSession): boolean {
    return this.conns.has(session.id);
  }

  /** Runs `fn` with deliveries held back until it (and the reply it produces) is done. */
  hold(): () => void {
    this.deferDepth++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.deferDepth === 0 && this.deferred.length) {
        const outs = this.deferred;
        this.deferred = [];
        this.deliver(outs);
      }
    };
  }

  /** Delivers events to every session that should see them. */
  deliver(outs: Outbound[], opts: { always?: boolean } = {}): void {
    if (outs.length === 0) return;
    if (this.deferDepth > 0 && !opts.always) {
      this.deferred.push(...outs);
      return;
    }
    const frames: { session: IpoSession; first: number; events: WireEvent[] }[] = [];
    for (const s of this.sessions.list()) {
      const events: WireEvent[] = [];
      let first = -1;
      outs.forEach((o, i) => {
        if (!opts.always && !s.receives(o.name)) return;
        const before = events.length;
        if (s.kind === 'device') {
          if (s.init.extension && o.exts.includes(s.init.extension))
            events.push({ name: o.name, node: o.node });
        } else if (o.conference) {
          events.push({ device: 'conference', name: o.name, node: o.node });
        } else {
          for (const ext of o.exts) events.push({ device: ext, name: o.name, node: o.node });
        }
        if (first < 0 && events.length > before) first = i;
      });
      if (events.length) frames.push({ session: s, first, events });
    }
    // the session whose first event came first is written first: sockets see the core's order
    frames.sort((a, b) => a.first - b.first);
    for (const f of frames) this.send(f.session, f.events);
  }

  /** Sends events to one session (replies to its own requests, logoutEvent); `device` for the application user. */
  send(session: IpoSession, events: WireEvent[]): void {
    const conn = this.conns.get(session.id);
    if (!conn || conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(
      eventsFrame(events, { wrapped: session.kind === 'application', clientSessionId: session.id }),
    );
    this.framesSent++;
  }

  /** Closes a session's socket (session ended). */
  close(session: IpoSession, code = 4401, reason = 'session ended'): void {
    const conn = this.conns.get(session.id);
    if (conn) this.drop(session.id, conn, code, reason);
  }

  /** Closes every socket (fault, stop). */
  closeAll(code = 1001, reason = 'going away'): void {
    for (const [id, conn] of [...this.conns]) this.drop(id, conn, code, reason);
  }

  stop(): void {
    for (const [, conn] of this.conns) conn.ws.terminate();
    this.conns.clear();
    this.wss.close();
  }
}
