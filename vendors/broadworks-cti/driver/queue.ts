/**
 * Call-centre queue commands and disposition codes as BroadWorks CTI requests (§5.5 ACD, §5.6.4):
 * Get ACD lists the queue, ACD Reorder / Promote Call move a call (their response carries the call's
 * new `QueueCallOrder`), ACD Blind Transfer or ACD Release Call take it out, Tag Disposition Code tags
 * an agent's ACD call. Every one of them is answered by its response, which is the outcome: BroadWorks
 * answers 200 once it carried the request out and an error otherwise; the events that follow
 * (ACDCallPromoted, ACDCallReordered, ACDCallTransferred, ACDCallReleased,
 * AgentDispositionCodeAdded) report the same change to the subscribers. No response within
 * `requestTimeoutMs` is the client's timeout (503 link unavailable).
 */
import type { QueuedCall } from '../../../shared/commands/contract.js';
import { VendorError, type CallCommand } from '../../driver-kit/seam.js';
import { findAll } from '../wire/index.js';
import type { Response } from './client.js';
import { VENDOR } from './mapper.js';
import { parseQueueEntry, type BwQueueEntry, type RequestSpec } from './messages.js';
import type { Requests } from './requests.js';

/** The ACDPriorityType a promotion asks for: the contract's promote has no level (§8.9.3.1). */
export const PROMOTED_PRIORITY = '0-Highest';

export interface QueueDeps {
  requests: Requests;
  /** Sends one request; resolves with a 2xx response, rejects with the vendor's error otherwise. */
  call(spec: RequestSpec): Promise<Response>;
}

function badRequest(detail: string): VendorError {
  return new VendorError(400, `broadworks-cti: ${detail}`, { name: VENDOR });
}

/**
 * `0-Highest` → 0 … `3-Low` → 3 (also a bare digit); undefined when it holds no digit.
 *
 * @example
 * priorityNumber('1-High'); // 1
 */
export function priorityNumber(raw: string | undefined): number | undefined {
  const m = /^\s*([0-3])/.exec(raw ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * The bridge view of one ACDQueueEntry at 1-based `position`.
 *
 * @example
 * queuedCall({ callId: 'callhalf-1:0', addTime: 1271776555321 }, 1); // {id, position: 1, enteredAt}
 */
export function queuedCall(e: BwQueueEntry, position: number): QueuedCall {
  const out: QueuedCall = { id: e.callId, position };
  const from = e.remoteParty?.address ?? e.remoteParty?.userDN;
  if (from) out.from = from;
  if (e.remoteParty?.name) out.fromName = e.remoteParty.name;
  if (e.acdNumber) out.dnis = e.acdNumber;
  if (e.acdName) out.dnisName = e.acdName;
  if (e.addTime !== undefined && e.addTime > 0) {
    const d = new Date(e.addTime);
    if (!Number.isNaN(d.getTime())) out.enteredAt = d.toISOString();
  }
  const priority = priorityNumber(e.acdPriority);
  if (priority !== undefined) out.priority = priority;
  return out;
}

/**
 * The calls of a Get ACD response (`ACDQueue/queueEntries/queueEntry`, read by name anywhere in the
 * payload), in the order given: the queue's order.
 *
 * @example
 * parseAcdQueue(await client.request(requests.getAcd('sales@sim.example'))); // [{id, position: 1, …}, …]
 */
export function parseAcdQueue(r: Response): QueuedCall[] {
  const root = r.payload ?? r.root;
  const out: QueuedCall[] = [];
  for (const node of findAll(root, 'queueentry')) {
    const e = parseQueueEntry(node);
    if (e) out.push(queuedCall(e, out.length + 1));
  }
  return out;
}

/**
 * @example
 * const queues = new QueueCommands({ requests, call: (spec) => driverCall(spec) });
 * await queues.run({ kind: 'promoteQueueCall', queue: 'sales@sim.example', call: 'callhalf-7:0' });
 */
export class QueueCommands {
  constructor(private readonly deps: QueueDeps) {}

  /** Runs a queue or disposition command; undefined for other kinds. */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    const rq = this.deps.requests;
    switch (cmd.kind) {
      case 'listQueueCalls':
        return this.deps.call(rq.getAcd(cmd.queue)).then((r) => ({ calls: parseAcdQueue(r) }));
      case 'reorderQueueCall':
        if (!Number.isInteger(cmd.position) || cmd.position < 1)
          throw badRequest('position must be 1 or more');
        return this.done(rq.acdReorder(cmd.queue, cmd.call, cmd.position));
      case 'promoteQueueCall':
        return this.done(rq.acdPromote(cmd.queue, cmd.call, PROMOTED_PRIORITY));
      case 'removeQueueCall': {
        const to = cmd.to?.trim();
        return this.done(
          to ? rq.acdBlindTransfer(cmd.queue, cmd.call, to) : rq.acdRelease(cmd.queue, cmd.call),
        );
      }
      case 'tagDisposition':
        if (!cmd.code.trim()) throw badRequest('a disposition code is required');
        return this.done(rq.tagDisposition(cmd.user, cmd.call, cmd.code));
      default:
        return undefined;
    }
  }

  private async done(spec: RequestSpec): Promise<Record<string, never>> {
    await this.deps.call(spec);
    return {};
  }
}
