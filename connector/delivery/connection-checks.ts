/**
 * The periodic checks of the WebSocket channels (docs/delivery.md, "WebSocket channels"). Every
 * `channelCacheMs` a check reads the attention flags and the state of the channels that need it, and
 * queues a `sync` in the channel's queue (`./streams.ts`) where something changed: a new connection, a
 * resume request, a hold that timed out. Every `connectionScanMs` (and at start) the connection scan
 * finds the connected channels this process has not seen. Every `heartbeatMs` each live connection gets
 * a `bridge.heartbeat` frame, which keeps it inside API Gateway's idle timeout.
 */
import type { Deps } from '../../shared/deps.js';
import type { Caches } from './caches.js';
import { key, type Lifecycle } from './common.js';
import type { Settings } from './options.js';
import type { ChannelStreams } from './streams.js';

/** How often a check lists every attention flag, not only the new ones (ms). */
export const FLAGS_FULL_LIST_MS = 30_000;

export interface ConnectionChecks {
  /** Starts the periodic check, the connection scan and the heartbeats. */
  start(): void;
  /** Looks at a channel now: the API told this process about a new connection or a resume request. */
  attend(tenant: string, channel: string): void;
  /** Lists the live connections now (skipped while a scan runs). */
  scanConnections(): void;
  /** Clears the timers. */
  halt(): void;
}

export function createConnectionChecks({
  deps,
  lifecycle,
  caches,
  streams,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  caches: Pick<Caches, 'cacheChannel' | 'forgetChannel'>;
  streams: ChannelStreams;
  settings: Pick<Settings, 'channelCacheMs' | 'connectionScanMs' | 'heartbeatMs'>;
}): ConnectionChecks {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;
  const { channelCacheMs, connectionScanMs, heartbeatMs } = settings;
  const { sockets, sequencers, wsChannel, run, sync, post } = streams;
  /** Every this many checks, every known channel is checked, not only those that asked for attention. */
  const fullCheckEvery = 10;
  /**
   * A check lists only the attention flags set after the previous check began, less this margin (ms:
   * flags written by processes whose clocks differ, or that become visible late); every
   * `FLAGS_FULL_LIST_MS` it lists them all, which removes those every process has long seen.
   */
  const flagMarginMs = 5_000;

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
  let flagsListed = -Infinity;
  let flagsListedAll = -Infinity;
  async function checkSockets() {
    const full = ticks++ % fullCheckEvery === 0;
    const listAll = Date.now() - flagsListedAll >= FLAGS_FULL_LIST_MS;
    const since = Math.max(0, flagsListed - flagMarginMs);
    flagsListed = Date.now();
    if (listAll) flagsListedAll = flagsListed;
    const flags = await repo.listAttention(listAll ? undefined : since);
    // A full listing is every flag there is: what it does not name was cleared, and is forgotten here.
    if (listAll) {
      const listed = new Set(flags.map((f) => key(f.tenant, f.channel)));
      for (const k of flagSeen.keys()) if (!listed.has(k)) flagSeen.delete(k);
    }
    for (const f of flags) {
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
      caches.cacheChannel(w.tenant, w.channel, at, ch);
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
  const tick = () => {
    if (checking) return;
    checking = true;
    void checkSockets()
      .catch((err: unknown) => logger.warn('websocket check failed', { error: err as Error }))
      .finally(() => (checking = false));
  };
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
      if (
        !connected.has(k) &&
        !w.connectionId &&
        !sequencers.has(k) &&
        !sequencers.isReleasing(k) &&
        !w.syncQueued
      )
        sockets.delete(k);
  }
  const scanConnections = () => {
    if (scanning || lifecycle.stopped) return;
    scanning = true;
    void discoverConnections()
      .catch((err: unknown) => logger.warn('websocket connection scan failed', { error: err as Error }))
      .finally(() => (scanning = false));
  };

  const heartbeat = () => {
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
  };

  function attend(tenant: string, channel: string) {
    if (lifecycle.stopped) return;
    caches.forgetChannel(tenant, channel);
    const w = sockets.get(key(tenant, channel)) ?? wsChannel(tenant, channel, 0);
    w.attention = true;
    if (w.syncQueued) return; // the queued sync reads the channel afresh
    w.syncQueued = true;
    void run(w, () => {
      w.syncQueued = false;
      return sync(w);
    });
  }

  let timers: NodeJS.Timeout[] = [];
  return {
    attend,
    start() {
      timers = [
        setInterval(tick, channelCacheMs),
        setInterval(scanConnections, connectionScanMs),
        setInterval(heartbeat, heartbeatMs),
      ];
    },
    scanConnections,
    halt() {
      for (const t of timers) clearInterval(t);
    },
  };
}
