/**
 * A named-state machine with an explicit transition table: the one place where a protocol client's
 * state changes, so that every change is legal by construction and visible in one table.
 */

/** Which states each state may move to (moving to the current state is always a no-op). */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** A transition the table does not allow: a bug in the caller, never a vendor's fault. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal state transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * @example
 * type Phase = 'idle' | 'busy' | 'done';
 * const phase = new StateMachine<Phase>('idle', { idle: ['busy'], busy: ['idle', 'done'], done: [] });
 * phase.to('busy');
 * phase.is('busy', 'done'); // true
 * phase.to('idle');
 * phase.to('done'); // throws IllegalTransitionError: illegal state transition idle → done
 */
export class StateMachine<S extends string> {
  private current: S;

  constructor(
    initial: S,
    private readonly table: TransitionTable<S>,
    private readonly onTransition?: (from: S, to: S) => void,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  /** Whether the machine is in one of `states`. */
  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  /** Whether `next` is reachable from the current state in one step (or is the current state). */
  can(next: S): boolean {
    return next === this.current || this.table[this.current].includes(next);
  }

  /** Moves to `next`; throws `IllegalTransitionError` when the table does not allow it. */
  to(next: S): void {
    if (next === this.current) return;
    if (!this.table[this.current].includes(next)) throw new IllegalTransitionError(this.current, next);
    const from = this.current;
    this.current = next;
    this.onTransition?.(from, next);
  }
}
