/**
 * The `broadworks-cap` vendor (BroadWorks Client Application Protocols, CAP-C and CCC2). One options
 * schema serves the driver (which applies the defaults) and the control API (which validates a link's
 * options strictly against the same fields, without defaults).
 *
 * Two modes: `cap-c`, where the bridge logs each user in on the Open Client Server (per-user sessions
 * with a password; the link itself needs no credentials), and `ccc2`, where the bridge is a trusted
 * server farm connected straight to the Application Server with no authentication at all.
 */
import { z } from 'zod';
import { defineVendor } from '../manifest.js';
import { apiOptionsOf } from '../options.js';

export const BroadWorksCapOptions = z.object({
  /** `cap-c` (per-user login on the OCS) or `ccc2` (trusted server farm, no login). */
  mode: z.enum(['cap-c', 'ccc2']).default('cap-c'),
  /** TCP connections to open; CCC2 spreads the server's messages over them round-robin (spec: up to two by default). */
  connections: z.number().int().min(1).max(10).default(2),
  /** The `applicationId` of CAP-C messages (CCC2 sends none). */
  applicationId: z.string().min(1).max(128).default('cti-bridge'),
  /** A socket silent this long is dead (the server pings with serverStatusRequest; the spec gives no interval). */
  silenceTimeoutMs: z.number().int().positive().default(120_000),
  /** Interval of the client's own serverStatusRequest pings; 0 = none. */
  keepaliveIntervalMs: z.number().int().nonnegative().default(30_000),
  /** Wait for a reply (responseAuthentication, registerResponse, infoResponse, callActionResponse). */
  requestTimeoutMs: z.number().int().positive().default(10_000),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Largest accepted document, bytes. */
  maxDocumentBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * CAP 17.0 has no DTMF action type (L1740-1802): `dtmf` answers 501 unless this names the action type a
   * server offers for it (sent with CallId and Number = the digits), e.g. `TransmitDTMF` on the simulator.
   */
  dtmfActionType: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/)
    .optional(),
  rejectUnauthorized: z.boolean().default(true),
  ca: z.string().optional(),
});
export type BroadWorksCapOptions = z.infer<typeof BroadWorksCapOptions>;

/** The API view: the same fields, all optional, no defaults, unknown fields rejected. */
export const BroadWorksCapLinkOptions = apiOptionsOf(BroadWorksCapOptions);

export default defineVendor({
  id: 'broadworks-cap',
  title: 'BroadWorks Client Application Protocols (CAP-C, CCC2): XML documents over TCP/TLS',
  schemes: ['tcp', 'tls'],
  endpointHint: 'CAP-C: the Open Client Server; CCC2: the Application Server (port 2212 by default)',
  // Neither mode has link-level credentials: CAP-C logs users in per session, CCC2 trusts the network.
  credentials: z.strictObject({
    username: z.string().min(1).max(256).optional(),
    password: z.string().min(1).max(1024).optional(),
  }),
  options: BroadWorksCapOptions,
  raw: "{xml}: one CAP document (a BroadsoftDocument), sent as is on the link's connection",
  sessions: {
    credentials: z.strictObject({ password: z.string().min(1).max(1024) }),
    options: z.strictObject({
      userType: z.enum(['CallClient', 'AttendantConsole']).optional(),
      monitor: z.array(z.string().min(1).max(256)).max(500).optional(),
    }),
    // CAP-C sends a user's traffic only on that user's own registered dialog; CCC2 sends every user's.
    requiredForUserTargets: (linkOptions) => (linkOptions.mode ?? 'cap-c') === 'cap-c',
  },
  targets: ['user', 'queue', 'system'],
  doc: 'docs/protocols/broadworks-cap.md',
});
