/**
 * What the CAP driver tests share: the simulator's CAP front-end on a fresh PBX core (real sockets),
 * a driver built with `standaloneContext` whose hooks record everything, and waits that resolve on the
 * hook or the simulator state they wait for instead of sleeping.
 */
import { PbxCore } from '../../../../simulator/core/index.js';
import { defaultDirectory } from '../../../../simulator/directory.js';
import capSim, {
  type BroadWorksCapFrontEnd,
  type BroadWorksCapSimOptions,
} from '../../../../vendors/broadworks-cap/simulator/index.js';
import { BroadWorksCapDriver } from '../../../../vendors/broadworks-cap/driver/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import type { LinkConfig, WatchSpec } from '../../../../vendors/driver-kit/seam.js';
import type { EventDraft, EventFamily } from '../../../../shared/events/model.js';
import type { CapMessage, CapMessageOf, CommandType } from '../../../../vendors/broadworks-cap/wire/index.js';

export const PW = 'bridge-secret';
export const ALICE = 'alice@sim.example';
export const BOB = 'bob@sim.example';
export const CAROL = 'carol@sim.example';
export const DAVE = 'dave@sim.example';
export const QUEUE = 'sales@sim.example';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves once `pred` returns a value, re-checked whenever `subscribe`'s callback fires. */
class Waits {
  private waiters: { check: () => boolean }[] = [];

  poke(): void {
    this.waiters = this.waiters.filter((w) => !w.check());
  }

  until<T>(pred: () => T | undefined | false, what: string, ms: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; ${describe()}`));
      }, ms);
      const waiter = {
        check: () => {
          const v = pred();
          if (!v) return false;
          clearTimeout(timer);
          resolve(v);
          return true;
        },
      };
      if (!waiter.check()) this.waiters.push(waiter);
    });
  }
}

/** A driver whose hooks record events, downs, garbage and ended sessions. */
export class Harness {
  readonly events: EventDraft[] = [];
  readonly downs: string[] = [];
  readonly garbage: { kind: string; detail: string }[] = [];
  readonly ended: { user: string; state: string; reason: string }[] = [];
  readonly driver: BroadWorksCapDriver;
  private readonly waits = new Waits();

  constructor(link: LinkConfig) {
    const poke = () => this.waits.poke();
    this.driver = new BroadWorksCapDriver(
      standaloneContext(
        link,
        {
          onEvent: (e) => {
            this.events.push(e);
            poke();
          },
          onDown: (reason) => {
            this.downs.push(reason);
            poke();
          },
          onGarbage: (kind, detail) => {
            this.garbage.push({ kind, detail });
            poke();
          },
          onSessionEnded: (user, outcome) => {
            this.ended.push({ user, ...outcome });
            poke();
          },
        },
        quiet,
      ),
    );
  }

  /** Waits until `pred` holds; re-checked on every hook call. */
  until<T>(pred: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    return this.waits.until(
      pred,
      what,
      ms,
      () => `events: ${this.lines().join(', ')}; downs: ${this.downs.join(', ')}`,
    );
  }

  /** The first recorded event matching, once it arrives. */
  event(
    type: EventDraft['type'],
    pred: (e: EventDraft) => boolean = () => true,
    what = type,
  ): Promise<EventDraft> {
    return this.until(() => this.events.find((e) => e.type === type && pred(e)), what);
  }

  lines(): string[] {
    return this.events.map((e) => {
      const d = e.data as { call?: { id: string; state: string } };
      return `${e.target.id ?? e.target.type} ${e.type}${d.call ? ` ${d.call.id}/${d.call.state}` : ''}`;
    });
  }

  async login(user = ALICE, options: Record<string, unknown> = {}, password = PW): Promise<void> {
    await this.driver.sessions!.login({ session: `s-${user}`, user, credentials: { password }, options });
  }
}

/** The id of `e`'s call, if it has one. */
export const callIdOf = (e: EventDraft): string | undefined => (e.data as { call?: { id: string } }).call?.id;

export const watchUsers = (
  ids: string[],
  families: EventFamily[] = ['call', 'conference', 'agent'],
): WatchSpec[] => ids.map((id) => ({ target: { type: 'user', id }, families }));

/** Polls `pred` every 10 ms (simulator state has no events to wait on). */
export async function waitFor<T>(pred: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A running simulator front-end and the drivers of a test. */
export class SimBed {
  core!: PbxCore;
  fe!: BroadWorksCapFrontEnd;
  port = 0;
  private readonly harnesses: Harness[] = [];

  async start(options: Partial<BroadWorksCapSimOptions> = {}): Promise<this> {
    this.core = new PbxCore(defaultDirectory());
    this.fe = capSim.create(this.core, {
      host: '127.0.0.1',
      port: 0,
      credentials: [{ username: 'bridge', password: PW, admin: true }],
      pingIntervalMs: 0,
      ...options,
    }) as BroadWorksCapFrontEnd;
    this.port = (await this.fe.start()).port;
    return this;
  }

  /** A driver for the CAP-C port (or the CCC2 one with `mode: 'ccc2'`). */
  harness(options: Record<string, unknown> = {}, endpoint?: string): Harness {
    const ccc2 = options['mode'] === 'ccc2';
    const h = new Harness({
      tenant: 't',
      id: ccc2 ? 'ccc2' : 'cap',
      vendor: 'broadworks-cap',
      endpoint: endpoint ?? `tcp://127.0.0.1:${ccc2 ? this.fe.ccc2Port : this.port}`,
      credentials: { username: 'bridge', password: 'unused' },
      options: { keepaliveIntervalMs: 0, requestTimeoutMs: 2000, applicationId: 'bridge-test', ...options },
    });
    this.harnesses.push(h);
    return h;
  }

  /** Messages the simulator received of `type` (newest last), narrowed. */
  received<T extends CommandType>(
    type: T,
    pred: (m: CapMessageOf<T>) => boolean = () => true,
  ): CapMessageOf<T>[] {
    return this.fe.received.filter(
      (m: CapMessage): m is CapMessageOf<T> => m.type === type && pred(m as CapMessageOf<T>),
    );
  }

  /** The CAP-C connections registered for `user`. */
  registered(user: string): number {
    return this.fe.snapshot().connections.filter((c) => c.user === user && c.state === 'registered').length;
  }

  legOf(user: string) {
    return this.core.listLegs({ userId: user })[0];
  }

  async stop(): Promise<void> {
    for (const h of this.harnesses.splice(0)) await h.driver.close();
    await this.fe?.stop();
    this.core?.dispose();
  }
}
