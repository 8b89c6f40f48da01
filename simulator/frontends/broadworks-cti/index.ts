export {
  BroadWorksCtiFrontEnd,
  createBroadWorksCtiFrontEnd,
  type BroadWorksCtiOptions,
  type ChannelTerminatedReason,
  type EventResponseRecord,
  type DeliveryLogRecord,
} from './server.js';
export { XSP_NS, XSI_NS, XSI1_NS, ENVELOPE_VERSION } from './xml.js';
