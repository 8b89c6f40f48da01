/**
 * Event delivery (docs/delivery.md). Plugged in behind the connector's EventLogWriter: every logged
 * event is matched against the live subscriptions of its link and becomes one delivery per
 * (event, channel), numbered by the channel's own `seq`.
 *
 * - Webhook channels: the delivery item is a durable outbox entry with a due time. Attempts follow the
 *   retry schedule; events with the same ordering key (the call) go out in seq order, other keys do not
 *   wait. A restarted service finds pending work through the "channels with pending work" items and
 *   the per-channel queue index, and claims each delivery before sending it (one sender at a time).
 * - WebSocket channels: the delivery item is the per-channel log `resume` replays; frames are posted
 *   through the `@connections` management API in seq order by one serial queue per channel.
 * - Exactly once from the log: deliveries of an event are created together with a key per
 *   (channel, event) (conditional), and a per-link "matched up to" watermark follows the stored ones.
 *   When the service takes a link (`linkOwned`, on start and on lease takeover), after a failed
 *   hand-off, or when an event arrives after a gap, the log events after the watermark are matched
 *   again; events that already have their delivery are skipped.
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
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { DeliveryAttempt, DeliveryRecord } from '../../shared/repos/deliveries.js';
import { keys } from '../../shared/repos/keys.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { matchChannels, orderKeyOf } from '../../shared/events/matching.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_SCHEDULE_MS, nextDelayMs, type RetryPolicy } from './schedule.js';
import { webhookHeaders } from './signing.js';
import { parseCidr, type AddressPolicy, type Resolver } from './ssrf.js';
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
  /** A webhook channel failing continuously this long is disabled (ms, default 5 days). */
  disableAfterMs?: number;
  /** How often pending work of all channels is scanned (restart, replay, other connectors; ms, default 5000). */
  recoverMs?: number;
  /** Parallel attempts per webhook channel (default 8; different calls only). */
  maxInFlightPerChannel?: number;
  /** `bridge.heartbeat` frame interval on idle-or-not connected channels (ms, default 300 000). */
  heartbeatMs?: number;
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
   * The EventLogWriter listener: resolves once every delivery of the event is stored. It carries
   * `linkOwned`, so a connector given only this listener still runs the catch-up when it takes a link.
   */
  onEvent: ((event: BridgeEvent) => Promise<void>) & {
    linkOwned: (tenant: string, link: string) => Promise<void>;
  };
  /**
   * Call when this process takes a link (start, lease takeover), before its events flow: matches the log
   * events after the link's watermark again (creating only missing deliveries), then moves the watermark.
   */
  linkOwned(tenant: string, link: string): Promise<void>;
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
  lastSent: number;
  lastResumeReq: string | null;
  seen: boolean;
  /** A periodic sync is waiting in `chain` (at most one: they must not pile up ahead of event frames). */
  syncQueued: boolean;
}

