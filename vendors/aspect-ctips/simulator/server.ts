/**
 * The CTIPS front-end of the PBX simulator: assembles the parts (sessions, call book, agent and route
 * desks, the core translator, the HTTP service), listens, stops, and shows its state to the control API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PbxCore } from '../../../simulator/core/index.js';
import type { SimFrontEnd } from '../../../simulator/frontends/types.js';
import { AgentDesk } from './agents.js';
import { CallBook } from './call-book.js';
import { makeEvent, type SimContext } from './context.js';
import { serve } from './http.js';
import { resolveOptions, type CtipsSimOptions, type ResolvedOptions } from './options.js';
import { RouteDesk } from './routing.js';
import { SessionRegistry } from './sessions.js';
import { CoreTranslator } from './translate.js';

export type { CtipsSimOptions } from './options.js';

/**
 * @example
 * const fe = new CtipsFrontEnd(core, { host: '127.0.0.1', port: 0, credentials });
 * const { url } = await fe.start(); // http://127.0.0.1:<port>; the service at fe.serviceUrl
 */
export class CtipsFrontEnd implements SimFrontEnd {
  readonly name = 'aspect-ctips';
  readonly opts: ResolvedOptions;
  readonly ctx: SimContext;
  private server: Server | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly core: PbxCore,
    options: CtipsSimOptions,
  ) {
    this.opts = resolveOptions(options);
    const ctx = {
      core,
      opts: this.opts,
      requestId: 0,
      pending: {},
      emit: (type: string, fields?: Record<string, unknown>) =>
        ctx.sessions.publish(makeEvent(this.opts, ctx.requestId, type, fields)),
    } as unknown as SimContext;
    ctx.calls = new CallBook(core.idBase);
    ctx.agents = new AgentDesk(ctx);
    ctx.routes = new RouteDesk(ctx);
    ctx.sessions = new SessionRegistry(this.opts, (name) => ctx.agents.agentIdOf(name));
    this.ctx = ctx;
  }

  /** The service endpoint, once started. */
  get serviceUrl(): string {
    return `http://${this.opts.host}:${this.opts.port}${this.opts.path}`;
  }

  async start(): Promise<{ port: number; url: string }> {
    const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => void serve(this.ctx, req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
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
    const translator = new CoreTranslator(this.ctx);
    this.unsubscribe = this.core.on((e) => translator.translate(e));
    if (this.opts.loginAtStart) this.ctx.agents.loginAtStart();
    return { port, url: `http://${this.opts.host}:${port}` };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.ctx.routes.stop();
    this.ctx.sessions.closeAll();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  snapshot(): unknown {
    return {
      sessions: this.ctx.sessions.list().map((s) => ({
        sessionId: s.id,
        state: s.state.state,
        callbackUrl: s.url,
        messageClasses: [...s.classes],
        filters: Object.fromEntries([...s.filters].map(([k, v]) => [k, [...v]])),
        callbacks: s.callback.stats,
      })),
      disposed: this.ctx.sessions.disposed,
      agents: this.ctx.agents.list(),
    };
  }
}
