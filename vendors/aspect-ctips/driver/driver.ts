/**
 * The CTIPS driver: the `Driver` seam over one CTIPS connection at a time (connection.ts), the callback
 * service CTIPS calls (inbound.ts, mounted on the connector's callback listener), the mapper
 * (mapper.ts), the commands (commands.ts, agent-commands.ts, raw.ts), the route deadline (routes.ts)
 * and the snapshot (snapshot.ts). The link is an explicit state machine:
 *
 *   idle ─connect()→ connecting ─online + snapshot→ up ─lost→ down ─connect()→ connecting
 *   (any) ─close()→ closed ─connect()→ connecting
 *
 * connect(): OpenConnection (callback URL `<publicUrl>/events/<token>`), the StartSession callback,
 * AddMessageClass per class, AddFilter per filter, OnLine, Snapshot (its SnapShotUpdates seed the
 * calls and the agent directory), then up; the endpoint first, then each `failover` URL in turn (when
 * none accepts, the error names each URL with its reason). The
 * link is lost when no HeartbeatMessage came for `heartbeatTimeoutMs`, a request fails in transport or
 * with a fault saying the session is gone, or an event could not be stored; the connector reconnects
 * and calls resync(), which releases the calls the reconnect's snapshot no longer reported.
 */
import type { EventDraft } from '../../../shared/events/model.js';
import { draftSink, type DraftSink } from '../../driver-kit/events.js';
import {
  LinkUnavailableError,
  NotSupportedError,
  type CallbackRequest,
  type CallbackResponse,
  type CallCommand,
  type CommandKind,
  type CommandResult,
  type Driver,
  type DriverContext,
  type WatchSpec,
} from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import { readDriverOptions } from '../../driver-kit/util.js';
import { AspectCtipsOptions } from '../manifest.js';
import type { CtipsEvent } from '../wire/callbacks.js';
import { AgentCommands } from './agent-commands.js';
import { AgentDirectory } from './agents.js';
import { CallCommands } from './commands.js';
import { ConnectionLostError, CtipsConnection } from './connection.js';
import { VENDOR } from './errors.js';
import { eventsPath, Inbound } from './inbound.js';
import { CtipsMapper } from './mapper.js';
import { Outcomes } from './outcomes.js';
import { sendRaw } from './raw.js';
import { Routes } from './routes.js';
import { Snapshots, type SnapshotResult } from './snapshot.js';
import { SoapHttp } from './soap-client.js';
import { Watches } from '../../driver-kit/watches.js';
import { Watchdog } from './watchdog.js';

export { AspectCtipsOptions } from '../manifest.js';

export type LinkState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

export const LINK_TRANSITIONS: TransitionTable<LinkState> = {
  idle: ['connecting', 'closed'],
  connecting: ['up', 'down', 'closed'],
  up: ['down', 'closed'],
  down: ['connecting', 'closed'],
  closed: ['connecting'],
};

/** Commands CTIPS has no request for (answered 501 naming the vendor). */
const NOT_SUPPORTED: ReadonlySet<CommandKind> = new Set([
  'getDnd',
  'setDnd',
  'getForwarding',
  'setForwarding',
  'listQueueCalls',
  'reorderQueueCall',
  'promoteQueueCall',
  'removeQueueCall',
]);

/** The snapshot asked for after each (re)connect (CTIEntityType, L2344). */
export const SNAPSHOT_ENTITIES = ['AgentInfo', 'CallInfo', 'ServiceInfo'] as const;

/**
 * The link's callback URL as CTIPS must call it: the connector's (`/v1/callbacks/{tenant}/{link}` on
 * its public base), on the link's own base (`options.callbackUrl`: the connector as the PBX reaches it,
 * e.g. over a VPN) when one is set. Undefined when the connector runs no listener.
 *
 * @example
 * callbackBase('http://127.0.0.1:3002/v1/callbacks/default/pbx', 'https://10.1.2.3:8443');
 * // 'https://10.1.2.3:8443/v1/callbacks/default/pbx'
 */
export function callbackBase(
  connectorUrl: string | undefined,
  override: string | undefined,
): string | undefined {
  if (!connectorUrl) return undefined;
  if (!override) return connectorUrl;
  return `${override.replace(/\/+$/, '')}${new URL(connectorUrl).pathname}`;
}

