/**
 * Offline assertions on the synthesized CloudFormation template. The main stack is synthesized once,
 * bundling the real handler files with the local esbuild (no Docker, no network); variants that only
 * change settings skip bundling (`aws:cdk:bundling-stacks`), which keeps the file well under a minute.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, ROUTES, routeKey } from '../../shared/api/routes.js';
import { configFromEnv } from '../../shared/config.js';
import { createTableInput, TTL_ATTRIBUTE } from '../../shared/db/table.js';
import { CtiBridgeStack } from '../../lib/cti-bridge-stack.js';
import { ESM_REQUIRE_BANNER } from '../../lib/constructs/functions.js';
import { LINK_SECRET_ACTIONS } from '../../lib/constructs/secrets.js';
import { PROJECT_ROOT } from '../../lib/paths.js';
import { settingsFromContext } from '../../lib/settings.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped
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
  it('has one function per FUNCTIONS entry, the authorizer and the three WebSocket handlers', () => {
    const fns = resourcesOf(main.json, 'AWS::Lambda::Function');
    expect(fns).toHaveLength(FUNCTIONS.length + 1 + 3);
    const ids = [
      ...FUNCTIONS.map((fn) => logicalId(main.stack, main.stack.functions.http[fn])),
      logicalId(main.stack, main.stack.functions.authorizer),
      ...Object.values(main.stack.functions.ws).map((f) => logicalId(main.stack, f)),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(fns.map(([id]) => id).sort()).toEqual([...ids].sort());
  });

  it('runs Node.js 24 on arm64 with a bounded memory size and timeout', () => {
    for (const [id, fn] of resourcesOf(main.json, 'AWS::Lambda::Function')) {
      const p = fn.Properties as Json;
      expect(p.Runtime, id).toBe('nodejs24.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      expect(p.Handler, id).toBe('index.handler');
      expect(p.MemorySize, id).toBeGreaterThanOrEqual(256);
      expect(p.MemorySize, id).toBeLessThanOrEqual(512);
      // Below the HTTP API's 30 s integration limit.
      expect(p.Timeout, id).toBeLessThanOrEqual(29);
    }
  });

  it('bundles the real handler files as ESM with the createRequire banner and source maps', () => {
    for (const [id, fn] of resourcesOf(main.json, 'AWS::Lambda::Function')) {
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
    const files = [...Object.values(http), authorizer, ...Object.values(ws)].map(bundle);
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

  it('gives every function the environment configFromEnv() needs', () => {
    for (const [id, fn] of resourcesOf(main.json, 'AWS::Lambda::Function')) {
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
      });
      // With the CloudFormation references replaced by plausible values, the handlers' parser accepts it.
      const env = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : `x-${k}`]),
      );
      env.BRIDGE_WEBSOCKET_URL = 'wss://abc.execute-api.eu-west-1.amazonaws.com/live';
      const config = configFromEnv({ ...env, AWS_REGION: 'eu-west-1' });
      expect(config.secrets).toEqual({ kind: 'secretsmanager', prefix: 'cti-bridge/CtiBridge/links/' });
      expect(config.eventTtlDays).toBe(7);
    }
    const auth = main.json.Resources[logicalId(main.stack, main.stack.functions.authorizer)];
    expect(auth.Properties.Environment.Variables.BRIDGE_ADMIN_KEY_SECRET_ARN).toEqual({
      Ref: main.stack.getLogicalId(main.stack.secrets.adminKey.node.defaultChild as CfnFunction),
    });
  });

  it('sends every function to its own log group with a retention', () => {
    const groups = resourcesOf(main.json, 'AWS::Logs::LogGroup');
    for (const [id, g] of groups) expect((g.Properties as Json).RetentionInDays, id).toBe(30);
    const groupIds = new Set(groups.map(([id]) => id));
    for (const [id, fn] of resourcesOf(main.json, 'AWS::Lambda::Function')) {
      const ref = (fn.Properties as Json).LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect(ref && groupIds.has(ref), id).toBe(true);
    }
  });
});

describe('HTTP API', () => {
  const httpApiId = () => logicalId(main.stack, main.stack.controlApi.api);
  const authorizerId = () => logicalId(main.stack, main.stack.controlApi.authorizer);

  it('has exactly the routes of the manifest', () => {
    const routes = resourcesOf(main.json, 'AWS::ApiGatewayV2::Route').filter(
      ([, r]) => (r.Properties as Json).ApiId.Ref === httpApiId(),
    );
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
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

  it('has no wildcard resource in any policy', () => {
    const statements = statementsOf(main.json);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s.resources, `${s.id} ${s.actions.join(',')}`).not.toContain('*');
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
      expect((role.Properties as Json).ManagedPolicyArns, id).toBeUndefined();
    }
    for (const [id, fn] of resourcesOf(main.json, 'AWS::Lambda::Function')) {
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
    for (const fn of [http.events, authorizer, ws.default]) {
      expect(dynamoActions(fn).sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
      ]);
    }
    for (const fn of [http.tenants, http.links, ws.connect, ws.disconnect]) {
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

  it("grants execute-api:ManageConnections on this API's live @connections only, to the ws default handler", () => {
    const manage = statementsOf(main.json).filter((s) => s.actions.includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(1);
    expect(manage[0]!.roles).toContain(roleOf(main.stack.functions.ws.default));
    const arn = JSON.stringify(manage[0]!.resources);
    expect(arn).toContain(`{"Ref":"${logicalId(main.stack, main.stack.events.api)}"}`);
    expect(arn).toContain('/live/*/@connections/*');
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
      expect.arrayContaining(['HttpApiUrl', 'WebSocketUrl', 'AdminKeySecretArn', 'TableName']),
    );
  });

  it('generates the admin key', () => {
    main.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
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
