import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConnection } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  startGateway,
  type Gateway,
  type GatewayOptions,
  type WsEvent,
  type WsHandler,
} from '../../../local/gateway/index.js';
import { connect, httpRequest, Recorder, refusedStatus, type Client } from './helpers.js';

const CONNECTION_ID = /^[A-Za-z0-9]{15}=$/;

let gw: Gateway | undefined;
const clients: Client[] = [];
const sdks: ApiGatewayManagementApiClient[] = [];
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of sdks.splice(0)) s.destroy();
  await gw?.close();
  gw = undefined;
  vi.clearAllMocks();
});

/** A gateway whose WebSocket handlers record every event; `onX` overrides the answers. */
async function start(
  over: { connect?: WsHandler; default?: WsHandler; disconnect?: WsHandler } & Partial<
    Omit<GatewayOptions, 'websocket'>
  > = {},
) {
  const events = new Recorder<WsEvent>();
  const record =
    (fallback: WsHandler, custom?: WsHandler): WsHandler =>
    async (event, context) => {
      events.push(event);
      return (custom ?? fallback)(event, context);
    };
  const { connect: c, default: d, disconnect: x, ...rest } = over;
  gw = await startGateway({
    httpPort: 0,
    wsPort: 0,
    routes: [],
    logger,
    ...rest,
    websocket: {
      connect: record(async () => ({ statusCode: 200 }), c),
      default: record(async () => ({ statusCode: 200 }), d),
      disconnect: record(async () => ({ statusCode: 200 }), x),
    },
  });
  return { gw, events };
}

async function open(url: string, opts?: Parameters<typeof connect>[1]) {
  const c = await connect(url, opts);
  clients.push(c);
  return c;
}

function sdk(endpoint: string) {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  sdks.push(client);
  return client;
}

const byRoute = (routeKey: string) => (e: WsEvent) => e.requestContext.routeKey === routeKey;

