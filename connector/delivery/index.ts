/**
 * Event delivery (docs/delivery.md). Plugged in behind the connector's EventLogWriter: every logged
 * event is matched against the live subscriptions of its link and becomes one delivery per
 * (event, channel), numbered by the channel's own `seq`.
 *
 * - Hand-off: logged events are queued in memory (bounded: the writer waits when the queue is full) and
 *   handled in batches by one serial worker: match, number, store every delivery of the batch in batch
 *   writes, then send. A per-link "matched up to" watermark follows the stored batches; when the service
 *   takes a link (`linkOwned`), after a failed batch, or when an event arrives after a gap, the log
 *   events after the watermark are matched again, skipping those that already have their delivery.
 * - WebSocket channels: the delivery item is the per-channel log `resume` replays. One process at a time
 *   holds a channel's sequencer lease and numbers its deliveries in memory; frames are posted through the
 *   `@connections` management API in seq order by one serial queue per channel.
 * - Webhook channels: the delivery item is a durable outbox entry with a due time. Attempts follow the
 *   retry schedule; events with the same ordering key (the call) go out in seq order, other keys do not
 *   wait. A restarted service finds pending work through the "channels with pending work" items and
 *   the per-channel queue index, and claims each delivery before sending it (one sender at a time).
 */
import { noMetrics, type ConnectorMetrics } from '../metrics.js';
import { BRIDGE_METRICS } from '../../shared/config.js';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../shared/deps.js';
import { connectorTokenOf, sendCommand } from '../../shared/connector-client.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { DeliveryAttempt, DeliveryRecord, DeliveryState } from '../../shared/repos/deliveries.js';
import { keys } from '../../shared/repos/keys.js';
import { BatchPutQueue } from '../../shared/db/batch.js';
import { epochSeconds } from '../../shared/repos/common.js';
import { eventOf } from '../../shared/repos/events.js';
import { sdkLogger } from '../../shared/sdk-logger.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { SubscriptionIndex, orderKeyOf } from '../../shared/events/matching.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_SCHEDULE_MS, nextDelayMs, type RetryPolicy } from './schedule.js';
import { webhookHeaders } from './signing.js';
import { parseCidr, type AddressPolicy, type Resolver } from './ssrf.js';
import { routeFromAnswer, wantsRoute, type RouteSelectFn } from './routing.js';
import { postWebhook } from './webhook.js';

export { DEFAULT_RETRY_SCHEDULE_MS } from './schedule.js';

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
  /** Parallel attempts per webhook channel (default 8; different calls only). */
  maxInFlightPerChannel?: number;
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

export interface Delivery {
  /**
   * The EventLogWriter listener: queues the event for matching and resolves at once, or when the queue
   * is below `maxBacklog` again. It carries `linkOwned`, so a connector given only this listener still
   * runs the catch-up when it takes a link.
   */
  onEvent: ((event: BridgeEvent) => Promise<void>) & {
    linkOwned: (tenant: string, link: string) => Promise<void>;
  };
  /**
   * Call when this process takes a link (start, lease takeover), before its events flow: matches the log
   * events after the link's watermark again (creating only missing deliveries), then moves the watermark.
   */
  linkOwned(tenant: string, link: string): Promise<void>;
  /** A link's subscriptions changed: the next event of the link is matched against them (no cache). */
  subscriptionsChanged(tenant: string, link: string): void;
  /** The per-link "matched up to" seq this service knows (tests, diagnostics). */
  matchedUpTo(tenant: string, link: string): number | null;
  /** Scans pending work now (normally on a timer). */
  recover(): Promise<void>;
  /** Stops timers and waits for attempts in flight; pending work stays in DynamoDB. */
  stop(): Promise<void>;
  /** Simulates a crash: stops at once, records nothing more (attempts in flight are abandoned). */
  kill(): void;
  readonly id: string;
}

interface Pending {
  tenant: string;
  channel: string;
  seq: number;
  orderKey: string;
  link: string;
  eventSeq: number;
  dueAt: number;
  attemptCount: number;
  /** Held by this service from creation until (epoch ms): no claim write needed before then. */
  heldUntil: number;
  event?: BridgeEvent;
  inFlight: boolean;
  /** Its item is in DynamoDB (false while the batch that creates it is being written: not sent yet). */
  stored: boolean;
  eventId: string;
  eventType: string;
  createdAt: string;
  attempts: DeliveryAttempt[];
}

interface HookChannel {
  tenant: string;
  channel: string;
  byOrder: Map<string, Pending[]>;
  known: Set<number>;
  inFlight: number;
}

interface WsChannel {
  tenant: string;
  channel: string;
  chain: Promise<void>;
  connectionId: string | null;
  /** A new connection waits for `resume` (or the hold time) before live frames are posted to it. */
  held: boolean;
  heldUntil: number;
  /** First seq the held connection gets when the hold times out. */
  liveFrom: number;
  /** Last seq whose frame task ran in `chain` (posted or held back): the head replays reach up to. */
  processed: number;
  lastSent: number;
  lastResumeReq: string | null;
  seen: boolean;
  /** A periodic sync is waiting in `chain` (at most one: they must not pile up ahead of event frames). */
  syncQueued: boolean;
  /** Checked at every tick (flagged, or something was still due at the last check). */
  attention: boolean;
  /** The last connection that answered `GoneException` (frames matched for it need no sync each). */
  goneConn: string | null;
  /** The channel is gone: queued frames are dropped. */
  dropped: boolean;
  /** `batch` framing: event frames go out in `events` messages (from the channel record, set by `sync`). */
  batch: boolean;
  /** `batch` framing: the frames of the queued task that later frames may still join (see `queueFrame`). */
  outbox: { ch: ChannelRecord; seq: number; event: BridgeEvent }[] | null;
  outboxChain: Promise<void> | null;
}

/** A WebSocket channel's sequencer lease held by this process. */
interface Sequencer {
  tenant: string;
  channel: string;
  /** Last seq numbered. */
  head: number;
  /** The head when this process acquired the lease: frames up to it were numbered by others. */
  base: number;
  until: number;
  usedAt: number;
  /** Batches between acquiring and storing; a pinned sequencer is never released as idle. */
  pins: number;
}

interface LinkState {
  tenant: string;
  link: string;
  /** Every event with seq <= done has its deliveries stored (null: not loaded yet). */
  done: number | null;
  /** Value last written to DynamoDB. */
  durable: number;
  writing: boolean;
  /** A hand-off failed: `done` stays put until a catch-up re-matched the events after it. */
  broken: boolean;
  lastSeen: number;
  repair?: NodeJS.Timeout;
}

const key = (t: string, c: string) => `${t}#${c}`;

