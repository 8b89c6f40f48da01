/**
 * Core snapshots → MTCTI-3 objects (CallInfo, NotifyUser, NotifyQueue, presence entries). Pure functions
 * over a small context the front-end supplies (call ids, gcids and per-session annotations).
 */
import { createHash } from 'node:crypto';
import type { PbxCore } from '../../../simulator/core/index.js';
import type {
  LegSnapshot,
  PartyInfo as CoreParty,
  QueueSnapshot,
  UserSnapshot,
} from '../../../simulator/core/types.js';
import {
  featureMask,
  type CallInfo,
  type ConferenceMember,
  type NotifyQueue,
  type NotifyUser,
  type PartyInfo,
} from '../wire/codec.js';

/** ccflags bits used by the simulator. */
export const CC = {
  PRIMARY: 0x01,
  TARGETS: 0x04,
  CONFERENCE: 0x08,
  DIALINFO: 0x10,
  QUEUE: 0x40,
  LANGUAGE: 0x80,
} as const;

export const LIVE = new Set(['dialing', 'alerting', 'active', 'held']);

/** Stable 16-byte GUID for a directory id. */
export function guidOf(id: string): Buffer {
  return createHash('md5').update(`ipo-guid:${id}`).digest();
}

/** The IP Office user / hunt group name of a directory id (`alice@sim.example` → `alice`). */
export function ipoName(id: string): string {
  return id.split('@')[0] ?? id;
}

export function partyOf(p: CoreParty | undefined): PartyInfo | undefined {
  if (!p || !p.number) return undefined;
  const out: PartyInfo = { number: p.number };
  if (p.name) out.name = p.name;
  if (p.kind === 'user') out.nametype = 5;
  return out;
}

/** What the front-end knows about a leg beyond the core snapshot. */
export interface LegContext {
  callid(legId: string): number;
  gcid(correlationId: string): Buffer;
  /** First remote party seen for the leg (the dialled / calling party). */
  firstRemote(leg: LegSnapshot): CoreParty;
  tag(legId: string): string | undefined;
  diverting(legId: string): boolean;
  /** Per-session annotations. */
  referenceOf(legId: string): number | undefined;
  relatedOf(legId: string): string | undefined;
  pendingOf(legId: string): 'transfer' | 'conf' | undefined;
}

export function userCallState(leg: LegSnapshot, ctx: LegContext): string {
  switch (leg.state) {
    case 'dialing':
      return 'DIALTONE';
    case 'alerting':
      if (leg.direction === 'terminator') return ctx.diverting(leg.id) ? 'RINGINGDIVERT' : 'RINGING';
      return leg.queue && !leg.peerLegId ? 'QUEUEING' : 'RINGBACK';
    case 'active':
      return 'CONNECTED';
    case 'held': {
      const p = ctx.pendingOf(leg.id);
      return p === 'transfer' ? 'ONHOLDPENDTRANSFER' : p === 'conf' ? 'ONHOLDPENDCONF' : 'ONHOLD';
    }
    default:
      return 'DISCONNECTED';
  }
}

function userFeatures(state: string, leg: LegSnapshot, otherCalls: number): number {
  const a: string[] = ['DropCall'];
  switch (state) {
    case 'DIALTONE':
      a.push('Dial');
      break;
    case 'RINGING':
      a.push('AnswerCall', 'Redirect', 'SetTag');
      break;
    case 'RINGBACK':
    case 'DIALLING':
    case 'DIALLED':
    case 'QUEUEING':
    case 'BUSY':
    case 'FAILED':
      a.push('SetTag');
      break;
    case 'CONNECTED':
      a.push('HoldCall', 'BlindTransfer', 'SetupTransfer', 'GenerateDigits', 'SetTag', 'SetAccountCode');
      if (otherCalls > 0) a.push('CompleteTransfer', 'CompleteConf');
      if (leg.conferenceId) a.push('MemberFunction');
      break;
    case 'ONHOLD':
    case 'ONHOLDPENDTRANSFER':
    case 'ONHOLDPENDCONF':
      a.push('UnHoldCall', 'BlindTransfer', 'SetTag');
      if (otherCalls > 0) a.push('CompleteTransfer', 'CompleteConf');
      if (leg.conferenceId) a.push('MemberFunction');
      break;
    default:
      break;
  }
  return featureMask(a);
}

