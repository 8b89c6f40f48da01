/**
 * The one way secrets are read: a cache in front of a secret source (Secrets Manager in AWS). Values
 * live for a TTL (so a rotation is seen within it), concurrent reads of one secret share one request,
 * and failures are not cached (the next read asks again).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Fetches one secret's string value by id (ARN or name). */
export type SecretSource = (id: string) => Promise<string>;

export interface SecretReaderOptions {
  /** How long a value is served from the cache, from when it arrived; 0: only share reads in flight. */
  ttlMs?: number;
  /** The clock, in epoch milliseconds. */
  now?: () => number;
}

export interface SecretReader {
  /** The secret's value: cached, in flight, or fetched now. Rejects with the source's error. */
  read(id: string): Promise<string>;
  /** Drops the cached value of `id` (after writing it), or every cached value. */
  forget(id?: string): void;
}

/** Five minutes: rotated connector tokens and admin keys are picked up within this. */
export const DEFAULT_SECRET_TTL_MS = 300_000;

interface Entry {
  value: Promise<string>;
  /** Epoch ms the value expires at; undefined while the fetch is in flight. */
  until?: number;
}

/**
 * A cached reader over `source`.
 *
 * @example
 * const reader = cachedSecretReader(async (id) => `value of ${id}`, { ttlMs: 60_000 });
 * const [a, b] = await Promise.all([reader.read('arn:token'), reader.read('arn:token')]); // one fetch
 */
export function cachedSecretReader(source: SecretSource, opts: SecretReaderOptions = {}): SecretReader {
  const ttlMs = opts.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  return {
    read(id) {
      const hit = cache.get(id);
      if (hit && (hit.until === undefined || hit.until > now())) return hit.value;
      const entry: Entry = { value: source(id) };
      cache.set(id, entry);
      entry.value.then(
        () => {
          if (cache.get(id) !== entry) return;
          if (ttlMs > 0) entry.until = now() + ttlMs;
          else cache.delete(id);
        },
        () => {
          if (cache.get(id) === entry) cache.delete(id);
        },
      );
      return entry.value;
    },
    forget(id) {
      if (id === undefined) cache.clear();
      else cache.delete(id);
    },
  };
}

/** The secret exists but holds no string value (a binary secret). */
export class SecretValueMissingError extends Error {
  constructor(readonly id: string) {
    super(`secret ${id} has no string value`);
    this.name = 'SecretValueMissingError';
  }
}

/**
 * Secrets Manager as a secret source: the secret's `SecretString`. SDK errors (e.g.
 * `ResourceNotFoundException`) pass through unchanged; a binary secret is a `SecretValueMissingError`.
 *
 * @example
 * const source = secretsManagerSource(new SecretsManagerClient({ region: 'eu-west-1' }));
 * const token = await source('arn:aws:secretsmanager:eu-west-1:123456789012:secret:connector-token');
 */
export function secretsManagerSource(client: SecretsManagerClient): SecretSource {
  return async (id) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
    if (out.SecretString === undefined) throw new SecretValueMissingError(id);
    return out.SecretString;
  };
}

const shared = new Map<string, SecretReader>();

/**
 * The process's cached Secrets Manager reader for `region` (the SDK's default region when absent):
 * every module reading a secret by ARN shares it, and so its cache.
 *
 * @example
 * const token = await secretReader(deps.config.region).read(deps.config.connectorTokenSecretArn!);
 */
export function secretReader(region?: string): SecretReader {
  const key = region ?? '';
  let reader = shared.get(key);
  if (!reader) {
    reader = cachedSecretReader(secretsManagerSource(new SecretsManagerClient(region ? { region } : {})));
    shared.set(key, reader);
  }
  return reader;
}
