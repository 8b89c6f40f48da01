import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import {
  startGateway,
  type Gateway,
  type GatewayOptions,
  type HttpRoute,
} from '../../../local/gateway/index.js';
import { deferred, httpRequest } from './helpers.js';

type AnyHttpEvent =
  APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

const noWs: GatewayOptions['websocket'] = {
  connect: async () => ({ statusCode: 200 }),
  disconnect: async () => ({ statusCode: 200 }),
  default: async () => ({ statusCode: 200 }),
};

let gw: Gateway | undefined;
const silent = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

afterEach(async () => {
  await gw?.close();
  gw = undefined;
  vi.clearAllMocks();
});

/** A route whose handler records its event and context and answers a JSON echo. */
function recording(method: HttpRoute['method'], path: string, authorize = false) {
  const calls: { event: AnyHttpEvent; context: Context }[] = [];
  const route: HttpRoute = {
    method,
    path,
    authorize,
    handler: async (event, context) => {
      calls.push({ event, context });
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routeKey: event.routeKey }),
      };
    },
  };
  return { route, calls };
}

async function start(opts: Partial<GatewayOptions>) {
  gw = await startGateway({ httpPort: 0, wsPort: 0, routes: [], websocket: noWs, logger: silent, ...opts });
  return gw;
}

