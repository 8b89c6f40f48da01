/**
 * The BroadWorks CAP driver: the `Driver` seam over the link's connections (pool.ts), the per-user
 * CAP-C dialogs (sessions.ts, dialog.ts), the mapper (mapper.ts) and the commands (commands.ts,
 * queue.ts, raw.ts). The link is an explicit state machine:
 *
 *   idle ─connect()→ connecting ─connections open→ up ─a link connection lost→ down ─connect()→ connecting
 *   (any) ─close()→ closed ─connect()→ connecting
 *
 * Every server document, from any connection or dialog, runs through one pipeline in arrival order:
 * the identity and profile bookkeeping, the mapper (drafts emitted through `draftSink` at once: CAP has
 * no event acknowledgement to hold back), then the commands waiting for an outcome.
 */
import type { EventDraft } from '../../../shared/events/model.js';
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
import { BroadWorksCapOptions } from '../manifest.js';
import type { CapMessage } from '../wire/index.js';
import type { Channel } from './channel.js';
import { CallCommands } from './commands.js';
import { CapConnection, type ConnectionHandlers } from './connection.js';
import type { UserDialog } from './dialog.js';
import { VENDOR } from './errors.js';
import { CapMapper } from './mapper.js';
import { Observed } from './observed.js';
import { Outcomes } from './outcomes.js';
import { LinkConnections } from './pool.js';
import { QueueCommands } from './queue.js';
import { readRaw } from './raw.js';
import { CapSessions } from './sessions.js';
import type { SnapshotResult } from './snapshot.js';
import { Watches } from '../../driver-kit/watches.js';
import { Identities } from './targets.js';

export { BroadWorksCapOptions } from '../manifest.js';

export type LinkState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

export const LINK_TRANSITIONS: TransitionTable<LinkState> = {
  idle: ['connecting', 'closed'],
  connecting: ['up', 'down', 'closed'],
  up: ['down', 'closed'],
  down: ['connecting', 'closed'],
  closed: ['connecting'],
};

/** Commands CAP has no message for (answered 501 naming the vendor). */
const NOT_SUPPORTED: ReadonlySet<CommandKind> = new Set([
  'listUsers',
  'setAgentState',
  'setDnd',
  'setForwarding',
]);

/**
 * @example
 * const driver = new BroadWorksCapDriver(standaloneContext(link, hooks, console));
 * await driver.connect();
 * await driver.sessions?.login({ session: 's1', user: 'alice@sim.example', credentials: { password }, options: {} });
 * await driver.execute({ kind: 'dial', user: 'alice@sim.example', to: '1002' }); // { callId, correlationId }
 */
export class BroadWorksCapDriver implements Driver {
  readonly vendor = VENDOR;
  readonly options: BroadWorksCapOptions;
  readonly mapper: CapMapper;
  readonly pool: LinkConnections;
  readonly watches = new Watches();
  readonly observed = new Observed();
  private readonly identities = new Identities();
  private readonly outcomes: Outcomes;
  private readonly capSessions: CapSessions | undefined;
  private readonly calls: CallCommands;
  private readonly queues: QueueCommands;
  private readonly phase: StateMachine<LinkState>;
  private readonly sink: DraftSink;

