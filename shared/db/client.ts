import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  DescribeTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, TTL_ATTRIBUTE } from './table.js';
import { sdkLogger } from '../sdk-logger.js';

/** The table handle every repository takes: a document client and the table name. */
export interface Db {
  doc: DynamoDBDocumentClient;
  table: string;
}

export function createDb(opts: { table: string; region?: string; endpoint?: string }): Db {
  const client = new DynamoDBClient({
    region: opts.region ?? 'us-east-1',
    // No call may hang forever: a stalled request is retried (SDK default: 3 attempts) instead.
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000 },
    logger: sdkLogger,
    ...(opts.endpoint
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { doc, table: opts.table };
}

/** Creates the table with its indexes and TTL; a no-op when it already exists (idempotent). */
export async function ensureTable(db: Db): Promise<void> {
  try {
    await db.doc.send(new CreateTableCommand(createTableInput(db.table)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const d = await db.doc.send(new DescribeTableCommand({ TableName: db.table }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await db.doc.send(
      new UpdateTimeToLiveCommand({
        TableName: db.table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (err) {
    // Already enabled on this attribute.
    if (!(err instanceof Error && /already enabled|TimeToLive is already/i.test(err.message))) throw err;
  }
}
