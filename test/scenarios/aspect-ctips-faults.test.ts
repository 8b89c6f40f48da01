/**
 * Aspect CTIPS faults through the whole local stack (`sim-aspect`; CTIPS is the simulator, heartbeats
 * every 100 ms): three missed heartbeats (the callbacks cut between CTIPS and the bridge: CTIPS disposes
 * the session, the driver's watchdog takes the link down, the reconnect opens a new session in the
 * document's recovery order and the resync releases the call that ended meanwhile); the first CTIPS
 * going away (failover to the next URL of `options.failover`); and the 11th connection, refused with a
 * link error that says so. Callbacks reach the connector through a relay the test can cut, and the
 * driver's requests reach the simulator through a relay that records them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkRunner } from '../../connector/link-runner.js';
import type { BridgeEvent } from '../../shared/events/model.js';
import { CtipsFrontEnd, type CtipsSimOptions } from '../../vendors/aspect-ctips/simulator/index.js';
import { buildRequest, parseResponse, textOf } from '../../vendors/aspect-ctips/wire/index.js';
import { testStack, until } from '../support/stack.js';
import {
  EventTap,
  newCallWorks,
  releasedOf,
  ringBob,
  scenarioEnv,
  subscribe,
  type ScenarioEnv,
} from './harness.js';

const LINK = 'sim-aspect';
/** The simulator's heartbeat interval; the driver gives up after `HEARTBEAT_TIMEOUT_MS` without one. */
const HEARTBEAT_MS = 100;
const HEARTBEAT_TIMEOUT_MS = 1_000;
const TIMERS = {
  heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
  startTimeoutMs: 1_500,
  requestTimeoutMs: 2_000,
};
const SIM: Partial<CtipsSimOptions> = {
  heartbeatIntervalMs: HEARTBEAT_MS,
  missedHeartbeats: 3,
  callbackTimeoutMs: 1_000,
};

/**
 * An HTTP relay in front of a target: records each request (path, SOAPAction operation, status) and,
 * while `cut`, answers 503 without passing it on. Requests that come before `pointAt` wait for it.
 */
class Relay {
  readonly seen: { path: string; op: string; status: number }[] = [];
  cut = false;
  private server: Server | undefined;
  private target!: Promise<string>;
  private setTarget!: (url: string) => void;

