/**
 * Liveness of WebSocket sequencer holders (docs/delivery.md, "The sequencer lease"). A delivery process
 * that holds sequencers renews one record of its own every third of a lease, instead of one lease per
 * channel: a channel's lease (`seqOwner`, `seqUntil` on its STATE item, set when it is taken) stays its
 * holder's for as long as that record is live. Another process takes a channel over only once both the
 * channel's `seqUntil` and its holder's record have expired (`DeliveryRepo.acquireSequencer` with the
 * dead holder named), and a process that wants a channel a live holder keeps asks for it here: the
 * holder reads the requests with its next renewal and releases those channels.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../db/table.js';
import type { Db } from '../db/client.js';
import { epochSeconds, isConditionalFailure } from './common.js';
import { keys } from './keys.js';

export class SequencerHolderRepo {
  constructor(private readonly db: Db) {}

  /**
   * Renews the holder's record until `untilMs` and takes the requests stored since the last renewal:
   * the channels (`tenant#channel`) other processes want.
   *
   * @example
   * const wanted = await holders.renew('conn-a.1', Date.now() + 15_000); // ['acme#ch_3KpV9']
   */
  async renew(id: string, untilMs: number): Promise<string[]> {
    const res = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.table,
        Key: keys.sequencerHolder(id),
        UpdateExpression: 'SET untilMs = :u, #type = :t, #ttl = :ttl REMOVE wanted',
        ExpressionAttributeNames: { '#type': 'type', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':u': untilMs,
          ':t': 'sequencer-holder',
          // removed by TTL a day after it lapsed (readers ignore it once expired)
          ':ttl': epochSeconds(new Date(untilMs)) + 86_400,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const wanted = res.Attributes?.wanted as Set<string> | undefined;
    return wanted ? [...wanted] : [];
  }

  /** Until when the holder's record is live (epoch ms); 0 when it has none. */
  async until(id: string): Promise<number> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: keys.sequencerHolder(id), ConsistentRead: true }),
    );
    return (res.Item?.untilMs as number | undefined) ?? 0;
  }

  /** Asks a live holder for a channel (`tenant#channel`); a holder without a record is not asked. */
  async want(id: string, channelKey: string): Promise<void> {
    try {
      await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: keys.sequencerHolder(id),
          UpdateExpression: 'ADD wanted :k',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':k': new Set([channelKey]) },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /** Removes the record (a graceful stop, every lease released). */
  async withdraw(id: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.sequencerHolder(id) }));
  }
}
