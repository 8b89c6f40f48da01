import { generateToken, generateWebhookSecret } from '../../shared/auth/keys.js';
import { TTL } from '../../shared/api/schemas.js';
import * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems, Problem } from '../../shared/http/problem.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
import type { FrameRef } from '../../shared/repos/channel-log.js';
import type { DeliveryRecord } from '../../shared/repos/deliveries.js';
import { latestSuccesses } from '../../shared/channels/latest-successes.js';
import { matches, orderKeyOf } from '../../shared/events/matching.js';
import { operation } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

/** The WebSocket URL a client opens: the stage URL with tenant, channel and (on creation only) token. */
export function websocketUrl(base: string, c: { tenant: string; id: string }, token?: string): string {
  const u = new URL(base);
  u.searchParams.set('tenant', c.tenant);
  u.searchParams.set('channel', c.id);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

function view(c: ChannelRecord, wsBase: string) {
  return {
    id: c.id,
    type: c.type,
    url: c.type === 'websocket' ? websocketUrl(wsBase, c) : c.url!,
    ...(c.type === 'websocket' ? { connectionId: c.connectionId, framing: c.framing } : {}),
    ttlSeconds: c.ttlSeconds,
    expiresAt: c.expiresAt,
    createdAt: c.createdAt,
    status: c.status,
    ...(c.type === 'webhook' ? { disabledReason: c.disabledReason, routing: c.routing } : {}),
  };
}

/** How long the secret before a rotation keeps signing (both signatures are sent meanwhile). */
export const SECRET_ROTATION_GRACE_SECONDS = 86_400;

function deliveryView(d: DeliveryRecord, status = d.status) {
  return {
    seq: d.seq,
    eventId: d.eventId,
    eventType: d.eventType,
    link: d.link,
    eventSeq: d.eventSeq,
    status,
    attempts: d.attempts,
    attemptCount: d.attemptCount,
    nextAttemptAt: status === 'pending' ? d.nextAttemptAt : null,
    createdAt: d.createdAt,
    settledAt: d.settledAt,
  };
}

/** A WebSocket frame as a delivery: no attempts (the client's `ack` settles it). */
function frameView(f: FrameRef, status: 'delivered' | 'pending') {
  return {
    seq: f.seq,
    eventId: f.eventId,
    eventType: f.eventType,
    link: f.link,
    eventSeq: f.eventSeq,
    status,
    attempts: [],
    attemptCount: 0,
    nextAttemptAt: null,
    createdAt: f.createdAt,
    settledAt: null,
  };
}

const webhookOnly = (detail: string) =>
  new Problem(409, 'Conflict', detail, { type: 'urn:cti-bridge:problem:conflict' });

function checkWebhookUrl(raw: string, schemes: string[]): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw urlProblem('must be an absolute URL');
  }
  if (!schemes.includes(u.protocol.replace(':', '')))
    throw urlProblem(`scheme must be ${schemes.join(' or ')} (got ${u.protocol.replace(':', '')})`);
  if (!u.hostname) throw urlProblem('must have a host');
  if (u.username || u.password) throw urlProblem('must not carry credentials; use the signing secret');
  return u.toString();
}

