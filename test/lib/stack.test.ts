/**
 * Offline assertions on the synthesized CloudFormation template. The main stack is synthesized once,
 * bundling the real handler files with the local esbuild (no Docker, no network); variants that only
 * change settings skip bundling (`aws:cdk:bundling-stacks`), which keeps the file well under a minute.
 * cdk-nag runs in nag.test.ts, the connector image checks in docker.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROUTES } from '../../functions/console.js';
import { DEFAULT_ROUTE_KEY, FUNCTIONS, ROUTES, routeKey } from '../../shared/api/routes.js';
import { configFromEnv } from '../../shared/config.js';
import { createTableInput, TTL_ATTRIBUTE } from '../../shared/db/table.js';
import { CtiBridgeStack } from '../../lib/cti-bridge-stack.js';
import {
  ESM_REQUIRE_BANNER,
  UNUSED_CREDENTIAL_PROVIDERS,
  VPC_ENI_ACTIONS,
} from '../../lib/constructs/functions.js';
import { CONNECTOR_CLIENTS, WS_CONNECTOR_CLIENTS } from '../../lib/constructs/functions.js';
import { LINK_SECRET_ACTIONS, LINK_SECRET_READ_ACTIONS } from '../../lib/constructs/secrets.js';
import { PROJECT_ROOT } from '../../lib/paths.js';
import { settingsFromContext } from '../../lib/settings.js';

type Json = Record<string, any>;

/** The feature flags of cdk.json, so the test synthesizes what `cdk synth` does. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Json }
).context;

function synth(context: Json, opts: { bundle: boolean }) {
  const outdir = mkdtempSync(join(tmpdir(), 'cti-bridge-cdk-'));
  const app = new App({
    outdir,
    context: { ...CDK_JSON_CONTEXT, ...context, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const settings = settingsFromContext(app.node);
  const stack = new CtiBridgeStack(app, settings.stackName, { stackName: settings.stackName, settings });
  const template = Template.fromStack(stack);
  return { outdir, stack, template, json: template.toJSON() as Json };
}

/** Runs an ES module script in a fresh Node process (bundles keep module state; keep it out of the test). */
function runNode(script: string, env: Record<string, string> = {}): string {
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  if (res.status !== 0) throw new Error(`node exited ${res.status}: ${res.stderr}`);
  return res.stdout;
}

const resourcesOf = (json: Json, type: string) =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

/**
 * The bridge's functions; not the provider function CDK adds to strip the VPC default security group's
 * rules (`Custom::VpcRestrictDefaultSG`, an AWS-maintained custom resource with its own role).
 */
