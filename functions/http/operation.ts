/**
 * Typed operations: a handler declares the zod schemas of its route and receives `params`, `query`
 * and `body` as those schemas' output types, without casts. When the function is built, each declared
 * schema is checked to be the very schema of the route in the manifest (`shared/api/routes.ts`), which
 * the middleware validated the request with, so the types cannot drift from what is validated.
 */
import type { z } from 'zod';
import type { RouteDef } from '../../shared/api/routes.js';
import type { Operation, OperationRequest, OperationResult, OperationSchemas } from './middleware.js';

type Part<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

/** An operation's request with its path, query and body typed from the declared schemas. */
export type TypedRequest<S extends OperationSchemas> = Omit<OperationRequest, 'params' | 'query' | 'body'> & {
  params: Part<S['params'], Record<string, unknown>>;
  query: Part<S['query'], Record<string, unknown>>;
  body: Part<S['body'], unknown>;
};

/**
 * An operation typed from its route's schemas (give the same schema objects the route lists).
 *
 * @example
 * // route: { operationId: 'getLink', params: S.LinkParams, ... }
 * const getLink = operation({ params: S.LinkParams }, async ({ params, tenant, deps }) => {
 *   const link = await deps.repos.links.get(tenant, params.link); // params: { link: string }
 *   return { status: 200, body: link };
 * });
 */
export function operation<const S extends OperationSchemas>(
  schemas: S,
  handle: (req: TypedRequest<S>) => Promise<OperationResult>,
): Operation {
  return Object.assign((req: OperationRequest) => handle(req as TypedRequest<S>), { schemas });
}

/**
 * Throws unless every schema `op` declares is the route's own schema for that part.
 *
 * @example
 * assertRouteSchemas(route, operations[route.operationId]!); // at function build time
 */
export function assertRouteSchemas(route: RouteDef, op: Operation): void {
  if (!op.schemas) return;
  for (const part of ['params', 'query', 'body'] as const) {
    const declared = op.schemas[part];
    if (declared && declared !== route[part])
      throw new Error(`operation ${route.operationId}: its ${part} schema is not the route's`);
  }
}
