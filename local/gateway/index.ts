/**
 * Local API Gateway: an HTTP API (payload format 2.0, Lambda REQUEST authorizer) on one port, and a
 * WebSocket API with its `@connections` management API on another, invoking the very Lambda handlers
 * the CDK app deploys with API Gateway's event shapes. See docs of each part in http.ts, websocket.ts,
 * management.ts and events.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { httpApi } from './http.js';
import { managementApi } from './management.js';
import { WebSocketApi } from './websocket.js';
import type { WsEvent } from './events.js';

/** How long the emulation keeps an idle keep-alive connection open (ms). */
const IDLE_KEEP_ALIVE_MS = 65_000;

export type { WsEvent } from './events.js';

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway route path with `{param}` placeholders (and `{proxy+}` greedy ones). */
  path: string;
  handler: (
    event: APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>> | APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyResultV2>;
  /** Run the HTTP API Lambda authorizer first. */
  authorize: boolean;
  /** Lambda function name in the handler's `Context` (default: the route key). */
  functionName?: string;
}

export type WsHandler = (event: WsEvent, context: Context) => Promise<APIGatewayProxyResultV2 | void>;

export interface GatewayLogger {
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}

export interface GatewayOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  httpPort: number;
  /** 0 picks a free port. */
  wsPort: number;
  /** Stage name; default `$default` for the HTTP API (no path prefix) and `local` for the WebSocket API. */
  stage?: string;
  routes: HttpRoute[];
  /** API Gateway's `$default` route: what no route matches goes here (routeKey `$default`). */
  defaultRoute?: Omit<HttpRoute, 'method' | 'path'>;
  authorizer?: (
    event: APIGatewayRequestAuthorizerEventV2,
    context: Context,
  ) => Promise<APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>>;
  websocket: { connect: WsHandler; disconnect: WsHandler; default: WsHandler };
  /** Default: console. */
  logger?: GatewayLogger;
  /** Largest WebSocket message, either direction. Default 128 KiB (API Gateway's message limit). */
  maxFrameBytes?: number;
  /** Close a connection after this long without traffic. Default 10 minutes (API Gateway's idle timeout). */
  idleTimeoutMs?: number;
  /** Integration timeout: a handler still running after this is answered 503 (HTTP) or an error frame (WebSocket). Default 30 s. */
  timeoutMs?: number;
}

export interface Gateway {
  /** `http://host:port` (plus `/stage` on a named HTTP stage). */
  httpUrl: string;
  /** `ws://host:port`; `/{stage}` on the same port is accepted too. */
  wsUrl: string;
  /** The stage URL to give `ApiGatewayManagementApiClient({ endpoint })`. */
  managementEndpoint: string;
  /** Ids of the open WebSocket connections. */
  connections(): string[];
  /** Closes both servers and every socket; `$disconnect` is not run for connections closed this way. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? console;
  const httpStage = options.stage ?? '$default';
  const wsStage = options.stage ?? 'local';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxFrameBytes = options.maxFrameBytes ?? 128 * 1024;

  const ws = new WebSocketApi({
    stage: wsStage,
    handlers: options.websocket,
    logger,
    maxFrameBytes,
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    timeoutMs,
  });
  const httpServer = createServer(
    httpApi({
      stage: httpStage,
      routes: options.routes,
      defaultRoute: options.defaultRoute,
      authorizer: options.authorizer,
      logger,
      timeoutMs,
    }),
  );
  const wsServer = createServer(managementApi(ws, { stage: wsStage, maxFrameBytes, logger }));
  wsServer.on('upgrade', (req, socket, head: Buffer) => ws.handleUpgrade(req, socket, head));
  // An idle keep-alive connection is closed by the client, not here: a server that closes one just as
  // the client sends on it (Node's default is 5 s, the clients' own limit is about the same) makes that
  // request fail with ECONNRESET. With a minute here, a client gone quiet for seconds (a test, a bench
  // between phases) never meets the race; AWS's front ends keep idle connections longer still.
  for (const server of [httpServer, wsServer]) {
    server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
    server.headersTimeout = IDLE_KEEP_ALIVE_MS + 1000;
  }

  let httpPort: number;
  let wsPort: number;
  try {
    httpPort = await listen(httpServer, options.httpPort, host);
    wsPort = await listen(wsServer, options.wsPort, host);
  } catch (err) {
    await Promise.all([stop(httpServer), stop(wsServer)]);
    throw err;
  }

  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    httpUrl: `http://${urlHost}:${httpPort}${httpStage === '$default' ? '' : `/${httpStage}`}`,
    wsUrl: `ws://${urlHost}:${wsPort}`,
    managementEndpoint: `http://${urlHost}:${wsPort}${wsStage === '$default' ? '' : `/${wsStage}`}`,
    connections: () => [...ws.connections.keys()],
    close: () =>
      (closed ??= (async () => {
        await ws.shutdown();
        await Promise.all([stop(httpServer), stop(wsServer)]);
      })()),
  };
}
