/**
 * Every Lambda function of the bridge, bundled locally by esbuild (no Docker) as ESM for Node.js 24 on
 * arm64, with an explicit log group each and only the table access its code needs.
 *
 * The AWS SDK v3 is bundled rather than taken from the runtime: the deployed code then runs exactly the
 * SDK versions pinned in package-lock.json and exercised by the tests, instead of whatever version the
 * managed runtime ships that month. The price is a larger bundle (tree-shaken and minified, about 700 KB
 * per function today) and a slightly longer cold start. Left out: the credential providers Lambda never
 * reaches (UNUSED_CREDENTIAL_PROVIDERS), which alone would bring the SSO, SSO OIDC, STS and Signin clients.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
  type ICommandHooks,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName } from '../../shared/api/routes.js';
import { entryPath, PROJECT_ROOT } from '../paths.js';
import type { BridgeTable, TableAccess } from './table.js';

export const RUNTIME = Runtime.NODEJS_24_X;
export const ARCHITECTURE = Architecture.ARM_64;

/**
 * Credential providers of the SDK's default chain that never run in Lambda: the runtime puts the role's
 * credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, the chain's first link
 * (fromEnv) answers and the later links, loaded by dynamic `import()`, are never evaluated. Kept out of
 * the bundles (external), they take the SSO, SSO OIDC, STS and Signin clients with them.
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
] as const;

/** Lets CommonJS dependencies bundled into the ESM output still call `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Table access per HTTP function, from the repositories each one calls (see functions/http/*.ts). */
export const HTTP_TABLE_ACCESS: Record<FunctionName, TableAccess> = {
  meta: 'none', // health, OpenAPI and JSON Schema documents: no table access at all
  tenants: 'readwrite',
  links: 'readwrite',
  sessions: 'readwrite',
  channels: 'readwrite',
  subscriptions: 'readwrite',
  events: 'read', // event log pages and the link lookup; the connector appends events
  // Link and lease lookups, then a POST to the owning connector's private command endpoint (the function
  // runs in the VPC's private subnets; the connector token is read from Secrets Manager at cold start).
  calls: 'read',
};

export interface BridgeFunctionOptions {
  /** Entry file relative to the repository root; it must export `handler`. */
  entry: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  /** Attach the function to these private subnets with these security groups (the `calls` function). */
  vpc?: VpcPlacement | undefined;
  /** Shell commands run around esbuild, e.g. to put files beside the bundle (the console function). */
  commandHooks?: ICommandHooks | undefined;
}

export interface VpcPlacement {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroups: ec2.ISecurityGroup[];
}

/**
 * Network interface management a VPC-attached function's role needs (what AWSLambdaVPCAccessExecutionRole
 * grants). `*` because AWS requires it: ec2:Describe* has no resource-level permissions, and Lambda creates
 * and deletes the interfaces in subnets/security groups chosen at deploy time, before any ARN is known.
 */
export const VPC_ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** Statements that must use `Resource: *` (see the comments where they are added), by their first action. */
export const WILDCARD_RESOURCE_ACTIONS = ['xray:PutTraceSegments', VPC_ENI_ACTIONS[0]] as const;

/**
 * One NodejsFunction with the bridge's bundling, runtime and logging defaults. Its role is explicit: it may
 * write to its own log group only (instead of AWSLambdaBasicExecutionRole, which allows every log group).
 */
export function bridgeFunction(scope: Construct, id: string, o: BridgeFunctionOptions): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: o.logRetention,
    removalPolicy: o.logRemovalPolicy,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `cti-bridge ${o.entry}`,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  if (o.vpc) {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: [...VPC_ENI_ACTIONS], resources: ['*'] }));
  }
  return new NodejsFunction(scope, id, {
    role,
    ...(o.vpc ? { vpc: o.vpc.vpc, vpcSubnets: o.vpc.subnets, securityGroups: o.vpc.securityGroups } : {}),
    // X-Ray active tracing: Lambda adds xray:PutTraceSegments/PutTelemetryRecords on `*` to the role;
    // X-Ray has no resource-level permissions for them (AWS requirement).
    tracing: Tracing.ACTIVE,
    entry: entryPath(o.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: entryPath('package-lock.json'),
    description: o.description,
    runtime: RUNTIME,
    architecture: ARCHITECTURE,
    memorySize: o.memorySize,
    timeout: o.timeout,
    logGroup,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...o.environment },
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      banner: ESM_REQUIRE_BANNER,
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      sourceMapMode: SourceMapMode.EXTERNAL,
      sourcesContent: false,
      externalModules: [...UNUSED_CREDENTIAL_PROVIDERS],
      tsconfig: entryPath('tsconfig.json'),
      ...(o.commandHooks ? { commandHooks: o.commandHooks } : {}),
    },
  });
}

/** Quotes one word for a POSIX shell (hook commands run in `bash -c`). */
const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Bundling hooks of the console function: Vite builds the console page (`console/`) straight into
 * `console/` beside the bundle, where functions/console.ts consoleDir() looks for it. Always built from
 * the sources being deployed (about a second), never taken from a `console/dist` that may be stale, and
 * with the repository's own Vite (`--offline`: no download).
 */
