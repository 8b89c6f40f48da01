import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  bumpRevision,
  deleteLive,
  epochSeconds,
  getLive,
  isConditionalFailure,
  newId,
  pick,
  readRevision,
  tenantTypePage,
  ttlIso,
  updateLive,
  type Item,
  type Page,
  getManyLive,
} from './common.js';
import { keys } from './keys.js';

export type ChannelType = 'websocket' | 'webhook';
export type WsFraming = 'single' | 'batch';

export interface ChannelRecord {
  id: string;
  tenant: string;
  type: ChannelType;
  /** Webhook target URL (webhook channels only). */
  url: string | null;
  /** Standard Webhooks secret (webhook channels only); never returned by GET. */
  secret: string | null;
  /** SHA-256 of the WebSocket token (websocket channels only). */
  tokenHash: string | null;
  /** Live API Gateway connection id (websocket channels only). */
  connectionId: string | null;
  /** WebSocket channels: one event frame per message (`single`) or `events` messages (`batch`). */
  framing: WsFraming;
  ttlSeconds: number;
  expiresAt: string;
  createdAt: string;
  /** Delivery state: `disabled` after 410 Gone or continuous failure (webhook). */
  status: 'active' | 'disabled';
  disabledReason: string | null;
  /** The secret before the last rotation; it keeps signing until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: string | null;
  /** Webhook routing: a 2xx answer to a `route.request` delivery may carry the route (webhook only). */
  routing: boolean;
}

const toChannel = (it: Item): ChannelRecord => ({
  id: it.id as string,
  tenant: it.tenant as string,
  type: it.channelType as ChannelType,
  url: (it.url as string | undefined) ?? null,
  secret: (it.secret as string | undefined) ?? null,
  tokenHash: (it.tokenHash as string | undefined) ?? null,
  connectionId: (it.connectionId as string | undefined) ?? null,
  framing: it.framing === 'batch' ? 'batch' : 'single',
  ttlSeconds: it.ttlSeconds as number,
  expiresAt: ttlIso(it)!,
  createdAt: it.createdAt as string,
  status: (it.status as 'active' | 'disabled' | undefined) ?? 'active',
  disabledReason: (it.disabledReason as string | undefined) ?? null,
  previousSecret: (it.previousSecret as string | undefined) ?? null,
  previousSecretUntil: (it.previousSecretUntil as string | undefined) ?? null,
  routing: it.routing === true,
});

export class ChannelRepo {
  constructor(private readonly db: Db) {}

  async create(
    input: {
      tenant: string;
      type: ChannelType;
      ttlSeconds: number;
      url?: string;
      secret?: string;
      tokenHash?: string;
      framing?: WsFraming;
      routing?: boolean;
    },
    now: Date,
  ): Promise<ChannelRecord> {
    const id = newId('ch');
    const { type, ...rest } = input;
    const item = {
      ...keys.channel(input.tenant, id),
      type: 'channel',
      channelType: type,
      id,
      ...rest,
      createdAt: now.toISOString(),
      [TTL_ATTRIBUTE]: epochSeconds(now) + input.ttlSeconds,
    };
    await this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: item }));
    await this.bumpRevision(input.tenant, now);
    return toChannel(item);
  }

  async get(tenant: string, id: string, now: Date): Promise<ChannelRecord | null> {
    const it = await getLive(this.db, keys.channel(tenant, id), now);
    return it ? toChannel(it) : null;
  }

  /** Many channels in a few batch reads; null where a channel is gone. */
  async getMany(list: { tenant: string; id: string }[], now: Date): Promise<(ChannelRecord | null)[]> {
    const items = await getManyLive(
      this.db,
      list.map((c) => keys.channel(c.tenant, c.id)),
      now,
    );
    return items.map((it) => (it ? toChannel(it) : null));
  }

  async list(
    tenant: string,
    opts: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<ChannelRecord>> {
    return tenantTypePage(
      this.db,
      tenant,
      { prefix: keys.prefix.channel, name: 'channels' },
      toChannel,
      opts,
    );
  }

  /** Sets a new lifetime of `ttlSeconds` from now. */
  async extend(tenant: string, id: string, ttlSeconds: number, now: Date): Promise<ChannelRecord | null> {
    const it = await updateLive(
      this.db,
      keys.channel(tenant, id),
      { ttlSeconds, [TTL_ATTRIBUTE]: epochSeconds(now) + ttlSeconds },
      now,
    );
    return this.changed(tenant, it, now);
  }

  /** Records (or clears, with null) the live WebSocket connection of a channel. */
  async setConnection(
    tenant: string,
    id: string,
    connectionId: string | null,
    now: Date,
  ): Promise<ChannelRecord | null> {
    const it = await updateLive(this.db, keys.channel(tenant, id), { connectionId }, now);
    return this.changed(tenant, it, now);
  }

  /**
   * Unbinds `connectionId` from the channel, only if it is still the bound one (one conditional write: a
   * read then a write would erase a connection bound in between, e.g. the client's reconnect racing the
   * old connection's `$disconnect`). True when it was unbound.
   */
  async clearConnection(tenant: string, id: string, connectionId: string): Promise<boolean> {
    try {
      await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: pick(keys.channel(tenant, id)),
          UpdateExpression: 'REMOVE connectionId',
          ConditionExpression: 'connectionId = :c',
          ExpressionAttributeValues: { ':c': connectionId },
        }),
      );
      await this.bumpRevision(tenant, new Date());
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /** Replaces a webhook secret; the old one keeps signing until `previousUntil`. */
  async rotateSecret(
    tenant: string,
    id: string,
    secret: string,
    previousUntil: Date,
    now: Date,
  ): Promise<ChannelRecord | null> {
    const current = await this.get(tenant, id, now);
    if (!current || current.type !== 'webhook') return null;
    const it = await updateLive(
      this.db,
      keys.channel(tenant, id),
      { secret, previousSecret: current.secret, previousSecretUntil: previousUntil.toISOString() },
      now,
    );
    return this.changed(tenant, it, now);
  }

  /** Stops delivery to a channel (410 Gone, continuous failure); visible in GET as `status`. */
  async disable(tenant: string, id: string, reason: string, now: Date): Promise<ChannelRecord | null> {
    const it = await updateLive(
      this.db,
      keys.channel(tenant, id),
      { status: 'disabled', disabledReason: reason, disabledAt: now.toISOString() },
      now,
    );
    return this.changed(tenant, it, now);
  }

  async delete(tenant: string, id: string, now: Date): Promise<ChannelRecord | null> {
    const it = await deleteLive(this.db, keys.channel(tenant, id), now);
    return this.changed(tenant, it, now);
  }

  /**
   * The tenant's channel revision: a number that every create, update and delete of one of the tenant's
   * channel records changes, written after the record. 0 when the tenant never had a channel. Expiry
   * does not change it: a reader checks the record's `expiresAt`.
   */
  revision(tenant: string): Promise<number> {
    return readRevision(this.db, keys.channelRevision(tenant));
  }

  /** The record of a write, after the revision moved on (null: nothing was written). */
  private async changed(tenant: string, it: Item | null, now: Date): Promise<ChannelRecord | null> {
    if (!it) return null;
    await this.bumpRevision(tenant, now);
    return toChannel(it);
  }

  private bumpRevision(tenant: string, now: Date): Promise<void> {
    return bumpRevision(this.db, keys.channelRevision(tenant), 'channel-revision', now);
  }
}
