/**
 * The driver against the simulator's IP Office front-end (real HTTP and WebSocket): an application link
 * logs in, dials, answers, holds and releases through the server's events, and device users log in on
 * their own. Test names carry the rule numbers of the digest's §9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PbxCore } from '../../../../simulator/core/index.js';
import { defaultDirectory } from '../../../../simulator/directory.js';
import { IpoCtiFrontEnd } from '../../../../vendors/avaya-ipo-cti/simulator/index.js';
import { Bed, watchUsers } from './helpers.js';

const ADMIN = { username: 'bridge', password: 'bridge-secret', admin: true };

let bed: Bed;
let core: PbxCore | undefined;
let fe: IpoCtiFrontEnd | undefined;
afterEach(async () => {
  await bed.stop();
  await fe?.stop();
  core?.dispose();
  fe = undefined;
  core = undefined;
});

async function sim(): Promise<string> {
  bed = new Bed();
  core = new PbxCore(defaultDirectory());
  fe = new IpoCtiFrontEnd(core, { host: '127.0.0.1', port: 0, credentials: [ADMIN] });
  const { port } = await fe.start();
  return `http://127.0.0.1:${port}`;
}

describe('avaya-ipo-cti driver against the simulator', () => {
  it('rule 11, rule 12: an application link dials (answered with the correlator callID), the callee answers, holds and releases', async () => {
    const endpoint = await sim();
    const h = bed.harness(endpoint, {}, { username: ADMIN.username, password: ADMIN.password });
    await h.driver.connect();
    await h.driver.watch(watchUsers(['1001', '1002']));
    const users = await h.driver.execute({ kind: 'listUsers' });
    expect(users.users.map((u) => u.id)).toEqual(expect.arrayContaining(['1001', '1002']));
    const dialled = await h.driver.execute({ kind: 'dial', user: '1001', to: '1002' });
    expect(dialled.callId).toBe(dialled.correlationId);
    const ringing = await h.event('call.received', (e) => e.target.id === '1002');
    const theirs = (ringing.data as { call: { id: string } }).call.id;
    await h.driver.execute({ kind: 'answer', user: '1002', call: theirs });
    await h.until(() => h.driver.mapper.call('1001', dialled.callId)?.state === 'active', 'caller active');
    await h.driver.execute({ kind: 'hold', user: '1001', call: dialled.callId });
    expect(h.driver.mapper.call('1001', dialled.callId)?.state).toBe('held');
    await h.driver.execute({ kind: 'release', user: '1001', call: dialled.callId });
    await h.event('call.released', (e) => e.target.id === '1002');
    expect(h.garbage).toEqual([]);
  });

  it('rule 1: device users log in on their own sessions and dial', async () => {
    const endpoint = await sim();
    const h = bed.harness(endpoint, { user: 'device' }, { username: '', password: '' });
    await h.driver.connect();
    await h.driver.watch(watchUsers(['alice']));
    await h.login('alice', ADMIN.password);
    const dialled = await h.driver.execute({ kind: 'dial', user: 'alice', to: '1002' });
    const calls = await h.driver.execute({ kind: 'listCalls', user: 'alice' });
    expect(calls.calls.map((c) => c.id)).toContain(dialled.callId);
    await h.event('call.originated', (e) => e.target.id === 'alice');
  });
});
