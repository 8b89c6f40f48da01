import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import { deleteLive, epochSeconds, getLive, queryAll, type Item } from './common.js';
import { keys } from './keys.js';

/** API Gateway closes a WebSocket connection after 2 hours; the item lives a little longer. */
const CONNECTION_TTL_SECONDS = 2 * 3600 + 300;

export interface ConnectionRecord {
  connectionId: string;
  tenant: string;
  channel: string;
  connectedAt: string;
}

/** Maps a live WebSocket connection id back to its tenant and channel ($disconnect, $default). */
const toConnection = (it: Item): ConnectionRecord => ({
  connectionId: (it.pk as string).slice('CONN#'.length),
  tenant: it.tenant as string,
  channel: it.channel as string,
  connectedAt: it.connectedAt as string,
});

export class ConnectionRepo {
  constructor(private readonly db: Db) {}

  async put(rec: ConnectionRecord, now: Date): Promise<void> {
    await this.db.doc.send(
      new PutCommand({
        TableName: this.db.table,
        Item: {
          ...keys.connection(rec.connectionId),
          ...keys.connectionIndex(rec.tenant, rec.channel, rec.connectionId),
          type: 'connection',
          ...rec,
          [TTL_ATTRIBUTE]: epochSeconds(now) + CONNECTION_TTL_SECONDS,
        },
      }),
    );
  }

  async get(connectionId: string, now: Date): Promise<ConnectionRecord | null> {
    const it = await getLive(this.db, keys.connection(connectionId), now);
    return it ? toConnection(it) : null;
  }

  /** Every live connection (index gsi1, eventually consistent): the delivery service's discovery. */
  async listAll(now: Date): Promise<ConnectionRecord[]> {
    const items = await queryAll(
      this.db,
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'CONNS' },
      },
      now,
    );
    return items.map(toConnection);
  }

  async delete(connectionId: string, now: Date): Promise<ConnectionRecord | null> {
    const it = await deleteLive(this.db, keys.connection(connectionId), now);
    return it ? toConnection(it) : null;
  }
}
