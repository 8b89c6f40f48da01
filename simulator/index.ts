/**
 * PBX simulator entry point: the core with the seed directory, the HTTP control API, the
 * BroadWorks CTI front-end and the Avaya IP Office MTCTI-3 front-end.
 */
import { ControlApi } from './control/server.js';
import { PbxCore, type PbxOptions } from './core/index.js';
import { defaultDirectory, type SeedDirectory } from './directory.js';
import { BroadWorksCtiFrontEnd, type BroadWorksCtiOptions } from './frontends/broadworks-cti/index.js';
import { AvayaMtcti3FrontEnd, type AvayaMtcti3Options } from './frontends/avaya-mtcti3/index.js';

export { PbxCore } from './core/index.js';
export * from './core/types.js';
export { DEFAULT_DIRECTORY, defaultDirectory, type SeedDirectory } from './directory.js';
export { ControlApi } from './control/server.js';
export {
  BroadWorksCtiFrontEnd,
  createBroadWorksCtiFrontEnd,
  type BroadWorksCtiOptions,
} from './frontends/broadworks-cti/index.js';
export {
  AvayaMtcti3FrontEnd,
  createAvayaMtcti3FrontEnd,
  type AvayaMtcti3Options,
} from './frontends/avaya-mtcti3/index.js';
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
  /** MTCTI-3 websocket port; 0 = free port. Default 0. */
  mtcti3Port?: number;
  /** MTCTI-3 front-end options (TLS, credentials, limits). `host`/`port` come from above. */
  mtcti3?: Omit<AvayaMtcti3Options, 'host' | 'port'>;
}

export interface RunningSimulator {
  core: PbxCore;
  broadworks: BroadWorksCtiFrontEnd;
  control: ControlApi;
  controlPort: number;
  controlUrl: string;
  broadworksPort: number;
  broadworksUrl: string;
  mtcti3: AvayaMtcti3FrontEnd;
  mtcti3Port: number;
  /** ws(s)://host:port/tpkt/openapi */
  mtcti3Url: string;
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
  const credentials = options.broadworks?.credentials ?? [
    { username: 'bridge', password: 'bridge-secret', admin: true },
  ];
  const broadworks = new BroadWorksCtiFrontEnd(core, {
    ...options.broadworks,
    credentials,
    host,
    port: options.broadworksPort ?? 0,
  });
  const control = new ControlApi(core, { host, port: options.controlPort ?? 0, broadworks });
  const mtcti3 = new AvayaMtcti3FrontEnd(core, {
    credentials: credentials.map((c) => ({ username: c.username, password: c.password })),
    ...options.mtcti3,
    host,
    port: options.mtcti3Port ?? 0,
  });
  const bw = await broadworks.start();
  let ctl;
  let mt;
  try {
    mt = await mtcti3.start();
    ctl = await control.start();
  } catch (err) {
    await mtcti3.stop();
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
    mtcti3,
    mtcti3Port: mt.port,
    mtcti3Url: mt.url,
    credentials: credentials.map((c) => ({ username: c.username, password: c.password })),
    async stop() {
      await control.stop();
      await mtcti3.stop();
      await broadworks.stop();
      core.dispose();
    },
  };
}
