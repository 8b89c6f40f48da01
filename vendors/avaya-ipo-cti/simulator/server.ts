/**
 * The IP Office CTI WebServices front-end of the PBX simulator: one HTTP server for the REST requests
 * (http.ts) and the event WebSocket (hub.ts), on the shared core. This module only assembles the parts,
 * listens, stops, and serves the control API's faults and state (`/faults/ipo/<action>`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PbxCore } from '../../../simulator/core/index.js';
import { SimFaultError, type SimFrontEnd } from '../../../simulator/frontends/types.js';
import { HaControl } from './ha.js';
import { route, type HttpContext } from './http.js';
import { WsHub } from './hub.js';
import { IpoIds } from './ids.js';
import { resolveOptions, type IpoCtiSimOptions, type ResolvedOptions } from './options.js';
import { SessionRegistry } from './sessions.js';
import { CoreTranslator } from './translate.js';

export type { IpoCtiSimOptions } from './options.js';

/**
 * @example
 * const fe = new IpoCtiFrontEnd(core, { host: '127.0.0.1', port: 0, credentials });
 * const { url } = await fe.start(); // http://127.0.0.1:<port>
 */
export class IpoCtiFrontEnd implements SimFrontEnd {
  readonly name = 'avaya-ipo-cti';
  readonly opts: ResolvedOptions;
  readonly sessions: SessionRegistry;
  readonly hub: WsHub;
  readonly ids: IpoIds;
  readonly translator: CoreTranslator;
  readonly ha: HaControl;
  private readonly ctx: HttpContext;
  private server: Server | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly core: PbxCore,
    options: IpoCtiSimOptions,
  ) {
    this.opts = resolveOptions(options);
    this.ids = new IpoIds(this.opts.switchIp);
    this.translator = new CoreTranslator(core, this.ids, this.opts.switchIp, this.opts.timezone);
    this.sessions = new SessionRegistry(this.opts, (s) => this.hub.close(s));
    this.hub = new WsHub(this.sessions, this.opts);
    this.ha = new HaControl(this.opts.starting, this.opts.ha);
    this.ctx = {
      core,
      ids: this.ids,
      translator: this.translator,
      hub: this.hub,
      opts: this.opts,
      sessions: this.sessions,
      ha: this.ha,
      serverErrors: 0,
    };
  }

  async start(): Promise<{ port: number; url: string }> {
    const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => void route(this.ctx, req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.on('upgrade', (req, socket, head: Buffer) => this.hub.upgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.opts.port = port;
    this.unsubscribe = this.core.on((e) => this.hub.deliver(this.translator.translate(e)));
    return { port, url: `http://${this.opts.host}:${port}` };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.sessions.endAll('stopped');
    this.hub.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  snapshot(): unknown {
    return {
      phase: this.ha.phase.state,
      framesSent: this.hub.framesSent,
      sessions: this.sessions.list().map((s) => ({
        id: s.id,
        kind: s.kind,
        userName: s.init.userName,
        applicationName: s.init.applicationName,
        extension: s.init.extension,
        state: s.phase.state,
        webSocket: this.hub.connected(s),
      })),
    };
  }

  /**
   * `METHOD /faults/ipo/<action>`:
   * - `POST starting {on?}`: 503 + Retry-After to logins while on (default on);
   * - `POST ha-switch {activeServer?}`: HASwitchEvent to every session, then SERVICE_REDIRECTED;
   * - `POST ha-reset`: serve again after a switch;
   * - `POST ipo-failover`: OutOfServiceEvent(numberUnallocated) to every client, logins refused;
   * - `POST ipo-fallback`: BackInServiceEvent to every client, logins accepted;
   * - `POST drop-websockets`: close every event socket;
   * - `POST server-errors {count}`: the next `count` service requests answer 500;
   * - `POST expire-sessions`: log every device-user session out, as after 6 h without a heartbeat;
   * - `GET sessions`: the sessions.
   */
  async fault(method: string, action: string, body: Record<string, unknown>): Promise<unknown> {
    const phase = this.ha.phase;
    switch (`${method} ${action}`) {
      case 'POST starting': {
        const on = body.on !== false;
        if (!phase.can(on ? 'starting' : 'serving'))
          throw new SimFaultError(`cannot switch starting from ${phase.state}`);
        phase.to(on ? 'starting' : 'serving');
        return { phase: phase.state };
      }
      case 'POST ha-switch': {
        if (!phase.can('redirected')) throw new SimFaultError(`cannot switch from ${phase.state}`);
        const event = this.ha.switchToPrimary(
          typeof body.activeServer === 'string' ? body.activeServer : undefined,
        );
        for (const s of this.sessions.list()) this.hub.send(s, [event]);
        return { phase: phase.state, activeServer: this.ha.activeServer };
      }
      case 'POST ha-reset':
      case 'POST ipo-fallback': {
        if (phase.is('ipo-down'))
          this.hub.deliver(this.ha.ipoEvents(this.core, this.ids, this.opts.switchIp, false), {
            always: true,
          });
        else if (phase.can('serving')) phase.to('serving');
        return { phase: phase.state };
      }
      case 'POST ipo-failover': {
        if (!phase.can('ipo-down')) throw new SimFaultError(`cannot fail over from ${phase.state}`);
        this.hub.deliver(this.ha.ipoEvents(this.core, this.ids, this.opts.switchIp, true), { always: true });
        return { phase: phase.state };
      }
      case 'POST drop-websockets':
        this.hub.closeAll();
        return { dropped: true };
      case 'POST server-errors': {
        const count = Number(body.count ?? 1);
        if (!Number.isInteger(count) || count < 0)
          throw new SimFaultError('count must be a non-negative integer');
        this.ctx.serverErrors = count;
        return { serverErrors: count };
      }
      case 'POST expire-sessions': {
        const expired = this.sessions.list().filter((s) => s.kind === 'device');
        for (const s of expired) this.sessions.end(s, 'expired');
        return { expired: expired.length };
      }
      case 'GET sessions':
        return this.snapshot();
      default:
        return undefined;
    }
  }
}
