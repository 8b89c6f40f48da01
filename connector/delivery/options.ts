/**
 * The options of the delivery service (`DeliveryOptions`, documented field by field) and their defaults:
 * `resolveOptions` turns them into the `Settings` every part of the service reads (`./index.ts` hands
 * each part the settings it needs). Nothing here has state or side effects.
 */
import type { SegmentWrites } from '../../shared/repos/channel-log.js';
import { randomBytes } from 'node:crypto';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { noMetrics, type ConnectorMetrics } from '../metrics.js';
import type { Deps } from '../../shared/deps.js';
import { connectorTokenOf, sendCommand } from '../../shared/connector-client.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_SCHEDULE_MS, type RetryPolicy } from './schedule.js';
import { parseCidr, type AddressPolicy, type Resolver } from './ssrf.js';
import type { RouteSelectFn } from './routing.js';
import type { LinkSubscriptionViews } from '../link-subscriptions.js';

export interface DeliveryOptions {
  deps: Deps;
  /** Webhook attempt/failure counts and the delivery backlog age (EMF in AWS; none locally). */
  metrics?: ConnectorMetrics;
  /** `@connections` endpoint: the stage URL (https://{api}.execute-api.{region}.amazonaws.com/{stage}) or the local one. */
  managementEndpoint?: string;
  /** Identity written into delivery claims. */
  id?: string;
  /** TTL of delivery items (days); default: the event log's. */
  ttlDays?: number;
  /** How long subscriptions of a link are cached (ms, default 1000). */
  subscriptionCacheMs?: number;
  /**
   * The links' subscription views (default its own): give the connector the same object
   * (`ConnectorOptions.subscriptionViews`) so that its link runners and matching share their reads.
   */
  subscriptionViews?: LinkSubscriptionViews;
  /** How long a channel record is cached, and how often WebSocket channels are checked for a new connection or a resume request (ms, default 1000). */
  channelCacheMs?: number;
  /** Webhook retry schedule: delay before attempt 1, 2, ... (default at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
  retryScheduleMs?: number[];
  /** ± jitter fraction on each delay (default 0.2). */
  retryJitter?: number;
  /** Cap on a honoured `Retry-After` (ms, default 10 h). */
  maxRetryAfterMs?: number;
  /** Webhook request timeout (ms, default 10 000). */
  webhookTimeoutMs?: number;
  /**
   * Sends the route a routing webhook answered (`./routing.ts`); default: a `routeSelect` command to the
   * connector that owns the link, as the API sends it.
   */
  routeSelect?: RouteSelectFn;
  /** A webhook channel failing continuously this long is disabled (ms, default 5 days). */
  disableAfterMs?: number;
  /** How often pending work of all channels is scanned (restart, replay, other connectors; ms, default 5000). */
  recoverMs?: number;
  /**
   * What this process keeps of a webhook channel, or of a link it does not own, is forgotten once idle
   * this long (ms, default 10 minutes): a deleted or expired channel, a deleted link or one another
   * process owns now leaves nothing in memory. A channel's next delivery starts it afresh (a seq block,
   * a read of its failing state and of its list of successes); a link's next event loads it again.
   */
  forgetIdleMs?: number;
  /** Parallel attempts per webhook channel (default 8; different calls only). */
  maxInFlightPerChannel?: number;
  /** Parallel webhook attempts of this process, all channels (default 512): bounds sockets and memory. */
  maxInFlightTotal?: number;
  /**
   * Connections kept to one webhook origin (scheme, host and port; default 128). More POSTs to it wait
   * for a free one, within their timeout.
   */
  webhookConnectionsPerOrigin?: number;
  /** `bridge.heartbeat` frame interval on idle-or-not connected channels (ms, default 300 000). */
  heartbeatMs?: number;
  /**
   * How often every live WebSocket connection is listed (and at start), so that channels this process
   * has not sent to get their `resume`, hold and heartbeats even if their attention flag was missed (ms,
   * default 30 000; new connections and resume requests flag their channel and are seen within
   * `channelCacheMs`).
   */
  connectionScanMs?: number;
  /** A new connection is held this long for a `resume` before it goes live (ms, default 3000). */
  resumeHoldMs?: number;
  /**
   * A WebSocket channel's frames wait in its holder's frame journal until they are moved into the
   * channel's own log, in segments: once the oldest waited this long (ms, default 10 000; checked at
   * every sequencer renewal)...
   */
  consolidateMs?: number;
  /** ...or once this many wait (default 500), and before the sequencer is released. */
  consolidateFrames?: number;
  /**
   * Frames a WebSocket channel may have waiting in this process's memory (default 2000). A channel whose
   * posts fall further behind (a slow connection) gets the later frames from its log instead: they are
   * stored before they are queued, so memory per channel stays bounded and nothing is skipped.
   */
  maxQueuedFrames?: number;
  /** Largest frame posted; a larger event becomes a `bridge.event-too-large` stub (bytes, default 128 KiB). */
  maxFrameBytes?: number;
  /** Deliver webhooks to loopback addresses (local mode only). */
  allowLoopbackWebhooks?: boolean;
  /** Non-public addresses / CIDR blocks webhooks may still reach (e.g. `10.20.0.0/16`). */
  allowedWebhookNetworks?: string[];
  /** Base URL of the HTTP API, for the too-large stub's `url` (relative path when omitted). */
  apiUrl?: string;
  /** DNS resolver override (tests). */
  resolver?: Resolver;
  /** Management API client override (tests). */
  managementClient?: ApiGatewayManagementApiClient;
  /** Seqs a busy webhook channel reserves at once (default 32; webhook seqs may then skip numbers). */
  webhookSeqBlock?: number;
  /** Lease of a WebSocket channel's sequencer (ms, default 15 000; renewed every third, released when idle). */
  sequencerLeaseMs?: number;
  /** Logged events waiting for matching before the writer is made to wait (default 20 000). */
  maxBacklog?: number;
  /** Events matched and stored per batch at most (default 1000). */
  maxBatch?: number;
  /** A claim lasts the webhook timeout plus this (ms, default 30 000). */
  claimMarginMs?: number;
  /** Clock and timer of the webhook schedule (tests drive it by hand; default the real ones). */
  clock?: DeliveryClock;
  /**
   * Whether this process still owns a link (its connector holds the lease, by its own clock; default
   * always). Events of a link it lost are neither matched nor marked done here: the new owner's
   * catch-up delivers them, once.
   */
  owns?: (tenant: string, link: string) => boolean;
  /** A link's "matched up to" watermark is written at most this often (ms, default 1000). */
  watermarkMs?: number;
  /**
   * A (webhook channel, link)'s list of first-attempt successes (what `GET .../deliveries` shows of
   * them) is written at most this often (ms, default 1000).
   */
  recentMs?: number;
  /**
   * Those lists are written on a budget: at most this many a second by this process, all channels
   * together (default 10). A list not written yet is answered from memory (`GET .../deliveries` asks
   * the link's owner), so the budget bounds the writes, not what users see.
   */
  recentWritesPerSec?: number;
  /**
   * How WebSocket channel log segments are written when frames move there from the journal
   * (`SegmentWrites`): `put` (default: one conditional
   * `PutItem` each, the cheapest in AWS write units) or `transaction` (up to 100 per request; the local
   * stack's choice, as DynamoDB Local pays per request). Env `BRIDGE_CHANNEL_LOG_WRITES` for
   * `connector/main.ts`.
   */
  channelLogWrites?: SegmentWrites;
}

