import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems } from '../../shared/http/problem.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'events',
    {
      listEvents: operation({ query: S.EventsQuery }, async ({ query: q, tenant, deps, now }) => {
        if (!(await deps.repos.links.get(tenant, q.link))) throw problems.notFound('link', 'link');
        const page = await deps.repos.events.list(tenant, q.link, {
          after: q.after,
          limit: q.limit ?? 100,
          cursor: q.cursor,
          now,
        });
        return { status: 200, body: page };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
