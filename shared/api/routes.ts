/**
 * The route manifest: every HTTP route of the control API, once. lib/ creates API Gateway routes and
 * Lambda functions from it, the local gateway serves it, the handlers validate with it and
 * shared/api/openapi.ts publishes it. Adding a route here is the only way to add one.
 */
import { z } from 'zod';
import { BridgeEvent } from '../events/model.js';
import * as S from './schemas.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type AuthLevel = 'none' | 'admin' | 'tenant';

/** One Lambda function per group; its entry is functions/http/<fn>.ts. */
export const FUNCTIONS = [
  'meta',
  'tenants',
  'links',
  'sessions',
  'channels',
  'subscriptions',
  'events',
  'calls',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface ResponseDef {
  description: string;
  schema?: z.ZodType;
}

export interface RouteDef {
  operationId: string;
  fn: FunctionName;
  method: HttpMethod;
  path: string;
  auth: AuthLevel;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, ResponseDef>;
}

const ok = (schema: z.ZodType, description = 'OK'): ResponseDef => ({ description, schema });
const noContent: ResponseDef = { description: 'Done' };
/** Commands some vendors lack: the problem `not-supported-by-vendor` names the link's vendor. */
const notSupported: ResponseDef = {
  description: "The link's vendor cannot do this (problem `not-supported-by-vendor`, `vendor` names it)",
};

export const ROUTES: RouteDef[] = [
  {
    operationId: 'getHealth',
    fn: 'meta',
    method: 'GET',
    path: '/v1/health',
    auth: 'none',
    tag: 'meta',
    summary: 'Liveness',
    responses: { 200: ok(S.Health) },
  },
  {
    operationId: 'getOpenApi',
    fn: 'meta',
    method: 'GET',
    path: '/v1/openapi.json',
    auth: 'none',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: ok(z.looseObject({ openapi: z.string() }), 'OpenAPI document') },
  },
  {
    operationId: 'getEventSchema',
    fn: 'meta',
    method: 'GET',
    path: '/v1/schemas/event.json',
    auth: 'none',
    tag: 'meta',
    summary: 'JSON Schema of the normalized event envelope',
    responses: { 200: ok(z.looseObject({ $schema: z.string() }), 'JSON Schema (draft 2020-12)') },
  },

  {
    operationId: 'createTenant',
    fn: 'tenants',
    method: 'POST',
    path: '/v1/tenants',
    auth: 'admin',
    tag: 'tenants',
    summary: 'Create a tenant',
    body: S.TenantCreate,
    responses: { 201: ok(S.TenantView, 'Created') },
  },
  {
    operationId: 'listTenants',
    fn: 'tenants',
    method: 'GET',
    path: '/v1/tenants',
    auth: 'admin',
    tag: 'tenants',
    summary: 'List tenants',
    query: S.PageQuery,
    responses: { 200: ok(S.pageOf(S.TenantView)) },
  },
  {
    operationId: 'createTenantKey',
    fn: 'tenants',
    method: 'POST',
    path: '/v1/tenants/{tenant}/keys',
    auth: 'admin',
    tag: 'tenants',
    summary: 'Create a tenant API key (shown once)',
    params: S.TenantParams,
    body: S.KeyCreate,
    responses: { 201: ok(S.KeyCreated, 'Created') },
  },
  {
    operationId: 'deleteTenantKey',
    fn: 'tenants',
    method: 'DELETE',
    path: '/v1/tenants/{tenant}/keys/{keyId}',
    auth: 'admin',
    tag: 'tenants',
    summary: 'Revoke a tenant API key',
    params: S.KeyParams,
    responses: { 204: noContent },
  },

  {
    operationId: 'createLink',
    fn: 'links',
    method: 'POST',
    path: '/v1/links',
    auth: 'tenant',
    tag: 'links',
    summary: 'Create a link to a vendor CTI server',
    body: S.LinkCreate,
    responses: { 201: ok(S.LinkView, 'Created') },
  },
  {
    operationId: 'listLinks',
    fn: 'links',
    method: 'GET',
    path: '/v1/links',
    auth: 'tenant',
    tag: 'links',
    summary: 'List links',
    query: S.PageQuery,
    responses: { 200: ok(S.pageOf(S.LinkView)) },
  },
  {
    operationId: 'getLink',
    fn: 'links',
    method: 'GET',
    path: '/v1/links/{link}',
    auth: 'tenant',
    tag: 'links',
    summary: 'Get a link and its status',
    params: S.LinkParams,
    responses: { 200: ok(S.LinkView) },
  },
  {
    operationId: 'updateLink',
    fn: 'links',
    method: 'PATCH',
    path: '/v1/links/{link}',
    auth: 'tenant',
    tag: 'links',
    summary: 'Change endpoint, credentials or options',
    params: S.LinkParams,
    body: S.LinkPatch,
    responses: { 200: ok(S.LinkView) },
  },
  {
    operationId: 'deleteLink',
    fn: 'links',
    method: 'DELETE',
    path: '/v1/links/{link}',
    auth: 'tenant',
    tag: 'links',
    summary: 'Delete a link and its credentials',
    params: S.LinkParams,
    responses: { 204: noContent },
  },

  {
    operationId: 'createSession',
    fn: 'sessions',
    method: 'POST',
    path: '/v1/sessions',
    auth: 'tenant',
    tag: 'sessions',
    summary: "Open a user's CTI session on a link (logs the user in through the link's connector)",
    body: S.SessionCreate,
    responses: {
      201: ok(S.SessionView, 'Created: `active`, or `logging-in` while no connector owns the link'),
      422: {
        description:
          'No such link, or the vendor refused the login (problem `session-refused` with `reason`; the session shows `failed`)',
      },
      501: { description: 'The link vendor has no per-user login (problem `sessions-not-supported`)' },
    },
  },
  {
    operationId: 'listSessions',
    fn: 'sessions',
    method: 'GET',
    path: '/v1/sessions',
    auth: 'tenant',
    tag: 'sessions',
    summary: 'List sessions',
    query: S.PageQuery,
    responses: { 200: ok(S.pageOf(S.SessionView)) },
  },
  {
    operationId: 'getSession',
    fn: 'sessions',
    method: 'GET',
    path: '/v1/sessions/{id}',
    auth: 'tenant',
    tag: 'sessions',
    summary: 'Get a session',
    params: S.IdParams,
    responses: { 200: ok(S.SessionView) },
  },
  {
    operationId: 'refreshSession',
    fn: 'sessions',
    method: 'POST',
    path: '/v1/sessions/{id}/refresh',
    auth: 'tenant',
    tag: 'sessions',
    summary: 'Keep a session alive (a `failed` or `ended` one logs in again)',
    params: S.IdParams,
    body: S.SessionRefresh,
    responses: { 200: ok(S.SessionView) },
  },
  {
    operationId: 'deleteSession',
    fn: 'sessions',
    method: 'DELETE',
    path: '/v1/sessions/{id}',
    auth: 'tenant',
    tag: 'sessions',
    summary: 'End a session (the user is logged out)',
    params: S.IdParams,
    responses: { 204: noContent },
  },

  {
    operationId: 'createChannel',
    fn: 'channels',
    method: 'POST',
    path: '/v1/channels',
    auth: 'tenant',
    tag: 'channels',
    summary: 'Create a WebSocket or webhook channel',
    body: S.ChannelCreate,
    responses: { 201: ok(S.ChannelCreated, 'Created') },
  },
  {
    operationId: 'listChannels',
    fn: 'channels',
    method: 'GET',
    path: '/v1/channels',
    auth: 'tenant',
    tag: 'channels',
    summary: 'List channels',
    query: S.PageQuery,
    responses: { 200: ok(S.pageOf(S.ChannelView)) },
  },
  {
    operationId: 'getChannel',
    fn: 'channels',
    method: 'GET',
    path: '/v1/channels/{id}',
    auth: 'tenant',
    tag: 'channels',
    summary: 'Get a channel (with its live connection id)',
    params: S.IdParams,
    responses: { 200: ok(S.ChannelView) },
  },
  {
    operationId: 'updateChannel',
    fn: 'channels',
    method: 'PATCH',
    path: '/v1/channels/{id}',
    auth: 'tenant',
    tag: 'channels',
    summary: "Extend a channel's lifetime",
    params: S.IdParams,
    body: S.ChannelPatch,
    responses: { 200: ok(S.ChannelView) },
  },
  {
    operationId: 'deleteChannel',
    fn: 'channels',
    method: 'DELETE',
    path: '/v1/channels/{id}',
    auth: 'tenant',
    tag: 'channels',
    summary: 'Delete a channel and end its subscriptions',
    params: S.IdParams,
    responses: { 204: noContent },
  },
  {
    operationId: 'rotateChannelSecret',
    fn: 'channels',
    method: 'POST',
    path: '/v1/channels/{id}/rotate-secret',
    auth: 'tenant',
    tag: 'channels',
    summary: 'New webhook signing secret; the old one keeps signing for 24 h',
    params: S.IdParams,
    responses: { 200: ok(S.SecretRotated) },
  },
  {
    operationId: 'listChannelDeliveries',
    fn: 'channels',
    method: 'GET',
    path: '/v1/channels/{id}/deliveries',
    auth: 'tenant',
    tag: 'channels',
    summary: "A channel's deliveries and their attempts",
    params: S.IdParams,
    query: S.DeliveriesQuery,
    responses: {
      200: ok(
        S.pageOf(S.DeliveryView),
        'In seq order. WebSocket: every frame in the channel log (`delivered` up to the acked seq). Webhook: ' +
          'every delivery that was stored (pending, failed, delivered after a retry) and the latest 25 ' +
          "first-attempt successes per link (listed at once from the link owner's memory, stored on a write " +
          'budget); a first attempt in flight is ' +
          'not listed yet. The cursor is the last seq of the page (docs/delivery.md)',
      ),
    },
  },
  {
    operationId: 'replayChannel',
    fn: 'channels',
    method: 'POST',
    path: '/v1/channels/{id}/replay',
    auth: 'tenant',
    tag: 'channels',
    summary: 'Re-send logged events (seq > after) to a webhook channel',
    params: S.IdParams,
    body: S.ReplayBody,
    responses: { 202: ok(S.ReplayResult, 'Queued') },
  },

  {
    operationId: 'createSubscription',
    fn: 'subscriptions',
    method: 'POST',
    path: '/v1/subscriptions',
    auth: 'tenant',
    tag: 'subscriptions',
    summary: 'Send events of a target on a link to a channel',
    body: S.SubscriptionCreate,
    responses: {
      201: ok(S.SubscriptionView, 'Created'),
      409: {
        description:
          "A user target on a link whose vendor sends a user's events only while the user is logged in, without an `active` session for that user (problem `session-required`: open one with `POST /v1/sessions`)",
      },
      422: { description: 'No such channel or link in your tenant' },
    },
  },
  {
    operationId: 'listSubscriptions',
    fn: 'subscriptions',
    method: 'GET',
    path: '/v1/subscriptions',
    auth: 'tenant',
    tag: 'subscriptions',
    summary: 'List subscriptions (optionally of one channel)',
    query: S.SubscriptionQuery,
    responses: { 200: ok(S.pageOf(S.SubscriptionView)) },
  },
  {
    operationId: 'getSubscription',
    fn: 'subscriptions',
    method: 'GET',
    path: '/v1/subscriptions/{id}',
    auth: 'tenant',
    tag: 'subscriptions',
    summary: 'Get a subscription',
    params: S.IdParams,
    responses: { 200: ok(S.SubscriptionView) },
  },
  {
    operationId: 'updateSubscription',
    fn: 'subscriptions',
    method: 'PATCH',
    path: '/v1/subscriptions/{id}',
    auth: 'tenant',
    tag: 'subscriptions',
    summary: 'Change families or extend lifetime',
    params: S.IdParams,
    body: S.SubscriptionPatch,
    responses: { 200: ok(S.SubscriptionView) },
  },
  {
    operationId: 'deleteSubscription',
    fn: 'subscriptions',
    method: 'DELETE',
    path: '/v1/subscriptions/{id}',
    auth: 'tenant',
    tag: 'subscriptions',
    summary: 'End a subscription',
    params: S.IdParams,
    responses: { 204: noContent },
  },

  {
    operationId: 'listEvents',
    fn: 'events',
    method: 'GET',
    path: '/v1/events',
    auth: 'tenant',
    tag: 'events',
    summary: 'Page through the event log of a link, in seq order',
    query: S.EventsQuery,
    responses: {
      200: ok(S.pageOf(BridgeEvent), 'Events, each a normalized event (also /v1/schemas/event.json)'),
    },
  },

  // Unified call control: validated here, executed by the connector that owns the link.
  {
    operationId: 'listLinkUsers',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Users the bridge knows on the link',
    params: S.LinkParams,
    responses: { 200: ok(S.pageOf(S.DirectoryUserView)) },
  },
  {
    operationId: 'listCalls',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users/{user}/calls',
    auth: 'tenant',
    tag: 'call control',
    summary: "A user's current calls",
    params: S.LinkUserParams,
    responses: { 200: ok(z.object({ items: z.array(S.Call) })) },
  },
  {
    operationId: 'dial',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Dial from the user to an address',
    params: S.LinkUserParams,
    body: S.DialBody,
    responses: { 201: ok(S.Dialed, 'Call placed') },
  },
  {
    operationId: 'getCall',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users/{user}/calls/{call}',
    auth: 'tenant',
    tag: 'call control',
    summary: 'One call',
    params: S.CallParams,
    responses: { 200: ok(S.Call) },
  },
  {
    operationId: 'answerCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/answer',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Answer an alerting call',
    params: S.CallParams,
    responses: { 204: noContent },
  },
  {
    operationId: 'holdCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/hold',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Hold an active call',
    params: S.CallParams,
    responses: { 204: noContent },
  },
  {
    operationId: 'retrieveCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/retrieve',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Retrieve a held call',
    params: S.CallParams,
    responses: { 204: noContent },
  },
  {
    operationId: 'releaseCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/release',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Release (hang up) a call',
    params: S.CallParams,
    responses: { 204: noContent },
  },
  {
    operationId: 'sendDtmf',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/dtmf',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Send DTMF digits',
    params: S.CallParams,
    body: S.DtmfBody,
    responses: { 204: noContent },
  },
  {
    operationId: 'transferCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/transfer',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Blind transfer to an address, or consultative transfer to another call',
    params: S.CallParams,
    body: S.TransferBody,
    responses: { 204: noContent },
  },
  {
    operationId: 'conferenceCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/conference',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Join two calls of the user into a three-way conference',
    params: S.CallParams,
    body: S.ConferenceBody,
    responses: { 204: noContent },
  },
  {
    operationId: 'tagDisposition',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/users/{user}/calls/{call}/disposition',
    auth: 'tenant',
    tag: 'call control',
    summary: "Tag an ACD call with a disposition code (the user is the call center's agent)",
    params: S.CallParams,
    body: S.DispositionBody,
    responses: { 204: noContent, 501: notSupported },
  },
  {
    operationId: 'getAgentState',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/agents/{agent}/state',
    auth: 'tenant',
    tag: 'call control',
    summary: "An ACD agent's state",
    params: S.AgentParams,
    responses: { 200: ok(S.AgentStateView) },
  },
  {
    operationId: 'setAgentState',
    fn: 'calls',
    method: 'PUT',
    path: '/v1/links/{link}/agents/{agent}/state',
    auth: 'tenant',
    tag: 'call control',
    summary: "Set an ACD agent's state",
    params: S.AgentParams,
    body: S.AgentStateBody,
    responses: { 200: ok(S.AgentStateView) },
  },
  {
    operationId: 'getDnd',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users/{user}/dnd',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Do Not Disturb',
    params: S.LinkUserParams,
    responses: { 200: ok(S.DndView) },
  },
  {
    operationId: 'setDnd',
    fn: 'calls',
    method: 'PUT',
    path: '/v1/links/{link}/users/{user}/dnd',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Set Do Not Disturb',
    params: S.LinkUserParams,
    body: S.DndBody,
    responses: { 200: ok(S.DndView) },
  },
  {
    operationId: 'getForwarding',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users/{user}/forwarding/{type}',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Call forwarding (always, busy, no-answer)',
    params: S.ForwardingParams,
    responses: { 200: ok(S.ForwardingView) },
  },
  {
    operationId: 'setForwarding',
    fn: 'calls',
    method: 'PUT',
    path: '/v1/links/{link}/users/{user}/forwarding/{type}',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Set call forwarding',
    params: S.ForwardingParams,
    body: S.ForwardingBody,
    responses: { 200: ok(S.ForwardingView) },
  },
  // Queue control: live vendor data and actions on a call-center queue (the queue is the vendor's id of
  // the ACD / call center). Vendors that cannot do it answer 501 naming the vendor.
  {
    operationId: 'listQueueCalls',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/queues/{queue}/calls',
    auth: 'tenant',
    tag: 'queue control',
    summary: 'The calls waiting in a queue, in queue order (live, not paginated)',
    params: S.QueueParams,
    responses: { 200: ok(S.QueuedCalls), 501: notSupported },
  },
  {
    operationId: 'reorderQueueCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/queues/{queue}/calls/{call}/reorder',
    auth: 'tenant',
    tag: 'queue control',
    summary: 'Move a queued call to a position',
    params: S.QueueCallParams,
    body: S.ReorderBody,
    responses: { 204: noContent, 501: notSupported },
  },
  {
    operationId: 'promoteQueueCall',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/queues/{queue}/calls/{call}/promote',
    auth: 'tenant',
    tag: 'queue control',
    summary: 'Promote a queued call (the vendor raises its priority)',
    params: S.QueueCallParams,
    responses: { 204: noContent, 501: notSupported },
  },
  {
    operationId: 'removeQueueCall',
    fn: 'calls',
    method: 'DELETE',
    path: '/v1/links/{link}/queues/{queue}/calls/{call}',
    auth: 'tenant',
    tag: 'queue control',
    summary: 'Take a call out of the queue, optionally transferring it to `to`',
    params: S.QueueCallParams,
    query: S.QueueCallRemoveQuery,
    responses: { 204: noContent, 501: notSupported },
  },
  {
    operationId: 'getCallData',
    fn: 'calls',
    method: 'GET',
    path: '/v1/links/{link}/users/{user}/calls/{call}/data',
    auth: 'tenant',
    tag: 'call control',
    summary: "The call's associated data (user data, the screen-pop payload)",
    params: S.CallParams,
    responses: { 200: ok(S.CallDataView), 501: notSupported },
  },
  {
    operationId: 'setCallData',
    fn: 'calls',
    method: 'PUT',
    path: '/v1/links/{link}/users/{user}/calls/{call}/data',
    auth: 'tenant',
    tag: 'call control',
    summary: "Set the call's associated data; answered once the vendor confirmed it",
    params: S.CallParams,
    body: S.CallDataBody,
    responses: { 200: ok(S.CallDataView), 501: notSupported },
  },
  {
    operationId: 'selectRoute',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/routes/{call}/select',
    auth: 'tenant',
    tag: 'routing',
    summary:
      'Answer a pending route.request: answered once the vendor routed the call (route.used), 409 once the request is no longer pending (routed, defaulted at its deadline), 422 when the vendor rejects the route',
    params: S.RouteParams,
    body: S.RouteSelectBody,
    responses: { 200: ok(S.RouteSelectView), 501: notSupported },
  },
  {
    operationId: 'rawRequest',
    fn: 'calls',
    method: 'POST',
    path: '/v1/links/{link}/raw',
    auth: 'tenant',
    tag: 'call control',
    summary: 'Pass one vendor-native request through',
    params: S.LinkParams,
    body: S.RawBody,
    responses: { 200: ok(S.RawResult) },
  },
];

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

/**
 * API Gateway's catch-all route key: requests no route matches (an unknown path, or a known path with
 * another method) go to the `meta` function, which answers 404 or 405 with `Allow` as a problem.
 */
export const DEFAULT_ROUTE_KEY = '$default';

/**
 * The methods the manifest has for a concrete path (`/v1/links/abc`), in manifest order; empty when no
 * route has that path.
 *
 * @example
 * allowedMethods('/v1/links/abc'); // ['GET', 'PATCH', 'DELETE']
 */
export function allowedMethods(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const methods = new Set<string>();
  for (const r of ROUTES) {
    const segs = r.path.split('/').filter(Boolean);
    if (segs.length !== parts.length) continue;
    if (segs.every((seg, i) => /^\{[^}]+\}$/.test(seg) || seg === parts[i])) methods.add(r.method);
  }
  return [...methods];
}
export const routesOf = (fn: FunctionName) => ROUTES.filter((r) => r.fn === fn);
