/**
 * Subscriptions: which events of a target on a link go to a channel.
 *
 * Some vendors send a user's events only while that user is logged in through a session of the bridge
 * (the vendor manifest's `sessions.requiredForUserTargets`, e.g. BroadWorks CAP-C, where a user's
 * traffic flows on that user's own login). A subscription to such a user without an `active` session
 * would be accepted and then stay silent, so it is refused with 409 `session-required` instead, saying
 * how to open the session. The rule is checked when the subscription is created: a session that ends
 * later leaves the subscription in place (its events stop until the session is active again, which
 * `GET /v1/sessions/{id}` shows).
 */
import type { z } from 'zod';
import { TTL } from '../../shared/api/schemas.js';
import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { Problem, problems } from '../../shared/http/problem.js';
import type { SessionRecord } from '../../shared/repos/sessions.js';
import type { SubscriptionRecord } from '../../shared/repos/subscriptions.js';
import { syncSubscriptions } from '../../shared/subscriptions/sync.js';
import { manifestOf } from '../../vendors/index.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

const view = ({ tenant: _t, ...rest }: SubscriptionRecord) => rest;

/**
 * 409: the user has no `active` session on a link whose vendor needs one for the user's events.
 * `session` names the user's most recent session on the link when there is one (not `active`).
 */
export function sessionRequired(
  link: { id: string; vendor: string },
  user: string,
  latest: SessionRecord | undefined,
): Problem {
  const which = latest ? ` (session ${latest.id} is ${latest.state})` : '';
  const detail =
    `user ${user} has no active session on link ${link.id}${which}: ${link.vendor} sends a user's events ` +
    `only while the user is logged in. Open one with POST /v1/sessions (link "${link.id}", user ` +
    `"${user}") and subscribe once its state is active.`;
  return new Problem(409, 'Session Required', detail, {
    type: 'urn:cti-bridge:problem:session-required',
    vendor: link.vendor,
    link: link.id,
    user,
    ...(latest
      ? { session: { id: latest.id, state: latest.state, location: `/v1/sessions/${latest.id}` } }
      : {}),
    errors: [{ pointer: '#/target/id', field: 'target.id', detail: `no active session on ${link.id}` }],
  });
}

/** 422: the link's vendor delivers no events for this target type (its manifest's `targets`). */
export function unsupportedTarget(
  link: { id: string; vendor: string },
  type: string,
  supported: readonly string[],
): Problem {
  const detail = `${link.vendor} links have no ${type} targets (link ${link.id} takes ${supported.join(', ')})`;
  return new Problem(422, 'Unprocessable Content', detail, {
    type: 'urn:cti-bridge:problem:unsupported-target',
    vendor: link.vendor,
    link: link.id,
    errors: [{ pointer: '#/target/type', field: 'target.type', detail }],
  });
}

/**
 * Refuses a target the link's vendor has no events for (422), and (409) a user target that needs an
 * `active` session and has none. A missing link is left to the subscription's own reference check (422).
 */
async function checkTarget(
  deps: Deps,
  tenant: string,
  body: z.output<typeof S.SubscriptionCreate>,
  now: Date,
): Promise<void> {
  const link = await deps.repos.links.get(tenant, body.link);
  if (!link) return;
  const manifest = manifestOf(link.vendor);
  if (manifest?.targets && !manifest.targets.includes(body.target.type))
    throw unsupportedTarget(link, body.target.type, manifest.targets);
  if (body.target.type !== 'user' || !body.target.id) return;
  if (!manifest?.sessions?.requiredForUserTargets?.(link.options)) return;
  const sessions = await deps.repos.sessions.liveOfUser(tenant, body.link, body.target.id, now);
  if (sessions.some((s) => s.state === 'active')) return;
  const latest = sessions.sort((a, b) => b.stateAt.localeCompare(a.stateAt))[0];
  throw sessionRequired(link, body.target.id, latest);
}

/**
 * Has the link's owner apply its subscriptions now (in force when the API answers) and reads the
 * subscription back: its `state` then says what the vendor did (`active`, `failed`, or `pending`).
 */
async function applyNow(deps: Deps, s: SubscriptionRecord, now: Date): Promise<SubscriptionRecord> {
  await syncSubscriptions(deps, s.tenant, s.link);
  return (await deps.repos.subscriptions.get(s.tenant, s.id, now)) ?? s;
}

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'subscriptions',
    {
      createSubscription: operation(
        { body: S.SubscriptionCreate },
        async ({ body: b, tenant, deps, now }) => {
          await checkTarget(deps, tenant, b, now);
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
          const applied = await applyNow(deps, s, now);
          return { status: 201, body: view(applied), headers: { location: `/v1/subscriptions/${s.id}` } };
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
          return { status: 200, body: view(body.events ? await applyNow(deps, s, now) : s) };
        },
      ),
      deleteSubscription: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const s = await deps.repos.subscriptions.get(tenant, params.id, now);
        if (!s || !(await deps.repos.subscriptions.delete(tenant, params.id, now)))
          throw problems.notFound('subscription', 'id');
        await syncSubscriptions(deps, tenant, s.link); // no event of it is matched after 204
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
