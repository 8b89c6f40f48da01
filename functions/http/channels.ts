import type { z } from 'zod';
import { generateToken, generateWebhookSecret } from '../../shared/auth/keys.js';
import { TTL } from '../../shared/api/schemas.js';
import type * as S from '../../shared/api/schemas.js';
import type { Deps } from '../../shared/deps.js';
import { problems, Problem } from '../../shared/http/problem.js';
import type { ChannelRecord } from '../../shared/repos/channels.js';
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
    ...(c.type === 'websocket' ? { connectionId: c.connectionId } : {}),
    ttlSeconds: c.ttlSeconds,
    expiresAt: c.expiresAt,
    createdAt: c.createdAt,
  };
}

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
      createChannel: async ({ body, tenant, deps, now }) => {
        const b = body as z.infer<typeof S.ChannelCreate>;
        const ttlSeconds = b.ttlSeconds ?? TTL.channel.default;
        const ws = deps.config.websocketUrl;
        if (b.type === 'websocket') {
          const { token, hash } = generateToken();
          const c = await deps.repos.channels.create({ tenant, type: 'websocket', ttlSeconds, tokenHash: hash }, now);
          return {
            status: 201,
            body: { ...view(c, ws), url: websocketUrl(ws, c, token), token },
            headers: { location: `/v1/channels/${c.id}` },
          };
        }
        const url = checkWebhookUrl(b.url, deps.config.webhookSchemes);
        const secret = b.secret ?? generateWebhookSecret();
        const c = await deps.repos.channels.create({ tenant, type: 'webhook', ttlSeconds, url, secret }, now);
        return { status: 201, body: { ...view(c, ws), secret }, headers: { location: `/v1/channels/${c.id}` } };
      },
      listChannels: async ({ query, tenant, deps, now }) => {
        const q = query as z.infer<typeof S.PageQuery>;
        const page = await deps.repos.channels.list(tenant, { limit: q.limit ?? 50, cursor: q.cursor, now });
        return {
          status: 200,
          body: { items: page.items.map((c) => view(c, deps.config.websocketUrl)), nextCursor: page.nextCursor },
        };
      },
      getChannel: async ({ params, tenant, deps, now }) => {
        const c = await deps.repos.channels.get(tenant, (params as { id: string }).id, now);
        if (!c) throw problems.notFound('channel', 'id');
        return { status: 200, body: view(c, deps.config.websocketUrl) };
      },
      updateChannel: async ({ params, body, tenant, deps, now }) => {
        const b = body as z.infer<typeof S.ChannelPatch>;
        const c = await deps.repos.channels.extend(tenant, (params as { id: string }).id, b.ttlSeconds, now);
        if (!c) throw problems.notFound('channel', 'id');
        return { status: 200, body: view(c, deps.config.websocketUrl) };
      },
      deleteChannel: async ({ params, tenant, deps, now }) => {
        const id = (params as { id: string }).id;
        const c = await deps.repos.channels.delete(tenant, id, now);
        if (!c) throw problems.notFound('channel', 'id');
        const ended = await deps.repos.subscriptions.deleteByChannel(tenant, id);
        deps.logger.info('channel deleted', { tenant, channel: id, subscriptionsEnded: ended });
        return { status: 204 };
      },
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
