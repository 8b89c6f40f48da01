import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../db/table.js';
import type { Db } from '../db/client.js';
import { epochSeconds, isConditionalFailure, queryAll } from './common.js';
import { keys } from './keys.js';

/** A running connector as its peers see it (`LeaseRepo.announce`). */
export interface ConnectorPresence {
  id: string;
  /** Links it runs. */
  links: number;
  expiresAtMs: number;
}

export interface Lease {
  tenant: string;
  link: string;
  owner: string;
  /** Where the owner accepts commands for this link (private address). */
  endpoint: string;
  /** Where the owner accepts inbound vendor callbacks forwarded by other connectors (when it listens). */
  callbackEndpoint?: string;
  expiresAtMs: number;
  acquiredAt: string;
}

/**
 * Link ownership: exactly one connector owns a link at a time. Acquire is a conditional put (free,
 * expired, or already ours); renew and release are conditional on still being the owner.
 */
export class LeaseRepo {
  constructor(private readonly db: Db) {}

  async acquire(l: Omit<Lease, 'acquiredAt'>, nowMs: number): Promise<boolean> {
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.table,
          Item: {
            ...keys.lease(l.tenant, l.link),
            type: 'lease',
            ...l,
            acquiredAt: new Date(nowMs).toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAtMs < :now OR #owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': nowMs, ':me': l.owner },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async renew(tenant: string, link: string, owner: string, expiresAtMs: number): Promise<boolean> {
    try {
      await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.table,
          Key: keys.lease(tenant, link),
          UpdateExpression: 'SET expiresAtMs = :exp',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':exp': expiresAtMs, ':me': owner },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async release(tenant: string, link: string, owner: string): Promise<void> {
    try {
      await this.db.doc.send(
        new DeleteCommand({
          TableName: this.db.table,
          Key: keys.lease(tenant, link),
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': owner },
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }

  /** The current, unexpired lease of a link (the API uses it to find the owner's command endpoint). */
  async get(tenant: string, link: string, nowMs: number): Promise<Lease | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: keys.lease(tenant, link), ConsistentRead: true }),
    );
    const it = res.Item;
    if (!it || (it.expiresAtMs as number) < nowMs) return null;
    return {
      tenant,
      link,
      owner: it.owner as string,
      endpoint: it.endpoint as string,
      ...(typeof it.callbackEndpoint === 'string' ? { callbackEndpoint: it.callbackEndpoint } : {}),
      expiresAtMs: it.expiresAtMs as number,
      acquiredAt: it.acquiredAt as string,
    };
  }

  /**
   * Announces a running connector and how many links it runs, until `expiresAtMs` (renewed at every
   * reconcile). Peers divide the links by the connectors announced.
   */
  async announce(id: string, links: number, expiresAtMs: number): Promise<void> {
    await this.db.doc.send(
      new PutCommand({
        TableName: this.db.table,
        Item: {
          ...keys.connectorPresence(id),
          type: 'connector',
          id,
          links,
          expiresAtMs,
          // removed by TTL a day after it lapsed (readers ignore it once expired)
          [TTL_ATTRIBUTE]: epochSeconds(new Date(expiresAtMs)) + 86_400,
        },
      }),
    );
  }

  /** The connectors announced and not expired at `nowMs`. */
  async connectors(nowMs: number): Promise<ConnectorPresence[]> {
    const items = await queryAll(this.db, {
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.connectorPresence('').pk },
      ConsistentRead: true,
    });
    return items
      .filter((it) => (it.expiresAtMs as number) > nowMs)
      .map((it) => ({
        id: it.id as string,
        links: it.links as number,
        expiresAtMs: it.expiresAtMs as number,
      }));
  }

  /** Withdraws a connector's announcement (it stops). */
  async withdraw(id: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.connectorPresence(id) }));
  }
}
