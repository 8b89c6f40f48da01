/**
 * Per-user sessions (`/v1/sessions`). The API writes what is wanted (created, refreshed, deleted); the
 * connector that owns the session's link logs the user in and out and records the outcome in `state`.
 *
 *   logging-in ─vendor accepted→ active ─vendor ended it→ ended
 *        └─vendor refused→ failed          └─expired / deleted→ (logged out, removed)
 *
 * A deleted session is first marked `deleteRequested` (hidden from the API) so that the owner logs the
 * user out before the record goes; an expired one is logged out and marked `ended` by the owner's
 * reconcile. Session credentials never live here (see `shared/secrets/sessions.ts`).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../db/client.js';
import { TTL_ATTRIBUTE } from '../db/table.js';
import {
  epochSeconds,
  getLive,
  newId,
  pick,
  queryAll,
  tenantTypePage,
  ttlIso,
  updateLive,
  type Item,
  type Page,
} from './common.js';
import { keys } from './keys.js';

export const SESSION_STATES = ['logging-in', 'active', 'failed', 'ended'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export type SessionFailure = 'refused' | 'not-supported';

export interface SessionRecord {
  id: string;
  tenant: string;
  link: string;
  user: string;
  /** The vendor's session options (not secret; the credentials live in the secret store). */
  options: Record<string, unknown>;
  ttlSeconds: number;
  expiresAt: string;
  createdAt: string;
  state: SessionState;
  /** Why the session is `failed` or `ended` (the vendor's cause); null otherwise. */
  reason: string | null;
  /** Why a `failed` session failed: the vendor refused the login, or has no per-user login. */
  cause: SessionFailure | null;
  /** When `state` last changed. */
  stateAt: string;
  /** DELETE was asked: hidden from the API, logged out and removed by the owning connector. */
  deleteRequested: boolean;
}

const toSession = (it: Item): SessionRecord => ({
  id: it.id as string,
  tenant: it.tenant as string,
  link: it.link as string,
  user: it.user as string,
  options: (it.options as Record<string, unknown> | undefined) ?? {},
  ttlSeconds: it.ttlSeconds as number,
  expiresAt: ttlIso(it)!,
  createdAt: it.createdAt as string,
  state: (it.state as SessionState | undefined) ?? 'logging-in',
  reason: (it.reason as string | undefined) ?? null,
  cause: (it.cause as SessionFailure | undefined) ?? null,
  stateAt: (it.stateAt as string | undefined) ?? (it.createdAt as string),
  deleteRequested: it.deleteRequested === true,
});

/** Whether the record is past its expiry at `now` (DynamoDB TTL deletes it later). */
export const sessionExpired = (s: SessionRecord, now: Date): boolean =>
  Date.parse(s.expiresAt) <= now.getTime();

/** A fresh session id (`ses_…`). */
export const newSessionId = (): string => newId('ses');

export class SessionRepo {
  constructor(private readonly db: Db) {}

