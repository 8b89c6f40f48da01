/**
 * The BroadWorks CTI driver: the `Driver` seam over `BwClient`. It owns the BroadWorks subscriptions
 * (one per target and event package), maps events to the normalized model, executes commands and
 * resynchronises calls after a reconnect.
 */
import { draftSink, type DraftSink } from '../../driver-kit/events.js';
import { SerialQueue, readDriverOptions } from '../../driver-kit/util.js';
import { Subscriptions } from '../../driver-kit/subscriptions.js';
import { targetKey } from '../../driver-kit/mapping.js';
import { z } from 'zod';
import {
  LinkUnavailableError,
  NotSupportedError,
  VendorError,
  type CallCommand,
  type CommandKind,
  type CommandResult,
  type DirectoryUser,
  type Driver,
  type DriverContext,
  type WatchSpec,
} from '../../driver-kit/seam.js';
import type { AgentStateValue, Call, EventDraft } from '../../../shared/events/model.js';
import { BwClient, type ClientConfig, type Response } from './client.js';
import { VENDOR, mapAgentState, type CallMapper, type MapContext } from './mapper.js';
import { TargetMappers } from './target-mappers.js';
import { Requests } from './requests.js';
import { QueueCommands } from './queue.js';
import { RoutePointRoutes } from './routes.js';
import { BroadWorksCtiOptions } from '../manifest.js';
import { escapeAttr, find, findAll, parseXml, textOf, toPlain, type XNode } from '../wire/index.js';
import { parseCall, type BwCall, type BwEvent, type RequestSpec } from './messages.js';
import { BwSubscriptionAdapter, type BwSubscription } from './subscriptions.js';

// ---------------------------------------------------------------------------------------------------
// options

export { BroadWorksCtiOptions } from '../manifest.js';

// ---------------------------------------------------------------------------------------------------
// family → package mapping

export { SERVICE_PACKAGES, packagesFor } from './subscriptions.js';

// ---------------------------------------------------------------------------------------------------

export class BroadWorksCtiDriver implements Driver {
  readonly vendor = VENDOR;
  readonly options: BroadWorksCtiOptions;
  readonly client: BwClient;
  /** Per-target call caches (overlapping subscriptions must not share one). */
  readonly mappers = new TargetMappers();
  private readonly requests: Requests;
  private readonly queueCommands: QueueCommands;
  private readonly routePoints: RoutePointRoutes;
  private readonly queue = new SerialQueue();
  /** The BroadWorks subscriptions of the watched specs, with their lifecycle and status. */
  readonly subs: Subscriptions<BwSubscription>;
  private closed = false;
  private downReported = false;
  private readonly sink: DraftSink;
  private readonly ctx: DriverContext;
  readonly applicationId: string;

