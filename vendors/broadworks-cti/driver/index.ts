/** BroadWorks CTI (XML over TCP/TLS) driver. See docs/protocols/broadworks-cti.md. */
import type { DriverFactory } from '../../driver-kit/seam.js';
import { BroadWorksCtiDriver } from './driver.js';

export const createBroadWorksCtiDriver: DriverFactory = (context) => new BroadWorksCtiDriver(context);
export default createBroadWorksCtiDriver;

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
export { parseXml, repairXml } from '../wire/index.js';
