/**
 * The callback service CTIPS calls (L1080-1106), as the link's `handleCallback`: each connection's
 * callback URL is `<publicUrl>/events/<token>` with a random token per OpenConnection, so a request is
 * checked against the open connection before its body is even parsed (an unknown or stale token: 404),
 * then size-limited (413), parsed, and dispatched:
 *
 * - StartSession → the connection learns its session (user name checked against ours; a mismatch is
 *   answered with result 1 and ignored);
 * - HeartbeatMessage → the heartbeat watchdog is reset; answered at once;
 * - PublishCTIEvent → the driver maps it; the answer waits until every draft is durable (a failed
 *   write is a 500 fault and the link is dropped, so the reconnect's snapshot recovers the state).
 *
 * Anything unreadable is vendor garbage (`onGarbage`), answered with a 400 SOAP fault, never fatal.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CallbackRequest, CallbackResponse } from '../../driver-kit/seam.js';
import type { CtipsNamespaces } from '../wire/ns.js';
import { callbackResponse, parseCallback, startSessionOf, type CtipsEvent } from '../wire/callbacks.js';
import { soapFault } from '../wire/soap.js';

const XML = { 'content-type': 'text/xml; charset=utf-8' };

export interface InboundDeps {
  /** The token of the connection callbacks are accepted for (undefined: none). */
  token(): string | undefined;
  maxBytes: number;
  namespaces: Partial<CtipsNamespaces>;
  username(): string;
  onStartSession(sessionId: string): void;
  onHeartbeat(): void;
  /** Maps and emits one event; resolves once its drafts are durable. */
  onEvent(event: CtipsEvent): Promise<void>;
  onGarbage(kind: string, detail: string): void;
  /** A draft could not be made durable. */
  onWriteFailed(reason: string): void;
}

/** The path of a connection's callbacks below the link's callback root. */
export const eventsPath = (token: string): string => `/events/${token}`;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const fault = (status: number, code: string, reason: string): CallbackResponse => ({
  status,
  headers: XML,
  body: soapFault(code, reason),
});

/**
 * @example
 * const inbound = new Inbound(deps);
 * await inbound.handle({ method: 'POST', path: `/events/${token}`, headers: {}, body });
 */
export class Inbound {
  constructor(private readonly deps: InboundDeps) {}

  async handle(req: CallbackRequest): Promise<CallbackResponse> {
    const token = this.deps.token();
    const m = /^\/events\/([0-9a-f]{1,64})(?:\?.*)?$/.exec(req.path);
    if (!token || !m || !sameToken(m[1]!, token)) return fault(404, 'Client', 'no such CTIPS connection');
    if (req.method !== 'POST') return fault(405, 'Client', 'callbacks are POSTed');
    if (req.body.length > this.deps.maxBytes)
      return fault(413, 'Client', `the body may have at most ${this.deps.maxBytes} bytes`);
    let parsed;
    try {
      parsed = parseCallback(req.body.toString('utf8'), { maxBytes: this.deps.maxBytes });
    } catch (err) {
      this.deps.onGarbage('unreadable-callback', (err as Error).message);
      return fault(400, 'Client', `unreadable callback: ${(err as Error).message}`);
    }
    const ok = (result = 0): CallbackResponse => ({
      status: 200,
      headers: XML,
      body: callbackResponse(parsed.op, result, this.deps.namespaces),
    });
    switch (parsed.op) {
      case 'HeartbeatMessage':
        this.deps.onHeartbeat();
        return ok();
      case 'StartSession': {
        const start = startSessionOf(parsed.node);
        if (!start.SessionId || start.UserName !== this.deps.username()) {
          this.deps.onGarbage(
            'start-session',
            `StartSession for ${start.UserName || '(no user)'} / ${start.SessionId || '(no session)'}`,
          );
          return ok(1);
        }
        this.deps.onStartSession(start.SessionId);
        return ok();
      }
      case 'PublishCTIEvent': {
        const event = parsed.event;
        if (!event?.name) {
          this.deps.onGarbage('event-without-type', 'PublishCTIEvent without an EventType');
          return fault(400, 'Client', 'event without an EventType');
        }
        try {
          await this.deps.onEvent(event);
        } catch (err) {
          this.deps.onWriteFailed((err as Error).message);
          return fault(500, 'Server', 'the event could not be stored');
        }
        return ok();
      }
    }
  }
}
