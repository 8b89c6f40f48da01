/**
 * The IP Office CTI WebServices driver: the `Driver` seam over the link's login (application user) or
 * the users' own logins (device users, sessions.ts), the mapper (mapper.ts), the commands
 * (commands.ts, features.ts, raw.ts) and the resync (resync.ts). The link is an explicit state machine:
 *
 *   idle ─connect()→ connecting ─logged in / server reachable→ up ─lost→ down ─connect()→ connecting
 *   (any) ─close()→ closed ─connect()→ connecting
 *
 * - **application**: `connect()` logs the application user in (one login for every device, L533) and
 *   opens its WebSocket; that socket closing, a 401, a logoutEvent, SERVICE_REDIRECTED, an HASwitchEvent
 *   or an IP Office failover is the link's loss (`onDown`): the connector reconnects and resyncs.
 * - **device**: `connect()` only checks that the server answers; users log in through `sessions`.
 *
 * Every event of every WebSocket runs through one pipeline in arrival order: session-level events
 * (logout, HA, failover), the mapper (drafts emitted at once: the protocol has no acknowledgement),
 * the snapshot collection, then the commands waiting for an outcome.
 */
import type { EventDraft, Target } from '../../../shared/events/model.js';
import { draftSink, type DraftSink } from '../../driver-kit/events.js';
import {
  LinkUnavailableError,
  NotSupportedError,
  type CallCommand,
  type CommandKind,
  type CommandResult,
  type Driver,
  type DriverContext,
  type DriverSessions,
  type WatchSpec,
} from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import { readDriverOptions } from '../../driver-kit/util.js';
import { AvayaIpoCtiOptions } from '../manifest.js';
import type { EventsFrame } from '../wire/events.js';
import { CallCommands } from './commands.js';
import { VENDOR } from './errors.js';
import { DeviceFeatures } from './features.js';
import { HttpClient } from './http.js';
import { linkEventOf } from './link-events.js';
import { IpoMapper } from './mapper.js';
import { Outcomes } from './outcomes.js';
import { Snapshots } from './resync.js';
import { Routes } from './routes.js';
import { Servers } from './servers.js';
import type { IpoSession } from './session.js';
import { Logins } from './logins.js';
import { DeviceSessions } from './sessions.js';
import { Watches } from '../../driver-kit/watches.js';
import { Devices } from './targets.js';

export { AvayaIpoCtiOptions } from '../manifest.js';

export type LinkState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

export const LINK_TRANSITIONS: TransitionTable<LinkState> = {
  idle: ['connecting', 'closed'],
  connecting: ['up', 'down', 'closed'],
  up: ['down', 'closed'],
  down: ['connecting', 'closed'],
  closed: ['connecting'],
};

/** Commands the vendor has no request for (answered 501 naming the vendor). */
const NOT_SUPPORTED: ReadonlySet<CommandKind> = new Set([
  'tagDisposition',
  'listQueueCalls',
  'reorderQueueCall',
  'promoteQueueCall',
  'removeQueueCall',
]);

/**
 * @example
 * const driver = new AvayaIpoCtiDriver(standaloneContext(link, hooks, console));
 * await driver.connect(); // application user logged in, WebSocket open
 * await driver.execute({ kind: 'dial', user: '1001', to: '1002' }); // { callId, correlationId }
 */
export class AvayaIpoCtiDriver implements Driver {
  readonly vendor = VENDOR;
  readonly options: AvayaIpoCtiOptions;
  readonly mapper: IpoMapper;
  readonly servers: Servers;
  readonly watches = new Watches();
  readonly devices = new Devices();
  readonly outcomes: Outcomes;
  /** The application user's login (application links). */
  app: IpoSession | undefined;
  private readonly logins: Logins;
  private readonly routes: Routes;
  private readonly deviceSessions: DeviceSessions | undefined;
  private readonly snapshots: Snapshots;
  private readonly calls: CallCommands;
  private readonly features: DeviceFeatures;
  private readonly phase: StateMachine<LinkState>;
  private readonly sink: DraftSink;