const lambdas = (json: Json) =>
  resourcesOf(json, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomVpcRestrictDefaultSG'));

const logicalId = (stack: CtiBridgeStack, fn: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(fn.node.defaultChild as CfnFunction);

let main: ReturnType<typeof synth>;

beforeAll(() => {
  main = synth({}, { bundle: true });
}, 120_000);

afterAll(() => {
  if (main) rmSync(main.outdir, { recursive: true, force: true });
});

describe('table', () => {
  it('has exactly the layout of shared/db/table.ts (the local stack creates the same)', () => {
    const expected = createTableInput('unused');
    const [[, table] = []] = resourcesOf(main.json, 'AWS::DynamoDB::Table');
    expect(resourcesOf(main.json, 'AWS::DynamoDB::Table')).toHaveLength(1);
    const p = table!.Properties as Json;
    expect(p.KeySchema).toEqual(expected.KeySchema);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      a.AttributeName!.localeCompare(b.AttributeName!);
    expect([...p.AttributeDefinitions].sort(byName)).toEqual(
      [...expected.AttributeDefinitions!].sort(byName),
    );
    expect(p.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
  });

  it('has TTL, point-in-time recovery, encryption and is protected and retained by default', () => {
    main.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('functions', () => {
  it('has one function per FUNCTIONS entry, the authorizer, the three WebSocket handlers and the console', () => {
    const fns = lambdas(main.json);
    expect(fns).toHaveLength(FUNCTIONS.length + 1 + 3 + 1);
    const ids = [
      ...FUNCTIONS.map((fn) => logicalId(main.stack, main.stack.functions.http[fn])),
      logicalId(main.stack, main.stack.functions.authorizer),
      ...Object.values(main.stack.functions.ws).map((f) => logicalId(main.stack, f)),
      logicalId(main.stack, main.stack.functions.console),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(fns.map(([id]) => id).sort()).toEqual([...ids].sort());
  });

  it('runs Node.js 24 on arm64 with a bounded memory size and timeout', () => {
    for (const [id, fn] of lambdas(main.json)) {
      const p = fn.Properties as Json;
      expect(p.Runtime, id).toBe('nodejs24.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      expect(p.Handler, id).toBe('index.handler');
      expect(p.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(p.MemorySize, id).toBeGreaterThanOrEqual(256);
      expect(p.MemorySize, id).toBeLessThanOrEqual(512);
      // Below the HTTP API's 30 s integration limit.
      expect(p.Timeout, id).toBeLessThanOrEqual(29);
    }
  });

  it('bundles the real handler files as ESM with the createRequire banner and source maps', () => {
    for (const [id, fn] of lambdas(main.json)) {
      // The staged asset folder is named after the asset hash, which is also the S3 key.
      const hash = ((fn.Properties as Json).Code.S3Key as string).replace(/\.zip$/, '');
      const assetDir = join(main.outdir, `asset.${hash}`);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER), id).toBe(true);
      expect(code, id).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(existsSync(join(assetDir, 'index.mjs.map')), id).toBe(true);
    }
  });

  it('loads every bundle and finds its handler; the bundled meta function answers /v1/health', () => {
    const bundle = (fn: { node: { defaultChild?: unknown } }) => {
      const code = main.json.Resources[logicalId(main.stack, fn)].Properties.Code as Json;
      return join(main.outdir, `asset.${(code.S3Key as string).replace(/\.zip$/, '')}`, 'index.mjs');
    };
    const { http, authorizer, ws } = main.stack.functions;
    const files = [
      ...Object.values(http),
      authorizer,
      ...Object.values(ws),
      main.stack.functions.console,
    ].map(bundle);
    const loaded = runNode(
      `const files = ${JSON.stringify(files)};
       for (const f of files) console.log(typeof (await import(f)).handler);`,
    );
    expect(loaded.trim().split('\n')).toEqual(files.map(() => 'function'));

    const event = {
      version: '2.0',
      routeKey: 'GET /v1/health',
      rawPath: '/v1/health',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/v1/health' },
        requestId: 'r1',
        routeKey: 'GET /v1/health',
        authorizer: { lambda: { role: 'anonymous', tenant: '', keyId: '' } },
      },
    };
    const out = runNode(
      `const { handler } = await import(${JSON.stringify(bundle(http.meta))});
       const res = await handler(${JSON.stringify(event)}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 10000 });
       console.log(JSON.stringify(res));`,
      {
        BRIDGE_TABLE: 'cti-bridge-test',
        BRIDGE_WEBSOCKET_URL: 'wss://abc.execute-api.eu-west-1.amazonaws.com/live',
        BRIDGE_SECRETS_PREFIX: 'cti-bridge/CtiBridge/links/',
        AWS_REGION: 'eu-west-1',
        BRIDGE_LOG_LEVEL: 'SILENT',
      },
    );
    const res = JSON.parse(out.trim().split('\n').at(-1)!) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
  });

  it('bundles the built console beside the console handler, which serves it from there', () => {
    const code = main.json.Resources[logicalId(main.stack, main.stack.functions.console)].Properties
      .Code as Json;
    const assetDir = join(main.outdir, `asset.${(code.S3Key as string).replace(/\.zip$/, '')}`);
    const page = readFileSync(join(assetDir, 'console', 'index.html'), 'utf8');
    expect(page).toContain('/console/assets/');
    // Built from the sources at synth time: every script and style the page names is in the bundle.
    const named = [...page.matchAll(/\/console\/(assets\/[^"]+)"/g)].map((m) =>
      m[1]!.slice('assets/'.length),
    );
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(join(assetDir, 'console', 'assets')).sort()).toEqual(named.sort());
    const get = (file?: string) => ({
      version: '2.0',
      routeKey: file === undefined ? 'GET /console' : 'GET /console/{file+}',
      rawPath: `/console/${file ?? ''}`,
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      ...(file === undefined ? {} : { pathParameters: { file } }),
      requestContext: { http: { method: 'GET', path: `/console/${file ?? ''}` }, requestId: 'r1' },
    });
    const out = runNode(
      `const { handler } = await import(${JSON.stringify(join(assetDir, 'index.mjs'))});
       for (const e of ${JSON.stringify([get(), get('nope.js')])}) console.log(JSON.stringify(await handler(e)));`,
    );
    const [index, missing] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { statusCode: number; headers: Json; body: string });
    expect(index!.statusCode).toBe(200);
    expect(index!.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Buffer.from(index!.body, 'base64').toString('utf8')).toBe(page);
    expect(missing!.statusCode).toBe(404);
  });

  it('gives every function the environment configFromEnv() needs (the console none of it)', () => {
    const consoleId = logicalId(main.stack, main.stack.functions.console);
    expect(main.json.Resources[consoleId].Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const [id, fn] of lambdas(main.json)) {
      if (id === consoleId) continue;
      const vars = (fn.Properties as Json).Environment.Variables as Json;
      expect(vars.BRIDGE_TABLE, id).toEqual({ Ref: logicalId(main.stack, main.stack.table.table) });
      expect(JSON.stringify(vars.BRIDGE_WEBSOCKET_URL), id).toMatch(/wss:\/\/.*\/live/);
      expect(vars, id).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        BRIDGE_SECRETS_KIND: 'secretsmanager',
        BRIDGE_SECRETS_PREFIX: 'cti-bridge/CtiBridge/links/',
        BRIDGE_EVENT_TTL_DAYS: '7',
        BRIDGE_WEBHOOK_SCHEMES: 'https',
        BRIDGE_LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: 'cti-bridge',
        POWERTOOLS_METRICS_NAMESPACE: 'CtiBridge',
      });
      // The connector token is never in a function's environment in clear.
      expect(vars, id).not.toHaveProperty('BRIDGE_CONNECTOR_TOKEN');
      // With the CloudFormation references replaced by plausible values, the handlers' parser accepts it.
      const env = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : `x-${k}`]),
      );
      env.BRIDGE_WEBSOCKET_URL = 'wss://abc.execute-api.eu-west-1.amazonaws.com/live';
      if (env.BRIDGE_CONNECTOR_TOKEN_SECRET_ARN)
        env.BRIDGE_CONNECTOR_TOKEN_SECRET_ARN =
          'arn:aws:secretsmanager:eu-west-1:111122223333:secret:t-AbCdEf';
      const config = configFromEnv({ ...env, AWS_REGION: 'eu-west-1' });
      expect(config.secrets).toEqual({ kind: 'secretsmanager', prefix: 'cti-bridge/CtiBridge/links/' });
      expect(config.eventTtlDays).toBe(7);
    }
    const calls = main.json.Resources[logicalId(main.stack, main.stack.functions.http.calls)];
    expect(calls.Properties.Environment.Variables.BRIDGE_CONNECTOR_TOKEN_SECRET_ARN).toEqual({
      Ref: main.stack.getLogicalId(main.stack.secrets.connectorToken.node.defaultChild as CfnFunction),
    });
    const auth = main.json.Resources[logicalId(main.stack, main.stack.functions.authorizer)];
    expect(auth.Properties.Environment.Variables.BRIDGE_ADMIN_KEY_SECRET_ARN).toEqual({
      Ref: main.stack.getLogicalId(main.stack.secrets.adminKey.node.defaultChild as CfnFunction),
    });
  });

  it('sends every function to its own log group with a retention', () => {
    const groups = resourcesOf(main.json, 'AWS::Logs::LogGroup');
    for (const [id, g] of groups) expect((g.Properties as Json).RetentionInDays, id).toBe(30);
    const groupIds = new Set(groups.map(([id]) => id));
    for (const [id, fn] of lambdas(main.json)) {
      const ref = (fn.Properties as Json).LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect(ref && groupIds.has(ref), id).toBe(true);
    }
  });
});

describe('HTTP API', () => {
  const httpApiId = () => logicalId(main.stack, main.stack.controlApi.api);
  const authorizerId = () => logicalId(main.stack, main.stack.controlApi.authorizer);

  it('has exactly the routes of the manifest, the console routes, and $default to meta without authorization', () => {
    const routes = resourcesOf(main.json, 'AWS::ApiGatewayV2::Route').filter(
      ([, r]) => (r.Properties as Json).ApiId.Ref === httpApiId(),
    );
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      [...ROUTES.map(routeKey), ...CONSOLE_ROUTES, DEFAULT_ROUTE_KEY].sort(),
    );
    const [[, fallback] = []] = routes.filter(([, r]) => r.Properties.RouteKey === DEFAULT_ROUTE_KEY);
    expect((fallback!.Properties as Json).AuthorizationType).toBe('NONE');
    const health = routes.find(([, r]) => r.Properties.RouteKey === 'GET /v1/health')!;
    expect((fallback!.Properties as Json).Target).toEqual((health[1].Properties as Json).Target);
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s: authorization and target function', (key, r) => {
    const [[, route] = []] = resourcesOf(main.json, 'AWS::ApiGatewayV2::Route').filter(
      ([, x]) => (x.Properties as Json).RouteKey === key,
    );
    const p = route!.Properties as Json;
    if (r.auth === 'none') {
      expect(p.AuthorizationType).toBe('NONE');
      expect(p.AuthorizerId).toBeUndefined();
    } else {
      expect(p.AuthorizationType).toBe('CUSTOM');
      expect(p.AuthorizerId).toEqual({ Ref: authorizerId() });
    }
    const integrationId = (p.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
    const integration = main.json.Resources[integrationId.Ref].Properties as Json;
    expect(integration.IntegrationType).toBe('AWS_PROXY');
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(integration.IntegrationUri).toEqual({
      'Fn::GetAtt': [logicalId(main.stack, main.stack.functions.http[r.fn]), 'Arn'],
    });
  });

  it.each(CONSOLE_ROUTES.map((k) => [k]))('%s: no authorization, the console function', (key) => {
    expect(['GET /console', 'GET /console/{file+}']).toContain(key);
    const [[, route] = []] = resourcesOf(main.json, 'AWS::ApiGatewayV2::Route').filter(
      ([, x]) => (x.Properties as Json).RouteKey === key,
    );
    const p = route!.Properties as Json;
    expect(p.ApiId).toEqual({ Ref: httpApiId() });
    expect(p.AuthorizationType).toBe('NONE');
    expect(p.AuthorizerId).toBeUndefined();
    const integrationId = (p.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
    const integration = main.json.Resources[integrationId.Ref].Properties as Json;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(integration.IntegrationUri).toEqual({
      'Fn::GetAtt': [logicalId(main.stack, main.stack.functions.console), 'Arn'],
    });
  });

  it('has a REQUEST authorizer with payload 2.0, simple responses, no identity source and no cache', () => {
    const authorizers = resourcesOf(main.json, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const p = authorizers[0]![1].Properties as Json;
    expect(p).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(p).not.toHaveProperty('IdentitySource');
    expect(JSON.stringify(p.AuthorizerUri)).toContain(logicalId(main.stack, main.stack.functions.authorizer));
    main.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(main.stack, main.stack.functions.authorizer), 'Arn'] },
    });
    const permissions = resourcesOf(main.json, 'AWS::Lambda::Permission').filter(([, x]) =>
      JSON.stringify(x.Properties.FunctionName).includes(
        logicalId(main.stack, main.stack.functions.authorizer),
      ),
    );
    expect(permissions).toHaveLength(1);
    expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain(
      `{"Ref":"${httpApiId()}"},"/authorizers/",{"Ref":"${authorizerId()}"}`,
    );
  });

  it('has a $default stage with throttling and access logs', () => {
    main.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: httpApiId() },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(main.stack, main.stack.controlApi.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });
});

