/**
 * The BroadWorks CTI driver: the `Driver` seam over `BwClient`. It owns the BroadWorks subscriptions
 * (one per target and event package), maps events to the normalized model, executes commands and
 * resynchronises calls after a reconnect.
 */
import { SerialQueue, readDriverOptions, type DriverTimers } from '../../driver-kit/util.js';
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
  type DriverHooks,
  type DriverLogger,
  type LinkConfig,
  type WatchSpec,
} from '../../driver-kit/seam.js';
import type { AgentStateValue, Call, EventDraft, EventFamily, Target } from '../../../shared/events/model.js';
import { BwClient, type ClientConfig, type Response } from './client.js';
import { CallMapper, VENDOR, mapAgentState, type MapContext } from './mapper.js';
import { Requests, type BwTarget } from './requests.js';
import { BroadWorksCtiOptions } from '../manifest.js';
import { esc, find, findAll, intOf, parseXml, textOf, toPlain, type XNode } from '../wire/xml.js';
import { parseCall, type BwCall, type BwEvent, type RequestSpec } from './messages.js';

// ---------------------------------------------------------------------------------------------------
// options

export { BroadWorksCtiOptions } from '../manifest.js';

// ---------------------------------------------------------------------------------------------------
// family → package mapping

export const SERVICE_PACKAGES = [
  'Do Not Disturb',
  'Call Forwarding Always',
  'Call Forwarding Busy',
  'Call Forwarding No Answer',
] as const;

/** BroadWorks event packages for one bridge target type and family (empty: nothing to subscribe). */
export function packagesFor(targetType: Target['type'], family: EventFamily, callPackage: string): string[] {
  switch (family) {
    case 'call':
    case 'conference':
      return targetType === 'queue' || targetType === 'routePoint' ? [] : [callPackage];
    case 'agent':
      return targetType === 'user' || targetType === 'group' || targetType === 'system'
        ? ['Call Center Agent']
        : [];
    case 'queue':
      return targetType === 'queue'
        ? ['Call Center Queue']
        : targetType === 'routePoint'
          ? ['Route Point Queue']
          : [];
    case 'route':
      return targetType === 'routePoint' ? ['Route Point Queue'] : [];
    case 'service':
      return targetType === 'queue' || targetType === 'routePoint' ? [] : [...SERVICE_PACKAGES];
    case 'link':
      return [];
  }
}

interface SubRecord {
  key: string;
  target: Target;
  bwTarget: BwTarget;
  pkg: string;
  families: Set<EventFamily>;
  subscriptionId?: string;
  refreshTimer?: NodeJS.Timeout;
  failures: number;
}

// ---------------------------------------------------------------------------------------------------

export class BroadWorksCtiDriver implements Driver {
  readonly vendor = VENDOR;
  readonly options: BroadWorksCtiOptions;
  readonly client: BwClient;
  readonly mapper = new CallMapper();
  private readonly requests: Requests;
  private specs: WatchSpec[] = [];
  private readonly subs = new Map<string, SubRecord>();
  private readonly bySubscriptionId = new Map<string, SubRecord>();
  private readonly deletedSubscriptions = new Set<string>();
  private readonly queue = new SerialQueue();
  private closed = false;
  private downReported = false;
  private readonly timers: DriverTimers;
  private readonly link: LinkConfig;
  private readonly hooks: DriverHooks;
  private readonly logger: DriverLogger;
  readonly applicationId: string;