  async create(
    input: {
      /** Chosen by the caller when something keyed by it must exist first (its credentials). */
      id?: string;
      tenant: string;
      link: string;
      user: string;
      ttlSeconds: number;
      options?: Record<string, unknown>;
    },
    now: Date,
  ): Promise<SessionRecord> {
    const id = input.id ?? newSessionId();
    const item = {
      ...keys.session(input.tenant, id),
      ...keys.sessionIndex(input.tenant, id, input.link),
      type: 'session',
      id,
      ...input,
      options: input.options ?? {},
      state: 'logging-in' satisfies SessionState,
      stateAt: now.toISOString(),
      createdAt: now.toISOString(),
      [TTL_ATTRIBUTE]: epochSeconds(now) + input.ttlSeconds,
    };
    await this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: item }));
    return toSession(item);
  }

  /** A live session as the API sees it: null when missing, expired or being deleted. */
  async get(tenant: string, id: string, now: Date): Promise<SessionRecord | null> {
    const it = await getLive(this.db, keys.session(tenant, id), now);
    const s = it ? toSession(it) : null;
    return s && !s.deleteRequested ? s : null;
  }

  /** The stored record whatever its expiry or deletion mark (the connector's view). */
  async read(tenant: string, id: string): Promise<SessionRecord | null> {
    const res = await this.db.doc.send(
      new GetCommand({ TableName: this.db.table, Key: pick(keys.session(tenant, id)), ConsistentRead: true }),
    );
    return res.Item ? toSession(res.Item) : null;
  }

  async list(
    tenant: string,
    opts: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<SessionRecord>> {
    const page = await tenantTypePage(
      this.db,
      tenant,
      { prefix: keys.prefix.session, name: 'sessions' },
      toSession,
      opts,
    );
    return { items: page.items.filter((s) => !s.deleteRequested), nextCursor: page.nextCursor };
  }

  /**
   * Every stored session of a link, expired and deletion-marked ones included (the owner's reconcile
   * ends and removes them). Reads the link index (eventually consistent).
   */
  async listByLink(tenant: string, link: string): Promise<SessionRecord[]> {
    const items = await queryAll(this.db, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :s)',
      ExpressionAttributeValues: {
        ':p': keys.sessionIndex(tenant, '', link).gsi1pk,
        ':s': keys.prefix.session,
      },
    });
    return items.map(toSession);
  }

  /**
   * The live sessions of one user on a link (not expired, not being deleted), each read again from the
   * table so its `state` is current: the link index finds them, but it is eventually consistent and a
   * session that turned `active` a moment ago may still read `logging-in` there. (A session created
   * within the index's propagation delay, usually well under a second, is not found at all yet.)
   */
  async liveOfUser(tenant: string, link: string, user: string, now: Date): Promise<SessionRecord[]> {
    const indexed = (await this.listByLink(tenant, link)).filter((s) => s.user === user);
    const current = await Promise.all(indexed.map((s) => this.read(tenant, s.id)));
    return current.filter(
      (s): s is SessionRecord => s !== null && !s.deleteRequested && !sessionExpired(s, now),
    );
  }

  /**
   * Extends a live session by `ttlSeconds` (default: its own ttl) from now. A session that is not
   * `active` goes back to `logging-in` (the owner logs it in again).
   */
  async refresh(
    tenant: string,
    id: string,
    ttlSeconds: number | undefined,
    now: Date,
  ): Promise<SessionRecord | null> {
    const current = await this.get(tenant, id, now);
    if (!current) return null;
    const ttl = ttlSeconds ?? current.ttlSeconds;
    const relogin = current.state !== 'active';
    const it = await updateLive(
      this.db,
      keys.session(tenant, id),
      {
        ttlSeconds: ttl,
        [TTL_ATTRIBUTE]: epochSeconds(now) + ttl,
        ...(relogin ? { state: 'logging-in', reason: null, cause: null, stateAt: now.toISOString() } : {}),
      },
      now,
    );
    return it ? toSession(it) : null;
  }

  /**
   * Records a login outcome (also on an expired record: the owner marks expired sessions `ended`).
   * Returns the record, or null when it is gone.
   */
  async setState(
    tenant: string,
    id: string,
    next: { state: SessionState; reason?: string | null; cause?: SessionFailure | null },
    now: Date,
  ): Promise<SessionRecord | null> {
    const it = await updateLive(
      this.db,
      keys.session(tenant, id),
      {
        state: next.state,
        reason: next.reason ?? null,
        cause: next.cause ?? null,
        stateAt: now.toISOString(),
      },
      new Date(0), // the owner also records the end of expired sessions
    );
    return it ? toSession(it) : null;
  }

  /** DELETE: hides the session from the API; the owner logs the user out and removes it. */
  async requestDelete(tenant: string, id: string, now: Date): Promise<SessionRecord | null> {
    if (!(await this.get(tenant, id, now))) return null;
    const it = await updateLive(this.db, keys.session(tenant, id), { deleteRequested: true }, now);
    return it ? toSession(it) : null;
  }

  /** Removes the record (after the logout, or at once when no connector owns the link). */
  async remove(tenant: string, id: string): Promise<void> {
    await this.db.doc.send(
      new DeleteCommand({ TableName: this.db.table, Key: pick(keys.session(tenant, id)) }),
    );
  }
}