describe('WebSocket API', () => {
  const wsApiId = () => logicalId(main.stack, main.stack.events.api);

  it('selects routes by $request.body.action and has $connect, $disconnect and $default', () => {
    main.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    const routes = resourcesOf(main.json, 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => (r.Properties as Json).ApiId.Ref === wsApiId())
      .map(([, r]) => r.Properties as Json);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    // $connect checks the channel token itself.
    for (const r of routes) expect(r.AuthorizationType).toBe('NONE');
    // $default answers (pong / error frames) through a route response.
    expect(routes.find((r) => r.RouteKey === '$default')!.RouteResponseSelectionExpression).toBe('$default');
    main.template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', 1);
  });

  it('has an auto-deployed, throttled live stage', () => {
    main.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: wsApiId() },
      StageName: 'live',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });
});

describe('IAM', () => {
  const statementsOf = (json: Json) =>
    resourcesOf(json, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      ((p.Properties as Json).PolicyDocument.Statement as Json[]).map((s) => ({
        id,
        roles: JSON.stringify(p.Properties.Roles),
        actions: [s.Action].flat() as string[],
        resources: [s.Resource].flat() as unknown[],
      })),
    );
  const roleOf = (fn: { role?: { node: { defaultChild?: unknown } } }) =>
    main.stack.getLogicalId(fn.role!.node.defaultChild as CfnFunction);
  const grantsOf = (fn: { role?: { node: { defaultChild?: unknown } } }) =>
    statementsOf(main.json).filter((s) => s.roles.includes(`"${roleOf(fn)}"`));

  it('uses `Resource: *` only where AWS requires it: X-Ray, Lambda VPC interfaces, ECR authorization', () => {
    const statements = statementsOf(main.json);
    expect(statements.length).toBeGreaterThan(0);
    const required = [
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      [...VPC_ENI_ACTIONS],
      ['ecr:GetAuthorizationToken'],
    ];
    for (const s of statements.filter((x) => x.resources.includes('*'))) {
      expect(s.resources, s.id).toEqual(['*']);
      for (const a of s.actions) expect(required.flat(), `${s.id} ${a}`).toContain(a);
    }
    // Network interfaces: the functions that reach the connector only (the VPC-attached ones).
    const eni = statements.filter((x) => x.actions.includes('ec2:CreateNetworkInterface'));
    expect(eni).toHaveLength(CONNECTOR_CLIENTS.length + WS_CONNECTOR_CLIENTS.length);
    for (const fn of CONNECTOR_CLIENTS)
      expect(eni.map((s) => s.roles).join()).toContain(roleOf(main.stack.functions.http[fn]));
    for (const fn of WS_CONNECTOR_CLIENTS)
      expect(eni.map((s) => s.roles).join()).toContain(roleOf(main.stack.functions.ws[fn]));
    for (const s of statements.filter((x) => x.actions.some((a) => a.startsWith('dynamodb:')))) {
      expect(
        s.actions.every((a) =>
          /^dynamodb:(Get|BatchGet|Query|Put|Update|Delete|BatchWrite|ConditionCheck)/.test(a),
        ),
        s.id,
      ).toBe(true);
    }
  });

  it('lets each function write only to its own log group (no AWSLambdaBasicExecutionRole)', () => {
    for (const [id, role] of resourcesOf(main.json, 'AWS::IAM::Role')) {
      if (id.startsWith('CustomVpcRestrictDefaultSG')) continue; // CDK's provider, see lambdas()
      expect((role.Properties as Json).ManagedPolicyArns, id).toBeUndefined();
    }
    for (const [id, fn] of lambdas(main.json)) {
      const p = fn.Properties as Json;
      const role = p.Role['Fn::GetAtt'][0] as string;
      const logs = statementsOf(main.json).filter(
        (s) => s.roles.includes(`"${role}"`) && s.actions.some((a) => a.startsWith('logs:')),
      );
      expect(logs, id).toHaveLength(1);
      expect(logs[0]!.actions.sort(), id).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0]!.resources, id).toEqual([{ 'Fn::GetAtt': [p.LoggingConfig.LogGroup.Ref, 'Arn'] }]);
    }
  });

  it('gives each function only the table access it needs', () => {
    const dynamoActions = (fn: Parameters<typeof grantsOf>[0]) =>
      grantsOf(fn).flatMap((s) => s.actions.filter((a) => a.startsWith('dynamodb:')));
    const { http, authorizer, ws } = main.stack.functions;
    expect(dynamoActions(http.meta)).toEqual([]);
    expect(dynamoActions(main.stack.functions.console)).toEqual([]);
    // The console function's role: its log group and X-Ray, nothing else.
    expect(
      grantsOf(main.stack.functions.console)
        .flatMap((s) => s.actions)
        .sort(),
    ).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    for (const fn of [http.events, authorizer]) {
      expect(dynamoActions(fn).sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
      ]);
    }
    for (const fn of [http.tenants, http.links, ws.connect, ws.disconnect, ws.default]) {
      expect(dynamoActions(fn)).toEqual(
        expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']),
      );
    }
  });

  it('scopes link secrets to the prefix, for the links function only', () => {
    const secretStatements = statementsOf(main.json).filter((s) =>
      s.actions.includes('secretsmanager:CreateSecret'),
    );
    expect(secretStatements).toHaveLength(1);
    const s = secretStatements[0]!;
    expect(s.roles).toContain(roleOf(main.stack.functions.http.links));
    expect(s.actions.sort()).toEqual([...LINK_SECRET_ACTIONS].sort());
    expect(JSON.stringify(s.resources)).toContain(':secret:cti-bridge/CtiBridge/links/*');
  });

  it('lets only the authorizer read the admin key', () => {
    const adminKey = main.stack.getLogicalId(main.stack.secrets.adminKey.node.defaultChild as CfnFunction);
    const readers = statementsOf(main.json).filter((s) =>
      JSON.stringify(s.resources).includes(`"${adminKey}"`),
    );
    expect(readers).toHaveLength(1);
    expect(readers[0]!.roles).toContain(roleOf(main.stack.functions.authorizer));
  });

  it("grants execute-api:ManageConnections on this API's live @connections only, to the ws default handler and the connector", () => {
    const manage = statementsOf(main.json).filter((s) => s.actions.includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(2);
    const taskRole = main.stack.getLogicalId(
      main.stack.connector.taskDefinition.taskRole.node.defaultChild as CfnFunction,
    );
    expect(manage.map((m) => m.roles).join()).toContain(roleOf(main.stack.functions.ws.default));
    expect(manage.map((m) => m.roles).join()).toContain(taskRole);
    for (const m of manage) {
      const arn = JSON.stringify(m.resources);
      expect(arn).toContain(`{"Ref":"${logicalId(main.stack, main.stack.events.api)}"}`);
      expect(arn).toContain('/live/*/@connections/*');
    }
  });

  it('lets the connector read link secrets under the prefix only, and nothing else of Secrets Manager but its token', () => {
    const taskRole = main.stack.getLogicalId(
      main.stack.connector.taskDefinition.taskRole.node.defaultChild as CfnFunction,
    );
    const sm = statementsOf(main.json).filter(
      (s) => s.roles.includes(`"${taskRole}"`) && s.actions.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(sm).toHaveLength(1);
    expect(sm[0]!.actions.sort()).toEqual([...LINK_SECRET_READ_ACTIONS].sort());
    expect(JSON.stringify(sm[0]!.resources)).toContain(':secret:cti-bridge/CtiBridge/links/*');
  });

  it('lets only the functions that reach the connector and the connector task start (execution role) read the connector token', () => {
    const token = main.stack.getLogicalId(main.stack.secrets.connectorToken.node.defaultChild as CfnFunction);
    const readers = statementsOf(main.json).filter((s) => JSON.stringify(s.resources).includes(`"${token}"`));
    const execRole = main.stack.getLogicalId(
      main.stack.connector.taskDefinition.obtainExecutionRole().node.defaultChild as CfnFunction,
    );
    expect(readers.map((r) => r.roles).sort()).toEqual(
      [
        ...CONNECTOR_CLIENTS.map((fn) => roleOf(main.stack.functions.http[fn])),
        ...WS_CONNECTOR_CLIENTS.map((fn) => roleOf(main.stack.functions.ws[fn])),
        execRole,
      ]
        .map((r) => JSON.stringify([{ Ref: r }]))
        .sort(),
    );
    for (const r of readers) expect(r.actions).toContain('secretsmanager:GetSecretValue');
  });
});

