import { BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import type { EventFamily, Target } from '../events/model.js';
import {
  bumpRevision,
  deleteLive,
  epochSeconds,
  getLive,
  isConditionalFailure,
  newId,
  pick,
  queryAll,
  queryPage,
  readRevision,
  revisionUpdate,
  tenantTypePage,
  ttlIso,
  updateLive,
  type Item,
  type Page,
} from './common.js';
import { keys } from './keys.js';

export interface SubscriptionRecord {
  id: string;
  tenant: string;
  channel: string;
  link: string;
  target: Target;
  events: EventFamily[];
  ttlSeconds: number;
  expiresAt: string;
  createdAt: string;
  /**
   * Whether the vendor delivers the target's events: `pending` until the link's owner applied it (or
   * while the vendor subscription is retried), `active`, or `failed` with the vendor's reason.
   */
  state: SubscriptionState;
  stateReason: string | null;
}

export type SubscriptionState = 'pending' | 'active' | 'failed';

/** The channel or the link named by a new subscription is missing (or belongs to another tenant). */
export class MissingReferenceError extends Error {
  constructor(readonly field: 'channel' | 'link') {
    super(`no such ${field}`);
    this.name = 'MissingReferenceError';
  }
}

const REVISION_TYPE = 'subscription-revision';

const toSubscription = (it: Item): SubscriptionRecord => ({
  id: it.id as string,
  tenant: it.tenant as string,
  channel: it.channel as string,
  link: it.link as string,
  target: it.target as Target,
  events: it.events as EventFamily[],
  ttlSeconds: it.ttlSeconds as number,
  expiresAt: ttlIso(it)!,
  createdAt: it.createdAt as string,
  state: (it.state as SubscriptionState | undefined) ?? 'pending',
  stateReason: (it.stateReason as string | undefined) ?? null,
});

export class SubscriptionRepo {
  constructor(private readonly db: Db) {}

  /**
   * Creates a subscription atomically with a check that its channel (live) and link exist in the same
   * tenant, so a subscription can never point at another tenant's channel or link.
   */
  async create(
    input: {
      tenant: string;
      channel: string;
      link: string;
      target: Target;
      events: EventFamily[];
      ttlSeconds: number;
    },
    now: Date,
  ): Promise<SubscriptionRecord> {
    const id = newId('sub');
    const item = {
      ...keys.subscription(input.tenant, id),
      ...keys.subscriptionIndex(input.tenant, id, input.channel, input.link),
      type: 'subscription',
      id,
      ...input,
      createdAt: now.toISOString(),
      [TTL_ATTRIBUTE]: epochSeconds(now) + input.ttlSeconds,
    };
    try {
      await this.db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.db.table,
                Key: keys.channel(input.tenant, input.channel),
                ConditionExpression: 'attribute_exists(pk) AND #ttl > :now',
                ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
                ExpressionAttributeValues: { ':now': epochSeconds(now) },
              },
            },
            {
              ConditionCheck: {
                TableName: this.db.table,
                Key: pick(keys.link(input.tenant, input.link)),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Put: { TableName: this.db.table, Item: item } },
            {
              Update: revisionUpdate(
                this.db,
                keys.subscriptionRevision(input.tenant, input.link),
                REVISION_TYPE,
                now,
              ),
            },
          ],
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        throw new MissingReferenceError(reasons[0]?.Code === 'ConditionalCheckFailed' ? 'channel' : 'link');
      }
      throw err;
    }
    return toSubscription(item);
  }

  async get(tenant: string, id: string, now: Date): Promise<SubscriptionRecord | null> {
    const it = await getLive(this.db, keys.subscription(tenant, id), now);
    return it ? toSubscription(it) : null;
  }

  async list(
    tenant: string,
    opts: { limit: number; cursor?: string; now: Date; channel?: string },
  ): Promise<Page<SubscriptionRecord>> {
    if (!opts.channel) {
      return tenantTypePage(
        this.db,
        tenant,
        { prefix: keys.prefix.subscription, name: 'subscriptions' },
        toSubscription,
        opts,
      );
    }
    const page = await queryPage(
      this.db,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `T#${tenant}#CHANNEL#${opts.channel}` },
      },
      { ...opts, scope: `subscriptions:${tenant}:${opts.channel}` },
    );
    return { items: page.items.map(toSubscription), nextCursor: page.nextCursor };
  }

  /** Every live subscription on a link (the connector's matching input). */
  async listByLink(tenant: string, link: string, now: Date): Promise<SubscriptionRecord[]> {
    const items = await queryAll(
      this.db,
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': `T#${tenant}#LINK#${link}` },
      },
      now,
    );
    return items.map(toSubscription);
  }

  /** Every live subscription of a channel (replay). */
  async listByChannel(tenant: string, channel: string, now: Date): Promise<SubscriptionRecord[]> {
    return (await this.channelItems(tenant, channel, now)).map(toSubscription);
  }

  /** The items of a channel's subscriptions that are live at `now` (`new Date(0)`: all, expired too). */
  private channelItems(tenant: string, channel: string, now: Date) {
    return queryAll(
      this.db,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `T#${tenant}#CHANNEL#${channel}` },
      },
      now,
    );
  }

  async update(
    tenant: string,
    id: string,
    patch: { events?: EventFamily[]; ttlSeconds?: number },
    now: Date,
  ): Promise<SubscriptionRecord | null> {
    const fields: Record<string, unknown> = { events: patch.events };
    if (patch.ttlSeconds !== undefined) {
      fields.ttlSeconds = patch.ttlSeconds;
      fields[TTL_ATTRIBUTE] = epochSeconds(now) + patch.ttlSeconds;
    }
    const it = await updateLive(this.db, keys.subscription(tenant, id), fields, now);
    if (!it) return null;
    const sub = toSubscription(it);
    await this.bumpRevision(tenant, sub.link, now);
    return sub;
  }

  /** Records what the link's owner found (the vendor subscription's state); null when it is gone. */
  async setState(
    tenant: string,
    id: string,
    state: SubscriptionState,
    reason: string | null,
    now: Date,
  ): Promise<SubscriptionRecord | null> {
    const it = await updateLive(this.db, keys.subscription(tenant, id), { state, stateReason: reason }, now);
    return it ? toSubscription(it) : null;
  }

  async delete(tenant: string, id: string, now: Date): Promise<boolean> {
    const old = await deleteLive(this.db, keys.subscription(tenant, id), now);
    if (old) await this.bumpRevision(tenant, old.link as string, now);
    return Boolean(old);
  }

  /** Ends every subscription of a channel (when the channel is deleted). Returns how many. */
  async deleteByChannel(tenant: string, channel: string): Promise<number> {
    const items = await this.channelItems(tenant, channel, new Date(0));
    for (let i = 0; i < items.length; i += 25) {
      const batch = items.slice(i, i + 25);
      let requests: Record<string, unknown[]> | undefined = {
        [this.db.table]: batch.map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
      };
      while (requests && Object.keys(requests).length) {
        const res = await this.db.doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = res.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    }
    const now = new Date();
    for (const link of new Set(items.map((it) => it.link as string)))
      await this.bumpRevision(tenant, link, now);
    return items.length;
  }

  /**
   * The link's subscription revision: a number that every create, update and delete of one of the link's
   * subscriptions changes, written after the subscription itself (in the same transaction for a create).
   * 0 when the link never had one. Expiry does not change it: a reader tracks the earliest `expiresAt`.
   */
  revision(tenant: string, link: string): Promise<number> {
    return readRevision(this.db, keys.subscriptionRevision(tenant, link));
  }

  private bumpRevision(tenant: string, link: string, now: Date): Promise<void> {
    return bumpRevision(this.db, keys.subscriptionRevision(tenant, link), REVISION_TYPE, now);
  }
}
