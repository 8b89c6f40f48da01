/**
 * WebSocket channel sequencers (docs/delivery.md, "From the log to deliveries"): one process at a time
 * holds a channel's sequencer lease (`seqOwner` on its STATE item, `seqLeaseMs`) and numbers the
 * channel's deliveries in memory. The leases are renewed all at once: every third of a lease the process
 * renews its holder record (`SequencerHolderRepo`), not each channel. A channel's STATE is written when
 * its frames moved into its log (the last seq used, the last seq posted, the journal pointer). A lease
 * is released when idle for half a lease or when another process asks for it, and taken over only from a
 * dead holder (its record expired), which leaves no gap: numbering resumes after the channel log's head.
 *
 * `./streams.ts` creates the sequencers of its channels and tells them, per channel, how far its queue
 * has posted (`queueOf`) and what to do when this process acquires a lease (`afterAcquire`); matching
 * (`./matching.ts`) numbers a batch's frames with `hold` and stores them in the frame journal
 * (`./journal.ts`), then records them here (`journaled`).
 *
 * **Moving frames into the channel's log.** A channel's frames wait in the journal (and, as `pending`,
 * in memory) until the holder moves them into the channel's own log, many frames per segment: when
 * `consolidateFrames` are waiting, when the oldest waited `consolidateMs`, and before the lease is
 * released. Each renewal stores the journal position of the oldest frame still waiting (the channel's
 * journal pointer). A process that takes a lease over from a holder that did not release it first fences
 * that holder's journal, moves what it holds of the channel into the channel's log (`adopt`), and only
 * then points the channel at its own journal and reads the head.
 */
import type { Deps } from '../../shared/deps.js';
import type { NewSegment, SegmentWrites } from '../../shared/repos/channel-log.js';
import type { DeliveryRepo, DeliveryState } from '../../shared/repos/deliveries.js';
import type { JournalPointer } from '../../shared/repos/frame-journal.js';
import { key, type Lifecycle } from './common.js';
import { createFrameMoves } from './frame-moves.js';
import type { Journal } from './journal.js';

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
  /** The journal incarnation the channel points at while this process holds it. */
  inc: string;
  /** Frames moved into the channel's log since its STATE was last written (`tend` writes it then). */
  moved: boolean;
  /**
   * Frames journaled and not yet in the channel's log: consecutive from `first`, the oldest in the
   * journal entry at `pos`, waiting since `since` (epoch ms).
   */
  pending: { first: number; frames: NewSegment['frames']; pos: number; since: number } | null;
}