describe('template', () => {
  it('has no dependency cycle (CloudFormation would only refuse it at deploy time)', () => {
    const resources = main.json.Resources as Record<string, Json>;
    const deps = new Map<string, Set<string>>();
    const collect = (v: unknown, into: Set<string>): void => {
      if (Array.isArray(v)) v.forEach((x) => collect(x, into));
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'Ref' && typeof x === 'string' && x in resources) into.add(x);
          else if (k === 'Fn::GetAtt' && Array.isArray(x) && (x[0] as string) in resources)
            into.add(x[0] as string);
          else collect(x, into);
        }
      }
    };
    for (const [id, r] of Object.entries(resources)) {
      const d = new Set<string>([r.DependsOn ?? []].flat() as string[]);
      collect(r.Properties, d);
      deps.set(id, d);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
      state.set(id, 'visiting');
      for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of deps.keys()) visit(id, []);
  });
});

describe('outputs and secrets', () => {
  it('outputs the URLs, the admin key secret and the table', () => {
    const outputs = Object.keys(main.json.Outputs as Json);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'HttpApiUrl',
        'ConsoleUrl',
        'WebSocketUrl',
        'AdminKeySecretArn',
        'TableName',
        'VpcId',
        'ConnectorSecurityGroupId',
        'ConnectorTokenSecretArn',
        'AlarmTopicArn',
        'DashboardName',
      ]),
    );
    // ConsoleUrl = HttpApiUrl (ends with `/`) + `console/`
    const parts = (o: string) => (main.json.Outputs[o].Value['Fn::Join'] as [string, unknown[]])[1];
    expect(parts('ConsoleUrl')).toEqual([...parts('HttpApiUrl').slice(0, -1), '/console/']);
    expect(parts('HttpApiUrl').at(-1)).toBe('/');
  });

  it('generates the admin key and the connector token', () => {
    main.template.resourcePropertiesCountIs(
      'AWS::SecretsManager::Secret',
      { GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }) },
      2,
    );
  });
});