  constructor(private readonly ctx: DriverContext) {
    const { logger, timers } = ctx;
    this.options = readDriverOptions(AvayaIpoCtiOptions, ctx);
    const o = this.options;
    this.phase = new StateMachine<LinkState>('idle', LINK_TRANSITIONS, (from, to) =>
      logger.debug('avaya-ipo-cti link', { link: ctx.link.id, from, to }),
    );
    this.sink = draftSink(ctx, () => this.phase.is('closed'));
    this.servers = new Servers(ctx.link.endpoint);
    const http = new HttpClient({
      connectTimeoutMs: o.connectTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      maxBytes: o.maxFrameBytes,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    this.logins = new Logins({ options: o, servers: this.servers, http, timers, logger });
    this.mapper = new IpoMapper({ contextOf: (target) => this.contextOf(target) });
    this.outcomes = new Outcomes(timers, o.outcomeTimeoutMs);
    this.snapshots = new Snapshots({
      timers,
      waitMs: o.snapshotWaitMs,
      maxBytes: o.maxFrameBytes,
      // a device user's snapshot answer is that user's, like its socket's bare events
      onFrame: (frame, devices) =>
        this.inbound(frame, this.deviceSessions && devices.length === 1 ? devices[0] : undefined),
      // a snapshot document of one device seeds its calls (a device user's, or a single watched device)
      onDocument: (node, devices) => {
        if (devices.length === 1) this.emit(this.mapper.snapshot(devices[0]!, node));
      },
      onGarbage: (kind, detail) => ctx.hooks.onGarbage(kind, detail),
    });
    const routeOf = (user: string) => this.routes.routeOf(user);
    this.calls = new CallCommands({
      mapper: this.mapper,
      outcomes: this.outcomes,
      routeOf,
      maxBytes: o.maxFrameBytes,
    });
    this.features = new DeviceFeatures({
      outcomes: this.outcomes,
      routeOf,
      maxBytes: o.maxFrameBytes,
      lastAgentState: (agent) => this.mapper.agentStateOf(agent),
    });
    this.deviceSessions =
      o.user === 'device'
        ? new DeviceSessions({
            request: (userName, password) => this.logins.request(userName, password),
            newSession: (label, login, handlers) => this.logins.session(label, login, handlers),
            hooks: ctx.hooks,
            logger,
            linkUp: () => this.phase.is('up'),
            onOpened: (user, response, relogin) => {
              this.servers.learn(response.haConfiguration);
              this.devices.bind(user, {
                extension: response.userExtension || user,
                ...(response.userSwitchDevice ? { switchIp: response.userSwitchDevice } : {}),
                ...(response.userName ? { userName: response.userName } : {}),
              });
              if (relogin || this.mapper.callsOf(response.userExtension || user).length)
                void this.resyncUser(user);
            },
            onFrame: (frame, user) => this.inbound(frame, this.devices.deviceOf(user)?.extension ?? user),
            onGarbage: (kind, detail) => ctx.hooks.onGarbage(kind, detail),
            onLinkFailure: (reason) => this.lost(reason, true),
            onRedirected: () => this.redirected(undefined),
            onGone: (user) => this.devices.unbind(user),
          })
        : undefined;
    this.routes = new Routes({ devices: this.devices, sessions: this.deviceSessions, app: () => this.app });
  }

  /** Device-user links log users in one by one; application links have no per-user login. */
  get sessions(): DriverSessions | undefined {
    return this.deviceSessions;
  }

  get state(): LinkState {
    return this.phase.state;
  }

  // ------------------------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    if (this.phase.is('up')) this.teardown('reconnecting');
    this.mapper.forgetQueued();
    this.phase.to('connecting');
    try {
      await this.logins.withFailover(
        () => this.attempt(),
        () => this.phase.is('connecting'),
      );
    } catch (err) {
      if (this.phase.is('connecting')) this.phase.to('down');
      throw err;
    }
    if (!this.phase.is('connecting')) {
      const app = this.app;
      this.app = undefined;
      await app?.close();
      throw new LinkUnavailableError('avaya-ipo-cti link closed while connecting');
    }
    this.phase.to('up');
  }

  async close(): Promise<void> {
    if (this.phase.is('closed')) return;
    this.phase.to('closed');
    this.outcomes.abortAll(new LinkUnavailableError('avaya-ipo-cti link closed'));
    await this.deviceSessions?.closeAll();
    const app = this.app;
    this.app = undefined;
    await app?.close();
    this.ctx.timers.clear();
  }

  async watch(specs: WatchSpec[]): Promise<void> {
    this.watches.set(specs);
    return Promise.resolve();
  }

  /**
   * The server has no per-device subscription to refuse, so an application link refuses a user target
   * itself when the login's device list has no such extension (a bridge user there IS an extension):
   * without this, a subscription to `alice@example.com` would be `active` and never hear anything.
   * Device links (their users are the sessions' users) and links not logged in yet accept every target.
   */
  watchStatus(spec: WatchSpec): { state: 'pending' | 'active' | 'failed'; reason?: string } {
    const { target } = spec;
    if (target.type !== 'user' || !target.id || this.deviceSessions || !this.app) return { state: 'active' };
    const stations = this.devices.directory();
    if (!stations.length || this.devices.deviceOf(target.id)) return { state: 'active' };
    const some = stations
      .slice(0, 3)
      .map((d) => d.extension)
      .join(', ');
    return {
      state: 'failed',
      reason: `no extension "${target.id}" on this IP Office: an application link names users by extension (${some}, ...)`,
    };
  }

  /**
   * Application links: one snapshot of the login (the CallInformationEvents name their devices), then
   * the calls of every watched user the snapshot did not report are released. Device links: nothing
   * here (the users log in after the connector's resync; each login resyncs its user).
   */
  async resync(): Promise<void> {
    if (!this.phase.is('up')) throw new LinkUnavailableError(`avaya-ipo-cti link is ${this.phase.state}`);
    const app = this.app;
    if (!app) return;
    const users = this.watches.ids('user');
    if (!users.length) return;
    const live = await this.snapshots.take(app, users);
    for (const [ext, calls] of live) this.emit(this.mapper.releaseStale(ext, calls, 'resync'));
  }

  // ------------------------------------------------------------------------------------ commands

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    const cmd = command as CallCommand;
    if (NOT_SUPPORTED.has(cmd.kind)) throw new NotSupportedError(VENDOR, cmd.kind);
    if (!this.phase.is('up')) throw new LinkUnavailableError(`avaya-ipo-cti link is ${this.phase.state}`);
    if (cmd.kind === 'raw') return (await this.routes.raw(cmd.request)) as CommandResult<K>;
    if (cmd.kind === 'listUsers') return { users: this.routes.listUsers() } as CommandResult<K>;
    const run = this.calls.run(cmd) ?? this.features.run(cmd);
    if (!run) throw new NotSupportedError(VENDOR, cmd.kind);
    return (await run) as CommandResult<K>;
  }

