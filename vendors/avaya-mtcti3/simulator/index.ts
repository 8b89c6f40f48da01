import type { SimVendor } from '../../../simulator/frontends/types.js';
import { AvayaMtcti3FrontEnd, type AvayaMtcti3Options } from './server.js';

/** The IP Office MTCTI-3 front-end, as the simulator and the local stack load it. */
const simVendor: SimVendor<AvayaMtcti3Options> = {
  id: 'avaya-mtcti3',
  control: 'mtcti3',
  label: 'IPO MTCTI-3',
  create: (core, { credentials, ...options }) =>
    new AvayaMtcti3FrontEnd(core, {
      credentials: credentials.map((c) => ({ username: c.username, password: c.password })),
      ...options,
    }),
  localLinks: (running) => [{ id: 'sim-mtcti3', endpoint: running.url, options: { framing: 'tpkt' } }],
};
export default simVendor;

export { AvayaMtcti3FrontEnd, createAvayaMtcti3FrontEnd, type AvayaMtcti3Options } from './server.js';
