/**
 * The CTIPS wire codec shared by the driver and the simulator (docs/protocols/aspect-ctips.md, "Wire").
 */
export * from './xml.js';
export * from './ns.js';
export * from './soap.js';
export * from './values.js';
export * from './enums.js';
export * from './operations.js';
export * from './callbacks.js';
