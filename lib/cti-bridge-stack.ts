/**
 * The cti-bridge stack: network, table, secrets, Lambda functions, the control API (HTTP), the event API
 * (WebSocket), the connector (ECS Fargate), optionally the load balancer in front of its callback
 * listener (`callbackIngress`), alarms and the dashboard. cdk-nag acknowledgements, each with
 * its reason, are in lib/nag.ts.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BRIDGE_METRICS } from '../shared/config.js';
import { CallbackIngress } from './constructs/callback-ingress.js';
import { ConnectorService } from './constructs/connector-service.js';
import { BridgeFunctions, CONNECTOR_CLIENTS, WS_CONNECTOR_CLIENTS } from './constructs/functions.js';
import { ControlApi } from './constructs/http-api.js';
import { Monitoring } from './constructs/monitoring.js';
import { BridgeNetwork, CONNECTOR_PORT } from './constructs/network.js';
import { BridgeSecrets } from './constructs/secrets.js';
import { BridgeTable } from './constructs/table.js';
import { WebSocketEndpoint } from './constructs/websocket-api.js';
import { acknowledgeNagFindings } from './nag.js';
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
  readonly network: BridgeNetwork;
  readonly connector: ConnectorService;
  /** The load balancer vendors call back through (`callbackIngress` internal or public). */
  readonly callbacks?: CallbackIngress;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: CtiBridgeStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const logRetention = s.logRetentionDays as RetentionDays;
    const logRemovalPolicy = s.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const throttle = { rateLimit: s.throttleRateLimit, burstLimit: s.throttleBurstLimit };

    this.network = new BridgeNetwork(this, 'Network', {
      vpcId: s.vpcId,
      privateSubnetIds: s.privateSubnetIds,
      privateSubnetAzs: s.privateSubnetAzs,
      vpcCidr: s.vpcCidr,
      natGateways: s.natGateways,
      pbxCidrs: s.pbxCidrs,
      logRetention,
      logRemovalPolicy,
    });
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
      POWERTOOLS_METRICS_NAMESPACE: BRIDGE_METRICS.namespace,
    };
    this.functions = new BridgeFunctions(this, 'Functions', {
      table: this.table,
      environment,
      authorizerEnvironment: { BRIDGE_ADMIN_KEY_SECRET_ARN: this.secrets.adminKey.secretArn },
      callsEnvironment: { BRIDGE_CONNECTOR_TOKEN_SECRET_ARN: this.secrets.connectorToken.secretArn },
      callsVpc: {
        vpc: this.network.vpc,
        subnets: this.network.privateSubnets,
        securityGroups: [this.network.callsSg],
      },
      logRetention,
      logRemovalPolicy,
    });
    this.secrets.adminKey.grantRead(this.functions.authorizer);
    this.secrets.grantLinkSecrets(this.functions.http.links);
    for (const fn of CONNECTOR_CLIENTS) this.secrets.connectorToken.grantRead(this.functions.http[fn]);
    for (const fn of WS_CONNECTOR_CLIENTS) this.secrets.connectorToken.grantRead(this.functions.ws[fn]);

    this.controlApi = new ControlApi(this, 'Control', {
      functions: this.functions.http,
      authorizer: this.functions.authorizer,
      console: this.functions.console,
      throttle,
      logRetention,
      logRemovalPolicy,
    });
    this.events.addRoutes(this.functions.ws);
    // Posts to connections (replies today; the connector's event fan-out will get the same grant).
    this.events.grantManageConnections(this.functions.ws.default);

    this.connector = new ConnectorService(this, 'Connector', {
      network: this.network,
      table: this.table,
      secrets: this.secrets,
      events: this.events,
      environment,
      tasks: s.connectorTasks,
      cpu: s.connectorCpu,
      memoryMiB: s.connectorMemoryMiB,
      leaseMs: s.leaseMs,
      image: s.connectorImage,
      logRetention,
      logRemovalPolicy,
    });

    if (s.callbackIngress !== 'none') {
      this.callbacks = new CallbackIngress(this, 'Callbacks', {
        mode: s.callbackIngress,
        network: this.network,
        connector: this.connector,
        // internal: the PBX networks, else the created VPC (settings.ts refuses the other cases).
        allowedCidrs: s.callbackAllowedCidrs ?? s.pbxCidrs ?? [s.vpcCidr],
        certificateArn: s.callbackCertificateArn,
        publicUrl: s.callbackPublicUrl,
        subnetIds: s.callbackSubnetIds,
        logRetentionDays: s.logRetentionDays,
        logRemovalPolicy,
      });
    }

    const { http, authorizer, ws } = this.functions;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: {
        ...Object.fromEntries(Object.entries(http).map(([k, f]) => [`Http-${k}`, f])),
        Authorizer: authorizer,
        'Ws-connect': ws.connect,
        'Ws-disconnect': ws.disconnect,
        'Ws-default': ws.default,
        Console: this.functions.console,
      },
      table: this.table.table,
      httpApi: this.controlApi.api,
      webSocketApi: this.events.api,
      connector: this.connector.service,
      connectorTasks: s.connectorTasks,
      alarmEmail: s.alarmEmail,
      webhookFailurePercent: s.webhookFailurePercent,
      deliveryBacklogSeconds: s.deliveryBacklogSeconds,
    });

    new CfnOutput(this, 'HttpApiUrl', { value: this.controlApi.url, description: 'Control API base URL' });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${this.controlApi.url}console/`,
      description: 'The console page (sign in with an API key)',
    });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.events.url,
      description: 'WebSocket URL channels connect to',
    });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: this.secrets.adminKey.secretArn,
      description: 'Secrets Manager secret holding the admin API key',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'VpcId', { value: this.network.vpc.vpcId, description: 'VPC of the connector' });
    new CfnOutput(this, 'ConnectorSecurityGroupId', {
      value: this.network.connectorSg.securityGroupId,
      description: 'Security group of the connector tasks (source of their connections to the PBX)',
    });
    new CfnOutput(this, 'ConnectorPrivateSubnets', {
      value: this.network.vpc.selectSubnets(this.network.privateSubnets).subnetIds.join(','),
      description: 'Subnets the connector tasks run in (allow their CIDRs on the PBX firewall)',
    });
    new CfnOutput(this, 'ConnectorCommandPort', { value: String(CONNECTOR_PORT) });
    new CfnOutput(this, 'ConnectorTokenSecretArn', {
      value: this.secrets.connectorToken.secretArn,
      description: 'Secrets Manager secret holding the connector command token',
    });
    new CfnOutput(this, 'ClusterName', { value: this.connector.cluster.clusterName });
    new CfnOutput(this, 'ConnectorServiceName', { value: this.connector.service.serviceName });
    if (this.callbacks) {
      new CfnOutput(this, 'CallbackUrl', {
        value: this.callbacks.url,
        description: 'Base URL vendors call back (links get <base>/v1/callbacks/{tenant}/{link})',
      });
      new CfnOutput(this, 'CallbackLoadBalancerDnsName', {
        value: this.callbacks.loadBalancer.loadBalancerDnsName,
        description: 'DNS name of the callback load balancer (target of the CNAME of callbackPublicUrl)',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });

    acknowledgeNagFindings(this);
  }
}
