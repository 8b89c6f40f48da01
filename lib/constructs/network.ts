/**
 * The network the connector tasks and the VPC-attached `calls` function run in: a new VPC (two AZs,
 * public subnets for the NAT gateways only, private subnets with egress for the workloads, flow logs, a
 * free DynamoDB gateway endpoint), or the customer's existing VPC given by id and private subnet ids.
 *
 * The PBX is reached through the customer's VPN / Direct Connect (virtual private gateway or transit
 * gateway routes in the private subnets' route tables); the stack does not create those.
 *
 * Two security groups carry the one private path of the design: `calls` function → connector command
 * port. The connector's group admits nothing else; the `calls` group may reach nothing but that port
 * and HTTPS (DynamoDB, Secrets Manager).
 */
import { Fn, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The connector's private command endpoint port (BRIDGE_CONNECTOR_PORT). */
export const CONNECTOR_PORT = 8080;

/** The connector's inbound callback listener port (BRIDGE_CALLBACK_PORT), when `callbackIngress` is on. */
export const CALLBACK_PORT = 8081;

export interface BridgeNetworkProps {
  vpcId?: string | undefined;
  privateSubnetIds?: string[] | undefined;
  privateSubnetAzs?: string[] | undefined;
  vpcCidr: string;
  natGateways: number;
  /** Networks of the CTI servers (egress of the connector); undefined: any destination. */
  pbxCidrs?: string[] | undefined;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

export class BridgeNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** Where the connector tasks and the `calls` function run. */
  readonly privateSubnets: ec2.SubnetSelection;
  readonly connectorSg: ec2.SecurityGroup;
  readonly callsSg: ec2.SecurityGroup;
  /** True when the stack created the VPC (and its NAT gateways, flow logs and endpoints). */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: BridgeNetworkProps) {
    super(scope, id);
    if (props.vpcId) {
      const subnetIds = props.privateSubnetIds ?? [];
      // Imported from ids given on the command line: no lookup, so synthesis stays offline.
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.vpcId,
        availabilityZones: props.privateSubnetAzs ?? subnetIds.map((_, i) => Fn.select(i, Fn.getAzs())),
        privateSubnetIds: subnetIds,
      });
      this.privateSubnets = { subnets: this.vpc.privateSubnets };
      this.created = false;
    } else {
      const flowLogs = new LogGroup(this, 'FlowLogs', {
        retention: props.logRetention,
        removalPolicy: props.logRemovalPolicy,
      });
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr),
        maxAzs: 2,
        natGateways: props.natGateways,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        ],
        restrictDefaultSecurityGroup: true,
        flowLogs: {
          all: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
            trafficType: ec2.FlowLogTrafficType.REJECT,
          },
        },
      });
      // Table traffic (leases, events, deliveries) stays off the NAT gateways (and their per-GB charge).
      vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
      this.vpc = vpc;
      this.privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.created = true;
    }

    this.connectorSg = new ec2.SecurityGroup(this, 'ConnectorSg', {
      vpc: this.vpc,
      description: 'cti-bridge connector tasks: command port from the calls function only',
      // Without pbxCidrs the connector may open connections anywhere: CTI servers, AWS APIs, webhooks.
      allowAllOutbound: !props.pbxCidrs,
    });
    if (props.pbxCidrs) {
      // Webhooks, AWS APIs and the WebSocket management API are HTTPS; everything else only to the PBX networks.
      this.connectorSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS APIs and webhooks');
      for (const cidr of props.pbxCidrs)
        this.connectorSg.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.allTcp(), 'CTI servers (PBX)');
    }
    this.callsSg = new ec2.SecurityGroup(this, 'CallsSg', {
      vpc: this.vpc,
      description: 'cti-bridge calls function: to the connector command port and HTTPS only',
      allowAllOutbound: false,
    });
    this.callsSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: DynamoDB, Secrets Manager');
    // The only inbound rule of the connector: its command port, from the calls function's group.
    this.connectorSg.connections.allowFrom(
      this.callsSg,
      ec2.Port.tcp(CONNECTOR_PORT),
      'connector command endpoint from the calls function',
    );
  }
}
