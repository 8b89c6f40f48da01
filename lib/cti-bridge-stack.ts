/**
 * The cti-bridge stack: table, secrets, Lambda functions, the control API (HTTP) and the event API
 * (WebSocket). The connector (Fargate) and alarms come with later issues.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BridgeFunctions } from './constructs/functions.js';
import { ControlApi } from './constructs/http-api.js';
import { BridgeSecrets } from './constructs/secrets.js';
import { BridgeTable } from './constructs/table.js';
import { WebSocketEndpoint } from './constructs/websocket-api.js';
import type { BridgeSettings } from './settings.js';

export interface CtiBridgeStackProps extends StackProps {
  settings: BridgeSettings;
}

export class CtiBridgeStack extends Stack {
  readonly table: BridgeTable;
  readonly secrets: BridgeSecrets;
  readonly functions: BridgeFunctions;
  readonly controlApi: ControlApi;
  readonly events: WebSocketEndpoint;

  constructor(scope: Construct, id: string, props: CtiBridgeStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const logRetention = s.logRetentionDays as RetentionDays;
    const logRemovalPolicy = s.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const throttle = { rateLimit: s.throttleRateLimit, burstLimit: s.throttleBurstLimit };

    this.table = new BridgeTable(this, 'Data', { retainData: s.retainData, kmsKeyArn: s.tableKmsKeyArn });
    this.secrets = new BridgeSecrets(this, 'Secrets', { stackName: this.stackName });
    this.events = new WebSocketEndpoint(this, 'Events', { throttle });

    /** The Lambda environment read by shared/config.ts configFromEnv() and shared/log.ts. */
    const environment: Record<string, string> = {
      BRIDGE_TABLE: this.table.table.tableName,
      BRIDGE_WEBSOCKET_URL: this.events.url,
      BRIDGE_SECRETS_KIND: 'secretsmanager',
      BRIDGE_SECRETS_PREFIX: this.secrets.linkPrefix,
      BRIDGE_EVENT_TTL_DAYS: String(s.eventTtlDays),
      BRIDGE_WEBHOOK_SCHEMES: 'https',
      BRIDGE_LOG_LEVEL: s.logLevel,
      POWERTOOLS_SERVICE_NAME: 'cti-bridge',
    };
    this.functions = new BridgeFunctions(this, 'Functions', {
      table: this.table,
      environment,
      authorizerEnvironment: { BRIDGE_ADMIN_KEY_SECRET_ARN: this.secrets.adminKey.secretArn },
      logRetention,
      logRemovalPolicy,
    });
    this.secrets.adminKey.grantRead(this.functions.authorizer);
    this.secrets.grantLinkSecrets(this.functions.http.links);

    this.controlApi = new ControlApi(this, 'Control', {
      functions: this.functions.http,
      authorizer: this.functions.authorizer,
      throttle,
      logRetention,
      logRemovalPolicy,
    });
    this.events.addRoutes(this.functions.ws);
    // Posts to connections (replies today; the connector's event fan-out will get the same grant).
    this.events.grantManageConnections(this.functions.ws.default);

    new CfnOutput(this, 'HttpApiUrl', { value: this.controlApi.url, description: 'Control API base URL' });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.events.url,
      description: 'WebSocket URL channels connect to',
    });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: this.secrets.adminKey.secretArn,
      description: 'Secrets Manager secret holding the admin API key',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DynamoDB table' });
  }
}
