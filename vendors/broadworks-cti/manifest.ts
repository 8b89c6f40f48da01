/**
 * The `broadworks-cti` vendor (Cisco BroadWorks CTI). Its options are one schema for the driver (which applies the defaults) and the
 * control API (which validates a link's `options` strictly against the same fields, without defaults).
 */
import { z } from 'zod';
import { defineVendor, UsernamePassword } from '../manifest.js';
import { apiOptionsOf } from '../options.js';

/** Xsi URI prefixes (the specification prints the actions prefix; the events prefix is inferred). */
export const BROADWORKS_DEFAULT_PREFIXES = {
  actions: '/com.broadsoft.xsi-actions/v2.0',
  events: '/com.broadsoft.xsi-events/v2.0',
} as const;

const UserEntry = z.object({
  id: z.string().min(1),
  extension: z.string().optional(),
  name: z.string().optional(),
  number: z.string().optional(),
});

export const BroadWorksCtiOptions = z.object({
  applicationId: z.string().min(1).optional(),
  channelSetId: z.string().min(1).optional(),
  channelExpires: z.number().int().positive().default(3600),
  subscriptionExpires: z.number().int().positive().default(3600),
  channelPriority: z.number().int().min(1).max(100).default(1),
  channelWeight: z.number().int().min(1).max(100).default(50),
  refreshRatio: z.number().gt(0).lt(1).default(0.8),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  keepaliveIntervalMs: z.number().int().nonnegative().default(30_000),
  keepaliveMaxMisses: z.number().int().positive().default(3),
  collateWindowMs: z.number().int().nonnegative().default(500),
  resubscribeDelayMs: z.number().int().nonnegative().default(1000),
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().optional(),
  callPackage: z.enum(['Advanced Call', 'Standard Call', 'Basic Call']).default('Advanced Call'),
  version: z.string().default('17.0'),
  uriPrefix: z.string().default(BROADWORKS_DEFAULT_PREFIXES.actions),
  eventsUriPrefix: z.string().default(BROADWORKS_DEFAULT_PREFIXES.events),
  serviceProviderId: z.string().optional(),
  authProbe: z.boolean().default(true),
  users: z.array(UserEntry).optional(),
});
export type BroadWorksCtiOptions = z.infer<typeof BroadWorksCtiOptions>;

/** The API view: the same fields, all optional, no defaults, unknown fields rejected. */
export const BroadWorksCtiLinkOptions = apiOptionsOf(BroadWorksCtiOptions);

export default defineVendor({
  id: 'broadworks-cti',
  title: 'Cisco BroadWorks CTI interface: XML over a TCP/TLS socket',
  schemes: ['tcp', 'tls'],
  endpointHint: 'the CTI interface of the Application Server',
  credentials: z.strictObject({ ...UsernamePassword, applicationId: z.string().max(128).optional() }),
  options: BroadWorksCtiOptions,
  raw: '{method, uri, params?, payload?}: one Xsi request, answered with its status and body',
  eventsPerSubscription: true,
  doc: 'docs/protocols/broadworks-cti.md',
});
