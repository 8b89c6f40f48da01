/**
 * The `@connections` management API (what `ApiGatewayManagementApiClient` calls), served on the
 * WebSocket port: POST sends one frame, GET describes the connection, DELETE closes it. Paths are
 * accepted with or without the stage prefix; SigV4 headers are accepted and not checked. Errors carry
 * `x-amzn-ErrorType`, which the SDK's restJson1 deserializer reads first to pick the exception class
 * (GoneException for 410, PayloadTooLargeException for 413).
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayId, splitUrl } from './events.js';
import type { GatewayLogger } from './index.js';
import type { WebSocketApi } from './websocket.js';

export interface ManagementApiOptions {
  stage: string;
  maxFrameBytes: number;
  logger: GatewayLogger;
}

function reply(res: ServerResponse, status: number, body?: unknown, errorType?: string) {
  res.statusCode = status;
  res.setHeader('x-amzn-RequestId', gatewayId());
  if (errorType) res.setHeader('x-amzn-ErrorType', errorType);
  if (body === undefined) return res.end();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Reads at most `limit + 1` bytes (enough to tell "too large"); the rest is drained. */
function readBody(req: IncomingMessage, limit: number): Promise<{ data: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size <= limit) chunks.push(c);
      size += c.length;
    });
    req.on('end', () => resolve({ data: Buffer.concat(chunks), tooLarge: size > limit }));
    req.on('error', reject);
  });
}

/** `/@connections/{id}` or `/{stage}/@connections/{id}` → the decoded connection id. */
function connectionIdOf(rawPath: string, stage: string): string | undefined {
  const m = /^(?:\/([^/]+))?\/@connections\/([^/]+)\/?$/.exec(rawPath);
  if (!m) return undefined;
  try {
    if (m[1] !== undefined && decodeURIComponent(m[1]) !== stage) return undefined;
    return decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
}

/** The request listener of the WebSocket port (upgrades are handled separately). */
export function managementApi(
  ws: WebSocketApi,
  opts: ManagementApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const { data, tooLarge } = await readBody(req, opts.maxFrameBytes);
    const id = connectionIdOf(splitUrl(req.url ?? '/').rawPath, opts.stage);
    if (id === undefined) return reply(res, 404, { message: 'Not Found' });
    const method = req.method ?? 'GET';
    if (!['GET', 'POST', 'DELETE'].includes(method)) return reply(res, 404, { message: 'Not Found' });
    const conn = ws.connections.get(id);
    if (!conn) return reply(res, 410, { message: `Connection ${id} is gone` }, 'GoneException');

    if (method === 'GET') {
      return reply(res, 200, {
        connectedAt: new Date(conn.info.connectedAt).toISOString(),
        identity: { sourceIp: conn.info.sourceIp, userAgent: conn.info.userAgent },
        lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
      });
    }
    if (method === 'DELETE') {
      ws.close(conn, 1000, 'Connection deleted');
      return reply(res, 204);
    }
    if (tooLarge) {
      return reply(
        res,
        413,
        { message: `Message too long; the limit is ${opts.maxFrameBytes} bytes` },
        'PayloadTooLargeException',
      );
    }
    // One frame per call: text when the bytes are valid UTF-8, binary otherwise.
    if (!ws.send(conn, data, !isUtf8(data)))
      return reply(res, 410, { message: `Connection ${id} is gone` }, 'GoneException');
    return reply(res, 200);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error('local @connections API failed', err);
      if (!res.headersSent) reply(res, 500, { message: 'Internal server error' });
    });
  };
}
