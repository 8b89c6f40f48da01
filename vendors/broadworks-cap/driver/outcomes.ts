/**
 * Waiting for what a command caused. CAP answers almost no client message: a callAction's result is
 * the callUpdate (or sessionUpdate) it causes, a queueAction's the queueUpdate, and only
 * TagCallWithDispositionCode / CustOriginatedTraceCall with `responseRequested` get a
 * callActionResponse (rule 16). A command registers what it waits for before it sends; every server
 * message is offered to the waiters after it was mapped, so a command answers only once the events of
 * its outcome are on their way. Waits are link-wide, because in CCC2 the outcome may arrive on any
 * connection.
 */
import { Outcomes as KitOutcomes, type OutcomeMatch } from '../../driver-kit/outcomes.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { CapMessage } from '../wire/index.js';
import { unconfirmed } from './errors.js';

/** Reads one message about `subject`; a value ends the wait with it. */
export type Match<T> = OutcomeMatch<[CapMessage, string | undefined], T>;

/**
 * @example
 * const held = outcomes.expect((m) => (m.type === 'callUpdate' && m.calls.some((c) => c.state === 3) ? true : undefined), 'hold');
 * send(holdAction);
 * await held.promise;
 */
export class Outcomes extends KitOutcomes<[CapMessage, string | undefined]> {
  constructor(timers: DriverTimers, timeoutMs: number) {
    super(timers, timeoutMs, unconfirmed);
  }
}