describe('HTTP API payload format 2.0', () => {
  it('listens on real ports when given port 0', async () => {
    const g = await start({});
    const httpPort = Number(new URL(g.httpUrl).port);
    const wsPort = Number(new URL(g.wsUrl).port);
    expect(httpPort).toBeGreaterThan(0);
    expect(wsPort).toBeGreaterThan(0);
    expect(httpPort).not.toBe(wsPort);
    expect(g.httpUrl).toBe(`http://127.0.0.1:${httpPort}`);
    expect(g.managementEndpoint).toBe(`http://127.0.0.1:${wsPort}/local`);
  });

  it('keeps idle keep-alive connections a minute on both ports, and tells clients so', async () => {
    // A server that closes an idle connection just as a client reuses it fails that request with
    // ECONNRESET; clients (undici, fetch) close theirs a second before the server's announced limit.
    const { route } = recording('GET', '/v1/health');
    const g = await start({ routes: [route] });
    const http = await fetch(`${g.httpUrl}/v1/health`);
    expect(http.headers.get('keep-alive')).toBe('timeout=65');
    await http.arrayBuffer();
    const management = await fetch(`${g.managementEndpoint}/@connections/none`);
    expect(management.headers.get('keep-alive')).toBe('timeout=65');
    await management.arrayBuffer();
  });

  it('builds the event: route key, decoded path parameters, query, headers, cookies, request context', async () => {
    const calls = recording('GET', '/v1/links/{link}/users/{user}/calls');
    const g = await start({ routes: [calls.route] });
    const res = await httpRequest(
      `${g.httpUrl}/v1/links/pbx%201/users/u%40x/calls?state=active&state=held&q=a%20b`,
      {
        headers: { 'X-Multi': ['one', 'two'], Cookie: 'a=1; b=2', 'User-Agent': 'gw-test/1.0' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(calls.calls).toHaveLength(1);
    const { event, context } = calls.calls[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/links/{link}/users/{user}/calls',
      rawPath: '/v1/links/pbx%201/users/u%40x/calls',
      rawQueryString: 'state=active&state=held&q=a%20b',
      queryStringParameters: { state: 'active,held', q: 'a b' },
      pathParameters: { link: 'pbx 1', user: 'u@x' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('gw-test/1.0');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    const rc = event.requestContext;
    expect(rc).toMatchObject({
      accountId: expect.stringMatching(/^\d{12}$/),
      apiId: expect.any(String),
      domainName: new URL(g.httpUrl).host,
      domainPrefix: '127',
      http: {
        method: 'GET',
        path: '/v1/links/pbx%201/users/u%40x/calls',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'gw-test/1.0',
      },
      requestId: res.headers['apigw-requestid'],
      routeKey: 'GET /v1/links/{link}/users/{user}/calls',
      stage: '$default',
    });
    expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(rc.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect('authorizer' in rc).toBe(false);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.functionName).toBe('GET /v1/links/{link}/users/{user}/calls');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
  });

  it('picks the most specific route and answers 404 for unknown paths and methods', async () => {
    const generic = recording('GET', '/v1/links/{link}/users/{user}/calls');
    const literal = recording('GET', '/v1/links/special/users/{user}/calls');
    const greedy = recording('GET', '/v1/files/{proxy+}');
    const g = await start({ routes: [generic.route, literal.route, greedy.route] });

    expect(JSON.parse((await httpRequest(`${g.httpUrl}/v1/links/special/users/u/calls`)).text).routeKey).toBe(
      'GET /v1/links/special/users/{user}/calls',
    );
    expect(JSON.parse((await httpRequest(`${g.httpUrl}/v1/links/other/users/u/calls`)).text).routeKey).toBe(
      'GET /v1/links/{link}/users/{user}/calls',
    );
    await httpRequest(`${g.httpUrl}/v1/files/a/b%2Fc.txt`);
    expect(greedy.calls[0]!.event.pathParameters).toEqual({ proxy: 'a/b/c.txt' });

    for (const [method, path] of [
      ['GET', '/v1/links/x/users'],
      ['GET', '/v1/links/x/users/u/calls/extra'],
      ['POST', '/v1/links/x/users/u/calls'],
      ['GET', '/nope'],
    ] as const) {
      const res = await httpRequest(`${g.httpUrl}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({ title: 'Not Found', status: 404 });
    }
    expect(generic.calls).toHaveLength(1);
    expect(literal.calls).toHaveLength(1);
  });

  it('passes text bodies as strings and other content types base64-encoded', async () => {
    const upload = recording('POST', '/v1/upload');
    const g = await start({ routes: [upload.route] });
    await httpRequest(`${g.httpUrl}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"hello":"wörld"}',
    });
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    await httpRequest(`${g.httpUrl}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await httpRequest(`${g.httpUrl}/v1/upload`, { method: 'POST', body: 'no content type' });

    const [json, binary, untyped] = upload.calls.map((c) => c.event);
    expect(json).toMatchObject({ body: '{"hello":"wörld"}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(untyped).toMatchObject({
      body: Buffer.from('no content type').toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('maps results by the payload 2.0 rules', async () => {
    const route = (path: string, result: unknown): HttpRoute => ({
      method: 'GET',
      path,
      authorize: false,
      handler: async () => result as never,
    });
    const g = await start({
      routes: [
        route('/structured', {
          statusCode: 201,
          headers: { 'X-Thing': 'v', 'content-type': 'image/png' },
          cookies: ['a=1; Path=/', 'b=2'],
          body: Buffer.from([0x89, 0x50, 0x00, 0xff]).toString('base64'),
          isBase64Encoded: true,
        }),
        route('/object', { hello: 'world' }),
        route('/string', 'just text'),
        route('/empty', { statusCode: 204 }),
        route('/invalid', { statusCode: 'nope' }),
      ],
    });
    const structured = await httpRequest(`${g.httpUrl}/structured`);
    expect(structured.status).toBe(201);
    expect(structured.headers['x-thing']).toBe('v');
    expect(structured.headers['content-type']).toBe('image/png');
    expect(structured.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    expect([...structured.body]).toEqual([0x89, 0x50, 0x00, 0xff]);

    const object = await httpRequest(`${g.httpUrl}/object`);
    expect(object.status).toBe(200);
    expect(object.headers['content-type']).toBe('application/json');
    expect(JSON.parse(object.text)).toEqual({ hello: 'world' });

    const text = await httpRequest(`${g.httpUrl}/string`);
    expect(text.status).toBe(200);
    expect(text.text).toBe('just text');

    const empty = await httpRequest(`${g.httpUrl}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.text).toBe('');

    const invalid = await httpRequest(`${g.httpUrl}/invalid`);
    expect(invalid.status).toBe(500);
    expect(silent.error).toHaveBeenCalled();
  });

  it('answers 500 when the handler throws, and logs it', async () => {
    const g = await start({
      routes: [
        {
          method: 'GET',
          path: '/boom',
          authorize: false,
          handler: async () => Promise.reject(new Error('kaput')),
        },
      ],
    });
    const res = await httpRequest(`${g.httpUrl}/boom`);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Internal Server Error', status: 500 });
    expect(silent.error).toHaveBeenCalledWith(
      expect.stringContaining('GET /boom'),
      expect.objectContaining({ message: 'kaput' }),
    );
  });

  it('answers 503 when the handler outlives the integration timeout', async () => {
    const never = deferred<never>();
    const g = await start({
      timeoutMs: 100,
      routes: [{ method: 'GET', path: '/slow', authorize: false, handler: () => never.promise }],
    });
    const res = await httpRequest(`${g.httpUrl}/slow`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Service Unavailable', status: 503 });
  });

  it('refuses bodies over 10 MB with 413 without invoking the handler', async () => {
    const upload = recording('POST', '/v1/upload');
    const g = await start({ routes: [upload.route] });
    const res = await httpRequest(`${g.httpUrl}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(upload.calls).toHaveLength(0);
  });

  it('serves a named stage under its path prefix, with the prefix in rawPath', async () => {
    const r = recording('GET', '/v1/health');
    const g = await start({ stage: 'dev', routes: [r.route] });
    expect(g.httpUrl).toMatch(/\/dev$/);
    expect((await httpRequest(`${g.httpUrl}/v1/health`)).status).toBe(200);
    expect(r.calls[0]!.event.rawPath).toBe('/dev/v1/health');
    expect(r.calls[0]!.event.requestContext.stage).toBe('dev');
    expect((await httpRequest(`${g.httpUrl.replace(/\/dev$/, '')}/v1/health`)).status).toBe(404);
  });
});

describe('HTTP API Lambda authorizer (payload 2.0, simple responses)', () => {
  function authorizerFrom(fn: (e: APIGatewayRequestAuthorizerEventV2) => Promise<unknown>) {
    const events: APIGatewayRequestAuthorizerEventV2[] = [];
    const authorizer = (async (event: APIGatewayRequestAuthorizerEventV2) => {
      events.push(event);
      return fn(event);
    }) as GatewayOptions['authorizer'];
    return { authorizer, events };
  }

  it('calls the authorizer with the REQUEST event and injects its context', async () => {
    const r = recording('GET', '/v1/links/{link}', true);
    const { authorizer, events } = authorizerFrom(async () => ({
      isAuthorized: true,
      context: { tenant: 'acme', role: 'tenant' },
    }));
    const g = await start({ routes: [r.route], authorizer });
    const res = await httpRequest(`${g.httpUrl}/v1/links/pbx1?x=1`, {
      headers: { Authorization: 'Bearer k1' },
    });
    expect(res.status).toBe(200);
    expect(events).toHaveLength(1);
    const port = new URL(g.httpUrl).port;
    expect(events[0]).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: expect.stringMatching(
        /^arn:aws:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+\/\$default\/GET\/v1\/links\/pbx1$/,
      ),
      identitySource: ['Bearer k1'],
      routeKey: 'GET /v1/links/{link}',
      rawPath: '/v1/links/pbx1',
      rawQueryString: 'x=1',
      headers: expect.objectContaining({ authorization: 'Bearer k1', host: `127.0.0.1:${port}` }),
      queryStringParameters: { x: '1' },
      pathParameters: { link: 'pbx1' },
      requestContext: expect.objectContaining({
        routeKey: 'GET /v1/links/{link}',
        http: expect.objectContaining({ method: 'GET' }),
      }),
    });
    const event = r.calls[0]!.event as APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;
    expect(event.requestContext.authorizer).toEqual({ lambda: { tenant: 'acme', role: 'tenant' } });
    expect(event.requestContext.requestId).toBe(events[0]!.requestContext.requestId);
  });

  it('runs without an Authorization header (no identity source) and skips routes that do not authorize', async () => {
    const guarded = recording('GET', '/guarded', true);
    const open = recording('GET', '/open', false);
    const { authorizer, events } = authorizerFrom(async () => ({
      isAuthorized: true,
      context: { role: 'anonymous' },
    }));
    const g = await start({ routes: [guarded.route, open.route], authorizer });
    expect((await httpRequest(`${g.httpUrl}/guarded`)).status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]!.identitySource).toEqual([]);
    expect((await httpRequest(`${g.httpUrl}/open`)).status).toBe(200);
    expect(events).toHaveLength(1);
    expect('authorizer' in open.calls[0]!.event.requestContext).toBe(false);
  });

  it('answers 403 on isAuthorized=false and 500 when the authorizer throws, without calling the route', async () => {
    const r = recording('GET', '/guarded', true);
    let mode: 'deny' | 'throw' | 'invalid' = 'deny';
    const { authorizer } = authorizerFrom(async () => {
      if (mode === 'throw') throw new Error('authorizer down');
      if (mode === 'invalid') return { allowed: true };
      return { isAuthorized: false, context: {} };
    });
    const g = await start({ routes: [r.route], authorizer });
    const denied = await httpRequest(`${g.httpUrl}/guarded`);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toMatchObject({ title: 'Forbidden', status: 403 });
    mode = 'throw';
    const failed = await httpRequest(`${g.httpUrl}/guarded`);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toMatchObject({ title: 'Internal Server Error', status: 500 });
    mode = 'invalid';
    expect((await httpRequest(`${g.httpUrl}/guarded`)).status).toBe(500);
    expect(r.calls).toHaveLength(0);
  });
});
