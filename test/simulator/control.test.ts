import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(sim!.controlUrl + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

describe('control API', () => {
  it('lists the seed directory and drives a call as the phones', async () => {
    sim = await startSimulator();
    const users = await call('GET', '/users');
    expect(users.json.map((u: { userId: string }) => u.userId)).toEqual([
      'alice@sim.example',
      'bob@sim.example',
      'carol@sim.example',
      'dave@sim.example',
      'erin@sim.example',
    ]);
    const placed = await call('POST', '/calls', { from: '+15550100', to: '1001' });
    expect(placed.status).toBe(201);
    const alice = (await call('GET', '/calls')).json.find(
      (l: { userId?: string }) => l.userId === 'alice@sim.example',
    );
    expect(alice.state).toBe('alerting');
    expect((await call('POST', `/calls/${alice.id}/hold`)).status).toBe(409);
    expect((await call('POST', `/calls/${alice.id}/answer`)).json.state).toBe('active');
    expect((await call('POST', `/calls/${alice.id}/dtmf`, { digits: '42' })).status).toBe(200);
    expect((await call('POST', `/calls/nope/answer`)).status).toBe(404);
    expect((await call('PUT', '/users/bob@sim.example/dnd', { enabled: true })).json.dnd).toBe(true);
    expect(
      (await call('PUT', '/users/carol@sim.example/agent-state', { state: 'available' })).json.agent.state,
    ).toBe('available');
    expect((await call('PUT', '/users/1002/forwarding', { type: 'always', enabled: true })).status).toBe(409);
    const state = await call('GET', '/state');
    expect(state.json.broadworks.connections).toBe(0);
    expect((await call('POST', '/faults/broadworks/stop')).json.listening).toBe(false);
    expect((await call('POST', '/faults/broadworks/start')).json.listening).toBe(true);
  });
});
