import type { SimVendor } from '../../../simulator/frontends/types.js';
import { BroadWorksCtiFrontEnd, type BroadWorksCtiOptions } from './server.js';

/** The BroadWorks CTI front-end, as the simulator and the local stack load it. */
const simVendor: SimVendor<BroadWorksCtiOptions> = {
  id: 'broadworks-cti',
  control: 'broadworks',
  label: 'BroadWorks CTI',
  create: (core, options) => new BroadWorksCtiFrontEnd(core, options),
  // The protocol has no directory request: the link carries the seed directory as its user list.
  localLinks: (running, dir) => [
    {
      id: 'sim-broadworks',
      endpoint: running.url,
      options: {
        applicationId: 'cti-bridge-local',
        users: [...dir.users, ...dir.queues, ...dir.routePoints].map((u) => ({
          id: u.userId,
          extension: u.extension,
          name: u.name,
        })),
      },
    },
  ],
};
export default simVendor;

export {
  BroadWorksCtiFrontEnd,
  createBroadWorksCtiFrontEnd,
  type BroadWorksCtiOptions,
  type ChannelTerminatedReason,
  type EventResponseRecord,
  type DeliveryLogRecord,
} from './server.js';
export { XSP_NS, XSI_NS, XSI1_NS, ENVELOPE_VERSION } from '../wire/index.js';
