import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems } from '../../shared/http/problem.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'tenants',
    {
      createTenant: operation({ body: S.TenantCreate }, async ({ body: b, deps, now }) => {
        return { status: 201, body: await deps.repos.tenants.create(b.id, b.name, now) };
      }),
      listTenants: operation({ query: S.PageQuery }, async ({ query: q, deps, now }) => {
        return {
          status: 200,
          body: await deps.repos.tenants.list({ limit: q.limit ?? 50, cursor: q.cursor, now }),
        };
      }),
      createTenantKey: operation(
        { params: S.TenantParams, body: S.KeyCreate },
        async ({ params, body: b, deps, now }) => {
          const { tenant } = params;
          if (!(await deps.repos.tenants.get(tenant))) throw problems.notFound('tenant', 'tenant');
          return { status: 201, body: await deps.repos.tenants.createKey(tenant, b.name, now) };
        },
      ),
      deleteTenantKey: operation({ params: S.KeyParams }, async ({ params, deps }) => {
        const { tenant, keyId } = params;
        if (!(await deps.repos.tenants.deleteKey(tenant, keyId))) throw problems.notFound('key', 'keyId');
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
