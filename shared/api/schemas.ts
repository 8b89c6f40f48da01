/**
 * Control API v1 schemas: the single source for request validation, TypeScript types and the
 * OpenAPI 3.1 document (shared/api/openapi.ts). Request objects are strict: unknown fields are rejected.
 */
import { z } from 'zod';
import { VENDOR_MANIFESTS } from '../../vendors/index.js';
import type { VendorManifest } from '../../vendors/manifest.js';
import { apiOptionsOf } from '../../vendors/options.js';
import {
  EventFamily,
  Target,
  TargetType,
  VENDORS,
  AgentStateValue,
  Call,
  RouteChoice,
  RouteSelection,
  UserData,
} from '../events/model.js';

/** Documented TTL ranges (seconds). */
export const TTL = {
  session: { min: 60, max: 86_400, default: 3_600 },
  channel: { min: 60, max: 31_536_000, default: 86_400 },
  subscription: { min: 60, max: 31_536_000, default: 86_400 },
} as const;

const ttl = (r: { min: number; max: number; default: number }) =>
  z
    .number()
    .int()
    .min(r.min)
    .max(r.max)
    .describe(`Lifetime in seconds from now, ${r.min}..${r.max} (default ${r.default})`);

export const Slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'lower-case letters, digits, "-" and "_", 1..63 characters, starting alphanumeric',
  );

export const IsoTime = z.iso.datetime();

// ---------- pagination ----------
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 1..200 (default 50)'),
  cursor: z.string().max(2048).optional().describe('Opaque cursor from a previous page'),
});
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('null on the last page') });

// ---------- health ----------
export const Health = z.object({ status: z.literal('ok'), version: z.string(), time: IsoTime });

// ---------- tenants ----------
export const TenantCreate = z.strictObject({ id: Slug, name: z.string().min(1).max(200).optional() });
export const TenantView = z.object({ id: z.string(), name: z.string().nullable(), createdAt: IsoTime });
export const KeyCreate = z.strictObject({ name: z.string().min(1).max(200).optional() });
export const KeyCreated = z.object({
  id: z.string(),
  tenant: z.string(),
  name: z.string().nullable(),
  createdAt: IsoTime,
  key: z.string().describe('The API key. Shown once: only its hash is stored.'),
});
export const TenantParams = z.strictObject({ tenant: Slug });
export const KeyParams = z.strictObject({ tenant: Slug, keyId: z.string().min(1).max(64) });

// ---------- links ----------
export const Vendor = z.enum(VENDORS);
const schemesOf = (m: VendorManifest) => m.schemes.map((s) => `${s}://`).join(' or ');
const endpointFor = (vendor: (typeof VENDORS)[number]) => {
  const m = VENDOR_MANIFESTS.find((v) => v.id === vendor)!;
  return z
    .string()
    .max(2048)
    .refine(
      (s) => {
        try {
          const u = new URL(s);
          return m.schemes.includes(u.protocol.replace(/:$/, '')) && u.hostname.length > 0;
        } catch {
          return false;
        }
      },
      `must be a URL with scheme ${schemesOf(m)} and a host`,
    )
    .describe(`${schemesOf(m)} URL: ${m.endpointHint}`);
};

/** Per-vendor credentials (write-only) and options (strict, no defaults), from each vendor's manifest. */
export const VENDOR_SCHEMAS = Object.fromEntries(
  VENDOR_MANIFESTS.map((m) => [m.id, { credentials: m.credentials, options: apiOptionsOf(m.options) }]),
) as Record<(typeof VENDORS)[number], { credentials: z.ZodObject; options: z.ZodObject }>;

/** Link credentials: required, unless the vendor has none at link level (CAP logs users in per session). */
const linkCredentialsOf = (v: (typeof VENDORS)[number]) => {
  const c = VENDOR_SCHEMAS[v].credentials;
  return c.safeParse({}).success
    ? c.default({}).describe('Write-only: never returned. Optional: this vendor needs none at link level')
    : c.describe('Write-only: never returned');
};

const linkCreateOf = (v: (typeof VENDORS)[number]) =>
  z.strictObject({
    id: Slug,
    vendor: z.literal(v),
    endpoint: endpointFor(v),
    credentials: linkCredentialsOf(v),
    options: VENDOR_SCHEMAS[v].options.optional(),
  });

