/** Webhook retry schedule (docs/delivery.md): delays between attempts, jitter and `Retry-After`. */

/** Default delays before attempt 1, 2, ... (ms): at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];
export const DEFAULT_JITTER = 0.2;

export interface RetryPolicy {
  /** Delay before each attempt; its length is the number of attempts. */
  scheduleMs: number[];
  /** ± fraction applied to each delay (0.2 = ±20 %). */
  jitter: number;
  /** Upper bound honoured for a `Retry-After` header (ms). */
  maxRetryAfterMs: number;
  random?: () => number;
}

/**
 * When the next attempt is due after `attemptsMade` attempts, or null when the schedule is exhausted.
 * A `Retry-After` (ms) postpones it (never brings it forward), capped at `maxRetryAfterMs`.
 */
export function nextDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  retryAfterMs?: number | null,
): number | null {
  const base = policy.scheduleMs[attemptsMade];
  if (base === undefined) return null;
  const r = policy.random ?? Math.random;
  const jittered = Math.max(0, Math.round(base * (1 + (r() * 2 - 1) * policy.jitter)));
  if (retryAfterMs == null) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - nowMs);
}
