/**
 * Waiting for what a command caused. CAP answers almost no client message: a callAction's result is
 * the callUpdate (or sessionUpdate) it causes, a queueAction's the queueUpdate, and only
 * TagCallWithDispositionCode / CustOriginatedTraceCall with `responseRequested` get a
 * callActionResponse (rule 16). A command registers what it waits for before it sends; every server
 * message is offered to the waiters after it was mapped, so a command answers only once the events of
 * its outcome are on their way. Waits are link-wide, because in CCC2 the outcome may arrive on any
 * connection.
 */
import type { DriverTimers } from '../../driver-kit/util.js';
import type { CapMessage } from '../wire/index.js';
import { unconfirmed } from './errors.js';

/** Reads one message about `subject`; a value ends the wait with it. */
export type Match<T> = (m: CapMessage, subject: string | undefined) => T | undefined;

interface Waiter {
  match: Match<unknown>;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * @example
 * const held = outcomes.expect((m) => (m.type === 'callUpdate' && m.calls.some((c) => c.state === 3) ? true : undefined), 'hold');
 * send(holdAction);
 * await held.promise;
 */
export class Outcomes {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly timers: DriverTimers,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Waits for the first message `match` accepts; rejects with a 504 VendorError (nothing confirmed the
   * action) after the timeout. `cancel` drops the wait (e.g. when sending failed).
   */
  expect<T>(
    match: Match<T>,
    what: string,
    timeoutMs = this.timeoutMs,
  ): { promise: Promise<T>; cancel(): void } {
    let waiter!: Waiter;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = { match, resolve: (v) => resolve(v as T), reject };
    });
    promise.catch(() => undefined);
    this.waiters.add(waiter);
    this.timers.later(timeoutMs, () => {
      if (this.waiters.delete(waiter)) waiter.reject(unconfirmed(what, timeoutMs));
    });
    return { promise, cancel: () => void this.waiters.delete(waiter) };
  }

  /** One server message (after mapping); settles every wait it matches. */
  offer(m: CapMessage, subject: string | undefined): void {
    for (const w of [...this.waiters]) {
      let v: unknown;
      try {
        v = w.match(m, subject);
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
