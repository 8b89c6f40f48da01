/**
 * Event and context builders: the shapes API Gateway hands to Lambda (HTTP API payload format 2.0,
 * the HTTP API REQUEST authorizer payload 2.0, WebSocket API CONNECT/MESSAGE/DISCONNECT) and the Lambda
 * `Context` object the runtime passes alongside. Pure functions, no I/O.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayProxyWebsocketEventV2,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';

import { ACCOUNT_ID, REGION } from './lambda.js';

export const HTTP_API_ID = 'localhttp';
export const WS_API_ID = 'localws';

/**
 * A WebSocket event as API Gateway sends it. `@types/aws-lambda` leaves out what $connect and
 * $disconnect carry (headers, identity, disconnect status), so it is added here.
 */
export type WsEvent = APIGatewayProxyWebsocketEventV2 & {
  queryStringParameters?: Record<string, string | undefined>;
  multiValueQueryStringParameters?: Record<string, string[] | undefined>;
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  requestContext: {
    identity: { sourceIp: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

/**
 * An id in API Gateway's style (connection, request and message ids): 11 random bytes in base64,
 * 16 characters ending in `=`, e.g. `L0SM9cOFvHcCIhw=`. Ids with `+` or `/` are skipped so that the
 * id is safe in a URL path segment even when a client forgets to encode it.
 */
export function gatewayId(): string {
  for (;;) {
    const id = randomBytes(11).toString('base64');
    if (!/[+/]/.test(id)) return id;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestContext.time` / `requestTime` format: `12/Mar/2020:19:03:58 +0000`. */
export function gatewayTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** The caller's address as API Gateway reports it (`sourceIp`), without the IPv4-mapped prefix. */
export function sourceIpOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** Splits `/a/b?x=1` into the raw path and the raw query string (without `?`). */
export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  return { rawPath: rawPath || '/', rawQueryString };
}

/** Query values by name, in order (decoded). */
function queryValues(rawQueryString: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(rawQueryString)) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP API (payload format 2.0)

/** The incoming request, reduced to what the HTTP API event needs. */
export interface HttpRequestInfo {
  method: string;
  /** Path as received (still percent-encoded), including the stage prefix on a named stage. */
  rawPath: string;
  rawQueryString: string;
  /** Lower-case names, repeated headers joined by commas; `cookie` excluded (it goes to `cookies`). */
  headers: Record<string, string>;
  cookies: string[];
  sourceIp: string;
  protocol: string;
  body: Buffer;
  requestId: string;
  timeEpoch: number;
}

/**
 * Reads headers the way the HTTP API passes them in payload 2.0: lower-case names, repeated headers
 * joined with a comma, the Cookie header moved into `cookies`, and the `x-forwarded-*` and
 * `x-amzn-trace-id` headers API Gateway adds.
 */
export function httpRequestInfo(
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
  timeEpoch: number,
): HttpRequestInfo {
  const { rawPath, rawQueryString } = splitUrl(req.url ?? '/');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    if (name === 'cookie') {
      for (const v of values)
        cookies.push(
          ...v
            .split(';')
            .map((c) => c.trim())
            .filter(Boolean),
        );
      continue;
    }
    headers[name] = values.join(',');
  }
  const sourceIp = sourceIpOf(req);
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(timeEpoch / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath,
    rawQueryString,
    headers,
    cookies,
    sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
    body,
    requestId,
    timeEpoch,
  };
}

/** Query parameters as payload 2.0 has them: repeated keys joined by commas; absent when empty. */
export function httpQueryParameters(rawQueryString: string): Record<string, string> | undefined {
  const values = queryValues(rawQueryString);
  if (values.size === 0) return undefined;
  return Object.fromEntries([...values].map(([k, v]) => [k, v.join(',')]));
}

/**
 * Content types the HTTP API passes as text. Everything else (including a body without a content
 * type, and form posts) arrives base64-encoded with `isBase64Encoded: true`.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

/** `requestContext` of an HTTP API event (also used, unchanged, in the authorizer event). */
export function httpRequestContext(
  info: HttpRequestInfo,
  routeKey: string,
  stage: string,
): APIGatewayEventRequestContextV2 {
  const domainName = info.headers.host ?? HTTP_API_ID;
  return {
    accountId: ACCOUNT_ID,
    apiId: HTTP_API_ID,
    domainName,
    domainPrefix: domainName.split(/[.:]/)[0] ?? domainName,
    http: {
      method: info.method,
      path: info.rawPath,
      protocol: info.protocol,
      sourceIp: info.sourceIp,
      userAgent: info.headers['user-agent'] ?? '',
    },
    requestId: info.requestId,
    routeKey,
    stage,
    time: gatewayTime(info.timeEpoch),
    timeEpoch: info.timeEpoch,
  };
}

/** The HTTP API payload 2.0 event for a matched route (without `requestContext.authorizer`). */
export function httpEvent(
  info: HttpRequestInfo,
  routeKey: string,
  stage: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: info.rawPath,
    rawQueryString: info.rawQueryString,
    headers: info.headers,
    requestContext: httpRequestContext(info, routeKey, stage),
    isBase64Encoded: false,
  };
  if (info.cookies.length) event.cookies = info.cookies;
  const query = httpQueryParameters(info.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(pathParameters).length) event.pathParameters = pathParameters;
  if (info.body.length) {
    const text = isTextContentType(info.headers['content-type']);
    event.body = info.body.toString(text ? 'utf8' : 'base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/**
 * The REQUEST authorizer event, payload 2.0. No identity source is configured on the bridge's
 * authorizer, so it runs for every request; `identitySource` carries the Authorization header when sent.
 */
export function authorizerEvent(
  info: HttpRequestInfo,
  routeKey: string,
  stage: string,
  pathParameters: Record<string, string>,
  routePath: string,
): APIGatewayRequestAuthorizerEventV2 {
  const authorization = info.headers.authorization;
  const event: APIGatewayRequestAuthorizerEventV2 = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${HTTP_API_ID}/${stage}/${info.method}${routePath}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey,
    rawPath: info.rawPath,
    rawQueryString: info.rawQueryString,
    cookies: info.cookies,
    headers: info.headers,
    requestContext: httpRequestContext(info, routeKey, stage),
  };
  const query = httpQueryParameters(info.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(pathParameters).length) event.pathParameters = pathParameters;
  return event;
}

// ---------------------------------------------------------------------------------------------
// WebSocket API

/** What a WebSocket connection keeps from its handshake, for every event built on it. */
export interface WsConnectionInfo {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
  stage: string;
}

type WsRouteKey = '$connect' | '$default' | '$disconnect';

function wsRequestContext(
  conn: WsConnectionInfo,
  routeKey: WsRouteKey,
  eventType: APIGatewayEventWebsocketRequestContextV2['eventType'],
): WsEvent['requestContext'] {
  const now = Date.now();
  // @types/aws-lambda marks messageId as always present; API Gateway only sends it on MESSAGE events.
  return {
    routeKey,
    eventType,
    extendedRequestId: gatewayId(),
    requestTime: gatewayTime(now),
    messageDirection: 'IN',
    stage: conn.stage,
    connectedAt: conn.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
    requestId: gatewayId(),
    domainName: conn.domainName,
    connectionId: conn.connectionId,
    apiId: WS_API_ID,
  } as WsEvent['requestContext'];
}

/**
 * Headers of the WebSocket handshake as the WebSocket API passes them to $connect: names as the client
 * sent them (not lower-cased), the last value in `headers`, all in `multiValueHeaders`, plus the
 * forwarding headers API Gateway adds.
 */
function wsHeaders(req: IncomingMessage, sourceIp: string) {
  const multi: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) (multi[raw[i]!] ??= []).push(raw[i + 1]!);
  multi['X-Forwarded-For'] ??= [sourceIp];
  multi['X-Forwarded-Port'] ??= [String(req.socket.localPort ?? '')];
  multi['X-Forwarded-Proto'] ??= ['http'];
  multi['X-Amzn-Trace-Id'] ??= [
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
  ];
  const headers = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]!]));
  return { headers, multiValueHeaders: multi };
}

/** The `$connect` event: handshake headers and query string, no body. */
export function connectEvent(conn: WsConnectionInfo, req: IncomingMessage): WsEvent {
  const event = {
    ...wsHeaders(req, conn.sourceIp),
    requestContext: wsRequestContext(conn, '$connect', 'CONNECT'),
    isBase64Encoded: false,
  } as WsEvent;
  const values = queryValues(splitUrl(req.url ?? '/').rawQueryString);
  if (values.size) {
    event.queryStringParameters = Object.fromEntries([...values].map(([k, v]) => [k, v[v.length - 1]!]));
    event.multiValueQueryStringParameters = Object.fromEntries(values);
  }
  return event;
}

/** A `$default` event for one client message; binary frames arrive base64-encoded. */
export function messageEvent(conn: WsConnectionInfo, data: Buffer, isBinary: boolean): WsEvent {
  const requestContext = wsRequestContext(conn, '$default', 'MESSAGE');
  requestContext.messageId = gatewayId();
  return {
    requestContext,
    body: data.toString(isBinary ? 'base64' : 'utf8'),
    isBase64Encoded: isBinary,
  };
}

/** The `$disconnect` event, with the close status code and reason. */
export function disconnectEvent(conn: WsConnectionInfo, statusCode: number, reason: string): WsEvent {
  const requestContext = wsRequestContext(conn, '$disconnect', 'DISCONNECT');
  requestContext.disconnectStatusCode = statusCode;
  requestContext.disconnectReason = reason;
  return {
    headers: { Host: conn.domainName, 'X-Forwarded-For': conn.sourceIp },
    multiValueHeaders: { Host: [conn.domainName], 'X-Forwarded-For': [conn.sourceIp] },
    requestContext,
    isBase64Encoded: false,
  };
}