describe('settings', () => {
  it('reads string context values as given on the command line', () => {
    const app = new App({
      context: {
        stackName: 'Dev1',
        retainData: 'false',
        logRetentionDays: '7',
        eventTtlDays: '3',
        logLevel: 'debug',
      },
    });
    expect(settingsFromContext(app.node)).toMatchObject({
      stackName: 'Dev1',
      retainData: false,
      logRetentionDays: 7,
      eventTtlDays: 3,
      logLevel: 'DEBUG',
    });
  });

  it('refuses invalid options, naming them', () => {
    const app = new App({ context: { logRetentionDays: '42', retainData: 'maybe' } });
    expect(() => settingsFromContext(app.node)).toThrow(
      /logRetentionDays[\s\S]*retainData|retainData[\s\S]*logRetentionDays/,
    );
  });

  it('retainData=false: no deletion protection, table and logs deleted with the stack', () => {
    const dev = synth({ stackName: 'CtiBridgeDev', retainData: 'false' }, { bundle: false });
    try {
      dev.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
      for (const [id, g] of resourcesOf(dev.json, 'AWS::Logs::LogGroup'))
        expect(g.DeletionPolicy, id).toBe('Delete');
      expect(JSON.stringify(dev.json)).toContain('cti-bridge/CtiBridgeDev/links/');
    } finally {
      rmSync(dev.outdir, { recursive: true, force: true });
    }
  });

  it('tableKmsKeyArn: customer-managed encryption, key use granted to the table users', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const kms = synth({ tableKmsKeyArn: keyArn }, { bundle: false });
    try {
      kms.template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      });
      const text = JSON.stringify(kms.json);
      expect(text).toContain('kms:Decrypt');
      expect(text).toContain('kms:GenerateDataKey*');
    } finally {
      rmSync(kms.outdir, { recursive: true, force: true });
    }
  });
});

