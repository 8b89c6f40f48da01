/**
 * The BroadWorks CAP front-end on the shared PBX core: a CAP-C listener (the Open Client Server a client
 * logs users in on) and a CCC2 listener on the next port (the Application Server a trusted farm
 * connects to: no login, messages spread round-robin over its connections). This module owns the
 * listeners, connections, framing shapes, pings and faults, and dispatches each document through the
 * connection's state machine (session.ts) to registration.ts and actions.ts; core events reach the
 * clients through events.ts.
 */
import net from 'node:net';
import type { PbxCore } from '../../../simulator/core/index.js';
import { SimFaultError, type SimCredential, type SimFrontEnd } from '../../../simulator/frontends/types.js';
import {
  CapFramer,
  CapXmlError,
  parseCapDocument,
  serializeCap,
  type CapMessage,
  type FailureCause,
} from '../wire/index.js';
import { actor, onCallAction, onMonitoring, onQueueAction } from './actions.js';
import { onCoreEvent } from './events.js';
import {
  directoryId,
  identity,
  type BroadWorksCapSimOptions,
  type CapFraming,
  type CapHub,
  type Conn,
} from './hub.js';
import type { Priorities } from './queues.js';
import { onRegisterAuthentication, onRegisterRequest, sendInitialUpdates } from './registration.js';
import { CapSession } from './session.js';

export type { BroadWorksCapSimOptions, CapFraming } from './hub.js';

export class BroadWorksCapFrontEnd implements SimFrontEnd, CapHub {
  readonly name = 'broadworks-cap';
  readonly opts: BroadWorksCapSimOptions;
  framing: CapFraming;
  private capServer?: net.Server;
  private ccc2Server?: net.Server;
  private capPort = 0;
  private ccc2PortValue = 0;
  readonly conns = new Set<Conn>();
  private nextConnId = 1;
  private rr = 0;
  private unsubscribe?: () => void;
  private pingTimer?: ReturnType<typeof setInterval>;
  readonly priorities: Priorities = new Map();
  readonly answeredEntries = new Set<string>();
  readonly lastAcd = new Map<string, string>();
  readonly loginFailures: { id?: string; cause: FailureCause }[] = [];
  /** The last 500 messages received, newest last, for tests. */
  readonly received: CapMessage[] = [];