function memberState(l: LegSnapshot | undefined): string {
  if (!l) return 'UNKNOWN';
  return l.state === 'active'
    ? 'CONNECTED'
    : l.state === 'held'
      ? 'ONHOLD'
      : l.state === 'alerting'
        ? l.direction === 'terminator'
          ? 'RINGING'
          : 'RINGBACK'
        : 'DISCONNECTED';
}

/** Conference members shown on a controller's leg: every live leg of the conference (>= 2 of them). */
export function conferenceMembers(core: PbxCore, leg: LegSnapshot, ctx: LegContext): ConferenceMember[] {
  if (!leg.userId) return [];
  const conf = core.getConference(leg.userId);
  if (!conf || !conf.legIds.includes(leg.id)) return [];
  const live = conf.legIds
    .map((id) => (id === leg.id ? leg : core.getLeg(id)))
    .filter((l): l is LegSnapshot => !!l && LIVE.has(l.state));
  if (live.length < 2 || !live.some((l) => l.id === leg.id)) return [];
  return live.map((m) => {
    const far = m.peerLegId ? core.getLeg(m.peerLegId) : undefined;
    const member: ConferenceMember = {
      lref: ctx.callid(m.id),
      state: memberState(far),
      direction: m.direction === 'originator' ? 'OUTBOUND' : 'INBOUND',
    };
    const cp = partyOf(m.remote);
    if (cp) member.connectedparty = cp;
    if (far?.remoteHeld) member.activeheld = true;
    return member;
  });
}

/** CallInfo of a user's leg, as seen on that user's subscription. */
export function userCallInfo(
  core: PbxCore,
  leg: LegSnapshot,
  ctx: LegContext,
  ccflags: number,
  stateOverride?: { state: string; failedcause?: string },
): CallInfo {
  const state = stateOverride?.state ?? userCallState(leg, ctx);
  const first = ctx.firstRemote(leg);
  const others = leg.userId
    ? core
        .listLegs({ userId: leg.userId })
        .filter((l) => l.id !== leg.id && (l.state === 'active' || l.state === 'held')).length
    : 0;
  const info: CallInfo = {
    callid: ctx.callid(leg.id),
    state,
    direction: leg.direction === 'originator' ? 'OUTBOUND' : 'INBOUND',
    gcid: ctx.gcid(leg.correlationId),
    featuresavailable: userFeatures(state, leg, others),
  };
  const ref = ctx.referenceOf(leg.id);
  if (ref) info.referencecallid = ref;
  const rel = ctx.relatedOf(leg.id);
  if (rel) info.relatedcallid = ctx.callid(rel);
  if (leg.remoteHeld) info.activeheld = true;
  if (leg.direction === 'originator') {
    info.calledparty = first.number;
    const me = partyOf(leg.self);
    if (me) info.callingparty = me;
  } else {
    info.calledparty = leg.self.number;
    const caller = partyOf(first);
    if (caller) info.callingparty = caller;
  }
  if (state !== 'DIALTONE') {
    const cp = partyOf(leg.remote);
    if (cp) info.connectedparty = cp;
  }
  const redirected = leg.redirections[0];
  if (redirected) {
    const ocp = partyOf(redirected.party);
    if (ocp) info.originalcalledparty = ocp;
  }
  const tag = ctx.tag(leg.id);
  if (tag) info.tag = tag;
  if (stateOverride?.failedcause) info.failedcause = stateOverride.failedcause;
  if (ccflags & CC.CONFERENCE) {
    const members = conferenceMembers(core, leg, ctx);
    if (members.length) info.conferencemember = members;
  }
  if (ccflags & CC.DIALINFO && leg.direction === 'originator')
    info.dialinfo = { number: first.number, complete: true };
  if (ccflags & CC.QUEUE && leg.queue) {
    const q = core.getQueue(leg.queue.queueId);
    if (q) info.queueinfo = { number: q.extension, name: q.name };
  }
  if (ccflags & CC.LANGUAGE) info.calldata = { language: 'eng' };
  return info;
}

