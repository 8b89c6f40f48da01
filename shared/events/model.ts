/**
 * The normalized event model: one place, zod schemas as the single source for validation,
 * TypeScript types and the published JSON Schema (see `schemaDocument()`).
 *
 * Versioning: `EVENT_MODEL_VERSION` follows semver. Adding an event type or an optional field is a minor
 * change; renaming or removing one is a major change and gets a new envelope `specversion`.
 */
import { z } from 'zod';
import { VENDOR_IDS } from '../../vendors/index.js';

export const EVENT_MODEL_VERSION = '1.2.0';

/** The registered vendors (`vendors/index.ts`): the names events carry in `vendor.name`. */
export const VENDORS = VENDOR_IDS;
export const Vendor = z.enum(VENDORS);
export type Vendor = z.infer<typeof Vendor>;

export const TARGET_TYPES = ['user', 'group', 'queue', 'routePoint', 'system'] as const;
export const TargetType = z.enum(TARGET_TYPES);
export type TargetType = z.infer<typeof TargetType>;

export const EVENT_FAMILIES = ['call', 'conference', 'agent', 'queue', 'route', 'service', 'link'] as const;
export const EventFamily = z.enum(EVENT_FAMILIES);
export type EventFamily = z.infer<typeof EventFamily>;

export const Target = z.object({
  type: TargetType,
  id: z.string().min(1).max(256).optional(),
});
export type Target = z.infer<typeof Target>;

export const CallState = z.enum(['dialing', 'alerting', 'active', 'held', 'released']);
export type CallState = z.infer<typeof CallState>;

/**
 * Call-associated user data as key/value text (Aspect CTIPS: CTICallDataItem key/value, the 20 user
 * fields keyed "1".."20" when the vendor names them by position).
 */
export const UserData = z
  .record(z.string().min(1).max(64), z.string().max(4096))
  .refine((r) => Object.keys(r).length <= 64, 'at most 64 fields');
export type UserData = z.infer<typeof UserData>;

export const Call = z
  .object({
    id: z.string().describe('Vendor call id of this leg (BroadWorks callId)'),
    correlationId: z
      .string()
      .describe('Shared by every leg of one call (BroadWorks extTrackingId); use it to join both sides'),
    state: CallState,
    direction: z.enum(['inbound', 'outbound']),
    local: z.object({ user: z.string(), address: z.string().optional() }),
    remote: z.object({ address: z.string(), name: z.string().optional() }),
    startedAt: z.iso.datetime(),
    answeredAt: z.iso.datetime().optional(),
    releasedAt: z.iso.datetime().optional(),
    releaseCause: z.string().optional(),
    /** True when the vendor never showed the alerting phase (snapshot protocols). */
    alertingObserved: z.boolean().optional(),
    /** For calls that reached the user through a queue, route point or redirection. */
    via: z
      .object({ type: z.enum(['queue', 'routePoint', 'forwarded', 'transfer']), id: z.string().optional() })
      .optional(),
    userData: UserData.optional().describe(
      'Call-associated data (the screen-pop payload) where the vendor carries it: Aspect CTIPS call data',
    ),
  })
  .describe('One leg of a call, as seen by `local.user`');
export type Call = z.infer<typeof Call>;

const CallData = z.object({ call: Call });
const TransferData = z.object({
  call: Call,
  transfer: z.object({ mode: z.enum(['blind', 'consult']), to: z.string().optional() }).optional(),
});
const ForwardData = z.object({
  call: Call,
  forwardedTo: z.string().optional(),
  reason: z.string().optional(),
});
const ConferenceData = z.object({
  conference: z.object({
    id: z.string(),
    state: z.enum(['active', 'held', 'released']),
    calls: z.array(z.string()).describe('Call ids (legs of local.user) in the conference'),
    parties: z.array(z.object({ address: z.string(), name: z.string().optional() })).optional(),
  }),
  local: z.object({ user: z.string() }),
});
export const AgentStateValue = z.enum(['available', 'unavailable', 'wrap-up', 'sign-in', 'sign-out']);
export type AgentStateValue = z.infer<typeof AgentStateValue>;
const AgentData = z.object({
  agent: z.object({ id: z.string(), state: AgentStateValue, reason: z.string().optional() }),
});
const QueueCallData = z.object({
  queue: z.object({ id: z.string() }),
  call: z.object({
    id: z.string(),
    correlationId: z.string(),
    remote: z.object({ address: z.string(), name: z.string().optional() }),
    position: z.number().int().optional(),
    agent: z.string().optional().describe('Agent offered/answering, where known'),
    reason: z.string().optional(),
  }),
});
const RouteCall = z.object({
  id: z.string(),
  correlationId: z.string(),
  remote: z.object({ address: z.string() }),
  dnis: z.string().optional().describe('The number the caller dialled, where the vendor gives it'),
  userData: UserData.optional(),
});
const RouteData = z.object({
  routePoint: z.object({ id: z.string() }),
  call: RouteCall,
  deadline: z.iso
    .datetime()
    .optional()
    .describe(
      'Answer (POST /v1/links/{link}/routes/{call}/select, or a routing webhook) before this; later, the call is routed by default',
    ),
});
/** Where a routed call goes: the `route` of a route select. */
export const RouteChoice = z.strictObject({
  type: z.enum(['agent', 'service', 'external', 'default']),
  destination: z.string().min(1).max(256).optional(),
  userData: UserData.optional(),
});
export type RouteChoice = z.infer<typeof RouteChoice>;
/** A route an application selects (API or routing webhook): `destination` unless the type is `default`. */
export const RouteSelection = RouteChoice.refine((r) => r.type === 'default' || r.destination, {
  path: ['destination'],
  message: 'required unless type is default',
});
const RouteOutcomeData = z.object({
  routePoint: z.object({ id: z.string() }),
  call: z.object({ id: z.string(), correlationId: z.string() }),
  route: z
    .object({ type: RouteChoice.shape.type, destination: z.string().optional() })
    .optional()
    .describe('The route selected (used, rejected, failed) or taken by default'),
  by: z
    .enum(['api', 'webhook', 'timeout', 'vendor'])
    .optional()
    .describe('Who decided: the API, a routing webhook, the bridge at the deadline, or the vendor itself'),
  reason: z.string().optional().describe("The vendor's reject reason or failure type"),
});
const DndData = z.object({ user: z.string(), enabled: z.boolean() });
const ForwardingData = z.object({
  user: z.string(),
  kind: z.enum(['always', 'busy', 'no-answer']),
  enabled: z.boolean(),
  to: z.string().optional(),
});
const LinkData = z.object({
  status: z.enum(['up', 'down']),
  reason: z.string().optional(),
  resynced: z.boolean().optional(),
});
const SubscriptionTerminatedData = z.object({
  subscription: z.string().optional(),
  reason: z.string().optional(),
});

