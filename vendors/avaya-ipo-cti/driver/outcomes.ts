/**
 * Waiting for what a request caused. The server accepts a call-control or device request with 202 and
 * an empty body; its result is the event it causes (L331-346, L1706): a command registers what it waits
 * for before it sends, and every event is offered to the waiters after it was mapped, so a command
 * answers only once the events of its outcome are on their way. A wait that sees nothing within
 * `outcomeTimeoutMs` fails with 504.
 */
import { Outcomes as KitOutcomes, type OutcomeMatch } from '../../driver-kit/outcomes.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { WireEvent } from '../wire/events.js';
import type { XmlNode } from '../wire/xml.js';
import { unconfirmed } from './errors.js';

/**
 * Reads one event about `device` (the extension it concerns: the frame's `Event@device` for the
 * application user, the session's own extension for a device user); a value ends the wait with it, a
 * thrown error fails it.
 */
export type Match<T> = OutcomeMatch<[WireEvent, string | undefined], T>;

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
export class Outcomes extends KitOutcomes<[WireEvent, string | undefined]> {
  constructor(timers: DriverTimers, timeoutMs: number) {
    super(timers, timeoutMs, unconfirmed);
  }
}
