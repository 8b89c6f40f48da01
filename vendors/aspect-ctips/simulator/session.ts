/**
 * One client connection (digest §3): its state machine, its message classes and filters, and whether
 * an event passes them. States: `open` (after OpenConnection, offline) → `online` ⇄ `offline`, any →
 * `closed` (CloseConnection, or the heartbeat rule). Events flow only while `online`.
 */
import { StateMachine } from '../../driver-kit/state-machine.js';
import { CallbackClient } from './callback-client.js';
import type { ResolvedOptions } from './options.js';

export type SessionState = 'open' | 'online' | 'offline' | 'closed';

const TRANSITIONS = {
  open: ['online', 'closed'],
  online: ['offline', 'closed'],
  offline: ['online', 'closed'],
  closed: [],
} as const satisfies Record<SessionState, readonly SessionState[]>;

export interface EventKeys {
  category: string;
  agentId: number;
  serviceId: number;
  switchId: number;
}

/**
 * @example
 * const s = new CtipsSession('s-1', 'http://client/cb', opts, resolveAgent, onDead);
 * s.classes.add('EventCategoryCall');
 * s.online();
 */
export class CtipsSession {
  readonly state: StateMachine<SessionState>;
  readonly classes = new Set<string>();
  /** Filters by field type: the values given (OR within a type, AND across types). */
  readonly filters = new Map<string, Set<string>>();
  readonly callback: CallbackClient;

  constructor(
    readonly id: string,
    readonly url: string,
    opts: ResolvedOptions,
    /** Agent login name → AgentId (FT_AGENT_ID values are login names, L1947). */
    private readonly agentIdOf: (loginName: string) => number | undefined,
    onDead: (s: CtipsSession) => void,
  ) {
    this.state = new StateMachine<SessionState>('open', TRANSITIONS);
    this.callback = new CallbackClient({
      url,
      timeoutMs: opts.callbackTimeoutMs,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      missedHeartbeats: opts.missedHeartbeats,
      ...(opts.namespaces ? { namespaces: opts.namespaces } : {}),
      onDead: () => onDead(this),
    });
  }

  online(): void {
    this.state.to('online');
    this.callback.startHeartbeat();
  }

  offline(): void {
    this.state.to('offline');
    this.callback.stopHeartbeat();
  }

  close(): void {
    if (this.state.is('closed')) return;
    this.state.to('closed');
    this.callback.stop();
  }

  addFilter(type: string, value: string): void {
    const set = this.filters.get(type) ?? new Set<string>();
    set.add(value);
    this.filters.set(type, set);
  }

  deleteFilter(type: string, value: string): boolean {
    const set = this.filters.get(type);
    const had = set?.delete(value) ?? false;
    if (set && set.size === 0) this.filters.delete(type);
    return had;
  }

  /** Whether an event with these keys goes to this session now. */
  accepts(k: EventKeys): boolean {
    if (!this.state.is('online') || !this.classes.has(k.category)) return false;
    for (const [type, values] of this.filters) {
      const ok = [...values].some((v) => {
        if (type === 'FT_AGENT_ID') return k.agentId !== 0 && this.agentIdOf(v) === k.agentId;
        if (type === 'FT_SERVICE_ID') return String(k.serviceId) === v.trim();
        if (type === 'FT_SWITCH_ID') return String(k.switchId) === v.trim();
        return true;
      });
      if (!ok) return false;
    }
    return true;
  }
}
