/**
 * ACD (call-centre queue) requests of §5.5 and Tag Disposition Code of §5.6.4: Get ACD, ACD Blind
 * Transfer, Promote Call, Reorder Call, Release Call, and the agent's disposition code on an ACD call.
 * URIs are the §9.4 flows' (L27668, L28461, L28668, L28734); Get ACD and Release Call have none in the
 * specification and follow the route point's (docs/protocols/broadworks-cti-simulator.md). The core
 * reports no promotion, reorder or disposition, and its removal by distribution is no BroadWorks event:
 * this module raises ACDCallPromoted, ACDCallReordered, ACDCallTransferred and AgentDispositionCodeAdded.
 */
import { normalizeAddress } from '../../../simulator/core/index.js';
import {
  DEFAULT_QUEUE_PRIORITY,
  PbxError,
  type QueueEntrySnapshot,
  type QueueSnapshot,
} from '../../../simulator/core/types.js';
import type { CallRequestContext, RequestResult, Route } from './calls.js';
import { BwError, E, fromPbxError } from './errors.js';
import { parseAcdPriority, queueEntryXml, type BwEventDraft } from './model.js';
import { XSI_NS, el, lookup, text, tx, type XmlNode } from '../wire/index.js';

const P = 'xsi:';
const QUEUE_PACKAGE = { kind: 'named', name: 'Call Center Queue' } as const;
const AGENT_PACKAGE = { kind: 'named', name: 'Call Center Agent' } as const;

/** §5.5 error codes the simulator produces. */
const ACD_ERRORS = {
  notACallCenter: (id: string) => new BwError(400, 110203, `User ${id} is not a call center.`),
  onlyHighestReorders: () =>
    new BwError(
      400,
      110207,
      'Cannot perform function - only calls in the highest priority can be reordered.',
    ),
  onlyHigher: () => new BwError(400, 110210, 'Calls can only be promoted to a higher priority.'),
  notPremium: () => new BwError(400, 110202, 'User is not assigned the Call Center-Premium service.'),
  notCallCenterCall: (id: string) =>
    new BwError(
      400,
      110100,
      `Cannot apply a disposition code to call ${id} since it is not a call center call.`,
    ),
  badCode: (code: string) =>
    new BwError(400, 110107, `Disposition code ${code} is not valid for this call center.`),
};

function run<T>(fn: () => T, callId?: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PbxError) throw fromPbxError(err, callId === undefined ? {} : { callId });
    throw err;
  }
}

/** The ACD of the request: `callcenterId` (blind transfer) or `subscriberId` (promote, reorder flows). */
function callCenter(ctx: CallRequestContext): QueueSnapshot {
  const id = ctx.param('callcenterId') ?? ctx.param('subscriberId');
  if (!id) throw E.missingParam('callcenterId');
  if (!ctx.principal.admin && ctx.principal.username !== id) throw E.unauthorized(400);
  const q = ctx.core.getQueue(id);
  if (!q || q.kind !== 'queue') throw ACD_ERRORS.notACallCenter(id);
  return q;
}

/** The queued call named by `callId` (the caller's call id, as the ACD's events give it). */
function queued(ctx: CallRequestContext, q: QueueSnapshot): QueueEntrySnapshot {
  const callId = ctx.param('callId');
  if (!callId) throw E.missingParam('callId');
  const entry = q.entries.find((e) => e.callerLegId === callId || e.id === callId);
  if (!entry) throw E.callNotFound(callId);
  return entry;
}

function entryOf(q: QueueSnapshot, callerLegId: string): QueueEntrySnapshot {
  const e = q.entries.find((x) => x.callerLegId === callerLegId);
  if (!e) throw new BwError(500, 102000, `System error: call ${callerLegId} left the queue.`);
  return e;
}

/** `QueueCallOrder` (§8.9.5): the call's position after the request. */
function queueCallOrder(position: number): RequestResult {
  return { status: 200, payload: el('QueueCallOrder', { xmlns: XSI_NS }, tx('position', position)) };
}

/** An event of the ACD's Call Center Queue package. */
function acdEvent(
  ctx: CallRequestContext,
  q: QueueSnapshot,
  type: string,
  body: (XmlNode | undefined)[],
): void {
  const draft: BwEventDraft = {
    targetId: q.id,
    type,
    pkg: QUEUE_PACKAGE,
    body: body.filter((b): b is XmlNode => !!b),
  };
  ctx.emit(draft);
}

