/**
 * Options of the CTIPS simulator front-end, with their defaults. Timers are options in milliseconds so
 * tests can shrink them (docs/protocols/aspect-ctips.md, "Simulator").
 */
import type { SimCredential } from '../../../simulator/frontends/types.js';
import type { CtipsNamespaces } from '../wire/ns.js';

export interface CtipsSimOptions {
  host: string;
  port: number;
  /** OpenConnection's UserCredentials: the credentials flagged `admin` (all of them when none is). */
  credentials: SimCredential[];
  /** The service path (default `/Aspect.UnifiedIP.EDK.CTIPortalService`). */
  path?: string;
  /** The one tenant (default 1, as in the document's sample, L2683). */
  tenantId?: number;
  /** SiteId and SwitchId of every event (default 1). */
  siteId?: number;
  switchId?: number;
  /** Most client connections (10, L309). */
  maxConnections?: number;
  /** Heartbeat interval in ms (30 s, L2565). */
  heartbeatIntervalMs?: number;
  /** Failed heartbeats after which a client is disposed (3, L2565). */
  missedHeartbeats?: number;
  /** Timeout of one callback POST in ms (5 s). */
  callbackTimeoutMs?: number;
  /** Time a RouteRequest waits for RouteSelect, in ms (10 s; sent as RouteTimeout in whole seconds). */
  routeTimeoutMs?: number;
  /** Where default routing sends a call (RouteToDefault, route timeout): default the first queue. */
  defaultRoute?: string;
  /** Largest request body in bytes (64 KiB). */
  maxBodyBytes?: number;
  /**
   * Log the directory's agents in at start (`AgentDesk.loginAtStart`): false here, true in the local
   * stack (`./index.ts`), where `sim-aspect` starts with its agents at their stations.
   */
  loginAtStart?: boolean;
  /** Namespaces written (the reader ignores them). */
  namespaces?: Partial<CtipsNamespaces>;
}

export type ResolvedOptions = Required<Omit<CtipsSimOptions, 'namespaces' | 'defaultRoute'>> &
  Pick<CtipsSimOptions, 'namespaces' | 'defaultRoute'>;

/**
 * Fills the defaults in.
 *
 * @example
 * resolveOptions({ host: '127.0.0.1', port: 0, credentials }).heartbeatIntervalMs; // 30000
 */
export function resolveOptions(o: CtipsSimOptions): ResolvedOptions {
  return {
    path: '/Aspect.UnifiedIP.EDK.CTIPortalService',
    tenantId: 1,
    siteId: 1,
    switchId: 1,
    maxConnections: 10,
    heartbeatIntervalMs: 30_000,
    missedHeartbeats: 3,
    callbackTimeoutMs: 5_000,
    routeTimeoutMs: 10_000,
    maxBodyBytes: 64 * 1024,
    loginAtStart: false,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedOptions;
}
