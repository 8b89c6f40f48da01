/**
 * Waiting for what a request caused. CTIPS acknowledges a request synchronously and reports its
 * outcome as events that echo the request's RequestId (L416-421, L1143): a command registers what it
 * waits for before it sends, every event is offered to the waiters after it was mapped, and a wait
 * that sees nothing within `outcomeTimeoutMs` fails with 504. A failure event echoing the RequestId
 * (AgentLoginRequestFailed, AgentRequestFailed, CallRequestFailed, RouteRequestFailed,
 * SnapShotRequestFailed) fails the wait with its FailureType and FailureReason.
 */
import { Outcomes as KitOutcomes, type OutcomeMatch } from '../../driver-kit/outcomes.js';
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
export type Match<T> = OutcomeMatch<[EventLike], T>;

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

/**
 * @example
 * const held = outcomes.expect(byRequest(7, (ev) => (ev.name === 'CallHeld' ? true : undefined)), 'CallHeld');
 * await conn.request('HoldCall', { RequestId: 7, AgentId: 12, CallId: 3 });
 * await held.promise;
 */
export class Outcomes extends KitOutcomes<[EventLike]> {
  constructor(timers: DriverTimers, timeoutMs: number) {
    super(timers, timeoutMs, unconfirmed);
  }
}
