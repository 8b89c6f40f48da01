/** BroadWorks CAP (CAP-C and CCC2, XML over TCP/TLS) driver. See docs/protocols/broadworks-cap.md. */
import { createBroadWorksCapDriver } from './driver.js';

export default createBroadWorksCapDriver;
export {
  BroadWorksCapDriver,
  BroadWorksCapOptions,
  LINK_TRANSITIONS,
  createBroadWorksCapDriver,
  type LinkState,
} from './driver.js';
export { CapConnection, CONNECTION_TRANSITIONS, parseEndpoint, type ConnectionState } from './connection.js';
export { UserDialog, DIALOG_TRANSITIONS, type DialogState } from './dialog.js';
export { CapSessions, RELOGIN_ATTEMPTS } from './sessions.js';
export { VENDOR, TRANSIENT_FAILURE_CAUSES } from './errors.js';
export { PROMOTED_PRIORITY } from './queue.js';
