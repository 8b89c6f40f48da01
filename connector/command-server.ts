/**
 * The connector's private command endpoint: the API Lambdas POST one unified command for a link they
 * found in the lease, and get the vendor's result (or a typed error) synchronously.
 *
 *   POST /v1/commands  {tenant, link, command}   Authorization: Bearer <connector token>
 *   200 {result} | 4xx/5xx {error: {kind, message, status, vendor?}}
 *
 * Routes are a table keyed by `METHOD path`; further routes (behind the same token) come in through
 * `startCommandServer({routes})`, each from its own module.
 */
import { readLimited } from './callbacks/body.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { COMMAND_PATH, type CommandRequest } from '../shared/commands/contract.js';
import {
  commandError,
  commandErrorOf,
  type CommandErrorBody,
  type CommandErrorKind,
} from '../shared/commands/errors.js';
import type { Logger } from '../shared/log.js';
import type { LinkRunner } from './link-runner.js';

export type { CommandErrorBody } from '../shared/commands/errors.js';

/** What a route answers: a status and a JSON body. */
export interface CommandServerAnswer {
  status: number;
  body: unknown;
}

/** One authenticated request, its body parsed as JSON. */
export interface CommandServerRequest {
  body: unknown;
  runner: (tenant: string, link: string) => LinkRunner | undefined;
  logger: Logger;
}

/** A route of the command server, keyed `METHOD path` (e.g. `POST /v1/commands`). */
export type CommandServerRoute = (req: CommandServerRequest) => Promise<CommandServerAnswer>;

export interface CommandServerOptions {
  host: string;
  port: number;
  /** The bearer token every route but `GET /health` requires. */
  token: string;
  runner: (tenant: string, link: string) => LinkRunner | undefined;
  logger: Logger;
  /** Routes besides `POST /v1/commands`, keyed `METHOD path`. */
  routes?: Record<string, CommandServerRoute>;
}

const MAX_BODY = 1024 * 1024;

function tokenOk(header: string | undefined, token: string): boolean {
  const got = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * An error answer with the status of the shared error table (or `status`).
 *
 * @example
 * return failure('invalid', 'tenant, link and command are required'); // 400
 */
export function failure(
  kind: CommandErrorKind,
  message: string,
  opts: { status?: number; vendor?: CommandErrorBody['error']['vendor'] } = {},
): CommandServerAnswer {
  const body = commandError(kind, message, opts);
  return { status: body.error.status, body };
}

/** `POST /v1/commands`: run the command on the link's driver. */
export const executeCommand: CommandServerRoute = async ({ body, runner, logger }) => {
  const req = (body ?? {}) as Partial<CommandRequest>;
  if (!req.tenant || !req.link || !req.command?.kind)
    return failure('invalid', 'tenant, link and command are required');
  const link = runner(req.tenant, req.link);
  if (!link) return failure('not-owner', 'this connector does not own the link');
  try {
    return { status: 200, body: { result: await link.execute(req.command as never) } };
  } catch (err) {
    const known = commandErrorOf(err);
    if (known) return { status: known.error.status, body: known };
    logger.error('command failed', { error: err as Error, link: req.link, kind: req.command.kind });
    return failure('internal', 'command failed inside the connector');
  }
};

/**
 * Starts the command server.
 *
 * @example
 * const server = await startCommandServer({ host: '127.0.0.1', port: 0, token, runner, logger });
 * // POST `${server.url}/v1/commands` with `Authorization: Bearer ${token}`
 * await server.close();
 */
export async function startCommandServer(
  opts: CommandServerOptions,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const routes = new Map<string, CommandServerRoute>([
    [`POST ${COMMAND_PATH}`, executeCommand],
    ...Object.entries(opts.routes ?? {}),
  ]);
  const server = createServer(async (req, res) => {
    const send = ({ status, body }: CommandServerAnswer) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health') return send({ status: 200, body: { status: 'ok' } });
    const route = routes.get(`${req.method} ${req.url}`);
    if (!route) return send(failure('invalid', 'not found', { status: 404 }));
    if (!tokenOk(req.headers.authorization, opts.token))
      return send(failure('invalid', 'bad connector token', { status: 401 }));
    let body: unknown;
    try {
      body = JSON.parse((await readLimited(req, MAX_BODY)).toString('utf8'));
    } catch {
      return send(failure('invalid', 'body must be JSON'));
    }
    try {
      send(await route({ body, runner: opts.runner, logger: opts.logger }));
    } catch (err) {
      opts.logger.error('command server route failed', { error: err as Error, route: req.url });
      send(failure('internal', 'request failed inside the connector'));
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
