/**
 * The way in for vendors that call the connector back over HTTP (e.g. Aspect CTIPS SOAP callbacks): an
 * Application Load Balancer in front of every connector task's callback listener
 * (`connector/callbacks/`, `/v1/callbacks/{tenant}/{link}/...` on `CALLBACK_PORT`). Any task may receive a
 * callback: one that does not own the link forwards it to the owner's listener (the lease's
 * `callbackEndpoint`), so the tasks also accept that port from each other.
 *
 * - `internal`: in the private subnets, reachable over the VPN / Direct Connect; HTTPS when a certificate
 *   is given, else HTTP.
 * - `public`: internet-facing, HTTPS only (a certificate is required), no plain HTTP listener.
 *
 * Either way the load balancer's security group admits the listener port from `allowedCidrs` only, the
 * connector's group admits the callback port from the load balancer's group (and its own tasks) only, only
 * `/v1/callbacks/*` is forwarded (anything else: a fixed 404), and access logs go to an S3 bucket.
 */
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ConnectorService } from './connector-service.js';
import { CALLBACK_PORT, type BridgeNetwork } from './network.js';

/** The target health check: the listener answers `GET /health` with 200 (connector/callbacks/listener.ts). */
export const CALLBACK_HEALTH_CHECK = { path: '/health', healthyHttpCodes: '200' } as const;

/** The only paths forwarded to the connector tasks (connector/callbacks/path.ts `CALLBACK_ROOT`). */
export const CALLBACK_PATH_PATTERN = '/v1/callbacks/*';

/** TLS 1.3 and 1.2 with ECDHE + AES-GCM only, post-quantum hybrid key exchange on TLS 1.3. */
export const CALLBACK_SSL_POLICY = elbv2.SslPolicy.TLS13_12_RES_PQ;

export interface CallbackIngressProps {
  mode: 'internal' | 'public';
  network: BridgeNetwork;
  connector: ConnectorService;
  /** Networks allowed to reach the load balancer's listener. */
  allowedCidrs: string[];
  /** ACM certificate in the stack's region: HTTPS on 443 (required for `public`); without it HTTP on 80. */
  certificateArn?: string | undefined;
  /** Base URL the PBX calls (`scheme://host[:port]`); default the load balancer's DNS name. */
  publicUrl?: string | undefined;
  /** Load balancer subnets; default the private subnets (`internal`) or the VPC's public ones (`public`). */
  subnetIds?: string[] | undefined;
  /** Days the access logs are kept. */
  logRetentionDays: number;
  /** Removal policy of the access log bucket (DESTROY also empties it). */
  logRemovalPolicy: RemovalPolicy;
}

/**
 * @example
 * const ingress = new CallbackIngress(stack, 'Callbacks', {
 *   mode: 'internal',
 *   network,
 *   connector,
 *   allowedCidrs: ['192.168.10.0/24'],
 *   logRetentionDays: 30,
 *   logRemovalPolicy: RemovalPolicy.RETAIN,
 * });
 * // the PBX calls `${ingress.url}/v1/callbacks/{tenant}/{link}/...`
 */
export class CallbackIngress extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly accessLogs: s3.Bucket;
  /** Networks admitted on the listener port. */
  readonly allowedCidrs: readonly string[];
  /** The base URL vendors are told to call (BRIDGE_CALLBACK_PUBLIC_URL of the tasks). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CallbackIngressProps) {
    super(scope, id);
    const { mode, network, connector, certificateArn } = props;
    if (mode === 'public' && !certificateArn)
      throw new Error('callbackIngress=public needs a certificate (callbackCertificateArn): HTTPS only');
    if (props.allowedCidrs.length === 0) throw new Error('callbackIngress needs at least one allowed CIDR');
    this.checkRegion(certificateArn);
    this.allowedCidrs = [...props.allowedCidrs];
    const https = certificateArn !== undefined;
    const port = https ? 443 : 80;

    this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
      vpc: network.vpc,
      // Static: a description change replaces the group (e.g. when a certificate is added later).
      description: 'cti-bridge callback load balancer: its listener port from the allowed networks only',
      allowAllOutbound: false,
    });
    for (const cidr of props.allowedCidrs)
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), 'vendor callbacks');

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      internetFacing: mode === 'public',
      vpcSubnets: this.subnets(props),
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs support SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: props.logRemovalPolicy,
      autoDeleteObjects: props.logRemovalPolicy === RemovalPolicy.DESTROY,
    });
    this.loadBalancer.logAccessLogs(this.accessLogs, 'callbacks');

    this.listener = this.loadBalancer.addListener('Listener', {
      port,
      protocol: https ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      ...(https
        ? {
            certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
            sslPolicy: CALLBACK_SSL_POLICY,
          }
        : {}),
      // Ingress comes from the rules above only (default: 0.0.0.0/0 on the listener port).
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
      }),
    });

    this.url = props.publicUrl ?? `${https ? 'https' : 'http'}://${this.loadBalancer.loadBalancerDnsName}`;
    const target = connector.enableCallbackListener(this.url);
    this.targetGroup = this.listener.addTargets('Connector', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns([CALLBACK_PATH_PATTERN])],
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: CALLBACK_PORT,
      // Registers every task; the load balancer's group may reach the tasks on CALLBACK_PORT (and only it).
      targets: [connector.service.loadBalancerTarget(target)],
      healthCheck: {
        ...CALLBACK_HEALTH_CHECK,
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Callbacks are short (a forward takes at most 15 s): a stopping task drains quickly.
      deregistrationDelay: Duration.seconds(20),
    });

    // A task that does not own the link forwards the callback to the owner's listener.
    const sg = network.connectorSg;
    const forward = 'callbacks forwarded to the connector task owning the link';
    sg.addIngressRule(sg, ec2.Port.tcp(CALLBACK_PORT), forward);
    if (!sg.allowAllOutbound) sg.addEgressRule(sg, ec2.Port.tcp(CALLBACK_PORT), forward);
  }

  private subnets(props: CallbackIngressProps): ec2.SubnetSelection {
    if (props.subnetIds)
      return {
        subnets: props.subnetIds.map((id) => ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id)),
      };
    return props.mode === 'public' ? { subnetType: ec2.SubnetType.PUBLIC } : props.network.privateSubnets;
  }

  /**
   * The access log bucket policy names the region's ELB log delivery account, and a listener takes
   * certificates of its own region only: both need the stack's region (the CLI always has one).
   */
  private checkRegion(certificateArn: string | undefined): void {
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region))
      throw new Error(
        "callbackIngress needs the stack's region (AWS_REGION, a profile, or the CLI's default): the load balancer's access log delivery depends on it",
      );
    const certRegion = certificateArn && Arn.split(certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (certRegion && certRegion !== region)
      throw new Error(
        `callbackCertificateArn is in ${certRegion}, the stack in ${region}: the certificate must be in the stack's region`,
      );
  }
}
