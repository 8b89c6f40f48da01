/**
 * Typed runtime configuration for handlers and the connector. In AWS it comes from the function's
 * environment (set by lib/); locally the stack builds it directly. Nothing reads process.env elsewhere.
 */
import { z } from 'zod';

export const RuntimeConfigSchema = z.object({
  /** DynamoDB table name. */
  tableName: z.string().min(1),
  region: z.string().default('us-east-1'),
  /** DynamoDB endpoint override (DynamoDB Local). */
  dynamoEndpoint: z.string().url().optional(),
  /** Hex SHA-256 of the admin key. */
  adminKeySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Local mode: the admin key also acts on the tenant named here (`default`); webhooks may target loopback. */
  localMode: z.boolean().default(false),
  adminTenant: z.string().optional(),
  /** Public WebSocket URL clients open (API Gateway stage URL in AWS, ws://127.0.0.1:<port> locally). */
  websocketUrl: z.string().min(1),
  /** Secret store for link credentials. */
  secrets: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('file'), dir: z.string().min(1) }),
    z.object({
      kind: z.literal('secretsmanager'),
      prefix: z.string().min(1),
      kmsKeyId: z.string().optional(),
    }),
  ]),
  /** Event log retention in days (TTL of event items). */
  eventTtlDays: z.number().int().min(1).max(365).default(7),
  /** How long the authorizer caches a resolved key per warm container (a revoked key works this long). */
  authCacheSeconds: z.number().int().min(0).max(300).default(30),
  /** Shared secret presented to the connector's private command endpoint. */
  connectorToken: z.string().min(16).optional(),
  /** In AWS: the Secrets Manager secret holding that token, read at cold start (never in the environment). */
  connectorTokenSecretArn: z.string().startsWith('arn:').optional(),
  /**
   * The connector's inbound callback listener (`/v1/callbacks/{tenant}/{link}/...`), for vendors that
   * call back over HTTP. Off unless `port` is set (0: any free port).
   */
  callbacks: z
    .object({
      /** BRIDGE_CALLBACK_PORT. */
      port: z.number().int().min(0).max(65_535).optional(),
      /** BRIDGE_CALLBACK_HOST: the address it binds (default loopback). */
      host: z.string().min(1).default('127.0.0.1'),
      /** BRIDGE_CALLBACK_PUBLIC_URL: the base vendors call (default the listener's own URL). */
      publicUrl: z.string().url().optional(),
      /** BRIDGE_CALLBACK_MAX_BYTES: largest body accepted (default 1 MiB); larger → 413. */
      maxBodyBytes: z
        .number()
        .int()
        .min(1)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
    })
    .prefault({}),
  /** Webhook URL schemes accepted when creating a channel. */
  webhookSchemes: z.array(z.enum(['http', 'https'])).default(['https']),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

/** Reads the Lambda environment written by lib/. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const secretsKind = env.BRIDGE_SECRETS_KIND ?? 'secretsmanager';
  return RuntimeConfigSchema.parse({
    tableName: env.BRIDGE_TABLE,
    region: env.AWS_REGION,
    dynamoEndpoint: env.BRIDGE_DYNAMODB_ENDPOINT || undefined,
    adminKeySha256: env.BRIDGE_ADMIN_KEY_SHA256 || undefined,
    localMode: env.BRIDGE_LOCAL_MODE === 'true',
    adminTenant: env.BRIDGE_ADMIN_TENANT || undefined,
    websocketUrl: env.BRIDGE_WEBSOCKET_URL,
    secrets:
      secretsKind === 'file'
        ? { kind: 'file', dir: env.BRIDGE_SECRETS_DIR }
        : {
            kind: 'secretsmanager',
            prefix: env.BRIDGE_SECRETS_PREFIX ?? 'cti-bridge/links/',
            kmsKeyId: env.BRIDGE_SECRETS_KMS_KEY || undefined,
          },
    eventTtlDays: env.BRIDGE_EVENT_TTL_DAYS ? Number(env.BRIDGE_EVENT_TTL_DAYS) : undefined,
    connectorToken: env.BRIDGE_CONNECTOR_TOKEN || undefined,
    connectorTokenSecretArn: env.BRIDGE_CONNECTOR_TOKEN_SECRET_ARN || undefined,
    authCacheSeconds: env.BRIDGE_AUTH_CACHE_SECONDS ? Number(env.BRIDGE_AUTH_CACHE_SECONDS) : undefined,
    callbacks: {
      port: env.BRIDGE_CALLBACK_PORT ? Number(env.BRIDGE_CALLBACK_PORT) : undefined,
      host: env.BRIDGE_CALLBACK_HOST || undefined,
      publicUrl: env.BRIDGE_CALLBACK_PUBLIC_URL || undefined,
      maxBodyBytes: env.BRIDGE_CALLBACK_MAX_BYTES ? Number(env.BRIDGE_CALLBACK_MAX_BYTES) : undefined,
    },
    webhookSchemes: env.BRIDGE_WEBHOOK_SCHEMES ? env.BRIDGE_WEBHOOK_SCHEMES.split(',') : undefined,
  });
}

/**
 * Custom CloudWatch metrics (EMF: one JSON log line per flush, e.g. Powertools Metrics, extracted by
 * CloudWatch Logs from the connector's log group). lib/ alarms on them; the names are a contract.
 * Dimension: `service` = POWERTOOLS_SERVICE_NAME (`cti-bridge-connector` for the connector tasks), the
 * default dimension Powertools Metrics adds.
 */
export const BRIDGE_METRICS = {
  namespace: 'CtiBridge',
  /** Links this task owns whose status is not `up`, sampled every minute (Maximum per task; alarm on Sum). */
  linksDown: 'LinksDown',
  /** Links this task owns, sampled every minute. */
  linksOwned: 'LinksOwned',
  /** Age in seconds of the oldest event not yet delivered to a channel (Maximum). */
  deliveryBacklogAge: 'DeliveryBacklogAgeSeconds',
  /** Webhook POST attempts and failed attempts (non-2xx, timeout, refused), Count per attempt. */
  webhookAttempts: 'WebhookAttempts',
  webhookFailures: 'WebhookFailures',
  /** Requests the callback listener refused itself (unknown link or path, too large, ...), Count each. */
  callbacksRefused: 'CallbacksRefused',
} as const;
