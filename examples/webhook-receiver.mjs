// A one-file webhook receiver: verifies each Standard Webhooks signature and prints the event.
//   WEBHOOK_SECRET=whsec_... PORT=8787 node examples/webhook-receiver.mjs
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('set WEBHOOK_SECRET to the channel secret (whsec_...)');
  process.exit(2);
}
const wh = new Webhook(secret);
const seen = new Set(); // webhook-id is stable across retries: deduplicate on it

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    try {
      const event = wh.verify(body, req.headers);
      if (!seen.has(req.headers['webhook-id'])) {
        seen.add(req.headers['webhook-id']);
        const call = event.data.call;
        console.log(
          `webhook ${event.seq} ${event.type} ${event.target.id ?? event.target.type}${call ? ` ${call.id} ${call.state}` : ''}`,
        );
      }
      res.writeHead(204).end();
    } catch (err) {
      console.error(`rejected: ${err.message}`);
      res.writeHead(400).end();
    }
  });
});
server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${server.address().port}/`);
});
