/** Aspect Unified IP CTI Portal Server (CTIPS: SOAP requests, events called back) driver. See docs/protocols/aspect-ctips.md. */
import { createAspectCtipsDriver } from './driver.js';

export default createAspectCtipsDriver;
export {
  AspectCtipsDriver,
  AspectCtipsOptions,
  LINK_TRANSITIONS,
  NO_CALLBACKS,
  SNAPSHOT_ENTITIES,
  createAspectCtipsDriver,
  type LinkState,
} from './driver.js';
export { CtipsConnection, CONNECTION_TRANSITIONS, SESSION_GONE, type ConnectionState } from './connection.js';
export { Inbound, eventsPath } from './inbound.js';
export { agentStateOf } from './agent-commands.js';
export { destinationOf } from './commands.js';
export { VENDOR } from './errors.js';
