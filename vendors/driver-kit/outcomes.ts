/**
 * Waiting for what a command caused, for vendors whose requests are only acknowledged (or not answered
 * at all) and whose outcome arrives later as an event. A command registers what it waits for before it
 * sends; every vendor message is offered to the waiters after it was mapped, so a command answers only
 * once the events of its outcome are on their way. A wait that sees nothing in time fails with the
 * vendor's timeout error (a 504 VendorError); a match that throws fails its wait with that error.
 *
 * `A` is what the vendor offers: e.g. `[CapMessage, subject]` for CAP, `[WireEvent, device]` for IP Office.
 */
import type { DriverTimers } from './util.js';

/** Reads one offered message; a value ends the wait with it, undefined lets it wait on. */
export type OutcomeMatch<A extends unknown[], T> = (...offered: A) => T | undefined;

interface Waiter<A extends unknown[]> {
  match: OutcomeMatch<A, unknown>;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * @example
 * const outcomes = new Outcomes<[WireEvent, string | undefined]>(timers, 10_000, unconfirmed);
 * const held = outcomes.expect((ev) => (ev.name === 'HeldEvent' ? true : undefined), 'HeldEvent');
 * await send(holdRequest);
 * await held.promise; // true, or a 504 after 10 s
 */
export class Outcomes<A extends unknown[]> {
  private readonly waiters = new Set<Waiter<A>>();

  constructor(
    private readonly timers: DriverTimers,
    private readonly timeoutMs: number,
    private readonly timeoutError: (what: string, ms: number) => Error,
  ) {}

  /** How many waits are pending (tests, diagnostics). */
  get pending(): number {
    return this.waiters.size;
  }

  /**
   * Waits for the first message `match` accepts; rejects with the timeout error after `timeoutMs`.
   * `cancel` drops the wait (e.g. when sending failed).
   */
  expect<T>(
    match: OutcomeMatch<A, T>,
    what: string,
    timeoutMs = this.timeoutMs,
  ): { promise: Promise<T>; cancel(): void } {
    let waiter!: Waiter<A>;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = { match, resolve: (v) => resolve(v as T), reject };
    });
    promise.catch(() => undefined);
    this.waiters.add(waiter);
    this.timers.later(timeoutMs, () => {
      if (this.waiters.delete(waiter)) waiter.reject(this.timeoutError(what, timeoutMs));
    });
    return { promise, cancel: () => void this.waiters.delete(waiter) };
  }

  /** One vendor message (after mapping); settles every wait it matches. */
  offer(...offered: A): void {
    for (const w of [...this.waiters]) {
      let v: unknown;
      try {
        v = w.match(...offered);
      } catch (err) {
        this.waiters.delete(w);
        w.reject(err as Error);
        continue;
      }
      if (v === undefined) continue;
      this.waiters.delete(w);
      w.resolve(v);
    }
  }

  /** Fails every wait (link lost or closed). */
  abortAll(err: Error): void {
    const all = [...this.waiters];
    this.waiters.clear();
    for (const w of all) w.reject(err);
  }
}
