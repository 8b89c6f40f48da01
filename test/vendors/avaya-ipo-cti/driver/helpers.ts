/**
 * What the IP Office driver tests share: a driver built with `standaloneContext` whose hooks record
 * everything, waits that resolve on the hook they wait for instead of sleeping, and a bed that runs
 * the scripted peers (peer.ts) and closes everything after each test.
 */
import { AvayaIpoCtiDriver } from '../../../../vendors/avaya-ipo-cti/driver/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import type { LinkConfig, WatchSpec } from '../../../../vendors/driver-kit/seam.js';
import type { EventDraft, EventFamily } from '../../../../shared/events/model.js';
import { IpoPeer, type PeerOptions } from './peer.js';

export const PW = 'secret';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves once `pred` returns a value, re-checked whenever a hook fires. */
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
  readonly ended: { user: string; state: string; reason: string; vendorEvent?: string }[] = [];
  readonly driver: AvayaIpoCtiDriver;
  private readonly waits = new Waits();

  constructor(link: LinkConfig) {
    const poke = () => this.waits.poke();
    this.driver = new AvayaIpoCtiDriver(
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

  until<T>(pred: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    return this.waits.until(
      pred,
      what,
      ms,
      () => `events: ${this.lines().join(', ')}; downs: ${this.downs.join(', ')}`,
    );
  }

  /** The first recorded event matching, once it arrives. */
  event(type: EventDraft['type'], pred: (e: EventDraft) => boolean = () => true): Promise<EventDraft> {
    return this.until(() => this.events.find((e) => e.type === type && pred(e)), type);
  }

  lines(): string[] {
    return this.events.map((e) => {
      const d = e.data as { call?: { id: string; state: string } };
      return `${e.target.id ?? e.target.type} ${e.type}${d.call ? ` ${d.call.id}/${d.call.state}` : ''}`;
    });
  }

  async login(user: string, password = PW, options: Record<string, unknown> = {}): Promise<void> {
    await this.driver.sessions!.login({ session: `s-${user}`, user, credentials: { password }, options });
  }
}

export const watchUsers = (ids: string[], families: EventFamily[] = ['call', 'agent']): WatchSpec[] =>
  ids.map((id) => ({ target: { type: 'user', id }, families }));

/** The id of `e`'s call, if it has one. */
export const callIdOf = (e: EventDraft): string | undefined => (e.data as { call?: { id: string } }).call?.id;

/** Peers and drivers of one test, all stopped afterwards. */
export class Bed {
  readonly peers: IpoPeer[] = [];
  private readonly harnesses: Harness[] = [];

  async peer(opts: PeerOptions = {}): Promise<IpoPeer> {
    const p = await new IpoPeer(opts).start();
    this.peers.push(p);
    return p;
  }

  harness(
    endpoint: string,
    options: Record<string, unknown> = {},
    credentials = { username: 'ctiapp', password: PW },
  ): Harness {
    const h = new Harness({
      tenant: 't',
      id: 'ipo',
      vendor: 'avaya-ipo-cti',
      endpoint,
      credentials,
      options: {
        wsKeepaliveMs: 0,
        requestTimeoutMs: 2000,
        connectTimeoutMs: 2000,
        snapshotWaitMs: 100,
        ...options,
      },
    });
    this.harnesses.push(h);
    return h;
  }

  async stop(): Promise<void> {
    for (const h of this.harnesses.splice(0)) await h.driver.close();
    for (const p of this.peers.splice(0)) await p.stop();
  }
}
