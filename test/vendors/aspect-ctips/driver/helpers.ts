/**
 * What the CTIPS driver tests share: a driver built with `standaloneContext` whose hooks record
 * everything (onEvent's durability under the test's control), a local HTTP server that mounts the
 * driver's `handleCallback` below a link's callback root as the connector's listener does, waits that
 * resolve on the hook they wait for instead of sleeping, and a bed that stops everything after a test.
 */
import { VENDOR } from '../../../../vendors/aspect-ctips/driver/errors.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AspectCtipsDriver } from '../../../../vendors/aspect-ctips/driver/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import type { EventDraft, EventFamily } from '../../../../shared/events/model.js';
import type { WatchSpec } from '../../../../vendors/driver-kit/seam.js';
import { CtipsPeer, type PeerOptions } from './peer.js';

export const PW = 'secret';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ROOT = '/v1/callbacks/t/ctips';

/** A driver whose hooks record events, downs and garbage; `hold` keeps onEvent pending until released. */
export class Harness {
  readonly events: EventDraft[] = [];
  readonly downs: string[] = [];
  readonly garbage: { kind: string; detail: string }[] = [];
  readonly driver: AspectCtipsDriver;
  /** While set, onEvent's promises stay pending until `release()`. */
  holding = false;
  /** While set, onEvent's promises reject (the event log cannot be written). */
  failing = false;
  private held: (() => void)[] = [];
  private waiters: (() => boolean)[] = [];

  constructor(endpoint: string, publicUrl: string | undefined, options: Record<string, unknown>) {
    const poke = () => (this.waiters = this.waiters.filter((w) => !w()));
    this.driver = new AspectCtipsDriver(
      standaloneContext(
        {
          tenant: 't',
          id: 'ctips',
          vendor: VENDOR,
          endpoint,
          credentials: { username: 'bridge', password: PW },
          options: { requestTimeoutMs: 2000, startTimeoutMs: 2000, outcomeTimeoutMs: 2000, ...options },
        },
        {
          onEvent: (e) => {
            this.events.push(e);
            poke();
            if (this.failing) return Promise.reject(new Error('event log unavailable'));
            if (!this.holding) return;
            return new Promise<void>((r) => this.held.push(r));
          },
          onDown: (reason) => {
            this.downs.push(reason);
            poke();
          },
          onGarbage: (kind, detail) => {
            this.garbage.push({ kind, detail });
            poke();
          },
        },
        quiet,
        publicUrl ? { callbacks: { publicUrl } } : {},
      ),
    );
  }

  release(): void {
    this.holding = false;
    for (const r of this.held.splice(0)) r();
  }

  until<T>(pred: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; events ${this.events.map((e) => e.type).join(',')}; downs ${this.downs.join(',')}`,
            ),
          ),
        ms,
      );
      const check = () => {
        const v = pred();
        if (!v) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }
}

export const watchUsers = (
  ids: string[],
  families: EventFamily[] = ['call', 'agent', 'route'],
): WatchSpec[] => ids.map((id) => ({ target: { type: 'user', id }, families }));

/** Peers, the callback server and drivers of one test, all stopped afterwards. */
export class Bed {
  readonly peers: CtipsPeer[] = [];
  private readonly harnesses: Harness[] = [];
  private server: Server | undefined;
  private current: Harness | undefined;

  async peer(opts: PeerOptions = {}): Promise<CtipsPeer> {
    const p = await new CtipsPeer(opts).start();
    this.peers.push(p);
    return p;
  }

  /** The callback server (the connector's listener in miniature): `<url>/v1/callbacks/t/ctips/...` → handleCallback. */
  async callbackBase(): Promise<string> {
    if (!this.server) {
      this.server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const url = req.url ?? '';
          const h = this.current;
          if (!h || !url.startsWith(ROOT)) return void res.writeHead(404).end();
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
          void h.driver
            .handleCallback({
              method: req.method ?? 'POST',
              path: url.slice(ROOT.length) || '/',
              headers,
              body: Buffer.concat(chunks),
            })
            .then((answer) => res.writeHead(answer.status, answer.headers ?? {}).end(answer.body));
        });
      });
      await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    }
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${ROOT}`;
  }

  async harness(
    endpoint: string,
    options: Record<string, unknown> = {},
    withCallbacks = true,
  ): Promise<Harness> {
    const h = new Harness(endpoint, withCallbacks ? await this.callbackBase() : undefined, options);
    this.harnesses.push(h);
    this.current = h;
    return h;
  }

  async stop(): Promise<void> {
    for (const h of this.harnesses.splice(0)) {
      h.release();
      await h.driver.close();
    }
    for (const p of this.peers.splice(0)) await p.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
