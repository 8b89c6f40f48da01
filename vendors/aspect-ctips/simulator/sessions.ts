/**
 * The client connections of one CTIPS: at most `maxConnections` (10, L309), looked up by SessionId,
 * disposed on CloseConnection or by the heartbeat rule, and the fan-out of events to every session
 * whose state, message classes and filters accept them.
 */
import { randomUUID } from 'node:crypto';
import { CtipsSession } from './session.js';
import type { ResolvedOptions } from './options.js';

/**
 * @example
 * const reg = new SessionRegistry(opts, agentIdOf);
 * const s = reg.open('http://client/cb'); // undefined when 10 are open
 */
export class SessionRegistry {
  private readonly byId = new Map<string, CtipsSession>();
  /** SessionIds disposed by the heartbeat rule (for the control API's state). */
  readonly disposed: string[] = [];

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly agentIdOf: (loginName: string) => number | undefined,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  open(url: string): CtipsSession | undefined {
    if (this.byId.size >= this.opts.maxConnections) return undefined;
    const s = new CtipsSession(randomUUID(), url, this.opts, this.agentIdOf, (dead) => {
      this.disposed.push(dead.id);
      this.close(dead.id);
    });
    this.byId.set(s.id, s);
    return s;
  }

  get(id: string | undefined): CtipsSession | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  close(id: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    s.close();
    this.byId.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.byId.keys()]) this.close(id);
  }

  list(): CtipsSession[] {
    return [...this.byId.values()];
  }

  /** Sends one event to every session that accepts it (or only to `only`). */
  publish(event: Record<string, unknown>, only?: CtipsSession): void {
    const keys = {
      category: String(event.EventCategory),
      agentId: Number(event.AgentId ?? 0),
      serviceId: Number(event.ServiceId ?? 0),
      switchId: Number(event.SwitchId ?? 0),
    };
    for (const s of only ? [only] : this.byId.values()) {
      if (s.accepts(keys)) void s.callback.send('PublishCTIEvent', event);
    }
  }
}
