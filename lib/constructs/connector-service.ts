/**
 * The connector: an ECS Fargate service (arm64) in the private subnets. Every task runs
 * `connector/main.ts` (the Dockerfile's CMD), competes for link ownership through the DynamoDB leases and
 * serves its private command endpoint on port 8080, which only the `calls` function's security group may
 * reach. A task advertises `http://<task IP>:8080` in its leases (ECS task metadata); the `calls` function
 * reads the lease of a link and POSTs the command there with the connector token.
 *
 * Stopping a task (deploy, scale-in, AZ rebalancing) sends SIGTERM: the connector closes its drivers and
 * releases its leases, so the other task takes the links over on its next reconcile (2 s) instead of after
 * the lease time. ECS waits `stopTimeout` (60 s) before SIGKILL.
 *
 * With `callbackIngress` on, `./callback-ingress.ts` calls `enableCallbackListener()`: the tasks also run
 * the inbound callback listener on `CALLBACK_PORT` and register in the load balancer's target group.
 */
import { Duration, Size, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../paths.js';
import { CALLBACK_PORT, CONNECTOR_PORT, type BridgeNetwork } from './network.js';
import type { BridgeSecrets } from './secrets.js';
import type { BridgeTable } from './table.js';
import type { WebSocketEndpoint } from './websocket-api.js';

/** Service name of the connector's logs and metrics (POWERTOOLS_SERVICE_NAME). */
export const CONNECTOR_SERVICE_NAME = 'cti-bridge-connector';

/**
 * The container health check, the same command as the Dockerfile's HEALTHCHECK (ECS ignores the image's):
 * the command endpoint's unauthenticated `GET /health`, with the `node` binary the image already has.
 */
export const HEALTHCHECK_SCRIPT = `fetch('http://127.0.0.1:${CONNECTOR_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/** Seconds between SIGTERM and SIGKILL; connector/main.ts gives up its graceful stop after 50 s. */
export const STOP_TIMEOUT_SECONDS = 60;

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>(:<tag>|@<digest>)`. */
const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+)|@(sha256:[0-9a-f]{64}))?$/;

export interface ConnectorServiceProps {
  network: BridgeNetwork;
  table: BridgeTable;
  secrets: BridgeSecrets;
  events: WebSocketEndpoint;
  /** What configFromEnv() reads (shared with the functions). */
  environment: Record<string, string>;
  tasks: number;
  cpu: number;
  memoryMiB: number;
  leaseMs: number;
  /** A prebuilt image; default: built from ./Dockerfile by `cdk deploy` (needs Docker on that machine). */
  image?: string | undefined;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * The connector's V8 old-space limit for a task of `memoryMiB`: half the task. Without a limit V8 sizes
 * the heap from what the host has, not the task, and lets garbage pile up to far beyond the live set
 * under load (measured in docs/performance.md: about 65 MB live, RSS past 500 MB); with it, V8 collects
 * before the task's memory runs out, and the other half is left to code, buffers and sockets.
 *
 * @example connectorHeapMiB(1024) // 512
 */
export function connectorHeapMiB(memoryMiB: number): number {
  return Math.floor(memoryMiB / 2);
}

export class ConnectorService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ConnectorServiceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.container = this.taskDefinition.addContainer('Connector', {
      image: this.image(props.image),
      essential: true,
      readonlyRootFilesystem: true,
      environment: {
        ...props.environment,
        AWS_REGION: stack.region,
        POWERTOOLS_SERVICE_NAME: CONNECTOR_SERVICE_NAME,
        BRIDGE_CONNECTOR_PORT: String(CONNECTOR_PORT),
        BRIDGE_LEASE_MS: String(props.leaseMs),
        BRIDGE_WEBSOCKET_MANAGEMENT_URL: props.events.callbackUrl,
        BRIDGE_SHUTDOWN_DEADLINE_MS: String((STOP_TIMEOUT_SECONDS - 10) * 1000),
        NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${connectorHeapMiB(props.memoryMiB)}`,
      },
      // Injected at task start by the ECS agent (execution role); never in the task definition in clear.
      secrets: { BRIDGE_CONNECTOR_TOKEN: ecs.Secret.fromSecretsManager(props.secrets.connectorToken) },
      portMappings: [{ containerPort: CONNECTOR_PORT, protocol: ecs.Protocol.TCP, name: 'command' }],
      healthCheck: {
        command: ['CMD', 'node', '-e', HEALTHCHECK_SCRIPT],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'connector',
        // A slow CloudWatch Logs must not block the event loop holding the CTI sessions.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });

    // Task role: what connector/main.ts does at run time.
    const taskRole = this.taskDefinition.taskRole;
    props.table.grant(taskRole, 'readwrite'); // leases, links status, event log, deliveries
    props.secrets.grantLinkSecretsRead(taskRole); // link credentials under the stack's prefix only
    props.events.grantManageConnections(taskRole); // event delivery to WebSocket channels

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.tasks,
      // Replace tasks one by one without ever dropping below the desired count (ownership moves by lease).
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: props.network.privateSubnets,
      securityGroups: [props.network.connectorSg],
      assignPublicIp: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      // Fargate spreads a service's tasks over the subnets' AZs; this moves them back after an AZ recovers.
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      enableExecuteCommand: false,
    });
  }

  /**
   * Runs the inbound callback listener (`connector/callbacks/`) on every interface at `CALLBACK_PORT`, with
   * `publicUrl` as the base vendors are told to call; returns the load balancer target of the tasks.
   * Other tasks reach a task's listener at its task IP (the lease's `callbackEndpoint`).
   */
  enableCallbackListener(publicUrl: string): ecs.LoadBalancerTargetOptions {
    this.container.addPortMappings({
      containerPort: CALLBACK_PORT,
      protocol: ecs.Protocol.TCP,
      name: 'callback',
    });
    this.container.addEnvironment('BRIDGE_CALLBACK_PORT', String(CALLBACK_PORT));
    this.container.addEnvironment('BRIDGE_CALLBACK_HOST', '0.0.0.0');
    this.container.addEnvironment('BRIDGE_CALLBACK_PUBLIC_URL', publicUrl);
    return { containerName: this.container.containerName, containerPort: CALLBACK_PORT };
  }

  private image(image: string | undefined): ecs.ContainerImage {
    if (!image) {
      return ecs.ContainerImage.fromAsset(PROJECT_ROOT, {
        file: 'Dockerfile',
        platform: Platform.LINUX_ARM64,
      });
    }
    const m = ECR_IMAGE.exec(image);
    if (m) {
      // A private ECR image: the execution role gets pull rights on that repository only.
      const [, account, region, name, tag, digest] = m;
      const repo = ecr.Repository.fromRepositoryAttributes(this, 'ImageRepository', {
        repositoryName: name!,
        repositoryArn: `arn:${Stack.of(this).partition}:ecr:${region}:${account}:repository/${name}`,
      });
      return ecs.ContainerImage.fromEcrRepository(repo, digest ?? tag ?? 'latest');
    }
    return ecs.ContainerImage.fromRegistry(image);
  }
}
