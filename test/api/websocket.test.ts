import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LocalStack } from '../../local/stack.js';
import { newTenant, testStack, until } from '../support/stack.js';

let stack: LocalStack;
let offsetMs = 0;
let tenant: Awaited<ReturnType<typeof newTenant>>;
beforeAll(async () => {
  stack = await testStack({ now: () => new Date(Date.now() + offsetMs) });
  tenant = await newTenant(stack);
});
afterAll(async () => stack?.stop());

/** Opens a socket; resolves with it once open, or rejects with the handshake status. */
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`handshake ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}

const nextMessage = (ws: WebSocket) =>
  new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
const closed = (ws: WebSocket) => new Promise<void>((resolve) => ws.once('close', () => resolve()));

function mgmt() {
  return new ApiGatewayManagementApiClient({
    endpoint: stack.managementEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('WebSocket channels through the local API Gateway emulation', () => {
  it('accepts the channel URL, binds the connection and delivers frames posted with the real SDK', async () => {
    const ch = (await tenant.client.post('/v1/channels', { type: 'websocket' })).body;
    const ws = await open(ch.url);
    const got = await tenant.client.get(`/v1/channels/${ch.id}`);
    expect(got.body.connectionId).toEqual(expect.any(String));
    const client = mgmt();
    const frame = nextMessage(ws);
    await client.send(
      new PostToConnectionCommand({
        ConnectionId: got.body.connectionId,
        Data: Buffer.from('{"hello":"world"}'),
      }),
    );
    expect(JSON.parse(await frame)).toEqual({ hello: 'world' });
    const info = await client.send(new GetConnectionCommand({ ConnectionId: got.body.connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);

    // $default: ping → pong, garbage → error frame, connection stays open.
    const pong = nextMessage(ws);
    ws.send(JSON.stringify({ action: 'ping' }));
    expect(JSON.parse(await pong).type).toBe('bridge.pong');
    const err = nextMessage(ws);
    ws.send('not json');
    expect(JSON.parse(await err).type).toBe('bridge.error');

    // Client closes → $disconnect clears the binding; posting now gives GoneException.
    const connectionId = got.body.connectionId;
    ws.close();
    await closed(ws);
    const after = await until(
      () => tenant.client.get(`/v1/channels/${ch.id}`),
      (r) => r.body.connectionId === null,
    );
    expect(after.body.connectionId).toBeNull();
    await expect(
      client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'GoneException' });
    client.destroy();
  });

  it('refuses a wrong token, a missing token and an unknown channel at $connect', async () => {
    const ch = (await tenant.client.post('/v1/channels', { type: 'websocket' })).body;
    const wrong = new URL(ch.url);
    wrong.searchParams.set('token', 'x'.repeat(43));
    await expect(open(wrong.toString())).rejects.toMatchObject({ status: 403 });
    const missing = new URL(ch.url);
    missing.searchParams.delete('token');
    await expect(open(missing.toString())).rejects.toMatchObject({ status: 401 });
    const unknown = new URL(ch.url);
    unknown.searchParams.set('channel', 'ch_nope');
    await expect(open(unknown.toString())).rejects.toMatchObject({ status: 403 });
    expect((await tenant.client.get(`/v1/channels/${ch.id}`)).body.connectionId).toBeNull();
  });

  it('refuses an expired channel at $connect', async () => {
    const ch = (await tenant.client.post('/v1/channels', { type: 'websocket', ttlSeconds: 60 })).body;
    offsetMs = 61_000;
    try {
      await expect(open(ch.url)).rejects.toMatchObject({ status: 403 });
    } finally {
      offsetMs = 0;
    }
  });

  it("refuses another tenant's token for a channel", async () => {
    const other = await newTenant(stack);
    const mine = (await tenant.client.post('/v1/channels', { type: 'websocket' })).body;
    const theirs = (await other.client.post('/v1/channels', { type: 'websocket' })).body;
    const mixed = new URL(mine.url);
    mixed.searchParams.set('token', new URL(theirs.url).searchParams.get('token')!);
    await expect(open(mixed.toString())).rejects.toMatchObject({ status: 403 });
  });

  it("unbinds a connection only while it is the channel's: a late $disconnect keeps the reconnect's", async () => {
    const ch = (await tenant.client.post('/v1/channels', { type: 'websocket' })).body;
    const repo = stack.deps.repos.channels;
    await repo.setConnection(tenant.id, ch.id, 'conn-new', new Date());
    // the old connection's unbind, arriving after the new one was bound, changes nothing
    expect(await repo.clearConnection(tenant.id, ch.id, 'conn-old')).toBe(false);
    expect((await repo.get(tenant.id, ch.id, new Date()))?.connectionId).toBe('conn-new');
    expect(await repo.clearConnection(tenant.id, ch.id, 'conn-new')).toBe(true);
    expect((await repo.get(tenant.id, ch.id, new Date()))?.connectionId).toBeNull();
  });
});