/** The answer of a lease acquire (the lease was not held by this process before), with the head read. */
type Acquired = NonNullable<Awaited<ReturnType<DeliveryRepo['acquireSequencer']>>> & { head: number };

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
  /** Records a batch's frames of the channel as journaled at `pos` (they wait there for `consolidate`). */
  journaled(s: Sequencer, pos: number, first: number, frames: NewSegment['frames']): void;
  /** This process holds the channel's lease. */
  has(k: string): boolean;
  /** A release of the channel's lease is being stored. */
  isReleasing(k: string): boolean;
  /** Starts renewing the leases (the holder record, every third of a lease). */
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
  journal,
  ttlDays,
  channelLogWrites,
  consolidateMs,
  consolidateFrames,
  queueOf,
  afterAcquire,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  /** Owner written into the leases. */
  id: string;
  seqLeaseMs: number;
  /** This process's frame journal. */
  journal: Journal;
  ttlDays: number;
  channelLogWrites: SegmentWrites;
  /** A channel's journaled frames move into its log once the oldest waited this long... */
  consolidateMs: number;
  /** ...or once this many wait. */
  consolidateFrames: number;
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
  const holders = deps.repos.sequencerHolders;
  const channelLog = deps.repos.channelLog;
  /** This process renewed its holder record at least once (a graceful stop removes it). */
  let announced = false;
  const moves = createFrameMoves({ deps, ttlDays, channelLogWrites });

  /**
   * Sequencer leases held by this process: the last seq used per WebSocket channel. `pins` counts batches
   * between acquiring and storing; a pinned sequencer is never released as idle.
   */
  const sequencers = new Map<string, Sequencer>();

  /** Acquires in flight, per channel. */
  const acquiring = new Map<string, Promise<unknown>>();

  /** Takeovers whose adoption failed, per channel: where the retry re-sends from. */
  const takeovers = new Map<string, number>();

  /** When this process last asked a channel's live holder for it (`holdSequencer`). */
  const asked = new Map<string, number>();

  /** Releases in flight, per channel: the lease is not taken again before the release is stored. */
  const releasing = new Map<string, Promise<void>>();

  // Fenced: every channel this process held points at the fenced journal. Each is taken again (and its
  // frames adopted from there) when it is next needed; the leases stay this process's until then.
  journal.onFenced(() => sequencers.clear());

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
    // One acquire per channel at a time in this process (matching and the channel's queue both take
    // it): two would each make a view of the channel, and frames recorded on the one the map no longer
    // holds would never move into the log.
    const before = acquiring.get(k) ?? Promise.resolve();
    const p = before.catch(() => undefined).then(() => takeSequencer(tenant, channel, k));
    acquiring.set(k, p);
    try {
      return await p;
    } finally {
      if (acquiring.get(k) === p) acquiring.delete(k);
    }
  }

  /**
   * The holder of the channel's lapsed lease when it is dead (its record expired too): the one lease a
   * takeover may take. Undefined while the lease is free, ours, stamped recently, or its holder lives.
   */
  async function deadHolderOf(tenant: string, channel: string): Promise<string | undefined> {
    const h = await repo.sequencerOf(tenant, channel);
    if (!h || h.owner === id || h.untilMs >= Date.now()) return undefined;
    return (await holders.until(h.owner)) < Date.now() ? h.owner : undefined;
  }

  async function takeSequencer(tenant: string, channel: string, k: string) {
    const until = Date.now() + seqLeaseMs;
    const mine = journal.pointer();
    const acquire = (dead?: string) =>
      repo.acquireSequencer(tenant, channel, id, until, Date.now(), Math.min(2000, seqLeaseMs), mine, dead);
    let got = await acquire();
    if (!got) {
      const dead = await deadHolderOf(tenant, channel);
      if (dead !== undefined) got = await acquire(dead);
    }
    if (!got) return null;
    const cur = sequencers.get(k);
    if (cur && got.wasOurs) {
      cur.until = until;
      cur.pins++;
      cur.usedAt = Date.now();
      return { s: cur, acquired: null };
    }
    // A takeover whose adoption failed is still a takeover when it is tried again (the lease is ours by
    // then): what the previous holder may not have posted is re-sent all the same.
    const resendFrom = got.resendFrom ?? takeovers.get(k) ?? null;
    // Frames numbered into a journal and not moved into the channel's log yet (by a holder that did not
    // release the lease, or by this process before it lost its view of the channel, a write whose
    // outcome it did not learn included): fenced when that journal is another's, then moved into the
    // log; only then does the channel point here, past them.
    const prev = got.previous;
    let head: number;
    try {
      if (prev) {
        if (prev.inc !== mine.inc) await channelLog.journal.fence(prev.inc, ttlDays, deps.now());
        await moves.adopt(tenant, channel, prev);
        if (!(await repo.movePointer(tenant, channel, id, prev, mine)))
          throw new Error('the channel changed hands while its journaled frames were adopted');
      }
      head = Math.max(got.stored, await channelLog.head(tenant, channel));
    } catch (err) {
      if (resendFrom !== null) takeovers.set(k, resendFrom);
      throw err;
    }
    takeovers.delete(k);
    // The journal was fenced meanwhile: the channel points at the old incarnation; taken again later.
    if (journal.pointer().inc !== mine.inc) throw new Error('the frame journal moved on during the acquire');
    const s: Sequencer = {
      tenant,
      channel,
      head,
      stored: head,
      base: head,
      until,
      usedAt: Date.now(),
      pins: 1,
      inc: mine.inc,
      moved: false,
      pending: null,
    };
    sequencers.set(k, s);
    return { s, acquired: { ...got, resendFrom, head } };
  }

  /**
   * Moves the waiting frames of these sequencers into their channels' logs. A segment that meets
   * another's means another process numbers the channel now: this process forgets it. False for a
   * sequencer whose frames still wait.
   */
  async function consolidate(list: Sequencer[]): Promise<Map<Sequencer, boolean>> {
    const out = new Map<Sequencer, boolean>();
    for (const [s, outcome] of await moves.consolidate(list)) {
      out.set(s, outcome === 'stored');
      if (outcome === 'stored') s.moved = true;
      if (outcome !== 'conflict') continue;
      const k = key(s.tenant, s.channel);
      if (sequencers.get(k) === s) sequencers.delete(k);
      logger.warn('websocket channel numbered by another process; its waiting frames are left to it', {
        tenant: s.tenant,
        channel: s.channel,
      });
    }
    return out;
  }

  /** The channel's journal pointer as this process would store it: the oldest frame still waiting. */
  const pointerOf = (s: Sequencer): JournalPointer => {
    const here = journal.pointer();
    // A view from before a fence, renewed by a pass that began before it: the pointer stays where it was
    // (the next acquire adopts from there).
    if (here.inc !== s.inc) return { inc: s.inc, pos: s.pending?.pos ?? 1 };
    return s.pending ? { inc: s.inc, pos: s.pending.pos } : here;
  };

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
        asked.delete(k);
        const a = r.acquired;
        if (a) afterAcquire(tenant, channel, a.head, a.resendFrom, a.state);
        return r.s;
      }
      // Not ours (a concurrent acquire in the channel's queue may have just stored a fresh lease: keep it).
      if (sequencers.get(k) === stale) sequencers.delete(k);
      await repo.wantSequencer(tenant, channel, id, Date.now(), Math.min(2000, seqLeaseMs));
      // A live holder learns it with its next renewal (its record, not the channel's STATE): asked
      // again only after a third of a lease, when that renewal has taken the request.
      if (Date.now() - (asked.get(k) ?? 0) >= seqLeaseMs / 3) {
        asked.set(k, Date.now());
        const holder = await repo.sequencerOf(tenant, channel);
        if (holder && holder.owner !== id) await holders.want(holder.owner, k);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  /**
   * Gives a sequencer up once the channel's numbered frames are posted (the next holder's frames must
   * follow them on the wire); it is not taken again before the release is stored.
   */
  async function releaseSequencer(k: string, s: Sequencer) {
    const done = (async () => {
      await queueOf(k)?.chain;
      // Every frame it numbered goes into the channel's log first (the release removes the pointer);
      // if that failed, the lease is kept, renewed, and released at a later tick.
      if (!(await consolidate([s])).get(s)) return;
      // A view this process dropped meanwhile (a fenced journal; the channel may be held again under
      // a new one) releases nothing.
      if (sequencers.get(k) !== s) return;
      try {
        await repo.releaseSequencer(s.tenant, s.channel, id, s.stored, queueOf(k)?.lastSent ?? 0, s.inc);
      } finally {
        if (sequencers.get(k) === s) sequencers.delete(k);
      }
    })().finally(() => releasing.delete(k));
    releasing.set(k, done);
    await done;
  }

  /**
   * Renews the sequencers in use; releases idle ones and those another process asked for (links of one
   * tenant owned by two processes take turns), so no process waits for a sequencer for long.
   */
  async function tendSequencers(releaseAll = false) {
    // One write renews every lease held here (first: moving frames below may take a while); it brings
    // the channels other processes asked for.
    let wanted = new Set<string>();
    if (sequencers.size && !releaseAll) {
      const until = Date.now() + seqLeaseMs;
      try {
        wanted = new Set(await holders.renew(id, until));
        announced = true;
        for (const s of sequencers.values()) s.until = Math.max(s.until, until);
      } catch (err) {
        logger.warn('sequencer holder renewal failed', { error: err as Error, holder: id });
      }
    }
    const due = [...sequencers.values()].filter(
      (s) =>
        s.pending &&
        !releaseAll &&
        (Date.now() - s.pending.since >= consolidateMs || s.pending.frames.length >= consolidateFrames),
    );
    if (due.length)
      await consolidate(due).catch((err: unknown) =>
        logger.warn('moving journaled frames into channel logs failed', { error: err as Error }),
      );
    for (const [k, s] of [...sequencers]) {
      try {
        if (s.pins === 0 && (releaseAll || Date.now() - s.usedAt > seqLeaseMs / 2 || wanted.has(k))) {
          await releaseSequencer(k, s);
        } else if (!releaseAll && s.moved) {
          // Frames moved into the channel's log since its STATE was last written: it gets the new
          // journal pointer (readers of the journal tail start there), the last seq used and the last
          // seq posted (where a takeover after a crash re-sends from). Otherwise the STATE is not
          // written: the pointer it has is still valid (readers merge by seq), only longer to read.
          const until = Date.now() + seqLeaseMs;
          const ptr = pointerOf(s);
          const r = await repo.renewSequencer(
            s.tenant,
            s.channel,
            id,
            until,
            s.stored,
            Date.now() - seqLeaseMs,
            queueOf(k)?.lastSent ?? 0,
            ptr,
          );
          if (r.lost) {
            if (sequencers.get(k) === s) sequencers.delete(k);
            logger.warn('sequencer lease lost', { tenant: s.tenant, channel: s.channel });
          } else {
            s.until = Math.max(s.until, until);
            s.moved = false;
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
    journaled(s, pos, first, frames) {
      if (s.pending && s.pending.first + s.pending.frames.length === first) s.pending.frames.push(...frames);
      else if (!s.pending) s.pending = { first, frames: [...frames], pos, since: Date.now() };
      else {
        // not consecutive (cannot happen while one process numbers the channel): keep the log whole
        logger.warn('journaled frames do not follow the waiting ones', {
          tenant: s.tenant,
          channel: s.channel,
          first,
        });
        s.pending.frames.push(...frames);
      }
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
      if (announced && !sequencers.size)
        await holders
          .withdraw(id)
          .catch((err: unknown) =>
            logger.warn('sequencer holder record not removed', { error: err as Error, holder: id }),
          );
    },
  };
}
