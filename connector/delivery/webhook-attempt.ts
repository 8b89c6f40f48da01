/**
 * One attempt at a webhook delivery of the outbox (`./outbox.ts` starts it when the delivery is due and
 * first in its call's queue): claims the stored item unless this service still holds it (a fresh
 * delivery has no item: only this process knows it), reads the
 * channel and the event, signs and posts it (`./signing.ts`, `./webhook.ts`; a routing channel's answer
 * goes through `./routing.ts`), and records the outcome. 2xx: delivered. 410: failed, and the channel is
 * disabled. Otherwise a retry at the schedule's next delay (`./schedule.ts`; `Retry-After` honoured on
 * 429 and 5xx), or failed when the schedule is over; a channel failing for `disableAfterMs` is disabled.
 */
import { BRIDGE_METRICS } from '../../shared/config.js';
import type { Deps } from '../../shared/deps.js';
import type { DeliveryAttempt, DeliveryRecord } from '../../shared/repos/deliveries.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { BatchPutQueue } from '../../shared/db/batch.js';
import { epochSeconds } from '../../shared/repos/common.js';
import { nextDelayMs } from './schedule.js';
import { webhookHeaders } from '../../shared/webhooks/signing.js';
import { routeFromAnswer, wantsRoute } from './routing.js';
import type { WebhookSender } from './webhook.js';
import { loadEvent, type Caches } from './caches.js';
import { eventJson, key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import type { RecentSuccesses } from './recent.js';

/** A webhook delivery this service knows is pending (in its channel's queue). */
export interface Pending {
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
  /** Its item is in DynamoDB. */
  stored: boolean;
  /**
   * Created by this process and held in its memory only (no item yet): it may go out without one, and
   * the link's watermark stays below its event until it is settled or stored.
   */
  fresh: boolean;
  /** Its item is being written: it is not sent before the write ends (the item would say pending). */
  storing?: boolean;
  eventId: string;
  eventType: string;
  createdAt: string;
  attempts: DeliveryAttempt[];
}

/**
 * The record of a delivery with its outcome so far (what its item holds).
 *
 * @example
 * repo.itemOf(recordOfPending(p, 'pending', new Date()), ttl);
 */
export function recordOfPending(
  p: Pending,
  status: DeliveryRecord['status'],
  now: Date,
  nextAttemptAt: string | null = null,
): DeliveryRecord {
  return {
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
    nextAttemptAt,
    createdAt: p.createdAt,
    settledAt: status === 'pending' ? null : now.toISOString(),
    claimUntil: 0,
    owner: null,
  };
}

/** When a delivery's item expires (epoch seconds): the event log's TTL, counted from its creation. */
export const ttlOfPending = (p: Pending, ttlDays: number) =>
  epochSeconds(new Date(p.createdAt)) + ttlDays * 86_400;

/** The settings an attempt reads. */
export type AttemptSettings = Pick<
  Settings,
  | 'id'
  | 'ttlDays'
  | 'metrics'
  | 'timeoutMs'
  | 'routeSelect'
  | 'claimMs'
  | 'clock'
  | 'disableAfterMs'
  | 'policy'
>;

/** What an attempt needs of the outbox's queues. */
export interface AttemptQueue {
  /** Takes a delivery that is no longer pending out of its queue. */
  settle(p: Pending): void;
  /** The channel is gone: drops its queued deliveries. */
  dropChannel(tenant: string, channel: string): Promise<void>;
  /** The channel's queues are still there (false: dropped meanwhile). */
  has(tenant: string, channel: string): boolean;
  /** Stores a fresh delivery as a pending item (it has to wait), due at `nextAttemptAt`. */
  storeNow(p: Pending, nextAttemptAt: string | null): Promise<void>;
  /** Stores the fresh deliveries waiting behind `p` in its call's queue. */
  storeFollowers(p: Pending): Promise<void>;
}

export interface WebhookAttempts {
  /** Makes one attempt at `p` and records its outcome (`p.dueAt` is the next attempt's time). */
  attempt(p: Pending): Promise<void>;
  /** Forgets what is known of the channel's failures (the channel was dropped). */
  forget(tenant: string, channel: string): void;
}

export function createWebhookAttempts({
  deps,
  lifecycle,
  caches,
  settings,
  recent,
  puts,
  sender,
  queue,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'channelOf' | 'forgetChannel'>;
  settings: AttemptSettings;
  recent: RecentSuccesses;
  /** The delivery service's batch puts (settled deliveries). */
  puts: BatchPutQueue;
  /** Sends the POSTs (`./webhook.ts`; it checks the destination against the address policy). */
  sender: WebhookSender;
  queue: AttemptQueue;
}): WebhookAttempts {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { id, ttlDays, metrics, timeoutMs, routeSelect, claimMs, clock, disableAfterMs, policy } = settings;
  /** Per channel, since when it is known to fail (null: its last attempt succeeded). */
  const failing = new Map<string, string | null>();

  async function disableChannel(tenant: string, channel: string, reason: string) {
    const ch = await deps.repos.channels.disable(tenant, channel, reason, deps.now());
    caches.forgetChannel(tenant, channel);
    if (ch) logger.warn('channel.disabled', { event: 'channel.disabled', tenant, channel, reason });
  }

  async function markFailing(p: Pending, ok: boolean) {
    const k = key(p.tenant, p.channel);
    if (ok) {
      const known = failing.get(k);
      if (known === null) return;
      // The first success of the channel in this process reads whether it was failing (a read, not a
      // write per channel); a channel known to fail is cleared at once.
      if (known !== undefined || (await repo.getState(p.tenant, p.channel)).failingSince !== null)
        await repo.setFailingSince(p.tenant, p.channel, null);
      // (a failure recorded meanwhile stays known)
      if (failing.get(k) === known) failing.set(k, null);
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

  async function finish(
    p: Pending,
    attemptRec: DeliveryAttempt | null,
    status: 'delivered' | 'failed',
    why?: string,
  ) {
    const rec =
      attemptRec ??
      (why ? { at: deps.now().toISOString(), statusCode: null, latencyMs: 0, error: why } : null);
    if (rec) p.attempts = [...p.attempts, rec];
    if (p.fresh && status === 'delivered') {
      // The common case: a first-attempt success has no item; it is listed with the link's latest.
      recent.add(recordOfPending(p, 'delivered', deps.now()));
    } else if (p.fresh || (status === 'delivered' && rec)) {
      // A fresh delivery's only item, or a retried one's settled state: the whole item is put, in batches
      // shared with other settled deliveries.
      await puts.put(repo.itemOf(recordOfPending(p, status, deps.now()), ttlOfPending(p, ttlDays)));
    } else {
      await repo.recordAttempt(p.tenant, p.channel, p.seq, rec, { status, nextAttemptAt: null }, deps.now());
    }
    queue.settle(p);
  }

  async function attempt(p: Pending): Promise<void> {
    const nowMs = clock.now();
    if (!p.fresh && p.heldUntil < nowMs + timeoutMs + 1000) {
      const claimed = await repo.claim(p.tenant, p.channel, p.seq, id, nowMs + claimMs, nowMs);
      if (!claimed) {
        const cur = await repo.get(p.tenant, p.channel, p.seq);
        if (!cur || cur.status !== 'pending') queue.settle(p);
        else p.dueAt = Math.max(cur.claimUntil, nowMs) + 100; // another sender holds it; it still blocks its call
        return;
      }
      p.heldUntil = nowMs + claimMs;
      p.attemptCount = claimed.attemptCount;
      p.attempts = claimed.attempts;
    }
    const ch = await caches.channelOf(p.tenant, p.channel);
    if (!ch) return queue.dropChannel(p.tenant, p.channel);
    if (ch.type !== 'webhook') return finish(p, null, 'failed', 'not a webhook channel');
    if (ch.status === 'disabled')
      return finish(p, null, 'failed', `channel disabled: ${ch.disabledReason ?? ''}`);
    const event = p.event ?? (await loadEvent(deps, p.tenant, p.link, p.eventSeq));
    if (!event) return finish(p, null, 'failed', 'event no longer in the event log');
    const body = eventJson(event);
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
    const res = await sender.post(ch.url!, body, headers, { timeoutMs, captureBody: routing });
    if (lifecycle.stopped && lifecycle.killed) return; // a crashed process records nothing
    if (!queue.has(p.tenant, p.channel)) return; // dropped meanwhile (channel deleted)
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
      const nextAttemptAt = new Date(answeredMs + delay).toISOString();
      p.heldUntil = 0; // retried items are free for any sender
      if (p.fresh) {
        // It has to wait now: stored with this attempt, and so are the later events of its call.
        p.attempts = [...p.attempts, rec];
        await queue.storeNow(p, nextAttemptAt);
        await queue.storeFollowers(p);
      } else {
        await repo.recordAttempt(p.tenant, p.channel, p.seq, rec, { status: 'pending', nextAttemptAt }, now);
        p.attempts = [...p.attempts, rec];
      }
    }
    await markFailing(p, false);
  }

  return { attempt, forget: (tenant, channel) => void failing.delete(key(tenant, channel)) };
}
