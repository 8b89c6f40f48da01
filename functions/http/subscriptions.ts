import { TTL } from '../../shared/api/schemas.js';
import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems } from '../../shared/http/problem.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

const view = ({ tenant: _t, ...rest }: SubscriptionRecord) => rest;

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'subscriptions',
    {
      createSubscription: operation(
        { body: S.SubscriptionCreate },
        async ({ body: b, tenant, deps, now }) => {
          const s = await deps.repos.subscriptions.create(
            {
              tenant,
              channel: b.channel,
              link: b.link,
              target: b.target,
              events: b.events,
              ttlSeconds: b.ttlSeconds ?? TTL.subscription.default,
            },
            now,
          );
          return { status: 201, body: view(s), headers: { location: `/v1/subscriptions/${s.id}` } };
        },
      ),
      listSubscriptions: operation(
        { query: S.SubscriptionQuery },
        async ({ query: q, tenant, deps, now }) => {
          const page = await deps.repos.subscriptions.list(tenant, {
            limit: q.limit ?? 50,
            cursor: q.cursor,
            channel: q.channel,
            now,
          });
          return { status: 200, body: { items: page.items.map(view), nextCursor: page.nextCursor } };
        },
      ),
      getSubscription: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const s = await deps.repos.subscriptions.get(tenant, params.id, now);
        if (!s) throw problems.notFound('subscription', 'id');
        return { status: 200, body: view(s) };
      }),
      updateSubscription: operation(
        { params: S.IdParams, body: S.SubscriptionPatch },
        async ({ params, body, tenant, deps, now }) => {
          const s = await deps.repos.subscriptions.update(tenant, params.id, body, now);
          if (!s) throw problems.notFound('subscription', 'id');
          return { status: 200, body: view(s) };
        },
      ),
      deleteSubscription: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        if (!(await deps.repos.subscriptions.delete(tenant, params.id, now)))
          throw problems.notFound('subscription', 'id');
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