interface LinkState {
  tenant: string;
  link: string;
  /** Serializes matching of the link's events with catch-ups. */
  chain: Promise<void>;
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
  const claimMs = timeoutMs + (opts.claimMarginMs ?? 30_000);
  const clock = opts.clock ?? realClock;
  const seqBlock = Math.max(1, opts.webhookSeqBlock ?? 32);
  const disableAfterMs = opts.disableAfterMs ?? 5 * 86_400_000;
  const recoverMs = opts.recoverMs ?? 5000;
  const maxInFlight = opts.maxInFlightPerChannel ?? 8;
  const heartbeatMs = opts.heartbeatMs ?? 300_000;
  const resumeHoldMs = opts.resumeHoldMs ?? 3000;
  const maxFrameBytes = opts.maxFrameBytes ?? 128 * 1024;
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
  const subsCache = new Map<string, { at: number; subs: Promise<SubscriptionRecord[]> }>();
  function subscriptionsOf(tenant: string, link: string): Promise<SubscriptionRecord[]> {
    const k = key(tenant, link);
    const hit = subsCache.get(k);
    if (hit && Date.now() - hit.at < subsCacheMs) return hit.subs;
    const subs = deps.repos.subscriptions.listByLink(tenant, link, deps.now());
    subsCache.set(k, { at: Date.now(), subs });
    subs.catch(() => subsCache.delete(k));
    return subs;
  }
  const channelCache = new Map<string, { at: number; rec: Promise<ChannelRecord | null> }>();
  function channelOf(tenant: string, channel: string, fresh = false): Promise<ChannelRecord | null> {
    const k = key(tenant, channel);
    const hit = channelCache.get(k);
    if (!fresh && hit && Date.now() - hit.at < channelCacheMs) return hit.rec;
    const rec = deps.repos.channels.get(tenant, channel, deps.now());
    channelCache.set(k, { at: Date.now(), rec });
    rec.catch(() => channelCache.delete(k));
    return rec;
  }
  async function loadEvent(tenant: string, link: string, seq: number): Promise<BridgeEvent | null> {
    const res = await deps.db.doc.send(
      new GetCommand({ TableName: deps.db.table, Key: keys.event(tenant, link, seq), ConsistentRead: true }),
    );
    return (res.Item?.event as BridgeEvent | undefined) ?? null;
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
    q.sort((a, b) => a.seq - b.seq);
    h.byOrder.set(p.orderKey, q);
  }