  // ------------------------------------------------------------------------------------ connecting

  /** One connect attempt on the current server: the application login, or the device link's probe. */
  private async attempt(): Promise<void> {
    if (this.options.user === 'device') return this.logins.probe();
    const { username, password } = this.ctx.link.credentials;
    const credentials = await this.ctx.secrets.read().catch(() => ({}) as Record<string, string>);
    const userName = credentials['username'] ?? username;
    if (!userName)
      throw new Error('avaya-ipo-cti: an application link needs credentials {username, password}');
    const login = this.logins.request(userName, credentials['password'] ?? password ?? '');
    const app = this.logins.session('application', login, {
      onFrame: (frame) => this.inbound(frame, undefined),
      onGarbage: (kind, detail) => this.ctx.hooks.onGarbage(kind, detail),
      onLost: (reason, s) => {
        if (this.app === s) this.lost(reason, true);
      },
      onRedirected: (s) => {
        if (this.app === s) this.redirected(undefined);
      },
    });
    this.app = app;
    let response;
    try {
      response = await app.open();
    } catch (err) {
      if (this.app === app) this.app = undefined;
      throw err;
    }
    this.servers.learn(response.haConfiguration);
    if (response.kind === 'application') this.devices.fromApplication(response.devices);
    else
      this.ctx.logger.warn(
        'avaya-ipo-cti: the link user logged in as a device user; set options.user to "device"',
      );
  }

