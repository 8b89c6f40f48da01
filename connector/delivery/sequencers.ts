/**
 * WebSocket channel sequencers (docs/delivery.md, "From the log to deliveries"): one process at a time
 * holds a channel's sequencer lease (`seqOwner` on its STATE item, `seqLeaseMs`) and numbers the
 * channel's deliveries in memory. The lease is renewed every third of it (storing the last seq used and
 * the last seq posted), released when idle for half a lease or when another process asks for it, and
 * taken over from a dead holder, which leaves no gap: numbering resumes after the channel log's head.
 *
 * `./streams.ts` creates the sequencers of its channels and tells them, per channel, how far its queue
 * has posted (`queueOf`) and what to do when this process acquires a lease (`afterAcquire`); matching
 * (`./matching.ts`) numbers a batch's frames with `hold`.
 */
import type { Deps } from '../../shared/deps.js';
import type { DeliveryRepo, DeliveryState } from '../../shared/repos/deliveries.js';
import { key, type Lifecycle } from './common.js';

/** A WebSocket channel's sequencer lease held by this process. */
export interface Sequencer {
  tenant: string;
  channel: string;
  /** Last seq numbered. */
  head: number;
  /** Last seq whose delivery is stored: what renewals and the release record (never a number in flight). */
  stored: number;
  /** The head when this process acquired the lease: frames up to it were numbered by others. */
  base: number;
  until: number;
  usedAt: number;
  /** Batches between acquiring and storing; a pinned sequencer is never released as idle. */
  pins: number;
}

/** The answer of a lease acquire (the lease was not held by this process before). */
type Acquired = NonNullable<Awaited<ReturnType<DeliveryRepo['acquireSequencer']>>>;

export interface Sequencers {
  /** The lease this process holds with a third of it left, pinned; undefined otherwise. */
  held(k: string): Sequencer | undefined;
  /** Takes (or extends) the lease without waiting, pinned (see `acquireSequencer`); null: held elsewhere. */
  acquire(tenant: string, channel: string): Promise<{ s: Sequencer; acquired: Acquired | null } | null>;
  /** Holds the channel's sequencer (waits while another live process holds it); pins it. */
  hold(tenant: string, channel: string): Promise<Sequencer>;
  /**
   * Drops this process's view of a sequencer whose last batch may or may not be stored (the lease stays):
   * the next `hold` reads the channel's head again, so the log's segments keep tiling its numbers.
   */
  forget(s: Sequencer): void;
  /** This process holds the channel's lease. */
  has(k: string): boolean;
  /** A release of the channel's lease is being stored. */
  isReleasing(k: string): boolean;
  /** Starts renewing the leases (every third of a lease). */
  start(): void;
  /** Stops the renewals. */
  halt(): void;
  /** Waits for a renewal in progress, then releases every lease. */
  stop(): Promise<void>;
}

export function createSequencers({
  deps,
  lifecycle,
  id,
  seqLeaseMs,
  queueOf,
  afterAcquire,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  /** Owner written into the leases. */
  id: string;
  seqLeaseMs: number;
  /** The channel's frame queue, if any: its `chain` ends when its numbered frames are posted. */
  queueOf: (k: string) => { chain: Promise<void>; lastSent: number } | undefined;
  /** Called when `hold` acquired a lease this process did not hold (see `afterAcquire` in `./streams.ts`). */
  afterAcquire: (
    tenant: string,
    channel: string,
    head: number,
    resendFrom: number | null,
    state: DeliveryState,
  ) => void;
}): Sequencers {
  const logger = deps.logger;
  const repo = deps.repos.deliveries;

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
    const s = {
      tenant,
      channel,
      head: got.head,
      stored: got.head,
      base: got.head,
      until,
      usedAt: Date.now(),
      pins: 1,
    };
    sequencers.set(k, s);
    return { s, acquired: got };
  }

  /** Holds the channel's sequencer (waits while another live process holds it); pins it. */
  async function holdSequencer(tenant: string, channel: string) {
    const k = key(tenant, channel);
    for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
      if (lifecycle.stopped) throw new Error('delivery stopped');
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
   * Gives a sequencer up once the channel's numbered frames are posted (the next holder's frames must
   * follow them on the wire); it is not taken again before the release is stored.
   */
  async function releaseSequencer(k: string, s: { tenant: string; channel: string; stored: number }) {
    const done = (async () => {
      await queueOf(k)?.chain;
      await repo.releaseSequencer(s.tenant, s.channel, id, s.stored, queueOf(k)?.lastSent ?? 0);
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
            s.stored,
            Date.now() - seqLeaseMs,
            queueOf(k)?.lastSent ?? 0,
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

  let tending: Promise<void> | undefined;
  let sequencerTimer: NodeJS.Timeout | undefined;
  return {
    held: heldSequencer,
    acquire: acquireSequencer,
    hold: holdSequencer,
    forget(s) {
      const k = key(s.tenant, s.channel);
      if (sequencers.get(k) === s) sequencers.delete(k);
    },
    has: (k) => sequencers.has(k),
    isReleasing: (k) => releasing.has(k),
    start() {
      sequencerTimer = setInterval(
        () => void (tending ??= tendSequencers().finally(() => (tending = undefined))),
        Math.max(50, Math.floor(seqLeaseMs / 3)),
      );
    },
    halt: () => clearInterval(sequencerTimer),
    async stop() {
      await tending;
      await tendSequencers(true);
    },
  };
}
