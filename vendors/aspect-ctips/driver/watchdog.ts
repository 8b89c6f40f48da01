/**
 * The client side of CTIPS's heartbeat (L1094-1100, L1862-1872): CTIPS calls HeartbeatMessage every
 * interval (default 30 s) while the session is online; a client that hears none for
 * `heartbeatTimeoutMs` treats the connection as lost and reconnects (L1868). The timers are the link's
 * (`DriverTimers` has no cancel): each check re-arms itself for the time left, and a stopped or
 * restarted watchdog's old checks find their generation outdated and do nothing.
 */
import type { DriverTimers } from '../../driver-kit/util.js';

/**
 * @example
 * const dog = new Watchdog(timers, 120_000, () => lost('no HeartbeatMessage for 120 s'));
 * dog.start(); // at StartSession
 * dog.beat(); // each HeartbeatMessage
 */
export class Watchdog {
  private generation = 0;
  private last = 0;

  constructor(
    private readonly timers: DriverTimers,
    private readonly timeoutMs: number,
    private readonly onExpired: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.generation++;
    this.last = this.now();
    this.arm(this.generation, this.timeoutMs);
  }

  beat(): void {
    this.last = this.now();
  }

  stop(): void {
    this.generation++;
  }

  private arm(generation: number, ms: number): void {
    this.timers.later(Math.max(1, ms), () => {
      if (generation !== this.generation) return;
      const left = this.last + this.timeoutMs - this.now();
      if (left > 0) return this.arm(generation, left);
      this.generation++;
      this.onExpired();
    });
  }
}
