/**
 * The connector process's own settings, read from its environment (what `connector/main.ts` uses beyond
 * `configFromEnv()`'s shared ones). One zod schema checks them all at start: a malformed value stops the
 * process with the variable named, instead of running with `NaN` or a silent default.
 *
 * An empty variable counts as unset (ECS task definitions and shells often pass `VAR=`).
 */
import { z } from 'zod';
import { parseCidr } from './delivery/ssrf.js';

/** A whole number from `min` to `max`, written in decimal digits only. */
function wholeNumber(name: string, min: number, max: number) {
  const message = `${name} must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, { message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message });
}

function url(name: string) {
  return z.url({ protocol: /^(https?|wss?)$/, message: `${name} must be an http(s) or ws(s) URL` });
}

const ConnectorEnvSchema = z.object({
  BRIDGE_CONNECTOR_PORT: wholeNumber('BRIDGE_CONNECTOR_PORT', 1, 65_535).default(8080),
  BRIDGE_CONNECTOR_HOST: z.string().default('0.0.0.0'),
  BRIDGE_CONNECTOR_ADVERTISE: url('BRIDGE_CONNECTOR_ADVERTISE').optional(),
  BRIDGE_CONNECTOR_ID: z
    .string()
    .regex(/^[\w.:@-]{1,128}$/, {
      message: 'BRIDGE_CONNECTOR_ID must be 1 to 128 letters, digits or . _ : @ -',
    })
    .optional(),
  BRIDGE_LEASE_MS: wholeNumber('BRIDGE_LEASE_MS', 1_000, 600_000).default(15_000),
  BRIDGE_WEBSOCKET_MANAGEMENT_URL: url('BRIDGE_WEBSOCKET_MANAGEMENT_URL').optional(),
  BRIDGE_WEBHOOK_ALLOW_CIDRS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .superRefine((list, ctx) => {
      for (const entry of list) {
        try {
          parseCidr(entry);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: `BRIDGE_WEBHOOK_ALLOW_CIDRS must list IP addresses or CIDR blocks, comma-separated; not one: ${entry}`,
            params: { complete: true },
          });
        }
      }
    })
    .default([]),
  BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN: wholeNumber(
    'BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN',
    1,
    99_999,
  ).optional(),
  BRIDGE_SHUTDOWN_DEADLINE_MS: wholeNumber('BRIDGE_SHUTDOWN_DEADLINE_MS', 1_000, 3_600_000).default(50_000),
  BRIDGE_CHANNEL_LOG_WRITES: z
    .enum(['put', 'transaction'], { message: 'BRIDGE_CHANNEL_LOG_WRITES must be put or transaction' })
    .default('put'),
  BRIDGE_LOG_LINGER_MS: wholeNumber('BRIDGE_LOG_LINGER_MS', 0, 1_000).optional(),
});

/** The connector's settings, typed (see `connector/main.ts` for what each does). */
export interface ConnectorSettings {
  /** Command endpoint port (default 8080). */
  port: number;
  /** Address the command endpoint binds (default 0.0.0.0: the task's ENI). */
  host: string;
  /** URL other processes use to reach the command endpoint (default: derived from the task's address). */
  advertiseUrl?: string;
  /** Identity written into leases (default a random one). */
  id?: string;
  /** Lease time of links and of WebSocket channel sequencers (ms, default 15 000). */
  leaseMs: number;
  /** `@connections` endpoint of the WebSocket API stage. */
  managementEndpoint?: string;
  /** Non-public networks webhooks may reach (addresses or CIDR blocks; default none). */
  allowedWebhookNetworks: string[];
  /** Connections kept to one webhook origin (default: delivery's own, 128). */
  webhookConnectionsPerOrigin?: number;
  /** A graceful stop that takes longer exits 1 (ms, default 50 000). */
  shutdownDeadlineMs: number;
  /** How WebSocket channel log segments are written (default `put`). */
  channelLogWrites: 'put' | 'transaction';
  /** The link runners' group-commit linger (ms; default the runner's own). */
  logLingerMs?: number;
}

/** A setting that could not be used; `message` names every failing variable and its value. */
export class ConnectorSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConnectorSettingsError';
  }
}

/**
 * Reads and checks the connector's variables.
 *
 * @example
 * ```ts
 * const s = connectorSettingsFromEnv({ BRIDGE_LEASE_MS: '5000' });
 * s.leaseMs; // 5000
 * s.port; // 8080
 * connectorSettingsFromEnv({ BRIDGE_LEASE_MS: 'soon' });
 * // throws ConnectorSettingsError: BRIDGE_LEASE_MS must be a whole number from 1000 to 600000: soon
 * ```
 */
export function connectorSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorSettings {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ConnectorEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConnectorEnvSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConnectorSettingsError(
      parsed.error.issues.map((issue) => {
        // custom issues name their value themselves; the others get the variable's value appended
        if (issue.code === 'custom' && issue.params?.complete) return issue.message;
        return `${issue.message}: ${raw[String(issue.path[0])]}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.BRIDGE_CONNECTOR_PORT,
    host: e.BRIDGE_CONNECTOR_HOST,
    advertiseUrl: e.BRIDGE_CONNECTOR_ADVERTISE,
    id: e.BRIDGE_CONNECTOR_ID,
    leaseMs: e.BRIDGE_LEASE_MS,
    managementEndpoint: e.BRIDGE_WEBSOCKET_MANAGEMENT_URL,
    allowedWebhookNetworks: e.BRIDGE_WEBHOOK_ALLOW_CIDRS,
    webhookConnectionsPerOrigin: e.BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN,
    shutdownDeadlineMs: e.BRIDGE_SHUTDOWN_DEADLINE_MS,
    channelLogWrites: e.BRIDGE_CHANNEL_LOG_WRITES,
    logLingerMs: e.BRIDGE_LOG_LINGER_MS,
  };
}
