/**
 * Waiting for what a request caused. The server accepts a call-control or device request with 202 and
 * an empty body; its result is the event it causes (L331-346, L1706): a command registers what it waits
 * for before it sends, and every event is offered to the waiters after it was mapped, so a command
 * answers only once the events of its outcome are on their way. A wait that sees nothing within
 * `outcomeTimeoutMs` fails with 504.
 */
import type { DriverTimers } from '../../driver-kit/util.js';
import type { WireEvent } from '../wire/events.js';
import type { XmlNode } from '../wire/xml.js';
import { unconfirmed } from './errors.js';

/**
 * Reads one event about `device` (the extension it concerns: the frame's `Event@device` for the
 * application user, the session's own extension for a device user); a value ends the wait with it, a
 * thrown error fails it.
 */
export type Match<T> = (ev: WireEvent, device: string | undefined) => T | undefined;

interface Waiter {
  match: Match<unknown>;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * Every `callID` anywhere in an event (connections are bare `<callID>`s inside role elements, §3).
 *
 * @example
 * callIdsOf(heldEvent); // ['a5bba1cb-b174-441d-8914-125469439de5']
 */
export function callIdsOf(node: XmlNode): string[] {
  const out: string[] = [];
  const walk = (n: XmlNode) => {
    if (n.name === 'callID' && n.text) out.push(n.text.replace(/\s+/g, ''));
    for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}

/**
 * @example
 * const held = outcomes.expect((ev) => (ev.name === 'HeldEvent' ? true : undefined), 'HeldEvent');
 * await session.request('POST', PATHS.holdCall, xml);
 * await held.promise;
 */
export class Outcomes {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly timers: DriverTimers,
    private readonly timeoutMs: number,
  ) {}

  /** How many waits are pending (tests, diagnostics). */
  get pending(): number {
    return this.waiters.size;
  }

  /**
   * Waits for the first event `match` accepts; rejects with a 504 VendorError after the timeout.
   * `cancel` drops the wait (e.g. when the request failed).
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

  /** One event (after mapping); settles every wait it matches. */
  offer(ev: WireEvent, device: string | undefined): void {
    for (const w of [...this.waiters]) {
      let v: unknown;
      try {
        v = w.match(ev, device);
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
