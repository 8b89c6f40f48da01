/**
 * The Avaya IP Office MTCTI-3 driver: the `Driver` seam over `Mtcti3Client`. It glues the session
 * (`client.ts`), the Lines directory (`directory.ts`), the subscriptions (`subscriptions.ts`: Lines,
 * one User subscription per watched or commanded user, Queue subscriptions for watched queues and agent
 * membership), the snapshot mapping (`mapper.ts`) and the commands (`commands.ts`, `settings.ts`).
 */
import { draftSink, type DraftSink } from '../../driver-kit/events.js';
import { SerialQueue, readDriverOptions } from '../../driver-kit/util.js';
import {
  LinkUnavailableError,
  type CallCommand,
  type CommandKind,
  type CommandResult,
  type Driver,
  type DriverContext,
  type WatchSpec,
} from '../../driver-kit/seam.js';
import type { EventDraft } from '../../../shared/events/model.js';
import { AvayaMtcti3Options } from '../manifest.js';
import type { Notify } from '../wire/codec.js';
import { Mtcti3Client } from './client.js';
import { Commands } from './commands.js';
import { Directory } from './directory.js';
import { Mtcti3Mapper, VENDOR, type QueueContext, type UserContext } from './mapper.js';
import { Mtcti3Subscriptions } from './subscriptions.js';

export { AvayaMtcti3Options } from '../manifest.js';
export { resultError } from './errors.js';

/**
 * @example
 * const driver = new AvayaMtcti3Driver(standaloneContext(link, hooks, console));
 * await driver.connect();
 * await driver.watch([{ target: { type: 'user', id: 'alice' }, families: ['call'] }]);
 */
export class AvayaMtcti3Driver implements Driver {
  readonly vendor = VENDOR;
  readonly options: AvayaMtcti3Options;
  readonly client: Mtcti3Client;
  readonly mapper: Mtcti3Mapper;
  readonly directory = new Directory();
  readonly subs: Mtcti3Subscriptions;
  private readonly commands: Commands;
  private readonly queue = new SerialQueue();
  private closed = false;
  private downReported = false;
  private readonly sink: DraftSink;
  private readonly ctx: DriverContext;

  constructor(context: DriverContext) {
    const { link, logger } = context;
    this.ctx = context;
    this.sink = draftSink(context, () => this.closed);
    this.options = readDriverOptions(AvayaMtcti3Options, context);
    const o = this.options;
    const dir = this.directory;
    this.mapper = new Mtcti3Mapper({
      userByNumber: (n) => (n ? dir.userByExtn(n)?.name : undefined),
      queueByNumber: (n) => (n ? dir.queueByExtn(n)?.name : undefined),
    });
    this.client = new Mtcti3Client(
      {
        endpoint: link.endpoint,
        username: link.credentials.username,
        password: link.credentials.password,
        framed: o.framing === 'tpkt',
        connectTimeoutMs: o.connectTimeoutMs,
        requestTimeoutMs: o.requestTimeoutMs,
        pingIntervalMs: o.pingIntervalMs,
        rejectUnauthorized: o.rejectUnauthorized,
        ...(o.ca ? { ca: o.ca } : {}),
      },
      {
        onNotify: (n) => this.onNotify(n),
        onTerminated: (id, reason) => this.subs.terminated(id, reason),
        onClosed: (reason) => this.down(reason),
        onGarbage: (kind, detail) => this.ctx.hooks.onGarbage(kind, detail),
      },
      logger,
    );
    this.subs = new Mtcti3Subscriptions({
      client: this.client,
      options: o,
      directory: dir,
      mapper: this.mapper,
      logger,
      queue: this.queue,
      emit: (draft) => this.emit(draft),
      synced: () => this.emitAgentStates(),
    });
    this.commands = new Commands({
      client: this.client,
      options: o,
      directory: dir,
      mapper: this.mapper,
      subs: this.subs,
    });
  }

  // ------------------------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    this.closed = false;
    this.downReported = false;
    if (this.client.state !== 'disconnected') await this.client.close();
    this.forgetAll();
    await this.client.connect();
    try {
      await this.subs.connect();
    } catch (err) {
      await this.client.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ctx.timers.clear();
    await this.subs.close();
    this.forgetAll();
    await this.client.close();
  }