const urlProblem = (detail: string) =>
  new Problem(400, 'Request validation failed', `url: ${detail}`, {
    type: 'urn:cti-bridge:problem:validation',
    errors: [{ pointer: '#/url', field: 'url', detail }],
  });

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'channels',
    {
      createChannel: operation({ body: S.ChannelCreate }, async ({ body: b, tenant, deps, now }) => {
        const ttlSeconds = b.ttlSeconds ?? TTL.channel.default;
        const ws = deps.config.websocketUrl;
        if (b.type === 'websocket') {
          const { token, hash } = generateToken();
          const c = await deps.repos.channels.create(
            {
              tenant,
              type: 'websocket',
              ttlSeconds,
              tokenHash: hash,
              ...(b.framing === 'batch' ? { framing: 'batch' as const } : {}),
            },
            now,
          );
          return {
            status: 201,
            body: { ...view(c, ws), url: websocketUrl(ws, c, token), token },
            headers: { location: `/v1/channels/${c.id}` },
          };
        }
        const url = checkWebhookUrl(b.url, deps.config.webhookSchemes);
        const secret = b.secret ?? generateWebhookSecret();
        const c = await deps.repos.channels.create(
          { tenant, type: 'webhook', ttlSeconds, url, secret, ...(b.routing ? { routing: true } : {}) },
          now,
        );
        return {
          status: 201,
          body: { ...view(c, ws), secret },
          headers: { location: `/v1/channels/${c.id}` },
        };
      }),
      listChannels: operation({ query: S.PageQuery }, async ({ query: q, tenant, deps, now }) => {
        const page = await deps.repos.channels.list(tenant, { limit: q.limit ?? 50, cursor: q.cursor, now });
        return {
          status: 200,
          body: {
            items: page.items.map((c) => view(c, deps.config.websocketUrl)),
            nextCursor: page.nextCursor,
          },
        };
      }),
      getChannel: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const c = await deps.repos.channels.get(tenant, params.id, now);
        if (!c) throw problems.notFound('channel', 'id');
        return { status: 200, body: view(c, deps.config.websocketUrl) };
      }),
      updateChannel: operation(
        { params: S.IdParams, body: S.ChannelPatch },
        async ({ params, body: b, tenant, deps, now }) => {
          const c = await deps.repos.channels.extend(tenant, params.id, b.ttlSeconds, now);
          if (!c) throw problems.notFound('channel', 'id');
          return { status: 200, body: view(c, deps.config.websocketUrl) };
        },
      ),
      rotateChannelSecret: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const id = params.id;
        const c = await deps.repos.channels.get(tenant, id, now);
        if (!c) throw problems.notFound('channel', 'id');
        if (c.type !== 'webhook') throw webhookOnly('only webhook channels have a signing secret');
        const secret = generateWebhookSecret();
        const until = new Date(now.getTime() + SECRET_ROTATION_GRACE_SECONDS * 1000);
        if (!(await deps.repos.channels.rotateSecret(tenant, id, secret, until, now)))
          throw problems.notFound('channel', 'id');
        deps.logger.info('webhook secret rotated', { tenant, channel: id });
        return { status: 200, body: { secret, previousSecretValidUntil: until.toISOString() } };
      }),
      listChannelDeliveries: operation(
        { params: S.IdParams, query: S.DeliveriesQuery },
        async ({ params, query: q, tenant, deps, now }) => {
          const id = params.id;
          const c = await deps.repos.channels.get(tenant, id, now);
          if (!c) throw problems.notFound('channel', 'id');
          const repo = deps.repos.deliveries;
          if (c.type === 'webhook') {
            // First-attempt successes are stored on a budget: the link owners add what they hold.
            const fresh =
              !q.status || q.status === 'delivered' ? await latestSuccesses(deps, tenant, id) : [];
            const page = await repo.list(tenant, id, {
              status: q.status,
              limit: q.limit ?? 50,
              cursor: q.cursor,
              now,
              fresh,
            });
            return {
              status: 200,
              body: { items: page.items.map((d) => deliveryView(d)), nextCursor: page.nextCursor },
            };
          }
          // WebSocket: the channel's log; a frame is delivered once the client acked its seq.
          const acked = (await repo.getState(tenant, id)).acked;
          const page = await deps.repos.channelLog.page(tenant, id, {
            limit: q.limit ?? 50,
            cursor: q.cursor,
            now,
          });
          const items = page.items
            .map((f) => frameView(f, f.seq <= acked ? 'delivered' : 'pending'))
            .filter((d) => !q.status || d.status === q.status);
          return { status: 200, body: { items, nextCursor: page.nextCursor } };
        },
      ),
      replayChannel: operation(
        { params: S.IdParams, body: S.ReplayBody },
        async ({ params, body: b, tenant, deps, now }) => {
          const id = params.id;
          const c = await deps.repos.channels.get(tenant, id, now);
          if (!c) throw problems.notFound('channel', 'id');
          if (c.type !== 'webhook')
            throw webhookOnly(
              'replay is for webhook channels; WebSocket clients send {"action":"resume","after":N}',
            );
          const subs = await deps.repos.subscriptions.listByChannel(tenant, id, now);
          const links = [...new Set(subs.map((s) => s.link))].sort();
          const repo = deps.repos.deliveries;
          const limit = b.limit ?? 1000;
          let queued = 0;
          let truncated = false;
          const result: { link: string; lastSeq: number | null }[] = [];
          if (links.length) await repo.touchWork(tenant, id, Date.now());
          for (const link of links) {
            let lastSeq: number | null = null;
            let cursor: string | undefined;
            do {
              if (queued >= limit) {
                truncated = true;
                break;
              }
              const page = await deps.repos.events.list(tenant, link, {
                after: b.after,
                limit: 100,
                cursor,
                now,
              });
              for (const ev of page.items) {
                if (queued >= limit) {
                  truncated = true;
                  break;
                }
                lastSeq = ev.seq;
                if (!subs.some((s) => matches(s, ev))) continue;
                const { seq } = await repo.allocSeq(tenant, id);
                await repo.create(
                  {
                    tenant,
                    channel: id,
                    seq,
                    channelType: 'webhook',
                    eventId: ev.id,
                    eventType: ev.type,
                    link,
                    eventSeq: ev.seq,
                    orderKey: orderKeyOf(ev),
                    nextAttemptAt: now.toISOString(),
                    createdAt: now.toISOString(),
                  },
                  deps.config.eventTtlDays,
                  now,
                );
                queued++;
              }
              cursor = page.nextCursor ?? undefined;
            } while (cursor);
            result.push({ link, lastSeq });
          }
          deps.logger.info('channel replay queued', { tenant, channel: id, after: b.after, queued });
          return { status: 202, body: { queued, links: result, truncated } };
        },
      ),
      deleteChannel: operation({ params: S.IdParams }, async ({ params, tenant, deps, now }) => {
        const id = params.id;
        const c = await deps.repos.channels.delete(tenant, id, now);
        if (!c) throw problems.notFound('channel', 'id');
        const ended = await deps.repos.subscriptions.deleteByChannel(tenant, id);
        deps.logger.info('channel deleted', { tenant, channel: id, subscriptionsEnded: ended });
        return { status: 204 };
      }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
