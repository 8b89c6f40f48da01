/**
 * Call-management, service and agent requests (§5.2, §5.3, §5.4 subset, §5.6, §5.9): URI templates,
 * parameter extraction and the handlers that drive the core. The ACD requests (§5.5) and disposition
 * codes (§5.6.4) are in acd.ts.
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import { normalizeAddress } from '../../../simulator/core/index.js';
import { PbxError, type ForwardType, type LegSnapshot } from '../../../simulator/core/types.js';
import { BwError, E, fromPbxError } from './errors.js';
import {
  FORWARD_TYPES,
  AGENT_STATES,
  callXml,
  dndXml,
  forwardingXml,
  parseAgentState,
  type BwEventDraft,
} from './model.js';
import { ACD_ROUTES } from './acd.js';
import {
  XSI_NS,
  bool,
  childrenNamed,
  el,
  lookup,
  text,
  tx,
  type XNode,
  type XmlNode,
} from '../wire/index.js';

export interface Principal {
  username: string;
  admin: boolean;
}

export interface CallRequestContext {
  core: PbxCore;
  principal: Principal;
  method: string;
  /** Parameter lookup: URI literal, then `params`, then the request element itself. */
  param(name: string): string | undefined;
  /** The request body (`payload` element inside the request payload). */
  body: XNode | undefined;
  /**
   * Publishes an event the front-end itself raises (the core reports no such change, e.g. a promotion)
   * to the matching subscriptions, queued behind the events already raised; sent after the response.
   */
  emit(draft: BwEventDraft): void;
}

export interface RequestResult {
  status: 200 | 201;
  payload?: XmlNode;
}

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path after the `/com.broadsoft.xsi-actions/v2.0` prefix, with %wildcards% and an optional ?query template. */
  template: string;
  /** Request element names (§5) that select this route when no uri is given. */
  names: string[];
  handler(ctx: CallRequestContext): RequestResult;
}

const XA = (name: string, extra: (XmlNode | undefined)[]) => el(name, { xmlns: XSI_NS }, ...extra);

function subscriber(ctx: CallRequestContext, kind: 'call' | 'service' = 'call'): string {
  const id = ctx.param('subscriberId');
  if (!id) throw E.missingParam('subscriberId');
  if (!id.includes('@')) {
    if (kind === 'service') throw E.serviceUserNotFound(id);
    throw E.badUserId(id);
  }
  if (!ctx.core.isDirectoryId(id)) {
    if (kind === 'service') throw E.serviceUserNotFound(id);
    throw E.userNotFound(id);
  }
  if (!ctx.principal.admin && ctx.principal.username !== id)
    throw kind === 'service' ? new BwError(401, 4003, 'Unauthorized request.') : E.unauthorized(400);
  return id;
}

function userLeg(ctx: CallRequestContext, userId: string, paramName = 'callId'): LegSnapshot {
  const callId = ctx.param(paramName);
  if (!callId) throw E.missingParam(paramName);
  const leg = ctx.core.getLeg(callId);
  if (!leg || leg.userId !== userId || leg.state === 'released') throw E.callNotFound(callId);
  return leg;
}

function run<T>(fn: () => T, callId?: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PbxError) throw fromPbxError(err, { callId });
    throw err;
  }
}

