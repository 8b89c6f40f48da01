/**
 * BroadWorks CAP (CAP-C and CCC2) server → client documents → normalized `EventDraft`s.
 *
 * CAP reports state, not events: a callUpdate is the current snapshot of one call, a sessionUpdate the
 * user's conference, a profileUpdate the changed profile items, a queueUpdate a queue change. The mapper
 * keeps the last state of every call, conference, profile item and queue and turns each document into
 * the events of the shared reference sequences (BroadWorks CTI). The field-by-field table and every
 * decision are in docs/protocols/broadworks-cap.md, "Mapping (CAP → event model)". The state lives in
 * three books: calls and conferences (`mapper-calls.ts`), queues (`mapper-queues.ts`) and profiles
 * (`mapper-profile.ts`); this class finds whom a document is about and addresses the results.
 */
import type { Call, EventDraft, Target } from '../../../shared/events/model.js';
import type { QueuedCall } from '../../../shared/commands/contract.js';
import { draftFor, type MapContext } from '../../driver-kit/mapping.js';
import type { CallUpdate, CapMessage, CapUser, SessionUpdate, UnRegister } from '../wire/index.js';
import { CapCallBook, type Mapped } from './mapper-calls.js';
import { vendorInfo } from './mapper-codes.js';
import { CapProfileBook } from './mapper-profile.js';
import { CapQueueBook } from './mapper-queues.js';

/** Where the mapper may emit: the contexts of the targets the link watches. */
export interface CapMapTargets {
  /** The MapContext of a target the link watches, or undefined (state is still tracked, nothing emitted). */
  contextOf(target: Target): MapContext | undefined;
}

export interface CapMapperOptions {
  /** CAP-C: the dialog's user (`owner`) is whom a document is about; CCC2: the document names its user. */
  mode?: 'cap-c' | 'ccc2';
  /** The clock for times CAP does not give (release, first sight). */
  now?: () => Date;
}

const userTarget = (id: string): Target => ({ type: 'user', id });
const queueTarget = (id: string): Target => ({ type: 'queue', id });

/** Attendant Console forms name the monitored user (L1051, L1330, L1607). */
function monitoredOf(
  m: CapMessage,
): { monitoredUserId?: string; monitoredUserUid?: string; console: boolean } | undefined {
  if (m.type !== 'callUpdate' && m.type !== 'sessionUpdate' && m.type !== 'profileUpdate') return undefined;
  const console = m.user.userType?.trim() === 'AttendantConsole';
  if (m.monitoredUserId === undefined && m.monitoredUserUid === undefined && !console) return undefined;
  return { monitoredUserId: m.monitoredUserId, monitoredUserUid: m.monitoredUserUid, console };
}

/**
 * Maps the CAP documents of one link, keeping the state the mapping needs across documents.
 *
 * @example
 * const mapper = new CapMapper({ mode: 'cap-c' });
 * const targets = { contextOf: (t) => (t.id === 'alice@sim.example' ? ctx : undefined) };
 * const drafts = mapper.map(parseCapDocument(xml), targets, 'alice@sim.example');
 * // [{ type: 'call.originated', target: { type: 'user', id: 'alice@sim.example' }, data: { call }, vendor }]
 */
export class CapMapper {
  private readonly mode: 'cap-c' | 'ccc2';
  private readonly calls: CapCallBook;
  private readonly queues = new CapQueueBook();
  private readonly profiles = new CapProfileBook();
  /** Users whose registration callUpdates are still to come (sessionUpdate `numCalls`, L953). */
  private readonly pending = new Map<string, number>();
  /** Login ids by BroadWorks unique id, learnt from documents that carry both (CCC2 may name only one). */
  private readonly uids = new Map<string, string>();

  constructor(opts: CapMapperOptions = {}) {
    this.mode = opts.mode ?? 'cap-c';
    this.calls = new CapCallBook(opts.now ?? (() => new Date()));
  }

  /** One inbound server→client document. `owner`: the CAP-C user whose dialog it arrived on (undefined in CCC2, where the document names its user). Drafts in emit order. */
  map(message: CapMessage, targets: CapMapTargets, owner?: string): EventDraft[] {
    const out: EventDraft[] = [];
    const emit = (target: Target, mapped: Mapped[]) => this.emit(out, targets, target, mapped, message.type);
    switch (message.type) {
      case 'callUpdate':
        this.callUpdate(message, owner, emit);
        break;
      case 'sessionUpdate':
        this.sessionUpdate(message, owner, emit);
        break;
      case 'profileUpdate': {
        const user = this.subject(message, owner);
        if (user) emit(userTarget(user), this.profiles.update(user, message.fields));
        break;
      }
      case 'queueUpdate': {
        const queue = this.subject(message, owner);
        if (queue) emit(queueTarget(queue), this.queues.update(queue, message.updateReason, message.calls));
        break;
      }
      case 'unRegister':
        this.unRegister(message, owner);
        break;
      default:
        // registration, acknowledgements, callControlInfo, callActionResponse, queueProfileUpdate,
        // infoResponse, pings, monitoring and datagrams carry no event of the model
        break;
    }
    return out;
  }

