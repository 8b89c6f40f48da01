import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine } from '../../../vendors/driver-kit/state-machine.js';

type Phase = 'idle' | 'busy' | 'done';
const TABLE = { idle: ['busy'], busy: ['idle', 'done'], done: [] } as const;

describe('StateMachine', () => {
  it('starts in the initial state and follows the table', () => {
    const seen: string[] = [];
    const m = new StateMachine<Phase>('idle', TABLE, (from, to) => seen.push(`${from}>${to}`));
    expect(m.state).toBe('idle');
    m.to('busy');
    m.to('done');
    expect(m.state).toBe('done');
    expect(seen).toEqual(['idle>busy', 'busy>done']);
  });

  it('throws on a transition the table does not allow, and stays where it was', () => {
    const m = new StateMachine<Phase>('idle', TABLE);
    expect(() => m.to('done')).toThrow(IllegalTransitionError);
    expect(() => m.to('done')).toThrow('illegal state transition idle → done');
    expect(m.state).toBe('idle');
    m.to('busy');
    m.to('done');
    expect(() => m.to('idle')).toThrow(IllegalTransitionError);
    expect(m.state).toBe('done');
  });

  it('treats a move to the current state as a no-op (no callback, no error)', () => {
    const seen: string[] = [];
    const m = new StateMachine<Phase>('done', TABLE, (from, to) => seen.push(`${from}>${to}`));
    m.to('done');
    expect(m.state).toBe('done');
    expect(seen).toEqual([]);
  });

  it('answers is() and can()', () => {
    const m = new StateMachine<Phase>('busy', TABLE);
    expect(m.is('busy')).toBe(true);
    expect(m.is('idle', 'done')).toBe(false);
    expect(m.can('idle')).toBe(true);
    expect(m.can('busy')).toBe(true);
    expect(new StateMachine<Phase>('idle', TABLE).can('done')).toBe(false);
  });
});
