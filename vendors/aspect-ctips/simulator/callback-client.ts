/**
 * The outbound side of one CTIPS session: SOAP POSTs to the client's callback URL (StartSession,
 * PublishCTIEvent, HeartbeatMessage), one at a time and in order, and the heartbeat timer with the
 * missed-heartbeat rule (L1100, L1862-1872): the first heartbeat right after OnLine, the next one an
 * interval after each answer; `missedHeartbeats` failures in a row dispose the session (`onDead`).
 */
import { buildCallback, type CallbackOperation } from '../wire/callbacks.js';
import type { CtipsNamespaces } from '../wire/ns.js';

export interface CallbackClientOptions {
  url: string;
  timeoutMs: number;
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
  namespaces?: Partial<CtipsNamespaces>;
  /** Called once when the heartbeat rule gives up on the client. */
  onDead: () => void;
}

/**
 * @example
 * const cb = new CallbackClient({ url, timeoutMs: 5000, heartbeatIntervalMs: 30000, missedHeartbeats: 3, onDead });
 * cb.send('PublishCTIEvent', { EventType: 'CallHeld', CallId: 7 });
 * cb.startHeartbeat();
 */
export class CallbackClient {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private missed = 0;
  private stopped = false;
  private beating = false;
  private readonly abort = new AbortController();
  /** Counters for the control API's state. */
  readonly stats = { sent: 0, failed: 0, heartbeats: 0 };

  constructor(private readonly o: CallbackClientOptions) {}

  /** Queues one callback; resolves true when the client answered 2xx. Never rejects. */
  send(op: CallbackOperation, payload: Record<string, unknown>): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      if (this.stopped) return false;
      const { soapAction, xml } = buildCallback(op, payload, this.o.namespaces);
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
          body: xml,
          signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.abort.signal]),
        });
        await res.arrayBuffer().catch(() => undefined);
        const ok = res.status >= 200 && res.status < 300;
        this.stats.sent++;
        if (!ok) this.stats.failed++;
        return ok;
      } catch {
        this.stats.failed++;
        return false;
      }
    };
    const p = this.chain.then(run);
    this.chain = p;
    return p;
  }

  /** Starts heartbeating (idempotent): one now, then one interval after each answer. */
  startHeartbeat(): void {
    if (this.beating || this.stopped) return;
    this.beating = true;
    void this.beat();
  }

  /** Stops heartbeating (OffLine); the missed count is kept. */
  stopHeartbeat(): void {
    this.beating = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Stops everything; queued callbacks are dropped and the one in flight is aborted. */
  stop(): void {
    this.stopped = true;
    this.stopHeartbeat();
    this.abort.abort();
  }

  private async beat(): Promise<void> {
    if (!this.beating || this.stopped) return;
    this.stats.heartbeats++;
    const ok = await this.send('HeartbeatMessage', {});
    if (!this.beating || this.stopped) return;
    this.missed = ok ? 0 : this.missed + 1;
    if (this.missed >= this.o.missedHeartbeats) {
      this.stop();
      this.o.onDead();
      return;
    }
    this.timer = setTimeout(() => void this.beat(), this.o.heartbeatIntervalMs);
    this.timer.unref?.();
  }
}
