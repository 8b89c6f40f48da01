/**
 * PBX simulator entry point: the core with the seed directory, the HTTP control API, and one protocol
 * front-end per registered vendor (`vendors/<id>/simulator/`), all on the same core.
 */
import { ControlApi } from './control/server.js';
import { PbxCore, type PbxOptions } from './core/index.js';
import { defaultDirectory, type SeedDirectory } from './directory.js';
import type { SimCredential, SimFrontEnd, SimLinkSeed, SimVendor } from './frontends/types.js';
import type { VendorId } from '../vendors/index.js';
import { simulatorVendors } from './vendors.js';

export { PbxCore } from './core/index.js';
export * from './core/types.js';
export { DEFAULT_DIRECTORY, defaultDirectory, type SeedDirectory } from './directory.js';
export { ControlApi } from './control/server.js';
export type { SimFrontEnd, SimVendor, SimLinkSeed } from './frontends/types.js';

export interface SimulatorOptions {
  host?: string;
  /** Control API port; 0 = free port. Default 0. */
  controlPort?: number;
  directory?: SeedDirectory;
  core?: PbxOptions;
  /** Credentials every front-end accepts (default one admin user `bridge` / `bridge-secret`). */
  credentials?: SimCredential[];
  /** Port per vendor id; 0 or absent = a free port. */
  ports?: Record<string, number>;
  /** Front-end options per vendor id (timers, TLS, limits); `host`, `port` and credentials come from above. */
  frontEnds?: Record<string, Record<string, unknown>>;
  /** Start only these vendors' front-ends (default: every registered vendor). */
  only?: string[];
}

export interface RunningFrontEnd<F extends SimFrontEnd = SimFrontEnd> {
  vendor: SimVendor;
  frontEnd: F;
  port: number;
  url: string;
}

export interface RunningSimulator {
  core: PbxCore;
  control: ControlApi;
  controlPort: number;
  controlUrl: string;
  /** The running front-ends, in vendor registration order. */
  frontEnds: RunningFrontEnd[];
  /** One running front-end by vendor id (throws when it is not running). */
  frontEnd<F extends SimFrontEnd = SimFrontEnd>(vendor: string): RunningFrontEnd<F>;
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
  const credentials = options.credentials ?? [{ username: 'bridge', password: 'bridge-secret', admin: true }];
  const vendors = (await simulatorVendors()).filter((v) => !options.only || options.only.includes(v.id));
  const running: RunningFrontEnd[] = [];
  let control: ControlApi | undefined;
  const stopAll = async () => {
    await control?.stop();
    for (const r of [...running].reverse()) await r.frontEnd.stop();
  };
  let ctl: { port: number; url: string };
  try {
    for (const vendor of vendors) {
      const frontEnd = vendor.create(core, {
        ...options.frontEnds?.[vendor.id],
        credentials,
        host,
        port: options.ports?.[vendor.id] ?? 0,
      });
      const started = await frontEnd.start();
      running.push({ vendor, frontEnd, ...started });
    }
    control = new ControlApi(core, {
      host,
      port: options.controlPort ?? 0,
      frontEnds: Object.fromEntries(running.map((r) => [r.vendor.control, r.frontEnd])),
    });
    ctl = await control.start();
  } catch (err) {
    await stopAll();
    core.dispose();
    throw err;
  }
  return {
    core,
    control,
    controlPort: ctl.port,
    controlUrl: ctl.url,
    frontEnds: running,
    frontEnd<F extends SimFrontEnd = SimFrontEnd>(vendor: string) {
      const r = running.find((x) => x.vendor.id === vendor);
      if (!r) throw new Error(`simulator front-end ${vendor} is not running`);
      return r as RunningFrontEnd<F>;
    },
    credentials: credentials.map((c) => ({ username: c.username, password: c.password })),
    async stop() {
      await stopAll();
      core.dispose();
    },
  };
}

/** A link to a simulator front-end, with its vendor: what `simulatorLinkSeeds` lists. */
export type SimulatorLinkSeed = SimLinkSeed & { vendor: VendorId };

/**
 * The links to a running simulator, one or more per front-end as its vendor's `localLinks` declares
 * them (e.g. `sim-broadworks`, `sim-mtcti3`), for the users of `directory`.
 *
 * @example
 * const seeds = simulatorLinkSeeds(sim, DEFAULT_DIRECTORY); // [{ id: 'sim-broadworks', vendor: 'broadworks-cti', ... }, ...]
 */
export function simulatorLinkSeeds(
  sim: Pick<RunningSimulator, 'frontEnds' | 'credentials'>,
  directory: SeedDirectory,
): SimulatorLinkSeed[] {
  return sim.frontEnds.flatMap((r) =>
    r.vendor
      .localLinks(r, directory, sim.credentials)
      .map((seed) => ({ ...seed, vendor: r.vendor.id as VendorId })),
  );
}
