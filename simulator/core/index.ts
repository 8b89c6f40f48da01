export { PbxCore, normalizeAddress, simulatorIdBase, type PbxOptions, type CoreListener } from './pbx.js';
export * from './types.js';