  constructor(private readonly ctx: DriverContext) {
    const { logger, timers } = ctx;
    this.options = readDriverOptions(BroadWorksCapOptions, ctx);
    const o = this.options;
    this.phase = new StateMachine<LinkState>('idle', LINK_TRANSITIONS, (from, to) =>
      logger.debug('broadworks-cap link', { link: ctx.link.id, from, to }),
    );
    this.sink = draftSink(ctx, () => this.phase.is('closed'));
    this.mapper = new CapMapper({ mode: o.mode });
    this.outcomes = new Outcomes(timers, o.requestTimeoutMs);
    const onGarbage = (kind: string, detail: string) => ctx.hooks.onGarbage(kind, detail);
    this.pool = new LinkConnections({
      mode: o.mode,
      connections: o.connections,
      requestTimeoutMs: o.requestTimeoutMs,
      logger,
      newConnection: (handlers, label) => this.newConnection(handlers, label),
      onMessage: (m) => this.inbound(m, undefined),
      onGarbage,
      onLost: (reason) => this.lost(reason),
    });
    this.capSessions =
      o.mode === 'cap-c'
        ? new CapSessions({
            dialogDeps: {
              newConnection: (handlers, label) => this.newConnection(handlers, label),
              applicationId: o.applicationId,
              requestTimeoutMs: o.requestTimeoutMs,
              timers,
              logger,
              onMessage: (m, dialog) => this.inbound(m, dialog.user),
              onGarbage,
              onSnapshot: (dialog, snapshot) => this.resyncUser(dialog, snapshot),
            },
            hooks: ctx.hooks,
            timers,
            logger,
            linkUp: () => this.phase.is('up'),
            onLoggedOut: (user) => {
              this.mapper.forget(user);
              this.observed.forget(user);
            },
          })
        : undefined;
    const channelFor = (user: string) => this.channelFor(user);
    this.calls = new CallCommands({
      mapper: this.mapper,
      outcomes: this.outcomes,
      observed: this.observed,
      channelFor,
      ...(this.options.dtmfActionType ? { dtmfActionType: this.options.dtmfActionType } : {}),
    });
    this.queues = new QueueCommands({ mapper: this.mapper, outcomes: this.outcomes, channelFor, logger });
  }

  /** Users with a dial waiting or running (tests and diagnostics). */
  get dialing(): number {
    return this.calls.dialing;
  }

  /** CAP-C users log in one by one; CCC2 has no login (the connector then refuses sessions). */
  get sessions(): DriverSessions | undefined {
    return this.capSessions;
  }

  get state(): LinkState {
    return this.phase.state;
  }

