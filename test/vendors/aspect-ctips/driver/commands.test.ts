/**
 * Commands against the scripted CTIPS: each request acts for the agent logged in at the user's station,
 * carries a fresh RequestId and answers on the event echoing it; 504 when none comes, the fault's text
 * or the failure event's FailureType otherwise; commands CTIPS has no request for are 501.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Call } from '../../../../shared/events/model.js';
import { LinkUnavailableError, NotSupportedError, VendorError } from '../../../../vendors/driver-kit/seam.js';
import { Bed, type Harness } from './helpers.js';
import type { CtipsPeer } from './peer.js';

let bed: Bed;
afterEach(async () => bed.stop());

const call = (id: string, state: Call['state'] = 'active'): Call => ({
  id,
  correlationId: `k${id}`,
  state,
  direction: 'inbound',
  local: { user: '4001' },
  remote: { address: '5550100' },
  startedAt: new Date(0).toISOString(),
});

/** A link up with agent 12 (jdoe) logged in at station 4001, and the mapper knowing calls 7 (active) and 8 (held). */
async function ready(options: Record<string, unknown> = {}): Promise<{ peer: CtipsPeer; h: Harness }> {
  bed = new Bed();
  const peer = await bed.peer({
    snapshot: [
      {
        SnapShotType: 'AgentInfo',
        AgentData: { AgentId: 12, AgentLoginName: 'jdoe', AgentStationAddress: '4001', AgentState: 'Idle' },
      },
    ],
  });
  const h = await bed.harness(peer.url, options);
  await h.driver.connect();
  const calls: Record<string, Call> = { '7': call('7'), '8': call('8', 'held') };
  vi.spyOn(h.driver.mapper, 'call').mockImplementation((_user, id) => calls[id]);
  return { peer, h };
}

const last = (peer: CtipsPeer, op: string) => peer.requests.filter((r) => r.op === op).at(-1)!.fields;

