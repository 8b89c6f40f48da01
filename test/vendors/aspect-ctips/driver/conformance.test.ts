/**
 * The conformance checks of the digest (§13) that are about the client, i.e. the driver, against the
 * scripted CTIPS (peer.ts). §13.9 (recovery order) is in link.test.ts; the rest of §13 is about the
 * server and runs against the simulator (../simulator.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bed } from './helpers.js';

let bed: Bed;
afterEach(async () => bed.stop());

describe('aspect-ctips driver conformance (digest §13)', () => {
  it('§13.14 (client) each request carries a fresh RequestId; a command completes on the event echoing it, never on an unsolicited one (0) or another request’s', async () => {
    bed = new Bed();
    const peer = await bed.peer({
      snapshot: [
        {
          SnapShotType: 'AgentInfo',
          AgentData: { AgentId: 12, AgentLoginName: 'jdoe', AgentStationAddress: '4001', AgentState: 'Idle' },
        },
      ],
    });
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    const agentState = (RequestId: unknown, AgentState: string) => ({
      EventType: 'AgentStateChange',
      RequestId,
      AgentId: 12,
      AgentState,
    });
    // before the echo: the same event unsolicited (RequestId 0, L1143) and echoing another request
    peer.on('SetAgentState', (f) => ({
      events: [
        agentState(0, 'Wrap'),
        agentState(Number(f['RequestId']) + 1000, 'NotReadyPark'),
        agentState(f['RequestId'], 'NotReady'),
      ],
    }));
    peer.on('GetAgentState', (f) => ({
      events: [agentState(0, 'Active'), agentState(f['RequestId'], 'Idle')],
    }));
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: 'jdoe', state: 'unavailable' }),
    ).resolves.toMatchObject({ state: 'unavailable', reason: 'NotReady' });
    await expect(h.driver.execute({ kind: 'getAgentState', agent: '4001' })).resolves.toMatchObject({
      state: 'available',
      reason: 'Idle',
    });
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: 'jdoe', state: 'unavailable' }),
    ).resolves.toMatchObject({ reason: 'NotReady' });
    const ids = peer.requests
      .filter((r) => r.op === 'SetAgentState' || r.op === 'GetAgentState')
      .map((r) => Number(r.fields['RequestId']));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toBeGreaterThan(0);
    // session requests carry no RequestId (digest §3)
    for (const op of ['OpenConnection', 'AddMessageClass', 'OnLine', 'Snapshot'])
      expect(peer.requests.find((r) => r.op === op)!.fields['RequestId']).toBeUndefined();
  });
});
