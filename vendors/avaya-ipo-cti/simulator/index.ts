/**
 * The IP Office CTI WebServices front-end, as the simulator and the local stack load it
 * (`vendors/<id>/simulator/index.ts`, default export a `SimVendor`): REST requests and the event
 * WebSocket on one HTTP port. The local link logs in as the application user (all devices).
 */
import type { SimVendor } from '../../../simulator/frontends/types.js';
import { IpoCtiFrontEnd, type IpoCtiSimOptions } from './server.js';

const simVendor: SimVendor<IpoCtiSimOptions> = {
  id: 'avaya-ipo-cti',
  control: 'ipo',
  label: 'Avaya IP Office CTI WebServices',
  create: (core, options) => new IpoCtiFrontEnd(core, options),
  localLinks: (running) => {
    const url = new URL(running.url);
    return [
      {
        id: 'sim-ipo-cti',
        endpoint: `http://${url.hostname}:${running.port}`,
        options: { user: 'application' },
      },
    ];
  },
};
export default simVendor;

export { IpoCtiFrontEnd, type IpoCtiSimOptions } from './server.js';
