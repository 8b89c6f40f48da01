/**
 * Call-centre queues as CAP sees them: queueCall elements from core queue entries, and the per-queue
 * priority the simulator keeps for queueAction Promote (the core has no priorities).
 */
import type { QueueEntrySnapshot, QueueSnapshot } from '../../../simulator/core/types.js';
import type { CapQueueCall } from '../wire/index.js';

/** Entries' priority (0 highest .. 3 low; default 2 Medium), by caller leg id. */
export type Priorities = Map<string, number>;

/** One queueCall: the caller's leg id is the CAP callId. */
export function queueCall(
  e: QueueEntrySnapshot,
  priorities: Priorities,
  withPosition: boolean,
): CapQueueCall {
  const q: CapQueueCall = {
    callId: e.callerLegId,
    remoteCountryCode: '1',
    remoteNumber: e.caller.number,
    remoteName: e.caller.name ?? '',
    timeAdded: String(e.addTime),
    mandatoryEntrance: 'Not Playing',
    bouncedCall: 'False',
    reorderedCall: 'False',
  };
  if (withPosition && e.position > 0) q.position = e.position;
  const p = priorities.get(e.callerLegId);
  if (p !== undefined) q.priority = p;
  return q;
}

/** The full list, in queue order (Initial, Refresh, CallReordered). */
export function fullList(q: QueueSnapshot, priorities: Priorities, reordered?: string): CapQueueCall[] {
  return q.entries.map((e) => {
    const c = queueCall(e, priorities, true);
    if (reordered === e.callerLegId) c.reorderedCall = 'True';
    return c;
  });
}