const SessionEndedData = z.object({
  state: z
    .enum(['ended', 'failed'])
    .describe('ended: the vendor ended it (forced logout); failed: logging in again was refused or gave up'),
  reason: z.string().describe("The vendor's reason or failure cause, as on the session record"),
  detail: z.string().optional().describe('What the reason means, where the vendor documents it'),
});

/** Every event type and the schema of its `data`. */
export const EVENT_DATA = {
  'call.originated': CallData,
  'call.received': CallData,
  'call.answered': CallData,
  'call.held': CallData,
  'call.retrieved': CallData,
  'call.transferred': TransferData,
  'call.forwarded': ForwardData,
  'call.updated': CallData,
  'call.released': CallData,
  'conference.started': ConferenceData,
  'conference.updated': ConferenceData,
  'conference.released': ConferenceData,
  'agent.state': AgentData,
  'queue.call.added': QueueCallData,
  'queue.call.offered': QueueCallData,
  'queue.call.answered': QueueCallData,
  'queue.call.abandoned': QueueCallData,
  'queue.call.removed': QueueCallData,
  'route.request': RouteData,
  'route.used': RouteOutcomeData,
  'route.rejected': RouteOutcomeData,
  'route.failed': RouteOutcomeData,
  'route.defaulted': RouteOutcomeData,
  'service.dnd': DndData,
  'service.forwarding': ForwardingData,
  'link.up': LinkData,
  'link.down': LinkData,
  'subscription.terminated': SubscriptionTerminatedData,
  'session.ended': SessionEndedData,
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** The family an event type belongs to (what a subscription's `events` selects). */
export function familyOf(type: EventType): EventFamily {
  if (type === 'subscription.terminated' || type === 'session.ended') return 'link';
  return type.split('.')[0] as EventFamily;
}

const VendorInfo = z.object({
  name: Vendor,
  event: z.string().describe('Vendor event name (e.g. CallReceivedEvent)'),
  id: z.string().optional().describe('Vendor event id, where the vendor has one'),
});

function envelope<T extends EventType>(type: T) {
  return z.object({
    specversion: z.literal('1'),
    id: z.string().describe('Unique and stable: the same event delivered twice keeps its id'),
    type: z.literal(type),
    time: z.iso.datetime(),
    tenant: z.string(),
    link: z.string(),
    target: Target,
    seq: z.number().int().nonnegative().describe('Increases per link'),
    data: EVENT_DATA[type],
    vendor: VendorInfo,
  });
}

const envelopes = EVENT_TYPES.map((t) => envelope(t));
export const BridgeEvent = z.discriminatedUnion(
  'type',
  envelopes as unknown as [ReturnType<typeof envelope>, ...ReturnType<typeof envelope>[]],
);
export type BridgeEvent<T extends EventType = EventType> = {
  specversion: '1';
  id: string;
  type: T;
  time: string;
  tenant: string;
  link: string;
  target: Target;
  seq: number;
  data: EventData<T>;
  vendor: z.infer<typeof VendorInfo>;
};

/** What a driver emits: the connector adds specversion, id, tenant, link and seq when it logs the event. */
export type EventDraft<T extends EventType = EventType> = {
  type: T;
  time?: string;
  target: Target;
  data: EventData<T>;
  vendor: z.infer<typeof VendorInfo>;
};

/** Validates a draft's data against its type (drivers call this in tests; the connector before logging). */
export function parseEventData<T extends EventType>(type: T, data: unknown): EventData<T> {
  return EVENT_DATA[type].parse(data) as EventData<T>;
}

/** JSON Schema (draft 2020-12) of the envelope, one `oneOf` branch per event type. */
export function schemaDocument(): Record<string, unknown> {
  return {
    $id: `https://cti-bridge.dev/schemas/event/${EVENT_MODEL_VERSION}`,
    title: 'cti-bridge normalized event',
    ...(z.toJSONSchema(BridgeEvent, { target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}
