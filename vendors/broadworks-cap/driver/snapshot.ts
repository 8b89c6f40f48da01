/**
 * The initial updates the server sends after a registration is acknowledged (rules 6, 7, 24), read as
 * a snapshot of what exists now, so that calls that vanished while the user was not registered can be
 * released (`CapMapper.releaseStale`).
 *
 * - CallClient: a sessionUpdate whose `numCalls` = N, then exactly N callUpdates (one per call); the
 *   snapshot is complete once N distinct callIds were seen.
 * - Call-centre queue (logged in as a CallClient): a queueProfileUpdate `<initialUpdate/>` (and a
 *   queueUpdate Initial when the queue is not empty, which the mapper reads as the full list): complete
 *   at the queueProfileUpdate; it carries no calls of a user.
 * - AttendantConsole: `numMonitoredUsers` N from registerResponse, then N profileUpdates and N
 *   sessionUpdates; complete after N monitored sessionUpdates. Monitored calls are not snapshotted (the
 *   server only sends their states 2 and 5, rule 8).
 */
import type { CapMessage, UserType } from '../wire/index.js';

/** What the snapshot found: the user's current callIds, or undefined when there is none to trust. */
export interface SnapshotResult {
  /** CAP callIds of the user's calls now; undefined: no registration sessionUpdate arrived. */
  calls?: ReadonlySet<string>;
  /** All announced calls were seen (false: the wait ran out first). */
  complete: boolean;
  /** The login turned out to be a call-centre queue. */
  queue: boolean;
}

/**
 * @example
 * const snap = new InitialSnapshot('CallClient');
 * snap.observe({ type: 'sessionUpdate', user: {}, numCalls: 0 }); // true: complete, no calls
 * snap.result(); // { calls: Set(0), complete: true, queue: false }
 */
export class InitialSnapshot {
  private numCalls: number | undefined;
  private readonly calls = new Set<string>();
  private monitoredSessions = 0;
  private queue = false;
  private done = false;

  constructor(
    private readonly userType: UserType,
    private readonly numMonitoredUsers = 0,
  ) {
    if (userType === 'AttendantConsole' && numMonitoredUsers <= 0) this.done = true;
  }

  get complete(): boolean {
    return this.done;
  }

  /** Reads one message of the initial burst; true once the snapshot is complete. */
  observe(m: CapMessage): boolean {
    if (this.done) return true;
    if (this.userType === 'AttendantConsole') {
      if (m.type === 'sessionUpdate' && m.monitoredUserId !== undefined) this.monitoredSessions++;
      this.done = this.monitoredSessions >= this.numMonitoredUsers;
      return this.done;
    }
    if (m.type === 'queueProfileUpdate') {
      this.queue = true;
      this.done = true;
    } else if (m.type === 'sessionUpdate' && m.numCalls !== undefined && this.numCalls === undefined) {
      this.numCalls = Math.max(0, m.numCalls);
    } else if (m.type === 'callUpdate' && this.numCalls !== undefined) {
      for (const c of m.calls) if (c.callId) this.calls.add(c.callId);
    }
    if (this.numCalls !== undefined && this.calls.size >= this.numCalls) this.done = true;
    return this.done;
  }

  result(): SnapshotResult {
    return {
      ...(this.numCalls !== undefined ? { calls: new Set(this.calls) } : {}),
      complete: this.done,
      queue: this.queue,
    };
  }
}
