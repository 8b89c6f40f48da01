/** Test helpers: a local stack on free ports against the run's DynamoDB Local, with its own table. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startStack, type LocalStack, type StackOptions } from '../../local/stack.js';
import { keys } from '../../shared/repos/keys.js';

export async function testStack(opts: StackOptions = {}): Promise<LocalStack> {
  return startStack({
    httpPort: 0,
    wsPort: 0,
    dataDir: 'memory',
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `t-${randomBytes(6).toString('hex')}`,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'SILENT',
    connector: false,
    ...opts,
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny client bound to one stack and one key. */
export function api(stack: { httpUrl: string }, key?: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T } satisfies ApiResponse<T>;
  };
  return {
    get: <T = any>(p: string) => call<T>('GET', p),
    post: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>('POST', p, b ?? {}, h),
    put: <T = any>(p: string, b?: unknown) => call<T>('PUT', p, b ?? {}),
    patch: <T = any>(p: string, b?: unknown) => call<T>('PATCH', p, b ?? {}),
    del: <T = any>(p: string) => call<T>('DELETE', p),
    raw: call,
  };
}

/** Creates a tenant and a key for it with the admin key. */
export async function newTenant(stack: LocalStack, id = `t${randomBytes(4).toString('hex')}`) {
  const admin = api(stack, stack.adminKey);
  const t = await admin.post('/v1/tenants', { id });
  if (t.status !== 201) throw new Error(`tenant: ${t.status} ${JSON.stringify(t.body)}`);
  const k = await admin.post(`/v1/tenants/${id}/keys`, { name: 'test' });
  if (k.status !== 201) throw new Error(`key: ${k.status} ${JSON.stringify(k.body)}`);
  return { id, key: k.body.key as string, keyId: k.body.id as string, client: api(stack, k.body.key) };
}

/** Polls `fn` until `ok` holds; throws with the last value after `ms`. */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A new tenant with a `broadworks-cti` link `pbx` that points nowhere (for tests that only need the link record). */
export async function newTenantWithLink(stack: LocalStack) {
  const t = await newTenant(stack);
  const link = await t.client.post('/v1/links', {
    id: 'pbx',
    vendor: 'broadworks-cti',
    endpoint: 'tcp://127.0.0.1:9',
    credentials: { username: 'u', password: 'p' },
  });
  if (link.status !== 201) throw new Error(`link: ${link.status} ${JSON.stringify(link.body)}`);
  return t;
}

/** The raw items of a link's event log partition (segments and markers), as stored. */
export async function logItemsOf(
  stack: LocalStack,
  tenant: string,
  link: string,
): Promise<Record<string, unknown>[]> {
  const res = await stack.deps.db.doc.send(
    new QueryCommand({
      TableName: stack.deps.db.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.eventPartition(tenant, link) },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}
