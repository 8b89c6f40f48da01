// A one-file WebSocket channel client: resumes after the last seq it saw, asks again when a channelSeq is
// missing, drops a channelSeq it already processed, acks what it processed, and reconnects (API Gateway
// closes connections after 2 hours).
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
  let resuming = false;
  const resume = () => {
    resuming = true;
    ws.send(JSON.stringify({ action: 'resume', after: lastSeq }));
  };
  ws.on('open', () => {
    console.log('connected');
    resume();
  });
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'bridge.resumed') resuming = false; // what is still missing has left the log
    // A channel created with "framing":"batch" sends its event frames in `events` messages.
    const frames = msg.type === 'events' ? msg.frames : [msg];
    const before = lastSeq;
    for (const frame of frames) {
      if (frame.type !== 'event' && frame.type !== 'bridge.event-too-large') continue;
      if (frame.channelSeq <= lastSeq) continue; // already processed (a resume or a connector crash may repeat)
      if (frame.channelSeq > lastSeq + 1) {
        if (!resuming) resume(); // a gap: this frame comes again
        break;
      }
      lastSeq = frame.channelSeq;
      if (frame.type === 'bridge.event-too-large') {
        console.log(`ws ${frame.channelSeq} ${frame.event.type} too large for a frame: GET ${frame.url}`);
        continue;
      }
      const e = frame.event;
      const call = e.data.call;
      console.log(
        `ws ${frame.channelSeq} ${e.type} ${e.target.id ?? e.target.type}${call ? ` ${call.id} ${call.state}` : ''}`,
      );
    }
    if (lastSeq > before) ws.send(JSON.stringify({ action: 'ack', seq: lastSeq }));
  });
  ws.on('close', () => setTimeout(connect, 1000));
  ws.on('error', (err) => console.error(`socket error: ${err.message}`));
}
connect();