describe('network', () => {
  const sgId = (sg: { node: { defaultChild?: unknown } }) =>
    main.stack.getLogicalId(sg.node.defaultChild as CfnFunction);

  it('creates a VPC over two AZs with private subnets, NAT per AZ, reject flow logs and a DynamoDB endpoint', () => {
    main.template.resourceCountIs('AWS::EC2::VPC', 1);
    main.template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const privateSubnets = resourcesOf(main.json, 'AWS::EC2::Subnet').filter(
      ([, r]) => (r.Properties as Json).MapPublicIpOnLaunch === false,
    );
    expect(privateSubnets).toHaveLength(2);
    main.template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    main.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.dynamodb'])]) }),
    });
  });

  it("admits only the calls function's security group to the connector, on the command port only", () => {
    const { connectorSg, callsSg } = main.stack.network;
    const ingress = resourcesOf(main.json, 'AWS::EC2::SecurityGroupIngress').map(
      ([, r]) => r.Properties as Json,
    );
    const inline = (main.json.Resources[sgId(connectorSg)].Properties as Json).SecurityGroupIngress;
    expect(inline).toBeUndefined();
    const toConnector = ingress.filter((r) => JSON.stringify(r.GroupId).includes(sgId(connectorSg)));
    expect(toConnector).toHaveLength(1);
    expect(toConnector[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId(callsSg), 'GroupId'] },
    });
    // No other inbound rule anywhere in the stack points at the connector or opens a CIDR.
    for (const r of ingress) expect(r.CidrIp, JSON.stringify(r)).toBeUndefined();
  });

  it('lets the calls function reach the connector port and HTTPS only', () => {
    const { connectorSg, callsSg } = main.stack.network;
    const sg = main.json.Resources[sgId(callsSg)].Properties as Json;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    const egress = resourcesOf(main.json, 'AWS::EC2::SecurityGroupEgress').map(
      ([, r]) => r.Properties as Json,
    );
    expect(egress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [sgId(callsSg), 'GroupId'] },
        DestinationSecurityGroupId: { 'Fn::GetAtt': [sgId(connectorSg), 'GroupId'] },
        FromPort: 8080,
        ToPort: 8080,
      }),
    ]);
  });

  it('attaches only the functions that reach the connector (calls, sessions, subscriptions, ws $connect and $default) to the private subnets', () => {
    const attached = lambdas(main.json).filter(([, f]) => (f.Properties as Json).VpcConfig);
    expect(attached.map(([id]) => id).sort()).toEqual(
      [
        ...CONNECTOR_CLIENTS.map((fn) => logicalId(main.stack, main.stack.functions.http[fn])),
        ...WS_CONNECTOR_CLIENTS.map((fn) => logicalId(main.stack, main.stack.functions.ws[fn])),
      ].sort(),
    );
    const privateIds = resourcesOf(main.json, 'AWS::EC2::Subnet')
      .filter(([, r]) => (r.Properties as Json).MapPublicIpOnLaunch === false)
      .map(([id]) => ({ Ref: id }));
    for (const [, f] of attached) {
      const cfg = f.Properties.VpcConfig as Json;
      expect(cfg.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId(main.stack.network.callsSg), 'GroupId'] }]);
      expect(cfg.SubnetIds).toHaveLength(2);
      expect(cfg.SubnetIds).toEqual(expect.arrayContaining(privateIds));
    }
  });
});

