/**
 * The Avaya IP Office MTCTI-3 driver: the `Driver` seam over `Mtcti3Client`. It keeps the Lines
 * directory, one User subscription (with call control) per watched or commanded user, Queue
 * subscriptions for watched queues and for agent membership, maps snapshots to normalized events and
 * runs the unified call-control API as SubscribeCmd requests.
 */
import { SerialQueue, readDriverOptions, type DriverTimers } from '../../driver-kit/util.js';
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
import type { EventDraft, EventFamily, Target } from '../../../shared/events/model.js';
import { AvayaMtcti3Options } from '../manifest.js';
import {
  RESULT,
  guidHex,
  hasFeature,
  kindOf,
  messageFromJson,
  messageToJson,
  resultName,
  type CallFunction,
  type LinesEntry,
  type Message,
  type Notify,
  type SubscribeCmd,
} from '../wire/codec.js';
import { Mtcti3Client, type Reply } from './client.js';
import { Mtcti3Mapper, VENDOR, gcidHex, type QueueContext, type UserContext } from './mapper.js';

export { AvayaMtcti3Options } from '../manifest.js';

interface DirEntry {
  guid: Uint8Array;
  extn: string;
  name: string;
}

interface SubRec {
  key: string;
  kind: 'lines' | 'user' | 'queue';
  /** IP Office user / hunt group name. */
  name: string;
  target: Target;
  families: Set<EventFamily>;
  flags: number;
  ccflags: number;
  subscribeId: number;
  active: boolean;
  gotCalls: boolean;
  gotObject: boolean;
  waiters: { pred: (r: SubRec) => boolean; resolve: () => void }[];
  refreshTimer?: NodeJS.Timeout;
  failures: number;
}

interface Desired {
  kind: 'user' | 'queue';
  name: string;
  target: Target;
  families: Set<EventFamily>;
  flags: number;
  ccflags: number;
}

const STATUS_BY_RESULT: Record<number, number> = {
  [RESULT.NOTFOUND]: 404,
  [RESULT.USERNOTFOUND]: 404,
  [RESULT.CALLCONTROL_CALLNOTFOUND]: 404,
  [RESULT.CALLCONTROL_OTHERNOTFOUND]: 404,
  [RESULT.CALLCONTROL_TARGETNOTFOUND]: 404,
  [RESULT.CALLCONTROL_BADFORMATTING]: 400,
  [RESULT.REQUEST_INVALID_PAYLOAD]: 400,
  [RESULT.UNPACKERR]: 400,
  [RESULT.CALLCONTROL_PERMISSION]: 403,
  [RESULT.NOTALLOWED]: 403,
  [RESULT.CALLCONTROL_BADACCT]: 400,
  [RESULT.CALLCONTROL_BDAUTH]: 400,
  [RESULT.CALLCONTROL_UNSUPPORTED]: 501,
  [RESULT.NOTINSTRUMENTED]: 501,
  [RESULT.REQUESTTIMEOUT]: 504,
};

/** A non-zero RequestResponse.result → VendorError with the HTTP status the bridge API answers with. */
export function resultError(result: number, additional: string | undefined, what: string): VendorError {
  const name = resultName(result);
  const status = STATUS_BY_RESULT[result] ?? (result >= 600 && result < 700 ? 409 : 502);
  const text = additional ? `${name}: ${additional}` : name;
  return new VendorError(status, `MTCTI-3 ${what} refused: ${result} ${text}`, {
    name: VENDOR,
    code: String(result),
    text,
  });
}

export class AvayaMtcti3Driver implements Driver {
  readonly vendor = VENDOR;
  readonly options: AvayaMtcti3Options;
  readonly client: Mtcti3Client;
  readonly mapper: Mtcti3Mapper;
  private specs: WatchSpec[] = [];
  private readonly subs = new Map<string, SubRec>();
  private readonly bySubId = new Map<number, SubRec>();
  private readonly pinned = new Set<string>();
  private nextSubId = 1;
  private nextRef = 1;
  private users = new Map<string, DirEntry>();
  private queues = new Map<string, DirEntry>();
  private linesRec: SubRec | undefined;
  private readonly dials = new Map<
    number,
    {
      resolve: (r: { callId: string; correlationId: string }) => void;
      reject: (e: Error) => void;
      user: string;
    }
  >();
  private readonly queue = new SerialQueue();
  private closed = false;
  private downReported = false;
  private readonly timers: DriverTimers;
  private readonly link: LinkConfig;
  private readonly hooks: DriverHooks;
  private readonly logger: DriverLogger;

