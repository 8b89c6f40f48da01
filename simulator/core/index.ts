export { PbxCore, normalizeAddress, type PbxOptions, type CoreListener } from './pbx.js';
export * from './types.js';
