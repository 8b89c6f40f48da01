/**
 * The `avaya-mtcti3` vendor (Avaya IP Office MTCTI-3). Its options are one schema for the driver (which applies the defaults) and the
 * control API (which validates a link's `options` strictly against the same fields, without defaults).
 */
import { z } from 'zod';
import { defineVendor, UsernamePassword } from '../manifest.js';
import { apiOptionsOf } from '../options.js';

const UserEntry = z.object({
  id: z.string().min(1),
  extension: z.string().optional(),
  name: z.string().optional(),
  number: z.string().optional(),
});

export const AvayaMtcti3Options = z.object({
  /** `tpkt`: path /tpkt/openapi with the 4-octet header; `none`: path /tpkt/openapinoframing, bare protobuf. */
  framing: z.enum(['tpkt', 'none']).default('tpkt'),
  /** Answer timeout of requests carrying a requestid (and of the first Lines notify). */
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Subscription timeout, seconds (0 = never expires); subscriptions are refreshed at refreshRatio of it. */
  subscriptionTimeoutSec: z.number().int().min(0).max(86_400).default(3600),
  refreshRatio: z.number().gt(0).lt(1).default(0.8),
  /** SubscribeUser.flags (0x02 = forwarding details, needed for service events). */
  userFlags: z.number().int().min(0).default(0x02),
  /** SubscribeUser.ccflags (the document recommends 0x99: primary, conference, dial info, language). */
  userCcflags: z.number().int().min(1).default(0x99),
  /** SubscribeQueue.ccflags for watched queues (primary, targets, conference, queue info). */
  queueCcflags: z.number().int().min(1).default(0x4d),
  /** How long `dial` waits for the CallInfo that carries its referencecallid. */
  dialTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
  /** After a reconnect, how long resync waits for each user's first call snapshot. */
  resyncWaitMs: z.number().int().min(0).max(60_000).default(2000),
  /** RFC 6455 ping interval (the protocol has no keepalive of its own); 0 = off. */
  pingIntervalMs: z.number().int().min(0).max(600_000).default(30_000),
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().max(65_536).optional(),
  /** Directory fallback for listUsers before the Lines notify arrived (normally unused). */
  users: z.array(UserEntry).max(10_000).optional(),
});
export type AvayaMtcti3Options = z.infer<typeof AvayaMtcti3Options>;

/** The API view: the same fields, all optional, no defaults, unknown fields rejected. */
export const AvayaMtcti3LinkOptions = apiOptionsOf(AvayaMtcti3Options);

export default defineVendor({
  id: 'avaya-mtcti3',
  title: 'Avaya IP Office MTCTI-3: protobuf over a websocket',
  schemes: ['ws', 'wss'],
  endpointHint: 'ws(s)://host:port/tpkt/openapi (or /tpkt/openapinoframing) of the IP Office',
  credentials: z.strictObject({ ...UsernamePassword }),
  options: AvayaMtcti3Options,
  raw: '{kind, ...}: one MTCTI-3 request message by its oneof name, answered with the response',
  targets: ['user', 'queue', 'system'],
  doc: 'docs/protocols/avaya-mtcti3.md',
});
