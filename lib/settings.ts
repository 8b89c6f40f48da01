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
  return res.data;
}