describe('connector (ECS Fargate)', () => {
  const taskDef = () => resourcesOf(main.json, 'AWS::ECS::TaskDefinition')[0]![1].Properties as Json;
  const container = () => taskDef().ContainerDefinitions[0] as Json;

  it('runs 2 Fargate tasks in the private subnets, rolling one by one with a circuit breaker', () => {
    main.template.resourceCountIs('AWS::ECS::Service', 1);
    main.template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      AvailabilityZoneRebalancing: 'ENABLED',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [
            {
              'Fn::GetAtt': [
                main.stack.getLogicalId(main.stack.network.connectorSg.node.defaultChild as CfnFunction),
                'GroupId',
              ],
            },
          ],
          Subnets: Match.arrayWith([Match.objectLike({ Ref: Match.anyValue() })]),
        },
      },
    });
    main.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('is an arm64 task with a read-only root, health check, 60 s stop timeout and non-blocking logs', () => {
    expect(taskDef()).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '512',
      Memory: '1024',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(container()).toMatchObject({
      Essential: true,
      ReadonlyRootFilesystem: true,
      StopTimeout: 60,
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
      HealthCheck: { Command: ['CMD', 'node', '-e', expect.stringContaining('/health')], Retries: 3 },
      LogConfiguration: {
        LogDriver: 'awslogs',
        Options: expect.objectContaining({ mode: 'non-blocking' }),
      },
    });
    expect(JSON.stringify(container().Image)).toContain('cdk-hnb659fds-container-assets');
  });

  it('gets everything configFromEnv() and connector/main.ts read; the token only as an ECS secret', () => {
    const env = Object.fromEntries(
      (container().Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(env).toMatchObject({
      BRIDGE_SECRETS_KIND: 'secretsmanager',
      BRIDGE_SECRETS_PREFIX: 'cti-bridge/CtiBridge/links/',
      BRIDGE_EVENT_TTL_DAYS: '7',
      BRIDGE_CONNECTOR_PORT: '8080',
      BRIDGE_LEASE_MS: '15000',
      POWERTOOLS_SERVICE_NAME: 'cti-bridge-connector',
      POWERTOOLS_METRICS_NAMESPACE: 'CtiBridge',
      BRIDGE_SHUTDOWN_DEADLINE_MS: '50000',
      // Half the 1,024 MiB task: V8 would otherwise size the heap from the host (docs/performance.md).
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=512',
    });
    expect(env.BRIDGE_TABLE).toEqual({ Ref: logicalId(main.stack, main.stack.table.table) });
    expect(JSON.stringify(env.AWS_REGION)).toContain('AWS::Region');
    expect(JSON.stringify(env.BRIDGE_WEBSOCKET_URL)).toMatch(/wss:\/\/.*\/live/);
    expect(JSON.stringify(env.BRIDGE_WEBSOCKET_MANAGEMENT_URL)).toMatch(/https:\/\/.*\/live/);
    // Tasks advertise their own IP (connector/main.ts, ECS task metadata); a fixed value would be wrong.
    expect(env).not.toHaveProperty('BRIDGE_CONNECTOR_ADVERTISE');
    expect(env).not.toHaveProperty('BRIDGE_CONNECTOR_TOKEN');
    expect(container().Secrets).toEqual([
      {
        Name: 'BRIDGE_CONNECTOR_TOKEN',
        ValueFrom: {
          Ref: main.stack.getLogicalId(main.stack.secrets.connectorToken.node.defaultChild as CfnFunction),
        },
      },
    ]);
    const parsed = configFromEnv({
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `x-${k}`])),
      BRIDGE_WEBSOCKET_URL: 'wss://abc.execute-api.eu-west-1.amazonaws.com/live',
      BRIDGE_CONNECTOR_TOKEN: 'x'.repeat(64),
    });
    expect(parsed.secrets).toEqual({ kind: 'secretsmanager', prefix: 'cti-bridge/CtiBridge/links/' });
  });
});

