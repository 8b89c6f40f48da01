/** Structured JSON logs (Powertools Logger) with correlation ids; one factory so every module logs alike. */
import { Logger } from '@aws-lambda-powertools/logger';

export type { Logger };

export function createLogger(serviceName: string, level?: string): Logger {
  const logLevel = (
    level ??
    process.env.BRIDGE_LOG_LEVEL ??
    process.env.POWERTOOLS_LOG_LEVEL ??
    'INFO'
  ).toUpperCase();
  return new Logger({ serviceName, logLevel: logLevel as 'INFO' });
}
