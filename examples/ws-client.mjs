// A one-file WebSocket channel client: resumes after the last seq it saw, acks what it processed, and
// reconnects (API Gateway closes connections after 2 hours).
//   node examples/ws-client.mjs 'ws://127.0.0.1:3001/?tenant=...&channel=...&token=...'
import WebSocket from 'ws';

const url = process.argv[2];
if (!url) {
  console.error('usage: node examples/ws-client.mjs <channel url from POST /v1/channels>');
  process.exit(2);
}
let lastSeq = 0;

function connect() {
  const ws = new WebSocket(url);
  ws.on('open', () => {
    console.log('connected');
    ws.send(JSON.stringify({ action: 'resume', after: lastSeq }));
  });
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type !== 'event') return;
    if (frame.channelSeq <= lastSeq) return; // already processed (a resume may repeat)
    lastSeq = frame.channelSeq;
    const e = frame.event;
    const call = e.data.call;
    console.log(
      `ws ${frame.channelSeq} ${e.type} ${e.target.id ?? e.target.type}${call ? ` ${call.id} ${call.state}` : ''}`,
    );
    ws.send(JSON.stringify({ action: 'ack', seq: lastSeq }));
  });
  ws.on('close', () => setTimeout(connect, 1000));
  ws.on('error', (err) => console.error(`socket error: ${err.message}`));
}
connect();