  constructor(context: DriverContext) {
    const { link, logger } = context;
    this.link = link;
    this.hooks = context.hooks;
    this.logger = logger;
    this.timers = context.timers;
    this.options = readDriverOptions(AvayaMtcti3Options, 'avaya-mtcti3', link.options, logger);
    const o = this.options;
    this.mapper = new Mtcti3Mapper({
      userByNumber: (n) => (n ? this.userByExtn(n)?.name : undefined),
      queueByNumber: (n) => (n ? [...this.queues.values()].find((q) => q.extn === n)?.name : undefined),
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
        onTerminated: (id, reason) => this.onTerminated(id, reason),
        onClosed: (reason) => this.down(reason),
        onGarbage: (kind, detail) => this.hooks.onGarbage(kind, detail),
      },
      logger,
    );
  }

  // ------------------------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    this.closed = false;
    this.downReported = false;
    if (this.client.state !== 'disconnected') await this.client.close();
    this.forgetAll();
    await this.client.connect();
    try {
      await this.subscribeLines();
    } catch (err) {
      await this.client.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.clear();
    if (this.client.state === 'ready') {
      await Promise.allSettled(
        [...this.subs.values(), ...(this.linesRec ? [this.linesRec] : [])]
          .filter((r) => r.active)
          .map((r) =>
            this.client.request(
              { subscribeend: { subscribe_id: r.subscribeId, reason: 'bridge closing' } },
              Math.min(2000, this.options.requestTimeoutMs),
            ),
          ),
      );
    }
    this.forgetAll();
    await this.client.close();
  }

  private forgetAll(): void {
    for (const r of this.subs.values()) this.forget(r);
    this.subs.clear();
    if (this.linesRec) this.forget(this.linesRec);
    this.linesRec = undefined;
    for (const [, d] of this.dials) d.reject(new LinkUnavailableError('link lost while dialling'));
    this.dials.clear();
  }

  private forget(rec: SubRec): void {
    rec.active = false;
    if (rec.refreshTimer) clearTimeout(rec.refreshTimer);
    rec.refreshTimer = undefined;
    this.bySubId.delete(rec.subscribeId);
    for (const w of rec.waiters) w.resolve();
    rec.waiters = [];
  }

