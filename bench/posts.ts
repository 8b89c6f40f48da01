/**
 * The connector's two outbound HTTP clients on their own: what one webhook POST (`createWebhookSender`)
 * and one `@connections` post (`signedRequests`, SigV4-signed) cost in CPU on the sending side. The
 * receiver is a plain `node:http` server in another process, on loopback, so the figures are the
 * client's alone; 64 requests in flight, as a busy connector has.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { signedRequests } from '../connector/delivery/connections-api.js';
import { createWebhookSender } from '../connector/delivery/webhook.js';

const RECEIVER = `
const http = require('node:http');
const srv = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(req.url.includes('@connections') ? 200 : 204).end());
});
srv.keepAliveTimeout = 60000;
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
`;

export interface PostCost {
  /** CPU of this process per request (user + system), µs. */
  cpuMicros: number;
  requestsPerSecond: number;
}

async function measure(n: number, inFlight: number, send: () => Promise<void>): Promise<PostCost> {
  for (let i = 0; i < 2_000; i++) await send(); // connections opened, code warmed
  let left = n;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await send();
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMicros: (cpu.user + cpu.system) / n, requestsPerSecond: (n / wall) * 1000 };
}

/**
 * Measures both clients against a receiver process.
 *
 * @example
 * const { webhook, connections } = await benchPosts(20_000);
 * console.log(webhook.cpuMicros, connections.cpuMicros);
 */
export async function benchPosts(
  n = 20_000,
  inFlight = 64,
): Promise<{ webhook: PostCost; connections: PostCost }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    const base = `http://127.0.0.1:${Number(first.toString().trim())}`;
    // an event's webhook body and headers, as delivery sends them
    const body = JSON.stringify({
      id: 'evt_01J0000000000000000000000',
      type: 'call.received',
      time: new Date().toISOString(),
      link: 'pbx',
      seq: 1,
      target: { type: 'user', id: 'alice@example.com' },
      data: { call: { id: 'callhalf-1:0', correlationId: '1:1', state: 'alerting', remote: '+15551234567' } },
    });
    const headers = {
      'webhook-id': 'evt_01J0000000000000000000000',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}`,
    };
    const sender = createWebhookSender({ policy: { allowLoopback: true } });
    const webhook = await measure(n, inFlight, async () => {
      const r = await sender.post(`${base}/hook`, body, headers, { timeoutMs: 10_000 });
      if (r.statusCode !== 204) throw new Error(`webhook POST: ${r.error ?? r.statusCode}`);
    });
    sender.close();

    const client = new ApiGatewayManagementApiClient({
      endpoint: `${base}/live`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const api = signedRequests(client, `${base}/live`);
    const frame = Buffer.from(`{"type":"event","channelSeq":1,"event":${body}}`);
    const connections = await measure(n, inFlight, () => api.post('AbCdEfGhIjKlMnO=', frame));
    api.close();
    client.destroy();
    return { webhook, connections };
  } finally {
    child.kill();
  }
}
