/**
 * Deployment settings: the CDK context options a customer may pass (`cdk deploy -c key=value` or
 * `cdk.json`), parsed once and typed. Values given with `-c` arrive as strings, so booleans and numbers
 * are coerced here; anything invalid stops synthesis with a message naming the option.
 */
import type { Node } from 'constructs';
import { z } from 'zod';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A comma-separated list (`-c name=a,b`) or an array (cdk.json), each item matching `re`. */
const csv = (re: RegExp, what: string, min = 1) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(re, `must be ${what}`)).min(min));
const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

/** Where the connector's inbound callback listener is reachable from (lib/constructs/callback-ingress.ts). */
export const CALLBACK_INGRESS_MODES = ['none', 'internal', 'public'] as const;

export const SettingsSchema = z.object({
  /** CloudFormation stack name; also part of the link-secret name prefix. */
  stackName: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      'must start with a letter and contain only letters, digits and hyphens',
    )
    .default('CtiBridge'),
  /** Keep the table (deletion protection + RETAIN) and log groups when the stack is deleted. */
  retainData: bool.default(true),
  /** Retention of every log group (Lambda and access logs), in days. */
  logRetentionDays: z.coerce
    .number()
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  /** Handler log level (BRIDGE_LOG_LEVEL). */
  logLevel: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO'),
  /** Event log retention (TTL of event items), days. */
  eventTtlDays: int(1, 365).default(7),
  /** HTTP API default-route throttling (steady requests per second, burst). */
  throttleRateLimit: int(1, 10_000).default(50),
  throttleBurstLimit: int(1, 5_000).default(100),
  /** Customer-managed KMS key (ARN) for the table; default: the AWS-managed key `aws/dynamodb`. */
  tableKmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN')
    .optional(),

  // --- network -------------------------------------------------------------------------------------
  /** Use this existing VPC instead of creating one (requires `privateSubnetIds`). */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)')
    .optional(),
  /** Private subnets (with a route to the PBX and outbound access to AWS APIs) of `vpcId`, comma-separated. */
  privateSubnetIds: csv(SUBNET_ID, 'subnet ids (subnet-...)').optional(),
  /** Availability zones of `privateSubnetIds`, same order (optional; only used for display). */
  privateSubnetAzs: csv(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'availability zone names').optional(),
  /** CIDR of the VPC created when no `vpcId` is given. */
  vpcCidr: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR from /16 to /24')
    .default('10.40.0.0/16'),
  /** NAT gateways of the created VPC (one per AZ by default: egress survives the loss of an AZ). */
  natGateways: int(1, 3).default(2),
  /** Networks the PBX / CTI servers live in (comma-separated CIDRs): the connector's only non-AWS egress. */
  pbxCidrs: csv(IPV4_CIDR, 'IPv4 CIDRs').optional(),

  // --- connector (ECS Fargate) ---------------------------------------------------------------------
  /** Connector tasks (spread over the AZs; links are owned through DynamoDB leases). */
  connectorTasks: int(1, 20).default(2),
  /** Task size: vCPU units and MiB (a valid Fargate combination). */
  connectorCpu: z.coerce
    .number()
    .refine((n) => [256, 512, 1024, 2048, 4096].includes(n), {
      message: 'must be 256, 512, 1024, 2048 or 4096',
    })
    .default(512),
  connectorMemoryMiB: int(512, 30_720).default(1024),
  /** Prebuilt connector image (`<repo>:<tag>` or `<repo>@sha256:...`); default: built from ./Dockerfile by `cdk deploy`. */
  connectorImage: z.string().min(3).optional(),
  /** Lease time (BRIDGE_LEASE_MS): a crashed task's links move after at most this plus the reconcile interval. */
  leaseMs: int(5_000, 120_000).default(15_000),

  // --- inbound vendor callbacks (load balancer in front of the connector's callback listener) ---------
  /** `none`: no listener; `internal`: a load balancer in the private subnets; `public`: internet-facing, TLS only. */
  callbackIngress: z.enum(CALLBACK_INGRESS_MODES).default('none'),
  /** Who may reach the load balancer (comma-separated CIDRs). Default (internal): `pbxCidrs`, else the VPC CIDR. */
  callbackAllowedCidrs: csv(IPV4_CIDR, 'IPv4 CIDRs').optional(),
  /** ACM certificate (same region) of the callback listener: HTTPS instead of HTTP; required for `public`. */
  callbackCertificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'must be an ACM certificate ARN',
    )
    .optional(),
  /** The base URL the PBX calls (BRIDGE_CALLBACK_PUBLIC_URL), e.g. the certificate's name; default the load balancer's. */
  callbackPublicUrl: z
    .string()
    .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'must be http(s)://host[:port], without a path')
    .transform((u) => u.replace(/\/$/, ''))
    .optional(),
  /** Subnets of the load balancer in an existing VPC (`vpcId`); default the private subnets (internal). */
  callbackSubnetIds: csv(SUBNET_ID, 'at least two subnet ids (subnet-...) in different zones', 2).optional(),

  // --- monitoring ----------------------------------------------------------------------------------
  /** E-mail address subscribed to the alarm topic (confirm the subscription mail). */
  alarmEmail: z.string().email().optional(),
  /** Webhook failure-rate alarm threshold, percent of attempts over 15 minutes. */
  webhookFailurePercent: int(1, 100).default(20),
  /** Delivery backlog alarm threshold: age of the oldest undelivered event, seconds. */
  deliveryBacklogSeconds: int(10, 86_400).default(300),
});
export type BridgeSettings = z.infer<typeof SettingsSchema>;

