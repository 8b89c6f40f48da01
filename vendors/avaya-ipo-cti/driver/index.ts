/** Avaya IP Office CTI WebServices (one-X Portal Open API: REST + CSTA XML over a WebSocket) driver. See docs/protocols/avaya-ipo-cti.md. */
import { createAvayaIpoCtiDriver } from './driver.js';

export default createAvayaIpoCtiDriver;
export {
  AvayaIpoCtiDriver,
  AvayaIpoCtiOptions,
  LINK_TRANSITIONS,
  createAvayaIpoCtiDriver,
  type LinkState,
} from './driver.js';
export { IpoSession, SESSION_TRANSITIONS, SUBSCRIBED_EVENT_TYPES, type SessionState } from './session.js';
export { EventSocket, SOCKET_TRANSITIONS, KEEPALIVE_TEXT, socketUrl, type SocketState } from './socket.js';
export { DeviceSessions, USER_SESSION_TRANSITIONS, type UserSessionState } from './sessions.js';
export { Servers } from './servers.js';
export { VENDOR, TRANSIENT_LOGIN_CODES } from './errors.js';
