/**
 * The callback service CTIPS calls (L1080-1106), as the link's `handleCallback`: each connection's
 * callback URL is `<publicUrl>/events/<token>` with a random token per OpenConnection, so a request is
 * checked against the open connection before its body is even parsed (an unknown or stale token: 404),
 * then size-limited (413), parsed, and dispatched:
 *
 * - StartSession → the connection learns its session (user name and password checked against the
 *   link's; see below for what is refused);
 * - HeartbeatMessage → the heartbeat watchdog is reset; answered at once;
 * - PublishCTIEvent → the driver maps it; the answer waits until every draft is durable (a failed
 *   write is a 500 fault and the link is dropped, so the reconnect's snapshot recovers the state).
 *
 * Every refusal is vendor garbage (`onGarbage`, which the connector logs and counts per link), never
 * fatal, and answered with a SOAP fault: an unknown or stale token 404, another method than POST 405, a
 * body over `maxBytes` 413, and 400 for a body that is not valid UTF-8, not a complete SOAP envelope
 * (the XML reader is lenient and would close what a truncated body left open), unreadable, of an unknown
 * operation, or whose SOAPAction names another operation than the body. A StartSession with other
 * credentials than the link's, without a SessionId, or naming another session than the connection's is
 * answered with result 1 (and counted).
 */
import { timingSafeEqual } from 'node:crypto';
import { TextDecoder } from 'node:util';
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
  /** The link's credentials: StartSession must carry them (L1104-1106). */
  credentials(): { username: string; password: string };
  /** CTIPS called StartSession; false when it names another session than the connection's. */
  onStartSession(sessionId: string): boolean;
  /** A StartSession was refused (for the connection's error should none be accepted). */
  onStartSessionRefused(reason: string): void;
  onHeartbeat(): void;
  /** Maps and emits one event; resolves once its drafts are durable. */
  onEvent(event: CtipsEvent): Promise<void>;
  onGarbage(kind: string, detail: string): void;
  /** A draft could not be made durable. */
  onWriteFailed(reason: string): void;
}

/** The path of a connection's callbacks below the link's callback root. */
export const eventsPath = (token: string): string => `/events/${token}`;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; undefined when it is not UTF-8 (the WCF text encoding CTIPS uses). */
function utf8(body: Buffer): string | undefined {
  try {
    return UTF8.decode(body);
  } catch {
    return undefined;
  }
}

/** The document ends with the envelope's end tag (a truncated body does not). */
const COMPLETE = /<\/(?:[^\s<>/:]+:)?Envelope\s*>\s*$/;

/**
 * The operation a request's SOAPAction names (SOAP 1.1 header, or SOAP 1.2 `action` content-type
 * parameter): the last path segment, e.g. `PublishCTIEvent`; undefined when none is given.
 */
export function soapActionOf(headers: Readonly<Record<string, string>>): string | undefined {
  const header = headers['soapaction'];
  const param = /;\s*action\s*=\s*"?([^";]*)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const action = (header ?? param ?? '')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  if (!action) return undefined;
  return action.slice(action.search(/[^/#:]*$/));
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
    if (!token || !m || !same(m[1]!, token))
      return this.refuse(404, 'unknown-connection', `no CTIPS connection at ${req.path.slice(0, 200)}`);
    if (req.method !== 'POST')
      return this.refuse(405, 'callback-method', `${req.method}: callbacks are POSTed`);
    if (req.body.length > this.deps.maxBytes)
      return this.refuse(413, 'callback-too-large', `the body may have at most ${this.deps.maxBytes} bytes`);
    const text = utf8(req.body);
    if (text === undefined) return this.refuse(400, 'unreadable-callback', 'the body is not UTF-8');
    if (!COMPLETE.test(text))
      return this.refuse(400, 'unreadable-callback', 'not a complete SOAP envelope (truncated?)');
    let parsed;
    try {
      parsed = parseCallback(text, { maxBytes: this.deps.maxBytes });
    } catch (err) {
      return this.refuse(400, 'unreadable-callback', `unreadable callback: ${(err as Error).message}`);
    }
    const action = soapActionOf(req.headers);
    if (action !== undefined && action !== parsed.node.name)
      return this.refuse(
        400,
        'soap-action',
        `the SOAPAction names ${action.slice(0, 100)}, the body ${parsed.node.name}`,
      );
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
        const { username, password } = this.deps.credentials();
        const who = `StartSession for ${start.UserName.slice(0, 100) || '(no user)'} / ${start.SessionId.slice(0, 100) || '(no session)'}`;
        const refusal = !start.SessionId
          ? 'no SessionId'
          : !same(start.UserName, username) || !same(start.Password, password)
            ? "not the link's user name and password"
            : !this.deps.onStartSession(start.SessionId)
              ? "another session than the connection's"
              : undefined;
        if (refusal === undefined) return ok();
        this.deps.onGarbage('start-session', `${who}: ${refusal}`);
        this.deps.onStartSessionRefused(refusal);
        return ok(1);
      }
      case 'PublishCTIEvent': {
        const event = parsed.event;
        if (!event?.name) return this.refuse(400, 'event-without-type', 'event without an EventType');
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

  /** A refused callback: counted as vendor garbage, answered with a SOAP fault. */
  private refuse(status: number, kind: string, reason: string): CallbackResponse {
    this.deps.onGarbage(kind, reason);
    return fault(status, 'Client', reason);
  }
}
