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
  ports: 2,
  create: (core, options) => new BroadWorksCapFrontEnd(core, options),
  // CAP-C users log in one by one: the local stack keeps a session per seed user (the front-end's users
  // share the simulator's password), so user subscriptions and calls work as on the other links.
  localLinks: (running, dir, credentials) => {
    const url = new URL(running.url);
    const password = credentials[0]?.password ?? 'bridge-secret';
    return [
      {
        id: 'sim-cap',
        endpoint: running.url,
        // the simulator accepts TransmitDTMF, an action CAP 17.0 does not define (see dtmfActionType)
        options: { mode: 'cap-c', applicationId: 'cti-bridge-local', dtmfActionType: 'TransmitDTMF' },
        // users, and the queues (a call centre logs in like a user to get its queue's traffic)
        sessions: [...dir.users, ...dir.queues].map((u) => ({ user: u.userId, credentials: { password } })),
      },
      {
        id: 'sim-ccc2',
        endpoint: `tcp://${url.hostname}:${running.port + 1}`,
        options: { mode: 'ccc2', dtmfActionType: 'TransmitDTMF' },
      },
    ];
  },
};
export default simVendor;

export { BroadWorksCapFrontEnd, type BroadWorksCapSimOptions, type CapFraming } from './server.js';