export interface DeliveryClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: DeliveryClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The options with their defaults applied. */
export interface Settings {
  /** Identity written into delivery claims and sequencer leases. */
  id: string;
  ttlDays: number;
  metrics: ConnectorMetrics;
  subsCacheMs: number;
  channelCacheMs: number;
  /** Webhook request timeout. */
  timeoutMs: number;
  routeSelect: RouteSelectFn;
  /** How long a claimed (or just created) webhook delivery is held by this service. */
  claimMs: number;
  clock: DeliveryClock;
  seqBlock: number;
  disableAfterMs: number;
  recoverMs: number;
  forgetIdleMs: number;
  /** Parallel attempts per webhook channel. */
  maxInFlight: number;
  maxInFlightTotal: number;
  webhookConnectionsPerOrigin: number;
  heartbeatMs: number;
  connectionScanMs: number;
  resumeHoldMs: number;
  owns: (tenant: string, link: string) => boolean;
  watermarkMs: number;
  recentMs: number;
  recentWritesPerSec: number;
  channelLogWrites: SegmentWrites;
  maxFrameBytes: number;
  maxQueuedFrames: number;
  consolidateMs: number;
  consolidateFrames: number;
  seqLeaseMs: number;
  maxBacklog: number;
  maxBatch: number;
  policy: RetryPolicy;
  addressPolicy: AddressPolicy;
  resolver: Resolver | undefined;
  apiUrl: string | undefined;
}

