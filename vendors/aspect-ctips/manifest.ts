/**
 * The `aspect-ctips` vendor (Aspect Unified IP CTI Portal Server, CTIPS): SOAP 1.1 requests to the
 * CTIPS service (WCF basicHttpBinding), events as SOAP calls from CTIPS to a callback service the
 * client hosts: here the connector's callback listener, routed to the link's driver. One options schema
 * serves the driver (which applies the defaults) and the control API (strict, without defaults).
 *
 * No per-user sessions: CTIPS has one connection per client (at most 10 per server), and agents log in
 * to stations through a command (`setAgentState` `sign-in`, LoginAgent), not through a user login.
 */
import { z } from 'zod';
import { defineVendor, UsernamePassword } from '../manifest.js';
import { apiOptionsOf } from '../options.js';

const ServiceUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s)://host:port/path URL');

export const AspectCtipsOptions = z.object({
  /** Further CTIPS service URLs (active/active, L294-305): tried in turn after the endpoint. */
  failover: z.array(ServiceUrl).max(8).default([]),
  /**
   * The base URL CTIPS calls back (the connector as the PBX reaches it, e.g. an internal load balancer
   * over VPN); the link's path `/v1/callbacks/{tenant}/{link}/events/<token>` is appended. Default: the
   * connector's BRIDGE_CALLBACK_PUBLIC_URL, else its listener's own (loopback) URL.
   */
  callbackUrl: z
    .string()
    .max(1024)
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'an http(s)://host:port[/prefix] URL')
    .optional(),
  /** The tenant every request names (CTIPS is single-tenant, L450-456). */
  tenantId: z.number().int().min(0).max(2_147_483_647).default(1),
  /** The message classes subscribed after each (re)connect (AddMessageClass, L528-564). */
  messageClasses: z
    .array(z.enum(['EventCategoryAgent', 'EventCategoryCall', 'EventCategoryRoute', 'EventCategorySystem']))
    .min(1)
    .max(4)
    .default(['EventCategoryAgent', 'EventCategoryCall', 'EventCategoryRoute', 'EventCategorySystem']),
  /** Filters resubmitted after each (re)connect (AddFilter, L566-609); none: every event of the classes. */
  filters: z
    .array(
      z.strictObject({
        fieldType: z.enum(['FT_AGENT_ID', 'FT_SERVICE_ID', 'FT_SWITCH_ID']),
        value: z.string().min(1).max(256),
      }),
    )
    .max(64)
    .default([]),
  /** No HeartbeatMessage for this long = the connection is lost (default interval 30 s × 3 missed, L2565, plus margin). */
  heartbeatTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
  /** Wait for a synchronous SOAP answer. */
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** How long a command waits for the event that shows its outcome before answering 504. */
  outcomeTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** How long connect() waits for the StartSession callback and for the snapshot to complete. */
  startTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /**
   * The longest the bridge waits for a route decision (API or routing webhook) on a RouteRequest; at
   * most the request's RouteTimeout less a second. Then it answers RouteSelect(RouteToDefault): the call
   * takes CTIPS's default routing, and a later decision is refused (409), never sent late.
   */
  routeDeadlineMs: z.number().int().min(0).max(600_000).default(8_000),
  /** Namespace and contract-name overrides (the document names none, see the protocol doc). */
  namespaces: z
    .strictObject({
      service: z.string().min(1).max(512).optional(),
      serviceContract: z.string().min(1).max(128).optional(),
      data: z.string().min(1).max(512).optional(),
      callback: z.string().min(1).max(512).optional(),
      callbackContract: z.string().min(1).max(128).optional(),
    })
    .default({}),
  /** Stations agents log in to, by agent login name (sign-in; default: a station the agent used, else its name). */
  agentStations: z.record(z.string().min(1).max(256), z.string().min(1).max(256)).default({}),
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().max(65_536).optional(),
  /** Largest accepted SOAP answer and callback body, bytes. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
});
export type AspectCtipsOptions = z.infer<typeof AspectCtipsOptions>;

/** The API view: the same fields, all optional, no defaults, unknown fields rejected. */
export const AspectCtipsLinkOptions = apiOptionsOf(AspectCtipsOptions);

export default defineVendor({
  id: 'aspect-ctips',
  title:
    'Aspect Unified IP CTI Portal Server (CTIPS): SOAP requests, events as SOAP calls to the connector callback listener',
  schemes: ['http', 'https'],
  endpointHint:
    'the CTIPS service URL, http(s)://host:port/path (e.g. http://ctips:8170/Aspect.UnifiedIP.EDK.CTIPortalService); needs the connector callback listener (BRIDGE_CALLBACK_PORT, BRIDGE_CALLBACK_PUBLIC_URL)',
  // The Active Directory account added to the CTIPS configuration (L330), sent in OpenConnection.
  credentials: z.strictObject(UsernamePassword),
  options: AspectCtipsOptions,
  raw: '{operation, body?}: one CTIPS request (e.g. GetCallData) with the fields of its Args; SessionId, TenantId and RequestId are filled in; answered {status, body: the result}',
  targets: ['user', 'queue', 'routePoint', 'system'],
  doc: 'docs/protocols/aspect-ctips.md',
});