  constructor(
    readonly core: PbxCore,
    options: Partial<BroadWorksCapSimOptions> & { host: string; port: number; credentials: SimCredential[] },
  ) {
    this.opts = options as BroadWorksCapSimOptions;
    this.framing = { prolog: true, separator: '\n', splitBytes: 0, coalesce: false, ...options.framing };
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<{ port: number; url: string }> {
    this.unsubscribe ??= this.core.on((ev) => onCoreEvent(this, ev));
    await this.listen();
    const ms = this.opts.pingIntervalMs ?? 60_000;
    if (ms > 0 && !this.pingTimer) {
      this.pingTimer = setInterval(() => this.pingAll(), ms);
      this.pingTimer.unref();
    }
    return { port: this.capPort, url: `tcp://${this.opts.host}:${this.capPort}` };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    await this.stopListeners();
  }

  /** The CCC2 listener's port (the CAP-C port + 1). */
  get ccc2Port(): number {
    return this.ccc2PortValue;
  }

  /** Binds CAP-C on `port` and CCC2 on `port + 1`; with port 0, retries until a free pair is found. */
  private async listen(): Promise<void> {
    // after a stop, listen again on the ports the clients know
    const want = this.capPort || this.opts.port;
    for (let attempt = 0; ; attempt++) {
      const cap = await this.bind(want, 'cap-c');
      const capPort = (cap.address() as net.AddressInfo).port;
      try {
        this.ccc2Server = await this.bind(capPort + 1, 'ccc2');
        this.capServer = cap;
        this.capPort = capPort;
        this.ccc2PortValue = capPort + 1;
        return;
      } catch (err) {
        await new Promise<void>((r) => cap.close(() => r()));
        if (want !== 0 || attempt >= 20) throw err;
      }
    }
  }

  private bind(port: number, mode: 'cap-c' | 'ccc2'): Promise<net.Server> {
    const server = net.createServer((s) => this.accept(s, mode));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private async stopListeners(): Promise<void> {
    const servers = [this.capServer, this.ccc2Server].filter((s): s is net.Server => !!s);
    this.capServer = this.ccc2Server = undefined;
    this.dropConnections();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  get listening(): boolean {
    return !!this.capServer;
  }

  // ---------------------------------------------------------------- faults and state

  /** `METHOD /faults/cap/<action>` of the simulator's control API. */
  async fault(method: string, action: string, body: Record<string, unknown>): Promise<unknown> {
    switch (`${method} ${action}`) {
      case 'POST drop-connections':
        this.dropConnections();
        return { ok: true };
      case 'POST force-logout-c':
        return {
          ok: true,
          loggedOut: this.forceLogout(
            'ForceLogoutC',
            typeof body['user'] === 'string' ? body['user'] : undefined,
          ),
        };
      case 'POST stop':
        await this.stopListeners();
        return { ok: true, listening: this.listening };
      case 'POST start':
        if (!this.listening) await this.listen();
        return { ok: true, listening: this.listening };
      case 'POST ping':
        this.pingAll();
        return { ok: true };
      case 'POST login-failure': {
        const cause = String(body['cause'] ?? '');
        if (!/^[A-Za-z]+$/.test(cause)) throw new SimFaultError('cause must be a failureCause name');
        this.loginFailures.push({
          id: typeof body['user'] === 'string' ? body['user'] : undefined,
          cause: cause as FailureCause,
        });
        return { ok: true };
      }
      case 'POST framing': {
        const f = { ...this.framing, ...body } as CapFraming;
        if (!['', '\n', '\r\n', '\0'].includes(f.separator))
          throw new SimFaultError('separator must be "", "\\n", "\\r\\n" or "\\u0000"');
        if (!Number.isInteger(f.splitBytes) || f.splitBytes < 0)
          throw new SimFaultError('splitBytes must be a non-negative integer');
        this.framing = {
          prolog: !!f.prolog,
          separator: f.separator,
          splitBytes: f.splitBytes,
          coalesce: !!f.coalesce,
        };
        return { ok: true, framing: this.framing };
      }
    }
    return undefined;
  }

  snapshot(): {
    listening: boolean;
    ccc2Port: number;
    connections: { id: number; mode: string; state: string; user?: string }[];
  } {
    return {
      listening: this.listening,
      ccc2Port: this.ccc2PortValue,
      connections: [...this.conns].map((c) => ({
        id: c.id,
        mode: c.mode,
        state: c.session.state,
        user: c.session.login?.directoryId,
      })),
    };
  }

  dropConnections(): void {
    for (const c of [...this.conns]) c.socket.destroy();
  }

  /** unRegister every registered CAP-C session (of one user, if given); returns how many. */
  forceLogout(reason: 'ForceLogoutC' | 'ForceLogoutD', user?: string): number {
    let n = 0;
    for (const c of this.conns) {
      const login = c.session.login;
      if (c.mode !== 'cap-c' || !login || (user && login.directoryId !== directoryId(this, user))) continue;
      if (c.session.state !== 'registered' && c.session.state !== 'awaitingAcknowledgement') continue;
      this.send(c, { type: 'unRegister', user: identity(this, c, login.directoryId), reason });
      c.session.logout();
      n++;
    }
    return n;
  }

  /** serverStatusRequest to every connection (never answered, rule 14). */
  pingAll(): void {
    for (const c of this.conns) this.send(c, { type: 'serverStatusRequest' });
  }

  // ---------------------------------------------------------------- connections and framing

  private accept(socket: net.Socket, mode: 'cap-c' | 'ccc2'): void {
    const conn: Conn = {
      id: this.nextConnId++,
      mode,
      socket,
      framer: new CapFramer(),
      session: new CapSession(mode),
      batch: [],
      chunks: [],
      writing: false,
    };
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const { documents, errors } = conn.framer.push(chunk);
      for (const e of errors) this.opts.log?.(`cap conn ${conn.id}: ${e}`);
      for (const d of documents) this.onDocument(conn, d);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.conns.delete(conn));
  }

  send(conn: Conn, m: CapMessage): void {
    if (conn.socket.destroyed) return;
    const doc = serializeCap(m, { dialect: conn.mode, prolog: this.framing.prolog }) + this.framing.separator;
    if (this.framing.coalesce) {
      if (!conn.batch.length) setImmediate(() => this.write(conn, conn.batch.splice(0).join('')));
      conn.batch.push(doc);
    } else this.write(conn, doc);
  }

  private write(conn: Conn, text: string): void {
    const data = Buffer.from(text, 'utf8');
    const size = this.framing.splitBytes;
    if (!size && !conn.writing) {
      conn.socket.write(data);
      return;
    }
    for (let i = 0; i < data.length; i += size || data.length)
      conn.chunks.push(data.subarray(i, i + (size || data.length)));
    if (conn.writing) return;
    conn.writing = true;
    const next = () => {
      const chunk = conn.chunks.shift();
      if (!chunk || conn.socket.destroyed) {
        conn.writing = false;
        return;
      }
      conn.socket.write(chunk);
      setImmediate(next);
    };
    next();
  }

  // ---------------------------------------------------------------- inbound

  private onDocument(conn: Conn, text: string): void {
    let m: CapMessage;
    try {
      m = parseCapDocument(text);
    } catch (err) {
      if (!(err instanceof CapXmlError)) throw err;
      this.opts.log?.(`cap conn ${conn.id}: refused document: ${err.message}`);
      return;
    }
    this.received.push(m);
    if (this.received.length > 500) this.received.shift();
    if (m.type === 'serverStatusRequest') return; // a ping: never answered
    if (m.type === 'infoRequest') {
      this.send(conn, { type: 'infoResponse', versions: this.opts.capVersions ?? ['17.0'] });
      return;
    }
    const s = conn.session;
    const next = s.accepts(m.type);
    if (!next) {
      s.ignored++;
      return;
    }
    try {
      switch (m.type) {
        case 'registerAuthentication':
          return onRegisterAuthentication(this, conn, m.user);
        case 'registerRequest':
          return onRegisterRequest(this, conn, m.user, m.securePassword);
        case 'acknowledgement':
          if (m.messageName !== undefined && m.messageName !== 'registerResponse') return;
          s.state = 'registered';
          return sendInitialUpdates(this, conn);
        case 'unRegister':
          return s.logout();
        case 'callAction':
          return onCallAction(this, conn, m);
        case 'queueAction':
          return onQueueAction(this, conn, m);
        case 'monitoringUsersRequest':
          return onMonitoring(this, conn, m.monType ?? 'Add', m.monUsers);
        case 'queueInfoRequest': {
          const id = actor(this, conn, m.user);
          const queues = this.core.getUser(id ?? '')?.agent?.queues ?? [];
          this.send(conn, {
            type: 'queueInfoResponse',
            user: identity(this, conn, id ?? ''),
            callCenters: queues.map((q) => ({
              id: q,
              numCallsInQueue: this.core.getQueue(q)?.entries.length ?? 0,
            })),
          });
          return;
        }
        default:
          return;
      }
    } catch (err) {
      this.opts.log?.(`cap conn ${conn.id}: ${m.type} refused: ${(err as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- fan-out

  /** Sends to every registered CAP-C CallClient session of `userId`, and to one CCC2 connection. */
  toUser(userId: string, build: (c: Conn) => CapMessage): void {
    for (const c of this.conns) {
      const l = c.session.login;
      if (
        c.mode === 'cap-c' &&
        c.session.registered &&
        l?.directoryId === userId &&
        l.userType === 'CallClient'
      )
        this.send(c, build(c));
    }
    const ccc2 = [...this.conns].filter((c) => c.mode === 'ccc2');
    if (ccc2.length) {
      const c = ccc2[this.rr++ % ccc2.length]!;
      this.send(c, build(c));
    }
  }
}