  function settle(p: Pending) {
    const h = hookChannel(p.tenant, p.channel);
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
        if (!head || head.inFlight) continue;
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

  async function markFailing(p: Pending, ok: boolean) {
    const k = key(p.tenant, p.channel);
    if (ok) {
      if (failing.get(k) !== null) {
        await repo.setFailingSince(p.tenant, p.channel, null);
        failing.set(k, null);
      }
      return;
    }
    const since = await repo.setFailingSince(p.tenant, p.channel, deps.now().toISOString());
    failing.set(k, since);
    if (since && deps.now().getTime() - Date.parse(since) >= disableAfterMs)
      await disableChannel(p.tenant, p.channel, `failing continuously since ${since}`);
  }

  async function finish(
    p: Pending,
    attemptRec: DeliveryAttempt | null,
    status: 'delivered' | 'failed',
    why?: string,
  ) {
    await repo.recordAttempt(
      p.tenant,
      p.channel,
      p.seq,
      attemptRec ??
        (why ? { at: deps.now().toISOString(), statusCode: null, latencyMs: 0, error: why } : null),
      { status, nextAttemptAt: null },
      deps.now(),
    );
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
    }
    const ch = await channelOf(p.tenant, p.channel);
    if (!ch || ch.type !== 'webhook') return finish(p, null, 'failed', 'channel deleted or expired');
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
    const res = await postWebhook(ch.url!, body, headers, {
      timeoutMs,
      policy: addressPolicy,
      resolver: opts.resolver,
    });
    if (stopped && killed) return; // a crashed process records nothing
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
      p.heldUntil = 0;
    }
    await markFailing(p, false);
  }

  /** Next seq of a webhook channel: busy channels reserve `seqBlock` at once (one write for many events). */
  const seqBlocks = new Map<
    string,
    { next: number; end: number; lastAllocAt: number; pending?: Promise<void> }
  >();
  async function nextWebhookSeq(tenant: string, channel: string): Promise<number> {
    const k = key(tenant, channel);
    let b = seqBlocks.get(k);
    if (!b) seqBlocks.set(k, (b = { next: 1, end: 0, lastAllocAt: 0 }));
    const block = b;
    while (block.next > block.end) {
      if (!block.pending) {
        const size = Date.now() - block.lastAllocAt < 1000 ? seqBlock : 1;
        block.lastAllocAt = Date.now();
        block.pending = repo
          .allocSeq(tenant, channel, size)
          .then(({ seq }) => {
            block.next = seq;
            block.end = seq + size - 1;
          })
          .finally(() => (block.pending = undefined));
      }
      await block.pending;
    }
    return block.next++;
  }

  /** Creates the webhook deliveries of one event on all its webhook channels (batched transactions). */
  async function createWebhookDeliveries(event: BridgeEvent, chs: ChannelRecord[], rematch: boolean) {
    const live: ChannelRecord[] = [];
    for (const ch of chs) {
      if (ch.status === 'disabled')
        logger.info('event not delivered: channel disabled', {
          tenant: ch.tenant,
          channel: ch.id,
          eventId: event.id,
        });
      else live.push(ch);
    }
    const todo = rematch
      ? (
          await Promise.all(
            live.map(async (ch) =>
              (await repo.hasDeliveryOf(ch.tenant, ch.id, event.link, event.seq)) ? null : ch,
            ),
          )
        ).filter((c): c is ChannelRecord => c !== null)
      : live;
    if (!todo.length) return;
    const nowMs = clock.now();
    await Promise.all(
      todo.map(async (ch) => {
        const k = key(ch.tenant, ch.id);
        if ((workTouched.get(k) ?? 0) < Date.now() - 600_000) {
          await repo.touchWork(ch.tenant, ch.id, Date.now());
          workTouched.set(k, Date.now());
        }
      }),
    );
    const seqs = await Promise.all(todo.map((ch) => nextWebhookSeq(ch.tenant, ch.id)));
    const orderKey = orderKeyOf(event);
    const heldUntil = nowMs + claimMs;
    const created = await repo.createOnce(
      todo.map((ch, i) => ({
        rec: {
          tenant: ch.tenant,
          channel: ch.id,
          seq: seqs[i]!,
          channelType: 'webhook' as const,
          eventId: event.id,
          eventType: event.type,
          link: event.link,
          eventSeq: event.seq,
          orderKey,
          nextAttemptAt: new Date(nowMs).toISOString(),
          createdAt: deps.now().toISOString(),
        },
        claim: { owner: id, untilMs: heldUntil },
      })),
      ttlDays,
      deps.now(),
    );
    todo.forEach((ch, i) => {
      if (created[i])
        enqueue({
          tenant: ch.tenant,
          channel: ch.id,
          seq: seqs[i]!,
          orderKey,
          link: event.link,
          eventSeq: event.seq,
          dueAt: nowMs,
          attemptCount: 0,
          heldUntil,
          event,
          inFlight: false,
        });
    });
    pump(); // webhooks go out now, without waiting for the event's WebSocket frames
  }

  let recovering: Promise<void> | undefined;
  const recentlyEmpty = new Map<string, number>();
  async function recoverOnce() {
    const nowMs = clock.now();
    for (const w of await repo.listWork()) {
      if (stopped) return;
      const queue = await repo.pendingQueue(w.tenant, w.channel);
      const h = hooks.get(key(w.tenant, w.channel));
      if (!queue.length) {
        if (!h || h.known.size === 0)
          await repo.deleteWorkIfIdle(w.tenant, w.channel, Date.now() - 3_600_000);
        continue;
      }
      for (const d of queue) {
        if (d.status !== 'pending') continue;
        const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : nowMs;
        enqueue(pendingFrom(d, Math.max(due, d.owner && d.owner !== id ? d.claimUntil : 0)));
      }
    }
    recentlyEmpty.clear();
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
  });
  const recover = () =>
    (recovering ??= recoverOnce()
      .catch((err: unknown) => logger.error('delivery recovery failed', { error: err as Error }))
      .finally(() => (recovering = undefined)));

  // ---------------------------------------------------------------- WebSocket
  const sockets = new Map<string, WsChannel>();

  function wsChannel(tenant: string, channel: string): WsChannel {
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
          lastSent: 0,
          lastResumeReq: null,
          seen: false,
          syncQueued: false,
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

  async function post(w: WsChannel, data: unknown): Promise<'ok' | 'gone' | 'too-large' | 'error'> {
    if (!management || !w.connectionId) return 'error';
    const connectionId = w.connectionId;
    try {
      await management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(data)) }),
      );
      return 'ok';
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'GoneException') {
        w.connectionId = null;
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

  async function sendFrame(w: WsChannel, seq: number, event: BridgeEvent) {
    const frame = { type: 'event', channelSeq: seq, event };
    const size = Buffer.byteLength(JSON.stringify(frame));
    let r = size > maxFrameBytes ? 'too-large' : await post(w, frame);
    if (r === 'too-large') r = await post(w, tooLargeStub(seq, event, size));
    if (r === 'ok') w.lastSent = seq;
  }

  /** Re-sends log entries from..to (inclusive) to the current connection, in order. */
  async function replay(w: WsChannel, from: number, to: number) {
    for (const d of await repo.range(w.tenant, w.channel, from, to, deps.now())) {
      if (!w.connectionId) return;
      const ev = await loadEvent(w.tenant, d.link, d.eventSeq);
      if (ev) await sendFrame(w, d.seq, ev);
    }
  }

  /** Applies the channel's current connection and resume request (runs in the channel's queue). */
  async function sync(w: WsChannel) {
    const ch = await channelOf(w.tenant, w.channel, true);
    if (!ch) {
      sockets.delete(key(w.tenant, w.channel));
      return;
    }
    const state = await repo.getState(w.tenant, w.channel);
    const first = !w.seen;
    w.seen = true;
    if (ch.connectionId !== w.connectionId) {
      w.connectionId = ch.connectionId;
      w.held = ch.connectionId !== null;
      w.heldUntil = Date.now() + resumeHoldMs;
      w.liveFrom = state.next + 1;
      w.lastSent = state.next;
      if (first && (state.resume?.connectionId !== ch.connectionId || state.resume?.done))
        w.lastResumeReq = state.resume?.requestId ?? null;
    }
    const r = state.resume;
    if (r && r.requestId !== w.lastResumeReq && w.connectionId && r.connectionId === w.connectionId) {
      w.lastResumeReq = r.requestId;
      w.held = false;
      await replay(w, r.after + 1, state.next);
      await post(w, { type: 'bridge.resumed', after: r.after, lastSeq: state.next });
      await repo.resumeDone(w.tenant, w.channel, r.requestId);
    } else if (w.held && Date.now() >= w.heldUntil) {
      w.held = false;
      await replay(w, w.liveFrom, state.next);
    }
  }

  async function deliverWs(event: BridgeEvent, ch: ChannelRecord, rematch: boolean) {
    if (rematch && (await repo.hasDeliveryOf(ch.tenant, ch.id, event.link, event.seq))) return;
    const w = wsChannel(ch.tenant, ch.id);
    let logged!: () => void;
    const stored = new Promise<void>((r) => (logged = r));
    const done = run(w, async () => {
      try {
        if (!w.seen || ch.connectionId !== w.connectionId) await sync(w);
        const { seq } = await repo.allocSeq(ch.tenant, ch.id);
        const [created] = await repo.createOnce(
          [
            {
              rec: {
                tenant: ch.tenant,
                channel: ch.id,
                seq,
                channelType: 'websocket',
                eventId: event.id,
                eventType: event.type,
                link: event.link,
                eventSeq: event.seq,
                orderKey: orderKeyOf(event),
                nextAttemptAt: null,
                createdAt: deps.now().toISOString(),
              },
            },
          ],
          ttlDays,
          deps.now(),
        );
        logged();
        if (!created) return; // matched before (another process got there first)
        if (w.connectionId && !w.held) await sendFrame(w, seq, event);
      } finally {
        logged();
      }
    });
    await Promise.race([stored, done]);
  }

  // ---------------------------------------------------------------- timers
  const recoverTimer = setInterval(() => void recover(), recoverMs);
  const syncTimer = setInterval(() => {
    for (const w of sockets.values()) {
      // When syncs take longer than the interval (a loaded database), queueing one per tick would grow the
      // channel's queue without bound and starve the event frames queued behind it.
      if (w.syncQueued) continue;
      w.syncQueued = true;
      void run(w, () => {
        w.syncQueued = false;
        return sync(w);
      });
    }
  }, channelCacheMs);
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
  void recover();

  // ---------------------------------------------------------------- hand-off from the log
  const linkStates = new Map<string, LinkState>();
  function linkState(tenant: string, link: string): LinkState {
    const k = key(tenant, link);
    let L = linkStates.get(k);
    if (!L)
      linkStates.set(
        k,
        (L = {
          tenant,
          link,
          chain: Promise.resolve(),
          done: null,
          durable: 0,
          writing: false,
          broken: false,
          lastSeen: 0,
        }),
      );
    return L;
  }
  function onLink<T>(L: LinkState, task: () => Promise<T>): Promise<T> {
    const p = L.chain.then(task);
    L.chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Creates the deliveries of one logged event; `rematch`: only those not created before. */
  async function matchEvent(event: BridgeEvent, rematch: boolean) {
    const subs = await subscriptionsOf(event.tenant, event.link);
    const channels = matchChannels(subs, event);
    const recs = (await Promise.all(channels.map((c) => channelOf(event.tenant, c)))).filter(
      (c): c is ChannelRecord => c !== null,
    );
    const webhooks = recs.filter((c) => c.type === 'webhook');
    await Promise.all([
      createWebhookDeliveries(event, webhooks, rematch),
      ...recs.filter((c) => c.type !== 'webhook').map((c) => deliverWs(event, c, rematch)),
    ]);
    pump();
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

  /** Re-matches the log events in (done, upTo]; duplicates are skipped. Runs in the link's chain. */
  async function catchUp(L: LinkState, upTo: number) {
    let from = L.done!;
    let rematched = 0;
    while (from < upTo && !stopped) {
      const evs = await repo.eventsBetween(L.tenant, L.link, from, upTo, 200, deps.now());
      if (!evs.length) break;
      for (const e of evs) {
        await matchEvent(e, true);
        rematched++;
      }
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
      void onLink(L, async () => {
        if (L.done === null) await loadLink(L, null);
        await catchUp(L, Math.max(L.lastSeen, L.done!));
      }).catch((err: unknown) => {
        logger.error('delivery catch-up failed', { error: err as Error, tenant: L.tenant, link: L.link });
        scheduleRepair(L);
      });
    }, recoverMs);
  }

  async function handle(event: BridgeEvent) {
    if (stopped) return;
    const L = linkState(event.tenant, event.link);
    await onLink(L, async () => {
      if (stopped) return;
      if (L.done === null) await loadLink(L, event.seq - 1);
      if (!L.broken && L.done! < event.seq - 1) await catchUp(L, event.seq - 1); // a gap: re-match what it holds
      L.lastSeen = Math.max(L.lastSeen, event.seq);
      try {
        await matchEvent(event, false);
      } catch (err) {
        if (!stopped) {
          L.broken = true;
          scheduleRepair(L);
        }
        throw err;
      }
      markDone(L, event.seq);
    });
  }

  async function linkOwned(tenant: string, link: string) {
    if (stopped) return;
    const L = linkState(tenant, link);
    await onLink(L, async () => {
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
    for (const L of linkStates.values()) clearTimeout(L.repair);
  };

  return {
    id,
    onEvent: Object.assign(handle, { linkOwned }),
    linkOwned,
    matchedUpTo: (tenant, link) => linkStates.get(key(tenant, link))?.done ?? null,
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
      await Promise.all([...inFlight]);
      await Promise.all([...sockets.values()].map((w) => w.chain));
      if (!opts.managementClient) management?.destroy();
    },
  };
}