  private forgetAll(): void {
    this.subs.reset();
    this.commands.abortDials();
  }

  private down(reason: string): void {
    this.subs.reset();
    if (this.closed || this.downReported) return;
    this.downReported = true;
    this.ctx.hooks.onDown(reason);
  }

  async watch(specs: WatchSpec[]): Promise<void> {
    await this.subs.watch(specs);
  }

  watchStatus(spec: WatchSpec): { state: 'pending' | 'active' | 'failed'; reason?: string } {
    return this.subs.statusOf(spec);
  }

  /** Hands a draft to the connector; resolves once it is durable (rejects if it cannot be, or after close). */
  private emit(draft: EventDraft): Promise<void> {
    return this.sink.emit(draft);
  }

  /** Emits the drafts of one vendor event: resolves once all are durable (the vendor is acknowledged then). */
  private emitAll(drafts: EventDraft[]): Promise<void> {
    return this.sink.emitAll(drafts);
  }

  // ------------------------------------------------------------------------------------ notifies

  private userCtx(name: string): UserContext {
    const spec = this.subs.spec(`user:${name}`);
    const extension = this.directory.users.get(name)?.extn;
    return {
      user: name,
      target: spec?.target ?? { type: 'user', id: name },
      families: spec?.families ?? new Set(),
      ...(extension ? { extension } : {}),
    };
  }

  /** Maps one Notify; the promise resolves once its events are durable (none: at once). */
  private onNotify(n: Notify): Promise<void> | undefined {
    const view = this.subs.byId(n.subscribe_id ?? 0);
    if (!view) return; // unknown subscribe_id: ignored (the document's rule)
    let durable: Promise<void> | undefined;
    if (view.kind === 'lines') {
      if (!n.lines) return;
      this.directory.apply(n.lines);
      view.gotObject = true;
    } else if (view.kind === 'user') {
      if (n.user) {
        durable = this.emitAll(this.mapper.userObject(this.userCtx(view.name), n.user));
        view.gotObject = true;
      } else if (n.callcontrol) {
        const full = !view.gotCalls;
        view.gotCalls = true;
        this.commands.settleDials(n.callcontrol);
        durable = this.emitAll(this.mapper.userCalls(this.userCtx(view.name), n.callcontrol, full));
      }
    } else if (view.kind === 'queue') {
      if (n.queue) {
        this.mapper.queueObject(view.name, n.queue);
        view.gotObject = true;
        durable = this.emitAgentStates();
      } else if (n.callcontrol) {
        view.gotCalls = true;
        const spec = this.subs.spec(view.key);
        const ctx: QueueContext = {
          queue: view.name,
          target: spec?.target ?? { type: 'queue', id: view.name },
          families: spec?.families ?? new Set(),
        };
        durable = this.emitAll(this.mapper.queueCallControl(ctx, n.callcontrol));
      }
    }
    view.wake();
    return durable;
  }

  private emitAgentStates(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const { spec } of this.subs.list()) {
      if (spec.kind !== 'user' || !spec.families.has('agent')) continue;
      all.push(this.emitAll(this.mapper.agentEvents(this.userCtx(spec.name))));
    }
    return Promise.all(all).then(() => undefined);
  }

  // ------------------------------------------------------------------------------------ resync

  async resync(): Promise<void> {
    if (this.client.state !== 'ready') throw new LinkUnavailableError();
    const views = this.subs
      .list()
      .filter(({ view, spec }) => view?.active && spec.ccflags)
      .map(({ view }) => view!);
    await Promise.all(
      views.map(async (view) => {
        const ok = await view.waitFor((v) => v.gotCalls || !v.active, this.options.resyncWaitMs);
        if (ok || !view.active || view.kind !== 'user') return;
        // no snapshot at all: the user has no calls
        view.gotCalls = true;
        this.emitAll(this.mapper.userCalls(this.userCtx(view.name), {}, true));
      }),
    );
  }

  // ------------------------------------------------------------------------------------ commands

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    return (await this.commands.run(command as CallCommand)) as CommandResult<K>;
  }
}

export const createAvayaMtcti3Driver = (context: DriverContext): Driver => new AvayaMtcti3Driver(context);