  /** The calls of `user` as normalized Calls (listCalls/getCall). */
  callsOf(user: string): Call[] {
    return this.calls.callsOf(user);
  }

  /** After a re-login or reconnect: call.released drafts for calls of `user` not in `current` (CAP callIds). */
  releaseStale(user: string, current: ReadonlySet<string>, targets: CapMapTargets): EventDraft[] {
    const out: EventDraft[] = [];
    this.pending.delete(user);
    this.emit(out, targets, userTarget(user), this.calls.releaseStale(user, current), 'resync');
    return out;
  }

  /** The queue's calls as last reported by queueUpdate (for listQueueCalls). */
  queueCallsOf(queue: string): QueuedCall[] {
    return this.queues.callsOf(queue);
  }

  /** Forget everything about `user` (logged out; no events). */
  forget(user: string): void {
    this.calls.forget(user);
    this.queues.forget(user);
    this.profiles.forget(user);
    this.pending.delete(user);
  }

  private emit(out: EventDraft[], targets: CapMapTargets, target: Target, mapped: Mapped[], event: string) {
    if (!mapped.length) return;
    const ctx = targets.contextOf(target);
    if (!ctx) return;
    for (const m of mapped) {
      const draft = draftFor(ctx, m.type, m.data, vendorInfo(event));
      if (draft) out.push(draft);
    }
  }

  private callUpdate(m: CallUpdate, owner: string | undefined, emit: (t: Target, m: Mapped[]) => void) {
    const user = this.subject(m, owner);
    if (!user) return;
    const monitor = monitoredOf(m) !== undefined;
    for (const c of m.calls) {
      const left = monitor ? 0 : (this.pending.get(user) ?? 0);
      const snapshot = left > 0;
      if (snapshot) {
        if (left > 1) this.pending.set(user, left - 1);
        else this.pending.delete(user);
      }
      const outcome = this.calls.update(user, c, {
        snapshot,
        monitor,
        localAddress: this.profiles.localAddress(user),
      });
      const call = outcome.call;
      // a call centre's call reaching its agent is the queue's offer (CAP has no offer message)
      if (outcome.created && !snapshot && call?.state === 'alerting' && call.via?.type === 'queue') {
        const queue = call.via.id !== undefined ? this.queues.resolve(call.via.id) : undefined;
        const offered = queue ? this.queues.offer(queue, user, call) : undefined;
        if (queue && offered) emit(queueTarget(queue), [offered]);
      }
      emit(userTarget(user), outcome.events);
    }
  }

  private sessionUpdate(m: SessionUpdate, owner: string | undefined, emit: (t: Target, m: Mapped[]) => void) {
    if (monitoredOf(m)) return; // a console's view of a monitored user's hook: no event in the model
    const user = this.subject(m, owner);
    if (!user) return;
    if (m.numCalls !== undefined) {
      // the registration form (L953): N callUpdates follow, and the conference in it is state too
      if (m.numCalls > 0) this.pending.set(user, m.numCalls);
      else this.pending.delete(user);
      if (m.conference) this.calls.conference(user, m.conference, true);
      else this.calls.noConference(user);
      return;
    }
    if (m.conference) emit(userTarget(user), this.calls.conference(user, m.conference, false));
  }

  /**
   * The server ended the user's CAP session (L900-913): no document comes for it until a new login. The
   * sessions module logs in again or reports the end (the connector's `session.ended`); here only the
   * half-built state of the user is dropped. Its calls are kept for the re-login's snapshot to reconcile.
   */
  private unRegister(m: UnRegister, owner: string | undefined) {
    const who = this.subject(m, owner);
    if (who) this.pending.delete(who);
  }

  /**
   * Whom a document is about: the monitored user of an Attendant Console form; else, in CAP-C, the
   * dialog's user; in CCC2 the document's `id` (or its unique id, translated when a document carried
   * both).
   */
  private subject(m: CapMessage, owner: string | undefined): string | undefined {
    const u: CapUser | undefined = m.user;
    const id = u?.id?.trim() || undefined;
    const uid = u?.userUid?.trim() || undefined;
    const self =
      this.mode === 'cap-c'
        ? (owner ?? id ?? (uid && this.uids.get(uid)) ?? uid)
        : (id ?? (uid && this.uids.get(uid)) ?? uid ?? owner);
    if (uid && self && (owner || id)) this.uids.set(uid, self);
    const mon = monitoredOf(m);
    if (!mon) return self;
    const mid = mon.monitoredUserId?.trim() || undefined;
    const muid = mon.monitoredUserUid?.trim() || undefined;
    if (mid && muid) this.uids.set(muid, mid);
    return mid ?? (muid && this.uids.get(muid)) ?? muid ?? (mon.console ? undefined : self);
  }
}
