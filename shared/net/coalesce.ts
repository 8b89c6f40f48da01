/**
 * Coalesced socket writes: what one turn of the event loop writes to a socket goes out in one system call
 * (`writev`) and, on TCP, in as few segments as fit. A protocol that answers many messages at once (an
 * acknowledgement per event of a batch just made durable, a window of events sent together) otherwise
 * pays one system call and one wake-up of its peer per message.
 */
import type { Writable } from 'node:stream';

const uncork = (stream: Writable) => stream.uncork();

/**
 * Writes `data`, corking the stream until the current tick's other writes joined it. Returns what
 * `stream.write` returns (false: above the high-water mark, wait for `drain`).
 *
 * @example
 * for (const ev of durableBatch) writeCoalesced(socket, eventResponse(ev)); // one writev
 */
export function writeCoalesced(stream: Writable, data: string | Uint8Array): boolean {
  if (!stream.writableCorked) {
    stream.cork();
    process.nextTick(uncork, stream);
  }
  return stream.write(data);
}
