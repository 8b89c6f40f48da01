/**
 * The `callbackIngress` context option (lib/constructs/callback-ingress.ts): the load balancer in front of
 * the connector's callback listener, in each mode, on the synthesized template. Bundling is skipped (the
 * functions are checked in stack.test.ts); cdk-nag runs on these modes in nag.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../shared/config.js';
import { CtiBridgeStack } from '../../lib/cti-bridge-stack.js';
import {
  CallbackIngress,
  CALLBACK_HEALTH_CHECK,
  CALLBACK_PATH_PATTERN,
  CALLBACK_SSL_POLICY,
} from '../../lib/constructs/callback-ingress.js';
import { CALLBACK_PORT, CONNECTOR_PORT } from '../../lib/constructs/network.js';
import { PROJECT_ROOT } from '../../lib/paths.js';
import { settingsFromContext } from '../../lib/settings.js';

type Json = Record<string, any>;

const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Json }
).context;

const CERT = 'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const ENV = { account: '111122223333', region: 'eu-west-1' };
/** What `cdk synth` without credentials gives the app (lib/app.ts): the CLI's default region, no account. */
const CLI_OFFLINE = { region: 'us-east-1' };
const outdirs: string[] = [];

function synth(context: Json, env?: { account?: string; region: string }) {
  const outdir = mkdtempSync(join(tmpdir(), 'cti-bridge-callbacks-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const settings = settingsFromContext(app.node);
  const stack = new CtiBridgeStack(app, settings.stackName, {
    stackName: settings.stackName,
    settings,
    ...(env ? { env } : {}),
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Json };
}
type Synth = ReturnType<typeof synth>;

afterAll(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

const resourcesOf = (json: Json, type: string) =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
const idOf = (s: Synth, c: { node: { defaultChild?: unknown } }) =>
  s.stack.getLogicalId(c.node.defaultChild as CfnElement);
const groupRef = (s: Synth, sg: { node: { defaultChild?: unknown } }) => ({
  'Fn::GetAtt': [idOf(s, sg), 'GroupId'],
});
const container = (s: Synth) =>
  (resourcesOf(s.json, 'AWS::ECS::TaskDefinition')[0]![1].Properties as Json).ContainerDefinitions[0] as Json;
const envOf = (s: Synth) =>
  Object.fromEntries(
    (container(s).Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
  );
/** Inbound rules of a security group: inline and standalone, as `source port`. */
function ingressOf(s: Synth, sg: { node: { defaultChild?: unknown } }): string[] {
  const id = idOf(s, sg);
  const inline = ((s.json.Resources[id].Properties as Json).SecurityGroupIngress ?? []) as Json[];
  const standalone = resourcesOf(s.json, 'AWS::EC2::SecurityGroupIngress')
    .map(([, r]) => r.Properties as Json)
    .filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(groupRef(s, sg)));
  return [...inline, ...standalone].map(
    (r) => `${r.CidrIp ?? JSON.stringify(r.SourceSecurityGroupId)} ${r.FromPort}-${r.ToPort}`,
  );
}
function egressOf(s: Synth, sg: { node: { defaultChild?: unknown } }): string[] {
  const id = idOf(s, sg);
  const inline = ((s.json.Resources[id].Properties as Json).SecurityGroupEgress ?? []) as Json[];
  const standalone = resourcesOf(s.json, 'AWS::EC2::SecurityGroupEgress')
    .map(([, r]) => r.Properties as Json)
    .filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(groupRef(s, sg)));
  return [...inline, ...standalone].map(
    (r) => `${r.CidrIp ?? JSON.stringify(r.DestinationSecurityGroupId)} ${r.FromPort}-${r.ToPort}`,
  );
}

describe('callbackIngress=none (default)', () => {
  let unset: Synth;
  let none: Synth;
  beforeAll(() => {
    unset = synth({});
    none = synth({ callbackIngress: 'none' });
  });

  it('adds nothing: no load balancer, bucket, callback port or callback environment; same template as unset', () => {
    expect(none.json).toEqual(unset.json);
    for (const t of [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      'AWS::S3::Bucket',
    ])
      none.template.resourceCountIs(t, 0);
    expect(none.stack.callbacks).toBeUndefined();
    expect(container(none).PortMappings).toEqual([
      expect.objectContaining({ ContainerPort: CONNECTOR_PORT }),
    ]);
    expect(Object.keys(envOf(none)).filter((k) => k.startsWith('BRIDGE_CALLBACK_'))).toEqual([]);
    expect(Object.keys(none.json.Outputs as Json).filter((k) => k.startsWith('Callback'))).toEqual([]);
    none.template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [] });
  });
});

describe('callbackIngress=internal', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({ callbackIngress: 'internal' }, CLI_OFFLINE);
  });
  const ingress = () => s.stack.callbacks!;

  it('puts an internal load balancer in the private subnets, HTTP 80 without a certificate', () => {
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    const lb = resourcesOf(s.json, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]![1].Properties as Json;
    expect(lb).toMatchObject({ Scheme: 'internal', Type: 'application' });
    const privateIds = resourcesOf(s.json, 'AWS::EC2::Subnet')
      .filter(([, r]) => (r.Properties as Json).MapPublicIpOnLaunch === false)
      .map(([id]) => ({ Ref: id }));
    expect(lb.Subnets).toHaveLength(2);
    expect(lb.Subnets).toEqual(expect.arrayContaining(privateIds));
    expect(lb.SecurityGroups).toEqual([groupRef(s, ingress().securityGroup)]);
    const attrs = Object.fromEntries(
      (lb.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((a) => [a.Key, a.Value]),
    );
    expect(attrs).toMatchObject({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': { Ref: idOf(s, ingress().accessLogs) },
      'access_logs.s3.prefix': 'callbacks',
    });
    s.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      Certificates: Match.absent(),
    });
  });

  it('forwards /v1/callbacks/* only (anything else: fixed 404) to every task on the callback port', () => {
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '404' }),
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [CALLBACK_PATH_PATTERN] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: idOf(s, ingress().targetGroup) } }],
    });
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: CALLBACK_PORT,
      HealthCheckPath: CALLBACK_HEALTH_CHECK.path,
      Matcher: { HttpCode: CALLBACK_HEALTH_CHECK.healthyHttpCodes },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]),
    });
    s.template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [
        {
          ContainerName: 'Connector',
          ContainerPort: CALLBACK_PORT,
          TargetGroupArn: { Ref: idOf(s, ingress().targetGroup) },
        },
      ],
      HealthCheckGracePeriodSeconds: 60,
    });
  });

  it('admits the VPC CIDR only (no pbxCidrs); the connector takes the callback port from the load balancer and its own tasks', () => {
    const { connectorSg, callsSg } = s.stack.network;
    expect(ingressOf(s, ingress().securityGroup)).toEqual(['10.40.0.0/16 80-80']);
    expect(egressOf(s, ingress().securityGroup)).toEqual([
      `${JSON.stringify(groupRef(s, connectorSg))} ${CALLBACK_PORT}-${CALLBACK_PORT}`,
    ]);
    expect(ingressOf(s, connectorSg).sort()).toEqual(
      [
        `${JSON.stringify(groupRef(s, callsSg))} ${CONNECTOR_PORT}-${CONNECTOR_PORT}`,
        `${JSON.stringify(groupRef(s, ingress().securityGroup))} ${CALLBACK_PORT}-${CALLBACK_PORT}`,
        `${JSON.stringify(groupRef(s, connectorSg))} ${CALLBACK_PORT}-${CALLBACK_PORT}`,
      ].sort(),
    );
  });

  it('runs the listener on every interface and tells drivers the load balancer URL', () => {
    expect(container(s).PortMappings).toEqual([
      expect.objectContaining({ ContainerPort: CONNECTOR_PORT }),
      expect.objectContaining({ ContainerPort: CALLBACK_PORT, Protocol: 'tcp', Name: 'callback' }),
    ]);
    const env = envOf(s);
    expect(env).toMatchObject({
      BRIDGE_CALLBACK_PORT: String(CALLBACK_PORT),
      BRIDGE_CALLBACK_HOST: '0.0.0.0',
    });
    expect(env.BRIDGE_CALLBACK_PUBLIC_URL).toEqual({
      'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [idOf(s, ingress().loadBalancer), 'DNSName'] }]],
    });
    const config = configFromEnv({
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `x-${k}`])),
      BRIDGE_WEBSOCKET_URL: 'wss://abc.execute-api.eu-west-1.amazonaws.com/live',
      BRIDGE_CALLBACK_PUBLIC_URL: 'http://internal-cb-123.eu-west-1.elb.amazonaws.com',
    });
    expect(config.callbacks).toMatchObject({ port: CALLBACK_PORT, host: '0.0.0.0' });
    expect(s.json.Outputs.CallbackUrl.Value).toEqual(env.BRIDGE_CALLBACK_PUBLIC_URL);
  });

  it('keeps the access logs private, encrypted, TLS-only, for the log retention', () => {
    s.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
      }),
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('with pbxCidrs, a certificate and a URL: HTTPS 443 from the PBX networks, forwarding allowed out', () => {
    const t = synth(
      {
        callbackIngress: 'internal',
        pbxCidrs: '192.168.10.0/24,172.16.0.0/16',
        callbackCertificateArn: CERT,
        callbackPublicUrl: 'https://cti-callbacks.corp.example/',
        retainData: 'false',
      },
      ENV,
    );
    const cb = t.stack.callbacks!;
    expect(ingressOf(t, cb.securityGroup).sort()).toEqual([
      '172.16.0.0/16 443-443',
      '192.168.10.0/24 443-443',
    ]);
    t.template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT }],
      SslPolicy: CALLBACK_SSL_POLICY,
    });
    expect(envOf(t).BRIDGE_CALLBACK_PUBLIC_URL).toBe('https://cti-callbacks.corp.example');
    // The connector's egress is restricted (pbxCidrs): forwarding to the other tasks is allowed explicitly.
    const sg = t.stack.network.connectorSg;
    expect(egressOf(t, sg)).toContain(`${JSON.stringify(groupRef(t, sg))} ${CALLBACK_PORT}-${CALLBACK_PORT}`);
    // retainData=false: the log bucket goes with the stack, emptied first.
    t.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    t.template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  it('callbackAllowedCidrs wins over pbxCidrs', () => {
    const t = synth(
      {
        callbackIngress: 'internal',
        pbxCidrs: '192.168.10.0/24',
        callbackAllowedCidrs: '10.1.2.3/32',
      },
      CLI_OFFLINE,
    );
    expect(ingressOf(t, t.stack.callbacks!.securityGroup)).toEqual(['10.1.2.3/32 80-80']);
  });
});

