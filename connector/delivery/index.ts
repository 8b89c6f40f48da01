/**
 * Event delivery (docs/delivery.md). Plugged in behind the connector's EventLogWriter: every logged
 * event is matched against the live subscriptions of its link and becomes one delivery per
 * (event, channel), numbered by the channel's own `seq`.
 *
 * - Hand-off: logged events are queued in memory (bounded: the writer waits when the queue is full) and
 *   handled in batches by one serial worker: match, number, hand to the senders. A per-link "matched up
 *   to" watermark follows the events whose deliveries are stored or settled; when the service takes a
 *   link (`linkOwned`), after a failed batch, or when an event arrives after a gap, the log events after
 *   the watermark are matched again, skipping what each channel already has.
 * - WebSocket channels: one process at a time holds a channel's sequencer lease and numbers its frames in
 *   memory; a batch's frames of every channel are stored with one fenced write to this process's frame
 *   journal (`./journal.ts`) and moved into each channel's log later (what `resume` replays), and are
 *   posted through the `@connections` management API in seq order by one serial queue per channel.
 * - Webhook channels: a delivery is sent from memory; it becomes a durable outbox entry with a due time
 *   only when it has to wait. Attempts follow the retry schedule; events with the same ordering key (the
 *   call) go out in seq order, other keys do not wait. A restarted service finds stored pending work
 *   through the "channels with pending work" items and the per-channel queue index, and claims each
 *   delivery before sending it (one sender at a time); what was in flight is matched again by the link's
 *   next owner.
 *
 * The parts, each wired here with the state it needs (no state is shared otherwise):
 * - `./options.ts`: the options and their defaults.
 * - `./common.ts`: the lifecycle flags and work `stop` waits for.
 * - `./caches.ts`: subscriptions per link and channel records (batch loader).
 * - `./handoff.ts`: the backlog and its serial worker, watermarks and catch-up.
 * - `./matching.ts`: `deliverBatch`: match, number, store, hand to the senders.
 * - `./outbox.ts` with `./webhook-attempt.ts` and `./recent.ts`: the webhook outbox, its attempts,
 *   recovery scans, and the listed first-attempt successes.
 * - `./streams.ts` with `./sequencers.ts`, `./frames.ts` and `./connection-checks.ts`: the WebSocket
 *   channel streams, their sequencer leases, frame posting, and periodic checks and heartbeats.
 */
import { BatchPutQueue } from '../../shared/db/batch.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import { createCaches } from './caches.js';
import { createLifecycle } from './common.js';
import { createConnectionChecks } from './connection-checks.js';
import { connectionsApiOf } from './frames.js';
import { createHandoff } from './handoff.js';
import { createJournal } from './journal.js';
import { createMatcher } from './matching.js';
import { resolveOptions, type DeliveryOptions } from './options.js';
import { createWebhookOutbox } from './outbox.js';
import { createRecentSuccesses } from './recent.js';
import type { DeliveryRecord } from '../../shared/repos/deliveries.js';
import { createChannelStreams } from './streams.js';
import { createWebhookSender } from './webhook.js';

export { DEFAULT_RETRY_SCHEDULE_MS } from './schedule.js';
export type { DeliveryClock, DeliveryOptions } from './options.js';

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
   * Call when this process takes a link (start, lease takeover), before its events flow: reads the
   * link's watermark, loads the pending webhook work (a full recovery scan), matches the log events after
   * the watermark again (creating only missing deliveries), then moves the watermark.
   */
  linkOwned(tenant: string, link: string): Promise<void>;
  /** A link's subscriptions changed: the next event of the link is matched against them (no cache). */
  subscriptionsChanged(tenant: string, link: string): void;
  /**
   * A WebSocket channel has a new connection or a resume request: applied now in the channel's queue,
   * instead of at the next periodic check.
   */
  channelAttention(tenant: string, channel: string): void;
  /**
   * A webhook channel's latest first-attempt successes this process delivered, including those not in
   * the stored lists yet (`./recent.ts`): the API adds them to `GET .../deliveries`.
   */
  latestSuccesses(tenant: string, channel: string): DeliveryRecord[];
  /** How far this service matched a link's log (tests, diagnostics; its stored watermark may be behind). */
  matchedUpTo(tenant: string, link: string): number | null;
  /** Scans pending work now (normally on a timer). */
  recover(): Promise<void>;
  /** Stops timers and waits for attempts in flight; pending work stays in DynamoDB. */
  stop(): Promise<void>;
  /** Simulates a crash: stops at once, records nothing more (attempts in flight are abandoned). */
  kill(): void;
  readonly id: string;
}

