/**
 * The control API (HTTP API). Routes come from the manifest (shared/api/routes.ts), one Lambda
 * integration per function group; every route with `auth !== 'none'` goes through the Lambda authorizer.
 *
 * The authorizer is a REQUEST authorizer with payload 2.0 and simple responses and, deliberately, no
 * identity source: with one, API Gateway would answer a request without the header itself with a bare
 * 401, while the handlers answer every auth failure with the same RFC 9457 problem body. Without an
 * identity source API Gateway cannot cache the result (TTL 0); the authorizer caches principals in memory.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  AuthorizerPayloadVersion,
  CfnAuthorizer,
  HttpApi,
  HttpAuthorizer,
  HttpAuthorizerType,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONSOLE_ROUTES } from '../../functions/console.js';
import { FUNCTIONS, ROUTES, type FunctionName } from '../../shared/api/routes.js';

/** One JSON line per request; `tenant` is the authorizer's context (empty for anonymous calls). */
export const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    tenant: '$context.authorizer.tenant',
    role: '$context.authorizer.role',
  }),
);

export interface ControlApiProps {
  functions: Record<FunctionName, IFunction>;
  authorizer: IFunction;
  /** Serves the console page's files (functions/console.ts) on CONSOLE_ROUTES, without authorization. */
  console: IFunction;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

export class ControlApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly authorizer: HttpAuthorizer;
  readonly accessLogs: LogGroup;
  /** The console page's routes (CONSOLE_ROUTES): public, they serve static files only. */
  readonly consoleRoutes: HttpRoute[];

  constructor(scope: Construct, id: string, props: ControlApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.api = new HttpApi(this, 'Api', {
      apiName: `${stack.stackName}-control`,
      description: 'cti-bridge control API',
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    this.authorizer = new HttpAuthorizer(this, 'Authorizer', {
      httpApi: this.api,
      authorizerName: 'cti-bridge-api-key',
      type: HttpAuthorizerType.LAMBDA,
      identitySource: [],
      enableSimpleResponses: true,
      payloadFormatVersion: AuthorizerPayloadVersion.VERSION_2_0,
      authorizerUri: stack.formatArn({
        service: 'apigateway',
        account: 'lambda',
        resource: 'path/2015-03-31/functions',
        resourceName: `${props.authorizer.functionArn}/invocations`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
      resultsCacheTtl: Duration.seconds(0),
    });
    // "No identity source" means the property is absent, not an empty list.
    (this.authorizer.node.defaultChild as CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    props.authorizer.addPermission('InvokedByHttpApiAuthorizer', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: stack.formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `authorizers/${this.authorizer.authorizerId}`,
      }),
    });
    const custom: IHttpRouteAuthorizer = {
      bind: () => ({ authorizerId: this.authorizer.authorizerId, authorizationType: 'CUSTOM' }),
    };
    const none = new HttpNoneAuthorizer();

    // One invoke permission per function for this API (not one per route): keeps the functions' resource
    // policies small as the manifest grows; each function is still integrated only with its own routes.
    const integrations = Object.fromEntries(
      FUNCTIONS.map((fn) => [
        fn,
        new HttpLambdaIntegration(`${fn}Integration`, props.functions[fn], { scopePermissionToRoute: false }),
      ]),
    ) as Record<FunctionName, HttpLambdaIntegration>;
    for (const r of ROUTES) {
      new HttpRoute(this, `Route-${r.operationId}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(r.path, HttpMethod[r.method]),
        integration: integrations[r.fn],
        authorizer: r.auth === 'none' ? none : custom,
      });
    }
    // What no route matches (an unknown path, or a known path with another method): `meta` answers 404,
    // or 405 with `Allow`, as problems instead of API Gateway's fixed `{"message":"Not Found"}`.
    new HttpRoute(this, 'Route-default', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations.meta,
      authorizer: none,
    });
    // The console page (functions/console.ts): files holding no data, so no authorizer; the page sends
    // the API key with each API request it makes, on this same origin.
    const consoleIntegration = new HttpLambdaIntegration('consoleIntegration', props.console, {
      scopePermissionToRoute: false,
    });
    this.consoleRoutes = CONSOLE_ROUTES.map((key) => {
      const [method, path] = key.split(' ') as [keyof typeof HttpMethod, string];
      // Route-console, Route-console-file
      return new HttpRoute(this, `Route-${path.slice(1).replace(/[{}+]/g, '').replaceAll('/', '-')}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(path, HttpMethod[method]),
        integration: consoleIntegration,
        authorizer: none,
      });
    });
  }

  /** `https://<api>.execute-api.<region>.amazonaws.com/` (the `$default` stage). */
  get url(): string {
    return this.stage.url;
  }
}
