/**
 * The long-lived maps of a connector process and of its drivers (per link, channel or call) drop what
 * went idle; each looks at its entries at most once per period, on the next use after the period passed,
 * so that a busy path pays one clock read and a comparison. One home for that rhythm (docs/delivery.md,
 * `forgetIdleMs`; the drivers' bounds in docs/protocols/).
 *
 * @example
 * const sweep = idleSweep(60_000, (now) => {
 *   for (const [k, e] of entries) if (now - e.usedAt >= IDLE_MS) entries.delete(k);
 * });
 * sweep(); // on each use: runs the callback when a minute passed since it last ran
 */
export function idleSweep(
  periodMs: number,
  sweep: (now: number) => void,
  clock: () => number = Date.now,
): () => void {
  let sweptAt = clock();
  return () => {
    const now = clock();
    if (now - sweptAt < periodMs) return;
    sweptAt = now;
    sweep(now);
  };
}