function positiveInt(raw: string | undefined, name: string): number {
  if (raw === undefined || raw === '') throw E.missingParam(name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw E.invalidRequest(`${name} ${raw}`);
  return n;
}

/**
 * The ACD and disposition-code routes, part of the front-end's route table (`calls.ts`).
 *
 * @example
 * ACD_ROUTES.find((r) => r.names.includes('ACDPromoteCallRequest'))!.template;
 * // '/callcenter/%subscriberId%/calls/%callId%/promote'
 */
export const ACD_ROUTES: Route[] = [
  {
    method: 'GET',
    template: '/callcenter/%callcenterId%/calls',
    names: ['GetACDRequest'],
    handler(ctx) {
      const q = callCenter(ctx);
      const entries = q.entries.map((e) => queueEntryXml(e, ctx.core, [], ''));
      return {
        status: 200,
        payload: el(
          'ACDQueue',
          { xmlns: XSI_NS },
          entries.length ? el('queueEntries', null, entries) : undefined,
        ),
      };
    },
  },
  {
    method: 'PUT',
    template: '/callcenter/%callcenterId%/calls/%callId%/blindtransfer?%phoneno%',
    names: ['ACDBlindTransferRequest'],
    handler(ctx) {
      const q = callCenter(ctx);
      const entry = queued(ctx, q);
      const to = ctx.param('phoneno') ?? ctx.param('address');
      if (!to) throw E.missingParam('phoneno');
      const n = normalizeAddress(to);
      if (!/^\+?[0-9*#]+$/.test(n) && !/^(tel|sips?):/i.test(to.trim()) && !n.includes('@'))
        throw E.badAddress(to);
      // ACDCallTransferred against the ACD's call comes before the destination's CallReceived (L28479)
      const now = Date.now();
      acdEvent(ctx, q, 'ACDCallTransferredEvent', [
        queueEntryXml(entry, ctx.core, [tx(P + 'removeTime', now)]),
        el(
          P + 'redirect',
          null,
          tx(P + 'address', `tel:${n}`),
          tx(P + 'reason', 'transfer'),
          tx(P + 'redirectTime', now),
        ),
      ]);
      run(() => ctx.core.distribute(q.id, entry.callerLegId, to), entry.callerLegId);
      return { status: 200 };
    },
  },
  {
    method: 'PUT',
    template: '/callcenter/%subscriberId%/calls/%callId%/promote',
    names: ['ACDPromoteCallRequest'],
    handler(ctx) {
      const q = callCenter(ctx);
      const entry = queued(ctx, q);
      const raw = text(lookup(ctx.body, 'priority'));
      if (raw === undefined) throw E.missingParam('ACDPromote');
      const priority = parseAcdPriority(raw);
      if (priority === undefined) throw E.invalidRequest(`priority ${raw}`);
      if (priority > (entry.priority ?? DEFAULT_QUEUE_PRIORITY)) throw ACD_ERRORS.onlyHigher();
      const after = entryOf(
        run(() => ctx.core.promoteQueue(q.id, entry.callerLegId, priority), entry.callerLegId),
        entry.callerLegId,
      );
      acdEvent(ctx, q, 'ACDCallPromotedEvent', [
        queueEntryXml(after, ctx.core),
        tx(P + 'position', after.position),
      ]);
      return queueCallOrder(after.position);
    },
  },
  {
    method: 'PUT',
    template: '/callcenter/%subscriberId%/calls/%callId%/reorder?%index%',
    names: ['ACDReorderCallRequest'],
    handler(ctx) {
      const q = callCenter(ctx);
      const entry = queued(ctx, q);
      const index = positiveInt(ctx.param('index') ?? text(lookup(ctx.body, 'index')), 'index');
      if ((entry.priority ?? DEFAULT_QUEUE_PRIORITY) !== 0) throw ACD_ERRORS.onlyHighestReorders();
      // a 0-Highest call stays among the 0-Highest calls, which lead the queue
      const highest = q.entries.filter((e) => e.priority === 0).length;
      const position = Math.min(index, highest);
      const after = entryOf(
        run(() => ctx.core.reorderQueue(q.id, entry.callerLegId, position), entry.callerLegId),
        entry.callerLegId,
      );
      acdEvent(ctx, q, 'ACDCallReorderedEvent', [
        queueEntryXml(after, ctx.core),
        tx(P + 'position', after.position),
      ]);
      return queueCallOrder(after.position);
    },
  },
  {
    method: 'DELETE',
    template: '/callcenter/%callcenterId%/calls/%callId%',
    names: ['ACDReleaseCallRequest'],
    handler(ctx) {
      const q = callCenter(ctx);
      const entry = queued(ctx, q);
      // the core's queue.removed (released) is the ACDCallReleasedEvent
      run(() => ctx.core.releaseQueued(q.id, entry.callerLegId), entry.callerLegId);
      return { status: 200 };
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/adddispositioncode/%codename%',
    names: ['TagDispositionCodeRequest'],
    handler(ctx) {
      const id = ctx.param('subscriberId');
      if (!id) throw E.missingParam('subscriberId');
      if (!ctx.core.isDirectoryId(id)) throw E.userNotFound(id);
      if (!ctx.principal.admin && ctx.principal.username !== id) throw E.unauthorized(400);
      const user = ctx.core.getUser(id);
      if (!user?.agent) throw ACD_ERRORS.notPremium();
      const code = ctx.param('codename') ?? text(lookup(ctx.body, 'dispositionCode', 'code'));
      if (!code) throw E.missingParam('codename');
      if (!/^[\w .-]{1,40}$/.test(code)) throw ACD_ERRORS.badCode(code);
      const callId = ctx.param('callId');
      if (!callId) throw E.missingParam('callId');
      const leg = ctx.core.getLeg(callId);
      if (!leg || leg.userId !== id) throw E.callNotFound(callId);
      if (!leg.queue) throw ACD_ERRORS.notCallCenterCall(callId);
      // an ACD call Active or Held (§5.6.4), or the agent's last one while in Wrap-up (§5.6.3)
      const live = leg.state === 'active' || leg.state === 'held';
      const wrapUp = leg.state === 'released' && user.agent.state === 'wrap-up';
      if (!live && !wrapUp) throw E.callStateInvalid(callId);
      ctx.emit({
        targetId: id,
        type: 'AgentDispositionCodeAddedEvent',
        pkg: AGENT_PACKAGE,
        body: [tx(P + 'dispositionCode', code), tx(P + 'callId', callId)].filter((b): b is XmlNode => !!b),
      });
      return { status: 200 };
    },
  },
];