function address(ctx: CallRequestContext, name = 'address'): string {
  const a = ctx.param(name);
  if (!a) throw E.missingParam(name);
  const n = normalizeAddress(a);
  if (!/^\+?[0-9*#]+$/.test(n) && !/^(tel|sips?):/i.test(a.trim()) && !n.includes('@')) throw E.badAddress(a);
  return a;
}

const LOCATIONS = new Set([
  'primary',
  'broadworks anywhere',
  'remote office',
  'broadworks mobility',
  'shared call appearance',
  'mobile',
]);

function ok(payload?: XmlNode): RequestResult {
  return { status: 200, payload };
}

function bodyFlag(body: XNode | undefined, ...names: string[]): boolean | undefined {
  return bool(text(lookup(body, ...names)));
}

function forwardingRoute(type: ForwardType): Route[] {
  const f = FORWARD_TYPES[type];
  const cap = f.root.charAt(0).toUpperCase() + f.root.slice(1);
  const path = `/user/%subscriberId%/services/${cap}`;
  return [
    {
      method: 'GET',
      template: path,
      names: [`Get${cap}Request`],
      handler(ctx) {
        const id = subscriber(ctx, 'service');
        const u = ctx.core.getUser(id);
        if (!u) throw E.serviceNotAssigned(cap);
        return ok(forwardingXml(u, type, '', cap).withNs());
      },
    },
    {
      method: 'PUT',
      template: path,
      names: [`Modify${cap}Request`],
      handler(ctx) {
        const id = subscriber(ctx, 'service');
        if (!ctx.core.getUser(id)) throw E.serviceNotAssigned(cap);
        const active = bodyFlag(ctx.body, 'isActive', 'active');
        const to = text(lookup(ctx.body, 'forwardToPhoneNumber'));
        const rings = text(lookup(ctx.body, 'numberOfRings'));
        run(() =>
          ctx.core.setForwarding(id, type, {
            active,
            to: to === undefined ? undefined : normalizeAddress(to),
            numberOfRings: rings !== undefined && rings !== '' ? Number(rings) : undefined,
          }),
        );
        return ok();
      },
    },
  ];
}

export const ROUTES: Route[] = [
  {
    method: 'POST',
    template: '/user/%subscriberId%/calls/new?%address%',
    names: ['DialRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const to = address(ctx);
      const loc = ctx.param('location');
      if (loc && !LOCATIONS.has(loc.toLowerCase())) throw E.badLocation(loc);
      const leg = run(() => ctx.core.dial(id, to, { clickToDial: true }));
      return {
        status: 201,
        payload: XA('CallStartInfo', [tx('callId', leg.id), tx('externalTrackingId', leg.correlationId)]),
      };
    },
  },
  {
    method: 'GET',
    template: '/user/%subscriberId%/calls',
    names: ['RetrieveCallInfoListRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const legs = ctx.core
        .listLegs({ userId: id })
        .filter((l) => l.state !== 'detached')
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return ok(
        XA(
          'CallInfoList',
          legs.map((l) =>
            el('callInfo', null, tx('callId', l.id), l.conferenceId ? el('inConference', null) : undefined),
          ),
        ),
      );
    },
  },
  {
    method: 'POST',
    template: '/user/%subscriberId%/calls/conference',
    names: ['ConferenceStartRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const parts = lookup(ctx.body, 'conferenceParticipantList');
      const ids = childrenNamed(parts, 'conferenceParticipant')
        .map((p) => text(lookup(p, 'callId')))
        .filter((x): x is string => !!x);
      if (ids.length < 2) throw new BwError(400, 101008, 'At least two call IDs are required.');
      for (const c of ids) {
        const l = ctx.core.getLeg(c);
        if (!l || l.userId !== id || l.state === 'released') throw E.callNotFound(c);
      }
      run(() => ctx.core.startConference(id, ids));
      return ok();
    },
  },
  {
    method: 'DELETE',
    template: '/user/%subscriberId%/calls/conference',
    names: ['ConferenceReleaseRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      run(() => ctx.core.releaseConference(id));
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/conference/hold',
    names: ['ConferenceHoldRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      run(() => ctx.core.holdConference(id));
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/conference/talk',
    names: ['ConferenceRetrieveRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      run(() => ctx.core.retrieveConference(id));
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/conference/%callId%',
    names: ['ConferenceAddParticipantRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      run(() => ctx.core.addToConference(id, leg.id), leg.id);
      return ok();
    },
  },
  {
    method: 'GET',
    template: '/user/%subscriberId%/calls/%callId%',
    names: ['RetrieveCallDetailsRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      const allowDetached = ctx.param('allowDetached') !== undefined;
      if (leg.state === 'detached' && !allowDetached) throw E.callDetached(leg.id);
      return ok(callXml(leg, ctx.core, { prefix: '' }).rename('Call').withNs());
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/talk',
    names: ['TalkRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      if (leg.state === 'held') run(() => ctx.core.retrieve(leg.id), leg.id);
      else if ((leg.state === 'alerting' && leg.direction === 'terminator') || leg.state === 'dialing')
        run(() => ctx.core.answer(leg.id), leg.id);
      else throw E.callStateInvalid(leg.id);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/hold',
    names: ['HoldRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      run(() => ctx.core.hold(leg.id), leg.id);
      return ok();
    },
  },
  {
    method: 'DELETE',
    template: '/user/%subscriberId%/calls/%callId%',
    names: ['ReleaseRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      if (leg.state === 'detached') throw E.callStateInvalid(leg.id);
      const d = ctx.param('decline');
      const decline = d !== undefined && d.toLowerCase() !== 'false';
      run(() => ctx.core.release(leg.id, { decline }), leg.id);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/blindtransfer?%address%',
    names: ['BlindTransferRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      const to = address(ctx);
      run(() => ctx.core.blindTransfer(leg.id, to), leg.id);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId1%/consulttransfer/%callId2%',
    names: ['ConsultativeTransferRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const c1 = ctx.param('callId1');
      const c2 = ctx.param('callId2');
      if (!c1) throw E.missingParam('callId1');
      if (!c2) throw E.missingParam('callId2');
      const l1 = ctx.core.getLeg(c1);
      const l2 = ctx.core.getLeg(c2);
      if (!l1 || !l2 || l1.userId !== id || l2.userId !== id || c1 === c2)
        throw new BwError(400, 101008, `Call IDs ${c1} and ${c2} are not valid.`);
      run(() => ctx.core.consultTransfer(c1, c2), c1);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/reconnect',
    names: ['ReconnectRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      run(() => ctx.core.reconnect(leg.id), leg.id);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/calls/%callId%/transmitdtmf?%playdtmf%',
    names: ['TransmitDTMFRequest'],
    handler(ctx) {
      const id = subscriber(ctx);
      const leg = userLeg(ctx, id);
      const digits = ctx.param('playDTMF') ?? text(lookup(ctx.body, 'playDTMF'));
      if (!digits) throw E.missingParam('playDTMF');
      if (!/^[0-9*#A-D,]+$/.test(digits))
        throw new BwError(400, 110811, `DTMF string ${digits} is not valid.`);
      run(() => ctx.core.dtmf(leg.id, digits), leg.id);
      return ok();
    },
  },
  {
    method: 'GET',
    template: '/user/%subscriberId%/services/donotdisturb',
    names: ['GetDoNotDisturbRequest'],
    handler(ctx) {
      const id = subscriber(ctx, 'service');
      const u = ctx.core.getUser(id);
      if (!u) throw E.serviceNotAssigned('Do Not Disturb');
      return ok(dndXml(u, '', 'DoNotDisturb').withNs());
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/services/donotdisturb',
    names: ['ModifyDoNotDisturbRequest'],
    handler(ctx) {
      const id = subscriber(ctx, 'service');
      if (!ctx.core.getUser(id)) throw E.serviceNotAssigned('Do Not Disturb');
      const active = bodyFlag(ctx.body, 'isActive', 'active');
      if (active !== undefined) ctx.core.setDnd(id, active);
      return ok();
    },
  },
  ...forwardingRoute('always'),
  ...forwardingRoute('busy'),
  ...forwardingRoute('no-answer'),
  {
    method: 'GET',
    template: '/user/%subscriberId%/services/callcenter',
    names: ['GetAgentStateRequest'],
    handler(ctx) {
      const id = subscriber(ctx, 'service');
      const u = ctx.core.getUser(id);
      if (!u?.agent) throw E.serviceNotAssigned('Call Center');
      return ok(
        XA('CallCenter', [
          tx('agentACDState', AGENT_STATES[u.agent.state]),
          tx('unavailableCode', u.agent.unavailableCode),
        ]),
      );
    },
  },
  {
    method: 'PUT',
    template: '/user/%subscriberId%/services/callcenter',
    names: ['SetAgentStateRequest'],
    handler(ctx) {
      const id = subscriber(ctx, 'service');
      const raw = text(lookup(ctx.body, 'agentACDState'));
      if (!raw) throw E.missingParam('agentACDState');
      const state = parseAgentState(raw);
      if (!state) throw E.invalidRequest(`agentACDState ${raw}`);
      const code = text(lookup(ctx.body, 'unavailableCode'));
      run(() => ctx.core.setAgentState(id, state, code || undefined));
      const u = ctx.core.getUser(id)!;
      return ok(
        XA('CallCenter', [
          tx('agentACDState', AGENT_STATES[u.agent!.state]),
          tx('unavailableCode', u.agent!.unavailableCode),
        ]),
      );
    },
  },
  {
    method: 'PUT',
    template: '/routepoint/%subscriberId%/calls/%callId%/distribute',
    names: ['RoutePointDistributeRequest', 'DistributeCallRequest'],
    handler(ctx) {
      const { rp, callId } = routePointCall(ctx);
      const dest =
        ctx.param('address') ??
        text(lookup(ctx.body, 'agentId', 'address', 'destination', 'phoneNumber', 'agentUserId'));
      if (!dest) throw E.missingParam('address');
      run(() => ctx.core.distribute(rp, callId, dest), callId);
      return ok();
    },
  },
  {
    method: 'PUT',
    template: '/routepoint/%routepointId%/calls/%callId%/BlindTransfer?address=%address%',
    names: ['RoutePointBlindTransferRequest'],
    handler(ctx) {
      const { rp, callId } = routePointCall(ctx);
      const dest = address(ctx);
      run(() => ctx.core.distribute(rp, callId, dest), callId);
      return ok();
    },
  },
  {
    method: 'DELETE',
    template: '/routepoint/%subscriberId%/calls/%callId%',
    names: ['RoutePointReleaseCallRequest'],
    handler(ctx) {
      const { rp, callId } = routePointCall(ctx);
      const q = ctx.core.getQueue(rp)!;
      const entry = q.entries.find((e) => e.callerLegId === callId || e.id === callId);
      if (!entry) throw E.callNotFound(callId);
      run(() => ctx.core.release(entry.callerLegId), callId);
      return ok();
    },
  },
  ...ACD_ROUTES,
];

/** The route point and the call a route point request names (both required). */
function routePointCall(ctx: CallRequestContext): { rp: string; callId: string } {
  const rp = routePoint(ctx);
  const callId = ctx.param('callId');
  if (!callId) throw E.missingParam('callId');
  return { rp, callId };
}

function routePoint(ctx: CallRequestContext): string {
  const id = ctx.param('subscriberId') ?? ctx.param('routepointId');
  if (!id) throw E.missingParam('subscriberId');
  const q = ctx.core.getQueue(id);
  if (!q || q.kind !== 'route-point') throw new BwError(400, 110407, `${id} is not a route point.`);
  return q.id;
}

// ------------------------------------------------------------------ URI matching

const PREFIX_RE = /^\/com\.broadsoft\.[a-z-]+\/v\d+(\.\d+)?/i;

interface CompiledRoute {
  route: Route;
  segments: string[];
  query: string[];
}

const COMPILED: CompiledRoute[] = ROUTES.map((route) => {
  const [path, query] = route.template.split('?') as [string, string | undefined];
  return { route, segments: path.split('/').filter(Boolean), query: query ? query.split('&') : [] };
});

export interface UriMatch {
  route: Route;
  /** Literal values found in the URI for the template's wildcards. */
  values: Record<string, string>;
  /** Wildcard names present in the URI as %name% (to be read from params). */
  wildcards: Set<string>;
}

function wild(seg: string): string | undefined {
  const m = /^%\s*([^%]+?)\s*%$/.exec(seg);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Match a request uri against the route table. Returns 'method' when only the method differs. */
export function matchUri(uri: string, method: string): UriMatch | 'method' | undefined {
  const cleaned = uri.replace(/\s+/g, '');
  const noPrefix = cleaned.replace(PREFIX_RE, '');
  const qi = noPrefix.indexOf('?');
  const path = qi >= 0 ? noPrefix.slice(0, qi) : noPrefix;
  const query = qi >= 0 ? noPrefix.slice(qi + 1) : '';
  const segs = path.split('/').filter(Boolean);
  let methodMismatch = false;
  for (const c of COMPILED) {
    if (c.segments.length !== segs.length) continue;
    const values: Record<string, string> = {};
    const wildcards = new Set<string>();
    let okPath = true;
    for (let i = 0; i < segs.length; i++) {
      const tpl = c.segments[i]!;
      const got = segs[i]!;
      const w = wild(tpl);
      if (w) {
        const gw = wild(got);
        if (gw) wildcards.add(w);
        else if (
          ['conference', 'new', 'hold', 'talk'].includes(got.toLowerCase()) &&
          c.segments.length === segs.length &&
          tpl !== got
        ) {
          // a literal keyword never fills a call id wildcard
          okPath = false;
          break;
        } else values[w] = decodeValue(got);
      } else if (tpl.toLowerCase() !== got.toLowerCase()) {
        okPath = false;
        break;
      }
    }
    if (!okPath) continue;
    if (c.route.method !== method.toUpperCase()) {
      methodMismatch = true;
      continue;
    }
    // query: "%address%", "address=%address%", "address=tel:1013", or a bare literal
    const declared = c.query.map((q) => wild(q) ?? q.toLowerCase());
    for (const part of query.split('&').filter(Boolean)) {
      const eq = part.indexOf('=');
      const w = wild(part);
      if (w) {
        wildcards.add(w);
        continue;
      }
      if (eq > 0) {
        const k = part.slice(0, eq).toLowerCase();
        const v = part.slice(eq + 1);
        const vw = wild(v);
        if (vw) wildcards.add(vw);
        else values[k] = decodeValue(v);
      } else if (declared[0] && !(declared[0] in values)) {
        values[declared[0]] = decodeValue(part);
      } else {
        values[part.toLowerCase()] = '';
      }
    }
    return { route: c.route, values, wildcards };
  }
  return methodMismatch ? 'method' : undefined;
}

export function routeByName(name: string): Route | undefined {
  const lower = name.toLowerCase();
  return ROUTES.find((r) => r.names.some((n) => n.toLowerCase() === lower));
}

function decodeValue(v: string): string {
  return v.replace(/%2b/gi, '+').replace(/%40/gi, '@').replace(/%3a/gi, ':');
}
