/** BroadWorks CTI (XML over TCP/TLS) driver. See docs/protocols/broadworks-cti.md. */
import type { DriverFactory } from '../../driver.js';
import { BroadWorksCtiDriver } from './driver.js';

export const createBroadWorksCtiDriver: DriverFactory = (link, hooks, logger) =>
  new BroadWorksCtiDriver(link, hooks, logger);

export {
  BroadWorksCtiDriver,
  BroadWorksCtiOptions,
  packagesFor,
  vendorError,
  SERVICE_PACKAGES,
} from './driver.js';
export { BwClient, parseEndpoint, type SessionState } from './client.js';
export { CallMapper, mapCallState, mapAgentState } from './mapper.js';
export { parseInbound, canonicalEventType, type BwEvent, type BwCall, type Inbound } from './messages.js';
export { parseXml, repairXml } from './xml.js';
