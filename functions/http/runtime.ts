/**
 * Builds one HTTP Lambda function (a group of routes from the manifest) from its operations.
 * The same function object runs in AWS (deps from the environment) and in the local stack (deps given).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { lazyEnvDeps, type Deps } from '../../shared/deps.js';
import { routesOf, type FunctionName } from '../../shared/api/routes.js';
import {
  json,
  problemErrors,
  requireAuth,
  resolveRoute,
  validateRequest,
  type HttpEvent,
  type HttpResult,
  type Operation,
  type RequestState,
} from './middleware.js';
import { assertRouteSchemas } from './operation.js';

export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export function makeHttpFunction(
  fn: FunctionName,
  operations: Record<string, Operation>,
  getDeps: () => Deps,
): HttpHandler {
  const routes = routesOf(fn);
  for (const r of routes) {
    const op = operations[r.operationId];
    if (!op) throw new Error(`function ${fn}: no operation for ${r.operationId}`);
    assertRouteSchemas(r, op);
  }
  const core = async (event: HttpEvent, context: Context & { state: RequestState }): Promise<HttpResult> => {
    const s = context.state;
    const deps = getDeps();
    const result = await operations[s.route!.operationId]!({
      route: s.route!,
      params: s.params ?? {},
      query: s.query ?? {},
      body: s.body,
      principal: s.principal!,
      tenant: s.tenant ?? '',
      deps,
      now: deps.now(),
      requestId: context.awsRequestId,
      headers: event.headers ?? {},
    });
    if (result.status === 204) return { statusCode: 204, headers: result.headers ?? {}, body: '' };
    return json(result.status, result.body, result.headers);
  };
  const handler = middy<HttpEvent, HttpResult, Error, Context & { state: RequestState }>(core)
    .use(problemErrors(getDeps))
    .use(resolveRoute(routes))
    .use(requireAuth())
    .use(validateRequest());
  return handler as unknown as HttpHandler;
}

/** The Lambda entry: deps built from the environment on first use. */
export function lambdaEntry(build: (getDeps: () => Deps) => HttpHandler): HttpHandler {
  return build(lazyEnvDeps());
}
