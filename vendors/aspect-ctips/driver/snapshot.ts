/**
 * The Snapshot after each (re)connect (L611-628, L1876-1882): CTIPS is stateless (L299), so the client
 * asks for every agent, call and service, and CTIPS answers with one SnapShotUpdate per entity, the last
 * with `SnapShotComplete` true. The collector gathers the CallIds of the calls still alive; a snapshot
 * that does not complete in time (or SnapShotRequestFailed) counts as incomplete and releases nothing.
 */
import type { DriverTimers } from '../../driver-kit/util.js';
import { boolOf, intOf } from '../wire/values.js';
import { child } from '../wire/xml.js';
import type { EventLike } from './outcomes.js';

export interface SnapshotResult {
  complete: boolean;
  /** CallIds (as text) of the calls the snapshot reported. */
  callIds: Set<string>;
}

/**
 * @example
 * const taking = snapshots.begin(10000);
 * await conn.request('Snapshot', { EntityType: ['AgentInfo', 'CallInfo', 'ServiceInfo'] });
 * const { complete, callIds } = await taking;
 */
export class Snapshots {
  private current: { result: SnapshotResult; done(): void } | undefined;

  constructor(private readonly timers: DriverTimers) {}

  begin(timeoutMs: number): Promise<SnapshotResult> {
    return new Promise<SnapshotResult>((resolve) => {
      const result: SnapshotResult = { complete: false, callIds: new Set() };
      const entry = {
        result,
        done: () => {
          if (this.current === entry) this.current = undefined;
          resolve(result);
        },
      };
      this.current = entry;
      this.timers.later(timeoutMs, entry.done);
    });
  }

  /** Ends a pending collection as incomplete (the request failed, the link was lost). */
  abort(): void {
    this.current?.done();
  }

  observe(ev: EventLike): void {
    const cur = this.current;
    if (!cur) return;
    if (ev.name === 'SnapShotRequestFailed') return cur.done();
    if (ev.name !== 'SnapShotUpdate') return;
    const call = child(ev.node, 'CallData');
    const id = call && call.attrs.nil !== 'true' ? intOf(call, 'CallId') : undefined;
    if (id !== undefined && id > 0) cur.result.callIds.add(String(id));
    if (boolOf(ev.node, 'SnapShotComplete')) {
      cur.result.complete = true;
      cur.done();
    }
  }
}