describe('aspect-ctips commands', () => {
  it('hold: HoldCall for the station agent, answered on CallHeld echoing the RequestId', async () => {
    const { peer, h } = await ready();
    peer.on('HoldCall', (f) => ({
      events: [{ EventType: 'CallHeld', RequestId: f['RequestId'], CallId: f['CallId'], AgentId: 12 }],
    }));
    await expect(h.driver.execute({ kind: 'hold', user: '4001', call: '7' })).resolves.toEqual({});
    expect(last(peer, 'HoldCall')).toMatchObject({
      AgentId: '12',
      CallId: '7',
      SessionId: peer.sessionId,
      TenantId: '1',
    });
  });

  it('dial: MakeCall(CallId -1, External) answered with the CallId of the CallOriginated echoing the RequestId', async () => {
    const { peer, h } = await ready();
    peer.on('MakeCall', (f) => ({
      events: [{ EventType: 'CallOriginated', RequestId: f['RequestId'], CallId: 77, AgentId: 12 }],
    }));
    const r = await h.driver.execute({ kind: 'dial', user: '4001', to: '5550123' });
    expect(r.callId).toBe('77');
    expect(last(peer, 'MakeCall')).toMatchObject({
      CallId: '-1',
      DestinationType: 'External',
      DestinationAddress: '5550123',
    });
  });

  it('conference and consult transfer: the held call is CallId, the other ConsultationCallId', async () => {
    const { peer, h } = await ready();
    peer.on('ConferenceCall', (f) => ({
      events: [{ EventType: 'CallConferenced', RequestId: f['RequestId'], CallId: 8 }],
    }));
    peer.on('TransferCall', (f) => ({
      events: [{ EventType: 'CallTransferred', RequestId: f['RequestId'], CallId: 8 }],
    }));
    await h.driver.execute({ kind: 'conference', user: '4001', call: '7', withCall: '8' });
    expect(last(peer, 'ConferenceCall')).toMatchObject({ CallId: '8', ConsultationCallId: '7' });
    await h.driver.execute({ kind: 'consultTransfer', user: '4001', call: '8', withCall: '7' });
    expect(last(peer, 'TransferCall')).toMatchObject({
      CallId: '8',
      ConsultationCallId: '7',
      TransferType: 'Consultation',
    });
  });

  it('no outcome event within outcomeTimeoutMs: 504', async () => {
    const { h } = await ready({ outcomeTimeoutMs: 200 });
    const err = await h.driver
      .execute({ kind: 'retrieve', user: '4001', call: '8' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).status).toBe(504);
  });

  it('a SOAP fault is a VendorError with its text; CallRequestFailed with its FailureType', async () => {
    const { peer, h } = await ready();
    peer.on('ClearCall', () => ({ fault: 'Invalid CallId' }));
    const fault = (await h.driver
      .execute({ kind: 'release', user: '4001', call: '7' })
      .catch((e: unknown) => e)) as VendorError;
    expect(fault).toBeInstanceOf(VendorError);
    expect(fault.vendor.text).toBe('Invalid CallId');
    expect(fault.status).toBe(409);
    peer.on('HoldCall', (f) => ({
      events: [
        {
          EventType: 'CallRequestFailed',
          RequestId: f['RequestId'],
          CallId: 7,
          FailureType: 'InvalidStateForRequest',
          FailureReason: 'not now',
        },
      ],
    }));
    const failed = (await h.driver
      .execute({ kind: 'hold', user: '4001', call: '7' })
      .catch((e: unknown) => e)) as VendorError;
    expect(failed.status).toBe(409);
    expect(failed.vendor.code).toBe('InvalidStateForRequest');
    expect(h.driver.state).toBe('up');
  });

  it('a fault saying the session is gone takes the link down (503 for the command)', async () => {
    const { peer, h } = await ready();
    peer.on('HoldCall', () => ({ fault: 'Invalid SessionId' }));
    await expect(h.driver.execute({ kind: 'hold', user: '4001', call: '7' })).rejects.toBeInstanceOf(
      LinkUnavailableError,
    );
    expect(h.downs[0]).toMatch(/Invalid SessionId/);
    expect(h.driver.state).toBe('down');
  });

  it('agents: sign-in is LoginAgent at the station, available SetAgentState(Idle), getAgentState GetAgentState', async () => {
    const { peer, h } = await ready({ agentStations: { asmith: '4002' } });
    peer.on('LoginAgent', (f) => ({
      events: [
        {
          EventType: 'AgentLoginStateChange',
          RequestId: f['RequestId'],
          AgentId: 13,
          AgentLoginName: 'asmith',
          AgentStationAddress: '4002',
          LoginState: 'AgentLoggedIn',
        },
      ],
    }));
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: 'asmith', state: 'sign-in' }),
    ).resolves.toEqual({ state: 'sign-in' });
    expect(last(peer, 'LoginAgent')).toMatchObject({
      AgentLoginName: 'asmith',
      StationId: '4002',
      InitialState: 'NotReady',
    });
    peer.on('SetAgentState', (f) => ({
      events: [{ EventType: 'AgentStateChange', RequestId: f['RequestId'], AgentId: 13, AgentState: 'Idle' }],
    }));
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: '4002', state: 'available' }),
    ).resolves.toMatchObject({ state: 'available' });
    expect(last(peer, 'SetAgentState')).toMatchObject({ AgentId: '13', NewState: 'Idle' });
    peer.on('GetAgentState', (f) => ({
      events: [
        { EventType: 'AgentStateChange', RequestId: f['RequestId'], AgentId: 12, AgentState: 'NotReady' },
      ],
    }));
    await expect(h.driver.execute({ kind: 'getAgentState', agent: 'jdoe' })).resolves.toMatchObject({
      state: 'unavailable',
    });
    await expect(h.driver.execute({ kind: 'getAgentState', agent: 'nobody' })).resolves.toEqual({
      state: 'sign-out',
    });
  });

  it('tagDisposition is SetDisposition; dnd is not supported (501); raw sends one operation', async () => {
    const { peer, h } = await ready();
    peer.on('SetDisposition', (f) => ({
      events: [{ EventType: 'AgentStateChange', RequestId: f['RequestId'], AgentId: 12, AgentState: 'Idle' }],
    }));
    await h.driver.execute({ kind: 'tagDisposition', user: '4001', call: '7', code: '4' });
    expect(last(peer, 'SetDisposition')).toMatchObject({ DispositionId: '4', CallId: '7', AgentId: '12' });
    await expect(h.driver.execute({ kind: 'setDnd', user: '4001', enabled: true })).rejects.toBeInstanceOf(
      NotSupportedError,
    );
    const raw = await h.driver.execute({
      kind: 'raw',
      request: { operation: 'GetCallData', body: { AgentId: 12, CallId: 7 } },
    });
    expect(raw).toEqual({ status: 200, body: '0' });
    expect(last(peer, 'GetCallData')).toMatchObject({
      AgentId: '12',
      CallId: '7',
      SessionId: peer.sessionId,
    });
    await expect(
      h.driver.execute({ kind: 'raw', request: { operation: 'CloseConnection' } }),
    ).rejects.toThrow(/driver's own/);
  });

  it('a station without an agent: 409; a RouteRequest left alone gets RouteSelect(RouteToDefault) after routeDeadlineMs', async () => {
    const { peer, h } = await ready({ routeDeadlineMs: 50 });
    const err = (await h.driver
      .execute({ kind: 'hold', user: '4999', call: '7' })
      .catch((e: unknown) => e)) as VendorError;
    expect(err.status).toBe(409);
    await peer.publish({ EventType: 'RouteRequest', CallId: 9, RouteTimeout: 10 });
    await peer.until(() => peer.ops().includes('RouteSelect'), 'RouteSelect');
    expect(last(peer, 'RouteSelect')).toMatchObject({ CallId: '9', RouteActionType: 'RouteToDefault' });
  });
});