  constructor(context: DriverContext) {
    const { link, logger } = context;
    this.ctx = context;
    this.sink = draftSink(context, () => this.closed);
    this.options = readDriverOptions(BroadWorksCtiOptions, context);
    const o = this.options;
    this.requests = new Requests({ actions: o.uriPrefix, events: o.eventsUriPrefix });
    this.queueCommands = new QueueCommands({ requests: this.requests, call: (spec) => this.call(spec) });
    this.routePoints = new RoutePointRoutes({ requests: this.requests, call: (spec) => this.call(spec) });
    const defaultId = `cti-bridge.${link.tenant}.${link.id}`;
    this.applicationId = o.applicationId ?? link.credentials.applicationId ?? defaultId;
    const cfg: ClientConfig = {
      endpoint: link.endpoint,
      username: link.credentials.username,
      password: link.credentials.password,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.ca ? { ca: o.ca } : {}),
      version: o.version,
      requests: this.requests,
      channelSetId: o.channelSetId ?? defaultId,
      applicationId: this.applicationId,
      channelExpires: o.channelExpires,
      channelPriority: o.channelPriority,
      channelWeight: o.channelWeight,
      refreshRatio: o.refreshRatio,
      requestTimeoutMs: o.requestTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs,
      keepaliveIntervalMs: o.keepaliveIntervalMs,
      keepaliveMaxMisses: o.keepaliveMaxMisses,
      collateWindowMs: o.collateWindowMs,
      authProbe: o.authProbe,
    };
    this.client = new BwClient(
      cfg,
      {
        onEvent: (ev) => this.onBwEvent(ev),
        ackStatus: (ev) =>
          ev.subscriptionId && this.subs.wasDeleted(ev.subscriptionId)
            ? { status: 481, reason: 'SubscriptionId not found' }
            : { status: 200, reason: 'OK' },
        onChannelLost: (reason, fatal) => this.onChannelLost(reason, fatal),
        onClosed: (reason) => this.down(reason),
        onGarbage: (kind, detail) => this.ctx.hooks.onGarbage(kind, detail),
      },
      logger,
    );
    this.subs = new Subscriptions(
      new BwSubscriptionAdapter({
        client: this.client,
        requests: this.requests,
        options: o,
        channelSetId: this.channelSetId,
        applicationId: this.applicationId,
        logger,
        emit: (draft) => void this.emit(draft),
      }),
      {
        refreshRatio: o.refreshRatio,
        refreshRetrySec: 10,
        retryDelayMs: o.resubscribeDelayMs,
        queue: this.queue,
      },
    );
  }

  get channelSetId(): string {
    return this.options.channelSetId ?? `cti-bridge.${this.ctx.link.tenant}.${this.ctx.link.id}`;
  }

  // ---------------------------------------------------------------------------------------------------
  // lifecycle

  async connect(): Promise<void> {
    this.closed = false;
    this.downReported = false;
    if (this.client.state !== 'disconnected') await this.client.close();
    this.subs.reset();
    await this.client.connect(() => this.subs.apply());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ctx.timers.clear();
    await this.subs.close();
    await this.client.close();
  }

  private down(reason: string): void {
    this.subs.reset();
    if (this.closed || this.downReported) return;
    this.downReported = true;
    this.ctx.hooks.onDown(reason);
  }

  /** Runs subscription work one at a time (watch, refresh, re-creation). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  // ---------------------------------------------------------------------------------------------------
  // subscriptions

  async watch(specs: WatchSpec[]): Promise<void> {
    await this.subs.watch(specs); // while connecting: applied in `subscribing`
    this.mappers.keep(specs.map((s) => s.target));
  }

  /** The spec's vendor subscriptions: `failed` with BroadWorks' reason when refused (e.g. 403 / 110203). */
  watchStatus(spec: WatchSpec): { state: 'pending' | 'active' | 'failed'; reason?: string } {
    const { state, reason } = this.subs.statusOf(spec);
    return { state, ...(reason ? { reason } : {}) };
  }

  private onChannelLost(reason: string, fatal: boolean): void {
    // BroadWorks terminates every subscription of a set whose last channel is gone
    for (const sub of this.subs.list()) {
      if (!sub.vendorId) continue;
      this.emit({
        type: 'subscription.terminated',
        target: sub.spec.target,
        data: { subscription: sub.vendorId, reason },
        vendor: { name: VENDOR, event: 'ChannelTerminatedEvent' },
      });
    }
    this.subs.reset();
    if (fatal) {
      this.client.fail(reason);
      return;
    }
    void this.serial(() => this.client.recoverChannel(() => this.subs.apply()));
  }

  // ---------------------------------------------------------------------------------------------------
  // events

  /** Hands a draft to the connector; resolves once it is durable (rejects if it cannot be, or after close). */
  private emit(draft: EventDraft): Promise<void> {
    return this.sink.emit(draft);
  }

  /** Emits the drafts of one vendor event: resolves once all are durable (the vendor is acknowledged then). */
  private emitAll(drafts: EventDraft[]): Promise<void> {
    return this.sink.emitAll(drafts);
  }

  /**
   * The bridge targets an event is for, each with its families and its mapper: the target of the
   * subscription that carried it. An event of a subscription this process does not know (after a
   * takeover, BroadWorks re-sends the unanswered events of the previous owner's subscriptions, which this
   * process replaced by its own) goes to every watched target that covers it, the event's own user and
   * `system`, each in that target's mapper, so the new subscription's call list is reconciled with it
   * (one release per call) and a `system` channel does not miss it; without any, to the fallback mapper.
   */
  private contextsFor(ev: BwEvent): (MapContext & { mapper: CallMapper })[] {
    const rec = ev.subscriptionId ? this.subs.byVendorId(ev.subscriptionId)?.spec : undefined;
    if (rec) return [{ target: rec.target, families: rec.families, mapper: this.mappers.for(rec.target) }];
    const id = ev.targetId ?? ev.userId;
    const covering = new Map<string, MapContext & { mapper: CallMapper }>();
    for (const { spec } of this.subs.list()) {
      const t = spec.target;
      if (t.type !== 'system' && !(t.type === 'user' && id && t.id === id)) continue;
      const key = targetKey(t);
      const families = new Set([...(covering.get(key)?.families ?? []), ...spec.families]);
      covering.set(key, { target: t, families, mapper: this.mappers.for(t) });
    }
    if (covering.size) return [...covering.values()];
    return [
      {
        target: id ? { type: 'user', id } : { type: 'system' },
        families: new Set(['call', 'conference', 'agent', 'queue', 'route', 'service', 'link']),
        mapper: this.mappers.fallback(),
      },
    ];
  }

  /** Maps one vendor event; the promise resolves once its drafts are durable (none: at once). */
  private onBwEvent(ev: BwEvent): Promise<void> | undefined {
    const ctxs = this.contextsFor(ev);
    const ctx = ctxs[0]!;
    if (ev.type === 'SubscriptionTerminatedEvent') {
      if (ev.subscriptionId && this.subs.wasDeleted(ev.subscriptionId)) return; // our own delete
      const durable = this.emitAll(ctx.mapper.map(ev, ctx));
      // BroadWorks ended it: added again after resubscribeDelayMs (a few times in a row at most)
      if (ev.subscriptionId)
        this.subs.terminated(ev.subscriptionId, ev.reason ?? 'SubscriptionTerminatedEvent');
      return durable;
    }
    if (!ev.type) {
      this.ctx.logger.debug('broadworks-cti event of unknown type', {
        type: ev.wireType,
        eventId: ev.eventId,
      });
      return;
    }
    this.routePoints.observe(ev, ctx.target.id);
    return this.emitAll(ctxs.flatMap((c) => c.mapper.map(ev, c)));
  }

  // ---------------------------------------------------------------------------------------------------
  // resync

  async resync(): Promise<void> {
    if (this.client.state !== 'ready') throw new LinkUnavailableError();
    const users = new Map<string, MapContext>();
    for (const { spec: rec } of this.subs.list()) {
      if (rec.bwTarget.kind === 'user' && rec.pkg === this.options.callPackage) {
        users.set(rec.bwTarget.id, { target: rec.target, families: rec.families });
      }
    }
    for (const [user, ctx] of users) {
      let calls: BwCall[];
      try {
        calls = await this.fetchCalls(user);
      } catch (err) {
        this.ctx.logger.warn('broadworks-cti resync failed for user', {
          user,
          error: (err as Error).message,
        });
        continue;
      }
      for (const d of this.mappers
        .for(ctx.target)
        .reconcile(user, calls, ctx, 'RetrieveCallInfoListResponse'))
        this.emit(d);
    }
  }

  private async fetchCalls(user: string): Promise<BwCall[]> {
    const list = await this.call(this.requests.callList(user));
    const root = list.payload ?? list.root;
    const ids = new Set<string>();
    for (const info of [...findAll(root, 'callinfo'), ...findAll(root, 'call')]) {
      const id = textOf(info, 'callid');
      if (id) ids.add(id);
    }
    const out: BwCall[] = [];
    for (const id of ids) {
      try {
        const r = await this.call(this.requests.callDetails(user, id));
        const c = parseCallNode(r);
        out.push(c ?? { callId: id });
      } catch (err) {
        // a call that ended between list and details is simply gone
        if (err instanceof VendorError && err.vendor.code === '101002') continue;
        throw err;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------
  // commands

  private async call(spec: RequestSpec): Promise<Response> {
    const r = await this.client.request(spec);
    if (r.statusCode >= 200 && r.statusCode < 300) return r;
    throw vendorError(r);
  }

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    const result = await this.run(command as CallCommand);
    return result as CommandResult<K>;
  }

  private requireReady(): void {
    if (this.client.state !== 'ready')
      throw new LinkUnavailableError(`broadworks-cti link is ${this.client.state}`);
  }

  private async run(cmd: CallCommand): Promise<unknown> {
    const rq = this.requests;
    if (cmd.kind === 'listUsers') {
      // the CTI interface has no directory request (Directory/XSIDirectories.xsd "is not used for the CTI interface")
      if (!this.options.users) throw new NotSupportedError(VENDOR, 'listUsers');
      return { users: this.options.users.map((u) => ({ ...u })) satisfies DirectoryUser[] };
    }
    this.requireReady();
    const queued = this.queueCommands.run(cmd);
    if (queued) return queued;
    if (cmd.kind === 'routeSelect') return this.routePoints.select(cmd.call, cmd.route);
    switch (cmd.kind) {
      case 'listCalls': {
        const calls = await this.fetchCalls(cmd.user);
        return { calls: calls.map((c) => this.view(cmd.user, c)) };
      }
      case 'getCall': {
        const r = await this.call(rq.callDetails(cmd.user, cmd.call));
        const c = parseCallNode(r);
        if (!c)
          throw new VendorError(502, 'call details without a call', { name: VENDOR, status: r.statusCode });
        return { call: this.view(cmd.user, c) };
      }
      case 'dial': {
        const r = await this.call(rq.dial(cmd.user, cmd.to));
        const root = r.payload ?? r.root;
        const callId = textOf(root, 'callid');
        if (!callId)
          throw new VendorError(502, 'dial response without callStartInfo', {
            name: VENDOR,
            status: r.statusCode,
          });
        return {
          callId,
          correlationId: textOf(root, 'externaltrackingid') ?? textOf(root, 'exttrackingid') ?? callId,
        };
      }
      case 'answer':
      case 'retrieve':
        await this.call(rq.talk(cmd.user, cmd.call));
        return {};
      case 'hold':
        await this.call(rq.hold(cmd.user, cmd.call));
        return {};
      case 'release':
        await this.call(rq.release(cmd.user, cmd.call));
        return {};
      case 'dtmf':
        await this.call(rq.dtmf(cmd.user, cmd.call, cmd.digits));
        return {};
      case 'blindTransfer':
        await this.call(rq.blindTransfer(cmd.user, cmd.call, cmd.to));
        return {};
      case 'consultTransfer':
        await this.call(rq.consultTransfer(cmd.user, cmd.call, cmd.withCall));
        return {};
      case 'conference':
        await this.call(rq.conferenceStart(cmd.user, [cmd.call, cmd.withCall]));
        return {};
      case 'getAgentState': {
        const r = await this.call(rq.getAgentState(cmd.agent));
        const root = r.payload ?? r.root;
        const state = mapAgentState(textOf(root, 'agentacdstate') ?? textOf(root, 'state'));
        if (!state)
          throw new VendorError(502, 'agent state missing in response', {
            name: VENDOR,
            status: r.statusCode,
          });
        const reason = textOf(root, 'unavailablecode');
        return { state, ...(reason ? { reason } : {}) };
      }
      case 'setAgentState': {
        const r = await this.call(rq.setAgentState(cmd.agent, cmd.state, cmd.reason));
        const root = r.payload ?? r.root;
        const state: AgentStateValue =
          mapAgentState(textOf(root, 'agentacdstate') ?? textOf(root, 'state')) ?? cmd.state;
        const reason = textOf(root, 'unavailablecode') ?? cmd.reason;
        return { state, ...(reason ? { reason } : {}) };
      }
      case 'getDnd': {
        const r = await this.call(rq.getDnd(cmd.user));
        return { enabled: isTrue(r.payload ?? r.root, 'active') };
      }
      case 'setDnd':
        await this.call(rq.setDnd(cmd.user, cmd.enabled));
        return { enabled: cmd.enabled };
      case 'getForwarding': {
        const r = await this.call(rq.getForwarding(cmd.user, cmd.type));
        const root = r.payload ?? r.root;
        const to = textOf(root, 'forwardtophonenumber');
        return { enabled: isTrue(root, 'active'), ...(to ? { to } : {}) };
      }
      case 'setForwarding':
        await this.call(rq.setForwarding(cmd.user, cmd.type, cmd.enabled, cmd.to));
        return { enabled: cmd.enabled, ...(cmd.to ? { to: cmd.to } : {}) };
      case 'raw':
        return this.raw(cmd.request);
      default:
        throw new NotSupportedError(VENDOR, (cmd as { kind: string }).kind);
    }
  }

  private view(user: string, c: BwCall): Call {
    // listing is not an event: the cache completes the view but is not changed
    return this.mappers.holding(c.callId, { type: 'user', id: user }).preview(user, c);
  }

  private async raw(request: unknown): Promise<{ status: number; body: unknown }> {
    const parsed = RawRequest.safeParse(request);
    if (!parsed.success) {
      throw new VendorError(
        400,
        `invalid raw request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        { name: VENDOR },
      );
    }
    const { method, uri, params, payload, type } = parsed.data;
    let payloadXml: string | undefined;
    if (payload !== undefined) {
      try {
        const { repaired } = parseXml(`<payload>${payload}</payload>`);
        if (repaired) throw new Error('not well-formed');
      } catch (err) {
        throw new VendorError(400, `raw payload is not well-formed XML: ${(err as Error).message}`, {
          name: VENDOR,
        });
      }
      payloadXml = payload;
    }
    const spec: RequestSpec = {
      type: type ?? 'RawRequest',
      method,
      uri,
      params: Object.entries(params ?? {}).map(([k, v]) => [k, String(v)]),
      ...(payloadXml ? { payloadXml } : {}),
    };
    for (const [k] of spec.params)
      if (!/^[A-Za-z_][\w.-]*$/.test(k))
        throw new VendorError(400, `invalid param name ${escapeAttr(k)}`, { name: VENDOR });
    const r = await this.client.request(spec);
    const body: Record<string, unknown> = {};
    if (r.reason) body.reason = r.reason;
    if (r.errorInfo) body.errorInfo = r.errorInfo;
    if (r.payload) body.payload = toPlain(r.payload);
    return { status: r.statusCode, body };
  }
}

const RawRequest = z.object({
  method: z.enum(['GET', 'PUT', 'POST', 'DELETE']),
  uri: z.string().min(1).max(2048),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  payload: z.string().max(65536).optional(),
  type: z
    .string()
    .regex(/^[A-Za-z][\w]*$/)
    .optional(),
});

function isTrue(node: XNode | undefined, name: string): boolean {
  const t = textOf(node, name);
  return t !== undefined && /^(true|1)$/i.test(t);
}

/** The Call of a RetrieveCallDetails response. */
function parseCallNode(r: Response): BwCall | undefined {
  const root = r.payload ?? r.root;
  return parseCall(find(root, 'call') ?? root);
}

/** Vendor error response → VendorError with the HTTP status the bridge API answers with. */
export function vendorError(r: Response): VendorError {
  const code = r.errorInfo?.errorCode;
  const text = r.errorInfo?.summaryEnglish ?? r.errorInfo?.summary ?? r.reason ?? `status ${r.statusCode}`;
  return new VendorError(
    apiStatus(r.statusCode, code),
    `BroadWorks ${r.statusCode}${code ? `/${code}` : ''}: ${text}`,
    {
      name: VENDOR,
      ...(code ? { code } : {}),
      text,
      status: r.statusCode,
    },
  );
}

const NOT_FOUND_CODES = new Set(['100003', '101002', '4008', '110862', '110841', '110203']);
const CONFLICT_CODES = new Set([
  '101001',
  '101004',
  '110505',
  '110503',
  '110642',
  '110648',
  '110810',
  '110106',
  '110205',
  '110206',
  '110207',
  '110210',
]);

function apiStatus(status: number, code: string | undefined): number {
  if (code && NOT_FOUND_CODES.has(code)) return 404;
  if (code && CONFLICT_CODES.has(code)) return 409;
  if (status === 400) return 400;
  if (status === 401 || status === 403) return 403;
  if (status === 404) return 404;
  if (status === 503) return 503;
  return 502;
}
