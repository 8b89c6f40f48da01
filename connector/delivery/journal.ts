/**
 * This process's frame journal (docs/delivery.md, "The frame journal"; `shared/repos/frame-journal.ts`):
 * the one write that makes a batch's WebSocket numbering durable, for every channel of the batch. Its
 * appends are serial and positioned in memory (`next`). When another process fenced it (it took one of
 * this process's channels over after this process stalled past the lease), the journal starts a new
 * incarnation and tells the sequencers (`onFenced`), whose every channel points at the fenced one.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../shared/deps.js';
import type { NewSegment } from '../../shared/repos/channel-log.js';
import { JournalFencedError, type JournalPointer } from '../../shared/repos/frame-journal.js';

export interface Journal {
  /** Where this process writes next: the pointer a channel gets while none of its frames waits here. */
  pointer(): JournalPointer;
  /**
   * Appends a batch's frames. `onStored(pos)` runs as soon as they are stored, before anything else
   * can read `pointer()` again. `check(inc)` runs just before the write, with the incarnation it goes
   * to: what it throws stops the write. Throws `JournalFencedError` (nothing stored; the journal moved on to a
   * new incarnation) or the write's error (unknown whether stored; the next append reads the head).
   */
  append(batch: NewSegment[], onStored: (pos: number) => void, check?: (inc: string) => void): Promise<void>;
  /** Called when the journal was fenced and moved on. */
  onFenced(fn: () => void): void;
}

export function createJournal({
  deps,
  id,
  ttlDays,
}: {
  deps: Deps;
  /** The process's delivery identity: part of each incarnation's name. */
  id: string;
  ttlDays: number;
}): Journal {
  const repo = deps.repos.channelLog.journal;
  const tag = randomBytes(4).toString('hex');
  let epoch = 0;
  let inc = `${id}.${tag}.${epoch}`;
  let next = 1;
  /** `next` is known: false after a write whose outcome is unknown. */
  let known = true;
  let chain: Promise<unknown> = Promise.resolve();
  const listeners: (() => void)[] = [];

  function moveOn() {
    deps.logger.warn('frame journal fenced by another process; numbering starts again from the logs', {
      journal: inc,
    });
    inc = `${id}.${tag}.${++epoch}`;
    next = 1;
    known = true;
    for (const fn of listeners) fn();
  }

  async function write(
    batch: NewSegment[],
    onStored: (pos: number) => void,
    check: ((inc: string) => void) | undefined,
  ) {
    const at0 = inc;
    if (!known) {
      const h = await repo.head(inc);
      if (h.fenced) {
        moveOn();
        throw new JournalFencedError(at0);
      }
      next = h.pos + 1;
      known = true;
    }
    check?.(inc);
    const at = next;
    try {
      next = await repo.append(inc, at, batch, ttlDays, deps.now());
      onStored(at);
    } catch (err) {
      if (err instanceof JournalFencedError) moveOn();
      else known = false;
      throw err;
    }
  }

  return {
    pointer: () => ({ inc, pos: next }),
    append(batch, onStored, check) {
      if (!batch.length) return Promise.resolve();
      const p = chain.then(() => write(batch, onStored, check));
      chain = p.catch(() => undefined);
      return p;
    },
    onFenced: (fn) => void listeners.push(fn),
  };
}