export function startDelivery(opts: DeliveryOptions): Delivery {
  const { deps } = opts;
  const settings = resolveOptions(opts);
  const connections = connectionsApiOf(opts);
  const management = connections?.api;
  const lifecycle = createLifecycle();
  const caches = createCaches({
    deps,
    subsCacheMs: settings.subsCacheMs,
    channelCacheMs: settings.channelCacheMs,
    forgetIdleMs: settings.forgetIdleMs,
    ...(opts.subscriptionViews ? { views: opts.subscriptionViews } : {}),
  });
  // Every unconditional put of the service (outbox items, settled deliveries, latest-success lists)
  // shares one queue, so that they go out together in batch requests.
  const puts = new BatchPutQueue(deps.db);
  const recent = createRecentSuccesses({
    deps,
    lifecycle,
    puts,
    ttlDays: settings.ttlDays,
    flushMs: settings.recentMs,
    writesPerSec: settings.recentWritesPerSec,
  });
  const sender = createWebhookSender({
    policy: settings.addressPolicy,
    resolver: settings.resolver,
    connectionsPerOrigin: settings.webhookConnectionsPerOrigin,
  });
  const outbox = createWebhookOutbox({ deps, lifecycle, caches, recent, puts, sender, settings });
  const journal = createJournal({ deps, id: settings.id, ttlDays: settings.ttlDays });
  const streams = createChannelStreams({ deps, lifecycle, caches, management, journal, settings });
  const checks = createConnectionChecks({ deps, lifecycle, caches, streams, settings });
  const { deliverBatch } = createMatcher({ deps, lifecycle, caches, outbox, streams, journal, settings });
  const handoff = createHandoff({ deps, lifecycle, deliverBatch, floor: outbox.floor, settings });
  outbox.onFloorRise(handoff.floorRose);

  // The periodic work (recovery scans, WebSocket checks, connection scans, heartbeats, sequencer
  // renewals), then a first recovery scan and connection scan at once.
  outbox.start();
  checks.start();
  streams.sequencers.start();
  void outbox.recover();
  checks.scanConnections();

  const halt = () => {
    lifecycle.stopped = true;
    outbox.halt();
    checks.halt();
    streams.sequencers.halt();
    handoff.halt();
    recent.halt();
  };

  /**
   * This process takes a link: reads the link's watermark, then loads the webhook work other processes
   * left pending (a retry the previous owner scheduled must go out before the later events of its call),
   * then re-matches the log after the watermark. In that order: a previous owner that stalled past its
   * lease writes a delivery's pending item before a watermark that passes its event, so a watermark read
   * first covers only items the scan then finds; an item stored after the scan is of an event past the
   * watermark, which re-matching meets (and loads: `./matching.ts`).
   */
  const linkOwned = (tenant: string, link: string) =>
    handoff.linkOwned(tenant, link, () => outbox.recover(true));

  return {
    id: settings.id,
    onEvent: Object.assign(handoff.handle, { linkOwned }),
    linkOwned,
    matchedUpTo: handoff.matchedUpTo,
    subscriptionsChanged: caches.forgetSubscriptions,
    channelAttention: checks.attend,
    latestSuccesses: recent.current,
    kill() {
      if (lifecycle.stopped) return;
      lifecycle.killed = true;
      halt();
      sender.close();
      connections?.api.close();
      if (!opts.managementClient) connections?.client.destroy();
    },
    recover: outbox.recover,
    async stop() {
      if (lifecycle.stopped) return;
      halt();
      await outbox.recovering();
      await handoff.idle();
      await Promise.all([...lifecycle.inFlight]);
      await recent.flush();
      await handoff.flush();
      await streams.stop();
      sender.close();
      connections?.api.close();
      if (!opts.managementClient) connections?.client.destroy();
    },
  };
}