export function resolveOptions(opts: DeliveryOptions): Settings {
  const { deps } = opts;
  const timeoutMs = opts.webhookTimeoutMs ?? 10_000;
  return {
    id: opts.id ?? `dlv_${randomBytes(6).toString('hex')}`,
    ttlDays: opts.ttlDays ?? deps.config.eventTtlDays,
    subsCacheMs: opts.subscriptionCacheMs ?? 1000,
    metrics: opts.metrics ?? noMetrics,
    channelCacheMs: opts.channelCacheMs ?? 1000,
    timeoutMs,
    routeSelect:
      opts.routeSelect ??
      (async (tenant, link, call, route) => {
        const token = await connectorTokenOf(deps);
        await sendCommand(deps, { token }, tenant, link, { kind: 'routeSelect', call, route, by: 'webhook' });
      }),
    claimMs: timeoutMs + (opts.claimMarginMs ?? 30_000),
    clock: opts.clock ?? realClock,
    seqBlock: Math.max(1, opts.webhookSeqBlock ?? 32),
    disableAfterMs: opts.disableAfterMs ?? 5 * 86_400_000,
    recoverMs: opts.recoverMs ?? 5000,
    forgetIdleMs: opts.forgetIdleMs ?? 600_000,
    maxInFlight: opts.maxInFlightPerChannel ?? 8,
    maxInFlightTotal: Math.max(1, opts.maxInFlightTotal ?? 512),
    webhookConnectionsPerOrigin: Math.max(1, opts.webhookConnectionsPerOrigin ?? 128),
    heartbeatMs: opts.heartbeatMs ?? 300_000,
    connectionScanMs: opts.connectionScanMs ?? 30_000,
    resumeHoldMs: opts.resumeHoldMs ?? 3000,
    owns: opts.owns ?? (() => true),
    watermarkMs: opts.watermarkMs ?? 1000,
    recentMs: opts.recentMs ?? 1000,
    recentWritesPerSec: opts.recentWritesPerSec ?? 10,
    channelLogWrites: opts.channelLogWrites ?? 'put',
    maxFrameBytes: opts.maxFrameBytes ?? 128 * 1024,
    maxQueuedFrames: Math.max(1, opts.maxQueuedFrames ?? 2000),
    consolidateMs: opts.consolidateMs ?? 10_000,
    consolidateFrames: Math.max(1, opts.consolidateFrames ?? 500),
    seqLeaseMs: opts.sequencerLeaseMs ?? 15_000,
    maxBacklog: opts.maxBacklog ?? 20_000,
    maxBatch: opts.maxBatch ?? 1000,
    policy: {
      scheduleMs: opts.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
      jitter: opts.retryJitter ?? DEFAULT_JITTER,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 36_000_000,
    },
    addressPolicy: {
      allowLoopback: opts.allowLoopbackWebhooks ?? false,
      allow: (opts.allowedWebhookNetworks ?? []).map(parseCidr),
    },
    resolver: opts.resolver,
    apiUrl: opts.apiUrl,
  };
}