export function startDelivery(opts: DeliveryOptions): Delivery {
  const { deps } = opts;
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const id = opts.id ?? `dlv_${randomBytes(6).toString('hex')}`;
  const ttlDays = opts.ttlDays ?? deps.config.eventTtlDays;
  const subsCacheMs = opts.subscriptionCacheMs ?? 1000;
  const metrics = opts.metrics ?? noMetrics;
  const channelCacheMs = opts.channelCacheMs ?? 1000;
  const timeoutMs = opts.webhookTimeoutMs ?? 10_000;
  const routeSelect: RouteSelectFn =
    opts.routeSelect ??
    (async (tenant, link, call, route) => {
      const token = await connectorTokenOf(deps);
      await sendCommand(deps, { token }, tenant, link, { kind: 'routeSelect', call, route, by: 'webhook' });
    });
  const claimMs = timeoutMs + (opts.claimMarginMs ?? 30_000);
  const clock = opts.clock ?? realClock;
  const seqBlock = Math.max(1, opts.webhookSeqBlock ?? 32);
  const disableAfterMs = opts.disableAfterMs ?? 5 * 86_400_000;
  const recoverMs = opts.recoverMs ?? 5000;
  const maxInFlight = opts.maxInFlightPerChannel ?? 8;
  const heartbeatMs = opts.heartbeatMs ?? 300_000;
  const connectionScanMs = opts.connectionScanMs ?? 30_000;
  /** Every this many checks, every known channel is checked, not only those that asked for attention. */
  const fullCheckEvery = 10;
  const resumeHoldMs = opts.resumeHoldMs ?? 3000;
  const maxFrameBytes = opts.maxFrameBytes ?? 128 * 1024;
  const seqLeaseMs = opts.sequencerLeaseMs ?? 15_000;
  const maxBacklog = opts.maxBacklog ?? 20_000;
  const maxBatch = opts.maxBatch ?? 1000;
  const settled = new BatchPutQueue(deps.db);
  const policy: RetryPolicy = {
    scheduleMs: opts.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
    jitter: opts.retryJitter ?? DEFAULT_JITTER,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 36_000_000,
  };
  const addressPolicy: AddressPolicy = {
    allowLoopback: opts.allowLoopbackWebhooks ?? false,
    allow: (opts.allowedWebhookNetworks ?? []).map(parseCidr),
  };
  const management =
    opts.managementClient ??
    (opts.managementEndpoint
      ? new ApiGatewayManagementApiClient({
          endpoint: opts.managementEndpoint,
          region: deps.config.region,
          logger: sdkLogger,
          ...(deps.config.localMode
            ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
            : {}),
        })
      : undefined);

  let stopped = false;
  let killed = false;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  // ---------------------------------------------------------------- caches
  const subsCache = new Map<string, { at: number; subs: Promise<SubscriptionIndex> }>();
  function subscriptionsOf(tenant: string, link: string): Promise<SubscriptionIndex> {
    const k = key(tenant, link);
    const hit = subsCache.get(k);
    if (hit && Date.now() - hit.at < subsCacheMs) return hit.subs;
    const subs = deps.repos.subscriptions
      .listByLink(tenant, link, deps.now())
      .then((list: SubscriptionRecord[]) => new SubscriptionIndex(list));
    subsCache.set(k, { at: Date.now(), subs });
    subs.catch(() => subsCache.delete(k));
    return subs;
  }
  /**
   * Channel records, at most `channelCacheMs` old. Every read goes through one loader that collects the
   * reads of a tick into batch reads (`BatchGetItem`, 100 keys each), so a connector serving many channels
   * does not read them one at a time; entries in use are refreshed in the background from half their age.
   */
  const channelCache = new Map<string, { at: number; rec: Promise<ChannelRecord | null> }>();
  const refreshing = new Set<string>();
  let loadQueue = new Map<
    string,
    {
      tenant: string;
      id: string;
      waiters: { resolve: (r: ChannelRecord | null) => void; reject: (e: unknown) => void }[];
    }
  >();
  function loadChannel(tenant: string, id: string): Promise<ChannelRecord | null> {
    return new Promise((resolve, reject) => {
      const k = key(tenant, id);
      const q = loadQueue.get(k);
      if (q) q.waiters.push({ resolve, reject });
      else {
        loadQueue.set(k, { tenant, id, waiters: [{ resolve, reject }] });
        if (loadQueue.size === 1) setImmediate(() => void flushChannelLoads());
      }
    });
  }
  async function flushChannelLoads() {
    const batch = [...loadQueue.values()];
    loadQueue = new Map();
    try {
      const recs = await deps.repos.channels.getMany(
        batch.map((b) => ({ tenant: b.tenant, id: b.id })),
        deps.now(),
      );
      batch.forEach((b, i) => b.waiters.forEach((w) => w.resolve(recs[i]!)));
    } catch (err) {
      for (const b of batch) for (const w of b.waiters) w.reject(err);
    }
  }
  /** Stores a record read at `at`, unless a newer read is already cached. */
  function cacheChannel(k: string, at: number, rec: ChannelRecord | null) {
    if ((channelCache.get(k)?.at ?? 0) < at) channelCache.set(k, { at, rec: Promise.resolve(rec) });
  }
  function channelOf(tenant: string, channel: string, fresh = false): Promise<ChannelRecord | null> {
    const k = key(tenant, channel);
    const hit = channelCache.get(k);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (!fresh && hit && age < channelCacheMs) {
      if (age >= channelCacheMs / 2 && !refreshing.has(k)) {
        refreshing.add(k);
        const at = Date.now();
        void loadChannel(tenant, channel)
          .then((rec) => cacheChannel(k, at, rec))
          .catch((err: unknown) => logger.warn('channel refresh failed', { error: err as Error, channel }))
          .finally(() => refreshing.delete(k));
      }
      return hit.rec;
    }
    const rec = loadChannel(tenant, channel);
    channelCache.set(k, { at: Date.now(), rec });
    rec.catch(() => channelCache.delete(k));
    return rec;
  }
  async function loadEvent(tenant: string, link: string, seq: number): Promise<BridgeEvent | null> {
    const res = await deps.db.doc.send(
      new GetCommand({ TableName: deps.db.table, Key: keys.event(tenant, link, seq), ConsistentRead: true }),
    );
    return res.Item ? eventOf(res.Item) : null;
  }

  // ---------------------------------------------------------------- webhooks
  const hooks = new Map<string, HookChannel>();
  const workTouched = new Map<string, number>();
  const failing = new Map<string, string | null>();
  let timer: unknown;

  function hookChannel(tenant: string, channel: string): HookChannel {
    const k = key(tenant, channel);
    let h = hooks.get(k);
    if (!h) hooks.set(k, (h = { tenant, channel, byOrder: new Map(), known: new Set(), inFlight: 0 }));
    return h;
  }

  function enqueue(p: Pending) {
    const h = hookChannel(p.tenant, p.channel);
    if (h.known.has(p.seq)) return;
    h.known.add(p.seq);
    const q = h.byOrder.get(p.orderKey) ?? [];
    q.push(p);
    if (q.length > 1 && q[q.length - 2]!.seq > p.seq) q.sort((a, b) => a.seq - b.seq);
    h.byOrder.set(p.orderKey, q);
  }

  function settle(p: Pending) {
    const h = hooks.get(key(p.tenant, p.channel));
    if (!h) return; // the channel's work was dropped (channel deleted)
    const q = h.byOrder.get(p.orderKey);
    if (q) {
      const i = q.indexOf(p);
      if (i >= 0) q.splice(i, 1);
      if (!q.length) h.byOrder.delete(p.orderKey);
    }
    h.known.delete(p.seq);
  }

  /** Starts every due head-of-line delivery and sets the timer for the next one. */
  function pump() {
    if (stopped) return;
    const now = clock.now();
    let next = Infinity;
    for (const h of hooks.values()) {
      for (const q of h.byOrder.values()) {
        const head = q[0];
        if (!head || head.inFlight || !head.stored) continue;
        if (head.dueAt <= now && h.inFlight < maxInFlight) {
          head.inFlight = true;
          h.inFlight++;
          track(
            attempt(head)
              .catch((err: unknown) => {
                logger.error('webhook attempt failed', {
                  error: err as Error,
                  channel: head.channel,
                  seq: head.seq,
                });
                head.dueAt = clock.now() + 1000;
              })
              .finally(() => {
                head.inFlight = false;
                h.inFlight--;
                pump();
              }),
          );
        } else next = Math.min(next, Math.max(head.dueAt, now + 1));
      }
    }
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = next !== Infinity ? clock.setTimeout(pump, Math.min(next - now, 2 ** 31 - 1)) : undefined;
  }

  async function disableChannel(tenant: string, channel: string, reason: string) {
    const ch = await deps.repos.channels.disable(tenant, channel, reason, deps.now());
    channelCache.delete(key(tenant, channel));
    if (ch) logger.warn('channel.disabled', { event: 'channel.disabled', tenant, channel, reason });
  }

  /**
   * A deleted (or expired) webhook channel: its queued deliveries are dropped at once, without a write
   * each (nobody can read them any more; they expire with the TTL), and its work item is removed so the
   * recovery scan does not load them again. Attempts in flight end without recording anything.
   */
  async function dropChannel(tenant: string, channel: string) {
    const k = key(tenant, channel);
    const h = hooks.get(k);
    hooks.delete(k);
    seqBlocks.delete(k);
    failing.delete(k);
    workTouched.delete(k);
    scannedUpTo.delete(k);
    if (h)
      logger.info('webhook channel gone; its queued deliveries dropped', {
        tenant,
        channel,
        deliveries: h.known.size,
      });
    await repo.deleteWorkIfIdle(tenant, channel, Number.MAX_SAFE_INTEGER);
  }

  async function markFailing(p: Pending, ok: boolean) {
    const k = key(p.tenant, p.channel);
    if (ok) {
      if (failing.get(k) !== null) {
        await repo.setFailingSince(p.tenant, p.channel, null);
        failing.set(k, null);
      }
      return;
    }
    // Known to be failing, and not long enough to disable: nothing to write (one write per failure would
    // cost a busy backlog a write per attempt). Near the limit the stored time is read back, so a success
    // recorded by another process in between is not overlooked.
    const known = failing.get(k);
    if (typeof known === 'string' && deps.now().getTime() - Date.parse(known) < disableAfterMs) return;
    const since = await repo.setFailingSince(p.tenant, p.channel, deps.now().toISOString());
    failing.set(k, since);
    if (since && deps.now().getTime() - Date.parse(since) >= disableAfterMs)
      await disableChannel(p.tenant, p.channel, `failing continuously since ${since}`);
  }

  /** The stored record of a pending delivery with its outcome so far. */
  const recordOf = (p: Pending, status: DeliveryRecord['status']): DeliveryRecord => ({
    tenant: p.tenant,
    channel: p.channel,
    seq: p.seq,
    channelType: 'webhook',
    eventId: p.eventId,
    eventType: p.eventType,
    link: p.link,
    eventSeq: p.eventSeq,
    orderKey: p.orderKey,
    status,
    attempts: p.attempts,
    attemptCount: p.attempts.length,
    nextAttemptAt: null,
    createdAt: p.createdAt,
    settledAt: status === 'pending' ? null : deps.now().toISOString(),
    claimUntil: 0,
    owner: null,
  });

  async function finish(
    p: Pending,
    attemptRec: DeliveryAttempt | null,
    status: 'delivered' | 'failed',
    why?: string,
  ) {
    const rec =
      attemptRec ??
      (why ? { at: deps.now().toISOString(), statusCode: null, latencyMs: 0, error: why } : null);
    if (status === 'delivered' && rec) {
      // The common case: the whole item is put again, in batches shared with other settled deliveries.
      p.attempts = [...p.attempts, rec];
      const ttl = epochSeconds(new Date(p.createdAt)) + ttlDays * 86_400;
      await settled.put(repo.itemOf(recordOf(p, 'delivered'), ttl));
    } else {
      await repo.recordAttempt(p.tenant, p.channel, p.seq, rec, { status, nextAttemptAt: null }, deps.now());
      if (rec) p.attempts = [...p.attempts, rec];
    }
    settle(p);
  }

  async function attempt(p: Pending): Promise<void> {
    const nowMs = clock.now();
    if (p.heldUntil < nowMs + timeoutMs + 1000) {
      const claimed = await repo.claim(p.tenant, p.channel, p.seq, id, nowMs + claimMs, nowMs);
      if (!claimed) {
        const cur = await repo.get(p.tenant, p.channel, p.seq);
        if (!cur || cur.status !== 'pending') settle(p);
        else p.dueAt = Math.max(cur.claimUntil, nowMs) + 100; // another sender holds it; it still blocks its call
        return;
      }
      p.heldUntil = nowMs + claimMs;
      p.attemptCount = claimed.attemptCount;
      p.attempts = claimed.attempts;
    }
    const ch = await channelOf(p.tenant, p.channel);
    if (!ch) return dropChannel(p.tenant, p.channel);
    if (ch.type !== 'webhook') return finish(p, null, 'failed', 'not a webhook channel');
    if (ch.status === 'disabled')
      return finish(p, null, 'failed', `channel disabled: ${ch.disabledReason ?? ''}`);
    const event = p.event ?? (await loadEvent(p.tenant, p.link, p.eventSeq));
    if (!event) return finish(p, null, 'failed', 'event no longer in the event log');
    const body = JSON.stringify(event);
    const now = deps.now();
    const secrets = [ch.secret!];
    if (ch.previousSecret && ch.previousSecretUntil && Date.parse(ch.previousSecretUntil) > now.getTime())
      secrets.push(ch.previousSecret);
    const headers = webhookHeaders(secrets, event.id, Math.floor(now.getTime() / 1000), body);
    metrics.max(
      BRIDGE_METRICS.deliveryBacklogAge,
      Math.max(0, (Date.now() - Date.parse(event.time)) / 1000),
      'Seconds',
    );
    const routing = wantsRoute(event, ch);
    const res = await postWebhook(ch.url!, body, headers, {
      timeoutMs,
      policy: addressPolicy,
      resolver: opts.resolver,
      captureBody: routing,
    });
    if (stopped && killed) return; // a crashed process records nothing
    if (!hooks.has(key(p.tenant, p.channel))) return; // dropped meanwhile (channel deleted)
    metrics.count(BRIDGE_METRICS.webhookAttempts);
    if (res.statusCode === null || res.statusCode < 200 || res.statusCode >= 300)
      metrics.count(BRIDGE_METRICS.webhookFailures);
    const rec: DeliveryAttempt = {
      at: new Date(nowMs).toISOString(),
      statusCode: res.statusCode,
      latencyMs: res.latencyMs,
      error: res.error,
    };
    p.attemptCount++;
    const code = res.statusCode;
    if (code !== null && code >= 200 && code < 300) {
      if (routing) rec.routing = await routeFromAnswer(event, res.body, clock.now(), routeSelect);
      await finish(p, rec, 'delivered');
      await markFailing(p, true);
      return;
    }
    if (code === 410) {
      await finish(p, rec, 'failed');
      await disableChannel(p.tenant, p.channel, 'the endpoint answered 410 Gone');
      return;
    }
    if (res.refused)
      logger.warn('webhook destination refused', { tenant: p.tenant, channel: p.channel, reason: res.error });
    const honour = code === 429 || (code !== null && code >= 500);
    const delay = nextDelayMs(policy, p.attemptCount, honour ? res.retryAfterMs : null);
    if (delay === null) await finish(p, rec, 'failed');
    else {
      // Counted from the answer, not from when the attempt began: Retry-After means "after this response".
      const answeredMs = clock.now();
      p.dueAt = answeredMs + delay;
      await repo.recordAttempt(
        p.tenant,
        p.channel,
        p.seq,
        rec,
        { status: 'pending', nextAttemptAt: new Date(answeredMs + delay).toISOString() },
        now,
      );
      p.attempts = [...p.attempts, rec];
      p.heldUntil = 0;
    }
    await markFailing(p, false);
  }

  /**
   * `count` seqs of a webhook channel, in order. A busy channel reserves `seqBlock` at once (one write for
   * many events); webhook seqs may therefore skip numbers (they are identifiers, not a gap signal).
   */
  const seqBlocks = new Map<string, { next: number; end: number; lastAllocAt: number }>();
  async function webhookSeqs(tenant: string, channel: string, count: number): Promise<number[]> {
    const k = key(tenant, channel);
    let b = seqBlocks.get(k);
    if (!b) seqBlocks.set(k, (b = { next: 1, end: 0, lastAllocAt: 0 }));
    const out: number[] = [];
    while (out.length < count) {
      if (b.next > b.end) {
        const need = count - out.length;
        // A channel that needed numbers in the last minute gets a block (most channels see a steady trickle).
        const size = Date.now() - b.lastAllocAt < 60_000 ? Math.max(seqBlock, need) : need;
        b.lastAllocAt = Date.now();
        const { seq } = await repo.allocSeq(tenant, channel, size);
        b.next = seq;
        b.end = seq + size - 1;
      }
      out.push(b.next++);
    }
    return out;
  }

  let recovering: Promise<void> | undefined;
  /**
   * Per webhook channel, the highest seq this process created or a scan found. While the channel has
   * work in memory, scans read only the pending deliveries above it (new replays, other processes' new
   * work); every `fullScanEvery`-th scan, and the first, reads every pending delivery again.
   */
  const scannedUpTo = new Map<string, number>();
  const fullScanEvery = 12;
  let scans = 0;
  async function recoverOnce() {
    const nowMs = clock.now();
    const full = scans++ % fullScanEvery === 0;
    const work = await repo.listWork();
    const chans = await Promise.all(work.map((w) => channelOf(w.tenant, w.channel)));
    for (const [i, w] of work.entries()) {
      if (stopped) return;
      const k = key(w.tenant, w.channel);
      if (!chans[i]) {
        await dropChannel(w.tenant, w.channel);
        continue;
      }
      const h = hooks.get(k);
      const after = !full && h && h.known.size ? (scannedUpTo.get(k) ?? 0) : 0;
      const queue = await repo.pendingQueue(w.tenant, w.channel, after);
      if (!queue.length) {
        if (!after && (!h || h.known.size === 0))
          await repo.deleteWorkIfIdle(w.tenant, w.channel, Date.now() - 3_600_000);
        continue;
      }
      for (const d of queue) {
        if (d.status !== 'pending') continue;
        const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : nowMs;
        enqueue(pendingFrom(d, Math.max(due, d.owner && d.owner !== id ? d.claimUntil : 0)));
      }
      scannedUpTo.set(k, Math.max(scannedUpTo.get(k) ?? 0, queue.at(-1)!.seq));
    }
    pump();
  }
  const pendingFrom = (d: DeliveryRecord, dueAt: number): Pending => ({
    tenant: d.tenant,
    channel: d.channel,
    seq: d.seq,
    orderKey: d.orderKey,
    link: d.link,
    eventSeq: d.eventSeq,
    dueAt,
    attemptCount: d.attemptCount,
    heldUntil: 0,
    inFlight: false,
    stored: true,
    eventId: d.eventId,
    eventType: d.eventType,
    createdAt: d.createdAt,
    attempts: d.attempts,
  });
  const recover = () =>
    (recovering ??= recoverOnce()
      .catch((err: unknown) => logger.error('delivery recovery failed', { error: err as Error }))
      .finally(() => (recovering = undefined)));

  // ---------------------------------------------------------------- WebSocket sequencers
  /**
   * Sequencer leases held by this process: the last seq used per WebSocket channel. `pins` counts batches
   * between acquiring and storing; a pinned sequencer is never released as idle.
   */
  const sequencers = new Map<string, Sequencer>();

  /** Releases in flight, per channel: the lease is not taken again before the release is stored. */
  const releasing = new Map<string, Promise<void>>();

  /** The lease this process holds with a third of it left, pinned; undefined otherwise. */
  function heldSequencer(k: string): Sequencer | undefined {
    const held = sequencers.get(k);
    if (!held || held.until - Date.now() <= seqLeaseMs / 3) return undefined;
    held.pins++;
    held.usedAt = Date.now();
    return held;
  }

  /**
   * Takes (or extends) the lease in DynamoDB, pinned. `acquired` is the acquire's answer when this
   * process did not hold it before (the caller brings its view of the channel up to date); null when
   * another live process holds it.
   */
  async function acquireSequencer(tenant: string, channel: string) {
    const k = key(tenant, channel);
    const until = Date.now() + seqLeaseMs;
    const got = await repo.acquireSequencer(
      tenant,
      channel,
      id,
      until,
      Date.now(),
      Math.min(2000, seqLeaseMs),
    );
    if (!got) return null;
    const cur = sequencers.get(k);
    if (cur && got.wasOurs) {
      cur.until = until;
      cur.pins++;
      cur.usedAt = Date.now();
      return { s: cur, acquired: null };
    }
    const s = { tenant, channel, head: got.head, base: got.head, until, usedAt: Date.now(), pins: 1 };
    sequencers.set(k, s);
    return { s, acquired: got };
  }

  /** Holds the channel's sequencer (waits while another live process holds it); pins it. */
  async function holdSequencer(tenant: string, channel: string) {
    const k = key(tenant, channel);
    for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
      if (stopped) throw new Error('delivery stopped');
      await releasing.get(k);
      const held = heldSequencer(k);
      if (held) return held;
      const stale = sequencers.get(k);
      const r = await acquireSequencer(tenant, channel);
      if (r) {
        const a = r.acquired;
        if (a) afterAcquire(tenant, channel, a.head, a.resendFrom, a.state);
        return r.s;
      }
      // Not ours (a concurrent acquire in the channel's queue may have just stored a fresh lease: keep it).
      if (sequencers.get(k) === stale) sequencers.delete(k);
      await repo.wantSequencer(tenant, channel, id, Date.now(), Math.min(2000, seqLeaseMs));
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /**
   * Queued ahead of the frames of the batch that acquired the sequencer: replays reach up to the head
   * others numbered, and the connection's state is read again (another process may have put it live or
   * started its hold meanwhile), so that the frames are posted or held on a current view.
   *
   * Taken over from a process that never released it (crashed, or stalled past its lease; `resendFrom`):
   * frames it numbered after the last position it recorded (`sent`, stored at each renewal) may never
   * have reached the live connection. They are posted again, ahead of the frames this process numbers
   * next; a client may so see a few `channelSeq`s twice (it drops those it has processed). A held
   * connection gets them with the replay that ends its hold.
   */
  function afterAcquire(
    tenant: string,
    channel: string,
    head: number,
    resendFrom: number | null,
    state: DeliveryState,
  ) {
    const from = resendFrom !== null && resendFrom <= head ? resendFrom : null;
    const w = from !== null ? wsChannel(tenant, channel, head) : sockets.get(key(tenant, channel));
    if (!w) return; // the batch creates the queue; its first frame syncs
    if (from !== null)
      logger.info('websocket sequencer taken over; re-sending what the previous holder may not have posted', {
        tenant,
        channel,
        from,
        to: head,
      });
    void run(w, async () => {
      w.processed = Math.max(w.processed, head);
      if (w.seen || from !== null) await sync(w, state);
      if (from === null || !w.connectionId) return;
      if (w.held) w.liveFrom = Math.min(w.liveFrom, from);
      else await replay(w, from, head);
    });
  }

  /**
   * Gives a sequencer up once the channel's numbered frames are posted (the next holder's frames must
   * follow them on the wire); it is not taken again before the release is stored.
   */
  async function releaseSequencer(k: string, s: { tenant: string; channel: string; head: number }) {
    const done = (async () => {
      await sockets.get(k)?.chain;
      await repo.releaseSequencer(s.tenant, s.channel, id, s.head, sockets.get(k)?.lastSent ?? 0);
    })().finally(() => {
      if (sequencers.get(k) === s) sequencers.delete(k);
      releasing.delete(k);
    });
    releasing.set(k, done);
    await done;
  }

  /**
   * Renews the sequencers in use; releases idle ones and those another process asked for (links of one
   * tenant owned by two processes take turns), so no process waits for a sequencer for long.
   */
  async function tendSequencers(releaseAll = false) {
    for (const [k, s] of [...sequencers]) {
      try {
        if (s.pins === 0 && (releaseAll || Date.now() - s.usedAt > seqLeaseMs / 2)) {
          await releaseSequencer(k, s);
        } else if (!releaseAll) {
          const until = Date.now() + seqLeaseMs;
          const r = await repo.renewSequencer(
            s.tenant,
            s.channel,
            id,
            until,
            s.head,
            Date.now() - seqLeaseMs,
            sockets.get(k)?.lastSent ?? 0,
          );
          if (r.lost) {
            if (sequencers.get(k) === s) sequencers.delete(k);
            logger.warn('sequencer lease lost', { tenant: s.tenant, channel: s.channel });
          } else {
            s.until = until;
            if (r.wantedBy && s.pins === 0) await releaseSequencer(k, s);
          }
        }
      } catch (err) {
        logger.warn('sequencer lease renewal failed', {
          error: err as Error,
          tenant: s.tenant,
          channel: s.channel,
        });
      }
    }
  }

  // ---------------------------------------------------------------- WebSocket
  const sockets = new Map<string, WsChannel>();

  function wsChannel(tenant: string, channel: string, head: number): WsChannel {
    const k = key(tenant, channel);
    let w = sockets.get(k);
    if (!w)
      sockets.set(
        k,
        (w = {
          tenant,
          channel,
          chain: Promise.resolve(),
          connectionId: null,
          held: false,
          heldUntil: 0,
          liveFrom: 1,
          processed: head,
          lastSent: 0,
          lastResumeReq: null,
          seen: false,
          syncQueued: false,
          attention: true,
          goneConn: null,
          dropped: false,
          batch: false,
          outbox: null,
          outboxChain: null,
        }),
      );
    return w;
  }

  function run(w: WsChannel, task: () => Promise<void>): Promise<void> {
    const p = w.chain.then(task).catch((err: unknown) => {
      logger.error('websocket delivery failed', {
        error: err as Error,
        tenant: w.tenant,
        channel: w.channel,
      });
    });
    w.chain = p;
    return p;
  }

  /** Posts one message (an object to serialise, or JSON already serialised). */
  async function post(w: WsChannel, data: unknown): Promise<'ok' | 'gone' | 'too-large' | 'error'> {
    if (!management || !w.connectionId || killed) return 'error'; // a crashed process sends nothing more
    const connectionId = w.connectionId;
    try {
      const body = typeof data === 'string' ? data : JSON.stringify(data);
      await management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(body) }),
      );
      return 'ok';
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'GoneException') {
        w.connectionId = null;
        w.goneConn = connectionId;
        w.held = false;
        const ch = await deps.repos.channels.get(w.tenant, w.channel, deps.now());
        if (ch?.connectionId === connectionId)
          await deps.repos.channels.setConnection(w.tenant, w.channel, null, deps.now());
        channelCache.delete(key(w.tenant, w.channel));
        logger.info('websocket connection gone; cleared', {
          tenant: w.tenant,
          channel: w.channel,
          connectionId,
        });
        return 'gone';
      }
      if (name === 'PayloadTooLargeException') return 'too-large';
      logger.warn('PostToConnection failed', { error: err as Error, tenant: w.tenant, channel: w.channel });
      return 'error';
    }
  }

  function tooLargeStub(seq: number, event: BridgeEvent, size: number) {
    const path = `/v1/events?link=${encodeURIComponent(event.link)}&after=${event.seq - 1}&limit=1`;
    return {
      type: 'bridge.event-too-large',
      channelSeq: seq,
      event: { id: event.id, type: event.type, link: event.link, seq: event.seq, time: event.time },
      size,
      url: opts.apiUrl ? `${opts.apiUrl.replace(/\/$/, '')}${path}` : path,
    };
  }

  /**
   * Posts consecutive frames, in order. `single` framing: one frame per message. `batch` framing: frames
   * in `events` messages, as many per message as fit `maxFrameBytes`. Either way a frame too large for a
   * message becomes its stub, and so does a frame the gateway refuses as too large on its own (its limit
   * below `maxFrameBytes`); an `events` message it refuses is split into one message per frame.
   */
  async function sendFrames(w: WsChannel, frames: { seq: number; event: BridgeEvent }[], batch: boolean) {
    const [open, close] = batch ? ['{"type":"events","frames":[', ']}'] : ['', ''];
    const room = maxFrameBytes - Buffer.byteLength(open) - Buffer.byteLength(close);
    type Part = { seq: number; event: BridgeEvent; json: string; size: number; frameSize: number };
    let parts: Part[] = [];
    let bytes = 0;
    const postParts = (list: Part[]) => post(w, open + list.map((p) => p.json).join(',') + close);
    const postAlone = async (p: Part) => {
      const r = await postParts([p]);
      if (r !== 'too-large') return r;
      return post(w, open + JSON.stringify(tooLargeStub(p.seq, p.event, p.frameSize)) + close);
    };
    const flush = async () => {
      if (!parts.length) return;
      const list = parts;
      parts = [];
      bytes = 0;
      let r = list.length === 1 ? await postAlone(list[0]!) : await postParts(list);
      if (r === 'too-large') for (const p of list) if ((r = await postAlone(p)) !== 'ok') break;
      if (r === 'ok') w.lastSent = list.at(-1)!.seq;
    };
    for (const { seq, event } of frames) {
      if (!w.connectionId) return;
      let json = JSON.stringify({ type: 'event', channelSeq: seq, event });
      const frameSize = Buffer.byteLength(json);
      let size = frameSize;
      if (size > room) {
        json = JSON.stringify(tooLargeStub(seq, event, frameSize));
        size = Buffer.byteLength(json);
      }
      if (parts.length && (!batch || bytes + size + 1 > room)) await flush();
      parts.push({ seq, event, json, size, frameSize });
      bytes += size + (parts.length > 1 ? 1 : 0);
    }
    await flush();
  }

  /**
   * Re-sends log entries from..to (inclusive) to the current connection, in order: with `single` framing
   * each frame as soon as its event is read, with `batch` framing all at once.
   */
  async function replay(w: WsChannel, from: number, to: number) {
    const frames: { seq: number; event: BridgeEvent }[] = [];
    for (const d of await repo.range(w.tenant, w.channel, from, to, deps.now())) {
      if (!w.connectionId) return;
      const ev = await loadEvent(w.tenant, d.link, d.eventSeq);
      if (!ev) continue;
      if (w.batch) frames.push({ seq: d.seq, event: ev });
      else await sendFrames(w, [{ seq: d.seq, event: ev }], false);
    }
    if (frames.length) await sendFrames(w, frames, true);
  }

  /**
   * Takes the channel's sequencer from inside its queue, without waiting: null when another process holds
   * it (that process serves the channel) or a release is being stored. Pins it; the caller unpins.
   */
  async function trySequencerInQueue(w: WsChannel) {
    const k = key(w.tenant, w.channel);
    if (releasing.has(k) || stopped) return null;
    const held = heldSequencer(k);
    if (held) {
      // Acquired by a batch whose queued update of `processed` may still be behind this task.
      w.processed = Math.max(w.processed, held.base);
      return held;
    }
    const r = await acquireSequencer(w.tenant, w.channel);
    if (!r) return null;
    if (r.acquired) {
      w.processed = Math.max(w.processed, r.acquired.head);
      // Taken over from a crashed holder: the replay that follows starts early enough for its unsent frames.
      if (r.acquired.resendFrom !== null) w.liveFrom = Math.min(w.liveFrom, r.acquired.resendFrom);
    }
    return r.s;
  }

  /**
   * Applies the channel's current connection and resume request (runs in the channel's queue). A resume
   * and the end of a hold are served by the process holding the channel's sequencer, so frames and
   * replays of one connection always come from one process.
   */
  async function sync(w: WsChannel, known?: DeliveryState) {
    const ch = await channelOf(w.tenant, w.channel, !known);
    if (!ch) {
      w.dropped = true;
      if (sockets.get(key(w.tenant, w.channel)) === w) sockets.delete(key(w.tenant, w.channel));
      return;
    }
    const state = known ?? (await repo.getState(w.tenant, w.channel));
    w.batch = ch.framing === 'batch';
    const first = !w.seen;
    w.seen = true;
    if (ch.connectionId !== w.connectionId) {
      w.connectionId = ch.connectionId;
      // A connection another process already put live is not held again (the sequencer changed hands).
      w.held = ch.connectionId !== null && state.liveConn !== ch.connectionId;
      w.heldUntil = Date.now() + resumeHoldMs;
      // Without the sequencer, this process's head may be behind: the stored one is the better start.
      const head = sequencers.has(key(w.tenant, w.channel)) ? w.processed : Math.max(w.processed, state.next);
      w.lastSent = head;
      // Where the hold ends is decided once per connection, by the first process to notice it, so that
      // whichever process ends the hold posts the same frames.
      w.liveFrom =
        w.held && ch.connectionId !== null
          ? await repo.startHold(w.tenant, w.channel, ch.connectionId, head + 1)
          : head + 1;
      if (first && (state.resume?.connectionId !== ch.connectionId || state.resume?.done))
        w.lastResumeReq = state.resume?.requestId ?? null;
    }
    // Another process put this connection live meanwhile (it served the resume or ended the hold).
    if (w.held && w.connectionId !== null && state.liveConn === w.connectionId) w.held = false;
    const r = state.resume;
    const resume =
      r && !r.done && r.requestId !== w.lastResumeReq && w.connectionId && r.connectionId === w.connectionId
        ? r
        : null;
    const holdEnded = !resume && w.held && Date.now() >= w.heldUntil;
    if (!resume && !holdEnded) return;
    const s = await trySequencerInQueue(w);
    if (!s) return;
    try {
      if (resume) {
        w.lastResumeReq = resume.requestId;
        w.held = false;
        await replay(w, resume.after + 1, w.processed);
        await post(w, { type: 'bridge.resumed', after: resume.after, lastSeq: w.processed });
        if (killed) return;
        await repo.resumeDone(w.tenant, w.channel, resume.requestId);
        await repo.markLive(w.tenant, w.channel, resume.connectionId);
      } else {
        w.held = false;
        await replay(w, w.liveFrom, w.processed);
        if (w.connectionId && !killed) await repo.markLive(w.tenant, w.channel, w.connectionId);
      }
    } finally {
      s.pins--;
    }
  }

  /**
   * Queues the frame of a stored delivery behind the channel's earlier frames. With `batch` framing,
   * frames numbered while that task still waits join it (one message), unless something else was queued
   * behind it meanwhile (the wire order is the queue order).
   */
  function queueFrame(w: WsChannel, ch: ChannelRecord, seq: number, event: BridgeEvent) {
    const batch = ch.framing === 'batch';
    if (batch && w.outbox && w.chain === w.outboxChain) {
      w.outbox.push({ ch, seq, event });
      return;
    }
    const items = [{ ch, seq, event }];
    w.outbox = batch ? items : null;
    w.outboxChain = run(w, async () => {
      if (w.outbox === items) w.outbox = null; // closed: later frames start the next task
      if (w.dropped) return;
      const stale = items.some(
        (it) => it.ch.connectionId !== w.connectionId && it.ch.connectionId !== w.goneConn,
      );
      if (!w.seen || stale) await sync(w);
      // A resume served by that sync replays up to the sequencer's head, which may already cover these
      // frames (they were numbered before this task ran): those went out with the replay, once.
      const due = items.filter((it) => it.seq > w.processed);
      if (!due.length) return;
      w.processed = due.at(-1)!.seq;
      if (w.connectionId && !w.held) await sendFrames(w, due, batch);
    });
  }

  // ---------------------------------------------------------------- timers
  const recoverTimer = setInterval(() => void recover(), recoverMs);
  /**
   * The periodic WebSocket check. Channels flagged for attention (a new connection, a resume request:
   * one small partition, read every tick), channels with something still due (a hold, a resume another
   * process has not served yet) and channels not seen yet are checked every tick; every known channel
   * every `fullCheckEvery` ticks. A check is one batch read of the STATE items and channel records, then a
   * full `sync` only where something changed. The channel records read refresh the channel cache.
   */
  let checking = false;
  let ticks = 0;
  const flagSeen = new Map<string, number>();
  async function checkSockets() {
    const full = ticks++ % fullCheckEvery === 0;
    for (const f of await repo.listAttention()) {
      const k = key(f.tenant, f.channel);
      if ((flagSeen.get(k) ?? 0) >= f.at) {
        // Every service has long seen it: the first to notice removes it.
        if (Date.now() - f.at > 60_000) await repo.clearAttention(f.tenant, f.channel, f.at);
        continue;
      }
      flagSeen.set(k, f.at);
      (sockets.get(k) ?? wsChannel(f.tenant, f.channel, 0)).attention = true;
    }
    const ws = [...sockets.values()].filter((w) => !w.syncQueued && (full || w.attention || w.held));
    if (!ws.length) return;
    const at = Date.now();
    const [states, chans] = await Promise.all([
      repo.getStates(ws, deps.now()),
      deps.repos.channels.getMany(
        ws.map((w) => ({ tenant: w.tenant, id: w.channel })),
        deps.now(),
      ),
    ]);
    const now = Date.now();
    ws.forEach((w, i) => {
      const st = states[i]!;
      const ch = chans[i]!;
      const k = key(w.tenant, w.channel);
      cacheChannel(k, at, ch);
      const r = st.resume;
      const due =
        !w.seen ||
        !ch ||
        ch.connectionId !== w.connectionId ||
        (w.held && now >= w.heldUntil) ||
        (r !== null && !r.done && r.requestId !== w.lastResumeReq && r.connectionId === w.connectionId);
      // Still due at the next check if this sync cannot settle it (another process holds the sequencer).
      w.attention = due;
      // When syncs take longer than the interval (a loaded database), queueing one per tick would grow the
      // channel's queue without bound and starve the event frames queued behind it.
      if (!due || w.syncQueued) return;
      w.syncQueued = true;
      void run(w, () => {
        w.syncQueued = false;
        return sync(w);
      });
    });
  }
  const syncTimer = setInterval(() => {
    if (checking) return;
    checking = true;
    void checkSockets()
      .catch((err: unknown) => logger.warn('websocket check failed', { error: err as Error }))
      .finally(() => (checking = false));
  }, channelCacheMs);
  /**
   * Lists every live WebSocket connection and gives each channel this process does not know a socket
   * queue; the next check syncs it (hold, resume, heartbeats). Channels without a connection that this
   * process neither numbers nor has seen connected for a while are forgotten again.
   */
  let scanning = false;
  async function discoverConnections() {
    const conns = await deps.repos.connections.listAll(deps.now());
    const connected = new Set<string>();
    for (const c of conns) {
      const k = key(c.tenant, c.channel);
      connected.add(k);
      if (!sockets.has(k)) wsChannel(c.tenant, c.channel, 0);
    }
    for (const [k, w] of sockets)
      if (!connected.has(k) && !w.connectionId && !sequencers.has(k) && !releasing.has(k) && !w.syncQueued)
        sockets.delete(k);
  }
  const scanConnections = () => {
    if (scanning || stopped) return;
    scanning = true;
    void discoverConnections()
      .catch((err: unknown) => logger.warn('websocket connection scan failed', { error: err as Error }))
      .finally(() => (scanning = false));
  };
  const connectionTimer = setInterval(scanConnections, connectionScanMs);
  const heartbeatTimer = setInterval(() => {
    for (const w of sockets.values())
      if (w.connectionId && !w.held)
        void run(
          w,
          async () =>
            void (await post(w, {
              type: 'bridge.heartbeat',
              time: deps.now().toISOString(),
              lastSeq: w.lastSent,
            })),
        );
  }, heartbeatMs);
  let tending: Promise<void> | undefined;
  const sequencerTimer = setInterval(
    () => void (tending ??= tendSequencers().finally(() => (tending = undefined))),
    Math.max(50, Math.floor(seqLeaseMs / 3)),
  );
  void recover();
  scanConnections();

  // ---------------------------------------------------------------- matching and storing
  /**
   * Matches a batch of logged events (in log order per link), numbers and stores every delivery in batch
   * writes, then hands them to the senders. `rematch`: deliveries that already exist are skipped (their
   * channel's log is read back to the earliest event's time, less a margin).
   */
  async function deliverBatch(events: BridgeEvent[], rematch: boolean) {
    interface Pair {
      event: BridgeEvent;
      ch: ChannelRecord;
    }
    const pairs: Pair[] = [];
    const matched: { event: BridgeEvent; ids: string[] }[] = [];
    for (const event of events) {
      const ids = (await subscriptionsOf(event.tenant, event.link)).channelsFor(event);
      if (ids.length) matched.push({ event, ids });
    }
    // Every channel record of the batch at once: the loader merges the misses into batch reads.
    const records = await Promise.all(
      matched.map(({ event, ids }) => Promise.all(ids.map((c) => channelOf(event.tenant, c)))),
    );
    for (const [i, { event }] of matched.entries()) {
      for (const ch of records[i]!) {
        if (!ch) continue;
        if (ch.type === 'webhook' && ch.status === 'disabled') {
          logger.info('event not delivered: channel disabled', {
            tenant: ch.tenant,
            channel: ch.id,
            eventId: event.id,
          });
          continue;
        }
        pairs.push({ event, ch });
      }
    }
    if (!pairs.length) return;

    const byChannel = new Map<string, Pair[]>();
    for (const p of pairs) {
      const k = key(p.ch.tenant, p.ch.id);
      const list = byChannel.get(k);
      if (list) list.push(p);
      else byChannel.set(k, [p]);
    }
    if (rematch) {
      const earliest = Math.min(...events.map((e) => Date.parse(e.time) || Date.now()));
      const since = new Date(Math.min(earliest, Date.now()) - 600_000).toISOString();
      await Promise.all(
        [...byChannel].map(async ([k, list]) => {
          const done = await repo.deliveredSince(list[0]!.ch.tenant, list[0]!.ch.id, since);
          const rest = list.filter((p) => !done.has(`${p.event.link}#${p.event.seq}`));
          if (rest.length) byChannel.set(k, rest);
          else byChannel.delete(k);
        }),
      );
    }

    // Numbers: WebSocket channels from their held sequencer, webhook channels from reserved blocks.
    const nowIso = deps.now().toISOString();
    const nowMs = clock.now();
    const heldUntil = nowMs + claimMs;
    const recs: DeliveryRecord[] = [];
    const frames: { w: WsChannel; ch: ChannelRecord; seq: number; event: BridgeEvent }[] = [];
    const pendings: Pending[] = [];
    const pinned: { pins: number }[] = [];
    try {
      const numbered = await Promise.allSettled(
        [...byChannel.values()].map(async (list) => {
          const ch = list[0]!.ch;
          let seqs: number[];
          let w: WsChannel | undefined;
          if (ch.type === 'webhook') {
            const k = key(ch.tenant, ch.id);
            if ((workTouched.get(k) ?? 0) < Date.now() - 600_000) {
              await repo.touchWork(ch.tenant, ch.id, Date.now());
              workTouched.set(k, Date.now());
            }
            seqs = await webhookSeqs(ch.tenant, ch.id, list.length);
          } else {
            const s = await holdSequencer(ch.tenant, ch.id);
            pinned.push(s);
            w = wsChannel(ch.tenant, ch.id, s.head);
            seqs = list.map(() => ++s.head);
          }
          list.forEach(({ event }, i) => {
            const seq = seqs[i]!;
            const orderKey = orderKeyOf(event);
            const webhook = ch.type === 'webhook';
            recs.push({
              tenant: ch.tenant,
              channel: ch.id,
              seq,
              channelType: webhook ? 'webhook' : 'websocket',
              eventId: event.id,
              eventType: event.type,
              link: event.link,
              eventSeq: event.seq,
              orderKey,
              status: 'pending',
              attempts: [],
              attemptCount: 0,
              nextAttemptAt: webhook ? new Date(nowMs).toISOString() : null,
              createdAt: nowIso,
              settledAt: null,
              claimUntil: webhook ? heldUntil : 0,
              owner: webhook ? id : null,
            });
            if (w) frames.push({ w, ch, seq, event });
            else
              pendings.push({
                tenant: ch.tenant,
                channel: ch.id,
                seq,
                orderKey,
                link: event.link,
                eventSeq: event.seq,
                dueAt: nowMs,
                attemptCount: 0,
                heldUntil,
                event,
                inFlight: false,
                stored: false,
                eventId: event.id,
                eventType: event.type,
                createdAt: nowIso,
                attempts: [],
              });
          });
        }),
      );
      for (const r of numbered) if (r.status === 'rejected') throw r.reason;
      // Known before they are stored: the recovery scan, which may see an item as soon as its own chunk
      // is written, then leaves it to this process instead of sending it a second time.
      for (const p of pendings) {
        enqueue(p);
        const k = key(p.tenant, p.channel);
        if (p.seq > (scannedUpTo.get(k) ?? 0)) scannedUpTo.set(k, p.seq);
      }
      try {
        await repo.putMany(recs, ttlDays, deps.now());
      } catch (err) {
        for (const p of pendings) settle(p);
        throw err;
      }
    } finally {
      for (const s of pinned) s.pins--;
    }
    if (killed) return;
    for (const p of pendings) p.stored = true;
    pump(); // webhooks go out now, without waiting for the WebSocket frames
    for (const f of frames) queueFrame(f.w, f.ch, f.seq, f.event);
  }

  // ---------------------------------------------------------------- hand-off from the log
  /** Every matching, catch-up and repair runs here, one at a time, in the order they were queued. */
  let work: Promise<void> = Promise.resolve();
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const p = work.then(task);
    work = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  const linkStates = new Map<string, LinkState>();
  function linkState(tenant: string, link: string): LinkState {
    const k = key(tenant, link);
    let L = linkStates.get(k);
    if (!L)
      linkStates.set(
        k,
        (L = { tenant, link, done: null, durable: 0, writing: false, broken: false, lastSeen: 0 }),
      );
    return L;
  }

  /** Writes the watermark (one write in flight per link; later marks coalesce into the next write). */
  function markDone(L: LinkState, seq: number) {
    if (L.broken || L.done === null || seq <= L.done) return;
    L.done = seq;
    if (L.writing) return;
    L.writing = true;
    track(
      (async () => {
        try {
          while (!killed && L.done !== null && L.durable < L.done) {
            const s = L.done;
            await repo.advanceWatermark(L.tenant, L.link, s);
            L.durable = s;
          }
        } catch (err) {
          logger.warn('delivery watermark write failed', {
            error: err as Error,
            tenant: L.tenant,
            link: L.link,
          });
        } finally {
          L.writing = false;
        }
      })(),
    );
  }

  async function loadLink(L: LinkState, fallback: number | null) {
    let w = await repo.getWatermark(L.tenant, L.link);
    if (w === null)
      w = await repo.ensureWatermark(L.tenant, L.link, fallback ?? (await repo.logHead(L.tenant, L.link)));
    L.done = w;
    L.durable = w;
  }

  /** Re-matches the log events in (done, upTo]; those already delivered are skipped. */
  async function catchUp(L: LinkState, upTo: number) {
    let from = L.done!;
    let rematched = 0;
    while (from < upTo && !stopped) {
      const evs = await repo.eventsBetween(L.tenant, L.link, from, upTo, 200, deps.now());
      if (!evs.length) break;
      await deliverBatch(evs, true);
      rematched += evs.length;
      from = evs.at(-1)!.seq;
    }
    if (stopped) return;
    L.broken = false;
    markDone(L, upTo);
    if (rematched)
      logger.info('delivery caught up from the event log', {
        tenant: L.tenant,
        link: L.link,
        events: rematched,
        upTo,
      });
  }

  function scheduleRepair(L: LinkState) {
    if (L.repair || stopped) return;
    L.repair = setTimeout(() => {
      L.repair = undefined;
      void serial(async () => {
        if (stopped) return;
        if (L.done === null) await loadLink(L, null);
        await catchUp(L, Math.max(L.lastSeen, L.done!));
      }).catch((err: unknown) => {
        logger.error('delivery catch-up failed', { error: err as Error, tenant: L.tenant, link: L.link });
        scheduleRepair(L);
      });
    }, recoverMs);
  }

  /** Logged events waiting for matching, in log order per link. */
  let backlog: BridgeEvent[] = [];
  let draining = false;
  const roomWaiters: (() => void)[] = [];

  /** Takes a batch from the backlog and delivers it; queues itself again while events remain. */
  async function drain() {
    const batch = backlog.length <= maxBatch ? backlog : backlog.slice(0, maxBatch);
    backlog = backlog.length <= maxBatch ? [] : backlog.slice(maxBatch);
    while (roomWaiters.length && backlog.length < maxBacklog) roomWaiters.shift()!();
    const links = new Map<LinkState, BridgeEvent[]>();
    for (const e of batch) {
      const L = linkState(e.tenant, e.link);
      const list = links.get(L);
      if (list) list.push(e);
      else links.set(L, [e]);
    }
    const live: BridgeEvent[] = [];
    const involved: LinkState[] = [];
    for (const [L, evs] of links) {
      try {
        if (L.done === null) await loadLink(L, evs[0]!.seq - 1);
        // A gap: events the log holds that this process never saw (another owner died after logging them).
        if (!L.broken && L.done! < evs[0]!.seq - 1) await catchUp(L, evs[0]!.seq - 1);
      } catch (err) {
        if (stopped) return;
        logger.error('delivery catch-up failed', { error: err as Error, tenant: L.tenant, link: L.link });
        L.broken = true;
        scheduleRepair(L);
      }
      L.lastSeen = Math.max(L.lastSeen, evs.at(-1)!.seq);
      const fresh = L.done === null ? evs : evs.filter((e) => e.seq > L.done!);
      live.push(...fresh);
      involved.push(L);
    }
    try {
      await deliverBatch(live, false);
      for (const L of involved) if (L.done !== null) markDone(L, L.lastSeen);
    } catch (err) {
      if (stopped) return;
      logger.error('delivery of logged events failed; re-matching later', {
        error: err as Error,
        events: live.length,
      });
      for (const L of involved) {
        L.broken = true;
        scheduleRepair(L);
      }
    }
  }

  function kick() {
    if (draining || stopped || !backlog.length) return;
    draining = true;
    void serial(drain).finally(() => {
      draining = false;
      kick();
    });
  }

  function handle(event: BridgeEvent): Promise<void> {
    if (stopped) return Promise.resolve();
    backlog.push(event);
    kick();
    if (backlog.length < maxBacklog) return Promise.resolve();
    return new Promise<void>((r) => roomWaiters.push(r));
  }

  async function linkOwned(tenant: string, link: string) {
    if (stopped) return;
    const L = linkState(tenant, link);
    await serial(async () => {
      if (stopped) return;
      await loadLink(L, null);
      await catchUp(L, await repo.logHead(tenant, link));
    }).catch((err: unknown) => {
      logger.error('delivery catch-up failed', { error: err as Error, tenant, link });
      L.broken = true;
      scheduleRepair(L);
    });
  }

  const halt = () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    clearInterval(recoverTimer);
    clearInterval(syncTimer);
    clearInterval(heartbeatTimer);
    clearInterval(connectionTimer);
    clearInterval(sequencerTimer);
    for (const L of linkStates.values()) clearTimeout(L.repair);
    for (const r of roomWaiters.splice(0)) r();
  };

  return {
    id,
    onEvent: Object.assign(handle, { linkOwned }),
    linkOwned,
    matchedUpTo: (tenant, link) => linkStates.get(key(tenant, link))?.done ?? null,
    subscriptionsChanged: (tenant, link) => void subsCache.delete(key(tenant, link)),
    kill() {
      if (stopped) return;
      killed = true;
      halt();
      if (!opts.managementClient) management?.destroy();
    },
    recover,
    async stop() {
      if (stopped) return;
      halt();
      await recovering;
      await work;
      await Promise.all([...inFlight]);
      await Promise.all([...sockets.values()].map((w) => w.chain));
      await tending;
      await tendSequencers(true);
      if (!opts.managementClient) management?.destroy();
    },
  };
}
