/**
 * Per-user sessions. The record says what is wanted; the connector that owns the link logs the user in
 * and out (`shared/sessions/sync.ts`), so `POST /v1/sessions` answers with the vendor's outcome:
 *
 * - 201 `active`: the vendor accepted the login;
 * - 201 `logging-in`: no connector owns the link right now (or it did not answer, or the link is down):
 *   the owner logs the user in when it has the link up;
 * - 422 `session-refused`: the vendor refused the login, naming its cause; the session stays, `failed`;
 * - 501 `sessions-not-supported`: the link's vendor has no per-user login; no session is kept.
 *
 * Credentials are validated against the vendor manifest's `sessions` schemas and stored in the secret
 * store (one entry per session), never in the table, never returned, never logged.
 */
import type { z } from 'zod';
import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { checkBodyField, Problem, problems } from '../../shared/http/problem.js';
import { newSessionId, type SessionRecord } from '../../shared/repos/sessions.js';
import { sessionSecrets } from '../../shared/secrets/sessions.js';
import { syncSession } from '../../shared/sessions/sync.js';
import { manifestOf } from '../../vendors/index.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

/** The public view: never the tenant, never the deletion mark (credentials are not in the record). */
export const sessionView = ({ tenant: _t, deleteRequested: _d, cause: _c, ...rest }: SessionRecord) => rest;

const problemType = (name: string) => `urn:cti-bridge:problem:${name}`;

/** 501: the vendor has no per-user login. */
export function sessionsNotSupported(vendor: string): Problem {
  const detail = `${vendor} has no per-user login: sessions cannot be opened on its links`;
  return new Problem(501, 'Not Implemented', detail, {
    type: problemType('sessions-not-supported'),
    vendor,
    errors: [{ pointer: '#/link', field: 'link', detail }],
  });
}

/** 422: the vendor refused the login; `reason` is its cause. The session stays, `failed`. */
export function sessionRefused(s: SessionRecord, vendor: string, reason: string): Problem {
  const detail = `${vendor} refused the login of ${s.user}: ${reason}`;
  return new Problem(422, 'Session Refused', detail, {
    type: problemType('session-refused'),
    reason,
    vendor,
    session: { id: s.id, state: 'failed', location: `/v1/sessions/${s.id}` },
    errors: [{ pointer: '#/credentials', field: 'credentials', detail: reason }],
  });
}

/** The session's credentials and options, checked against the vendor's `sessions` schemas. */
function loginOf(vendor: string, body: z.infer<typeof S.SessionCreate>) {
  const spec = manifestOf(vendor)?.sessions;
  if (!spec) {
    // A vendor without per-user login takes no login: the driver alone says whether it has sessions.
    if (body.credentials !== undefined || body.options !== undefined) throw sessionsNotSupported(vendor);
    return { credentials: {}, options: {} };
  }
  return {
    credentials: checkBodyField(spec.credentials, body.credentials ?? {}, 'credentials') as Record<
      string,
      string
    >,
    options: spec.options
      ? (checkBodyField(spec.options, body.options ?? {}, 'options') as Record<string, unknown>)
      : {},
  };
}

/** Removes a session record and its credentials. */
async function removeSession(deps: Deps, tenant: string, id: string): Promise<void> {
  await deps.repos.sessions.remove(tenant, id);
  await sessionSecrets(deps.secrets).delete(tenant, id);
}

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'sessions',
    {
      createSession: operation({ body: S.SessionCreate }, async ({ body, tenant, deps, now }) => {
        const link = await deps.repos.links.get(tenant, body.link);
        if (!link) throw problems.unprocessable('no such link', 'link');
        const login = loginOf(link.vendor, body);
        // credentials first: the connector's reconcile may log in a session the moment its record exists
        const id = newSessionId();
        const secrets = sessionSecrets(deps.secrets);
        if (Object.keys(login.credentials).length) await secrets.put(tenant, id, login.credentials);
        let created;
        try {
          created = await deps.repos.sessions.create(
            {
              id,
              tenant,
              link: body.link,
              user: body.user,
              ttlSeconds: body.ttlSeconds ?? S.TTL.session.default,
              options: login.options,
            },
            now,
          );
        } catch (err) {
          await secrets.delete(tenant, id).catch(() => undefined);
          throw err;
        }
        const synced = await syncSession(deps, tenant, body.link, created.id);
        if (synced.kind === 'unreachable')
          deps.logger.warn('session sync: connector did not answer', {
            tenant,
            session: created.id,
            detail: synced.detail,
          });
        if (synced.kind === 'answered') {
          const { answer } = synced;
          if (answer.cause === 'not-supported') {
            await removeSession(deps, tenant, created.id);
            throw sessionsNotSupported(link.vendor);
          }
          if (answer.cause === 'refused')
            throw sessionRefused(created, link.vendor, answer.reason ?? 'refused');
        }
        const s = (await deps.repos.sessions.get(tenant, created.id, deps.now())) ?? created;
        deps.logger.info('session created', { tenant, session: s.id, link: s.link, state: s.state });
        return { status: 201, body: sessionView(s), headers: { location: `/v1/sessions/${s.id}` } };
      }),
      listSessions: operation({ query: S.PageQuery }, async ({ query: q, tenant, deps, now }) => {
        const page = await deps.repos.sessions.list(tenant, { limit: q.limit ?? 50, cursor: q.cursor, now });
        return { status: 200, body: { items: page.items.map(sessionView), nextCursor: page.nextCursor } };
      }),
      getSession: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const s = await deps.repos.sessions.get(tenant, params.id, now);
        if (!s) throw problems.notFound('session', 'id');
        return { status: 200, body: sessionView(s) };
      }),
      refreshSession: operation(
        { params: S.IdParams, body: S.SessionRefresh },
        async ({ params, body, tenant, deps, now }) => {
          const s = await deps.repos.sessions.refresh(tenant, params.id, body.ttlSeconds, now);
          if (!s) throw problems.notFound('session', 'id');
          if (s.state !== 'logging-in') return { status: 200, body: sessionView(s) };
          await syncSession(deps, tenant, s.link, s.id); // logs it in again; the record says how it went
          return {
            status: 200,
            body: sessionView((await deps.repos.sessions.get(tenant, s.id, deps.now())) ?? s),
          };
        },
      ),
      deleteSession: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const s = await deps.repos.sessions.requestDelete(tenant, params.id, now);
        if (!s) throw problems.notFound('session', 'id');
        const synced = await syncSession(deps, tenant, s.link, s.id);
        // No owner: nobody is logged in. Unreachable owner: its reconcile logs out and removes it.
        if (synced.kind === 'no-owner') await removeSession(deps, tenant, s.id);
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
