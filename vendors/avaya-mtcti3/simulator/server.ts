/**
 * Avaya IP Office MTCTI-3 front-end: the IP Office side of the protobuf-over-websocket CTI interface.
 * Websocket service `/tpkt/openapi` (4-octet framing) and `/tpkt/openapinoframing`, subprotocol
 * `openapi`, HTTP Basic service-user authentication in the upgrade, optional TLS. Subscriptions (Lines,
 * User with call control, Queue, Presence, ParkServer, RefreshWrapper) with requestid / subscribe_id /
 * notify_id, ack gating, timeouts and refresh; call control through SubscribeCmd. Every call Notify is a
 * full snapshot of the calls that changed. Decisions are in docs/protocols/avaya-mtcti3.md.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { PbxCore } from '../../../simulator/core/index.js';
import {
  PbxError,
  type CoreEvent,
  type LegSnapshot,
  type PartyInfo as CoreParty,
} from '../../../simulator/core/types.js';
import type { SimFrontEnd } from '../../../simulator/frontends/types.js';
import {
  MTCTI3_PATH_FRAMED,
  MTCTI3_PATH_UNFRAMED,
  MTCTI3_SUBPROTOCOL,
  RESULT,
  decodeMessage,
  encodeMessage,
  frame,
  guidHex,
  hasFeature,
  kindOf,
  unframe,
  type CallInfo,
  type CallLost,
  type Message,
  type Notify,
  type NotifyPresententity,
  type Subscribe,
  type SubscribeCmd,
  type UpdateCallControl,
  type UpdateQueue,
  type UpdateUser,
} from '../wire/codec.js';
import {
  LIVE,
  fingerprint,
  guidOf,
  ipoName,
  memberDisabled,
  notifyQueue,
  notifyUser,
  phoneState,
  queueCallInfo,
  userCallInfo,
  type LegContext,
  type UserExtras,
} from './model.js';

export interface AvayaMtcti3Options {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Serve wss:// (HTTPS) instead of ws://. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Accepted service users. Default: bridge / bridge-secret. */
  credentials?: { username: string; password: string }[];
  /** Simultaneous connections (the document: 10 per IP Office). */
  maxConnections?: number;
  /** GeneralData.versioninfo. */
  versionInfo?: string;
  /** Length of one "second" of subscription timeout, for tests. Default 1000. */
  timeoutUnitMs?: number;
  log?: (line: string) => void;
}

type SubKind = 'lines' | 'user' | 'queue' | 'presence' | 'parkserver' | 'refreshwrapper';

interface PresenceEntry {
  presentity: string;
  lref: number;
  last?: string;
}

interface Sub {
  id: number;
  kind: SubKind;
  timeoutSec: number;
  timer?: NodeJS.Timeout;
  nextNotifyId: number;
  awaiting?: number;
  flags: number;
  ccflags: number;
  userId?: string;
  queueId?: string;
  lastObject?: string;
  /** legId → last CallInfo sent (fingerprint). */
  calls: Map<string, string>;
  /** Queue subscription: caller legs answered by an agent, with the agent. */
  answered: Map<string, CoreParty>;
  presence: PresenceEntry[];
  refresh: number;
}

const TOO_LONG = 78;

function pbxResult(err: unknown, fallback: number = RESULT.REQUESTFAILED): number {
  if (!(err instanceof PbxError)) return RESULT.REQUESTFAILED;
  switch (err.code) {
    case 'CALL_NOT_FOUND':
      return RESULT.CALLCONTROL_CALLNOTFOUND;
    case 'INVALID_STATE':
    case 'BOTH_ALERTING':
      return RESULT.CALLCONTROL_INVALIDCALLSTATE;
    case 'NO_REMOTE':
      return RESULT.CALLCONTROL_CANTBEDONE;
    case 'INVALID_DTMF':
    case 'INVALID_ARGUMENT':
      return RESULT.CALLCONTROL_BADFORMATTING;
    case 'USER_NOT_FOUND':
      return RESULT.USERNOTFOUND;
    case 'INVALID_ADDRESS':
      return fallback === RESULT.REQUESTFAILED ? RESULT.CALLCONTROL_TARGETNOTFOUND : fallback;
    default:
      return fallback;
  }
}

class Session {
  readonly subs = new Map<number, Sub>();
  readonly refs = new Map<string, number>();
  readonly related = new Map<string, string>();
  readonly pending = new Map<string, 'transfer' | 'conf'>();
  /** Notifies in the order they happened, across subscriptions; a sub awaiting a NotifyAck holds only its own. */
  private outbox: { sub: Sub; payload: Partial<Notify>; numbered: boolean }[] = [];
  private corked = false;
  closed = false;

  constructor(
    readonly id: number,
    private readonly fe: AvayaMtcti3FrontEnd,
    private readonly ws: WebSocket,
    readonly framed: boolean,
    readonly user: string,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  private get core(): PbxCore {
    return this.fe.core;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs.values()) if (s.timer) clearTimeout(s.timer);
    this.subs.clear();
    this.fe.sessionClosed(this);
  }

