/**
 * WebSocket channel streams (docs/delivery.md, "WebSocket channels"): one serial queue per channel in
 * this process (`run`), so that its frames go out in `channelSeq` order. A stored delivery's frame is
 * queued (`queueFrame`; with `batch` framing, frames numbered while the task waits join it); a queue
 * applies its channel's current connection and resume request (`sync`): a new connection is held for a
 * `resume` (`resumeHoldMs`) before it goes live, a resume replays the channel's log, and both are
 * served only by the process that holds the channel's sequencer (`./sequencers.ts`, created here), so
 * that one connection's frames and replays come from one process. Frames are posted by `./frames.ts`;
 * `./connection-checks.ts` finds the channels that need a sync and sends heartbeats.
 *
 * A channel's tail in memory is bounded (`maxQueuedFrames`): once that many frames wait, the channel is
 * **behind**, and the frames numbered after that are not queued but read back from its log by one
 * catch-up task (they are stored before they are queued), so a slow connection costs a read, not memory.
 */
import type { ConnectionsApi } from './connections-api.js';
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { DeliveryState } from '../../shared/repos/deliveries.js';
import { loadEvent, type Caches } from './caches.js';
import { key, type Lifecycle } from './common.js';
import { createFramePoster, type Connection, type FramePoster } from './frames.js';
import type { Settings } from './options.js';
import type { Journal } from './journal.js';
import { createSequencers, type Sequencers } from './sequencers.js';

/**
 * A WebSocket channel's stream in this process: its serial queue (`chain`) and what it knows of the
 * channel's connection, hold and resume.
 */
export interface WsChannel extends Connection {
  chain: Promise<void>;
  heldUntil: number;
  /** First seq the held connection gets when the hold times out. */
  liveFrom: number;
  /** Last seq whose frame task ran in `chain` (posted or held back): the head replays reach up to. */
  processed: number;
  lastResumeReq: string | null;
  seen: boolean;
  /** A periodic sync is waiting in `chain` (at most one: they must not pile up ahead of event frames). */
  syncQueued: boolean;
  /** Checked at every tick (flagged, or something was still due at the last check). */
  attention: boolean;
  /** The channel is gone: queued frames are dropped. */
  dropped: boolean;
  /** `batch` framing: event frames go out in `events` messages (from the channel record, set by `sync`). */
  batch: boolean;
  /** `batch` framing: the frames of the queued task that later frames may still join (see `queueFrame`). */
  outbox: { ch: ChannelRecord; seq: number; event: BridgeEvent }[] | null;
  outboxChain: Promise<void> | null;
  /** Frames queued in `chain` whose task has not run yet (bounded by `maxQueuedFrames`). */
  queued: number;
  /** Behind: the frames from..to are in the log, not in memory; one queued catch-up task posts them. */
  behind: { from: number; to: number } | null;
}

export interface ChannelStreams {
  /** The streams this process knows, by `key(tenant, channel)`. */
  readonly sockets: Map<string, WsChannel>;
  /** The sequencer leases of the channels (numbering: `sequencers.hold`). */
  readonly sequencers: Sequencers;
  /** The channel's stream, created (with `processed` at `head`) if this process has none. */
  wsChannel(tenant: string, channel: string, head: number): WsChannel;
  /** Queues a task behind the channel's earlier ones. */
  run(w: WsChannel, task: () => Promise<void>): Promise<void>;
  /** Applies the channel's current connection and resume request (run it in the channel's queue). */
  sync(w: WsChannel, known?: DeliveryState): Promise<void>;
  post: FramePoster['post'];
  /** Queues the frame of a stored delivery behind the channel's earlier frames. */
  queueFrame(w: WsChannel, ch: ChannelRecord, seq: number, event: BridgeEvent): void;
  /** Waits for every queued task, then releases the sequencers. */
  stop(): Promise<void>;
}

