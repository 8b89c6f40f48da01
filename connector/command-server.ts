/**
 * The connector's private command endpoint: the API Lambdas POST one unified command for a link they
 * found in the lease, and get the vendor's result (or a typed error) synchronously.
 *
 *   POST /v1/commands  {tenant, link, command}   Authorization: Bearer <connector token>
 *   200 {result} | 4xx/5xx {error: {kind, message, status, vendor?}}
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../shared/log.js';
import {
  LinkUnavailableError,
  NotSupportedError,
  VendorError,
  type CallCommand,
} from '../vendors/driver-kit/seam.js';
import type { LinkRunner } from './link-runner.js';

export interface CommandErrorBody {
  error: {
    kind: 'vendor' | 'not-supported' | 'unavailable' | 'not-owner' | 'invalid' | 'internal';
    message: string;
    status: number;
    vendor?: { name: string; code?: string; text?: string; status?: number };
  };
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenOk(header: string | undefined, token: string): boolean {
  const got = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startCommandServer(opts: {
  host: string;
  port: number;
  token: string;
  runner: (tenant: string, link: string) => LinkRunner | undefined;
  logger: Logger;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (
      status: number,
      kind: CommandErrorBody['error']['kind'],
      message: string,
      vendor?: CommandErrorBody['error']['vendor'],
    ) =>
      send(status, {
        error: { kind, message, status, ...(vendor ? { vendor } : {}) },
      } satisfies CommandErrorBody);
    if (req.method === 'GET' && req.url === '/health') return send(200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/v1/commands') return fail(404, 'invalid', 'not found');
    if (!tokenOk(req.headers.authorization, opts.token)) return fail(401, 'invalid', 'bad connector token');
    let body: { tenant?: string; link?: string; command?: CallCommand };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return fail(400, 'invalid', 'body must be JSON');
    }
    if (!body.tenant || !body.link || !body.command?.kind)
      return fail(400, 'invalid', 'tenant, link and command are required');
    const runner = opts.runner(body.tenant, body.link);
    if (!runner) return fail(409, 'not-owner', 'this connector does not own the link');
    try {
      const result = await runner.execute(body.command as never);
      send(200, { result });
    } catch (err) {
      if (err instanceof VendorError) return fail(err.status, 'vendor', err.message, err.vendor);
      if (err instanceof NotSupportedError)
        return fail(501, 'not-supported', err.message, { name: err.vendor });
      if (err instanceof LinkUnavailableError) return fail(503, 'unavailable', err.message);
      opts.logger.error('command failed', { error: err as Error, link: body.link, kind: body.command.kind });
      return fail(500, 'internal', 'command failed inside the connector');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
