/**
 * middy middlewares of every HTTP function: route resolution, errors as RFC 9457 problems, auth
 * enforcement, JSON parsing and zod validation. Handlers (operations) receive a parsed, typed request.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { principalFromContext, type Principal, type PrincipalContext } from '../../shared/auth/principal.js';
import type { Deps } from '../../shared/deps.js';
import { MAX_BODY_BYTES } from '../../shared/http/limits.js';
import { Problem, problems } from '../../shared/http/problem.js';
import { AlreadyExistsError, InvalidCursorError } from '../../shared/repos/common.js';
import { MissingReferenceError } from '../../shared/repos/subscriptions.js';
import { allowedMethods, DEFAULT_ROUTE_KEY, type RouteDef } from '../../shared/api/routes.js';

export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { lambda?: Partial<PrincipalContext> };
  };
};
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

export interface OperationRequest {
  route: RouteDef;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  principal: Principal;
  /** The tenant the call acts in ('' on admin-only routes). */
  tenant: string;
  deps: Deps;
  now: Date;
  requestId: string;
  headers: Record<string, string | undefined>;
}

export interface OperationResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The zod schemas an operation was typed with (see `./operation.ts`): its route's own schemas. */
export interface OperationSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** Handles one route. `schemas`: the route schemas its request type was inferred from, if any. */
export interface Operation {
  (req: OperationRequest): Promise<OperationResult>;
  readonly schemas?: OperationSchemas;
}

/** Per-invocation state the middlewares fill in. */
export interface RequestState {
  route?: RouteDef;
  principal?: Principal;
  tenant?: string;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

type Mw = MiddlewareObj<HttpEvent, HttpResult, Error, Context & { state: RequestState }>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Errors → problem+json. Unknown errors are logged with the request id and answered 500. */
export function problemErrors(deps: () => Deps): Mw {
  return {
    onError: async (request) => {
      const err = request.error;
      let problem: Problem;
      if (err instanceof Problem) problem = err;
      else if (err instanceof InvalidCursorError) problem = problems.invalidCursor();
      else if (err instanceof AlreadyExistsError) problem = problems.conflict(err.message, 'id');
      else if (err instanceof MissingReferenceError) problem = problems.unprocessable(err.message, err.field);
      else {
        deps().logger.error('unhandled error', {
          error: err as Error,
          requestId: request.context.awsRequestId,
        });
        problem = problems.internal();
      }
      request.response = problem.response(request.event.rawPath);
    },
  };
}

/**
 * Picks the route definition by API Gateway's routeKey. The catch-all `$default` (no route matched)
 * answers 405 with `Allow` when the path has routes for other methods, else 404.
 */
export function resolveRoute(routes: RouteDef[]): Mw {
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  return {
    before: async (request) => {
      if (request.event.routeKey === DEFAULT_ROUTE_KEY) throw unmatched(request.event);
      const route = byKey.get(request.event.routeKey);
      if (!route) throw new Problem(404, 'Not Found', `no route ${request.event.routeKey}`);
      request.context.state = { route };
    },
  };
}

function unmatched(event: HttpEvent): Problem {
  const method = event.requestContext.http.method;
  const allow = allowedMethods(event.rawPath);
  if (!allow.length)
    return new Problem(404, 'Not Found', `no route ${event.rawPath}`, {
      type: 'urn:cti-bridge:problem:no-route',
    });
  return new Problem(
    405,
    'Method Not Allowed',
    `${event.rawPath} accepts ${allow.join(', ')}, not ${method}`,
    {
      type: 'urn:cti-bridge:problem:method-not-allowed',
      headers: { allow: allow.join(', ') },
    },
  );
}

/** Enforces the route's auth level with the principal the authorizer identified. */
export function requireAuth(): Mw {
  return {
    before: async (request) => {
      const state = request.context.state;
      const route = state.route!;
      const principal = principalFromContext(request.event.requestContext.authorizer?.lambda);
      state.principal = principal;
      if (route.auth === 'none') return;
      if (principal.role === 'anonymous') throw problems.unauthorized(principal.reason);
      if (route.auth === 'admin') {
        if (principal.role !== 'admin') throw problems.forbidden('this route needs the admin key');
        state.tenant = '';
        return;
      }
      if (principal.role === 'admin' && !principal.tenant)
        throw problems.forbidden('the admin key manages tenants; use a tenant key for tenant routes');
      state.tenant = principal.tenant;
    },
  };
}

function parsePart(part: 'body' | 'query' | 'path', schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const res = schema.safeParse(value);
  if (!res.success) throw problems.validation(part, res.error);
  return res.data;
}

/** JSON body parsing and zod validation of path, query and body. */
export function validateRequest(): Mw {
  return {
    before: async (request) => {
      const { event } = request;
      const state = request.context.state;
      const route = state.route!;
      state.params = parsePart('path', route.params, { ...(event.pathParameters ?? {}) }) as Record<
        string,
        unknown
      >;
      state.query = parsePart('query', route.query, { ...(event.queryStringParameters ?? {}) }) as Record<
        string,
        unknown
      >;
      if (route.body) {
        const raw = event.body
          ? event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body
          : '';
        if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
        const ct = (event.headers?.['content-type'] ?? '').toLowerCase();
        if (raw.length && ct && !ct.startsWith('application/json') && !ct.includes('+json'))
          throw problems.unsupportedMediaType();
        let parsed: unknown = {};
        if (raw.trim().length) {
          try {
            parsed = JSON.parse(raw);
          } catch (err) {
            throw problems.malformedJson((err as Error).message);
          }
        }
        state.body = parsePart('body', route.body, parsed);
      }
    },
  };
}
