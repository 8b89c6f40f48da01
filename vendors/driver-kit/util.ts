import type { DriverContext } from './seam.js';

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

/**
 * A link's options through the driver's schema. The API validated them when the link was written, but
 * a link stored by an older version may carry values this one refuses: those fall back to their
 * defaults (logged), the rest are kept.
 */
export function readDriverOptions<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
    parse(v: unknown): T;
  },
  context: Pick<DriverContext, 'link' | 'logger'>,
): T {
  const { vendor, options } = context.link;
  const { logger } = context;
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  logger.warn(`${vendor}: invalid link options, using defaults for the invalid ones`, {
    issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`),
  });
  const cleaned: Record<string, unknown> = { ...(options ?? {}) };
  for (const issue of parsed.error.issues)
    if (issue.path[0] !== undefined) delete cleaned[String(issue.path[0])];
  return schema.parse(cleaned);
}
