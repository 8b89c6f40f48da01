import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  deleteLive,
  epochSeconds,
  getLive,
  newId,
  tenantTypePage,
  ttlIso,
  updateLive,
  type Item,
  type Page,
} from './common.js';
import { keys } from './keys.js';

export interface SessionRecord {
  id: string;
  tenant: string;
  link: string;
  user: string;
  ttlSeconds: number;
  expiresAt: string;
  createdAt: string;
}

const toSession = (it: Item): SessionRecord => ({
  id: it.id as string,
  tenant: it.tenant as string,
  link: it.link as string,
  user: it.user as string,
  ttlSeconds: it.ttlSeconds as number,
  expiresAt: ttlIso(it)!,
  createdAt: it.createdAt as string,
});

export class SessionRepo {
  constructor(private readonly db: Db) {}

  async create(
    input: { tenant: string; link: string; user: string; ttlSeconds: number },
    now: Date,
  ): Promise<SessionRecord> {
    const id = newId('ses');
    const item = {
      ...keys.session(input.tenant, id),
      ...keys.sessionIndex(input.tenant, id, input.link),
      type: 'session',
      id,
      ...input,
      createdAt: now.toISOString(),
      [TTL_ATTRIBUTE]: epochSeconds(now) + input.ttlSeconds,
    };
    await this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: item }));
    return toSession(item);
  }

  async get(tenant: string, id: string, now: Date): Promise<SessionRecord | null> {
    const it = await getLive(this.db, keys.session(tenant, id), now);
    return it ? toSession(it) : null;
  }

  async list(
    tenant: string,
    opts: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<SessionRecord>> {
    return tenantTypePage(
      this.db,
      tenant,
      { prefix: keys.prefix.session, name: 'sessions' },
      toSession,
      opts,
    );
  }

  /** Extends a live session by `ttlSeconds` (default: its own ttl) from now. */
  async refresh(
    tenant: string,
    id: string,
    ttlSeconds: number | undefined,
    now: Date,
  ): Promise<SessionRecord | null> {
    const current = await this.get(tenant, id, now);
    if (!current) return null;
    const ttl = ttlSeconds ?? current.ttlSeconds;
    const it = await updateLive(
      this.db,
      keys.session(tenant, id),
      { ttlSeconds: ttl, [TTL_ATTRIBUTE]: epochSeconds(now) + ttl },
      now,
    );
    return it ? toSession(it) : null;
  }

  async delete(tenant: string, id: string, now: Date): Promise<boolean> {
    return Boolean(await deleteLive(this.db, keys.session(tenant, id), now));
  }
}