describe('callbackIngress=public', () => {
  const context = {
    callbackIngress: 'public',
    callbackCertificateArn: CERT,
    callbackPublicUrl: 'https://cti-callbacks.example.com',
    callbackAllowedCidrs: '203.0.113.10/32,198.51.100.0/28',
  };

  it('is internet-facing in the public subnets, HTTPS only with the modern TLS policy, from the given CIDRs only', () => {
    const s = synth(context, ENV);
    const cb = s.stack.callbacks!;
    const lb = resourcesOf(s.json, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]![1].Properties as Json;
    expect(lb.Scheme).toBe('internet-facing');
    const publicIds = resourcesOf(s.json, 'AWS::EC2::Subnet')
      .filter(([, r]) => (r.Properties as Json).MapPublicIpOnLaunch === true)
      .map(([id]) => ({ Ref: id }));
    expect(lb.Subnets).toEqual(expect.arrayContaining(publicIds));
    expect(lb.Subnets).toHaveLength(publicIds.length);
    // One listener, HTTPS: no plain HTTP, not even a redirect.
    const listeners = resourcesOf(s.json, 'AWS::ElasticLoadBalancingV2::Listener').map(
      ([, r]) => r.Properties as Json,
    );
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [{ CertificateArn: CERT }],
    });
    expect(ingressOf(s, cb.securityGroup).sort()).toEqual([
      '198.51.100.0/28 443-443',
      '203.0.113.10/32 443-443',
    ]);
    expect(envOf(s).BRIDGE_CALLBACK_PUBLIC_URL).toBe('https://cti-callbacks.example.com');
    expect(s.json.Outputs.CallbackUrl.Value).toBe('https://cti-callbacks.example.com');
    expect(s.json.Outputs.CallbackLoadBalancerDnsName.Value).toEqual({
      'Fn::GetAtt': [idOf(s, cb.loadBalancer), 'DNSName'],
    });
    // The tasks themselves stay private.
    s.template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('in an existing VPC: the given (public) subnets', () => {
    const s = synth(
      {
        ...context,
        vpcId: 'vpc-0123456789abcdef0',
        privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
        callbackSubnetIds: 'subnet-0ccccccccccccccc3,subnet-0ddddddddddddddd4',
      },
      ENV,
    );
    s.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: ['subnet-0ccccccccccccccc3', 'subnet-0ddddddddddddddd4'],
    });
  });
});