/** What connect() says when the connector runs no callback listener. */
export const NO_CALLBACKS =
  'aspect-ctips needs the connector callback listener: CTIPS delivers events by calling the bridge back. Set BRIDGE_CALLBACK_PORT (and BRIDGE_CALLBACK_PUBLIC_URL to the address CTIPS can reach)';

/**
 * @example
 * const driver = new AspectCtipsDriver(standaloneContext(link, hooks, console, { callbacks: { publicUrl } }));
 * await driver.connect(); // OpenConnection … OnLine, Snapshot
 * await driver.execute({ kind: 'hold', user: '4001', call: '17' });
 */
export class AspectCtipsDriver implements Driver {
  readonly vendor = VENDOR;
  readonly options: AspectCtipsOptions;
  readonly mapper: CtipsMapper;
  readonly agents = new AgentDirectory();
  readonly watches = new Watches();
  readonly outcomes: Outcomes;
  readonly routes: Routes;
  private readonly phase: StateMachine<LinkState>;
  private readonly sink: DraftSink;
  private readonly http: SoapHttp;
  private readonly snapshots: Snapshots;
  private readonly watchdog: Watchdog;
  private readonly inbound: Inbound;
  private readonly calls: CallCommands;
  private readonly agentCommands: AgentCommands;
  /** The current connection (opening while connecting, online while up). */
  private conn: CtipsConnection | undefined;
  private username = '';
  private password = '';
  private lastSnapshot: SnapshotResult | undefined;