export const CONSOLE_COMMAND_HOOKS: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => [
    `cd ${shellQuote(inputDir)} && npx --offline -- vite build --config console/vite.config.ts --outDir ${shellQuote(`${outputDir}/console`)} --emptyOutDir`,
  ],
};

/**
 * The HTTP functions that reach the connector's command endpoint (call control; session and
 * subscription changes, so that they are in force when the API answers; a webhook channel's latest
 * first-attempt successes, which the link owners hold in memory): VPC-attached in the group the
 * connector admits, with the connector token.
 */
export const CONNECTOR_CLIENTS: readonly FunctionName[] = ['calls', 'channels', 'sessions', 'subscriptions'];

/**
 * The WebSocket functions that reach the connector: `$connect` and `$default` (resume) ask the owners
 * of a channel's links to look at the channel now (`shared/channels/attention.ts`).
 */
export const WS_CONNECTOR_CLIENTS: readonly (keyof WebSocketFunctions)[] = ['connect', 'default'];

export interface BridgeFunctionsProps {
  table: BridgeTable;
  /** Environment shared by every function (configFromEnv()). */
  environment: Record<string, string>;
  /** Extra environment of the authorizer (the admin key secret ARN). */
  authorizerEnvironment: Record<string, string>;
  /** Extra environment of the `CONNECTOR_CLIENTS` functions (the connector token secret ARN). */
  callsEnvironment: Record<string, string>;
  /** Where the `CONNECTOR_CLIENTS` run: the private subnets, in the security group the connector admits. */
  callsVpc: VpcPlacement;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

export interface WebSocketFunctions {
  connect: NodejsFunction;
  disconnect: NodejsFunction;
  default: NodejsFunction;
}

export class BridgeFunctions extends Construct {
  readonly http: Record<FunctionName, NodejsFunction>;
  readonly authorizer: NodejsFunction;
  readonly ws: WebSocketFunctions;
  /** Serves the console page (`GET /console`, `GET /console/{file+}`); its bundle holds the built page. */
  readonly console: NodejsFunction;

  constructor(scope: Construct, id: string, props: BridgeFunctionsProps) {
    super(scope, id);
    const common = {
      environment: props.environment,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    };
    const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

    const http = {} as Record<FunctionName, NodejsFunction>;
    for (const fn of FUNCTIONS) {
      const f = bridgeFunction(this, `Http${pascal(fn)}`, {
        ...common,
        ...(CONNECTOR_CLIENTS.includes(fn)
          ? { environment: { ...props.environment, ...props.callsEnvironment }, vpc: props.callsVpc }
          : {}),
        entry: `functions/http/${fn}.ts`,
        description: `cti-bridge HTTP API: ${fn} routes`,
        memorySize: 512,
        // The HTTP API integration gives up after 30 s; answer before that. `calls` waits up to 15 s for
        // the connector (shared/connector-client.ts) and must outlive that wait to answer a problem.
        timeout: Duration.seconds(fn === 'calls' ? 25 : 15),
      });
      props.table.grant(f, HTTP_TABLE_ACCESS[fn]);
      http[fn] = f;
    }
    this.http = http;

    // Runs before every HTTP request (no API Gateway cache), so it gets the larger memory (= CPU) size.
    this.authorizer = bridgeFunction(this, 'Authorizer', {
      ...common,
      environment: { ...props.environment, ...props.authorizerEnvironment },
      entry: 'functions/authorizer.ts',
      description: 'cti-bridge HTTP API Lambda authorizer',
      memorySize: 512,
      timeout: Duration.seconds(5),
    });
    props.table.grant(this.authorizer, 'read'); // API key lookup (GetItem)

    const ws = (name: keyof WebSocketFunctions, access: TableAccess) => {
      const f = bridgeFunction(this, `Ws${pascal(name)}`, {
        ...common,
        ...(WS_CONNECTOR_CLIENTS.includes(name)
          ? { environment: { ...props.environment, ...props.callsEnvironment }, vpc: props.callsVpc }
          : {}),
        entry: `functions/ws/${name}.ts`,
        description: `cti-bridge WebSocket API: $${name}`,
        memorySize: 256,
        timeout: Duration.seconds(10),
      });
      props.table.grant(f, access);
      return f;
    };
    this.ws = {
      connect: ws('connect', 'readwrite'), // channel lookup, connection item, channel's connectionId
      disconnect: ws('disconnect', 'readwrite'),
      default: ws('default', 'readwrite'), // connection lookup, acked seq, resume request
    };

    // Static files only: no table, no secrets, no VPC, and none of the shared environment.
    this.console = bridgeFunction(this, 'Console', {
      ...common,
      environment: {},
      entry: 'functions/console.ts',
      description: 'cti-bridge HTTP API: the console page (/console/)',
      memorySize: 256,
      timeout: Duration.seconds(5),
      commandHooks: CONSOLE_COMMAND_HOOKS,
    });
  }
}
