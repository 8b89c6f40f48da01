/**
 * `PostToConnection`, the call WebSocket delivery makes once per message (docs/delivery.md, "Posting
 * to the `@connections` API").
 *
 * The management client resolves its endpoint rules, retry strategy, user agent and serializers on every
 * send: about 250 µs of CPU per message on top of the HTTP request, which made it the largest cost of a
 * busy connector (docs/performance.md). This module signs the same request with the SDK's own SigV4
 * signer (`@smithy/signature-v4`) and the client's credentials and region, and sends it on kept-alive
 * connections of its own (an undici `Agent`: about 30 % less CPU per post than the client's handler,
 * which uses `node:http`). The request API Gateway receives is the client's, and an error answers with the
 * client's exception classes (`GoneException`, `PayloadTooLargeException`, ...), so callers cannot tell
 * the two paths apart. A client given by the caller (tests that wrap `send`) is used as it is.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, SourceData } from '@smithy/types';
import { Agent } from 'undici';
import { PostTimeoutError, postOnce } from './http-post.js';

export interface ConnectionsApi {
  /** Posts one message; rejects with the management client's exception for the answer. */
  post(connectionId: string, data: Uint8Array): Promise<void>;
  /** Closes the connections this API opened itself (none through a caller's client). */
  close(): void;
}

/**
 * Posts through the management client's `send` (a client the caller gave, e.g. one a test wraps).
 *
 * @example
 * await viaClient(client).post(connectionId, Buffer.from('{"type":"ping"}'));
 */
export function viaClient(client: ApiGatewayManagementApiClient): ConnectionsApi {
  return {
    post: async (ConnectionId, Data) => {
      await client.send(new PostToConnectionCommand({ ConnectionId, Data }));
    },
    close: () => undefined, // the client is its owner's
  };
}

/** SHA-256 and HMAC-SHA-256 from `node:crypto`, in the shape the signer takes. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac(
          'sha256',
          typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as Uint8Array),
        );
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** Transient answers tried again (the client's standard retry mode: 3 attempts), and their backoff base. */
const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const TRANSIENT = new Set([429, 500, 502, 503, 504]);
/** Connections kept to the `@connections` endpoint (the client's handler kept 50). */
const CONNECTIONS = 128;
/** An answer that has not come after this long fails the attempt (a network error: tried again). */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Posts to `endpoint` (the WebSocket stage's `@connections` URL) with `client`'s credentials and region,
 * signed as the client signs (`execute-api`), on kept-alive connections of its own (`close()` ends them).
 *
 * @example
 * const api = signedRequests(client, 'https://abc.execute-api.eu-west-1.amazonaws.com/prod');
 * await api.post(connectionId, Buffer.from(JSON.stringify(frame)));
 */
export function signedRequests(client: ApiGatewayManagementApiClient, endpoint: string): ConnectionsApi {
  const url = new URL(endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  // each post's overall timeout (postOnce) is the one that counts: undici's own are off
  const agent = new Agent({ connections: CONNECTIONS, headersTimeout: 0, bodyTimeout: 0 });
  const signer = new SignatureV4({
    service: 'execute-api',
    region: client.config.region,
    credentials: client.config.credentials,
    sha256: NodeSha256,
  });

  async function once(connectionId: string, data: Uint8Array): Promise<number> {
    const request = {
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      method: 'POST',
      path: `${base}/@connections/${encodeURIComponent(connectionId)}`,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/octet-stream',
        'content-length': String(data.byteLength),
      },
      body: data,
    } as HttpRequest;
    const signed = (await signer.sign(request)) as HttpRequest;
    const response = await postOnce(
      agent,
      { origin: url.origin, path: signed.path, headers: signed.headers, body: data },
      // the answer's body is small (empty, or an error's message)
      { timeoutMs: ANSWER_TIMEOUT_MS, maxAnswerBytes: 65_536, keepBody: true },
    );
    if (response.statusCode >= 300)
      throw exceptionOf(response.statusCode, response.headers, response.body.toString('utf8'));
    return response.statusCode;
  }

  return {
    async post(connectionId, data) {
      for (let attempt = 1; ; attempt++) {
        try {
          await once(connectionId, data);
          return;
        } catch (err) {
          const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          const transient = status === undefined ? isNetworkError(err) : TRANSIENT.has(status);
          if (!transient || attempt >= ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, Math.random() * RETRY_BASE_MS * 2 ** attempt));
        }
      }
    },
    close: () => void agent.destroy().catch(() => undefined),
  };
}

/** A failure to reach the endpoint or to get its answer (the socket's, or undici's own). */
const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const isNetworkError = (err: unknown) =>
  NETWORK_ERRORS.has((err as NodeJS.ErrnoException).code ?? '') || err instanceof PostTimeoutError;

/** The management client's exception for an error answer (by status, as its deserializer does). */
function exceptionOf(
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Error {
  const requestId = headers['x-amzn-requestid'];
  const $metadata = {
    httpStatusCode: statusCode,
    requestId: Array.isArray(requestId) ? requestId[0] : requestId,
  };
  let message = body;
  try {
    const parsed = JSON.parse(body) as { message?: string; Message?: string };
    message = parsed.message ?? parsed.Message ?? body;
  } catch {
    /* not JSON: the text itself */
  }
  const opts = { $metadata, message };
  switch (statusCode) {
    case 410:
      return new GoneException(opts);
    case 413:
      return new PayloadTooLargeException(opts);
    case 403:
      return new ForbiddenException(opts);
    case 429:
      return new LimitExceededException(opts);
    default:
      return new ApiGatewayManagementApiServiceException({
        ...opts,
        name: `HTTP${statusCode}`,
        $fault: statusCode >= 500 ? 'server' : 'client',
      });
  }
}