  private down(reason: string): void {
    for (const r of this.subs.values()) this.forget(r);
    if (this.linesRec) this.forget(this.linesRec);
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

  private emit(draft: EventDraft): void {
    if (this.closed) return;
    try {
      this.hooks.onEvent(draft);
    } catch (err) {
      this.logger.warn('avaya-mtcti3 onEvent hook failed', { error: (err as Error).message });
    }
  }

  private emitAll(drafts: EventDraft[]): void {
    for (const d of drafts) this.emit(d);
  }

  // ------------------------------------------------------------------------------------ directory

  private userByExtn(extn: string): DirEntry | undefined {
    for (const u of this.users.values()) if (u.extn === extn) return u;
    return undefined;
  }

  /** A bridge user id → directory entry (the IP Office user name; the extension is accepted too). */
  private resolveUser(id: string): DirEntry | undefined {
    return (
      this.users.get(id) ??
      [...this.users.values()].find((u) => u.name.toLowerCase() === id.toLowerCase()) ??
      this.userByExtn(id)
    );
  }

  private resolveQueue(id: string): DirEntry | undefined {
    return (
      this.queues.get(id) ??
      [...this.queues.values()].find((q) => q.name.toLowerCase() === id.toLowerCase() || q.extn === id)
    );
  }

  private applyLines(n: NonNullable<Notify['lines']>): void {
    const put = (map: Map<string, DirEntry>, list: LinesEntry[] | undefined) => {
      for (const e of list ?? []) {
        if (!e.name || !e.guid) continue;
        const hex = guidHex(e.guid);
        for (const [k, v] of map) if (guidHex(v.guid) === hex) map.delete(k); // rename / renumber keeps the GUID
        map.set(e.name, { guid: e.guid, extn: e.extn ?? '', name: e.name });
      }
    };
    const del = (map: Map<string, DirEntry>, list: LinesEntry[] | undefined) => {
      for (const e of list ?? []) {
        const hex = guidHex(e.guid);
        for (const [k, v] of map) if (guidHex(v.guid) === hex || (e.name && k === e.name)) map.delete(k);
      }
    };
    put(this.users, n.adduser);
    put(this.users, n.changeuser);
    del(this.users, n.deleteuser);
    put(this.queues, n.addqueue);
    put(this.queues, n.changequeue);
    del(this.queues, n.deletequeue);
  }

  // ------------------------------------------------------------------------------------ subscriptions

  private newRec(
    kind: SubRec['kind'],
    name: string,
    target: Target,
    families: Set<EventFamily>,
    flags: number,
    ccflags: number,
  ): SubRec {
    return {
      key: `${kind}:${name}`,
      kind,
      name,
      target,
      families,
      flags,
      ccflags,
      subscribeId: 0,
      active: false,
      gotCalls: false,
      gotObject: false,
      waiters: [],
      failures: 0,
    };
  }

  private waitFor(rec: SubRec, pred: (r: SubRec) => boolean, ms: number): Promise<boolean> {
    if (pred(rec)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        rec.waiters = rec.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      t.unref?.();
      const waiter = {
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve(pred(rec));
        },
      };
      rec.waiters.push(waiter);
    });
  }

  private wake(rec: SubRec): void {
    const ready = rec.waiters.filter((w) => w.pred(rec));
    rec.waiters = rec.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private async subscribeLines(): Promise<void> {
    const rec = this.newRec('lines', 'lines', { type: 'system' }, new Set(), 0x03, 0);
    rec.subscribeId = this.nextSubId++;
    this.linesRec = rec;
    this.bySubId.set(rec.subscribeId, rec);
    const r = await this.client.request({
      subscribe: {
        subscribe_id: rec.subscribeId,
        timeout: this.options.subscriptionTimeoutSec,
        lines: { flags: 0x03 },
      },
    });
    if (r.result !== RESULT.SUCCESS) throw resultError(r.result, r.additional, 'Lines subscription');
    rec.active = true;
    if (!(await this.waitFor(rec, (x) => x.gotObject, this.options.requestTimeoutMs)))
      throw new Error('MTCTI-3: no Lines notify after subscribing');
    this.scheduleRefresh(rec);
  }

  async watch(specs: WatchSpec[]): Promise<void> {
    this.specs = specs.map((s) => ({ target: { ...s.target }, families: [...s.families] }));
    if (this.client.state !== 'ready') return;
    await this.serial(() => this.applyWatch());
  }

  private desired(): Map<string, Desired> {
    const out = new Map<string, Desired>();
    const o = this.options;
    const addUser = (name: string, target: Target, families: EventFamily[]) => {
      const key = `user:${name}`;
      const d = out.get(key) ?? {
        kind: 'user' as const,
        name,
        target,
        families: new Set<EventFamily>(),
        flags: o.userFlags,
        ccflags: o.userCcflags,
      };
      for (const f of families) d.families.add(f);
      out.set(key, d);
    };
    const addQueue = (name: string, target: Target, families: EventFamily[]) => {
      const key = `queue:${name}`;
      const d = out.get(key) ?? {
        kind: 'queue' as const,
        name,
        target,
        families: new Set<EventFamily>(),
        flags: 0x02,
        ccflags: 0,
      };
      for (const f of families) d.families.add(f);
      if (d.families.has('queue')) {
        d.ccflags = o.queueCcflags;
        d.target = target;
      }
      out.set(key, d);
    };
    let agents = false;
    for (const spec of this.specs) {
      const t = spec.target;
      if (t.type === 'user') {
        const names = t.id ? [this.resolveUser(t.id)?.name ?? t.id] : [...this.users.keys()];
        for (const n of names) addUser(n, t.id ? t : { type: 'user', id: n }, spec.families);
        if (spec.families.includes('agent')) agents = true;
      } else if (t.type === 'queue') {
        const names = t.id ? [this.resolveQueue(t.id)?.name ?? t.id] : [...this.queues.keys()];
        for (const n of names) addQueue(n, t.id ? t : { type: 'queue', id: n }, spec.families);
      } else {
        this.logger.warn(`avaya-mtcti3: ${t.type} targets are not supported (only user and queue)`, {
          target: t,
        });
      }
    }
    for (const name of this.pinned)
      if (!out.has(`user:${name}`)) addUser(name, { type: 'user', id: name }, []);
    if (agents) for (const q of this.queues.keys()) addQueue(q, { type: 'queue', id: q }, []);
    return out;
  }

  private async applyWatch(): Promise<void> {
    const want = this.desired();
    for (const [key, rec] of [...this.subs]) {
      const w = want.get(key);
      if (w && w.ccflags === rec.ccflags && w.flags === rec.flags) continue;
      this.subs.delete(key);
      await this.endSub(rec);
      if (rec.kind === 'user' && !w) this.mapper.forgetUser(rec.name);
      if (rec.kind === 'queue') this.mapper.forgetQueue(rec.name);
    }
    const adds: Promise<void>[] = [];
    for (const [key, w] of want) {
      const rec = this.subs.get(key);
      if (rec) {
        rec.families = w.families;
        rec.target = w.target;
        if (!rec.active) adds.push(this.addSub(rec));
        continue;
      }
      const fresh = this.newRec(w.kind, w.name, w.target, w.families, w.flags, w.ccflags);
      this.subs.set(key, fresh);
      adds.push(this.addSub(fresh));
    }
    await Promise.all(adds);
    this.emitAgentStates();
  }

  private async endSub(rec: SubRec): Promise<void> {
    const id = rec.subscribeId;
    const wasActive = rec.active;
    this.forget(rec);
    if (!wasActive || this.client.state !== 'ready') return;
    try {
      await this.client.request({ subscribeend: { subscribe_id: id, reason: 'no longer watched' } });
    } catch (err) {
      this.logger.warn('avaya-mtcti3 SubscribeEnd failed', { id, error: (err as Error).message });
    }
  }

  private async addSub(rec: SubRec): Promise<void> {
    const entry = rec.kind === 'user' ? this.users.get(rec.name) : this.queues.get(rec.name);
    if (!entry) {
      this.logger.warn('avaya-mtcti3: target not in the Lines directory', { key: rec.key });
      this.emit({
        type: 'subscription.terminated',
        target: rec.target,
        data: {
          reason: `${rec.name} is not a known IP Office ${rec.kind === 'user' ? 'user' : 'hunt group'}`,
        },
        vendor: { name: VENDOR, event: 'NotifyLines' },
      });
      this.subs.delete(rec.key);
      return;
    }
    rec.subscribeId = this.nextSubId++;
    rec.gotCalls = false;
    rec.gotObject = false;
    this.bySubId.set(rec.subscribeId, rec); // notifies follow the response at once
    const payload =
      rec.kind === 'user'
        ? { user: { guid: entry.guid, flags: rec.flags, ccflags: rec.ccflags } }
        : { queue: { guid: entry.guid, flags: rec.flags, ccflags: rec.ccflags } };
    let r: Reply;
    try {
      r = await this.client.request({
        subscribe: {
          subscribe_id: rec.subscribeId,
          timeout: this.options.subscriptionTimeoutSec,
          ...payload,
        },
      });
    } catch (err) {
      this.bySubId.delete(rec.subscribeId);
      this.logger.warn('avaya-mtcti3 subscribe failed', { key: rec.key, error: (err as Error).message });
      return;
    }
    if (r.result !== RESULT.SUCCESS) {
      this.bySubId.delete(rec.subscribeId);
      rec.failures++;
      const why = `${r.result} ${resultName(r.result)}${r.additional ? ` ${r.additional}` : ''}`;
      this.logger.warn('avaya-mtcti3 subscription refused', { key: rec.key, why });
      this.emit({
        type: 'subscription.terminated',
        target: rec.target,
        data: { reason: `${rec.kind} subscription refused: ${why}` },
        vendor: { name: VENDOR, event: 'RequestResponse' },
      });
      return;
    }
    rec.active = true;
    rec.failures = 0;
    this.scheduleRefresh(rec);
  }

  private scheduleRefresh(rec: SubRec): void {
    const t = this.options.subscriptionTimeoutSec;
    if (!t) return;
    if (rec.refreshTimer) clearTimeout(rec.refreshTimer);
    rec.refreshTimer = setTimeout(
      () => void this.serial(() => this.refresh(rec)),
      Math.max(500, t * 1000 * this.options.refreshRatio),
    );
    rec.refreshTimer.unref?.();
  }

  /** Refresh: the same subscribe_id with only a new timeout. */
  private async refresh(rec: SubRec): Promise<void> {
    if (!rec.active || this.client.state !== 'ready') return;
    try {
      const r = await this.client.request({
        subscribe: { subscribe_id: rec.subscribeId, timeout: this.options.subscriptionTimeoutSec },
      });
      if (r.result === RESULT.SUCCESS) return this.scheduleRefresh(rec);
      this.logger.warn('avaya-mtcti3 refresh refused; subscribing again', { key: rec.key, result: r.result });
    } catch (err) {
      this.logger.warn('avaya-mtcti3 refresh failed', { key: rec.key, error: (err as Error).message });
      if (this.client.state === 'ready') this.scheduleRefresh(rec);
      return;
    }
    this.forget(rec);
    if (rec === this.linesRec)
      await this.subscribeLines().catch((err: Error) =>
        this.client.fail(`Lines subscription lost: ${err.message}`),
      );
    else if (this.subs.get(rec.key) === rec) await this.addSub(rec);
  }

  private onTerminated(id: number, reason: string | undefined): void {
    const rec = this.bySubId.get(id);
    if (!rec) return;
    this.forget(rec);
    if (rec === this.linesRec) {
      void this.serial(() => this.subscribeLines()).catch((err: Error) =>
        this.client.fail(`Lines subscription lost: ${err.message}`),
      );
      return;
    }
    this.emit({
      type: 'subscription.terminated',
      target: rec.target,
      data: { subscription: String(id), ...(reason ? { reason } : { reason: 'SubscribeTerminated' }) },
      vendor: { name: VENDOR, event: 'SubscribeTerminated' },
    });
    if (this.subs.get(rec.key) === rec && rec.failures < 3) {
      rec.failures++;
      this.later(1000 * rec.failures, () => {
        if (this.subs.get(rec.key) === rec && !rec.active && this.client.state === 'ready')
          void this.serial(() => this.addSub(rec));
      });
    }
  }

  // ------------------------------------------------------------------------------------ notifies

  private userCtx(rec: SubRec): UserContext {
    const extension = this.users.get(rec.name)?.extn;
    return {
      user: rec.name,
      target: rec.target,
      families: rec.families,
      ...(extension ? { extension } : {}),
    };
  }

  private onNotify(n: Notify): void {
    const rec = this.bySubId.get(n.subscribe_id ?? 0);
    if (!rec) return; // unknown subscribe_id: ignored (the document's rule)
    if (rec.kind === 'lines') {
      if (!n.lines) return;
      this.applyLines(n.lines);
      rec.gotObject = true;
    } else if (rec.kind === 'user') {
      if (n.user) {
        this.emitAll(this.mapper.userObject(this.userCtx(rec), n.user));
        rec.gotObject = true;
      } else if (n.callcontrol) {
        const full = !rec.gotCalls;
        rec.gotCalls = true;
        this.settleDials(n.callcontrol);
        this.emitAll(this.mapper.userCalls(this.userCtx(rec), n.callcontrol, full));
      }
    } else if (rec.kind === 'queue') {
      if (n.queue) {
        this.mapper.queueObject(rec.name, n.queue);
        rec.gotObject = true;
        this.emitAgentStates();
      } else if (n.callcontrol) {
        rec.gotCalls = true;
        const ctx: QueueContext = { queue: rec.name, target: rec.target, families: rec.families };
        this.emitAll(this.mapper.queueCallControl(ctx, n.callcontrol));
      }
    }
    this.wake(rec);
  }

  private emitAgentStates(): void {
    for (const rec of this.subs.values()) {
      if (rec.kind !== 'user' || !rec.families.has('agent')) continue;
      this.emitAll(this.mapper.agentEvents(this.userCtx(rec)));
    }
  }

  private settleDials(cc: NonNullable<Notify['callcontrol']>): void {
    for (const info of cc.callinfo ?? []) {
      const d = info.referencecallid ? this.dials.get(info.referencecallid) : undefined;
      if (!d || info.callid === undefined) continue;
      this.dials.delete(info.referencecallid!);
      d.resolve({
        callId: String(info.callid),
        correlationId: gcidHex(info.gcid) ?? `${d.user}:${info.callid}`,
      });
    }
    for (const lost of cc.calllost ?? []) {
      const d = lost.referencecallid ? this.dials.get(lost.referencecallid) : undefined;
      if (!d) continue;
      this.dials.delete(lost.referencecallid!);
      d.reject(
        new VendorError(
          409,
          `MTCTI-3 MakeCall failed at once${lost.description ? `: ${lost.description}` : ''}`,
          {
            name: VENDOR,
            code: String(lost.reason ?? ''),
            ...(lost.description ? { text: lost.description } : {}),
          },
        ),
      );
    }
  }

  // ------------------------------------------------------------------------------------ resync

  async resync(): Promise<void> {
    if (this.client.state !== 'ready') throw new LinkUnavailableError();
    const recs = [...this.subs.values()].filter((r) => r.active && r.ccflags);
    await Promise.all(
      recs.map(async (rec) => {
        const ok = await this.waitFor(rec, (r) => r.gotCalls || !r.active, this.options.resyncWaitMs);
        if (ok || !rec.active || rec.kind !== 'user') return;
        // no snapshot at all: the user has no calls
        rec.gotCalls = true;
        this.emitAll(this.mapper.userCalls(this.userCtx(rec), {}, true));
      }),
    );
  }

  // ------------------------------------------------------------------------------------ commands

  async execute<K extends CommandKind>(
    command: Extract<CallCommand, { kind: K }>,
  ): Promise<CommandResult<K>> {
    return (await this.run(command as CallCommand)) as CommandResult<K>;
  }

  private requireReady(): void {
    if (this.client.state !== 'ready')
      throw new LinkUnavailableError(`avaya-mtcti3 link is ${this.client.state}`);
  }

  /** The user's subscription (opened on demand for users nobody watches), with its first snapshots in. */
  private async userSub(id: string): Promise<SubRec> {
    this.requireReady();
    const entry = this.resolveUser(id);
    if (!entry)
      throw new VendorError(404, `MTCTI-3: no IP Office user ${id}`, {
        name: VENDOR,
        code: String(RESULT.USERNOTFOUND),
        text: 'USERNOTFOUND',
      });
    let rec = this.subs.get(`user:${entry.name}`);
    if (!rec || !rec.active) {
      this.pinned.add(entry.name);
      await this.serial(() => this.applyWatch());
      rec = this.subs.get(`user:${entry.name}`);
    }
    if (!rec || !rec.active)
      throw new VendorError(502, `MTCTI-3: cannot subscribe to user ${entry.name}`, { name: VENDOR });
    await this.waitFor(rec, (r) => (r.gotObject && r.gotCalls) || !r.active, this.options.requestTimeoutMs);
    return rec;
  }

  private async cmd(
    rec: SubRec,
    body: Omit<SubscribeCmd, 'subscribe_id' | 'requestid'>,
    what: string,
  ): Promise<void> {
    const r = await this.client.request({ subscribecmd: { subscribe_id: rec.subscribeId, ...body } });
    if (r.result !== RESULT.SUCCESS) throw resultError(r.result, r.additional, what);
  }

  /** A call function on a call, gated on its featuresavailable as the document asks. */
  private async callFunction(user: string, callId: string, fn: CallFunction, what: string): Promise<void> {
    const rec = await this.userSub(user);
    const c = this.mapper.call(rec.name, callId);
    if (!c)
      throw new VendorError(404, `MTCTI-3: call ${callId} not found for ${rec.name}`, {
        name: VENDOR,
        code: String(RESULT.CALLCONTROL_CALLNOTFOUND),
        text: 'CALLCONTROL_CALLNOTFOUND',
      });
    if (!hasFeature(c.featuresavailable, fn.action!)) {
      throw new VendorError(
        409,
        `MTCTI-3: ${fn.action} is not available on call ${callId} in state ${c.state}`,
        {
          name: VENDOR,
          code: String(RESULT.CALLCONTROL_INVALIDCALLSTATE),
          text: `CALLCONTROL_INVALIDCALLSTATE (featuresavailable 0x${c.featuresavailable.toString(16)})`,
        },
      );
    }
    await this.cmd(rec, { callcontrol: { callid: Number(callId), callfunction: fn } }, what);
  }

  private async run(cmd: CallCommand): Promise<unknown> {
    switch (cmd.kind) {
      case 'listUsers': {
        if (!this.users.size && this.options.users)
          return { users: this.options.users.map((u) => ({ ...u })) };
        this.requireReady();
        const users: DirectoryUser[] = [...this.users.values()].map((u) => {
          const full = this.mapper.user(u.name)?.fullname;
          return { id: u.name, extension: u.extn, ...(full ? { name: full } : {}) };
        });
        return { users };
      }
      case 'listCalls': {
        const rec = await this.userSub(cmd.user);
        return { calls: this.mapper.callsOf(rec.name) };
      }
      case 'getCall': {
        const rec = await this.userSub(cmd.user);
        const c = this.mapper.call(rec.name, cmd.call);
        if (!c)
          throw new VendorError(404, `MTCTI-3: call ${cmd.call} not found for ${rec.name}`, {
            name: VENDOR,
            code: String(RESULT.CALLCONTROL_CALLNOTFOUND),
          });
        return { call: c.call };
      }
      case 'dial':
        return this.dial(cmd.user, cmd.to);
      case 'answer':
        await this.callFunction(cmd.user, cmd.call, { action: 'AnswerCall' }, 'AnswerCall');
        return {};
      case 'hold':
        await this.callFunction(cmd.user, cmd.call, { action: 'HoldCall' }, 'HoldCall');
        return {};
      case 'retrieve':
        await this.callFunction(cmd.user, cmd.call, { action: 'UnHoldCall' }, 'UnHoldCall');
        return {};
      case 'release':
        await this.callFunction(cmd.user, cmd.call, { action: 'DropCall' }, 'DropCall');
        return {};
      case 'dtmf':
        if (!/^[0-9*#]{1,32}$/.test(cmd.digits)) {
          throw new VendorError(400, 'MTCTI-3 GenerateDigits takes 1 to 32 of 0-9 * #', {
            name: VENDOR,
            code: String(RESULT.CALLCONTROL_BADFORMATTING),
            text: 'CALLCONTROL_BADFORMATTING',
          });
        }
        await this.callFunction(
          cmd.user,
          cmd.call,
          { action: 'GenerateDigits', arg1: cmd.digits },
          'GenerateDigits',
        );
        return {};
      case 'blindTransfer': {
        const rec = await this.userSub(cmd.user);
        const c = this.mapper.call(rec.name, cmd.call);
        // a ringing call is redirected (deflected), an answered one transferred
        const action =
          c && c.state === 'RINGING' && !hasFeature(c.featuresavailable, 'BlindTransfer')
            ? 'Redirect'
            : 'BlindTransfer';
        this.mapper.expectTransfer(rec.name, cmd.call, 'blind', cmd.to);
        try {
          await this.callFunction(cmd.user, cmd.call, { action, arg1: cmd.to }, action);
        } catch (err) {
          this.mapper.cancelTransfer(rec.name, cmd.call);
          throw err;
        }
        return {};
      }
      case 'consultTransfer': {
        const rec = await this.userSub(cmd.user);
        this.mapper.expectTransfer(rec.name, cmd.call, 'consult');
        this.mapper.expectTransfer(rec.name, cmd.withCall, 'consult');
        try {
          await this.callFunction(
            cmd.user,
            cmd.call,
            { action: 'CompleteTransfer', callinst: [{ callid: Number(cmd.withCall) }] },
            'CompleteTransfer',
          );
        } catch (err) {
          this.mapper.cancelTransfer(rec.name, cmd.call);
          this.mapper.cancelTransfer(rec.name, cmd.withCall);
          throw err;
        }
        return {};
      }
      case 'conference':
        await this.callFunction(
          cmd.user,
          cmd.call,
          { action: 'CompleteConf', callinst: [{ callid: Number(cmd.withCall) }] },
          'CompleteConf',
        );
        return {};
      case 'getAgentState': {
        const ext = await this.agentExtension(cmd.agent);
        const state = this.mapper.agentState(ext);
        if (!state)
          throw new VendorError(404, `MTCTI-3: ${cmd.agent} is not a member of any hunt group`, {
            name: VENDOR,
            code: String(RESULT.NOTFOUND),
          });
        return { state };
      }
      case 'setAgentState':
        return this.setAgentState(cmd.agent, cmd.state);
      case 'getDnd': {
        const rec = await this.userSub(cmd.user);
        return { enabled: !!this.mapper.user(rec.name)?.dnd };
      }
      case 'setDnd': {
        const rec = await this.userSub(cmd.user);
        await this.cmd(rec, { user: { sac: { set: cmd.enabled ? 1 : 0 } } }, 'UpdateUser sac');
        await this.waitFor(
          rec,
          () => !!this.mapper.user(rec.name)?.dnd === cmd.enabled,
          this.options.requestTimeoutMs,
        );
        return { enabled: cmd.enabled };
      }
      case 'getForwarding': {
        const rec = await this.userSub(cmd.user);
        const u = this.mapper.user(rec.name) ?? {};
        const [enabled, to] =
          cmd.type === 'always'
            ? [u.fwdu, u.fwdunumber]
            : cmd.type === 'busy'
              ? [u.fwdb, u.fwdbnumber]
              : [u.fwdna, u.fwdbnumber];
        return { enabled: !!enabled, ...(to ? { to } : {}) };
      }
      case 'setForwarding':
        return this.setForwarding(cmd.user, cmd.type, cmd.enabled, cmd.to);
      case 'raw':
        return this.raw(cmd.request);
      default:
        throw new NotSupportedError(VENDOR, (cmd as { kind: string }).kind);
    }
  }

  private async dial(user: string, to: string): Promise<{ callId: string; correlationId: string }> {
    const rec = await this.userSub(user);
    const ref = this.nextRef;
    this.nextRef = this.nextRef >= 0x7fffffff ? 1 : this.nextRef + 1;
    const result = new Promise<{ callId: string; correlationId: string }>((resolve, reject) => {
      const t = setTimeout(() => {
        this.dials.delete(ref);
        reject(
          new VendorError(
            504,
            `MTCTI-3: no call appeared for MakeCall (referencecallid ${ref}) within ${this.options.dialTimeoutMs} ms`,
            { name: VENDOR },
          ),
        );
      }, this.options.dialTimeoutMs);
      t.unref?.();
      this.dials.set(ref, {
        user: rec.name,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
    result.catch(() => undefined);
    try {
      await this.cmd(rec, { callcontrol: { referencecallid: ref, makecall: { target: to } } }, 'MakeCall');
    } catch (err) {
      this.dials.get(ref)?.reject(err as Error);
      this.dials.delete(ref);
      throw err;
    }
    return result;
  }

  /** Queue subscriptions with the member lists (opened on demand), then the agent's extension. */
  private async agentExtension(agent: string): Promise<string> {
    this.requireReady();
    const u = this.resolveUser(agent);
    if (!u)
      throw new VendorError(404, `MTCTI-3: no IP Office user ${agent}`, {
        name: VENDOR,
        code: String(RESULT.USERNOTFOUND),
      });
    const missing = [...this.queues.keys()].filter((q) => !this.subs.get(`queue:${q}`)?.active);
    if (missing.length) {
      this.specs.push({ target: { type: 'queue' }, families: [] });
      await this.serial(() => this.applyWatch());
    }
    await Promise.all(
      [...this.queues.keys()].map((q) => {
        const rec = this.subs.get(`queue:${q}`);
        return rec
          ? this.waitFor(rec, (r) => r.gotObject || !r.active, this.options.requestTimeoutMs)
          : Promise.resolve(true);
      }),
    );
    return u.extn;
  }

  /** Agent state = hunt group membership: available enables it, sign-out disables it. */
  private async setAgentState(agent: string, state: string): Promise<{ state: string }> {
    let disabled: boolean;
    if (state === 'available' || state === 'sign-in') disabled = false;
    else if (state === 'sign-out') disabled = true;
    else throw new NotSupportedError(VENDOR, `setAgentState ${state}`);
    const ext = await this.agentExtension(agent);
    const queues = this.mapper.queuesOf(ext);
    if (!queues.length)
      throw new VendorError(404, `MTCTI-3: ${agent} is not a member of any hunt group`, {
        name: VENDOR,
        code: String(RESULT.NOTFOUND),
      });
    for (const q of queues) {
      const rec = this.subs.get(`queue:${q}`);
      if (!rec?.active) continue;
      await this.cmd(rec, { queue: { addmember: [{ extn: ext, disabled }] } }, 'UpdateQueue addmember');
    }
    const want = disabled ? 'sign-out' : 'available';
    const recs = queues.map((q) => this.subs.get(`queue:${q}`)).filter((r): r is SubRec => !!r);
    await Promise.all(
      recs.map((r) =>
        this.waitFor(r, () => this.mapper.agentState(ext) === want, this.options.requestTimeoutMs),
      ),
    );
    return { state: want };
  }

  private async setForwarding(
    user: string,
    type: 'always' | 'busy' | 'no-answer',
    enabled: boolean,
    to: string | undefined,
  ): Promise<{ enabled: boolean; to?: string }> {
    const rec = await this.userSub(user);
    const current = this.mapper.user(rec.name) ?? {};
    if (type === 'always') {
      if (enabled && !to && !current.fwdunumber)
        throw new VendorError(400, 'MTCTI-3: a forward-to number is required', {
          name: VENDOR,
          code: String(RESULT.CALLCONTROL_BADFORMATTING),
        });
      await this.cmd(
        rec,
        { user: { fwdu: { set: enabled, ...(to ? { fwdu_number: to } : {}) } } },
        'UpdateUser fwdu',
      );
      await this.waitFor(
        rec,
        () => !!this.mapper.user(rec.name)?.fwdu === enabled,
        this.options.requestTimeoutMs,
      );
    } else {
      // busy / no answer through short codes; both use the forward-on-busy number (short code 114)
      if (enabled && !to && !current.fwdbnumber)
        throw new VendorError(400, 'MTCTI-3: a forward-to number is required', {
          name: VENDOR,
          code: String(RESULT.CALLCONTROL_BADFORMATTING),
        });
      const on = type === 'busy' ? 2 : 4;
      const shortcodedata = [
        ...(to ? [{ code: 114, val: to }] : []),
        { code: enabled ? on : on + 1, val: '' },
      ];
      await this.cmd(rec, { user: { shortcodedata } }, 'UpdateUser shortcode');
      await this.waitFor(
        rec,
        () =>
          !!(type === 'busy' ? this.mapper.user(rec.name)?.fwdb : this.mapper.user(rec.name)?.fwdna) ===
          enabled,
        this.options.requestTimeoutMs,
      );
    }
    const u = this.mapper.user(rec.name) ?? {};
    const number = type === 'always' ? u.fwdunumber : u.fwdbnumber;
    return { enabled, ...((number ?? to) ? { to: number ?? to } : {}) };
  }

  /** One Message in protobuf JSON form; the answer (RequestResponse or GeneralData) back as JSON. */
  private async raw(request: unknown): Promise<{ status: number; body: unknown }> {
    this.requireReady();
    let m: Message;
    try {
      m = messageFromJson(request);
    } catch (err) {
      throw new VendorError(400, `invalid raw MTCTI-3 Message: ${(err as Error).message}`, { name: VENDOR });
    }
    const kind = kindOf(m)!;
    if (kind === 'generalcmd' || kind === 'subscribe' || kind === 'subscribecmd' || kind === 'subscribeend') {
      const original = (m[kind] as { requestid?: number }).requestid;
      const reply = await this.client.request(m);
      const json = messageToJson(reply.message);
      // show the caller its own requestid back
      const r = (json.response ?? json.generaldata) as Record<string, unknown> | undefined;
      if (r && original !== undefined) {
        if ('requestid' in r || json.response) r.requestid = original;
        if (json.generaldata) r.responseid = original;
      }
      return {
        status: 200,
        body: {
          result: reply.result,
          ...(json.response ? { resultName: resultName(reply.result) } : {}),
          message: json,
        },
      };
    }
    if (kind === 'notifyack') {
      this.client.send(m);
      return { status: 202, body: {} };
    }
    throw new VendorError(400, `a raw ${kind} is sent by IP Office, not by the bridge`, { name: VENDOR });
  }
}

export const createAvayaMtcti3Driver = (context: DriverContext): Driver => new AvayaMtcti3Driver(context);