  constructor(context: DriverContext) {
    const { link, logger } = context;
    this.link = link;
    this.hooks = context.hooks;
    this.logger = logger;
    this.timers = context.timers;
    this.options = readDriverOptions(BroadWorksCtiOptions, 'broadworks-cti', link.options, logger);
    const o = this.options;
    this.requests = new Requests({ actions: o.uriPrefix, events: o.eventsUriPrefix });
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
          ev.subscriptionId && this.deletedSubscriptions.has(ev.subscriptionId)
            ? { status: 481, reason: 'SubscriptionId not found' }
            : { status: 200, reason: 'OK' },
        onChannelLost: (reason, fatal) => this.onChannelLost(reason, fatal),
        onClosed: (reason) => this.down(reason),
        onGarbage: (kind, detail) => this.hooks.onGarbage(kind, detail),
      },
      logger,
    );
  }

  get channelSetId(): string {
    return this.options.channelSetId ?? `cti-bridge.${this.link.tenant}.${this.link.id}`;
  }

  // ---------------------------------------------------------------------------------------------------
  // lifecycle

  async connect(): Promise<void> {
    this.closed = false;
    this.downReported = false;
    if (this.client.state !== 'disconnected') await this.client.close();
    for (const r of this.subs.values()) this.forget(r);
    await this.client.connect(() => this.applyWatch());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.clear();
    if (this.client.state === 'ready') {
      const ids = [...this.subs.values()].map((r) => r.subscriptionId).filter((s): s is string => !!s);
      await Promise.allSettled(
        ids.map((id) => {
          this.deletedSubscriptions.add(id);
          return this.client.request(this.requests.deleteSubscription(id), {
            timeoutMs: Math.min(2000, this.options.requestTimeoutMs),
          });
        }),
      );
    }
    for (const r of this.subs.values()) this.forget(r);
    await this.client.close();
  }

  private down(reason: string): void {
    for (const r of this.subs.values()) this.forget(r);
    if (this.closed || this.downReported) return;
    this.downReported = true;
    this.hooks.onDown(reason);
  }

  private later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
  }

  /** Runs subscription work one at a time (watch, refresh, re-creation). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  // ---------------------------------------------------------------------------------------------------
  // subscriptions

  async watch(specs: WatchSpec[]): Promise<void> {
    this.specs = specs.map((s) => ({ target: { ...s.target }, families: [...s.families] }));
    if (this.client.state !== 'ready') return; // applied in `subscribing` on connect
    await this.serial(() => this.applyWatch());
  }

  private desired(): Map<string, Omit<SubRecord, 'failures'>> {
    const out = new Map<string, Omit<SubRecord, 'failures'>>();
    for (const spec of this.specs) {
      for (const bwTarget of this.bwTargets(spec.target)) {
        for (const family of spec.families) {
          for (const pkg of packagesFor(spec.target.type, family, this.options.callPackage)) {
            const key = `${bwTargetKey(bwTarget)}|${pkg}`;
            const existing = out.get(key);
            if (existing) existing.families.add(family);
            else out.set(key, { key, target: spec.target, bwTarget, pkg, families: new Set([family]) });
          }
        }
      }
    }
    return out;
  }

  private bwTargets(target: Target): BwTarget[] {
    switch (target.type) {
      case 'system':
        return [{ kind: 'system' }];
      case 'group': {
        if (!target.id) return [];
        const [a, b] = target.id.includes('/')
          ? target.id.split('/', 2)
          : [this.options.serviceProviderId, target.id];
        if (!a || !b) {
          this.logger.warn(
            'broadworks-cti: group target needs "serviceProvider/group" or options.serviceProviderId',
            { target: target.id },
          );
          return [];
        }
        return [{ kind: 'group', serviceProviderId: a, groupId: b }];
      }
      default:
        if (target.id) return [{ kind: 'user', id: target.id }];
        // a user target without id: every configured user
        if (target.type === 'user' && this.options.users)
          return this.options.users.map((u) => ({ kind: 'user' as const, id: u.id }));
        this.logger.warn('broadworks-cti: target without id cannot be subscribed', { target: target.type });
        return [];
    }
  }

  private async applyWatch(): Promise<void> {
    const want = this.desired();
    for (const [key, rec] of [...this.subs]) {
      if (want.has(key)) continue;
      this.subs.delete(key);
      const id = rec.subscriptionId;
      this.forget(rec);
      if (id) await this.deleteSubscription(id);
    }
    const adds: Promise<void>[] = [];
    for (const [key, w] of want) {
      const rec = this.subs.get(key);
      if (rec) {
        rec.families = w.families;
        rec.target = w.target;
        if (!rec.subscriptionId) adds.push(this.addSubscription(rec));
        continue;
      }
      const fresh: SubRecord = { ...w, failures: 0 };
      this.subs.set(key, fresh);
      adds.push(this.addSubscription(fresh));
    }
    await Promise.all(adds);
  }

  private forget(rec: SubRecord): void {
    if (rec.refreshTimer) clearTimeout(rec.refreshTimer);
    rec.refreshTimer = undefined;
    if (rec.subscriptionId) this.bySubscriptionId.delete(rec.subscriptionId);
    rec.subscriptionId = undefined;
  }

  private async deleteSubscription(id: string): Promise<void> {
    this.deletedSubscriptions.add(id);
    try {
      const r = await this.client.request(this.requests.deleteSubscription(id));
      if (r.statusCode !== 200 && r.statusCode !== 403)
        this.logger.warn('broadworks-cti DeleteSubscription refused', { id, status: r.statusCode });
    } catch (err) {
      this.logger.warn('broadworks-cti DeleteSubscription failed', { id, error: (err as Error).message });
    }
  }

  private async addSubscription(rec: SubRecord): Promise<void> {
    const spec = this.requests.addSubscription(rec.bwTarget, {
      event: rec.pkg,
      expires: this.options.subscriptionExpires,
      channelSetId: this.channelSetId,
      applicationId: this.applicationId,
    });
    let r: Response;
    try {
      r = await this.client.request(spec, {
        // runs before the initial event that follows the response is handled
        onResponse: (resp) => {
          if (resp.statusCode !== 200 || this.subs.get(rec.key) !== rec) return;
          const id = textOf(resp.payload ?? resp.root, 'subscriptionid');
          if (id) {
            rec.subscriptionId = id;
            this.bySubscriptionId.set(id, rec);
          }
        },
      });
    } catch (err) {
      this.logger.warn('broadworks-cti subscription failed', {
        target: bwTargetKey(rec.bwTarget),
        event: rec.pkg,
        error: (err as Error).message,
      });
      return;
    }
    if (r.statusCode !== 200 || !rec.subscriptionId) {
      rec.failures++;
      const why =
        `${r.statusCode}${r.errorInfo?.errorCode ? `/${r.errorInfo.errorCode}` : ''} ${r.errorInfo?.summaryEnglish ?? r.errorInfo?.summary ?? r.reason ?? ''}`.trim();
      this.logger.warn('broadworks-cti subscription refused', {
        target: bwTargetKey(rec.bwTarget),
        event: rec.pkg,
        why,
      });
      this.emit({
        type: 'subscription.terminated',
        target: rec.target,
        data: { reason: `${rec.pkg} subscription refused: ${why}` },
        vendor: { name: VENDOR, event: 'AddSubscriptionResponse' },
      });
      return;
    }
    rec.failures = 0;
    const expires = intOf(resp_payload(r), 'expires') ?? this.options.subscriptionExpires;
    this.scheduleRefresh(rec, expires);
  }

  private scheduleRefresh(rec: SubRecord, expires: number): void {
    if (rec.refreshTimer) clearTimeout(rec.refreshTimer);
    const ms = Math.max(500, expires * 1000 * this.options.refreshRatio);
    rec.refreshTimer = setTimeout(() => void this.serial(() => this.refresh(rec)), ms);
    rec.refreshTimer.unref?.();
  }

  private async refresh(rec: SubRecord): Promise<void> {
    if (this.subs.get(rec.key) !== rec || !rec.subscriptionId || this.client.state !== 'ready') return;
    try {
      const r = await this.client.request(
        this.requests.updateSubscription(rec.subscriptionId, this.options.subscriptionExpires),
      );
      if (r.statusCode === 200) {
        this.scheduleRefresh(rec, intOf(resp_payload(r), 'expires') ?? this.options.subscriptionExpires);
        return;
      }
      this.logger.warn('broadworks-cti subscription refresh refused; re-adding', {
        status: r.statusCode,
        id: rec.subscriptionId,
      });
      this.forget(rec);
      await this.addSubscription(rec);
    } catch (err) {
      this.logger.warn('broadworks-cti subscription refresh failed', { error: (err as Error).message });
      if (this.client.state === 'ready') this.scheduleRefresh(rec, 10);
    }
  }

  private onChannelLost(reason: string, fatal: boolean): void {
    // BroadWorks terminates every subscription of a set whose last channel is gone
    for (const rec of this.subs.values()) {
      if (!rec.subscriptionId) continue;
      this.emit({
        type: 'subscription.terminated',
        target: rec.target,
        data: { subscription: rec.subscriptionId, reason },
        vendor: { name: VENDOR, event: 'ChannelTerminatedEvent' },
      });
      this.forget(rec);
    }
    if (fatal) {
      this.client.fail(reason);
      return;
    }
    void this.serial(() => this.client.recoverChannel(() => this.applyWatch()));
  }

  // ---------------------------------------------------------------------------------------------------
  // events

  private emit(draft: EventDraft): void {
    if (this.closed) return;
    try {
      this.hooks.onEvent(draft);
    } catch (err) {
      this.logger.warn('broadworks-cti onEvent hook failed', { error: (err as Error).message });
    }
  }

  private contextFor(ev: BwEvent): MapContext {
    const rec = ev.subscriptionId ? this.bySubscriptionId.get(ev.subscriptionId) : undefined;
    if (rec) return { target: rec.target, families: rec.families };
    const id = ev.targetId ?? ev.userId;
    return {
      target: id ? { type: 'user', id } : { type: 'system' },
      families: new Set(['call', 'conference', 'agent', 'queue', 'route', 'service', 'link']),
    };
  }

  private onBwEvent(ev: BwEvent): void {
    const ctx = this.contextFor(ev);
    if (ev.type === 'SubscriptionTerminatedEvent') {
      const rec = ev.subscriptionId ? this.bySubscriptionId.get(ev.subscriptionId) : undefined;
      if (ev.subscriptionId && this.deletedSubscriptions.has(ev.subscriptionId)) return; // our own delete
      for (const d of this.mapper.map(ev, ctx)) this.emit(d);
      if (rec) {
        this.forget(rec);
        if (this.subs.get(rec.key) === rec && rec.failures < 3) {
          rec.failures++;
          this.later(this.options.resubscribeDelayMs * rec.failures, () => {
            if (this.subs.get(rec.key) === rec && !rec.subscriptionId && this.client.state === 'ready') {
              void this.serial(() => this.addSubscription(rec));
            }
          });
        }
      }
      return;
    }
    if (!ev.type) {
      this.logger.debug('broadworks-cti event of unknown type', { type: ev.wireType, eventId: ev.eventId });
      return;
    }
    for (const d of this.mapper.map(ev, ctx)) this.emit(d);
  }

  // ---------------------------------------------------------------------------------------------------
  // resync

  async resync(): Promise<void> {
    if (this.client.state !== 'ready') throw new LinkUnavailableError();
    const users = new Map<string, MapContext>();
    for (const rec of this.subs.values()) {
      if (rec.bwTarget.kind === 'user' && rec.pkg === this.options.callPackage) {
        users.set(rec.bwTarget.id, { target: rec.target, families: rec.families });
      }
    }
    for (const [user, ctx] of users) {
      let calls: BwCall[];
      try {
        calls = await this.fetchCalls(user);
      } catch (err) {
        this.logger.warn('broadworks-cti resync failed for user', { user, error: (err as Error).message });
        continue;
      }
      for (const d of this.mapper.reconcile(user, calls, ctx, 'RetrieveCallInfoListResponse')) this.emit(d);
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
    return this.mapper.preview(user, c);
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
        throw new VendorError(400, `invalid param name ${esc(k)}`, { name: VENDOR });
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

function resp_payload(r: Response): XNode {
  return r.payload ?? r.root;
}

function isTrue(node: XNode | undefined, name: string): boolean {
  const t = textOf(node, name);
  return t !== undefined && /^(true|1)$/i.test(t);
}

function bwTargetKey(t: BwTarget): string {
  return t.kind === 'user'
    ? `user:${t.id}`
    : t.kind === 'group'
      ? `group:${t.serviceProviderId}/${t.groupId}`
      : 'system';
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

const NOT_FOUND_CODES = new Set(['100003', '101002', '4008', '110862', '110841']);
const CONFLICT_CODES = new Set([
  '101001',
  '101004',
  '110505',
  '110503',
  '110642',
  '110648',
  '110810',
  '110106',
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
