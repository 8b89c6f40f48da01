import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import type { Vendor } from '../events/model.js';
import {
  AlreadyExistsError,
  isConditionalFailure,
  pick,
  queryAll,
  tenantTypePage,
  updateExpression,
  type Item,
  type Page,
} from './common.js';
import { keys } from './keys.js';

export type LinkStatus = 'connecting' | 'up' | 'down';

export interface LinkRecord {
  tenant: string;
  id: string;
  vendor: Vendor;
  endpoint: string;
  options: Record<string, unknown>;
  status: LinkStatus;
  since: string;
  lastError: string | null;
  lastEventAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const toLink = (it: Item): LinkRecord => ({
  tenant: it.tenant as string,
  id: it.id as string,
  vendor: it.vendor as Vendor,
  endpoint: it.endpoint as string,
  options: (it.options as Record<string, unknown> | undefined) ?? {},
  status: (it.status as LinkStatus | undefined) ?? 'connecting',
  since: (it.since as string | undefined) ?? (it.createdAt as string),
  lastError: (it.lastError as string | undefined) ?? null,
  lastEventAt: (it.lastEventAt as string | undefined) ?? null,
  createdAt: it.createdAt as string,
  updatedAt: it.updatedAt as string,
});

export class LinkRepo {
  constructor(private readonly db: Db) {}

  async create(
    input: { tenant: string; id: string; vendor: Vendor; endpoint: string; options: Record<string, unknown> },
    now: Date,
  ): Promise<LinkRecord> {
    const at = now.toISOString();
    const item = {
      ...keys.link(input.tenant, input.id),
      type: 'link',
      ...input,
      status: 'connecting',
      since: at,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new AlreadyExistsError(`link ${input.id}`);
      throw err;
    }
    return toLink(item);
  }

  async get(tenant: string, id: string): Promise<LinkRecord | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: pick(keys.link(tenant, id)), ConsistentRead: true }),
    );
    return res.Item ? toLink(res.Item) : null;
  }

  async list(tenant: string, opts: { limit: number; cursor?: string; now: Date }): Promise<Page<LinkRecord>> {
    return tenantTypePage(this.db, tenant, { prefix: keys.prefix.link, name: 'links' }, toLink, opts);
  }

  /** Every link of every tenant (the connector's view). */
  async listAll(now: Date): Promise<LinkRecord[]> {
    const items = await queryAll(
      this.db,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'LINKS' },
      },
      now,
    );
    return items.map(toLink);
  }

  /** Updates configuration fields; null when the link does not exist. */
  async update(
    tenant: string,
    id: string,
    patch: { endpoint?: string; options?: Record<string, unknown> },
    now: Date,
  ): Promise<LinkRecord | null> {
    return this.patch(tenant, id, { ...patch, updatedAt: now.toISOString() });
  }

  /** Records connection status (written by the connector). */
  async setStatus(
    tenant: string,
    id: string,
    status: { status: LinkStatus; since: string; lastError?: string | null },
  ): Promise<LinkRecord | null> {
    return this.patch(tenant, id, status);
  }

  async touchEvent(tenant: string, id: string, at: string): Promise<void> {
    await this.patch(tenant, id, { lastEventAt: at });
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const res = await this.db.doc.send(
      new DeleteCommand({
        TableName: this.db.table,
        Key: pick(keys.link(tenant, id)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Boolean(res.Attributes);
  }

  private async patch(
    tenant: string,
    id: string,
    fields: Record<string, unknown>,
  ): Promise<LinkRecord | null> {
    try {
      const res = await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: pick(keys.link(tenant, id)),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
          ...updateExpression(fields),
        }),
      );
      return res.Attributes ? toLink(res.Attributes) : null;
    } catch (err) {
      if (isConditionalFailure(err)) return null;
      throw err;
    }
  }
}
