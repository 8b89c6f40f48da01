/**
 * The HTTP API: route selection, the Lambda REQUEST authorizer (payload 2.0, simple responses) and the
 * Lambda proxy integration with payload format 2.0, including how API Gateway turns the function's
 * result into the HTTP response, and the `$default` route that gets what no route matches.
 *
 * Where API Gateway answers by itself (body over 10 MB: 413; the authorizer denies: 403; a function
 * fails or returns garbage: 500; times out: 503), AWS sends a fixed `{"message": ...}` body that an
 * HTTP API cannot change. Here those answers are problems (`application/problem+json`, same status) so
 * that every error of the local stack has one shape; docs/api.md lists the ones AWS answers itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorizerEvent, gatewayId, httpEvent, httpRequestInfo } from './events.js';
import { invoke } from './lambda.js';
import { Problem } from '../../shared/http/problem.js';
import type { GatewayLogger, GatewayOptions, HttpRoute } from './index.js';

/** HTTP API payload limit. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

type Segment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface CompiledRoute {
  route: Omit<HttpRoute, 'method' | 'path'>;
  routeKey: string;
  segments: Segment[];
  method?: string;
}

/** `/v1/links/{link}` → segments; `{name+}` is a greedy parameter (last segment only). */
function compile(route: HttpRoute): CompiledRoute {
  const segments: Segment[] = route.path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      const m = /^\{([^}+]+)(\+)?\}$/.exec(s);
      if (!m) return { kind: 'literal', value: s };
      return m[2] ? { kind: 'greedy', name: m[1]! } : { kind: 'param', name: m[1]! };
    });
  return { route, routeKey: `${route.method} ${route.path}`, segments, method: route.method };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Path parameters when the route matches the (still encoded) path segments, else undefined. */
function matchRoute(r: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < r.segments.length; i++) {
    const seg = r.segments[i]!;
    if (seg.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[seg.name] = decode(parts.slice(i).join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.kind === 'literal' ? decode(part) !== seg.value : false) return undefined;
    if (seg.kind === 'param') params[seg.name] = decode(part);
  }
  return r.segments.length === parts.length ? params : undefined;
}

/** Orders candidate routes: at the first differing segment, a literal beats `{param}` beats `{param+}`. */
function specificity(a: CompiledRoute, b: CompiledRoute): number {
  const rank = { literal: 0, param: 1, greedy: 2 } as const;
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (!x || !y) return x ? -1 : 1;
    if (rank[x.kind] !== rank[y.kind]) return rank[x.kind] - rank[y.kind];
  }
  return 0;
}

/** The most specific route for the method and path (HTTP APIs answer 404, not 405, for another method). */
export function selectRoute(routes: CompiledRoute[], method: string, path: string) {
  const parts = path.split('/').filter(Boolean);
  let best: { route: CompiledRoute; params: Record<string, string> } | undefined;
  for (const r of routes) {
    if (r.method !== method) continue;
    const params = matchRoute(r, parts);
    if (params && (!best || specificity(r, best.route) < 0)) best = { route: r, params };
  }
  return best;
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
) {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = status;
  res.end(body);
}

/** One of the gateway's own answers (see the header), as an RFC 9457 problem. */
function sendMessage(
  res: ServerResponse,
  requestId: string,
  status: number,
  message: string,
  detail?: string,
) {
  const answer = new Problem(status, message, detail).response();
  send(res, status, { ...answer.headers, 'apigw-requestid': requestId }, answer.body);
}

/** Reads the body up to `limit` bytes; undefined when it is larger (the rest is drained). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Payload format 2.0 response rules: an object with `statusCode` is used as is (`cookies` become
 * Set-Cookie headers, `isBase64Encoded` bodies are decoded); any other valid JSON result (a string,
 * an object without `statusCode`) is a 200 with content-type application/json and the result as body.
 */
export function toHttpResponse(
  result: APIGatewayProxyResultV2<unknown>,
): { status: number; headers: Record<string, string | string[]>; body: Buffer } | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string' || typeof result !== 'object' || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const status = r.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  const body = Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8');
  return { status, headers, body };
}

export interface HttpApiOptions {
  stage: string;
  routes: HttpRoute[];
  defaultRoute: GatewayOptions['defaultRoute'];
  authorizer: GatewayOptions['authorizer'];
  logger: GatewayLogger;
  timeoutMs: number;
}

/** The request listener of the HTTP API server. */
export function httpApi(opts: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = opts.routes.map(compile);
  const stagePrefix = opts.stage === '$default' ? '' : `/${opts.stage}`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = gatewayId();
    const timeEpoch = Date.now();
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (!body) {
      res.setHeader('connection', 'close');
      return sendMessage(
        res,
        requestId,
        413,
        'Content Too Large',
        `the HTTP API takes bodies up to ${MAX_REQUEST_BYTES} bytes`,
      );
    }
    const info = httpRequestInfo(req, body, requestId, timeEpoch);

    // On a named stage the path starts with the stage name; rawPath keeps it, routing does not.
    let routePath = info.rawPath;
    if (stagePrefix) {
      if (routePath !== stagePrefix && !routePath.startsWith(`${stagePrefix}/`))
        return sendMessage(res, requestId, 404, 'Not Found');
      routePath = routePath.slice(stagePrefix.length) || '/';
    }
    const match =
      selectRoute(routes, info.method, routePath) ??
      (opts.defaultRoute
        ? { route: { route: opts.defaultRoute, routeKey: '$default', segments: [] }, params: {} }
        : undefined);
    if (!match) return sendMessage(res, requestId, 404, 'Not Found');
    const { route, routeKey } = match.route;
    const event = httpEvent(info, routeKey, opts.stage, match.params);

    if (route.authorize && opts.authorizer) {
      const authEvent = authorizerEvent(info, routeKey, opts.stage, match.params, routePath);
      const auth = await invoke(opts.authorizer, authEvent, 'authorizer', opts.timeoutMs);
      if (!auth.ok) {
        opts.logger.error(`authorizer failed for ${routeKey}`, auth.error);
        return sendMessage(res, requestId, 500, 'Internal Server Error');
      }
      if (typeof auth.value?.isAuthorized !== 'boolean') {
        opts.logger.error(`authorizer for ${routeKey} returned an invalid simple response`, auth.value);
        return sendMessage(res, requestId, 500, 'Internal Server Error');
      }
      if (!auth.value.isAuthorized) return sendMessage(res, requestId, 403, 'Forbidden');
      Object.assign(event.requestContext, { authorizer: { lambda: auth.value.context ?? {} } });
    }

    const functionName = route.functionName ?? routeKey;
    const out = await invoke(route.handler, event, functionName, opts.timeoutMs);
    if (!out.ok) {
      opts.logger.error(`handler for ${routeKey} failed`, out.error);
      return out.timedOut
        ? sendMessage(res, requestId, 503, 'Service Unavailable')
        : sendMessage(res, requestId, 500, 'Internal Server Error');
    }
    const response = toHttpResponse(out.value);
    if (!response) {
      opts.logger.error(`handler for ${routeKey} returned an invalid response`, out.value);
      return sendMessage(res, requestId, 500, 'Internal Server Error');
    }
    send(res, response.status, { ...response.headers, 'apigw-requestid': requestId }, response.body);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error('local HTTP API failed', err);
      sendMessage(res, '', 500, 'Internal Server Error');
    });
  };
}