/** One branch per registered vendor; any other `vendor` is refused naming the supported ones. */
export const LinkCreate = z.discriminatedUnion(
  'vendor',
  VENDORS.map(linkCreateOf) as unknown as [z.ZodObject, ...z.ZodObject[]],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unsupported vendor: supported vendors are ${VENDORS.join(', ')}`
        : undefined,
  },
);
export type LinkCreate = {
  id: string;
  vendor: (typeof VENDORS)[number];
  endpoint: string;
  credentials: { username: string; password: string } & Record<string, string>;
  options?: Record<string, unknown>;
};
/** PATCH body; the vendor-specific parts are checked against the link's vendor in the handler. */
export const LinkPatch = z.strictObject({
  endpoint: z.string().max(2048).optional(),
  credentials: z.record(z.string(), z.string()).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export const LinkParams = z.strictObject({ link: Slug });
export const LinkView = z.object({
  id: z.string(),
  vendor: Vendor,
  endpoint: z.string(),
  options: z.record(z.string(), z.unknown()),
  status: z.enum(['connecting', 'up', 'down']),
  since: IsoTime,
  lastError: z.string().nullable(),
  lastEventAt: IsoTime.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export { endpointFor };

// ---------- sessions ----------
export const SessionCreate = z.strictObject({
  link: Slug,
  user: z.string().min(1).max(256),
  ttlSeconds: ttl(TTL.session).optional(),
  credentials: z
    .record(z.string(), z.string().max(4096))
    .optional()
    .describe(
      "The user's login, as the link vendor's `sessions.credentials` declares it (write-only: never returned). Only vendors with per-user login take it.",
    ),
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The vendor's per-user login options (`sessions.options` of its manifest)."),
});
export const SessionRefresh = z.strictObject({ ttlSeconds: ttl(TTL.session).optional() });
export const SessionStateValue = z
  .enum(['logging-in', 'active', 'failed', 'ended'])
  .describe(
    'logging-in: waiting for the vendor (or for a connector to own the link); active: the vendor accepted the login; failed: the vendor refused it (`reason`); ended: logged out by the vendor or expired (`reason`)',
  );
export const SessionView = z.object({
  id: z.string(),
  link: z.string(),
  user: z.string(),
  options: z.record(z.string(), z.unknown()),
  state: SessionStateValue,
  reason: z.string().nullable().describe("The vendor's cause of `failed` / `ended`; null otherwise"),
  stateAt: IsoTime,
  ttlSeconds: z.number().int(),
  expiresAt: IsoTime,
  createdAt: IsoTime,
});
export const IdParams = z.strictObject({ id: z.string().min(1).max(128) });

// ---------- channels ----------
const WebhookSecret = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{32,86}={0,2}$/,
    'a Standard Webhooks secret: "whsec_" + base64 of 24..64 bytes',
  );
const WsFraming = z.enum(['single', 'batch']);
export const ChannelCreate = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('websocket'),
    ttlSeconds: ttl(TTL.channel).optional(),
    framing: WsFraming.optional().describe(
      '`single` (default): one event frame per WebSocket message. `batch`: event frames travel in `events` messages, ' +
        'each carrying the consecutive frames ready at that moment (one or more; at most the 128 KiB message limit), ' +
        'so a busy connection is not limited by one PostToConnection per event',
    ),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.string().max(2048).describe('http(s) URL that receives the events (https only in AWS)'),
    secret: WebhookSecret.optional().describe('Generated when omitted'),
    ttlSeconds: ttl(TTL.channel).optional(),
    routing: z
      .boolean()
      .optional()
      .describe(
        'Webhook routing: a `route.request` delivery may be answered with `{"route": {type, destination?, userData?}}` ' +
          "in the 2xx response body, before the event's `deadline`; the connector sends that route select at once. " +
          'No answer, a bad or a late one leaves the call to default routing, recorded on the delivery',
      ),
  }),
]);
export const ChannelPatch = z.strictObject({ ttlSeconds: ttl(TTL.channel) });
export const ChannelView = z.object({
  id: z.string(),
  type: z.enum(['websocket', 'webhook']),
  url: z
    .string()
    .describe('websocket: the URL to open (carries the token on creation only); webhook: the target'),
  connectionId: z.string().nullable().optional().describe('websocket: live connection id, null when none'),
  framing: WsFraming.optional().describe('websocket: how event frames are sent (see channel creation)'),
  ttlSeconds: z.number().int(),
  expiresAt: IsoTime,
  createdAt: IsoTime,
  status: z
    .enum(['active', 'disabled'])
    .optional()
    .describe('Delivery state; `disabled` after 410 Gone or continuous failure (webhook)'),
  disabledReason: z.string().nullable().optional(),
  routing: z.boolean().optional().describe('webhook: answers to route.request deliveries route the call'),
});
export const ChannelCreated = ChannelView.extend({
  token: z.string().optional().describe('websocket: the connection token (shown once)'),
  secret: z.string().optional().describe('webhook: the whsec_ signing secret (shown once)'),
});

export const SecretRotated = z.object({
  secret: z.string().describe('The new whsec_ signing secret (shown once)'),
  previousSecretValidUntil: IsoTime.describe('Until then requests carry both signatures'),
});
export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const DeliveriesQuery = PageQuery.extend({ status: DeliveryStatus.optional() });
export const DeliveryView = z.object({
  seq: z.number().int().describe("The channel's seq (WebSocket frames carry it as channelSeq)"),
  eventId: z.string().describe('= webhook-id'),
  eventType: z.string(),
  link: z.string(),
  eventSeq: z.number().int(),
  status: DeliveryStatus,
  attempts: z.array(
    z.object({
      at: IsoTime,
      statusCode: z.number().int().nullable(),
      latencyMs: z.number().int(),
      error: z.string().nullable(),
      routing: z
        .string()
        .optional()
        .describe(
          'Webhook routing of a route.request: `routed`, or why the call was left to default routing',
        ),
    }),
  ),
  attemptCount: z.number().int(),
  nextAttemptAt: IsoTime.nullable(),
  createdAt: IsoTime,
  settledAt: IsoTime.nullable(),
});
export const ReplayBody = z.strictObject({
  after: z
    .number()
    .int()
    .min(0)
    .describe('Re-send events with event-log seq > after, on every link the channel subscribes to'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Most events queued by this request, 1..1000 (default 1000)'),
});
export const ReplayResult = z.object({
  queued: z.number().int(),
  links: z.array(z.object({ link: z.string(), lastSeq: z.number().int().nullable() })),
  truncated: z.boolean().describe('More events remain: call again with after = the lowest lastSeq'),
});

// ---------- subscriptions ----------
export const SubscriptionCreate = z
  .strictObject({
    channel: z.string().min(1).max(128),
    link: Slug,
    target: z.strictObject({ type: TargetType, id: z.string().min(1).max(256).optional() }),
    events: z.array(EventFamily).min(1).max(7),
    ttlSeconds: ttl(TTL.subscription).optional(),
  })
  .superRefine((v, ctx) => {
    if (['user', 'queue', 'routePoint'].includes(v.target.type) && !v.target.id)
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'id'],
        message: `required for target type ${v.target.type}`,
      });
    if (v.target.type === 'system' && v.target.id)
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'id'],
        message: 'must be omitted for target type system',
      });
    if (new Set(v.events).size !== v.events.length)
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'must not repeat a family' });
  });
export const SubscriptionPatch = z
  .strictObject({
    events: z.array(EventFamily).min(1).max(7).optional(),
    ttlSeconds: ttl(TTL.subscription).optional(),
  })
  .refine((v) => v.events !== undefined || v.ttlSeconds !== undefined, {
    message: 'give events or ttlSeconds',
  });
export const SubscriptionQuery = PageQuery.extend({ channel: z.string().min(1).max(128).optional() });
export const SubscriptionView = z.object({
  id: z.string(),
  channel: z.string(),
  link: z.string(),
  target: Target,
  events: z.array(EventFamily),
  ttlSeconds: z.number().int(),
  expiresAt: IsoTime,
  createdAt: IsoTime,
  state: z
    .enum(['pending', 'active', 'failed'])
    .describe(
      "`active`: the vendor delivers the target's events; `pending`: not applied yet (no connector owns the link, or the vendor subscription is being retried); `failed`: the vendor refused it (`stateReason`)",
    ),
  stateReason: z.string().nullable().describe("The vendor's reason when `failed` (or while retried)"),
});

// ---------- events ----------
export const EventsQuery = z.strictObject({
  link: Slug,
  after: z.coerce.number().int().min(0).optional().describe('Return events with seq > after'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('1..500 (default 100)'),
  cursor: z.string().max(2048).optional(),
});

// ---------- call control ----------
const VendorId = z.string().min(1).max(256);
export const LinkUserParams = z.strictObject({ link: Slug, user: VendorId });
export const CallParams = z.strictObject({ link: Slug, user: VendorId, call: VendorId });
export const AgentParams = z.strictObject({ link: Slug, agent: VendorId });
export const ForwardingType = z.enum(['always', 'busy', 'no-answer']);
export const ForwardingParams = z.strictObject({ link: Slug, user: VendorId, type: ForwardingType });
const Address = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9+*#@._:;=-]+$/, 'a number, extension or SIP-style address');
export const DialBody = z.strictObject({ to: Address });
export const Dialed = z.object({ callId: z.string(), correlationId: z.string() });
export const DtmfBody = z.strictObject({
  digits: z.string().regex(/^[0-9*#A-Da-d]{1,64}$/, 'DTMF digits 0-9 * # A-D, 1..64'),
});
export const TransferBody = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('blind'), to: Address }),
  z.strictObject({
    mode: z.literal('consult'),
    withCall: VendorId.describe('The consultation call of the same user'),
  }),
]);
export const ConferenceBody = z.strictObject({ withCall: VendorId });
export const AgentStateBody = z.strictObject({
  state: AgentStateValue,
  reason: z.string().min(1).max(128).optional(),
});
export const AgentStateView = z.object({ state: AgentStateValue, reason: z.string().optional() });
export const DndBody = z.strictObject({ enabled: z.boolean() });
export const DndView = z.object({ enabled: z.boolean() });
export const ForwardingBody = z
  .strictObject({ enabled: z.boolean(), to: Address.optional() })
  .refine((v) => !v.enabled || v.to, { path: ['to'], message: 'required when enabled' });
export const ForwardingView = z.object({ enabled: z.boolean(), to: z.string().optional() });
export const DirectoryUserView = z.object({
  id: z.string(),
  extension: z.string().optional(),
  name: z.string().optional(),
  number: z.string().optional(),
});
export const DispositionBody = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(128)
    .regex(/^\P{Cc}+$/u, 'no control characters')
    .describe(
      "A disposition code configured on the vendor's call center (e.g. BroadWorks ACD disposition codes)",
    ),
});

// ---------- queue control ----------
export const QueueParams = z.strictObject({ link: Slug, queue: VendorId });
export const QueueCallParams = z.strictObject({ link: Slug, queue: VendorId, call: VendorId });
export const QueuedCall = z.object({
  id: z.string().describe("The vendor's id of the queued call (use it as `{call}`)"),
  position: z.number().int().min(1).describe('1-based position in the queue (1: next to be distributed)'),
  from: z.string().optional().describe("The caller's number, as the vendor gave it"),
  fromName: z.string().optional(),
  dnis: z.string().optional().describe('The dialled number (DNIS), when the vendor gives it'),
  dnisName: z.string().optional(),
  enteredAt: IsoTime.optional().describe('When the call entered the queue'),
  priority: z.number().int().optional().describe('Vendor priority, when given (lower is more urgent)'),
});
export const QueuedCalls = z
  .object({ items: z.array(QueuedCall).describe('In queue order (position 1 first)') })
  .describe('The queue as the vendor reports it now: live data, not paginated (no cursor)');
export const ReorderBody = z.strictObject({
  position: z
    .number()
    .int()
    .min(1)
    .describe('The wanted 1-based position; the vendor may place the call elsewhere as the queue moves'),
});
export const QueueCallRemoveQuery = z.strictObject({
  to: Address.optional().describe(
    'Transfer the call to this number as it leaves the queue; without it the vendor removes the call from the queue as its own queue removal does (typically releasing it)',
  ),
});
export const CallDataBody = z.strictObject({
  userData: UserData.describe(
    'Call-associated data by key (Aspect CTIPS: the 20 user fields, keys "1".."20"; SetCallData replaces them)',
  ),
});
export const CallDataView = z.object({ userData: UserData });
export const RouteParams = z.strictObject({ link: Slug, call: VendorId });
export const RouteSelectBody = RouteSelection.describe(
  "Where the call goes: an agent (login name, id or station), a service (id), an external number, or the vendor's default routing",
);
export const RouteSelectView = z.object({ outcome: z.literal('used'), route: RouteChoice });

export const RawBody = z
  .record(z.string(), z.unknown())
  .describe(
    `One vendor-native request, by the link's vendor: ${VENDOR_MANIFESTS.map((m) => `${m.id}: ${m.raw}`).join('; ')}`,
  );
export const RawResult = z.object({ status: z.number().int(), body: z.unknown() });

export { AgentStateValue, Call };

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z
    .array(z.object({ pointer: z.string(), field: z.string(), detail: z.string() }))
    .optional()
    .describe('The failing fields'),
});
