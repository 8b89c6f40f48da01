/**
 * The IP Office CTI WebServices wire codec, shared by the driver and the simulator: XML reader/writer,
 * hex-ASCII fields, namespaces, event frames, session documents, service requests and CSTA events.
 */
export * from './xml.js';
export * from './hex.js';
export * from './ns.js';
export * from './events.js';
export * from './session.js';
export * from './requests.js';
export * from './csta.js';
export * from './csta-events.js';
export * from './csta-device.js';
