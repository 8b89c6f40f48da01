/**
 * Alarms, their SNS topic and the operations dashboard (docs/operations.md explains each widget).
 *
 * Custom metrics come from the connector as EMF log lines (namespace and names: BRIDGE_METRICS in
 * shared/config.ts); CloudWatch Logs extracts them from the connector's log group, so no
 * cloudwatch:PutMetricData permission is needed.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BRIDGE_METRICS } from '../../shared/config.js';
import { GSI1, GSI2 } from '../../shared/db/table.js';
import { CONNECTOR_SERVICE_NAME } from './connector-service.js';

export interface MonitoringProps {
  functions: Record<string, IFunction>;
  table: dynamodb.ITable;
  httpApi: HttpApi;
  webSocketApi: WebSocketApi;
  connector: ecs.FargateService;
  connectorTasks: number;
  alarmEmail?: string | undefined;
  webhookFailurePercent: number;
  deliveryBacklogSeconds: number;
}

/** A custom metric of the connector (dimension `service`, as Powertools Metrics writes it). */
export const connectorMetric = (metricName: string, statistic: string, period = Duration.minutes(1)) =>
  new cw.Metric({
    namespace: BRIDGE_METRICS.namespace,
    metricName,
    dimensionsMap: { service: CONNECTOR_SERVICE_NAME },
    statistic,
    period,
  });

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: cw.Alarm[] = [];
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // SNS encryption needs a customer-managed key: CloudWatch cannot use the AWS-managed aws/sns key.
    const key = new kms.Key(this, 'TopicKey', {
      description: `cti-bridge ${stack.stackName}: alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Alarms', {
      displayName: `cti-bridge ${stack.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (
      id: string,
      metric: cw.Metric | cw.MathExpression,
      o: Omit<cw.CreateAlarmOptions, 'alarmName'> & { description: string },
    ) => {
      const a = metric.createAlarm(this, id, {
        ...o,
        alarmName: `${stack.stackName}-${id}`,
        alarmDescription: o.description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };
    const GTE = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

    // --- connector ---------------------------------------------------------------------------------
    alarm('LinkDown', connectorMetric(BRIDGE_METRICS.linksDown, 'Sum'), {
      description:
        'A link owned by a connector task has not been up for 5 minutes (see GET /v1/links/{link}: status, lastError).',
      threshold: 1,
      comparisonOperator: GTE,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    const runningTasks = new cw.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: {
        ClusterName: props.connector.cluster.clusterName,
        ServiceName: props.connector.serviceName,
      },
      statistic: 'Minimum',
      period: Duration.minutes(1),
    });
    alarm('ConnectorTasksLow', runningTasks, {
      description: `Fewer connector tasks running than the ${props.connectorTasks} wanted, for 5 minutes.`,
      threshold: props.connectorTasks,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
    alarm(
      'DeliveryBacklog',
      connectorMetric(BRIDGE_METRICS.deliveryBacklogAge, 'Maximum', Duration.minutes(5)),
      {
        description: `Events wait more than ${props.deliveryBacklogSeconds} s for delivery to a channel.`,
        threshold: props.deliveryBacklogSeconds,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
    );
    const webhookFailureRate = new cw.MathExpression({
      // Only meaningful with some traffic: below 10 attempts in 15 minutes the rate counts as 0.
      expression: 'IF(attempts >= 10, 100 * failures / attempts, 0)',
      usingMetrics: {
        attempts: connectorMetric(BRIDGE_METRICS.webhookAttempts, 'Sum', Duration.minutes(15)),
        failures: connectorMetric(BRIDGE_METRICS.webhookFailures, 'Sum', Duration.minutes(15)),
      },
      label: 'Webhook failure rate (%)',
      period: Duration.minutes(15),
    });
    alarm('WebhookFailureRate', webhookFailureRate, {
      description: `More than ${props.webhookFailurePercent} % of webhook attempts failed over 15 minutes.`,
      threshold: props.webhookFailurePercent,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });

    // --- Lambda ------------------------------------------------------------------------------------
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), {
        description: `Function ${name}: 5 or more errors (exceptions, timeouts) in 5 minutes.`,
        threshold: 5,
        comparisonOperator: GTE,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), {
        description: `Function ${name} was throttled (account or reserved concurrency exhausted).`,
        threshold: 1,
        comparisonOperator: GTE,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
    }

    // --- DynamoDB ----------------------------------------------------------------------------------
    const ddb = (metricName: string, index?: string) =>
      new cw.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: {
          TableName: props.table.tableName,
          ...(index ? { GlobalSecondaryIndexName: index } : {}),
        },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const throttles = new cw.MathExpression({
      expression: 'r + w + r1 + w1 + r2 + w2',
      usingMetrics: {
        r: ddb('ReadThrottleEvents'),
        w: ddb('WriteThrottleEvents'),
        r1: ddb('ReadThrottleEvents', GSI1.name),
        w1: ddb('WriteThrottleEvents', GSI1.name),
        r2: ddb('ReadThrottleEvents', GSI2.name),
        w2: ddb('WriteThrottleEvents', GSI2.name),
      },
      label: 'DynamoDB throttle events (table and indexes)',
      period: Duration.minutes(5),
    });
    alarm('TableThrottles', throttles, {
      description: 'DynamoDB throttled reads or writes on the table or its indexes (on-demand burst limits).',
      threshold: 1,
      comparisonOperator: GTE,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });

    // --- control API -------------------------------------------------------------------------------
    alarm('HttpApi5xx', props.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), {
      description: 'The control API answered 10 or more 5xx in 5 minutes.',
      threshold: 10,
      comparisonOperator: GTE,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = this.buildDashboard(props, runningTasks, webhookFailureRate, throttles);
  }

  private buildDashboard(
    props: MonitoringProps,
    runningTasks: cw.Metric,
    webhookFailureRate: cw.IMetric,
    throttles: cw.IMetric,
  ): cw.Dashboard {
    const stack = Stack.of(this);
    const fns = Object.entries(props.functions);
    const per = (f: (fn: IFunction) => cw.Metric, label: string) =>
      fns.map(([name, fn]) => f(fn).with({ label: `${name} ${label}`.trim() }));
    const five = { period: Duration.minutes(5) };
    const ws = (metricName: string) =>
      new cw.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.webSocketApi.apiId },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const d = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-operations`,
      defaultInterval: Duration.hours(6),
    });
    d.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    d.addWidgets(
      new cw.GraphWidget({
        title: 'Links (connector)',
        left: [
          connectorMetric(BRIDGE_METRICS.linksOwned, 'Sum').with({ label: 'owned' }),
          connectorMetric(BRIDGE_METRICS.linksDown, 'Sum').with({ label: 'down' }),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Connector tasks',
        left: [runningTasks.with({ label: 'running' })],
        right: [
          props.connector.metricCpuUtilization({ label: 'CPU %' }),
          props.connector.metricMemoryUtilization({ label: 'memory %' }),
        ],
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Delivery',
        left: [
          connectorMetric(BRIDGE_METRICS.deliveryBacklogAge, 'Maximum').with({ label: 'backlog age (s)' }),
        ],
        right: [webhookFailureRate],
        width: 8,
      }),
    );
    d.addWidgets(
      new cw.GraphWidget({
        title: 'Control API',
        left: [
          props.httpApi.metricCount({ ...five, label: 'requests' }),
          props.httpApi.metricClientError({ ...five, label: '4xx' }),
          props.httpApi.metricServerError({ ...five, label: '5xx' }),
        ],
        right: [
          props.httpApi.metricLatency({ ...five, statistic: 'p50', label: 'latency p50' }),
          props.httpApi.metricLatency({ ...five, statistic: 'p99', label: 'latency p99' }),
        ],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Event API (WebSocket)',
        left: [
          ws('ConnectCount').with({ label: 'connects' }),
          ws('MessageCount').with({ label: 'messages' }),
        ],
        right: [
          ws('ClientError').with({ label: 'client errors' }),
          ws('ExecutionError').with({ label: 'execution errors' }),
        ],
        width: 12,
      }),
    );
    d.addWidgets(
      new cw.GraphWidget({
        title: 'Lambda errors',
        left: per((fn) => fn.metricErrors(five), ''),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: per((fn) => fn.metricDuration({ ...five, statistic: 'p99' }), ''),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Lambda throttles',
        left: per((fn) => fn.metricThrottles(five), ''),
        width: 8,
      }),
    );
    const ddb = (metricName: string) =>
      new cw.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: props.table.tableName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    d.addWidgets(
      new cw.GraphWidget({
        title: 'DynamoDB capacity used',
        left: [
          ddb('ConsumedReadCapacityUnits').with({ label: 'RCU' }),
          ddb('ConsumedWriteCapacityUnits').with({ label: 'WCU' }),
        ],
        width: 12,
      }),
      new cw.GraphWidget({ title: 'DynamoDB throttles', left: [throttles], width: 12 }),
    );
    return d;
  }
}
