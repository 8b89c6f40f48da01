/**
 * Moving WebSocket frames from a frame journal into their channel's own log (docs/delivery.md, "The
 * frame journal"): `consolidate` for the frames a sequencer holder journaled itself (from memory, many
 * channels per request), `adopt` for the frames a channel's pointer shows in a journal when its
 * sequencer is taken (read back from that journal). Both write the channel log's fenced segments
 * (`ChannelLogRepo.append`), so two processes moving the same frames store them once.
 */
import type { Deps } from '../../shared/deps.js';
import { segmentsOf, type NewSegment, type SegmentWrites } from '../../shared/repos/channel-log.js';
import type { JournalPointer } from '../../shared/repos/frame-journal.js';

/** A sequencer's frames waiting in the journal: consecutive from `first` (`./sequencers.ts`). */
export interface Waiting {
  tenant: string;
  channel: string;
  pending: { first: number; frames: NewSegment['frames']; since: number } | null;
}

/** What became of a sequencer's waiting frames: moved, met another writer's segment, or not written. */
export type MoveOutcome = 'stored' | 'conflict' | 'failed';

export interface FrameMoves {
  /**
   * Moves the waiting frames of these sequencers into their channels' logs (one request per 100
   * segments with `transaction` writes); what was moved leaves `pending`.
   */
  consolidate<S extends Waiting>(list: S[]): Promise<Map<S, MoveOutcome>>;
  /** Moves the channel's frames held in journal `ptr` (beyond its log's segments) into its log. */
  adopt(tenant: string, channel: string, ptr: JournalPointer): Promise<void>;
}

export function createFrameMoves({
  deps,
  ttlDays,
  channelLogWrites,
}: {
  deps: Pick<Deps, 'repos' | 'logger' | 'now'>;
  ttlDays: number;
  channelLogWrites: SegmentWrites;
}): FrameMoves {
  const channelLog = deps.repos.channelLog;

  async function consolidate<S extends Waiting>(list: S[]): Promise<Map<S, MoveOutcome>> {
    const done = new Map<S, MoveOutcome>();
    const work = list.flatMap((s) => {
      const p = s.pending;
      if (!p) {
        done.set(s, 'stored');
        return [];
      }
      // frames journaled while the write is in flight stay for the next move
      const n = p.frames.length;
      return [{ s, n, segs: segmentsOf(s.tenant, s.channel, p.first, p.frames.slice(0, n)) }];
    });
    if (!work.length) return done;
    const outcomes = await channelLog.append(
      work.flatMap((w) => w.segs),
      ttlDays,
      deps.now(),
      undefined,
      channelLogWrites,
    );
    let at = 0;
    for (const { s, n, segs } of work) {
      const mine = outcomes.slice(at, (at += segs.length));
      if (mine.every((o) => o.stored)) {
        const p = s.pending!;
        p.frames.splice(0, n);
        p.first += n;
        if (p.frames.length) p.since = Date.now();
        else s.pending = null;
        done.set(s, 'stored');
      } else done.set(s, mine.some((o) => !o.stored && o.conflict) ? 'conflict' : 'failed');
    }
    return done;
  }

  /**
   * Another process moving the same frames meanwhile (a stalled holder waking up) meets the same keys:
   * either write stores them, and the other reads the log again.
   */
  async function adopt(tenant: string, channel: string, ptr: JournalPointer) {
    for (let round = 0; round < 5; round++) {
      const segHead = await channelLog.segmentHead(tenant, channel);
      const frames = (await channelLog.journal.framesOf(ptr, tenant, channel, deps.now())).filter(
        (f) => f.seq > segHead,
      );
      if (!frames.length) return;
      if (frames[0]!.seq !== segHead + 1)
        deps.logger.warn("a channel's journaled frames do not follow its log", {
          tenant,
          channel,
          head: segHead,
          first: frames[0]!.seq,
        });
      const rows = frames.map(({ link, eventSeq, eventId, eventType }) => ({
        link,
        eventSeq,
        eventId,
        eventType,
      }));
      const out = await channelLog.append(
        segmentsOf(tenant, channel, frames[0]!.seq, rows),
        ttlDays,
        deps.now(),
        undefined,
        channelLogWrites,
      );
      const failed = out.find((o) => !o.stored && !o.conflict);
      if (failed && !failed.stored) throw failed.error;
      if (out.every((o) => o.stored)) return;
    }
    throw new Error("a channel's journaled frames could not be moved into its log");
  }

  return { consolidate, adopt };
}
