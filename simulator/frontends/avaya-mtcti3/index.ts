export { AvayaMtcti3FrontEnd, createAvayaMtcti3FrontEnd, type AvayaMtcti3Options } from './server.js';