export const SETTING_NAMES = Object.keys(SettingsSchema.shape) as (keyof BridgeSettings)[];

/** Reads every option from the construct tree's context (App context, cdk.json, `-c`). */
export function settingsFromContext(node: Node): BridgeSettings {
  const raw: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const v: unknown = node.tryGetContext(name);
    // `-c tableKmsKeyArn=` (empty) means "not set".
    if (v !== undefined && v !== '') raw[name] = v;
  }
  const res = SettingsSchema.safeParse(raw);
  if (!res.success) {
    const detail = res.error.issues.map((i) => `  -c ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid cti-bridge context options:\n${detail}`);
  }
  const s = res.data;
  const problems: string[] = [];
  if (s.vpcId && !s.privateSubnetIds) problems.push('  -c privateSubnetIds: required with -c vpcId');
  if (!s.vpcId && s.privateSubnetIds) problems.push('  -c vpcId: required with -c privateSubnetIds');
  if (s.privateSubnetAzs && s.privateSubnetAzs.length !== s.privateSubnetIds?.length)
    problems.push('  -c privateSubnetAzs: one zone per subnet of privateSubnetIds');
  if (!fargateSizeOk(s.connectorCpu, s.connectorMemoryMiB))
    problems.push(
      `  -c connectorMemoryMiB: ${s.connectorMemoryMiB} MiB is not a Fargate size for ${s.connectorCpu} CPU units`,
    );
  problems.push(...callbackProblems(s));
  if (problems.length) throw new Error(`invalid cti-bridge context options:\n${problems.join('\n')}`);
  return s;
}

/** The callback ingress options that do not fit together (docs/deploy.md, "Inbound vendor callbacks"). */
function callbackProblems(s: BridgeSettings): string[] {
  const p: string[] = [];
  const mode = s.callbackIngress;
  if (mode === 'none') {
    for (const name of [
      'callbackAllowedCidrs',
      'callbackCertificateArn',
      'callbackPublicUrl',
      'callbackSubnetIds',
    ] as const)
      if (s[name] !== undefined) p.push(`  -c ${name}: only used with -c callbackIngress=internal or public`);
    return p;
  }
  if (mode === 'public' && !s.callbackCertificateArn)
    p.push(
      '  -c callbackCertificateArn: required with -c callbackIngress=public (its listener is HTTPS only)',
    );
  if (mode === 'public' && !s.callbackAllowedCidrs)
    p.push(
      '  -c callbackAllowedCidrs: required with -c callbackIngress=public: the public addresses your PBX calls from (0.0.0.0/0 only if you mean anywhere)',
    );
  if (mode === 'internal' && s.vpcId && !s.callbackAllowedCidrs && !s.pbxCidrs)
    p.push(
      '  -c callbackAllowedCidrs: required with -c callbackIngress=internal and -c vpcId (or set -c pbxCidrs)',
    );
  if (mode === 'public' && s.vpcId && !s.callbackSubnetIds)
    p.push(
      '  -c callbackSubnetIds: required with -c callbackIngress=public and -c vpcId (public subnets of the VPC)',
    );
  if (s.callbackSubnetIds && !s.vpcId) p.push('  -c callbackSubnetIds: only with -c vpcId');
  if (s.callbackCertificateArn && !s.callbackPublicUrl?.startsWith('https://'))
    p.push(
      '  -c callbackPublicUrl: required with -c callbackCertificateArn: https://<a name of the certificate> (a CNAME to the load balancer)',
    );
  if (!s.callbackCertificateArn && s.callbackPublicUrl?.startsWith('https://'))
    p.push(
      '  -c callbackPublicUrl: https:// needs -c callbackCertificateArn (without it the listener is HTTP)',
    );
  return p;
}

/** Fargate's CPU/memory combinations (Linux). */
function fargateSizeOk(cpu: number, mem: number): boolean {
  const gb = (from: number, to: number, step = 1024) => mem >= from && mem <= to && (mem - from) % step === 0;
  switch (cpu) {
    case 256:
      return [512, 1024, 2048].includes(mem);
    case 512:
      return gb(1024, 4096);
    case 1024:
      return gb(2048, 8192);
    case 2048:
      return gb(4096, 16_384);
    case 4096:
      return gb(8192, 30_720);
    default:
      return false;
  }
}
