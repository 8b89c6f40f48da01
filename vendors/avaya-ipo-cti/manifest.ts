/**
 * The `avaya-ipo-cti` vendor (Avaya IP Office CTI WebServices, the one-X Portal "inyama" Open API):
 * synchronous REST requests answered 202 with an empty body, outcomes as CSTA ECMA-323 XML events on a
 * WebSocket. One options schema serves the driver (which applies the defaults) and the control API
 * (which validates a link's options strictly against the same fields, without defaults).
 *
 * Two modes: `application`, where the link logs in once as an application user (CTILinkPro) that acts
 * for every device and receives every device's events, and `device`, where each user logs in on its
 * own (per-user sessions with a password; the link itself needs no credentials).
 */
import { z } from 'zod';
import { defineVendor } from '../manifest.js';
import { apiOptionsOf } from '../options.js';

export const AvayaIpoCtiOptions = z.object({
  /** `application` (one login for all devices, link credentials) or `device` (per-user sessions). */
  user: z.enum(['application', 'device']).default('application'),
  /** `applicationName` of every login (L790-795: not blank, at most 50 characters). */
  applicationName: z.string().min(1).max(50).default('cti-bridge'),
  /** `applicationVersion` of every login (the HA sample sends one, L8178); also the WebSocket's `clientVersion`. */
  applicationVersion: z.string().min(1).max(255).optional(),
  /** REST heartbeat of device-user sessions; the server deactivates a session silent for 4 min (L1372). */
  heartbeatIntervalMs: z
    .number()
    .int()
    .min(1000)
    .max(4 * 60_000 - 1)
    .default(60_000),
  /**
   * WebSocket keepalive: with it the URL carries `clientName`/`clientVersion` and a text goes out this
   * often (the server closes a socket silent for 30 s, L1425-1432); 0 = off (no query parameters).
   */
  wsKeepaliveMs: z.number().int().min(0).max(29_000).default(20_000),
  /** Wait for a synchronous REST answer. */
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** How long a command waits for the event that shows its outcome before answering 504. */
  outcomeTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** TCP/TLS connect and WebSocket handshake timeout. */
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** After a resync's GET snapshot, how long the driver collects the CallInformationEvents it caused. */
  snapshotWaitMs: z.number().int().min(0).max(60_000).default(1500),
  /** HA: delay before trying the other one-X server after a failure (L8274-8283). */
  failoverDelayMs: z.number().int().min(0).max(300_000).default(2000),
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().max(65_536).optional(),
  /** Largest accepted WebSocket frame and REST answer, bytes. */
  maxFrameBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
});
export type AvayaIpoCtiOptions = z.infer<typeof AvayaIpoCtiOptions>;

/** The API view: the same fields, all optional, no defaults, unknown fields rejected. */
export const AvayaIpoCtiLinkOptions = apiOptionsOf(AvayaIpoCtiOptions);

export default defineVendor({
  id: 'avaya-ipo-cti',
  title:
    'Avaya IP Office CTI WebServices (one-X Portal Open API): REST requests, CSTA XML events over a WebSocket',
  schemes: ['http', 'https'],
  endpointHint: 'the one-X Portal server, http(s)://host:port (samples: 8080 for http, 9443 for https)',
  // The application user (L539-548); the field limits of the login (L790-795). Device-user links need none.
  credentials: z.strictObject({
    username: z.string().min(1).max(15).optional(),
    password: z.string().max(15).optional(),
  }),
  options: AvayaIpoCtiOptions,
  raw: '{method, path, body?, user?}: one REST request below the server (e.g. /inyama/service/snapshot), sent with the session header, answered {status, body}',
  sessions: {
    credentials: z.strictObject({ password: z.string().max(15) }),
    options: z.strictObject({
      /** The IP Office user name the login sends (default: the session's user). */
      userName: z.string().min(1).max(15).optional(),
    }),
    // A device user receives only its own events, and only while logged in (L520-534).
    requiredForUserTargets: (linkOptions) => linkOptions['user'] === 'device',
  },
  targets: ['user', 'queue', 'system'],
  doc: 'docs/protocols/avaya-ipo-cti.md',
});
