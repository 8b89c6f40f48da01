/**
 * Posting frames to a WebSocket connection through the `@connections` management API (docs/delivery.md,
 * "WebSocket channels"): one message, or consecutive event frames in order, with `single` framing one
 * frame per message and with `batch` framing as many per `events` message as fit `maxFrameBytes`. A frame
 * too large becomes its `bridge.event-too-large` stub; a connection that answers `GoneException` is
 * cleared from its channel. `./streams.ts` calls these from each channel's serial queue; they read and
 * update only the connection state of the stream they post for (`Connection`).
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Deps } from '../../shared/deps.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import { sdkLogger } from '../../shared/sdk-logger.js';
import { eventJson, type Lifecycle } from './common.js';
import { signedRequests, viaClient, type ConnectionsApi } from './connections-api.js';
import type { DeliveryOptions, Settings } from './options.js';

/** The part of a WebSocket channel's stream that posting reads and updates. */
export interface Connection {
  tenant: string;
  channel: string;
  /** The connection frames go to (null: none; frames are not posted). */
  connectionId: string | null;
  /** When this process noticed the connection (ms): its handshake may still be finishing for a moment. */
  noticedAt: number;
  /** The last connection that answered `GoneException` (frames matched for it need no sync each). */
  goneConn: string | null;
  /** A new connection waits for `resume` (or the hold time) before live frames are posted to it. */
  held: boolean;
  /** Last seq posted to the connection. */
  lastSent: number;
}

export interface FramePoster {
  /** Posts one message (an object to serialise, or JSON already serialised). */
  post(w: Connection, data: unknown): Promise<'ok' | 'gone' | 'too-large' | 'error'>;
  /** Posts consecutive event frames, in order (see `sendFrames`). */
  sendFrames(w: Connection, frames: { seq: number; event: BridgeEvent }[], batch: boolean): Promise<void>;
}

/**
 * The `@connections` API: through the client given (`managementClient`), else signed requests to
 * `managementEndpoint` with a client made for it (`./connections-api.ts`); none without either. The
 * client is returned too (the caller destroys the one it made).
 */
