/** Namespaces and envelope constants of the BroadWorks CTI interface, shared by the driver and the simulator. */

/** The `xsp:` envelope namespace (request, response, event, keepalive, eventResponse). */
export const XSP_NS = 'http://schema.broadsoft.com/XspXMLInterface';

/** The Xsi namespace of payload elements (Channel, Subscription, Event, ErrorInfo, ...). */
export const XSI_NS = 'http://schema.broadsoft.com/xsi';

/** XML Schema instance namespace, bound to the `xsi1:` prefix for `xsi1:type`. */
export const XSI1_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The `version` attribute of every envelope. */
export const ENVELOPE_VERSION = '17.0';

/** The XML declaration that starts every message on the wire. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