  constructor(private readonly ctx: DriverContext) {
    const { logger, timers } = ctx;
    this.options = readDriverOptions(AspectCtipsOptions, ctx);
    const o = this.options;
    this.phase = new StateMachine<LinkState>('idle', LINK_TRANSITIONS, (from, to) =>
      logger.debug('aspect-ctips link', { link: ctx.link.id, from, to }),
    );
    this.sink = draftSink(ctx, () => this.phase.is('closed'));
    this.http = new SoapHttp({
      requestTimeoutMs: o.requestTimeoutMs,
      maxBytes: o.maxBodyBytes,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    this.mapper = new CtipsMapper({
      contextOf: (target) => this.watches.contextOf(target),
      // an agent the events have not placed: the station the directory or the options know for it
      routes: {
        deadlineOf: (callId) => this.routes.deadlineOf(callId),
        decisionOf: (callId) => this.routes.decisionOf(callId),
      },
      stationOf: (agent) =>
        this.agents.byId(Number(agent.id))?.station ??
        (agent.loginName
          ? (o.agentStations[agent.loginName] ?? this.agents.stationOf(agent.loginName))
          : undefined),
    });
    this.outcomes = new Outcomes(timers, o.outcomeTimeoutMs);
    this.snapshots = new Snapshots(timers);
    this.watchdog = new Watchdog(timers, o.heartbeatTimeoutMs, () =>
      this.lost(`no HeartbeatMessage for ${o.heartbeatTimeoutMs} ms`),
    );
    this.routes = new Routes({
      timers,
      deadlineMs: o.routeDeadlineMs,
      logger,
      outcomes: this.outcomes,
      agents: this.agents,
      connection: () => (this.phase.is('up') ? this.conn : undefined),
    });
    this.inbound = new Inbound({
      token: () => (this.conn && !this.conn.phase.is('closed', 'lost') ? this.conn.token : undefined),
      maxBytes: o.maxBodyBytes,
      namespaces: o.namespaces,
      credentials: () => ({ username: this.username, password: this.password }),
      onStartSession: (sessionId) => this.conn?.startSession(sessionId, this.username) ?? false,
      onStartSessionRefused: (reason) => this.conn?.startRefused(reason),
      onHeartbeat: () => this.watchdog.beat(),
      onEvent: (ev) => this.onVendorEvent(ev),
      onGarbage: (kind, detail) => ctx.hooks.onGarbage(kind, detail),
      onWriteFailed: (reason) => this.lost(`an event could not be stored: ${reason}`),
    });
    const connection = () => this.online();
    this.calls = new CallCommands({
      mapper: this.mapper,
      outcomes: this.outcomes,
      agents: this.agents,
      connection,
    });
    this.agentCommands = new AgentCommands({
      outcomes: this.outcomes,
      agents: this.agents,
      reported: (agentId) => this.mapper.agentStateOf(String(agentId)),
      agentStations: o.agentStations,
      connection,
    });
  }

  get state(): LinkState {
    return this.phase.state;
  }

  /** The connection's SessionId (tests, diagnostics). */
  get sessionId(): string | undefined {
    return this.conn?.session;
  }

  // ------------------------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    if (this.phase.is('up')) this.teardown('reconnecting');
    this.phase.to('connecting');
    const publicUrl = callbackBase(this.ctx.callbacks?.publicUrl, this.options.callbackUrl);
    if (!publicUrl) {
      this.phase.to('down');
      throw new Error(NO_CALLBACKS);
    }
    const stored = await this.ctx.secrets.read().catch(() => ({}) as Record<string, string>);
    this.username = stored['username'] ?? this.ctx.link.credentials.username;
    this.password = stored['password'] ?? this.ctx.link.credentials.password;
    const urls = [this.ctx.link.endpoint, ...this.options.failover];
    // each URL's reason: the link's error names them all, so the endpoint's survives the failovers'
    const failures: string[] = [];
    for (const url of urls) {
      if (!this.phase.is('connecting')) break;
      try {
        await this.attempt(url, this.password, publicUrl);
        failures.length = 0;
        break;
      } catch (err) {
        const message = (err as Error).message;
        failures.push(`${url}: ${message.replace(/^aspect-ctips:?\s*/, '')}`);
        this.ctx.logger.warn('aspect-ctips: connect attempt failed', { url, error: message });
      }
    }
    if (!this.phase.is('connecting')) {
      const conn = this.conn;
      this.conn = undefined;
      await conn?.shutdown(true);
      throw new LinkUnavailableError('aspect-ctips link closed while connecting');
    }
    if (failures.length) {
      this.phase.to('down');
      throw new LinkUnavailableError(
        failures.length === 1
          ? `aspect-ctips: connecting to ${failures[0]}`
          : `aspect-ctips: no CTIPS URL accepted the connection: ${failures.join('; ')}`,
      );
    }
    this.phase.to('up');
    this.watchdog.start();
  }

  /** The whole start-up sequence on one CTIPS (L1819-1882). */
  private async attempt(url: string, password: string, publicUrl: string): Promise<void> {
    const o = this.options;
    const conn = new CtipsConnection({
      url,
      http: this.http,
      namespaces: o.namespaces,
      tenantId: o.tenantId,
      maxBytes: o.maxBodyBytes,
      timers: this.ctx.timers,
    });
    this.conn = conn;
    this.agents.clear();
    try {
      const callback = `${publicUrl.replace(/\/+$/, '')}${eventsPath(conn.token)}`;
      await conn.open(this.username, password, callback, o.startTimeoutMs);
      for (const mc of o.messageClasses) await conn.request('AddMessageClass', { MessageClass: mc });
      for (const f of o.filters)
        await conn.request('AddFilter', { FieldType: f.fieldType, FieldValue: f.value });
      await conn.request('OnLine', {});
      conn.phase.to('online');
      const taking = this.snapshots.begin(o.startTimeoutMs);
      try {
        await conn.request('Snapshot', { EntityType: [...SNAPSHOT_ENTITIES] });
      } catch (err) {
        this.snapshots.abort();
        throw err;
      }
      this.lastSnapshot = await taking;
      if (!this.lastSnapshot.complete)
        this.ctx.logger.warn('aspect-ctips: the snapshot did not complete in time; no call is released', {
          url,
        });
    } catch (err) {
      if (this.conn === conn) this.conn = undefined;
      conn.lose();
      void conn.shutdown(false);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.phase.is('closed')) return;
    this.phase.to('closed');
    this.watchdog.stop();
    this.snapshots.abort();
    this.outcomes.abortAll(new LinkUnavailableError('aspect-ctips link closed'));
    this.routes.clear();
    const conn = this.conn;
    this.conn = undefined;
    await conn?.shutdown(true);
    this.ctx.timers.clear();
  }

  async watch(specs: WatchSpec[]): Promise<void> {
    this.watches.set(specs);
    return Promise.resolve();
  }

  /** Releases the watched users' calls that the reconnect's snapshot did not report (complete snapshots only). */
  async resync(): Promise<void> {
    if (!this.phase.is('up')) throw new LinkUnavailableError(`aspect-ctips link is ${this.phase.state}`);
    const snap = this.lastSnapshot;
    if (!snap?.complete) return;
    for (const user of this.watches.ids('user'))
      this.emit(this.mapper.releaseStale(user, snap.callIds, 'resync'));
    return Promise.resolve();
  }

  handleCallback(request: CallbackRequest): Promise<CallbackResponse> {
    return this.inbound.handle(request);
  }

  // ------------------------------------------------------------------------------------ commands

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    const cmd = command as CallCommand;
    if (NOT_SUPPORTED.has(cmd.kind)) throw new NotSupportedError(VENDOR, cmd.kind);
    if (!this.phase.is('up')) throw new LinkUnavailableError(`aspect-ctips link is ${this.phase.state}`);
    try {
      if (cmd.kind === 'raw') return (await sendRaw(this.online(), cmd.request)) as CommandResult<K>;
      if (cmd.kind === 'listUsers')
        return {
          users: this.agents
            .all()
            .flatMap((a) =>
              a.station
                ? [{ id: a.station, extension: a.station, ...(a.loginName ? { name: a.loginName } : {}) }]
                : [],
            ),
        } as CommandResult<K>;
      if (cmd.kind === 'routeSelect')
        return (await this.routes.select(cmd.call, cmd.route, cmd.by ?? 'api')) as CommandResult<K>;
      const run = this.calls.run(cmd) ?? this.agentCommands.run(cmd);
      if (!run) throw new NotSupportedError(VENDOR, cmd.kind);
      return (await run) as CommandResult<K>;
    } catch (err) {
      if (err instanceof ConnectionLostError) this.lost(err.message);
      throw err;
    }
  }

