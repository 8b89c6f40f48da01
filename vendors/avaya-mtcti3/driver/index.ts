/** Avaya IP Office MTCTI-3 (protobuf over websocket) driver. See docs/protocols/avaya-mtcti3.md. */
import { createAvayaMtcti3Driver } from './driver.js';
export default createAvayaMtcti3Driver;
export { AvayaMtcti3Driver, createAvayaMtcti3Driver, AvayaMtcti3Options } from './driver.js';
export { resultError } from './errors.js';
export { Mtcti3Client, ConnectionError, endpointUrl, type ClientConfig } from './client.js';
export { Mtcti3Mapper, bridgeState, gcidHex, VENDOR, type UserContext, type QueueContext } from './mapper.js';
