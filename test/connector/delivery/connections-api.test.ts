/**
 * `PostToConnection` as signed requests (connector/delivery/connections-api.ts) against a loopback
 * server that records what it receives: the request is the management client's (path, body, content
 * type, SigV4 scope and signed headers), error answers become the client's exceptions, and transient
 * ones are tried again as the client's standard retry mode does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  PayloadTooLargeException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedRequests, viaClient } from '../../../connector/delivery/connections-api.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
/** Status codes the server answers with, in order (then 200); 0 drops the connection instead. */
let answers: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const status = answers.shift() ?? 200;
      if (status === 0) return void req.socket.destroy(); // the connection drops before an answer
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': `req-${seen.length}` });
      res.end(status === 200 ? '' : JSON.stringify({ message: `answered ${status}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const client = () =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    maxAttempts: 3,
  });

/** The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
function authOf(h: IncomingMessage['headers']) {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    String(h.authorization),
  );
  expect(m, String(h.authorization)).not.toBeNull();
  const [key, , region, service, term] = m![1]!.split('/');
  return { key, region, service, term, signed: m![2]!.split(';') };
}

describe('PostToConnection as signed requests', () => {
  it('sends what the management client sends', async () => {
    const c = client();
    const data = Buffer.from('{"type":"event","channelSeq":1}');
    await viaClient(c).post('AbC=x/1', data);
    await signedRequests(c, endpoint).post('AbC=x/1', data);
    expect(seen).toHaveLength(2);
    const [sdk, ours] = seen as [Seen, Seen];
    expect(ours.method).toBe(sdk.method);
    expect(ours.url).toBe(sdk.url);
    expect(ours.url).toBe('/prod/%40connections/AbC%3Dx%2F1'.replace('%40', '@'));
    expect(ours.body).toBe(sdk.body);
    expect(ours.headers['content-type']).toBe(sdk.headers['content-type']);
    expect(ours.headers['x-amz-security-token']).toBe('token');
    const a = authOf(sdk.headers);
    const b = authOf(ours.headers);
    expect(b).toMatchObject({
      key: 'AKIDEXAMPLE',
      region: 'eu-west-1',
      service: 'execute-api',
      term: 'aws4_request',
    });
    expect({ ...b, signed: undefined }).toEqual({ ...a, signed: undefined });
    // every header the client signs is signed here too, but its own bookkeeping (invocation id, attempt,
    // SDK version)
    expect(b.signed).toEqual(a.signed.filter((h) => !/^amz-sdk-|^x-amz-user-agent$/.test(h)));
    expect(b.signed).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']));
    c.destroy();
  });

  it('answers with the client exceptions, tries transient answers again, not the others', async () => {
    const c = client();
    const api = signedRequests(c, endpoint);
    const data = Buffer.from('{}');

    answers = [410];
    const gone = await api.post('conn', data).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GoneException);
    expect((gone as GoneException).$metadata.httpStatusCode).toBe(410);
    expect((gone as GoneException).message).toBe('answered 410');

    answers = [413];
    await expect(api.post('conn', data)).rejects.toBeInstanceOf(PayloadTooLargeException);
    answers = [403];
    await expect(api.post('conn', data)).rejects.toBeInstanceOf(ForbiddenException);
    expect(seen).toHaveLength(3); // none of them tried again

    seen.length = 0;
    answers = [429, 503];
    await api.post('conn', data); // third attempt answered 200
    expect(seen).toHaveLength(3);

    seen.length = 0;
    answers = [500, 500, 500];
    const failed = await api.post('conn', data).catch((e: unknown) => e as Error);
    expect(failed).toMatchObject({
      name: 'HTTP500',
      $metadata: { httpStatusCode: 500, requestId: `req-${seen.length}` },
    });
    expect(seen).toHaveLength(3);
    api.close();
    c.destroy();
  });

  it('tries a dropped connection again, as a network error, and gives up after three attempts', async () => {
    const c = client();
    const api = signedRequests(c, endpoint);
    answers = [0];
    await api.post('conn', Buffer.from('{}')); // the second attempt, on a new connection, answered 200
    expect(seen).toHaveLength(2);

    seen.length = 0;
    answers = [0, 0, 0];
    const failed = await api.post('conn', Buffer.from('{}')).catch((e: unknown) => e as Error);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(GoneException);
    expect(seen).toHaveLength(3);
    api.close();
    c.destroy();
  });
});