describe('WebSocket API', () => {
  it('runs $connect with the handshake and accepts the upgrade on 2xx', async () => {
    const { gw, events } = await start();
    await open(`${gw.wsUrl}/?tenant=acme&channel=c1&tag=a&tag=b`, {
      headers: { 'User-Agent': 'ws-test/1.0' },
    });
    const e = await events.next(byRoute('$connect'));
    const rc = e.requestContext;
    expect(rc).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      apiId: expect.any(String),
      domainName: new URL(gw.wsUrl).host,
      identity: { sourceIp: '127.0.0.1', userAgent: 'ws-test/1.0' },
    });
    expect(rc.connectionId).toMatch(CONNECTION_ID);
    expect(rc.requestId).toMatch(CONNECTION_ID);
    expect(rc.extendedRequestId).toMatch(CONNECTION_ID);
    expect(rc.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(rc.connectedAt - Date.now())).toBeLessThan(5_000);
    expect(rc.messageId).toBeUndefined();
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBeUndefined();
    expect(e.queryStringParameters).toEqual({ tenant: 'acme', channel: 'c1', tag: 'b' });
    expect(e.multiValueQueryStringParameters).toEqual({ tenant: ['acme'], channel: ['c1'], tag: ['a', 'b'] });
    expect(e.headers).toMatchObject({
      'User-Agent': 'ws-test/1.0',
      'Sec-WebSocket-Version': '13',
      'X-Forwarded-For': '127.0.0.1',
    });
    expect(e.multiValueHeaders?.['Sec-WebSocket-Key']).toHaveLength(1);
    expect(gw.connections()).toEqual([rc.connectionId]);
  });

  it('accepts the stage path too and refuses other paths', async () => {
    const { gw } = await start();
    await open(`${gw.wsUrl}/local`);
    expect(gw.connections()).toHaveLength(1);
    expect(await refusedStatus(`${gw.wsUrl}/other`)).toBe(403);
  });

  it("refuses the handshake with $connect's status, and with 500 when it throws", async () => {
    const { gw, events } = await start({
      connect: async (e) => {
        const token = e.queryStringParameters?.token;
        if (token === 'boom') throw new Error('connect failed');
        if (!token) return { statusCode: 401, body: 'missing token' };
        return token === 'good' ? { statusCode: 200 } : { statusCode: 403, body: 'bad token' };
      },
    });
    expect(await refusedStatus(`${gw.wsUrl}/`)).toBe(401);
    expect(await refusedStatus(`${gw.wsUrl}/?token=wrong`)).toBe(403);
    expect(await refusedStatus(`${gw.wsUrl}/?token=boom`)).toBe(500);
    expect(logger.error).toHaveBeenCalledWith(
      '$connect failed',
      expect.objectContaining({ message: 'connect failed' }),
    );
    expect(gw.connections()).toEqual([]);
    await open(`${gw.wsUrl}/?token=good`);
    expect(gw.connections()).toHaveLength(1);
    // Refused handshakes never got a connection, so no $disconnect for them.
    expect(events.items.filter(byRoute('$disconnect'))).toHaveLength(0);
  });

  it('echoes the subprotocol $connect chose', async () => {
    const { gw } = await start({
      connect: async () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'bridge.v1' } }),
    });
    const c = await open(gw.wsUrl, { protocols: ['bridge.v1', 'other'] });
    expect(c.ws.protocol).toBe('bridge.v1');
  });

  it('runs $default one message at a time per connection, in order, and sends returned bodies back', async () => {
    let running = 0;
    let overlapped = false;
    const delays: Record<string, number> = { m1: 40, m2: 20, m3: 0 };
    const { gw, events } = await start({
      default: async (e) => {
        overlapped ||= running > 0;
        running++;
        // Later messages finish faster: only serial invocation keeps the replies in order.
        await new Promise((r) => setTimeout(r, delays[e.body ?? ''] ?? 0));
        running--;
        return { statusCode: 200, body: `echo:${e.body}` };
      },
    });
    const c = await open(gw.wsUrl);
    for (const m of ['m1', 'm2', 'm3']) c.ws.send(m);
    await c.frames.next((f) => f.text === 'echo:m3');
    expect(c.frames.items.map((f) => f.text)).toEqual(['echo:m1', 'echo:m2', 'echo:m3']);
    expect(c.frames.items.every((f) => !f.isBinary)).toBe(true);
    expect(overlapped).toBe(false);
    const messages = events.items.filter(byRoute('$default'));
    expect(messages.map((e) => e.body)).toEqual(['m1', 'm2', 'm3']);
    const connectionId = gw.connections()[0];
    for (const e of messages) {
      expect(e.requestContext).toMatchObject({ eventType: 'MESSAGE', connectionId, messageDirection: 'IN' });
      expect(e.requestContext.messageId).toMatch(CONNECTION_ID);
      expect(e.isBase64Encoded).toBe(false);
    }
    expect(new Set(messages.map((e) => e.requestContext.messageId)).size).toBe(3);
  });

  it('passes binary frames base64-encoded and sends nothing back for a result without body', async () => {
    const { gw, events } = await start({
      default: async () => ({ statusCode: 200 }) as APIGatewayProxyResultV2,
    });
    const c = await open(gw.wsUrl);
    c.ws.send(Buffer.from([0, 0xff, 0x10]));
    c.ws.send('after');
    const binary = await events.next(byRoute('$default'));
    expect(binary).toMatchObject({
      body: Buffer.from([0, 0xff, 0x10]).toString('base64'),
      isBase64Encoded: true,
    });
    await events.next((e) => e.body === 'after');
    expect(c.frames.items).toHaveLength(0);
  });

  it('tells the client when $default fails, like API Gateway', async () => {
    const { gw } = await start({ default: async () => Promise.reject(new Error('nope')) });
    const c = await open(gw.wsUrl);
    c.ws.send('hi');
    const frame = await c.frames.next();
    expect(JSON.parse(frame.text)).toEqual({
      message: 'Internal server error',
      connectionId: gw.connections()[0],
      requestId: expect.any(String),
    });
    expect(logger.error).toHaveBeenCalledWith(
      '$default failed',
      expect.objectContaining({ message: 'nope' }),
    );
  });

  it('runs $disconnect with the status and reason when the client closes', async () => {
    const { gw, events } = await start();
    const c = await open(gw.wsUrl);
    const connected = await events.next(byRoute('$connect'));
    c.ws.close(4001, 'bye now');
    const e = await events.next(byRoute('$disconnect'));
    expect(e.requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      connectionId: connected.requestContext.connectionId,
      connectedAt: connected.requestContext.connectedAt,
      disconnectStatusCode: 4001,
      disconnectReason: 'bye now',
    });
    expect(gw.connections()).toEqual([]);

    const c2 = await open(gw.wsUrl);
    c2.ws.close();
    const e2 = await events.next((x) => byRoute('$disconnect')(x) && x !== e);
    expect(e2.requestContext).toMatchObject({
      disconnectStatusCode: 1005,
      disconnectReason: 'Client-side close frame status not set',
    });
  });

  it('runs $disconnect after the queued messages of the connection', async () => {
    const { gw, events } = await start({
      default: async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { statusCode: 200 };
      },
    });
    const c = await open(gw.wsUrl);
    c.ws.send('one');
    c.ws.send('two');
    c.ws.close(1000);
    await events.next(byRoute('$disconnect'));
    expect(events.items.map((e) => e.body ?? e.requestContext.routeKey)).toEqual([
      '$connect',
      'one',
      'two',
      '$disconnect',
    ]);
  });

  it('closes idle connections (1001 Going away) and reports it in $disconnect', async () => {
    const { gw, events } = await start({ idleTimeoutMs: 150 });
    const c = await open(gw.wsUrl);
    const started = Date.now();
    expect(await c.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const e = await events.next(byRoute('$disconnect'));
    expect(e.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('closes connections whose message exceeds maxFrameBytes (1009)', async () => {
    const { gw, events } = await start({ maxFrameBytes: 1024 });
    const c = await open(gw.wsUrl);
    c.ws.send('x'.repeat(2048));
    expect((await c.closed).code).toBe(1009);
    await events.next(byRoute('$disconnect'));
    expect(events.items.filter(byRoute('$default'))).toHaveLength(0);
  });

  it('close() closes every socket and both servers', async () => {
    const { gw, events } = await start();
    const c = await open(gw.wsUrl);
    const ports = [Number(new URL(gw.httpUrl).port), Number(new URL(gw.wsUrl).port)];
    await gw.close();
    expect((await c.closed).code).toBe(1001);
    expect(gw.connections()).toEqual([]);
    for (const port of ports) {
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
        const s = createConnection({ port, host: '127.0.0.1' });
        s.on('connect', () => {
          s.destroy();
          resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
        });
        s.on('error', resolve);
      });
      expect(err.code).toBe('ECONNREFUSED');
    }
    expect(events.items.filter(byRoute('$disconnect'))).toHaveLength(0);
  });
});

