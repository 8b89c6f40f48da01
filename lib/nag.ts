/**
 * cdk-nag (AwsSolutions pack) acknowledgements. Every finding the stack keeps on purpose is acknowledged
 * here, on the construct it concerns (never on the whole stack), with its reason; anything new fails
 * synthesis: lib/app.ts adds the pack to the app, test/lib/nag.test.ts runs it in `npm test`.
 *
 * Wildcards acknowledged below are all suffixes of ARNs this stack owns (table indexes, the stage's
 * `@connections`, the link secret prefix) except `Resource::*` for X-Ray, Lambda VPC network interfaces
 * and ECR authorization, which AWS only accepts on `*`.
 */
import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CallbackIngress } from './constructs/callback-ingress.js';
import { CONNECTOR_CLIENTS, WS_CONNECTOR_CLIENTS } from './constructs/functions.js';
import type { CtiBridgeStack } from './cti-bridge-stack.js';

const ack = (scope: IConstruct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id, reason });

export function acknowledgeNagFindings(stack: CtiBridgeStack): void {
  const ref = (c: IConstruct) => Stack.of(c).resolve((c.node.defaultChild as CfnElement).logicalId) as string;
  const tableArn = `<${ref(stack.table.table)}.Arn>`;
  const indexes = `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`;
  // Findings name the resource as cdk-nag renders it: literals where the stack's environment is known
  // (`cdk synth` with credentials/profile), `<AWS::Region>` etc. where it is not.
  const lit = (v: string, pseudo: string) => (Token.isUnresolved(v) ? `<AWS::${pseudo}>` : v);
  const arn = (service: string) =>
    `arn:${lit(stack.partition, 'Partition')}:${service}:${lit(stack.region, 'Region')}:${lit(stack.account, 'AccountId')}`;
  const connections = `AwsSolutions-IAM5[Resource::${arn('execute-api')}:<${ref(stack.events.api)}>/live/*/@connections/*]`;
  const linkSecrets = `AwsSolutions-IAM5[Resource::${arn('secretsmanager')}:secret:${stack.secrets.linkPrefix}*]`;
  const star = 'AwsSolutions-IAM5[Resource::*]';

  const { http, authorizer, ws } = stack.functions;
  const VPC_ATTACHED = new Set([
    ...CONNECTOR_CLIENTS.map((f) => `http ${f}`),
    ...WS_CONNECTOR_CLIENTS.map((f) => `ws ${f}`),
  ]);
  const all = [
    ...Object.entries(http).map(([k, f]) => [`http ${k}`, f] as const),
    ['authorizer', authorizer] as const,
    ...Object.entries(ws).map(([k, f]) => [`ws ${k}`, f] as const),
    ['console', stack.functions.console] as const,
  ];
  for (const [name, fn] of all) {
    const role = fn.role!;
    ack(
      role,
      star,
      `${name}: X-Ray active tracing (xray:PutTraceSegments/PutTelemetryRecords have no resource-level permissions)${VPC_ATTACHED.has(name) ? ' and the VPC network interfaces Lambda manages for the function (ec2:*NetworkInterface*, ec2:Describe*: no resource-level permissions)' : ''}.`,
    );
  }
  for (const fn of [
    ...Object.values(http).filter((f) => f !== http.meta),
    authorizer,
    ...Object.values(ws),
  ]) {
    ack(
      fn.role!,
      indexes,
      "Queries on this stack's table's global secondary indexes (gsi1, gsi2): the wildcard covers only the table's own index ARNs.",
    );
  }
  ack(
    http.links.role!,
    linkSecrets,
    "Link credentials are created at run time, one secret per link, under this stack's name prefix; the wildcard is the secret name suffix under that prefix only.",
  );
  ack(
    ws.default.role!,
    connections,
    "Posting to WebSocket connections: connection ids are only known at run time; scoped to this API's live stage.",
  );

  const task = stack.connector.taskDefinition;
  ack(
    task.taskRole,
    indexes,
    "The connector reads and writes leases, links, events and deliveries on this stack's table and its two indexes only.",
  );
  ack(
    task.taskRole,
    linkSecrets,
    "The connector reads the credentials of the links it owns: read-only, this stack's link secret prefix only.",
  );
  ack(
    task.taskRole,
    connections,
    "Event delivery to WebSocket connections: connection ids are only known at run time; scoped to this API's live stage.",
  );
  ack(
    task.obtainExecutionRole(),
    star,
    'ecr:GetAuthorizationToken (image pull) has no resource-level permissions; the image pull itself is scoped to the repository.',
  );
  ack(
    task,
    'AwsSolutions-ECS2',
    'Only non-secret configuration (table name, URLs, log level, ports) is in environment variables; the connector token comes from Secrets Manager as an ECS secret.',
  );

  if (stack.callbacks) acknowledgeCallbackIngress(stack.callbacks);

  const consoleRoutes = new Set<IConstruct>(stack.controlApi.consoleRoutes);
  const routes = stack.controlApi.node.children.filter((c) => c.node.id.startsWith('Route-'));
  for (const r of routes) {
    const cfn = r.node.defaultChild as { authorizationType?: string } | undefined;
    if (cfn?.authorizationType === 'NONE')
      ack(
        r,
        'AwsSolutions-APIG4',
        consoleRoutes.has(r)
          ? "Public by design: the console page's static files (functions/console.ts), which hold no data; the page sends the user's API key with each API request."
          : 'Public by design: health, the OpenAPI document and the event JSON Schema (auth "none" in shared/api/routes.ts).',
      );
  }
  for (const key of ['$connect', '$disconnect', '$default']) {
    const route = stack.events.api.node.tryFindChild(`${key}-Route`);
    if (route)
      ack(
        route,
        'AwsSolutions-APIG4',
        key === '$connect'
          ? 'The $connect handler authorizes the channel token from the query string itself (answers 401/403), so it can return the bridge problem codes.'
          : `${key} only runs on a connection $connect accepted; API Gateway has no authorizer for it.`,
      );
  }
  ack(
    stack.events.stage,
    'AwsSolutions-APIG1',
    'WebSocket stage access logs need the account-wide API Gateway CloudWatch Logs role, which a customer stack must not take over; the handlers log every connect, disconnect and message.',
  );
  ack(
    stack.secrets.adminKey,
    'AwsSolutions-SMG4',
    'Rotated by the operator (docs/operations.md): a new admin key must be handed to people, automatic rotation would lock them out.',
  );
  ack(
    stack.secrets.connectorToken,
    'AwsSolutions-SMG4',
    'Rotated by the operator with a connector redeploy (docs/operations.md); the calls function re-reads it within 5 minutes.',
  );
}

function acknowledgeCallbackIngress(ingress: CallbackIngress): void {
  ack(
    ingress.accessLogs,
    'AwsSolutions-S1',
    "This bucket only receives the callback load balancer's access logs; logging its own accesses would need yet another bucket. Private, SSE-S3, TLS-only, expiring with the log retention.",
  );
  // Never the default: callbackIngress=public has no default CIDRs, so anywhere is the operator's explicit choice.
  if (ingress.allowedCidrs.includes('0.0.0.0/0'))
    ack(
      ingress.securityGroup,
      'AwsSolutions-EC23',
      'The operator set callbackAllowedCidrs=0.0.0.0/0 explicitly (public mode has no default): a PBX calling from unknown or changing addresses. Only the HTTPS listener (TLS 1.2+) is open, only /v1/callbacks/* reaches the tasks, and drivers check their own callback credentials (Aspect CTIPS: a random token per connection in the URL).',
    );
}