  /** The online connection; LinkUnavailableError when there is none. */
  private online(): CtipsConnection {
    const conn = this.conn;
    if (!this.phase.is('up') || !conn?.phase.is('online'))
      throw new LinkUnavailableError(`aspect-ctips link is ${this.phase.state}`);
    return conn;
  }

  // ------------------------------------------------------------------------------------ inbound

  /** One PublishCTIEvent: directory, mapper (drafts emitted), snapshot, routes, then the waiting commands. */
  private onVendorEvent(ev: CtipsEvent): Promise<void> {
    if (this.phase.is('closed')) return Promise.reject(new LinkUnavailableError('aspect-ctips link closed'));
    this.agents.observe(ev);
    this.routes.observe(ev);
    let drafts: EventDraft[] = [];
    try {
      drafts = this.mapper.map(ev);
    } catch (err) {
      this.ctx.hooks.onGarbage('unmappable', `${ev.name}: ${(err as Error).message}`);
    }
    const durable = this.sink.emitAll(drafts);
    this.snapshots.observe(ev);
    this.outcomes.offer(ev);
    return durable;
  }

  private emit(drafts: EventDraft[]): void {
    if (!drafts.length) return;
    this.sink
      .emitAll(drafts)
      .catch((err: unknown) =>
        this.ctx.logger.warn('aspect-ctips event not stored', { error: (err as Error).message }),
      );
  }

  // ------------------------------------------------------------------------------------ loss

  /** The link is lost: the connection ends, pending commands fail, the connector reconnects. */
  private lost(reason: string): void {
    if (!this.phase.is('up')) return; // while connecting, connect() fails by itself
    this.teardown(reason);
    this.ctx.hooks.onDown(reason);
  }

  private teardown(reason: string): void {
    this.phase.to('down');
    this.watchdog.stop();
    this.snapshots.abort();
    this.routes.clear();
    this.outcomes.abortAll(new LinkUnavailableError(`aspect-ctips link lost: ${reason}`));
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      conn.lose();
      void conn.shutdown(false);
    }
  }
}

export const createAspectCtipsDriver = (context: DriverContext): Driver => new AspectCtipsDriver(context);
