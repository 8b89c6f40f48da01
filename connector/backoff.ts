/** Exponential backoff with "equal jitter": half the window fixed, half random, capped. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const window = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/** A sleep that `wake()` ends early (used to stop promptly). */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.resolve = r;
      this.timer = setTimeout(r, ms);
    });
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.resolve?.();
  }
}
