/**
 * The MTCTI-3 driver against the simulator's MTCTI-3 front-end over real sockets: login, framing,
 * events, commands, raw requests and resync after a dropped socket.
 */
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AvayaMtcti3Driver, ConnectionError } from '../../../../vendors/avaya-mtcti3/driver/index.js';
import { NotSupportedError, VendorError, type LinkConfig } from '../../../../vendors/driver-kit/seam.js';
import { PbxCore } from '../../../../simulator/core/index.js';
import { defaultDirectory } from '../../../../simulator/directory.js';
import {
  AvayaMtcti3FrontEnd,
  type AvayaMtcti3Options,
} from '../../../../vendors/avaya-mtcti3/simulator/index.js';
import { EVENT_FAMILIES, parseEventData, type EventDraft } from '../../../../shared/events/model.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

class Harness {
  readonly events: EventDraft[] = [];
  readonly downs: string[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  readonly driver: AvayaMtcti3Driver;
  constructor(link: LinkConfig) {
    this.driver = new AvayaMtcti3Driver(
      standaloneContext(
        link,
        {
          onEvent: (e) => {
            parseEventData(e.type, e.data);
            this.events.push(e);
            this.check();
          },
          onDown: (r) => {
            this.downs.push(r);
            this.check();
          },
          onGarbage: () => undefined,
        },
        quiet,
      ),
    );
  }
  private check() {
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }
  until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timed out: ${what}; events: ${this.lines().join(', ')}`)),
        ms,
      );
      this.waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
  lines(): string[] {
    return this.events.map((e) => {
      const d = e.data as { call?: { state: string } };
      return `${e.target.id ?? e.target.type} ${e.type}${d.call ? ` ${d.call.state}` : ''}`;
    });
  }
}

let core: PbxCore;
let fe: AvayaMtcti3FrontEnd;
let endpoint: string;
const drivers: AvayaMtcti3Driver[] = [];

async function start(opts: AvayaMtcti3Options = {}) {
  core = new PbxCore(defaultDirectory());
  fe = new AvayaMtcti3FrontEnd(core, { port: 0, ...opts });
  const { port } = await fe.start();
  endpoint = `${opts.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`;
}

function harness(over: Partial<LinkConfig> = {}): Harness {
  const h = new Harness({
    tenant: 't',
    id: 'ipo',
    vendor: 'avaya-mtcti3',
    endpoint,
    credentials: { username: 'bridge', password: 'bridge-secret' },
    options: { pingIntervalMs: 0, resyncWaitMs: 500 },
    ...over,
  });
  drivers.push(h.driver);
  return h;
}

beforeEach(async () => start());
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  await fe.stop();
  core.dispose();
});

describe('avaya-mtcti3 driver', () => {
  it('fails connect() on bad credentials (the connector backs off)', async () => {
    const h = harness({ credentials: { username: 'bridge', password: 'nope' } });
    const err = await h.driver.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).httpStatus).toBe(401);
  });

  it('lists the Lines directory, watches users and maps a call from both sides', async () => {
    const h = harness();
    await h.driver.connect();
    const { users } = await h.driver.execute({ kind: 'listUsers' });
    expect(users.map((u) => u.id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    await h.driver.watch(
      ['alice', 'bob'].map((id) => ({ target: { type: 'user', id }, families: ['call'] })),
    );
    const { callId, correlationId } = await h.driver.execute({ kind: 'dial', user: 'alice', to: '1002' });
    await h.until(() => h.lines().includes('bob call.received alerting'), 'bob rings');
    const bobCall = (await h.driver.execute({ kind: 'listCalls', user: 'bob' })).calls[0]!;
    expect(bobCall.correlationId).toBe(correlationId);
    await h.driver.execute({ kind: 'answer', user: 'bob', call: bobCall.id });
    await h.until(() => h.lines().filter((l) => l.endsWith('call.answered active')).length === 2, 'answered');
    await h.driver.execute({ kind: 'dtmf', user: 'alice', call: callId, digits: '12#' });
    await expect(
      h.driver.execute({ kind: 'dtmf', user: 'alice', call: callId, digits: 'A' }),
    ).rejects.toMatchObject({ status: 400 });
    await h.driver.execute({ kind: 'release', user: 'alice', call: callId });
    await h.until(
      () => h.lines().filter((l) => l.endsWith('call.released released')).length === 2,
      'released',
    );
    await expect(h.driver.execute({ kind: 'release', user: 'alice', call: callId })).rejects.toMatchObject({
      status: 404,
      vendor: { code: '602' },
    });
  });

  it("gives every subscription of a connection its own subscribe_id: a watch is active at once, never 'in use'", async () => {
    const h = harness();
    await h.driver.connect();
    const spec = (kind: 'user' | 'queue', id: string) => ({
      target: { type: kind, id },
      families: kind === 'user' ? (['call'] as const) : (['queue'] as const),
    });
    await h.driver.watch([spec('user', 'alice'), spec('queue', 'sales')] as any);
    // The first attempt of each is accepted: no refusal, no retry a second later.
    expect(h.driver.watchStatus(spec('user', 'alice') as any)).toEqual({ state: 'active' });
    expect(h.driver.watchStatus(spec('queue', 'sales') as any)).toEqual({ state: 'active' });
    const subs = fe.subscriptions()[0]!.subs;
    expect(subs.map((x) => x.kind).sort()).toEqual(['lines', 'queue', 'user']);
    expect(new Set(subs.map((x) => x.id)).size).toBe(3);
  });

  it('keeps the vendor code when an action is not available in the call state', async () => {
    const h = harness();
    await h.driver.connect();
    await h.driver.watch([{ target: { type: 'user', id: 'bob' }, families: ['call'] }]);
    core.dial('alice@sim.example', '1002');
    await h.until(() => h.lines().includes('bob call.received alerting'), 'bob rings');
    const id = (await h.driver.execute({ kind: 'listCalls', user: 'bob' })).calls[0]!.id;
    const err = await h.driver.execute({ kind: 'hold', user: 'bob', call: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ status: 409, vendor: { name: 'avaya-mtcti3', code: '609' } });
  });

  it('DND and forwarding through UpdateUser; unsupported agent states are 501', async () => {
    const h = harness();
    await h.driver.connect();
    await h.driver.watch([{ target: { type: 'user', id: 'carol' }, families: ['service', 'agent'] }]);
    expect(await h.driver.execute({ kind: 'setDnd', user: 'carol', enabled: true })).toEqual({
      enabled: true,
    });
    expect(core.getUser('carol@sim.example')!.dnd).toBe(true);
    expect(await h.driver.execute({ kind: 'getDnd', user: 'carol' })).toEqual({ enabled: true });
    await h.driver.execute({
      kind: 'setForwarding',
      user: 'carol',
      type: 'no-answer',
      enabled: true,
      to: '1005',
    });
    expect(core.getUser('carol@sim.example')!.forwarding['no-answer']).toMatchObject({
      active: true,
      to: '1005',
    });
    expect(await h.driver.execute({ kind: 'getForwarding', user: 'carol', type: 'busy' })).toEqual({
      enabled: false,
      to: '1005',
    });
    expect(await h.driver.execute({ kind: 'setAgentState', agent: 'carol', state: 'available' })).toEqual({
      state: 'available',
    });
    expect(core.getUser('carol@sim.example')!.agent!.state).toBe('available');
    expect(await h.driver.execute({ kind: 'getAgentState', agent: 'carol' })).toEqual({ state: 'available' });
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: 'carol', state: 'wrap-up' }),
    ).rejects.toBeInstanceOf(NotSupportedError);
    const agentStates = () =>
      h.events
        .filter((e) => e.type === 'agent.state')
        .map((e) => (e.data as { agent: { state: string } }).agent.state);
    await h.until(() => agentStates().includes('available'), 'agent event');
    expect(agentStates()).toEqual(['sign-out', 'available']);
    expect(h.events.filter((e) => e.type === 'service.dnd').map((e) => e.data)).toEqual([
      { user: 'carol', enabled: false },
      { user: 'carol', enabled: true },
    ]);
  });

  it('passes raw Messages through and answers in protobuf JSON', async () => {
    const h = harness();
    await h.driver.connect();
    const v = await h.driver.execute({
      kind: 'raw',
      request: { generalcmd: { requestid: 3000, getversioninfo: {} } },
    });
    expect(v).toEqual({
      status: 200,
      body: {
        result: 0,
        message: { generaldata: { responseid: 3000, versioninfo: 'IP Office 11.1.0.0 build 600' } },
      },
    });
    const bad = await h.driver.execute({
      kind: 'raw',
      request: { subscribecmd: { requestid: 9, subscribe_id: 424242, user: { sac: { set: 1 } } } },
    });
    expect(bad).toEqual({
      status: 200,
      body: {
        result: 101,
        resultName: 'SUBSCRIPTION_INVALID_ID',
        message: { response: { requestid: 9, result: 101 } },
      },
    });
    await expect(
      h.driver.execute({ kind: 'raw', request: { notify: { subscribe_id: 1 } } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      h.driver.execute({ kind: 'raw', request: { generalcmd: { nope: 1 } } }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('after a dropped socket: onDown, reconnect, resubscribe, and resync releases calls that ended meanwhile', async () => {
    const h = harness();
    await h.driver.connect();
    const specs = ['alice', 'bob'].map((id) => ({
      target: { type: 'user' as const, id },
      families: [...EVENT_FAMILIES],
    }));
    await h.driver.watch(specs);
    const caller = core.dial('alice@sim.example', '1002');
    await h.until(() => h.lines().includes('bob call.received alerting'), 'bob rings');
    const stays = core.dial('erin@sim.example', '1001'); // alice gets a second call that survives
    await h.until(
      () => h.lines().filter((l) => l === 'alice call.received alerting').length === 1,
      'alice rings',
    );
    fe.dropConnections();
    await h.until(() => h.downs.length === 1, 'down');
    core.release(caller.id); // ends while the link is down
    const before = h.events.length;
    await h.driver.connect();
    await h.driver.watch(specs);
    await h.driver.resync();
    const after = h.lines().slice(before);
    expect(after.filter((l) => l.includes('call.'))).toEqual([
      'alice call.released released',
      'bob call.released released',
    ]);
    expect(
      h.events
        .slice(before)
        .filter((e) => e.type === 'call.released')
        .every((e) => (e.data as { call: { releaseCause: string } }).call.releaseCause === 'resync'),
    ).toBe(true);
    expect(
      (await h.driver.execute({ kind: 'listCalls', user: 'alice' })).calls.map((c) => c.remote.address),
    ).toEqual(['1005']);
    core.release(stays.id);
    await h.until(
      () => h.lines().filter((l) => l === 'alice call.released released').length === 2,
      'second call released',
    );
  });

  it('speaks /tpkt/openapinoframing with framing: none', async () => {
    const h = harness({ options: { framing: 'none', pingIntervalMs: 0 } });
    await h.driver.connect();
    expect(fe.subscriptions()[0]).toMatchObject({ framed: false, subs: [{ kind: 'lines' }] });
    expect((await h.driver.execute({ kind: 'listUsers' })).users).toHaveLength(5);
  });

  it('connects over TLS (wss) when the simulator has a certificate', async () => {
    const cert = readFileSync(new URL('../../../fixtures/tls/cert.pem', import.meta.url));
    const key = readFileSync(new URL('../../../fixtures/tls/key.pem', import.meta.url));
    await fe.stop();
    await start({ tls: { cert, key } });
    const h = harness({ options: { pingIntervalMs: 0, ca: cert.toString('utf8') } });
    await h.driver.connect();
    expect((await h.driver.execute({ kind: 'listUsers' })).users).toHaveLength(5);
    const untrusted = harness();
    await expect(untrusted.driver.connect()).rejects.toBeInstanceOf(ConnectionError);
  });
});