describe('callbackIngress: refused combinations', () => {
  const bad = (context: Json) => () => settingsFromContext(new App({ context }).node);

  it('public without a certificate fails synthesis naming callbackCertificateArn', () => {
    expect(bad({ callbackIngress: 'public', callbackAllowedCidrs: '203.0.113.10/32' })).toThrow(
      /-c callbackCertificateArn: required with -c callbackIngress=public/,
    );
    // The construct refuses it as well, for direct users of CallbackIngress.
    const { stack } = synth({});
    expect(
      () =>
        new CallbackIngress(stack, 'PublicWithoutCertificate', {
          mode: 'public',
          network: stack.network,
          connector: stack.connector,
          allowedCidrs: ['203.0.113.10/32'],
          logRetentionDays: 30,
          logRemovalPolicy: RemovalPolicy.RETAIN,
        }),
    ).toThrow(/needs a certificate \(callbackCertificateArn\)/);
  });

  it('public needs explicit CIDRs and, in an existing VPC, its subnets', () => {
    const pub = {
      callbackIngress: 'public',
      callbackCertificateArn: CERT,
      callbackPublicUrl: 'https://cb.example.com',
    };
    expect(bad(pub)).toThrow(/-c callbackAllowedCidrs: required with -c callbackIngress=public/);
    expect(
      bad({
        ...pub,
        callbackAllowedCidrs: '0.0.0.0/0',
        vpcId: 'vpc-0123456789abcdef0',
        privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
      }),
    ).toThrow(/-c callbackSubnetIds: required/);
  });

  it('a certificate needs an https:// callbackPublicUrl, and https:// needs a certificate', () => {
    expect(bad({ callbackIngress: 'internal', callbackCertificateArn: CERT })).toThrow(
      /-c callbackPublicUrl: required/,
    );
    expect(bad({ callbackIngress: 'internal', callbackPublicUrl: 'https://cb.example.com' })).toThrow(
      /needs -c callbackCertificateArn/,
    );
    expect(
      bad({ callbackIngress: 'internal', callbackPublicUrl: 'http://cb.example.com/some/path' }),
    ).toThrow(/without a path/);
  });

  it('internal in an existing VPC needs callbackAllowedCidrs or pbxCidrs', () => {
    const vpc = { vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1' };
    expect(bad({ callbackIngress: 'internal', ...vpc })).toThrow(/-c callbackAllowedCidrs: required/);
    expect(
      settingsFromContext(
        new App({ context: { callbackIngress: 'internal', ...vpc, pbxCidrs: '10.9.0.0/16' } }).node,
      ),
    ).toMatchObject({ callbackIngress: 'internal' });
  });

  it('callback options without a mode, an unknown mode and a certificate of another region are refused', () => {
    expect(bad({ callbackAllowedCidrs: '10.0.0.0/8' })).toThrow(
      /only used with -c callbackIngress=internal or public/,
    );
    expect(bad({ callbackIngress: 'private' })).toThrow(/-c callbackIngress/);
    expect(() =>
      synth(
        {
          callbackIngress: 'internal',
          callbackCertificateArn: CERT.replace('eu-west-1', 'us-east-1'),
          callbackPublicUrl: 'https://cb.example.com',
        },
        ENV,
      ),
    ).toThrow(/certificate must be in the stack's region/);
    // Environment-agnostic: the access log delivery principal depends on the region.
    expect(() => synth({ callbackIngress: 'internal' })).toThrow(/callbackIngress needs the stack's region/);
  });
});
