/**
 * The logger handed to AWS SDK clients on hot paths. The SDK's logger middleware calls
 * `logger.info?.({ input: filterSensitive(input), output: filterSensitive(output) })` after every
 * request: with the default no-op logger the filtering (a walk over the whole request and response)
 * still runs. A logger without `info` skips it; warnings and errors still reach the process log.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type Logger = NonNullable<DynamoDBClientConfig['logger']>;

export const sdkLogger = {
  debug: () => undefined,
  warn: (...args: unknown[]) => console.warn('[aws-sdk]', ...args),
  error: () => undefined, // failures reach the caller as exceptions and are logged there
} as unknown as Logger;
