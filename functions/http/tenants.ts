import type { z } from 'zod';
import type * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems } from '../../shared/http/problem.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'tenants',
    {
      createTenant: async ({ body, deps, now }) => {
        const b = body as z.infer<typeof S.TenantCreate>;
        return { status: 201, body: await deps.repos.tenants.create(b.id, b.name, now) };
      },
      listTenants: async ({ query, deps, now }) => {
        const q = query as z.infer<typeof S.PageQuery>;
        return {
          status: 200,
          body: await deps.repos.tenants.list({ limit: q.limit ?? 50, cursor: q.cursor, now }),
        };
      },
      createTenantKey: async ({ params, body, deps, now }) => {
        const { tenant } = params as { tenant: string };
        if (!(await deps.repos.tenants.get(tenant))) throw problems.notFound('tenant', 'tenant');
        const b = body as z.infer<typeof S.KeyCreate>;
        return { status: 201, body: await deps.repos.tenants.createKey(tenant, b.name, now) };
      },
      deleteTenantKey: async ({ params, deps }) => {
        const { tenant, keyId } = params as { tenant: string; keyId: string };
        if (!(await deps.repos.tenants.deleteKey(tenant, keyId))) throw problems.notFound('key', 'keyId');
        return { status: 204 };
      },
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
