/**
 * PBX simulator entry point: the core with the seed directory, the HTTP control API and the
 * BroadWorks CTI front-end.
 */
import { ControlApi } from './control/server.js';
import { PbxCore, type PbxOptions } from './core/index.js';
import { defaultDirectory, type SeedDirectory } from './directory.js';
import { BroadWorksCtiFrontEnd, type BroadWorksCtiOptions } from './frontends/broadworks-cti/index.js';

export { PbxCore } from './core/index.js';
export * from './core/types.js';
export { DEFAULT_DIRECTORY, defaultDirectory, type SeedDirectory } from './directory.js';
export { ControlApi } from './control/server.js';
export { BroadWorksCtiFrontEnd, createBroadWorksCtiFrontEnd, type BroadWorksCtiOptions } from './frontends/broadworks-cti/index.js';
export type { SimFrontEnd } from './frontends/types.js';

export interface SimulatorOptions {
  host?: string;
  /** Control API port; 0 = free port. Default 0. */
  controlPort?: number;
  /** BroadWorks CTI port; 0 = free port. Default 0. */
  broadworksPort?: number;
  directory?: SeedDirectory;
  core?: PbxOptions;
  /** BroadWorks front-end options (timers, credentials, TLS). `host`/`port` come from above. */
  broadworks?: Omit<BroadWorksCtiOptions, 'host' | 'port'>;
}

export interface RunningSimulator {
  core: PbxCore;
  broadworks: BroadWorksCtiFrontEnd;
  control: ControlApi;
  controlPort: number;
  controlUrl: string;
  broadworksPort: number;
  broadworksUrl: string;
  credentials: { username: string; password: string }[];
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const core = new PbxCore(options.directory ?? defaultDirectory(), {
    legId: (n) => `callhalf-${n}:0`,
    correlationId: (n) => `${n}:1`,
    ...options.core,
  });
  const credentials = options.broadworks?.credentials ?? [{ username: 'bridge', password: 'bridge-secret', admin: true }];
  const broadworks = new BroadWorksCtiFrontEnd(core, { ...options.broadworks, credentials, host, port: options.broadworksPort ?? 0 });
  const control = new ControlApi(core, { host, port: options.controlPort ?? 0, broadworks });
  const bw = await broadworks.start();
  let ctl;
  try {
    ctl = await control.start();
  } catch (err) {
    await broadworks.stop();
    throw err;
  }
  return {
    core,
    broadworks,
    control,
    controlPort: ctl.port,
    controlUrl: ctl.url,
    broadworksPort: bw.port,
    broadworksUrl: bw.url,
    credentials: credentials.map((c) => ({ username: c.username, password: c.password })),
    async stop() {
      await control.stop();
      await broadworks.stop();
      core.dispose();
    },
  };
}
