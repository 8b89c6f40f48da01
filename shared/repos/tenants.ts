import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { generateTenantKey } from '../auth/keys.js';
import { AlreadyExistsError, isConditionalFailure, pick, queryPage, type Item, type Page } from './common.js';
import { keys } from './keys.js';

export interface Tenant {
  id: string;
  name: string | null;
  createdAt: string;
}
export interface ApiKeyInfo {
  id: string;
  tenant: string;
  name: string | null;
  createdAt: string;
}

const toTenant = (it: Item): Tenant => ({
  id: it.tenant as string,
  name: (it.name as string | undefined) ?? null,
  createdAt: it.createdAt as string,
});

export class TenantRepo {
  constructor(private readonly db: Db) {}

  async create(id: string, name: string | undefined, now: Date): Promise<Tenant> {
    const item = { ...keys.tenant(id), type: 'tenant', tenant: id, name, createdAt: now.toISOString() };
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new AlreadyExistsError(`tenant ${id}`);
      throw err;
    }
    return toTenant(item);
  }

  async get(id: string): Promise<Tenant | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: pick(keys.tenant(id)) }),
    );
    return res.Item ? toTenant(res.Item) : null;
  }

  /** Idempotent: used for the local `default` tenant. */
  async ensure(id: string, now: Date): Promise<Tenant> {
    try {
      return await this.create(id, undefined, now);
    } catch (err) {
      if (err instanceof AlreadyExistsError) return (await this.get(id))!;
      throw err;
    }
  }

  async list(opts: { limit: number; cursor?: string; now: Date }): Promise<Page<Tenant>> {
    const page = await queryPage(
      this.db,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'TENANTS' },
      },
      { ...opts, scope: 'tenants' },
    );
    return { items: page.items.map(toTenant), nextCursor: page.nextCursor };
  }

  /** Creates a tenant key; the plain key is returned here and never again. */
  async createKey(
    tenant: string,
    name: string | undefined,
    now: Date,
  ): Promise<ApiKeyInfo & { key: string }> {
    const { keyId, key, hash } = generateTenantKey();
    const createdAt = now.toISOString();
    await this.db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.db.table,
              Item: { ...keys.apiKey(tenant, keyId), type: 'apiKey', tenant, keyId, name, hash, createdAt },
            },
          },
          {
            Put: {
              TableName: this.db.table,
              Item: { ...keys.apiKeyHash(hash), type: 'apiKeyHash', tenant, keyId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            ConditionCheck: {
              TableName: this.db.table,
              Key: pick(keys.tenant(tenant)),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    return { id: keyId, tenant, name: name ?? null, createdAt, key };
  }

  /** Deletes a key; false when it does not exist in this tenant. */
  async deleteKey(tenant: string, keyId: string): Promise<boolean> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: keys.apiKey(tenant, keyId) }),
    );
    if (!res.Item) return false;
    await this.db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.db.table, Key: keys.apiKey(tenant, keyId) } },
          { Delete: { TableName: this.db.table, Key: keys.apiKeyHash(res.Item.hash as string) } },
        ],
      }),
    );
    return true;
  }

  /** Resolves a key digest to its tenant (the authorizer's lookup). */
  async resolveKeyHash(sha256: string): Promise<{ tenant: string; keyId: string } | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: keys.apiKeyHash(sha256), ConsistentRead: true }),
    );
    return res.Item ? { tenant: res.Item.tenant as string, keyId: res.Item.keyId as string } : null;
  }
}