export function createChannelStreams({
  deps,
  lifecycle,
  caches,
  management,
  journal,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'channelOf' | 'forgetChannel'>;
  management: ConnectionsApi | undefined;
  /** This process's frame journal (the sequencers move its frames into the channels' logs). */
  journal: Journal;
  settings: Pick<
    Settings,
    | 'id'
    | 'seqLeaseMs'
    | 'resumeHoldMs'
    | 'maxFrameBytes'
    | 'maxQueuedFrames'
    | 'apiUrl'
    | 'ttlDays'
    | 'channelLogWrites'
    | 'consolidateMs'
    | 'consolidateFrames'
  >;
}): ChannelStreams {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { resumeHoldMs, maxQueuedFrames } = settings;
  const { post, sendFrames } = createFramePoster({
    deps,
    lifecycle,
    management,
    forgetChannel: caches.forgetChannel,
    settings,
  });
  const sockets = new Map<string, WsChannel>();
  const sequencers = createSequencers({
    deps,
    lifecycle,
    id: settings.id,
    seqLeaseMs: settings.seqLeaseMs,
    journal,
    ttlDays: settings.ttlDays,
    channelLogWrites: settings.channelLogWrites,
    consolidateMs: settings.consolidateMs,
    consolidateFrames: settings.consolidateFrames,
    queueOf: (k) => sockets.get(k),
    afterAcquire,
  });

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
          noticedAt: 0,
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
          queued: 0,
          behind: null,
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

  /**
   * Re-sends log entries from..to (inclusive) to the current connection, in order: with `single` framing
   * each frame as soon as its event is read, with `batch` framing all at once.
   */
  async function replay(w: WsChannel, from: number, to: number) {
    const frames: { seq: number; event: BridgeEvent }[] = [];
    for (const d of await deps.repos.channelLog.range(w.tenant, w.channel, from, to, deps.now())) {
      if (!w.connectionId) return;
      const ev = await loadEvent(deps, w.tenant, d.link, d.eventSeq);
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
    if (sequencers.isReleasing(k) || lifecycle.stopped) return null;
    const held = sequencers.held(k);
    const r = held ? { s: held, acquired: null } : await sequencers.acquire(w.tenant, w.channel);
    if (!r) return null;
    // Frames up to the head at this process's acquire were numbered by others: a replay reaches that
    // far. The acquire may have been a batch's (`hold`), made while this task waited: its queued update
    // of `processed` (`afterAcquire`) is still behind this task.
    w.processed = Math.max(w.processed, r.s.base);
    // Taken over from a crashed holder: the replay that follows starts early enough for its unsent frames.
    if (r.acquired && r.acquired.resendFrom !== null)
      w.liveFrom = Math.min(w.liveFrom, r.acquired.resendFrom);
    return r.s;
  }

  /**
   * Applies the channel's current connection and resume request (runs in the channel's queue). A resume
   * and the end of a hold are served by the process holding the channel's sequencer, so frames and
   * replays of one connection always come from one process.
   */
  async function sync(w: WsChannel, known?: DeliveryState) {
    const ch = await caches.channelOf(w.tenant, w.channel, !known);
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
      w.noticedAt = Date.now();
      // The channel's first connection has nothing to resume: it goes live at once (and is recorded as
      // live, so that a reconnect is held). A connection another process already put live is not held
      // again (the sequencer changed hands).
      const firstConnection = ch.connectionId !== null && !state.liveConn && !state.hold;
      w.held = ch.connectionId !== null && state.liveConn !== ch.connectionId && !firstConnection;
      if (firstConnection) await repo.markLive(w.tenant, w.channel, ch.connectionId!);
      w.heldUntil = Date.now() + resumeHoldMs;
      // Without the sequencer, this process's head may be behind (or never set: a stream made by a
      // check): a hold starts after the channel's stored head, which includes the frames its holder
      // journaled (STATE's `next` is written only when frames move into the log).
      const head = sequencers.has(key(w.tenant, w.channel))
        ? w.processed
        : Math.max(
            w.processed,
            state.next,
            w.held ? await deps.repos.channelLog.head(w.tenant, w.channel, deps.now()) : 0,
          );
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
        if (lifecycle.killed) return;
        await repo.resumeDone(w.tenant, w.channel, resume.requestId);
        await repo.markLive(w.tenant, w.channel, resume.connectionId);
      } else {
        w.held = false;
        await replay(w, w.liveFrom, w.processed);
        if (w.connectionId && !lifecycle.killed) await repo.markLive(w.tenant, w.channel, w.connectionId);
      }
    } finally {
      s.pins--;
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
   * Queues the frame of a stored delivery behind the channel's earlier frames. With `batch` framing,
   * frames numbered while that task still waits join it (one message), unless something else was queued
   * behind it meanwhile (the wire order is the queue order). A channel with `maxQueuedFrames` waiting
   * falls behind: this frame and the ones after it are left in the log for `catchUp`.
   */
  function queueFrame(w: WsChannel, ch: ChannelRecord, seq: number, event: BridgeEvent) {
    if (w.behind) {
      w.behind.to = seq;
      return;
    }
    if (w.queued >= maxQueuedFrames) {
      const gap = { from: seq, to: seq };
      w.behind = gap;
      w.outbox = null;
      logger.info('websocket channel behind: later frames are read from its log', {
        tenant: w.tenant,
        channel: w.channel,
        from: seq,
        queued: w.queued,
      });
      void run(w, () => catchUp(w, gap));
      return;
    }
    w.queued++;
    const batch = ch.framing === 'batch';
    if (batch && w.outbox && w.chain === w.outboxChain) {
      w.outbox.push({ ch, seq, event });
      return;
    }
    const items = [{ ch, seq, event }];
    w.outbox = batch ? items : null;
    w.outboxChain = run(w, async () => {
      if (w.outbox === items) w.outbox = null; // closed: later frames start the next task
      w.queued -= items.length;
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

  /**
   * Posts the frames a channel that fell behind left in its log (`gap.from` up to the last one numbered
   * before this task runs), in order, like a replay; frames numbered from now on are queued again.
   */
  async function catchUp(w: WsChannel, gap: { from: number; to: number }) {
    if (w.behind === gap) w.behind = null;
    if (w.dropped) return;
    await sync(w);
    const from = Math.max(gap.from, w.processed + 1);
    if (gap.to < from) return;
    if (w.connectionId && !w.held) await replay(w, from, gap.to);
    w.processed = Math.max(w.processed, gap.to);
  }

  return {
    sockets,
    sequencers,
    wsChannel,
    run,
    sync,
    post,
    queueFrame,
    async stop() {
      await Promise.all([...sockets.values()].map((w) => w.chain));
      await sequencers.stop();
    },
  };
}