describe('alarms and dashboard', () => {
  const alarms = () => resourcesOf(main.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
  const byName = (suffix: string) => alarms().find((a) => a.AlarmName === `CtiBridge-${suffix}`);

  it('sends every alarm (and its recovery) to the encrypted, TLS-only SNS topic', () => {
    const topicId = main.stack.getLogicalId(main.stack.monitoring.topic.node.defaultChild as CfnFunction);
    expect(alarms().length).toBeGreaterThanOrEqual(6 + 2 * 12);
    for (const a of alarms()) {
      expect(a.AlarmActions, a.AlarmName).toEqual([{ Ref: topicId }]);
      expect(a.OKActions, a.AlarmName).toEqual([{ Ref: topicId }]);
      expect(a.AlarmDescription, a.AlarmName).toBeTruthy();
    }
    main.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    main.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    main.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('watches link status, delivery backlog and webhook failures through the connector metrics', () => {
    const linkDown = byName('LinkDown')!;
    expect(linkDown).toMatchObject({
      Namespace: 'CtiBridge',
      MetricName: 'LinksDown',
      Dimensions: [{ Name: 'service', Value: 'cti-bridge-connector' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
    expect(byName('DeliveryBacklog')).toMatchObject({
      MetricName: 'DeliveryBacklogAgeSeconds',
      Threshold: 300,
    });
    const rate = byName('WebhookFailureRate')!;
    expect(JSON.stringify(rate.Metrics)).toContain('WebhookFailures');
    expect(JSON.stringify(rate.Metrics)).toContain('WebhookAttempts');
    expect(rate.Threshold).toBe(20);
    expect(byName('ConnectorTasksLow')).toMatchObject({
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
      Threshold: 2,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('has an errors and a throttles alarm per function, a DynamoDB throttle alarm and an API 5xx alarm', () => {
    const fnIds = lambdas(main.json).map(([id]) => id);
    for (const metric of ['Errors', 'Throttles']) {
      const watched = alarms()
        .filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric)
        .map((a) => (a.Dimensions as Json[])[0]!.Value.Ref as string);
      expect(watched.sort(), metric).toEqual([...fnIds].sort());
    }
    const ddb = JSON.stringify(byName('TableThrottles')!.Metrics);
    for (const m of ['ReadThrottleEvents', 'WriteThrottleEvents', 'gsi1', 'gsi2']) expect(ddb).toContain(m);
    expect(byName('HttpApi5xx')).toMatchObject({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
  });

  it('has the operations dashboard', () => {
    main.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(resourcesOf(main.json, 'AWS::CloudWatch::Dashboard')[0]![1].Properties);
    for (const title of [
      'Links (connector)',
      'Connector tasks',
      'Delivery',
      'Control API',
      'Lambda errors',
      'DynamoDB throttles',
    ])
      expect(body).toContain(title);
  });
});

describe('bundles', () => {
  /** `serviceId ?? "<id>"`: every SDK v3 client's runtime config names its service once, also minified. */
  const sdkClients = (code: string) =>
    [...new Set([...code.matchAll(/serviceId\s*\?\?\s*"([^"]+)"/g)].map((m) => m[1]!))].sort();
  const bundles = () =>
    lambdas(main.json).map(([id, fn]) => {
      const hash = ((fn.Properties as Json).Code.S3Key as string).replace(/\.zip$/, '');
      return { id, file: join(main.outdir, `asset.${hash}`, 'index.mjs') };
    });

  it('keeps every Lambda bundle under 1 MB', () => {
    for (const { id, file } of bundles()) expect(statSync(file).size, id).toBeLessThan(1024 * 1024);
  });

  it('bundles only the SDK clients the code uses: DynamoDB and Secrets Manager (shared deps), no STS/SSO', () => {
    // Every handler builds its deps with shared/deps.ts createDeps(): a DynamoDB client (repositories) and
    // a Secrets Manager client (link secret store; the calls function also reads the connector token).
    // The credential providers Lambda never reaches, and the STS/SSO/Signin clients they need, are left out.
    // The console function serves files: no SDK at all.
    const consoleId = logicalId(main.stack, main.stack.functions.console);
    for (const { id, file } of bundles()) {
      const code = readFileSync(file, 'utf8');
      if (id === consoleId) {
        expect(sdkClients(code), id).toEqual([]);
        expect(code, id).not.toContain('@aws-sdk/');
        continue;
      }
      expect(sdkClients(code), id).toEqual(['DynamoDB', 'Secrets Manager']);
      for (const ext of UNUSED_CREDENTIAL_PROVIDERS) expect(code, id).toContain(`import("${ext}")`);
    }
  });
});

describe('settings: network and connector options', () => {
  it('vpcId + privateSubnetIds: no VPC, NAT or flow log is created; tasks and calls use the given subnets', () => {
    const s = synth(
      {
        vpcId: 'vpc-0123456789abcdef0',
        privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
      },
      { bundle: false },
    );
    try {
      for (const t of ['AWS::EC2::VPC', 'AWS::EC2::NatGateway', 'AWS::EC2::FlowLog', 'AWS::EC2::Subnet'])
        s.template.resourceCountIs(t, 0);
      s.template.hasResourceProperties('AWS::ECS::Service', {
        NetworkConfiguration: {
          AwsvpcConfiguration: Match.objectLike({
            Subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
          }),
        },
      });
      s.template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: Match.objectLike({ SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'] }),
      });
      s.template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0' });
    } finally {
      rmSync(s.outdir, { recursive: true, force: true });
    }
  });

  it('pbxCidrs: the connector may open connections to those networks and HTTPS only', () => {
    const s = synth({ pbxCidrs: '192.168.10.0/24,172.16.0.0/16', connectorTasks: '3' }, { bundle: false });
    try {
      const sg = s.json.Resources[
        s.stack.getLogicalId(s.stack.network.connectorSg.node.defaultChild as CfnFunction)
      ].Properties as Json;
      expect(sg.SecurityGroupEgress.map((e: Json) => `${e.CidrIp} ${e.FromPort}-${e.ToPort}`).sort()).toEqual(
        ['0.0.0.0/0 443-443', '172.16.0.0/16 0-65535', '192.168.10.0/24 0-65535'].sort(),
      );
      s.template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    } finally {
      rmSync(s.outdir, { recursive: true, force: true });
    }
  });

  it('connectorImage in ECR: the task uses it and the execution role may pull that repository only', () => {
    const image = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/cti-bridge-connector:1.2.3';
    const s = synth({ connectorImage: image, alarmEmail: 'ops@example.com' }, { bundle: false });
    try {
      const td = resourcesOf(s.json, 'AWS::ECS::TaskDefinition')[0]![1].Properties as Json;
      expect(JSON.stringify(td.ContainerDefinitions[0].Image)).toContain('111122223333.dkr.ecr.eu-west-1.');
      expect(JSON.stringify(td.ContainerDefinitions[0].Image)).toContain('cti-bridge-connector:1.2.3');
      const pull = resourcesOf(s.json, 'AWS::IAM::Policy')
        .flatMap(([, p]) => (p.Properties as Json).PolicyDocument.Statement as Json[])
        .filter((st) => [st.Action].flat().includes('ecr:BatchGetImage'));
      expect(pull).toHaveLength(1);
      expect(JSON.stringify(pull[0]!.Resource)).toContain(
        ':ecr:eu-west-1:111122223333:repository/cti-bridge-connector',
      );
      s.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
    } finally {
      rmSync(s.outdir, { recursive: true, force: true });
    }
  });

  it('refuses inconsistent network and task-size options', () => {
    const bad = (context: Json) => () => settingsFromContext(new App({ context }).node);
    expect(bad({ vpcId: 'vpc-0123456789abcdef0' })).toThrow(/privateSubnetIds/);
    expect(bad({ privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1' })).toThrow(/vpcId/);
    expect(bad({ connectorCpu: '256', connectorMemoryMiB: '4096' })).toThrow(/connectorMemoryMiB/);
    expect(bad({ pbxCidrs: 'not-a-cidr' })).toThrow(/pbxCidrs/);
    expect(bad({ connectorTasks: '0' })).toThrow(/connectorTasks/);
    expect(
      settingsFromContext(new App({ context: { connectorCpu: 1024, connectorMemoryMiB: 3072 } }).node),
    ).toMatchObject({ connectorCpu: 1024, connectorMemoryMiB: 3072 });
  });
});
