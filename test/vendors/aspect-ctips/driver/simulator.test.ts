/**
 * The driver against the simulator's CTIPS front-end (real HTTP both ways): the start-up sequence, an
 * agent signed in to its station through LoginAgent, and a call dialled and released through the events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PbxCore } from '../../../../simulator/core/index.js';
import { defaultDirectory } from '../../../../simulator/directory.js';
import { CtipsFrontEnd, CTIPS_SERVICE_PATH } from '../../../../vendors/aspect-ctips/simulator/index.js';
import { Bed, PW, watchUsers } from './helpers.js';

let bed: Bed;
let core: PbxCore | undefined;
let fe: CtipsFrontEnd | undefined;
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
  fe = new CtipsFrontEnd(core, {
    host: '127.0.0.1',
    port: 0,
    credentials: [{ username: 'bridge', password: PW, admin: true }],
  });
  const { port } = await fe.start();
  return `http://127.0.0.1:${port}${CTIPS_SERVICE_PATH}`;
}

describe('aspect-ctips driver against the simulator', () => {
  it('connects, signs an agent in at its station, dials, is refused a hold while alerting, releases', async () => {
    const endpoint = await sim();
    const h = await bed.harness(endpoint, { agentStations: { alice: '1001' } });
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    await h.driver.watch(watchUsers(['1001', '1002']));
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: 'alice', state: 'sign-in' }),
    ).resolves.toEqual({
      state: 'sign-in',
    });
    expect(h.driver.agents.atStation('1001')).toBeDefined();
    const dialled = await h.driver.execute({ kind: 'dial', user: '1001', to: '1002' });
    expect(dialled.callId).toMatch(/^\d+$/);
    await h.until(() => h.driver.mapper.call('1001', dialled.callId), 'the dialled call in the mapper');
    // still alerting at the far end: the simulator refuses a hold (CallRequestFailed), a clear works
    await expect(
      h.driver.execute({ kind: 'hold', user: '1001', call: dialled.callId }),
    ).rejects.toMatchObject({
      status: 409,
      vendor: { code: 'InvalidStateForRequest' },
    });
    await h.driver.execute({ kind: 'release', user: '1001', call: dialled.callId });
    await h.until(
      () => h.events.find((e) => e.type === 'call.released' && e.target.id === '1001'),
      'call.released for 1001',
    );
    expect(h.garbage).toEqual([]);
  });
});