  constructor() {
    this.target = new Promise((resolve) => (this.setTarget = resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  pointAt(url: string): void {
    this.setTarget(url.replace(/\/+$/, ''));
  }

  /** The operations seen (SOAPAction's last segment), in order. */
  ops(): string[] {
    return this.seen.map((r) => r.op);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.relay(req).then(
        ({ status, type, body }) => res.writeHead(status, type ? { 'content-type': type } : {}).end(body),
        () => res.writeHead(502).end(),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  private async relay(req: IncomingMessage): Promise<{ status: number; type?: string; body: Buffer }> {
    const parts: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) parts.push(c);
    const action = String(req.headers['soapaction'] ?? '').replace(/"/g, '');
    const record = { path: req.url ?? '/', op: action.slice(action.lastIndexOf('/') + 1), status: 503 };
    this.seen.push(record);
    if (this.cut) return { status: 503, body: Buffer.from('cut') };
    const res = await fetch(`${await this.target}${req.url ?? '/'}`, {
      method: req.method,
      headers: Object.fromEntries(
        ['content-type', 'soapaction'].flatMap((h) =>
          typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [],
        ),
      ),
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(parts),
    });
    record.status = res.status;
    const type = res.headers.get('content-type') ?? undefined;
    return { status: res.status, ...(type ? { type } : {}), body: Buffer.from(await res.arrayBuffer()) };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

let env: ScenarioEnv;
let tap: EventTap;
/** The stack's CTIPS front-end. */
let ctips: CtipsFrontEnd;
/** Callbacks (CTIPS → the connector's listener) and requests (driver → the stack's CTIPS). */
const callbacks = new Relay();
const service = new Relay();
const extra: CtipsFrontEnd[] = [];
let credentials: { username: string; password: string; admin: boolean };

const calls = (ext: string) => `/v1/links/${LINK}/users/${ext}/calls`;
const released = releasedOf;
const ofType = (evs: BridgeEvent[], type: string) => evs.filter((x) => x.type === type);
const runner = (): LinkRunner => env.stack.connector!.runner('default', LINK)!;

beforeAll(async () => {
  await callbacks.start();
  const stack = await testStack({
    simulator: { only: ['aspect-ctips'], frontEnds: { 'aspect-ctips': SIM } },
    callbackPublicUrl: callbacks.url,
    connector: { subscriptionPollMs: 50, reconcileMs: 100, backoff: { baseMs: 50, maxMs: 200 } },
  });
  callbacks.pointAt(stack.connector!.callbackEndpoint!);
  env = scenarioEnv(stack, LINK);
  ctips = stack.simulator!.frontEnd<CtipsFrontEnd>('aspect-ctips').frontEnd;
  credentials = { ...stack.simulator!.credentials[0]!, admin: true };
  await service.start();
  service.pointAt(`http://127.0.0.1:${ctips.opts.port}`);
  tap = new EventTap(env);
  await subscribe(
    env,
    [
      { type: 'user', id: '1001' },
      { type: 'user', id: '1002' },
    ],
    ['call', 'link'],
  );
}, 60_000);
afterAll(async () => {
  for (const fe of extra) await fe.stop();
  await env?.stop();
  await callbacks.stop();
  await service.stop();
});

/** Points the link elsewhere (PATCH): resolves once the connector's new runner for it is up. */
async function reconfigure(patch: { endpoint: string; options: Record<string, unknown> }): Promise<void> {
  const before = runner();
  const res = await env.client.patch(`/v1/links/${LINK}`, patch);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await until(
    async () => runner(),
    (r) => r !== undefined && r !== before && r.state === 'up',
    20_000,
  );
}

/** Another CTIPS front-end on the stack's PBX (active/active: the same calls and agents). */
async function frontEnd(): Promise<CtipsFrontEnd> {
  const fe = new CtipsFrontEnd(env.sim.core, {
    ...SIM,
    host: '127.0.0.1',
    port: 0,
    credentials: [credentials],
    loginAtStart: true,
  });
  await fe.start();
  extra.push(fe);
  return fe;
}

/** A new call is seen and ends, and the user has no call left: the link works (events and commands). */
async function stillWorks(): Promise<void> {
  await newCallWorks(env, tap);
  expect((await env.client.get(calls('1001'))).body.items).toEqual([]);
}

/** OpenConnection straight to a front-end (a client of its own); the SessionId, or the fault's text. */
async function openRaw(fe: CtipsFrontEnd): Promise<{ sessionId?: string; fault?: string }> {
  const { soapAction, xml } = buildRequest('OpenConnection', {
    TenantIds: [1],
    UserCredentials: { UserName: credentials.username, Password: credentials.password },
    ClientCallbackURL: 'http://127.0.0.1:9/www.aspect.com/PublishEvents',
  });
  const res = await fetch(fe.serviceUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
    body: xml,
  });
  try {
    return { sessionId: textOf(parseResponse('OpenConnection', await res.text()).result, 'SessionId')! };
  } catch (err) {
    return { fault: (err as Error).message };
  }
}

describe('aspect-ctips faults through the stack', () => {
  it('§13.9 through the stack: three missed heartbeats, CTIPS disposes the session, the driver reconnects (Open → classes → OnLine → Snapshot) and the resync releases the call that ended meanwhile', async () => {
    await reconfigure({ endpoint: `${service.url}${ctips.opts.path}`, options: TIMERS });
    const { corr, bobLeg } = await ringBob(env, tap);
    const [session] = ctips.ctx.sessions.list();
    expect(ctips.ctx.sessions.size).toBe(1);
    const token = /\/events\/([0-9a-f]{32})$/.exec(session!.url)![1]!;
    const [downs, ups] = [ofType(tap.events, 'link.down').length, ofType(tap.events, 'link.up').length];
    const connects = runner().stats.connects;

    callbacks.cut = true; // CTIPS can no longer reach the bridge
    await until(
      async () => ctips.ctx.sessions.disposed,
      (d) => d.includes(session!.id),
    );
    // disposed after exactly `missedHeartbeats` failed heartbeats (L1100, L1872)
    const missed = callbacks.seen.filter(
      (r) => r.op === 'HeartbeatMessage' && r.status === 503 && r.path.endsWith(token),
    );
    expect(missed).toHaveLength(3);
    await tap.until((evs) => ofType(evs, 'link.down').length > downs, 'link.down');
    expect(ofType(tap.events, 'link.down').at(-1)!.data).toMatchObject({
      reason: `no HeartbeatMessage for ${HEARTBEAT_TIMEOUT_MS} ms`,
    });
    // the call ends while the link is down: no CTIPS session is left to report it
    env.sim.core.release(bobLeg);
    const mark = service.seen.length;
    callbacks.cut = false;

    await tap.until((evs) => ofType(evs, 'link.up').length > ups, 'link.up', 20_000);
    expect(ofType(tap.events, 'link.up').at(-1)!.data).toMatchObject({ resynced: true });
    expect(runner().stats.connects).toBe(connects + 1);
    // the reconnect that succeeded: a new session, classes resubmitted, OnLine, then the Snapshot (L299)
    const ops = service.ops().slice(mark);
    const open = ops.lastIndexOf('OpenConnection');
    expect(ops.slice(open)).toEqual([
      'OpenConnection',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'OnLine',
      'Snapshot',
    ]);
    // the attempts made while cut off were closed (CloseConnection): one session is left
    const now = await until(
      async () => ctips.ctx.sessions.list(),
      (l) => l.length === 1,
    );
    expect(now[0]!.id).not.toBe(session!.id);
    expect(now[0]!.state.state).toBe('online');
    expect(now[0]!.url).not.toContain(token); // a new callback token per connection
    // no stale call: both legs released by the resync, the API lists none
    await tap.until((evs) => released(evs, corr).length === 2, 'both legs released by the resync');
    expect(
      released(tap.events, corr).map(
        (e) => (e.data as { call: { releaseCause?: string } }).call.releaseCause,
      ),
    ).toEqual(['resync', 'resync']);
    expect((await env.client.get(calls('1001'))).body.items).toEqual([]);
    expect((await env.client.get(calls('1002'))).body.items).toEqual([]);
    await stillWorks();
  }, 60_000);

  it('the first CTIPS goes away: link.down, then the driver fails over to the next URL of `failover`', async () => {
    const first = await frontEnd();
    const second = await frontEnd();
    await reconfigure({
      endpoint: first.serviceUrl,
      options: { ...TIMERS, failover: [second.serviceUrl] },
    });
    expect(first.ctx.sessions.size).toBe(1);
    expect(second.ctx.sessions.size).toBe(0);
    await stillWorks();
    const [downs, ups] = [ofType(tap.events, 'link.down').length, ofType(tap.events, 'link.up').length];

    await first.stop(); // its sessions, heartbeats and port are gone
    await tap.until((evs) => ofType(evs, 'link.down').length > downs, 'link.down');
    await tap.until((evs) => ofType(evs, 'link.up').length > ups, 'link.up on the failover URL', 20_000);
    expect(second.ctx.sessions.size).toBe(1);
    expect(second.ctx.sessions.list()[0]!.state.state).toBe('online');
    expect(second.ctx.sessions.list()[0]!.url).toMatch(
      new RegExp(`^${callbacks.url}/v1/callbacks/default/${LINK}/events/[0-9a-f]{32}$`),
    );
    const link = await env.client.get(`/v1/links/${LINK}`);
    expect(link.body).toMatchObject({ status: 'up', endpoint: first.serviceUrl });
    await stillWorks();
  }, 60_000);

  it('§13.3 through the stack: the 11th connection is refused, the link is down with an error naming the connection limit and the URL, and comes up once a slot is free', async () => {
    const full = await frontEnd();
    const raw: string[] = [];
    for (let i = 0; i < 10; i++) raw.push((await openRaw(full)).sessionId!);
    expect(full.ctx.sessions.size).toBe(10);
    expect((await openRaw(full)).fault).toMatch(/maximum number of connections/);
    // a second link to this CTIPS, with a failover URL where nothing listens
    const nowhere = full.serviceUrl.replace(/:\d+\//, ':9/');
    const created = await env.client.post('/v1/links', {
      id: 'ctips-2',
      vendor: 'aspect-ctips',
      endpoint: full.serviceUrl,
      credentials: { username: credentials.username, password: credentials.password },
      options: { ...TIMERS, failover: [nowhere] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const down = await until(
      async () => (await env.client.get('/v1/links/ctips-2')).body,
      (l) => l.status === 'down' && typeof l.lastError === 'string',
      20_000,
    );
    // the endpoint's own reason survives the failover URL's
    expect(down.lastError).toContain(full.serviceUrl);
    expect(down.lastError).toMatch(/maximum number of connections has been reached/);
    expect(down.lastError).toContain(nowhere);
    expect(full.ctx.sessions.size).toBe(10); // the refused attempts hold no slot
    // a slot frees up: the link's next attempt gets it
    const { soapAction, xml } = buildRequest('CloseConnection', { SessionId: raw.pop() });
    await fetch(full.serviceUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
      body: xml,
    });
    await until(
      async () => (await env.client.get('/v1/links/ctips-2')).body,
      (l) => l.status === 'up',
      20_000,
    );
    expect(full.ctx.sessions.size).toBe(10);
    expect(env.stack.connector!.runner('default', 'ctips-2')!.state).toBe('up');
    // the other link is not affected
    expect(runner().state).toBe('up');
  }, 60_000);
});
