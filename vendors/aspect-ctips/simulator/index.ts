/**
 * The Aspect CTIPS front-end, as the simulator and the local stack load it (`vendors/<id>/simulator/
 * index.ts`, default export a `SimVendor`): the CTIPS SOAP service on one HTTP port, calling back the
 * clients' own services. The local link points at the service path.
 */
import type { SimVendor } from '../../../simulator/frontends/types.js';
import { CtipsFrontEnd, type CtipsSimOptions } from './server.js';

export const CTIPS_SERVICE_PATH = '/Aspect.UnifiedIP.EDK.CTIPortalService';

const simVendor: SimVendor<CtipsSimOptions> = {
  id: 'aspect-ctips',
  control: 'ctips',
  label: 'Aspect Unified IP CTI Portal (CTIPS)',
  create: (core, options) => new CtipsFrontEnd(core, { loginAtStart: true, ...options }),
  localLinks: (running) => {
    const url = new URL(running.url);
    return [
      {
        id: 'sim-aspect',
        endpoint: `http://${url.hostname}:${running.port}${CTIPS_SERVICE_PATH}`,
        options: {},
      },
    ];
  },
};
export default simVendor;

export { CtipsFrontEnd, type CtipsSimOptions } from './server.js';