describe('@connections management API through the real SDK', () => {
  it('PostToConnection reaches the client as a text frame, or binary when not UTF-8', async () => {
    const { gw } = await start();
    const c = await open(gw.wsUrl);
    const [id] = gw.connections();
    const client = sdk(gw.managementEndpoint);
    const out = await client.send(
      new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('{"type":"call.ringing"}') }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const text = await c.frames.next();
    expect(text).toMatchObject({ isBinary: false, text: '{"type":"call.ringing"}' });

    await client.send(
      new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([0xff, 0x00, 0xfe]) }),
    );
    const binary = await c.frames.next((f) => f.isBinary);
    expect([...binary.data]).toEqual([0xff, 0x00, 0xfe]);
  });

  it('works with the endpoint without the stage path as well', async () => {
    const { gw } = await start();
    const c = await open(gw.wsUrl);
    const client = sdk(gw.managementEndpoint.replace(/\/local$/, ''));
    await client.send(
      new PostToConnectionCommand({ ConnectionId: gw.connections()[0], Data: Buffer.from('no stage') }),
    );
    expect((await c.frames.next()).text).toBe('no stage');
  });

  it('GetConnection describes the connection', async () => {
    const { gw } = await start();
    const before = Date.now();
    await open(gw.wsUrl, { headers: { 'User-Agent': 'agent/2' } });
    const out = await sdk(gw.managementEndpoint).send(
      new GetConnectionCommand({ ConnectionId: gw.connections()[0] }),
    );
    expect(out.ConnectedAt).toBeInstanceOf(Date);
    expect(out.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(out.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(out.ConnectedAt!.getTime());
    expect(out.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'agent/2' });
  });

  it('DeleteConnection closes the socket and runs $disconnect; later calls throw GoneException', async () => {
    const { gw, events } = await start();
    const c = await open(gw.wsUrl);
    const [id] = gw.connections();
    const client = sdk(gw.managementEndpoint);
    const out = await client.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    expect((await c.closed).code).toBe(1000);
    const e = await events.next(byRoute('$disconnect'));
    expect(e.requestContext).toMatchObject({ connectionId: id, disconnectStatusCode: 1000 });
    expect(gw.connections()).toEqual([]);

    const err = await client
      .send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('late') }))
      .catch((x: unknown) => x);
    expect(err).toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
  });

  it('throws GoneException for a connection the client closed, and for unknown ids', async () => {
    const { gw, events } = await start();
    const c = await open(gw.wsUrl);
    const [id] = gw.connections();
    c.ws.close(1000);
    await events.next(byRoute('$disconnect'));
    const client = sdk(gw.managementEndpoint);
    for (const cmd of [
      new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('x') }),
      new GetConnectionCommand({ ConnectionId: id }),
      new DeleteConnectionCommand({ ConnectionId: id }),
      new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: Buffer.from('x') }),
    ]) {
      const err = await client.send(cmd as PostToConnectionCommand).catch((x: unknown) => x);
      expect(err).toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
      expect((err as Error).message).toContain('gone');
    }
  });

  it('throws PayloadTooLargeException over maxFrameBytes', async () => {
    const { gw } = await start({ maxFrameBytes: 1024 });
    const c = await open(gw.wsUrl);
    const client = sdk(gw.managementEndpoint);
    const err = await client
      .send(
        new PostToConnectionCommand({ ConnectionId: gw.connections()[0], Data: Buffer.alloc(1025, 0x61) }),
      )
      .catch((x: unknown) => x);
    expect(err).toMatchObject({ name: 'PayloadTooLargeException', $metadata: { httpStatusCode: 413 } });
    await client.send(
      new PostToConnectionCommand({ ConnectionId: gw.connections()[0], Data: Buffer.alloc(1024, 0x61) }),
    );
    expect((await c.frames.next()).data.length).toBe(1024);
  });

  it('answers the raw HTTP shape: 410 with x-amzn-ErrorType, 404 for other paths', async () => {
    const { gw } = await start();
    const gone = await httpRequest(
      `${gw.managementEndpoint}/@connections/${encodeURIComponent('AAAAAAAAAAAAAAA=')}`,
      { method: 'POST', body: 'x' },
    );
    expect(gone.status).toBe(410);
    expect(gone.headers['x-amzn-errortype']).toBe('GoneException');
    expect(JSON.parse(gone.text)).toEqual({ message: expect.any(String) });
    expect(
      (await httpRequest(`${gw.managementEndpoint.replace(/\/local$/, '/other')}/@connections/abc`)).status,
    ).toBe(404);
    expect((await httpRequest(`${gw.managementEndpoint}/elsewhere`)).status).toBe(404);
  });
});
