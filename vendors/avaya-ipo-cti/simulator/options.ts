/**
 * Options of the IP Office CTI WebServices simulator front-end, with their defaults. Timers are options
 * so tests can shrink them (docs/simulator.md lists the same table).
 */
import type { SimCredential } from '../../../simulator/frontends/types.js';

export interface IpoHaOptions {
  /** This server's role in a resilient pair. */
  role: 'primary' | 'secondary';
  primaryServer: string;
  secondaryServer: string;
}

export interface IpoCtiSimOptions {
  host: string;
  port: number;
  credentials: SimCredential[];
  /** Device users' passwords by short user name (default: the simulator's credential password). */
  passwords?: Record<string, string>;
  /** The IPO's IP, as `userSwitchDevice` and in sSDIE. Default 127.0.0.1. */
  switchIp?: string;
  /** `ipOfficeTimezone`. Default `+0:00`. */
  timezone?: string;
  /** `applicationVersion` of the login response. Default 11.1.0.0. */
  applicationVersion?: string;
  /** Device user without a REST heartbeat for this long gets no events (4 min). */
  heartbeatDeactivateMs?: number;
  /** ... and is logged out after this long (6 h). */
  heartbeatLogoutMs?: number;
  /** Opt-in WebSocket keepalive: closed after this much client silence (30 s). */
  wsKeepaliveMs?: number;
  /** `Retry-After` seconds of a 503 (5). */
  retryAfterSec?: number;
  /** Largest request body in bytes (64 KiB). */
  maxBodyBytes?: number;
  /** Largest WebSocket message from a client in bytes (4 KiB: clients only send keepalive text). */
  maxFrameBytes?: number;
  /** Most device-user sessions (200, L645). */
  maxDeviceSessions?: number;
  /** Start in the "starting" state (503 + Retry-After until the `starting` fault turns it off). */
  starting?: boolean;
  /** Resilient deployment: `haConfiguration` in every login response. */
  ha?: IpoHaOptions;
}

export type ResolvedOptions = Required<Omit<IpoCtiSimOptions, 'passwords' | 'ha'>> &
  Pick<IpoCtiSimOptions, 'passwords' | 'ha'>;

export function resolveOptions(o: IpoCtiSimOptions): ResolvedOptions {
  return {
    switchIp: '127.0.0.1',
    timezone: '+0:00',
    applicationVersion: '11.1.0.0',
    heartbeatDeactivateMs: 4 * 60_000,
    heartbeatLogoutMs: 6 * 3_600_000,
    wsKeepaliveMs: 30_000,
    retryAfterSec: 5,
    maxBodyBytes: 64 * 1024,
    maxFrameBytes: 4 * 1024,
    maxDeviceSessions: 200,
    starting: false,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedOptions;
}
