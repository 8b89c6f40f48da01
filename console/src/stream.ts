/**
 * The console's live event stream: a WebSocket channel of its own with a `system` subscription on every
 * link (all families), resumed after the last `channelSeq` it showed whenever the connection drops, and
 * removed when the page goes away (its TTL removes it anyway if the browser could not say goodbye).
 *
 * The connection is a small state machine (named states, a transition table), like the CLI's `listen`:
 *
 *   idle ──start──▶ creating ──created──▶ connecting ──open──▶ open
 *                                          ▲    │               │
 *                                  retry   │    └────close──────┴──▶ waiting ──retry──▶ connecting
 *   any ──stop──▶ closed
 *
 * @example
 * const stream = new EventStream(client, { onEvent: (e) => console.log(e.type), onState: console.log });
 * await stream.start(['sim-broadworks']);
 */
import type { BridgeEvent } from '../../shared/events/model.js';
import { FAMILIES, must, type BridgeClient } from './api.js';

export type StreamState = 'idle' | 'creating' | 'connecting' | 'open' | 'waiting' | 'closed';

const TRANSITIONS: Record<StreamState, readonly StreamState[]> = {
  idle: ['creating', 'closed'],
  creating: ['connecting', 'closed'],
  connecting: ['open', 'waiting', 'closed'],
  open: ['waiting', 'closed'],
  waiting: ['connecting', 'closed'],
  closed: [],
};

/** Long enough for a working day; a tab that vanished leaves nothing behind for longer. */
const CHANNEL_TTL_SECONDS = 8 * 3600;

interface Frame {
  type: string;
  channelSeq?: number;
  event?: BridgeEvent;
  frames?: Frame[];
}

export interface StreamHandlers {
  onEvent(event: BridgeEvent, channelSeq: number): void;
  onState?(state: StreamState, detail?: string): void;
}

export class EventStream {
  private state: StreamState = 'idle';
  private socket: WebSocket | undefined;
  private channel: { id: string; url: string } | undefined;
  private subscriptions: string[] = [];
  private lastSeq = 0;
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: BridgeClient,
    private readonly handlers: StreamHandlers,
    private readonly key: string,
  ) {}

  get current(): StreamState {
    return this.state;
  }

  /** The channel this stream created (for the deliveries view, which leaves it out). */
  get channelId(): string | undefined {
    return this.channel?.id;
  }

  private to(next: StreamState, detail?: string): boolean {
    if (!TRANSITIONS[this.state].includes(next)) return false;
    this.state = next;
    this.handlers.onState?.(next, detail);
    return true;
  }

  /** Creates the channel and one `system` subscription per link, then connects. */
  async start(links: string[]): Promise<void> {
    if (!this.to('creating')) return;
    const channel = must(
      'creating the console channel',
      await this.client.POST('/v1/channels', {
        body: { type: 'websocket', ttlSeconds: CHANNEL_TTL_SECONDS, framing: 'batch' },
      }),
    );
    this.channel = { id: channel.id, url: channel.url };
    for (const link of links) {
      if (this.state === 'closed') break; // stopped meanwhile: stop() removes what exists

      const sub = must(
        `subscribing to link ${link}`,
        await this.client.POST('/v1/subscriptions', {
          body: {
            channel: channel.id,
            link,
            target: { type: 'system' },
            events: [...FAMILIES],
            ttlSeconds: CHANNEL_TTL_SECONDS,
          },
        }),
      );
      this.subscriptions.push(sub.id);
    }
    if (this.state === 'closed') return this.remove();
    if (this.to('connecting')) this.connect();
  }

  private connect(): void {
    const ws = (this.socket = new WebSocket(this.channel!.url));
    ws.onopen = () => {
      if (!this.to('open')) return ws.close();
      this.retryMs = 500;
      ws.send(JSON.stringify({ action: 'resume', after: this.lastSeq }));
    };
    ws.onmessage = (m) => {
      let msg: Frame;
      try {
        msg = JSON.parse(String(m.data)) as Frame;
      } catch {
        return;
      }
      this.onFrames(ws, msg.type === 'events' ? (msg.frames ?? []) : [msg]);
    };
    ws.onclose = () => {
      if (this.socket !== ws || !this.to('waiting', `reconnecting in ${this.retryMs} ms`)) return;
      this.retryTimer = setTimeout(() => {
        if (this.to('connecting')) this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  private onFrames(ws: WebSocket, frames: Frame[]): void {
    const before = this.lastSeq;
    for (const f of frames) {
      if (f.type !== 'event' || f.channelSeq === undefined || !f.event) continue;
      if (f.channelSeq <= this.lastSeq) continue; // repeated by a resume: shown already
      if (f.channelSeq > this.lastSeq + 1) {
        ws.send(JSON.stringify({ action: 'resume', after: this.lastSeq })); // a gap: ask again from here
        break;
      }
      this.lastSeq = f.channelSeq;
      this.handlers.onEvent(f.event, f.channelSeq);
    }
    if (this.lastSeq > before && ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ action: 'ack', seq: this.lastSeq }));
  }

  /**
   * Closes the connection and removes the channel and its subscriptions. `keepalive` requests outlive
   * the page, so this also works from `pagehide`.
   */
  stop(): void {
    if (!this.to('closed')) return;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.remove();
  }

  private remove(): void {
    const del = (path: string) =>
      fetch(path, {
        method: 'DELETE',
        keepalive: true,
        headers: { authorization: `Bearer ${this.key}` },
      }).catch(() => undefined);
    // deleting the channel ends its subscriptions too
    if (this.channel) void del(`/v1/channels/${encodeURIComponent(this.channel.id)}`);
  }
}
