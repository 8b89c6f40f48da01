import type { SimVendor } from '../../../simulator/frontends/types.js';
import { BroadWorksCapFrontEnd, type BroadWorksCapSimOptions } from './server.js';

/**
 * The BroadWorks CAP front-end, as the simulator and the local stack load it: CAP-C on the front-end's
 * port, CCC2 on the next one.
 */
const simVendor: SimVendor<BroadWorksCapSimOptions> = {
  id: 'broadworks-cap',
  control: 'cap',
  label: 'BroadWorks CAP (CAP-C + CCC2)',
  create: (core, options) => new BroadWorksCapFrontEnd(core, options),
  localLinks: (running) => {
    const url = new URL(running.url);
    return [
      { id: 'sim-cap', endpoint: running.url, options: { mode: 'cap-c', applicationId: 'cti-bridge-local' } },
      { id: 'sim-ccc2', endpoint: `tcp://${url.hostname}:${running.port + 1}`, options: { mode: 'ccc2' } },
    ];
  },
};
export default simVendor;

export { BroadWorksCapFrontEnd, type BroadWorksCapSimOptions, type CapFraming } from './server.js';
