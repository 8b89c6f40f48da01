/**
 * The client-hosted callback service (digest §2, L1080-1106): CTIPS calls `PublishCTIEvent(CTIEvent
 * event)`, `HeartbeatMessage()` and `StartSession(UserCredentials userinfo, string sessionId)` on the
 * URL the client gave in OpenConnection. Written as WCF would for a contract `CTIEventService`:
 *
 * ```xml
 * <PublishCTIEvent xmlns="http://tempuri.org/" xmlns:a=".." xmlns:i="..">
 *   <event i:type="a:CTICallDelivered"><a:AgentId>0</a:AgentId><a:EventCategory>EventCategoryCall</a:EventCategory>..</event>
 * </PublishCTIEvent>
 * ```
 *
 * The event is the CTIEvent header (always complete, 0 where absent, L1116) followed by its own fields;
 * the reader takes the event's name from `EventType` (falling back to the `i:type` without `CTI`), so
 * it does not depend on the derived class names the document never gives. `Heartbeat` (a real CTIPS's
 * spelling, digest §12) is read as HeartbeatMessage.
 */
import { child, textOf, CtipsXmlError, type XmlLimits, type XmlNode } from './xml.js';
import { parseSoap, soapEnvelope } from './soap.js';
import { prefixesFor, resolveNamespaces, soapActionFor, type Namespaces } from './ns.js';
import { fieldsToNodes } from './values.js';
import { categoryOf } from './enums.js';

export type CallbackOperation = 'PublishCTIEvent' | 'HeartbeatMessage' | 'StartSession';

export interface CtipsEvent {
  /** The event type (CTIEventType member), e.g. 'CallDelivered', 'RouteReject'. */
  name: string;
  /** EventCategory, e.g. 'EventCategoryCall'. */
  messageClass?: string;
  /** The `event` element. */
  node: XmlNode;
}

/** The CTIEvent header fields, first in every event (L1119-1126). */
export const EVENT_HEADER = [
  'AgentId',
  'EventCategory',
  'EventType',
  'RequestId',
  'ServiceId',
  'SiteId',
  'SwitchId',
  'TenantId',
] as const;

export interface StartSessionPayload {
  UserName: string;
  Password: string;
  SessionId: string;
}

/**
 * Reads a callback request (client side). Throws `CtipsXmlError` for unreadable XML or an unknown
 * operation.
 *
 * @example
 * parseCallback(buildCallback('HeartbeatMessage', {}).xml).op; // 'HeartbeatMessage'
 */
export function parseCallback(
  xml: string,
  limits?: XmlLimits,
): { op: CallbackOperation; event?: CtipsEvent; node: XmlNode } {
  const { body, fault } = parseSoap(xml, limits);
  if (fault) throw new CtipsXmlError('malformed', 'a fault is not a callback');
  switch (body.name) {
    case 'HeartbeatMessage':
    case 'Heartbeat':
      return { op: 'HeartbeatMessage', node: body };
    case 'StartSession':
      return { op: 'StartSession', node: body };
    case 'PublishCTIEvent': {
      const ev = child(body, 'event') ?? body.children[0];
      if (!ev) throw new CtipsXmlError('malformed', 'PublishCTIEvent without an event');
      const typeAttr = ev.attrs.type?.replace(/^.*:/, '').replace(/^CTI/, '');
      const name = textOf(ev, 'EventType') || typeAttr || '';
      const messageClass = textOf(ev, 'EventCategory') || undefined;
      const event: CtipsEvent = messageClass ? { name, messageClass, node: ev } : { name, node: ev };
      return { op: 'PublishCTIEvent', event, node: body };
    }
    default:
      throw new CtipsXmlError('malformed', `unknown callback ${body.name}`);
  }
}

/**
 * The user name, password and session id of a StartSession.
 *
 * @example
 * startSessionOf(parseCallback(xml).node); // { UserName: 'bridge', Password: '..', SessionId: '..' }
 */
export function startSessionOf(node: XmlNode): StartSessionPayload {
  const creds = child(node, 'userinfo') ?? child(node, 'UserCredentials') ?? child(node, 'userInfo');
  return {
    UserName: textOf(creds, 'UserName') ?? '',
    Password: textOf(creds, 'Password') ?? '',
    SessionId: textOf(node, 'sessionId') ?? textOf(node, 'SessionId') ?? '',
  };
}

function el(
  name: string,
  ns: string | undefined,
  children: XmlNode[] = [],
  text = '',
  attrs: Record<string, string> = {},
): XmlNode {
  const n: XmlNode = { name, attrs, children, text };
  if (ns !== undefined) n.ns = ns;
  return n;
}

/**
 * A callback request (service side). PublishCTIEvent: `payload` is the event's fields with `EventType`
 * required; the header is completed (category from the type, 0 for absent ids). StartSession:
 * `{ UserName, Password, SessionId }`. HeartbeatMessage: `{}`.
 *
 * @example
 * buildCallback('PublishCTIEvent', { EventType: 'CallHeld', CallId: 7 }).soapAction;
 * // 'http://tempuri.org/CTIEventService/PublishCTIEvent'
 */
export function buildCallback(
  op: CallbackOperation,
  payload: Record<string, unknown>,
  ns?: Partial<Namespaces>,
): { soapAction: string; xml: string } {
  const n = resolveNamespaces(ns);
  let body: XmlNode;
  if (op === 'PublishCTIEvent') {
    const type = String(payload.EventType ?? '');
    if (!type) throw new TypeError('PublishCTIEvent needs an EventType');
    const fields: Record<string, unknown> = {
      AgentId: 0,
      RequestId: 0,
      ServiceId: 0,
      SiteId: 0,
      SwitchId: 0,
      TenantId: 0,
      EventCategory: categoryOf(type),
      ...payload,
    };
    const ev = el('event', n.callback, fieldsToNodes(fields, n, [...EVENT_HEADER]), '', {
      'i:type': `a:CTI${type}`,
    });
    body = el(op, n.callback, [ev]);
  } else if (op === 'StartSession') {
    const creds = el(
      'userinfo',
      n.callback,
      fieldsToNodes({ Password: payload.Password ?? '', UserName: payload.UserName ?? '' }, n),
    );
    body = el(op, n.callback, [creds, el('sessionId', n.callback, [], String(payload.SessionId ?? ''))]);
  } else {
    body = el(op, n.callback);
  }
  return {
    soapAction: soapActionFor(n.callback, n.callbackContract, op),
    xml: soapEnvelope(body, prefixesFor(n)),
  };
}

/**
 * The client's answer to a callback: empty for PublishCTIEvent (void, L1088), `result` (default 0) for
 * the int operations (HeartbeatMessage's value is not checked, L1096).
 *
 * @example
 * callbackResponse('HeartbeatMessage'); // '<s:Envelope ...><HeartbeatMessageResponse ...><HeartbeatMessageResult>0</...'
 */
export function callbackResponse(op: CallbackOperation, result = 0, ns?: Partial<Namespaces>): string {
  const n = resolveNamespaces(ns);
  if (op === 'PublishCTIEvent') return soapEnvelope(el('PublishCTIEventResponse', n.callback));
  return soapEnvelope(el(`${op}Response`, n.callback, [el(`${op}Result`, n.callback, [], String(result))]));
}
