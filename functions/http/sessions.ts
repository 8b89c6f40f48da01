import type { z } from 'zod';
import { TTL } from '../../shared/api/schemas.js';
import type * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems } from '../../shared/http/problem.js';
import type { SessionRecord } from '../../shared/repos/sessions.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

const view = ({ tenant: _t, ...rest }: SessionRecord) => rest;

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'sessions',
    {
      createSession: async ({ body, tenant, deps, now }) => {
        const b = body as z.infer<typeof S.SessionCreate>;
        if (!(await deps.repos.links.get(tenant, b.link)))
          throw problems.unprocessable('no such link', 'link');
        const s = await deps.repos.sessions.create(
          { tenant, link: b.link, user: b.user, ttlSeconds: b.ttlSeconds ?? TTL.session.default },
          now,
        );
        return { status: 201, body: view(s), headers: { location: `/v1/sessions/${s.id}` } };
      },
      listSessions: async ({ query, tenant, deps, now }) => {
        const q = query as z.infer<typeof S.PageQuery>;
        const page = await deps.repos.sessions.list(tenant, { limit: q.limit ?? 50, cursor: q.cursor, now });
        return { status: 200, body: { items: page.items.map(view), nextCursor: page.nextCursor } };
      },
      getSession: async ({ params, tenant, deps, now }) => {
        const s = await deps.repos.sessions.get(tenant, (params as { id: string }).id, now);
        if (!s) throw problems.notFound('session', 'id');
        return { status: 200, body: view(s) };
      },
      refreshSession: async ({ params, body, tenant, deps, now }) => {
        const b = body as z.infer<typeof S.SessionRefresh>;
        const s = await deps.repos.sessions.refresh(tenant, (params as { id: string }).id, b.ttlSeconds, now);
        if (!s) throw problems.notFound('session', 'id');
        return { status: 200, body: view(s) };
      },
      deleteSession: async ({ params, tenant, deps, now }) => {
        if (!(await deps.repos.sessions.delete(tenant, (params as { id: string }).id, now)))
          throw problems.notFound('session', 'id');
        return { status: 204 };
      },
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
