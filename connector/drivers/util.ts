/** Small pieces every driver needs: owned timers that close() can cancel, and a one-at-a-time queue. */

/** Timers a driver owns; `clear()` cancels every pending one (on close or session loss). */
export class DriverTimers {
  private readonly pending = new Set<NodeJS.Timeout>();

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    t.unref?.();
    this.pending.add(t);
  }

  clear(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}

/** Runs async work one at a time, in call order; a failure does not stop the queue. */
export class SerialQueue {
  private chain: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