  // ------------------------------------------------------------------------------------ inbound

  /** A mapper target (an extension) → the watched bridge target (device users: the session's user). */
  private contextOf(target: Target) {
    if (target.type !== 'user' || !target.id) return this.watches.contextOf(target);
    return this.watches.contextOf({ ...target, id: this.devices.userOf(target.id) });
  }

  /** One frame; `owner`: the device user's extension (device links), else each event's `device`. */
  private inbound(frame: EventsFrame, owner: string | undefined): void {
    for (const ev of frame.events) {
      if (this.phase.is('closed')) return;
      const device = ev.device ?? owner;
      const link = linkEventOf(ev, this.options.user === 'application' && !!this.app && owner === undefined);
      if (link) {
        this.onLinkEvent(link);
        continue;
      }
      let drafts: EventDraft[] = [];
      try {
        drafts = this.mapper.map(ev, owner);
      } catch (err) {
        this.ctx.hooks.onGarbage('unmappable', `${ev.name}: ${(err as Error).message}`);
      }
      this.emit(drafts);
      this.snapshots.observe(ev, device);
      this.outcomes.offer(ev, device);
    }
  }

  private onLinkEvent(link: NonNullable<ReturnType<typeof linkEventOf>>): void {
    switch (link.kind) {
      case 'logout':
        // the application user logged in again elsewhere (device users' logouts end their session in sessions.ts)
        this.lost(`logoutEvent ${link.reason}`, false);
        return;
      case 'primary-back':
        this.redirected(link.activeServer);
        return;
      case 'ipo-failover':
        this.ctx.logger.warn('avaya-ipo-cti: IP Office failover (OutOfServiceEvent numberUnallocated)', {
          device: link.device,
        });
        this.lost('IP Office failover (OutOfServiceEvent numberUnallocated)', true);
        return;
    }
  }

  private emit(drafts: EventDraft[]): void {
    if (!drafts.length) return;
    this.sink
      .emitAll(drafts)
      .catch((err: unknown) =>
        this.ctx.logger.warn('avaya-ipo-cti event not stored', { error: (err as Error).message }),
      );
  }

  /** After a device user's (re-)login: snapshot its calls and release the ones that are gone. */
  private async resyncUser(user: string): Promise<void> {
    try {
      const route = this.routes.routeOf(user);
      const live = await this.snapshots.take(route.session, [route.device.extension]);
      for (const [ext, calls] of live) this.emit(this.mapper.releaseStale(ext, calls, 'resync'));
    } catch (err) {
      this.ctx.logger.warn('avaya-ipo-cti: snapshot after login failed', {
        user,
        error: (err as Error).message,
      });
    }
  }

  // ------------------------------------------------------------------------------------ loss

  /** The primary server is back (SERVICE_REDIRECTED, HASwitchEvent): move there through a reconnect. */
  private redirected(activeServer: string | undefined): void {
    this.servers.redirect(activeServer);
    this.lost(`primary one-X server active again${activeServer ? ` (${activeServer})` : ''}`, false);
  }

  /** The link is lost: every session ends, pending commands fail, the connector reconnects. */
  private lost(reason: string, failure: boolean): void {
    if (!this.phase.is('up')) return; // while connecting, connect() fails by itself
    if (failure) this.servers.failed();
    this.teardown(reason);
    this.ctx.hooks.onDown(reason);
  }

  private teardown(reason: string): void {
    this.phase.to('down');
    this.deviceSessions?.dropAll();
    this.outcomes.abortAll(new LinkUnavailableError(`avaya-ipo-cti link lost: ${reason}`));
    const app = this.app;
    this.app = undefined;
    void app?.close();
  }
}

export const createAvayaIpoCtiDriver = (context: DriverContext): Driver => new AvayaIpoCtiDriver(context);
