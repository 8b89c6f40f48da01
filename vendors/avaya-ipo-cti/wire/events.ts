/**
 * Event frames of the WebSocket (`/inyama/openapiwebsocket/<clientSessionID>`, Appendix A, L8559-8692):
 * every server message is an openapi `Events` document, sometimes with `@clientSessionId`.
 * - device user: the events are bare children of `Events`;
 * - application user: each event is wrapped in `<Event device="NNN">` (extension, `conference` or
 *   `directory`), several per frame.
 * The reader accepts both shapes, and also a bare single event document.
 */
import { OPENAPI_NS } from './ns.js';
import { el, parseXml, writeXml, type XmlLimits, type XmlNode } from './xml.js';

export { OPENAPI_NS, CSTA_NS, CONFERENCING_NS, CONFERENCING_COMMON_NS, CALLLOG_NS } from './ns.js';

/** One event of a frame. */
export interface WireEvent {
  /** `Event@device` (application user): an extension, `conference` or `directory`. */
  device?: string;
  /** The event element's local name, e.g. `DeliveredEvent`, `logoutEvent`. */
  name: string;
  node: XmlNode;
}

export interface EventsFrame {
  clientSessionId?: string;
  events: WireEvent[];
}

/**
 * Reads one WebSocket message. Throws `IpoXmlError` for a document the reader refuses.
 *
 * @example
 * const f = parseEventsFrame('<Events><Event device="1001"><HeldEvent/></Event></Events>');
 * f.events[0]; // { device: '1001', name: 'HeldEvent', node: ... }
 */
export function parseEventsFrame(text: string, limits?: XmlLimits): EventsFrame {
  const root = parseXml(text, limits);
  if (root.name !== 'Events') return { events: [{ name: root.name, node: root }] };
  const events: WireEvent[] = [];
  for (const c of root.children) {
    if (c.name === 'Event') {
      const device = c.attrs.device?.trim();
      for (const e of c.children)
        events.push(device ? { device, name: e.name, node: e } : { name: e.name, node: e });
    } else {
      events.push({ name: c.name, node: c });
    }
  }
  const clientSessionId = root.attrs.clientSessionId;
  return clientSessionId ? { clientSessionId, events } : { events };
}

/**
 * Writes one WebSocket message: `wrapped` (application user) puts each event that names a `device` in
 * its own `<Event device="...">`; the others (and every event when not `wrapped`) are bare children of
 * `Events` (session events such as logoutEvent and HASwitchEvent concern no device).
 *
 * @example
 * eventsFrame([{ device: '1001', name: 'HeldEvent', node: heldNode }], { wrapped: true });
 */
export function eventsFrame(
  events: WireEvent[],
  opts: { wrapped: boolean; clientSessionId?: string },
): string {
  const children = events.map((e) =>
    opts.wrapped && e.device !== undefined ? el('Event', OPENAPI_NS, { device: e.device }, [e.node]) : e.node,
  );
  return writeXml(el('Events', OPENAPI_NS, { clientSessionId: opts.clientSessionId }, children), {
    declaration: true,
  });
}
