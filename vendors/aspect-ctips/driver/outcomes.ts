/**
 * Waiting for what a request caused. CTIPS acknowledges a request synchronously and reports its
 * outcome as events that echo the request's RequestId (L416-421, L1143): a command registers what it
 * waits for before it sends, every event is offered to the waiters after it was mapped, and a wait
 * that sees nothing within `outcomeTimeoutMs` fails with 504. A failure event echoing the RequestId
 * (AgentLoginRequestFailed, AgentRequestFailed, CallRequestFailed, RouteRequestFailed,
 * SnapShotRequestFailed) fails the wait with its FailureType and FailureReason.
 */
import type { DriverTimers } from '../../driver-kit/util.js';
import { intOf } from '../wire/values.js';
import { textOf, type XmlNode } from '../wire/xml.js';
import { failedEvent, unconfirmed } from './errors.js';

/** What the driver reads of an event (W's `CtipsEvent`). */
export interface EventLike {
  name: string;
  node: XmlNode;
}

/** Reads one event; a value ends the wait with it, a thrown error fails it. */
export type Match<T> = (ev: EventLike) => T | undefined;

/** The failure events (digest §5). */
export const FAILURE_EVENTS: ReadonlySet<string> = new Set([
  'AgentLoginRequestFailed',
  'AgentRequestFailed',
  'CallRequestFailed',
  'RouteRequestFailed',
  'SnapShotRequestFailed',
]);

/** An int field of an event (header or body), if present. */
export const fieldOf = (ev: EventLike, name: string): number | undefined => intOf(ev.node, name);

/**
 * Matches the events echoing `requestId`: a failure event throws, `accept` decides the others.
 *
 * @example
 * byRequest(7, (ev) => (ev.name === 'CallHeld' ? true : undefined));
 */
export function byRequest<T>(requestId: number, accept: Match<T>): Match<T> {
  return (ev) => {
    if (fieldOf(ev, 'RequestId') !== requestId) return undefined;
    if (FAILURE_EVENTS.has(ev.name))
      throw failedEvent(ev.name, textOf(ev.node, 'FailureType'), textOf(ev.node, 'FailureReason'));
    return accept(ev);
  };
}

/**
 * Like `match`, but a failure event echoing `requestId` fails the wait (the outcome itself may come
 * without the RequestId, e.g. a CallEstablished after AcceptCall).
 *
 * @example
 * failingOn(7, (ev) => (ev.name === 'CallEstablished' ? true : undefined));
 */
export function failingOn<T>(requestId: number, match: Match<T>): Match<T> {
  return (ev) => {
    if (FAILURE_EVENTS.has(ev.name) && fieldOf(ev, 'RequestId') === requestId)
      throw failedEvent(ev.name, textOf(ev.node, 'FailureType'), textOf(ev.node, 'FailureReason'));
    return match(ev);
  };
}

interface Waiter {
  match: Match<unknown>;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * @example
 * const held = outcomes.expect(byRequest(7, (ev) => (ev.name === 'CallHeld' ? true : undefined)), 'CallHeld');
 * await conn.request('HoldCall', { RequestId: 7, AgentId: 12, CallId: 3 });
 * await held.promise;
 */
export class Outcomes {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly timers: DriverTimers,
    private readonly timeoutMs: number,
  ) {}

  get pending(): number {
    return this.waiters.size;
  }

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

  offer(ev: EventLike): void {
    for (const w of [...this.waiters]) {
      let v: unknown;
      try {
        v = w.match(ev);
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

  abortAll(err: Error): void {
    const all = [...this.waiters];
    this.waiters.clear();
    for (const w of all) w.reject(err);
  }
}
