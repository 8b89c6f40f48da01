/**
 * Call-centre queue commands as CAP queueActions (§6.21). A queue is acted on as its call centre's
 * user (the Call Center virtual subscriber, L454): in CAP-C that id logs in like a user, with
 * `userType` CallClient, as a session of its own (the session's user is the queue id); in CCC2 the
 * queueAction names it by `id` on any connection. Outcomes are queueUpdates: Refresh answers a refresh
 * (the only queueAction with a response), CallReordered a reorder, CallPromoted a promotion, and a
 * removal reason (CallTransferred, …) a transfer out of the queue.
 */
import type { QueuedCall } from '../../../shared/commands/contract.js';
import type { CallCommand, DriverLogger } from '../../driver-kit/seam.js';
import type { CapQueueCall, QueueUpdate } from '../wire/index.js';
import { queueAction, sendOn, type ChannelFor } from './channel.js';
import { badRequest } from './errors.js';
import type { CapMapper } from './mapper.js';
import type { Match, Outcomes } from './outcomes.js';

/** Priority a promoted call gets (0 Highest … 3 Low, L2756): the contract's promote has no level. */
export const PROMOTED_PRIORITY = 0;

/** queueUpdate reasons that take a call out of the queue. */
const LEFT_QUEUE: ReadonlySet<string> = new Set([
  'CallTransferred',
  'CallAnswered',
  'CallAbandoned',
  'QueueTimeout',
  'QueueOverflow',
]);

export interface QueueDeps {
  mapper: Pick<CapMapper, 'queueCallsOf'>;
  outcomes: Outcomes;
  channelFor: ChannelFor;
  logger: DriverLogger;
}

/** A queueUpdate of `queue` with one of `reasons` (and naming `callId`, if given). */
function queueUpdate(queue: string, reasons: ReadonlySet<string>, callId?: string): Match<QueueUpdate> {
  return (m, subject) =>
    m.type === 'queueUpdate' &&
    subject === queue &&
    reasons.has(m.updateReason) &&
    (callId === undefined || m.calls.some((c) => c.callId === callId))
      ? m
      : undefined;
}

/**
 * @example
 * const queues = new QueueCommands(deps);
 * await queues.run({ kind: 'reorderQueueCall', queue: 'sales@sim.example', call: 'q1', position: 1 });
 */
export class QueueCommands {
  constructor(private readonly deps: QueueDeps) {}

  /** Runs a queue command; undefined for other kinds. */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'listQueueCalls':
        return this.list(cmd.queue);
      case 'reorderQueueCall':
        if (!Number.isInteger(cmd.position) || cmd.position < 1)
          throw badRequest('position must be 1 or more');
        return this.act(cmd.queue, 'Reorder', { callId: cmd.call, position: cmd.position }, [
          'CallReordered',
        ]);
      case 'promoteQueueCall':
        return this.act(cmd.queue, 'Promote', { callId: cmd.call, priority: PROMOTED_PRIORITY }, [
          'CallPromoted',
        ]);
      case 'removeQueueCall':
        // CAP takes a call out of a queue only by transferring it somewhere (queueAction Transfer)
        if (!cmd.to?.trim())
          throw badRequest('a call leaves a CAP queue only by a transfer: `to` is required');
        return this.act(cmd.queue, 'Transfer', { callId: cmd.call, destination: cmd.to }, [...LEFT_QUEUE]);
      default:
        return undefined;
    }
  }

  /**
   * queueAction Refresh, answered by queueUpdate Refresh with the full list (rule 26); the mapper reads
   * it before this answers. Without an answer in time the list as tracked from earlier updates is given.
   */
  private async list(queue: string): Promise<{ calls: QueuedCall[] }> {
    try {
      await this.act(queue, 'Refresh', undefined, ['Refresh']);
    } catch (err) {
      if ((err as { status?: number }).status !== 504) throw err;
      this.deps.logger.warn('broadworks-cap: no queueUpdate Refresh; answering the tracked queue', { queue });
    }
    return { calls: this.deps.mapper.queueCallsOf(queue) };
  }

  private async act(
    queue: string,
    actionType: string,
    call: CapQueueCall | undefined,
    reasons: readonly string[],
  ): Promise<Record<string, never>> {
    const channel = this.deps.channelFor(queue);
    const wait = this.deps.outcomes.expect(
      queueUpdate(queue, new Set(reasons), actionType === 'Reorder' ? undefined : call?.callId),
      `queueUpdate ${reasons.join('/')} after queueAction ${actionType}`,
    );
    try {
      sendOn(channel, queueAction(channel.user, actionType, call));
    } catch (err) {
      wait.cancel();
      throw err;
    }
    await wait.promise;
    return {};
  }
}