  // ------------------------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    if (this.phase.is('up')) this.teardown('reconnecting');
    this.phase.to('connecting');
    try {
      await this.pool.open();
    } catch (err) {
      if (this.phase.is('connecting')) this.phase.to('down');
      throw err;
    }
    if (!this.phase.is('connecting'))
      throw new LinkUnavailableError('broadworks-cap link closed while connecting');
    this.phase.to('up');
  }

  async close(): Promise<void> {
    if (this.phase.is('closed')) return;
    this.phase.to('closed');
    this.outcomes.abortAll(new LinkUnavailableError('broadworks-cap link closed'));
    await this.capSessions?.closeAll();
    await this.pool.close();
    this.ctx.timers.clear();
  }

  async watch(specs: WatchSpec[]): Promise<void> {
    this.watches.set(specs);
    return Promise.resolve();
  }

  /**
   * CAP-C: nothing at link level. The users are not logged in yet when the connector resyncs; each
   * login's initial updates release what vanished (`resyncUser`). CCC2: CAP has no request that lists
   * a user's calls and the server sends no state on connect, so nothing can be verified: the calls known
   * from before stay as they were (releasing them would hide calls that are still up, since the mapper
   * ignores updates of a released call) and are corrected by their next update.
   */
  async resync(): Promise<void> {
    if (!this.phase.is('up')) throw new LinkUnavailableError(`broadworks-cap link is ${this.phase.state}`);
    return Promise.resolve();
  }

  // ------------------------------------------------------------------------------------ commands

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    const cmd = command as CallCommand;
    if (NOT_SUPPORTED.has(cmd.kind)) throw new NotSupportedError(VENDOR, cmd.kind);
    if (!this.phase.is('up')) throw new LinkUnavailableError(`broadworks-cap link is ${this.phase.state}`);
    if (cmd.kind === 'raw') return this.raw(cmd.request) as CommandResult<K>;
    const run = this.calls.run(cmd) ?? this.queues.run(cmd);
    if (!run) throw new NotSupportedError(VENDOR, cmd.kind);
    return (await run) as CommandResult<K>;
  }

  /** Where a user's commands go: its registered dialog (CAP-C) or any link connection (CCC2). */
  private channelFor(user: string): Channel {
    if (this.capSessions) {
      const dialog = this.capSessions.dialogOf(user);
      return { user: dialog.identity('CallClient'), send: (m) => dialog.send(m) };
    }
    return {
      user: { userType: 'CallClient', id: user },
      send: (m) => {
        try {
          return this.pool.any().send(m);
        } catch {
          return false;
        }
      },
    };
  }

  private raw(request: unknown): { status: number; body: unknown } {
    const { document, commandType, user } = readRaw(request, this.options.maxDocumentBytes);
    const conn = user && this.capSessions ? this.capSessions.dialogOf(user).connection : this.pool.any();
    if (!conn?.write(document))
      throw new LinkUnavailableError('broadworks-cap: could not send the raw document');
    return { status: 202, body: { sent: true, commandType, via: user && this.capSessions ? user : 'link' } };
  }

  // ------------------------------------------------------------------------------------ inbound

  private newConnection(handlers: ConnectionHandlers, label: string): CapConnection {
    const o = this.options;
    return new CapConnection(
      {
        endpoint: this.ctx.link.endpoint,
        dialect: o.mode,
        label,
        connectTimeoutMs: o.connectTimeoutMs,
        keepaliveIntervalMs: o.keepaliveIntervalMs,
        silenceTimeoutMs: o.silenceTimeoutMs,
        maxDocumentBytes: o.maxDocumentBytes,
        rejectUnauthorized: o.rejectUnauthorized,
        ...(o.ca ? { ca: o.ca } : {}),
      },
      handlers,
      { timers: this.ctx.timers, logger: this.ctx.logger },
    );
  }

  /** One server document, from a link connection (`owner` undefined) or a user's dialog. */
  private inbound(m: CapMessage, owner: string | undefined): void {
    if (m.type === 'infoResponse') return; // a probe's answer: the connection is alive, nothing more
    const subject = this.identities.subjectOf(m, owner);
    this.observed.observe(m, subject);
    let drafts: EventDraft[] = [];
    try {
      drafts = this.mapper.map(m, this.watches, owner);
    } catch (err) {
      this.ctx.hooks.onGarbage('unmappable', `${m.type}: ${(err as Error).message}`);
    }
    this.emit(drafts);
    this.outcomes.offer(m, subject);
  }

  /** The initial updates of a (re-)login are in: calls of the user that vanished meanwhile are released. */
  private resyncUser(dialog: UserDialog, snapshot: SnapshotResult): void {
    if (!snapshot.calls || snapshot.queue || dialog.login.userType !== 'CallClient') return;
    if (!snapshot.complete)
      this.ctx.logger.warn(
        'broadworks-cap: initial callUpdates incomplete; releasing the calls not reported',
        {
          user: dialog.user,
          seen: snapshot.calls.size,
        },
      );
    this.emit(this.mapper.releaseStale(dialog.user, snapshot.calls, this.watches));
  }

  private emit(drafts: EventDraft[]): void {
    if (!drafts.length) return;
    this.sink
      .emitAll(drafts)
      .catch((err: unknown) =>
        this.ctx.logger.warn('broadworks-cap event not stored', { error: (err as Error).message }),
      );
  }

  // ------------------------------------------------------------------------------------ loss

  /** A link connection was lost: every dialog ends, pending commands fail, the connector reconnects. */
  private lost(reason: string): void {
    if (!this.phase.is('up')) return; // while connecting, connect() fails by itself
    this.teardown(reason);
    this.ctx.hooks.onDown(reason);
  }

  private teardown(reason: string): void {
    this.phase.to('down');
    this.capSessions?.dropAll();
    this.outcomes.abortAll(new LinkUnavailableError(`broadworks-cap link lost: ${reason}`));
    void this.pool.close();
  }
}

export const createBroadWorksCapDriver = (context: DriverContext): Driver => new BroadWorksCapDriver(context);