/** CallInfo of a queued call (the caller's leg) on a queue subscription. */
export function queueCallInfo(
  core: PbxCore,
  queue: QueueSnapshot,
  caller: LegSnapshot,
  ctx: LegContext,
  ccflags: number,
  view: { state: string; agent?: CoreParty; priority?: number },
): CallInfo {
  const actions = ['DropCall', 'SetTag'];
  if (view.state === 'QUEUEING' || view.state === 'RINGING')
    actions.push('BlindTransfer', 'Redirect', 'SetPriority');
  else actions.push('BlindTransfer');
  const info: CallInfo = {
    callid: ctx.callid(caller.id),
    state: view.state,
    direction: 'INBOUND',
    gcid: ctx.gcid(caller.correlationId),
    featuresavailable: featureMask(actions),
    calledparty: queue.extension,
  };
  const cp = partyOf(caller.self);
  if (cp) info.callingparty = cp;
  if (view.state === 'CONNECTED' && view.agent) info.connectedparty = partyOf(view.agent)!;
  const tag = ctx.tag(caller.id);
  if (tag) info.tag = tag;
  if (ccflags & CC.QUEUE)
    info.queueinfo = { number: queue.extension, name: queue.name, priority: view.priority ?? 1 };
  if (ccflags & CC.TARGETS && view.state === 'RINGING' && view.agent)
    info.targets = { target: [{ partyinfo: partyOf(view.agent)! }] };
  return info;
}

/** User `featuresavailable` bits: VALID, SAC, ABSENCE, SHORTCODE, MAKECALL, FWDU, APP. */
const USER_FEATURES = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 9);

export interface UserExtras {
  mailbox?: { newmessages: number; oldmessages: number; savedmessages: number };
  absence?: { msg?: number; str?: string };
  app?: string;
  voicemail?: boolean;
}

export function notifyUser(u: UserSnapshot, flags: number, extras: UserExtras): NotifyUser {
  const n: NotifyUser = {
    extn: u.extension,
    name: ipoName(u.userId),
    fullname: u.name,
    featuresavailable: USER_FEATURES,
    language: 'eng',
  };
  if (u.dnd) n.dnd = true;
  if (extras.voicemail) n.voicemail = true;
  if (flags & 0x01) {
    const m = extras.mailbox;
    n.mailbox = {};
    if (m?.newmessages) n.mailbox.newmessages = m.newmessages;
    if (m?.oldmessages) n.mailbox.oldmessages = m.oldmessages;
    if (m?.savedmessages) n.mailbox.savedmessages = m.savedmessages;
  }
  if (flags & 0x02) {
    const f = u.forwarding;
    if (f.always.active) n.fwdu = true;
    if (f.busy.active) n.fwdb = true;
    if (f['no-answer'].active) n.fwdna = true;
    if (f.always.to) n.fwdunumber = f.always.to;
    const b = f.busy.to ?? f['no-answer'].to;
    if (b) n.fwdbnumber = b;
  }
  if (flags & 0x04 && extras.app) n.app = extras.app;
  if (flags & 0x08 && extras.absence) n.absence = { ...extras.absence };
  return n;
}

/** A member is disabled while its agent is signed out or unavailable. */
export function memberDisabled(u: UserSnapshot | undefined): boolean {
  const s = u?.agent?.state;
  return s === undefined || s === 'sign-out' || s === 'unavailable';
}

export function notifyQueue(
  core: PbxCore,
  q: QueueSnapshot,
  flags: number,
  extras: { servicemode?: string; voicemail?: boolean },
): NotifyQueue {
  const n: NotifyQueue = {
    extn: q.extension,
    name: ipoName(q.id),
    ringmode: 2,
    noanswertime: 15,
    servicemode: extras.servicemode ?? 'Active',
  };
  if (extras.voicemail) n.voicemail = true;
  if (flags & 0x02) {
    n.queuemembers = {
      member: q.agents.map((id) => {
        const u = core.getUser(id);
        const m: { extn: string; disabled?: boolean } = { extn: u?.extension ?? ipoName(id) };
        if (memberDisabled(u)) m.disabled = true;
        return m;
      }),
    };
  }
  if (flags & 0x01) n.mailbox = {};
  return n;
}

/** Presence phonestate of a user: 0 Idle, 1 Dialling, 2 Ringing, 3 ACW, 4 Connected, 8 Unknown. */
export function phoneState(core: PbxCore, u: UserSnapshot | undefined): number {
  if (!u) return 8;
  const legs = core.listLegs({ userId: u.userId });
  if (legs.some((l) => l.state === 'active' || l.state === 'held')) return 4;
  if (legs.some((l) => l.state === 'alerting' && l.direction === 'terminator')) return 2;
  if (legs.length) return 1;
  if (u.agent?.state === 'wrap-up') return 3;
  return 0;
}

/** Stable serialisation for change detection (Uint8Array → hex). */
export function fingerprint(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
  );
}
