/** The BroadWorks CAP wire codec shared by the driver and the simulator. */
export * from './names.js';
export * from './model.js';
export * from './xml.js';
export * from './parse.js';
export * from './serialize.js';
export * from './framer.js';
export * from './hash.js';