  /** Sends bytes as they are, bypassing the encoder (fault injection: garbage to the client). */
  sendRaw(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  terminate(): void {
    this.ws.terminate();
    this.dispose();
  }

  // ------------------------------------------------------------------------------------ transport

  send(m: Message): void {
    if (this.closed) return;
    const payload = encodeMessage(m);
    this.ws.send(this.framed ? frame(payload) : Buffer.from(payload), { binary: true });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.fe.log(`session ${this.id}: text frame ignored`);
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const payload = this.framed ? unframe(buf) : buf;
    if (!payload) {
      this.fe.log(`session ${this.id}: bad framing (${buf.length} bytes), dropped`);
      return;
    }
    let m: Message;
    try {
      m = decodeMessage(payload);
    } catch (err) {
      this.fe.log(`session ${this.id}: undecodable message dropped: ${(err as Error).message}`);
      return;
    }
    this.corked = true;
    let response: { requestid: number; result: number; additional?: string } | undefined;
    let extra: Message | undefined;
    try {
      const r = this.dispatch(m);
      if (r && 'generaldata' in r) extra = r;
      else if (r) response = r as { requestid: number; result: number; additional?: string };
    } catch (err) {
      this.fe.log(`session ${this.id}: handler failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      this.corked = false;
    }
    if (response && response.requestid) this.send({ response });
    if (extra) this.send(extra);
    this.pump();
  }

  private dispatch(
    m: Message,
  ): { requestid: number; result: number; additional?: string } | Message | undefined {
    switch (kindOf(m)) {
      case 'subscribe':
        return this.subscribe(m.subscribe!);
      case 'subscribecmd':
        return this.subscribeCmd(m.subscribecmd!);
      case 'subscribeend': {
        const e = m.subscribeend!;
        const sub = this.subs.get(e.subscribe_id ?? 0);
        if (!sub) return { requestid: e.requestid ?? 0, result: RESULT.SUBSCRIPTION_INVALID_ID };
        this.end(sub);
        return { requestid: e.requestid ?? 0, result: RESULT.SUCCESS };
      }
      case 'notifyack': {
        const a = m.notifyack!;
        const sub = this.subs.get(a.subscribe_id ?? 0);
        if (sub && sub.awaiting !== undefined && sub.awaiting === (a.notify_id ?? 0))
          sub.awaiting = undefined;
        this.pump();
        return undefined;
      }
      case 'generalcmd': {
        const g = m.generalcmd!;
        const rid = g.requestid ?? 0;
        if (g.getversioninfo) return { generaldata: { responseid: rid, versioninfo: this.fe.versionInfo } };
        if (g.getfile) {
          const known = g.getfile.fname === 'nasystem/AccountCode';
          return {
            generaldata: {
              responseid: rid,
              getfile: {
                cmdinst: g.getfile.cmdinst ?? 0,
                fname: g.getfile.fname ?? '',
                result: known ? RESULT.SUCCESS : RESULT.NOTFOUND,
                payload: Buffer.alloc(0),
              },
            },
          };
        }
        return { requestid: rid, result: RESULT.GENCMD_INVALID_PAYLOAD };
      }
      default:
        this.fe.log(`session ${this.id}: unexpected ${kindOf(m) ?? 'empty'} message ignored`);
        return undefined;
    }
  }

  // ------------------------------------------------------------------------------ subscriptions

  private subscribe(s: Subscribe): { requestid: number; result: number; additional?: string } {
    const rid = s.requestid ?? 0;
    const id = s.subscribe_id ?? 0;
    const fail = (result: number, additional?: string) => ({
      requestid: rid,
      result,
      ...(additional ? { additional } : {}),
    });
    if (!id) return fail(RESULT.SUBSCRIPTION_INVALID, 'subscribe_id required');
    const existing = this.subs.get(id);
    const kind: SubKind | undefined = s.presence
      ? 'presence'
      : s.lines
        ? 'lines'
        : s.user
          ? 'user'
          : s.queue
            ? 'queue'
            : s.parkserver
              ? 'parkserver'
              : s.refreshwrapper
                ? 'refreshwrapper'
                : undefined;
    const timeout = s.timeout ?? 0;
    if (!kind) {
      // refresh: same subscribe_id, only a new timeout
      if (!existing) return fail(RESULT.SUBSCRIPTION_INVALID_ID);
      if (existing.kind === 'presence' && (timeout < 60 || timeout > 86_400))
        return fail(RESULT.SUBSCRIPTION_TIMEOUT_TOO_SMALL);
      this.arm(existing, timeout);
      return fail(RESULT.SUCCESS);
    }
    if (existing) return fail(RESULT.SUBSCRIPTION_INVALID, 'subscribe_id in use');
    if (timeout < 0) return fail(RESULT.SUBSCRIPTION_TIMEOUT_TOO_SMALL);
    if (
      (kind === 'lines' || kind === 'parkserver' || kind === 'refreshwrapper') &&
      [...this.subs.values()].some((x) => x.kind === kind)
    ) {
      return fail(RESULT.TOOMANY, `only one ${kind} subscription`);
    }
    const sub: Sub = {
      id,
      kind,
      timeoutSec: 0,
      nextNotifyId: 1,
      flags: 0,
      ccflags: 0,
      calls: new Map(),
      answered: new Map(),
      presence: [],
      refresh: 0,
    };
    switch (kind) {
      case 'presence': {
        if (timeout < 60 || timeout > 86_400)
          return fail(RESULT.SUBSCRIPTION_TIMEOUT_TOO_SMALL, 'presence needs a timeout of 60..86400');
        sub.flags = s.presence!.flags ?? 0;
        for (const e of s.presence!.entry ?? [])
          if (e.presentity) sub.presence.push({ presentity: e.presentity, lref: e.lref ?? 0 });
        break;
      }
      case 'lines':
        sub.flags = s.lines!.flags ?? 0;
        break;
      case 'user': {
        const userId = this.fe.userByGuid(guidHex(s.user!.guid));
        if (!userId) return fail(RESULT.USERNOTFOUND);
        sub.userId = userId;
        sub.flags = s.user!.flags ?? 0;
        sub.ccflags = s.user!.ccflags ?? 0;
        break;
      }
      case 'queue': {
        const q = s.queue!;
        const queueId =
          q.guid && q.guid.length
            ? this.fe.queueByGuid(guidHex(q.guid))
            : q.name
              ? this.fe.queueByName(q.name)
              : undefined;
        if (!queueId) return fail(RESULT.NOTFOUND, 'queue not found');
        sub.queueId = queueId;
        sub.flags = q.flags ?? 0;
        sub.ccflags = q.ccflags ?? 0;
        break;
      }
      default:
        break;
    }
    this.subs.set(id, sub);
    this.arm(sub, timeout);
    this.initial(sub);
    return fail(RESULT.SUCCESS);
  }

  private arm(sub: Sub, timeoutSec: number): void {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = undefined;
    sub.timeoutSec = timeoutSec;
    if (timeoutSec > 0) {
      sub.timer = setTimeout(() => {
        if (this.subs.get(sub.id) !== sub) return;
        this.end(sub);
        this.send({ subscribeterminated: { subscribe_id: sub.id } });
      }, timeoutSec * this.fe.timeoutUnitMs);
      sub.timer.unref?.();
    }
  }

  private end(sub: Sub): void {
    if (sub.timer) clearTimeout(sub.timer);
    this.subs.delete(sub.id);
  }

  private enqueue(sub: Sub, payload: Partial<Notify>, numbered: boolean): void {
    this.outbox.push({ sub, payload, numbered });
    this.pump();
  }

  /** Sends what may be sent, in order; nothing more goes out on a subscription until its last numbered Notify is acked. */
  private pump(): void {
    if (this.corked || this.closed) return;
    const blocked = new Set<Sub>();
    const keep: typeof this.outbox = [];
    for (const item of this.outbox) {
      const sub = item.sub;
      if (this.subs.get(sub.id) !== sub) continue; // ended meanwhile
      if (blocked.has(sub) || sub.awaiting !== undefined) {
        blocked.add(sub);
        keep.push(item);
        continue;
      }
      const notify: Notify = { subscribe_id: sub.id, ...item.payload };
      if (item.numbered) {
        notify.notify_id = sub.nextNotifyId++;
        sub.awaiting = notify.notify_id;
      }
      this.send({ notify });
    }
    this.outbox = keep;
  }

  /** The first notifies of a new subscription. */
  private initial(sub: Sub): void {
    switch (sub.kind) {
      case 'lines': {
        const lines: NonNullable<Notify['lines']> = { flags: sub.flags & 0x04 ? 1 : 0 };
        if (sub.flags & 0x01)
          lines.adduser = this.core
            .listUsers()
            .map((u) => ({ guid: guidOf(u.userId), extn: u.extension, name: ipoName(u.userId) }));
        if (sub.flags & 0x02)
          lines.addqueue = this.core
            .listQueues()
            .filter((q) => q.kind === 'queue')
            .map((q) => ({ guid: guidOf(q.id), extn: q.extension, name: ipoName(q.id) }));
        this.enqueue(sub, { lines }, true);
        break;
      }
      case 'user':
        this.userObject(sub, true);
        if (sub.ccflags) {
          const legs = this.core.listLegs({ userId: sub.userId! });
          const callinfo = legs.map((l) => this.userInfo(sub, l));
          for (const l of legs)
            sub.calls.set(l.id, fingerprint(callinfo.find((c) => c.callid === this.fe.callid(l.id))));
          this.enqueue(sub, { callcontrol: { refreshinstance: ++sub.refresh, callinfo } }, false);
        }
        break;
      case 'queue':
        this.queueObject(sub, true);
        if (sub.ccflags) {
          const q = this.core.getQueue(sub.queueId!);
          const callinfo: CallInfo[] = [];
          for (const e of q?.entries ?? []) {
            const leg = this.core.getLeg(e.callerLegId);
            if (!leg || !q) continue;
            const info = this.queueInfo(
              sub,
              leg,
              e.offeredTo ? 'RINGING' : 'QUEUEING',
              e.offeredTo ? this.core.getUser(e.offeredTo.userId) : undefined,
            );
            sub.calls.set(leg.id, fingerprint(info));
            callinfo.push(info);
          }
          this.enqueue(sub, { callcontrol: { refreshinstance: ++sub.refresh, callinfo } }, false);
        }
        break;
      case 'presence':
        this.presenceUpdate(sub, sub.presence, true);
        break;
      default:
        break;
    }
  }

  // ------------------------------------------------------------------------------ object notifies

  userObject(sub: Sub, force = false): void {
    const u = this.core.getUser(sub.userId!);
    if (!u) return;
    const n = notifyUser(u, sub.flags, this.fe.userExtras(u.userId));
    const fp = fingerprint(n);
    if (!force && fp === sub.lastObject) return;
    sub.lastObject = fp;
    this.enqueue(sub, { user: n }, true);
  }

  queueObject(sub: Sub, force = false): void {
    const q = this.core.getQueue(sub.queueId!);
    if (!q) return;
    const n = notifyQueue(this.core, q, sub.flags, this.fe.queueExtras(q.id));
    const fp = fingerprint(n);
    if (!force && fp === sub.lastObject) return;
    sub.lastObject = fp;
    this.enqueue(sub, { queue: n }, true);
  }

  private presenceEntry(sub: Sub, e: PresenceEntry): NotifyPresententity {
    const u = this.core.getUser(e.presentity);
    const out: NotifyPresententity = { presentity: e.presentity, phonestate: phoneState(this.core, u) };
    if (e.lref) out.lref = e.lref;
    if (u?.dnd) out.sac = 1;
    if (u?.forwarding.always.active) out.fwdu = true;
    const extras = u ? this.fe.userExtras(u.userId) : {};
    if (extras.absence) out.absence = { ...extras.absence };
    if (extras.app) out.app = extras.app;
    else if (!(sub.flags & 0x02)) out.app = 'Offline';
    if (sub.flags & 0x02) out.noapphandler = true;
    return out;
  }

  presenceUpdate(sub: Sub, entries: PresenceEntry[], full: boolean): void {
    const changed: NotifyPresententity[] = [];
    for (const e of entries) {
      const n = this.presenceEntry(sub, e);
      const fp = fingerprint(n);
      if (!full && fp === e.last) continue;
      e.last = fp;
      changed.push(n);
    }
    if (changed.length || full) this.enqueue(sub, { presence: { full: full ? 1 : 0, entry: changed } }, true);
  }

  // ------------------------------------------------------------------------------ call notifies

  private ctx(): LegContext {
    return this.fe.legContext(this);
  }

  private userInfo(sub: Sub, leg: LegSnapshot, override?: { state: string; failedcause?: string }): CallInfo {
    return userCallInfo(this.core, leg, this.ctx(), sub.ccflags, override);
  }

  private queueInfo(
    sub: Sub,
    leg: LegSnapshot,
    state: string,
    agent?: CoreParty | { userId: string; extension: string; name: string },
  ): CallInfo {
    const q = this.core.getQueue(sub.queueId!)!;
    const party: CoreParty | undefined = agent
      ? 'kind' in agent
        ? agent
        : { kind: 'user', id: agent.userId, name: agent.name, number: agent.extension }
      : undefined;
    return queueCallInfo(this.core, q, leg, this.ctx(), sub.ccflags, {
      state,
      ...(party ? { agent: party } : {}),
      priority: this.fe.priority(leg.id),
    });
  }

  private lost(sub: Sub, leg: LegSnapshot): CallLost {
    sub.calls.delete(leg.id);
    const l: CallLost = {
      callid: this.fe.callid(leg.id),
      reason: 16,
      description: leg.state === 'detached' ? 'Call left this party' : 'Normal call clearing',
    };
    const ref = this.refs.get(leg.id);
    if (ref) l.referencecallid = ref;
    if (leg.releasingParty === 'local' || leg.state === 'detached') l.thisenddropped = true;
    return l;
  }

  onCoreEvent(ev: CoreEvent): void {
    if (this.closed) return;
    for (const sub of [...this.subs.values()]) {
      if (this.subs.get(sub.id) !== sub) continue;
      switch (sub.kind) {
        case 'user':
          if (sub.ccflags) this.userCalls(sub, ev);
          if ((ev.type === 'user.dnd' || ev.type === 'user.forwarding') && ev.user.userId === sub.userId)
            this.userObject(sub);
          if (
            ev.type === ('user.refresh' as string) &&
            (ev as unknown as { userId: string }).userId === sub.userId
          )
            this.userObject(sub);
          break;
        case 'queue':
          if (sub.ccflags) this.queueCalls(sub, ev);
          if (ev.type === 'agent.state' || (ev.type as string) === 'queue.refresh') this.queueObject(sub);
          break;
        case 'presence':
          if (
            ev.type.startsWith('leg.') ||
            ev.type.startsWith('user.') ||
            ev.type === 'agent.state' ||
            (ev.type as string) === 'user.refresh'
          )
            this.presenceUpdate(sub, sub.presence, false);
          break;
        default:
          break;
      }
    }
  }

  private eventLegs(ev: CoreEvent): LegSnapshot[] {
    if ('leg' in ev) return [ev.leg];
    if ('legs' in ev) return ev.legs;
    if ('conference' in ev)
      return ev.conference.legIds.map((id) => this.core.getLeg(id)).filter((l): l is LegSnapshot => !!l);
    return [];
  }

  private userCalls(sub: Sub, ev: CoreEvent): void {
    const userId = sub.userId!;
    // every subscription sees every core event: most are about other users' legs, and end here
    const own = this.eventLegs(ev).filter((l) => l.userId === userId);
    if (!own.length) return;
    const legs: LegSnapshot[] = [];
    const add = (l: LegSnapshot | undefined) => {
      if (l && l.userId === userId && !legs.some((x) => x.id === l.id)) legs.push(l);
    };
    for (const l of own) add(l);
    // featuresavailable of a call depends on the user's other calls (CompleteTransfer, CompleteConf)
    for (const l of this.core.listLegs({ userId })) add(l);
    // a change to one leg of a conference changes the member lists of the others
    const conf = this.core.getConference(userId);
    if (conf && legs.some((l) => conf.legIds.includes(l.id)))
      for (const id of conf.legIds) add(this.core.getLeg(id));
    if (!legs.length) return;
    const batches: { callinfo: CallInfo[]; calllost: CallLost[] }[] = [];
    const batch = { callinfo: [] as CallInfo[], calllost: [] as CallLost[] };
    for (const leg of legs) {
      const known = sub.calls.has(leg.id);
      if (!LIVE.has(leg.state)) {
        if (known) batch.calllost.push(this.lost(sub, leg));
        continue;
      }
      let override: { state: string; failedcause?: string } | undefined;
      if (ev.type === 'leg.releasing' && ev.leg.id === leg.id) {
        override =
          leg.releaseCause === 'busy'
            ? { state: 'BUSY' }
            : {
                state: 'FAILED',
                failedcause: leg.releaseCause === 'user-not-found' ? 'UNALLOCATEDNUMBER' : 'UNSPECIFIED',
              };
      }
      if (!known && ev.type === 'leg.originated' && ev.leg.id === leg.id && leg.direction === 'originator') {
        // a MakeCall with a complete number: the number is collected, then dialled, then the far end rings
        for (const state of ['DIALLING', 'DIALLED'])
          batches.push({ callinfo: [this.userInfo(sub, leg, { state })], calllost: [] });
      }
      const info = this.userInfo(sub, leg, override);
      const fp = fingerprint(info);
      if (sub.calls.get(leg.id) === fp) continue;
      sub.calls.set(leg.id, fp);
      batch.callinfo.push(info);
    }
    if (batch.callinfo.length || batch.calllost.length) batches.push(batch);
    for (const b of batches) {
      const callcontrol: NonNullable<Notify['callcontrol']> = { refreshinstance: ++sub.refresh };
      if (b.callinfo.length) callcontrol.callinfo = b.callinfo;
      if (b.calllost.length) callcontrol.calllost = b.calllost;
      this.enqueue(sub, { callcontrol }, false);
    }
  }

  private queueCalls(sub: Sub, ev: CoreEvent): void {
    const qid = sub.queueId!;
    let leg: LegSnapshot | undefined;
    let state: string | undefined;
    let agent: CoreParty | undefined;
    if ('entry' in ev) {
      if (ev.entry.queueId !== qid) return;
      leg = this.core.getLeg(ev.entry.callerLegId);
      if (!leg) return;
      switch (ev.type) {
        case 'queue.added':
          state = 'QUEUEING';
          break;
        case 'queue.offered': {
          state = 'RINGING';
          const u = ev.entry.offeredTo ? this.core.getUser(ev.entry.offeredTo.userId) : undefined;
          if (u) agent = { kind: 'user', id: u.userId, name: u.name, number: u.extension };
          break;
        }
        case 'queue.answered': {
          const u = this.core.getUser(ev.agentUserId);
          agent = u ? { kind: 'user', id: u.userId, name: u.name, number: u.extension } : undefined;
          if (agent) sub.answered.set(leg.id, agent);
          state = 'CONNECTED';
          break;
        }
        case 'queue.abandoned':
          if (sub.calls.has(leg.id))
            this.enqueue(
              sub,
              { callcontrol: { refreshinstance: ++sub.refresh, calllost: [this.lost(sub, leg)] } },
              false,
            );
          return;
        case 'queue.removed':
          if (ev.reason === 'distributed' && !sub.answered.has(leg.id) && sub.calls.has(leg.id)) {
            // sent on to another destination by the application (route point style)
            this.enqueue(
              sub,
              { callcontrol: { refreshinstance: ++sub.refresh, calllost: [this.lost(sub, leg)] } },
              false,
            );
          }
          return;
        default:
          return;
      }
    } else {
      const tracked = this.eventLegs(ev).find((l) => sub.calls.has(l.id));
      if (!tracked) return;
      leg = tracked;
      if (!LIVE.has(leg.state)) {
        sub.answered.delete(leg.id);
        this.enqueue(
          sub,
          { callcontrol: { refreshinstance: ++sub.refresh, calllost: [this.lost(sub, leg)] } },
          false,
        );
        return;
      }
      const answeredBy = sub.answered.get(leg.id);
      const q = this.core.getQueue(qid);
      const entry = q?.entries.find((e) => e.callerLegId === leg!.id);
      if (answeredBy) {
        state = 'CONNECTED';
        agent = leg.state === 'active' ? leg.remote : answeredBy;
      } else if (entry?.offeredTo) {
        state = 'RINGING';
        const u = this.core.getUser(entry.offeredTo.userId);
        if (u) agent = { kind: 'user', id: u.userId, name: u.name, number: u.extension };
      } else if (entry) state = 'QUEUEING';
      else state = leg.state === 'active' ? 'CONNECTED' : 'RINGING';
    }
    const info = this.queueInfo(sub, leg, state, agent);
    const fp = fingerprint(info);
    if (sub.calls.get(leg.id) === fp) return;
    sub.calls.set(leg.id, fp);
    this.enqueue(sub, { callcontrol: { refreshinstance: ++sub.refresh, callinfo: [info] } }, false);
  }

  // ------------------------------------------------------------------------------ commands

  private subscribeCmd(c: SubscribeCmd): { requestid: number; result: number; additional?: string } {
    const rid = c.requestid ?? 0;
    const r = (result: number, additional?: string) => ({
      requestid: rid,
      result,
      ...(additional ? { additional } : {}),
    });
    const sub = this.subs.get(c.subscribe_id ?? 0);
    if (!sub) return r(RESULT.SUBSCRIPTION_INVALID_ID);
    if (c.timeout !== undefined) {
      if (sub.kind === 'presence' && (c.timeout < 60 || c.timeout > 86_400))
        return r(RESULT.SUBSCRIPTION_TIMEOUT_TOO_SMALL);
      this.arm(sub, c.timeout);
      return r(RESULT.SUCCESS);
    }
    if (c.presence) {
      if (sub.kind !== 'presence') return r(RESULT.REQUEST_INVALID_CONTEXT);
      const added: PresenceEntry[] = [];
      for (const a of c.presence.add ?? []) {
        if (!a.presentity) continue;
        const e = { presentity: a.presentity, lref: a.lref ?? 0 };
        sub.presence.push(e);
        added.push(e);
      }
      for (const rm of c.presence.remove ?? []) {
        sub.presence = sub.presence.filter(
          (e) => !((rm.lref && e.lref === rm.lref) || (rm.presentity && e.presentity === rm.presentity)),
        );
      }
      if (added.length) this.presenceUpdate(sub, added, false);
      return r(RESULT.SUCCESS);
    }
    try {
      if (c.callcontrol) {
        if ((sub.kind !== 'user' && sub.kind !== 'queue') || !sub.ccflags)
          return r(RESULT.REQUEST_INVALID_CONTEXT, 'no call control on this subscription');
        return r(
          sub.kind === 'user'
            ? this.userCallControl(sub, c.callcontrol)
            : this.queueCallControl(sub, c.callcontrol),
        );
      }
      if (c.user) {
        if (sub.kind !== 'user') return r(RESULT.REQUEST_INVALID_CONTEXT);
        return r(this.updateUser(sub, c.user));
      }
      if (c.queue) {
        if (sub.kind !== 'queue') return r(RESULT.REQUEST_INVALID_CONTEXT);
        return r(this.updateQueue(sub, c.queue));
      }
    } catch (err) {
      return r(pbxResult(err), (err as Error).message);
    }
    return r(RESULT.REQUEST_INVALID_PAYLOAD);
  }

  private legOf(sub: Sub, cc: UpdateCallControl): string | undefined {
    for (const legId of sub.calls.keys()) {
      if (cc.callid && this.fe.callid(legId) === cc.callid) return legId;
      if (!cc.callid && cc.referencecallid && this.refs.get(legId) === cc.referencecallid) return legId;
    }
    return undefined;
  }

  private otherLeg(
    sub: Sub,
    ref: { callid?: number; referencecallid?: number } | undefined,
  ): string | undefined {
    if (!ref) return undefined;
    return this.legOf(sub, {
      ...(ref.callid ? { callid: ref.callid } : {}),
      ...(ref.referencecallid ? { referencecallid: ref.referencecallid } : {}),
    });
  }

  private userCallControl(sub: Sub, cc: UpdateCallControl): number {
    const userId = sub.userId!;
    if (cc.makecall) {
      if (!cc.referencecallid || cc.callid) return RESULT.REQUEST_INVALID_PAYLOAD;
      const target = cc.makecall.target ?? '';
      if (cc.makecall.type) return RESULT.CALLCONTROL_UNSUPPORTED;
      if (!target) return RESULT.CALLCONTROL_UNSUPPORTED; // no off-hook dial tone in the simulated phones
      if (target.length > TOO_LONG) return RESULT.CALLCONTROL_BADFORMATTING;
      this.fe.originate(this, userId, { ref: cc.referencecallid }, () => this.core.dial(userId, target));
      return RESULT.SUCCESS;
    }
    if (cc.unparkcall)
      return cc.referencecallid && !cc.callid
        ? RESULT.CALLCONTROL_UNSUPPORTED
        : RESULT.REQUEST_INVALID_PAYLOAD;
    const fn = cc.callfunction;
    if (!fn || !fn.action || fn.action === 'None') return RESULT.REQUEST_INVALID_PAYLOAD;
    if (!cc.callid && !cc.referencecallid) return RESULT.REQUEST_INVALID_PAYLOAD;
    const legId = this.legOf(sub, cc);
    const leg = legId ? this.core.getLeg(legId) : undefined;
    if (!legId || !leg || !LIVE.has(leg.state))
      return fn.action === 'DropCall' ? RESULT.NOTFOUND : RESULT.CALLCONTROL_CALLNOTFOUND;
    const info = this.userInfo(sub, leg);
    if (!hasFeature(info.featuresavailable, fn.action)) return RESULT.CALLCONTROL_INVALIDCALLSTATE; // not available: ignored
    const arg = fn.arg1 ?? '';
    switch (fn.action) {
      case 'DropCall':
        this.core.release(legId);
        return RESULT.SUCCESS;
      case 'AnswerCall':
        this.core.answer(legId);
        return RESULT.SUCCESS;
      case 'HoldCall':
        this.core.hold(legId);
        return RESULT.SUCCESS;
      case 'UnHoldCall':
        this.pending.delete(legId);
        this.core.retrieve(legId);
        return RESULT.SUCCESS;
      case 'BlindTransfer':
      case 'Redirect': {
        if (!arg.length || arg.length > TOO_LONG) return RESULT.CALLCONTROL_BADFORMATTING;
        if (arg.startsWith('/')) return RESULT.CALLCONTROL_UNSUPPORTED; // /type/destination: no voicemail, paging or MeetMe here
        try {
          this.core.blindTransfer(legId, arg);
        } catch (err) {
          return pbxResult(err, RESULT.CALLCONTROL_TRANSFERFAILED);
        }
        return RESULT.SUCCESS;
      }
      case 'Park':
        if (!arg.length || arg.length > 9) return RESULT.CALLCONTROL_BADFORMATTING;
        return RESULT.CALLCONTROL_UNSUPPORTED;
      case 'SetupTransfer':
      case 'SetupConf': {
        if (arg.length > TOO_LONG) return RESULT.CALLCONTROL_BADFORMATTING;
        if (!arg) return RESULT.CALLCONTROL_UNSUPPORTED; // no dial tone in the simulated phones
        this.pending.set(legId, fn.action === 'SetupTransfer' ? 'transfer' : 'conf');
        try {
          this.fe.originate(this, userId, { related: legId }, () => this.core.dial(userId, arg));
        } catch (err) {
          this.pending.delete(legId);
          throw err;
        }
        return RESULT.SUCCESS;
      }
      case 'CompleteTransfer': {
        const other = this.otherLeg(sub, fn.callinst?.[0]) ?? this.relatedLeg(legId);
        if (!other) return RESULT.CALLCONTROL_OTHERNOTFOUND;
        try {
          this.core.consultTransfer(legId, other);
        } catch (err) {
          return pbxResult(err, RESULT.CALLCONTROL_CANTCOMPLETE);
        }
        this.pending.delete(legId);
        this.pending.delete(other);
        return RESULT.SUCCESS;
      }
      case 'CompleteConf': {
        const others = (fn.callinst ?? []).map((ci) => this.otherLeg(sub, ci));
        if (others.some((o) => !o)) return RESULT.CALLCONTROL_OTHERNOTFOUND;
        const rel = this.relatedLeg(legId);
        const legs = [legId, ...(others as string[]), ...(others.length === 0 && rel ? [rel] : [])];
        if (legs.length < 2) return RESULT.CALLCONTROL_OTHERNOTFOUND;
        try {
          const conf = this.core.getConference(userId);
          if (conf) {
            for (const l of legs) if (!conf.legIds.includes(l)) this.core.addToConference(userId, l);
          } else this.core.startConference(userId, legs);
        } catch (err) {
          return pbxResult(err, RESULT.CALLCONTROL_CANTCOMPLETE);
        }
        for (const l of legs) this.pending.delete(l);
        return RESULT.SUCCESS;
      }
      case 'MemberFunction': {
        const mf = fn.memberfunctiondata;
        if (!mf || !mf.lref) return RESULT.REQUEST_INVALID_PAYLOAD;
        const conf = this.core.getConference(userId);
        const member = conf?.legIds.find((id) => this.fe.callid(id) === mf.lref);
        if (!member) return RESULT.CALLCONTROL_OTHERNOTFOUND;
        if (mf.action !== 'DropCall') return RESULT.CALLCONTROL_UNSUPPORTED;
        this.core.release(member);
        return RESULT.SUCCESS;
      }
      case 'SetTag':
        this.fe.setTag(legId, arg);
        return RESULT.SUCCESS;
      case 'SetAccountCode':
        if (arg.length > 15) return RESULT.CALLCONTROL_BADFORMATTING;
        return arg ? RESULT.CALLCONTROL_BADACCT : RESULT.SUCCESS; // no account codes are configured
      case 'GenerateDigits':
        if (!/^[0-9*#]{1,32}$/.test(arg)) return RESULT.CALLCONTROL_BADFORMATTING;
        this.core.dtmf(legId, arg);
        return RESULT.SUCCESS;
      default:
        return RESULT.CALLCONTROL_UNSUPPORTED;
    }
  }

  /** The call joined to `legId` by SetupTransfer/SetupConf (either direction). */
  private relatedLeg(legId: string): string | undefined {
    const direct = this.related.get(legId);
    if (direct) return direct;
    for (const [k, v] of this.related) if (v === legId) return k;
    return undefined;
  }

  private queueCallControl(sub: Sub, cc: UpdateCallControl): number {
    if (cc.makecall || cc.unparkcall) return RESULT.REQUEST_INVALID_CONTEXT;
    const fn = cc.callfunction;
    if (!fn || !fn.action || fn.action === 'None') return RESULT.REQUEST_INVALID_PAYLOAD;
    const legId = this.legOf(sub, cc);
    const leg = legId ? this.core.getLeg(legId) : undefined;
    if (!legId || !leg || !LIVE.has(leg.state))
      return fn.action === 'DropCall' ? RESULT.NOTFOUND : RESULT.CALLCONTROL_CALLNOTFOUND;
    const q = this.core.getQueue(sub.queueId!)!;
    const queued = q.entries.some((e) => e.callerLegId === legId && !e.offeredTo);
    const arg = fn.arg1 ?? '';
    switch (fn.action) {
      case 'DropCall':
        this.core.release(legId);
        return RESULT.SUCCESS;
      case 'BlindTransfer':
      case 'Redirect':
        if (!arg.length || arg.length > TOO_LONG) return RESULT.CALLCONTROL_BADFORMATTING;
        if (!q.entries.some((e) => e.callerLegId === legId)) return RESULT.CALLCONTROL_INVALIDCALLSTATE;
        try {
          this.core.distribute(q.id, legId, arg);
        } catch (err) {
          return pbxResult(err, RESULT.CALLCONTROL_TRANSFERFAILED);
        }
        return RESULT.SUCCESS;
      case 'SetPriority':
        if (!/^[123]$/.test(arg)) return RESULT.CALLCONTROL_BADFORMATTING;
        if (!queued) return RESULT.CALLCONTROL_INVALIDCALLSTATE;
        this.fe.setPriority(legId, Number(arg));
        return RESULT.SUCCESS;
      case 'SetTag':
        this.fe.setTag(legId, arg);
        return RESULT.SUCCESS;
      case 'Finish':
        if (arg !== '' && arg !== '1') return RESULT.CALLCONTROL_BADFORMATTING;
        return RESULT.CALLCONTROL_UNSUPPORTED;
      default:
        return RESULT.CALLCONTROL_UNSUPPORTED;
    }
  }

  private updateUser(sub: Sub, u: UpdateUser): number {
    const userId = sub.userId!;
    const core = this.core;
    if (u.ec500 || u.loginextn) return RESULT.CALLCONTROL_UNSUPPORTED;
    if (u.sac) core.setDnd(userId, (u.sac.set ?? 0) !== 0);
    if (u.fwdu) {
      const cur = core.getUser(userId)!.forwarding.always;
      const to = u.fwdu.fwdu_number || undefined;
      if (u.fwdu.set) {
        if (!to && !cur.to) return RESULT.CALLCONTROL_BADFORMATTING;
        core.setForwarding(userId, 'always', { active: true, ...(to ? { to } : {}) });
      } else core.setForwarding(userId, 'always', { active: false, ...(to ? { to } : {}) });
    }
    for (const sc of u.shortcodedata ?? []) {
      const val = sc.val ?? '';
      switch (sc.code ?? 0) {
        case 0:
        case 1:
          core.setForwarding(userId, 'always', { active: (sc.code ?? 0) === 0 });
          break;
        case 2:
        case 3:
          core.setForwarding(userId, 'busy', { active: sc.code === 2 });
          break;
        case 4:
        case 5:
          core.setForwarding(userId, 'no-answer', { active: sc.code === 4 });
          break;
        case 6:
          core.setForwarding(userId, 'always', { to: val });
          break;
        case 7:
        case 8:
          core.setDnd(userId, sc.code === 7);
          break;
        case 114:
          // IP Office uses the forward-on-busy number for no answer too
          core.setForwarding(userId, 'busy', { to: val });
          core.setForwarding(userId, 'no-answer', { to: val });
          break;
        case 17:
        case 18:
          this.fe.userExtras(userId).voicemail = sc.code === 17;
          break;
        case 70: {
          const m = /^;(\d+),(\d+),(\d+)$/.exec(val);
          if (!m) return RESULT.CALLCONTROL_BADFORMATTING;
          this.fe.userExtras(userId).mailbox = {
            newmessages: Number(m[1]),
            oldmessages: Number(m[2]),
            savedmessages: Number(m[3]),
          };
          break;
        }
        default:
          return RESULT.CALLCONTROL_UNSUPPORTED;
      }
    }
    if (u.absence) {
      const x = this.fe.userExtras(userId);
      if (u.absence.set && u.absence.absence) x.absence = { ...u.absence.absence };
      else delete x.absence;
    }
    if (u.app && u.app.value !== undefined) this.fe.userExtras(userId).app = u.app.value.slice(0, 34);
    this.fe.refreshUser(userId);
    return RESULT.SUCCESS;
  }

  private updateQueue(sub: Sub, u: UpdateQueue): number {
    const q = this.core.getQueue(sub.queueId!)!;
    if (u.members || u.deletemember?.length) return RESULT.CALLCONTROL_UNSUPPORTED; // the simulated membership is fixed
    for (const m of u.addmember ?? []) {
      const user = m.extn ? this.core.getUser(m.extn) : undefined;
      if (!user) return RESULT.USERNOTFOUND;
      if (!q.agents.includes(user.userId)) return RESULT.CALLCONTROL_UNSUPPORTED;
      const disabled = !!m.disabled;
      if (memberDisabled(user) === disabled) continue;
      this.core.setAgentState(user.userId, disabled ? 'sign-out' : 'available');
    }
    const extras = this.fe.queueExtras(q.id);
    if (u.setservicemode) extras.servicemode = u.setservicemode.servicemode ?? 'Unset';
    if (u.setvoicemail) extras.voicemail = !!u.setvoicemail.enabled;
    this.fe.refreshQueue();
    return RESULT.SUCCESS;
  }
}

/** The MTCTI-3 front-end over one PBX core. */
export class AvayaMtcti3FrontEnd implements SimFrontEnd {
  readonly name = 'avaya-mtcti3';
  readonly timeoutUnitMs: number;
  readonly versionInfo: string;
  private readonly credentials: { username: string; password: string }[];
  private readonly maxConnections: number;
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sessions = new Set<Session>();
  private sessionCounter = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly callids = new Map<string, number>();
  private callidCounter = 0;
  private readonly gcids = new Map<string, Buffer>();
  private gcidCounter = 1000;
  private readonly firstRemotes = new Map<string, CoreParty>();
  private readonly tags = new Map<string, string>();
  private readonly priorities = new Map<string, number>();
  private readonly diverting = new Set<string>();
  private readonly extras = new Map<string, UserExtras>();
  private readonly qExtras = new Map<string, { servicemode?: string; voicemail?: boolean }>();
  private readonly guidToUser = new Map<string, string>();
  private readonly guidToQueue = new Map<string, string>();
  private origin:
    { session: Session; userId: string; ref?: number; related?: string; bound?: string } | undefined;

  constructor(
    readonly core: PbxCore,
    private readonly options: AvayaMtcti3Options = {},
  ) {
    this.timeoutUnitMs = options.timeoutUnitMs ?? 1000;
    this.versionInfo = options.versionInfo ?? 'IP Office 11.1.0.0 build 600';
    this.credentials = options.credentials ?? [{ username: 'bridge', password: 'bridge-secret' }];
    this.maxConnections = options.maxConnections ?? 10;
    // ids that do not repeat those of an earlier run (`PbxCore.idBase`)
    this.callidCounter = core.idBase;
    this.gcidCounter = 1000 + core.idBase;
    for (const u of core.listUsers()) this.guidToUser.set(guidHex(guidOf(u.userId)), u.userId);
    for (const q of core.listQueues())
      if (q.kind === 'queue') this.guidToQueue.set(guidHex(guidOf(q.id)), q.id);
  }

  log(line: string): void {
    this.options.log?.(`mtcti3: ${line}`);
  }

  async start(): Promise<{ port: number; url: string }> {
    if (this.server) throw new Error('already started');
    const wss = (this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => (protocols.has(MTCTI3_SUBPROTOCOL) ? MTCTI3_SUBPROTOCOL : false),
    }));
    wss.on('headers', (headers) => headers.push('Server: IPOffice/WebSocketServer/'));
    const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(426, { 'content-type': 'text/plain', Server: 'IPOffice/WebSocketServer/' });
      res.end('websocket upgrade required');
    };
    const server = (this.server = this.options.tls
      ? https.createServer({ cert: this.options.tls.cert, key: this.options.tls.key }, onRequest)
      : http.createServer(onRequest));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    if (!this.unsubscribe) this.unsubscribe = this.core.on((ev) => this.onCoreEvent(ev));
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as { port: number }).port;
    return { port, url: `${this.options.tls ? 'wss' : 'ws'}://${host}:${port}${MTCTI3_PATH_FRAMED}` };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const s of [...this.sessions]) s.terminate();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Open connections (for tests and the control API). */
  connectionCount(): number {
    return this.sessions.size;
  }

  /** Drop every connection without a close handshake (fault tests). */
  dropConnections(): void {
    for (const s of [...this.sessions]) s.terminate();
  }

  /**
   * Drops one connection (`subscriptions()[].session`) without a close handshake, as when its client died.
   * Its subscriptions end with it: a Notify it had not acknowledged is never sent again (L686-704).
   */
  dropConnection(session: number): boolean {
    const s = [...this.sessions].find((x) => x.id === session);
    s?.terminate();
    return !!s;
  }

  /** Sends the same raw bytes on every open connection (fault injection: vendor garbage). */
  sendRaw(bytes: Buffer): void {
    for (const s of this.sessions) s.sendRaw(bytes);
  }

  /** Subscriptions per open connection (inspection). */
  subscriptions(): {
    session: number;
    user: string;
    framed: boolean;
    subs: { id: number; kind: string; target?: string; awaitingAck?: number }[];
  }[] {
    return [...this.sessions].map((s) => ({
      session: s.id,
      user: s.user,
      framed: s.framed,
      subs: [...s.subs.values()].map((x) => ({
        id: x.id,
        kind: x.kind,
        ...((x.userId ?? x.queueId) ? { target: x.userId ?? x.queueId } : {}),
        ...(x.awaiting !== undefined ? { awaitingAck: x.awaiting } : {}),
      })),
    }));
  }

  private reject(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nServer: IPOffice/WebSocketServer/\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`,
    );
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MTCTI3_PATH_FRAMED && path !== MTCTI3_PATH_UNFRAMED)
      return this.reject(socket, 404, 'Not Found');
    const auth = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const decoded = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon > 0 ? decoded.slice(0, colon) : '';
    const pass = colon > 0 ? decoded.slice(colon + 1) : '';
    if (!this.credentials.some((c) => c.username === user && c.password === pass)) {
      this.log(`login refused for "${user}"`);
      return this.reject(socket, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="IPOffice"' });
    }
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes(MTCTI3_SUBPROTOCOL)) return this.reject(socket, 400, 'Bad Request');
    if (this.sessions.size >= this.maxConnections) return this.reject(socket, 503, 'Service Unavailable');
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const s = new Session(++this.sessionCounter, this, ws, path === MTCTI3_PATH_FRAMED, user);
      this.sessions.add(s);
      this.log(`CTI3: session=${s.id} Start (${s.framed ? 'framed' : 'no framing'})`);
    });
  }

  sessionClosed(s: Session): void {
    this.sessions.delete(s);
    if (this.origin?.session === s) this.origin = undefined;
  }

  // ------------------------------------------------------------------------------ directory

  userByGuid(hex: string): string | undefined {
    return this.guidToUser.get(hex);
  }

  queueByGuid(hex: string): string | undefined {
    return this.guidToQueue.get(hex);
  }

  queueByName(name: string): string | undefined {
    const n = name.toLowerCase();
    return this.core
      .listQueues()
      .find(
        (q) =>
          q.kind === 'queue' &&
          (ipoName(q.id).toLowerCase() === n || q.name.toLowerCase() === n || q.extension === name),
      )?.id;
  }

  userExtras(userId: string): UserExtras {
    let x = this.extras.get(userId);
    if (!x) this.extras.set(userId, (x = {}));
    return x;
  }

  queueExtras(queueId: string): { servicemode?: string; voicemail?: boolean } {
    let x = this.qExtras.get(queueId);
    if (!x) this.qExtras.set(queueId, (x = {}));
    return x;
  }

  // ------------------------------------------------------------------------------ call identity

  callid(legId: string): number {
    let n = this.callids.get(legId);
    if (n === undefined) this.callids.set(legId, (n = ++this.callidCounter));
    return n;
  }

  /** gcid: 9 bytes, the same for every leg of one call (like `01 C0 A8 2A 0B 00 00 03 EC`). */
  gcid(correlationId: string): Buffer {
    let g = this.gcids.get(correlationId);
    if (!g) {
      g = Buffer.from([0x01, 0x7f, 0x00, 0x00, 0x01, 0, 0, 0, 0]);
      g.writeUInt32BE(++this.gcidCounter, 5);
      this.gcids.set(correlationId, g);
    }
    return g;
  }

  priority(legId: string): number | undefined {
    return this.priorities.get(legId);
  }

  setPriority(legId: string, p: number): void {
    this.priorities.set(legId, p);
    this.refreshLeg(legId);
  }

  setTag(legId: string, tag: string): void {
    const t = tag.split('\u0000')[0]!.slice(0, 127);
    if (t) this.tags.set(legId, t);
    else this.tags.delete(legId);
    this.refreshLeg(legId);
  }

  legContext(session: Session): LegContext {
    return {
      callid: (id) => this.callid(id),
      gcid: (c) => this.gcid(c),
      firstRemote: (leg) => this.firstRemotes.get(leg.id) ?? leg.remote,
      tag: (id) => this.tags.get(id),
      diverting: (id) => this.diverting.has(id),
      referenceOf: (id) => session.refs.get(id),
      relatedOf: (id) => session.related.get(id),
      pendingOf: (id) => session.pending.get(id),
    };
  }

  /** Runs a dial for a session's MakeCall / SetupTransfer, binding the new leg to its referencecallid. */
  originate(
    session: Session,
    userId: string,
    bind: { ref?: number; related?: string },
    dial: () => LegSnapshot,
  ): void {
    this.origin = { session, userId, ...bind };
    try {
      dial();
    } finally {
      this.origin = undefined;
    }
  }

  private refreshLeg(legId: string): void {
    const leg = this.core.getLeg(legId);
    if (leg) this.onCoreEvent({ type: 'leg.updated', leg });
  }

  refreshUser(userId: string): void {
    this.onCoreEvent({ type: 'user.refresh', userId } as unknown as CoreEvent);
  }

  refreshQueue(): void {
    this.onCoreEvent({ type: 'queue.refresh' } as unknown as CoreEvent);
  }

  private onCoreEvent(ev: CoreEvent): void {
    if ('leg' in ev) {
      const leg = ev.leg;
      if (!this.firstRemotes.has(leg.id) && leg.remote.number)
        this.firstRemotes.set(leg.id, { ...leg.remote });
      if (ev.type === 'leg.received' && ev.serviceHandled) this.diverting.add(leg.id);
      const o = this.origin;
      if (
        o &&
        !o.bound &&
        (ev.type === 'leg.originated' || ev.type === 'leg.originating') &&
        leg.userId === o.userId
      ) {
        o.bound = leg.id;
        if (o.ref) o.session.refs.set(leg.id, o.ref);
        if (o.related) o.session.related.set(leg.id, o.related);
      }
    }
    for (const s of [...this.sessions]) {
      try {
        s.onCoreEvent(ev);
      } catch (err) {
        this.log(`core event ${ev.type} failed on session ${s.id}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    if ('leg' in ev && !LIVE.has(ev.leg.state)) this.forget(ev.leg.id);
  }

  private forget(legId: string): void {
    this.diverting.delete(legId);
    this.tags.delete(legId);
    this.priorities.delete(legId);
    for (const s of this.sessions) {
      s.pending.delete(legId);
    }
  }
}

export function createAvayaMtcti3FrontEnd(core: PbxCore, options: AvayaMtcti3Options): AvayaMtcti3FrontEnd {
  return new AvayaMtcti3FrontEnd(core, options);
}