export function connectionsApiOf(
  opts: Pick<DeliveryOptions, 'deps' | 'managementClient' | 'managementEndpoint'>,
): { api: ConnectionsApi; client: ApiGatewayManagementApiClient } | undefined {
  const { deps } = opts;
  if (opts.managementClient) return { api: viaClient(opts.managementClient), client: opts.managementClient };
  if (!opts.managementEndpoint) return undefined;
  const client = new ApiGatewayManagementApiClient({
    endpoint: opts.managementEndpoint,
    region: deps.config.region,
    logger: sdkLogger,
    ...(deps.config.localMode ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return { api: signedRequests(client, opts.managementEndpoint), client };
}

/**
 * An `event` frame's text: what `JSON.stringify({ type: 'event', channelSeq, event })` gives, with the
 * event serialised once for all its channels (`eventJson`).
 */
export const eventFrameJson = (channelSeq: number, event: BridgeEvent): string =>
  `{"type":"event","channelSeq":${channelSeq},"event":${eventJson(event)}}`;

/** How long after noticing a connection a `GoneException` may mean "handshake not finished" (ms). */
const OPENING_GRACE_MS = 2_000;

export function createFramePoster({
  deps,
  lifecycle,
  management,
  forgetChannel,
  settings,
}: {
  deps: Deps;
  lifecycle: Lifecycle;
  management: ConnectionsApi | undefined;
  /** Drops the channel's cached record (its connection was cleared). */
  forgetChannel: (tenant: string, channel: string) => void;
  settings: Pick<Settings, 'maxFrameBytes' | 'apiUrl'>;
}): FramePoster {
  const logger = deps.logger;
  const { maxFrameBytes, apiUrl } = settings;

  /**
   * Posts one message (an object to serialise, or JSON already serialised). A connection noticed less
   * than `openingGraceMs` ago may still be in its handshake (the `$connect` that told this process about
   * it had not returned yet): `GoneException` then means "not open yet", and the post is tried again.
   */
  async function post(w: Connection, data: unknown): Promise<'ok' | 'gone' | 'too-large' | 'error'> {
    if (!management || !w.connectionId || lifecycle.killed) return 'error'; // a crashed process sends nothing more
    const connectionId = w.connectionId;
    const body = typeof data === 'string' ? data : JSON.stringify(data);
    for (;;) {
      try {
        await management.post(connectionId, Buffer.from(body));
        return 'ok';
      } catch (err) {
        const opening = Date.now() - w.noticedAt < OPENING_GRACE_MS;
        if ((err as Error).name !== 'GoneException' || !opening || lifecycle.stopped)
          return failed(w, connectionId, err);
        await new Promise((r) => setTimeout(r, 50));
        if (w.connectionId !== connectionId) return 'gone';
      }
    }
  }

  /** What a post that failed means: a connection gone is cleared from its channel. */
  async function failed(
    w: Connection,
    connectionId: string,
    err: unknown,
  ): Promise<'gone' | 'too-large' | 'error'> {
    const name = (err as Error).name;
    if (name === 'GoneException') {
      w.connectionId = null;
      w.goneConn = connectionId;
      w.held = false;
      await deps.repos.channels.clearConnection(w.tenant, w.channel, connectionId);
      forgetChannel(w.tenant, w.channel);
      logger.info('websocket connection gone; cleared', {
        tenant: w.tenant,
        channel: w.channel,
        connectionId,
      });
      return 'gone';
    }
    if (name === 'PayloadTooLargeException') return 'too-large';
    logger.warn('PostToConnection failed', { error: err as Error, tenant: w.tenant, channel: w.channel });
    return 'error';
  }

  function tooLargeStub(seq: number, event: BridgeEvent, size: number) {
    const path = `/v1/events?link=${encodeURIComponent(event.link)}&after=${event.seq - 1}&limit=1`;
    return {
      type: 'bridge.event-too-large',
      channelSeq: seq,
      event: { id: event.id, type: event.type, link: event.link, seq: event.seq, time: event.time },
      size,
      url: apiUrl ? `${apiUrl.replace(/\/$/, '')}${path}` : path,
    };
  }

  /**
   * Posts consecutive frames, in order. `single` framing: one frame per message. `batch` framing: frames
   * in `events` messages, as many per message as fit `maxFrameBytes`. Either way a frame too large for a
   * message becomes its stub, and so does a frame the gateway refuses as too large on its own (its limit
   * below `maxFrameBytes`); an `events` message it refuses is split into one message per frame.
   */
  async function sendFrames(w: Connection, frames: { seq: number; event: BridgeEvent }[], batch: boolean) {
    const [open, close] = batch ? ['{"type":"events","frames":[', ']}'] : ['', ''];
    const room = maxFrameBytes - Buffer.byteLength(open) - Buffer.byteLength(close);
    type Part = { seq: number; event: BridgeEvent; json: string; size: number; frameSize: number };
    let parts: Part[] = [];
    let bytes = 0;
    const postParts = (list: Part[]) => post(w, open + list.map((p) => p.json).join(',') + close);
    const postAlone = async (p: Part) => {
      const r = await postParts([p]);
      if (r !== 'too-large') return r;
      return post(w, open + JSON.stringify(tooLargeStub(p.seq, p.event, p.frameSize)) + close);
    };
    const flush = async () => {
      if (!parts.length) return;
      const list = parts;
      parts = [];
      bytes = 0;
      let r = list.length === 1 ? await postAlone(list[0]!) : await postParts(list);
      if (r === 'too-large') for (const p of list) if ((r = await postAlone(p)) !== 'ok') break;
      if (r === 'ok') w.lastSent = list.at(-1)!.seq;
    };
    for (const { seq, event } of frames) {
      if (!w.connectionId) return;
      let json = eventFrameJson(seq, event);
      const frameSize = Buffer.byteLength(json);
      let size = frameSize;
      if (size > room) {
        json = JSON.stringify(tooLargeStub(seq, event, frameSize));
        size = Buffer.byteLength(json);
      }
      if (parts.length && (!batch || bytes + size + 1 > room)) await flush();
      parts.push({ seq, event, json, size, frameSize });
      bytes += size + (parts.length > 1 ? 1 : 0);
    }
    await flush();
  }

  return { post, sendFrames };
}
