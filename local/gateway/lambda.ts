/**
 * The Lambda side of an integration: a fresh `Context` per invocation, as the Node.js runtime builds it,
 * and an invocation that ends with the integration timeout (API Gateway gives up after 30 s on HTTP
 * APIs and 29 s on WebSocket APIs, whatever the function is still doing).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';

const pad = (n: number) => String(n).padStart(2, '0');

export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const d = new Date(started);
  const noop = () => {};
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

export type Invocation<R> = { ok: true; value: R } | { ok: false; error: unknown; timedOut: boolean };

export class IntegrationTimeout extends Error {
  constructor(functionName: string, ms: number) {
    super(`${functionName} did not answer within ${ms} ms`);
    this.name = 'IntegrationTimeout';
  }
}

/** Calls a handler with a new context; a throw, a rejection or the timeout become `ok: false`. */
export async function invoke<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
  functionName: string,
  timeoutMs: number,
): Promise<Invocation<R>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout(functionName, timeoutMs)), timeoutMs);
  });
  try {
    const value = await Promise.race([
      Promise.resolve().then(() => handler(event, lambdaContext(functionName, timeoutMs))),
      timeout,
    ]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error, timedOut: error instanceof IntegrationTimeout };
  } finally {
    clearTimeout(timer);
  }
}
