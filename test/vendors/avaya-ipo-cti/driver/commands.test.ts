/**
 * Commands on an application link against a scripted one-X peer: each request is answered 202 with an
 * empty body and the command answers once its outcome event arrived (504 otherwise); refusals carry the
 * server's description. Test names carry the rule numbers of the digest's §9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotSupportedError, VendorError } from '../../../../vendors/driver-kit/seam.js';
import { Bed, type Harness, watchUsers } from './helpers.js';
import {
  agentStateResponse,
  cleared,
  correlatorOf,
  delivered,
  dndEvent,
  errorDoc,
  established,
  failedEvent,
  forwardingEvent,
  frame,
  held,
  serviceInitiated,
  type IpoPeer,
  type Recorded,
} from './peer.js';

let bed: Bed;
afterEach(async () => bed.stop());

async function setup(options: Record<string, unknown> = {}): Promise<{ peer: IpoPeer; h: Harness }> {
  bed = new Bed();
  const peer = await bed.peer();
  const h = bed.harness(peer.endpoint, options);
  await h.driver.connect();
  await h.driver.watch(watchUsers(['1001', '1002']));
  return { peer, h };
}

/** An active call `id` of 1001 with 1002, as the mapper learns it from events. */
async function activeCall(peer: IpoPeer, h: Harness, id = 'c1'): Promise<void> {
  peer.send(
    frame([
      { device: '1001', xml: delivered(id, '1001', '1002') },
      { device: '1001', xml: established(id, '1001', '1002') },
    ]),
  );
  await h.until(() => h.driver.mapper.call('1001', id)?.state === 'active', `call ${id} active`);
}

/** The peer answers `path` 202 and then sends `events(request)` on the socket. */
function answerThen(peer: IpoPeer, path: string, events: (r: Recorded) => string[]): void {
  peer.replies.set(path, (r) => {
    setImmediate(() => events(r).forEach((f) => peer.send(f)));
    return { status: 202 };
  });
}

describe('avaya-ipo-cti commands', () => {
  it('rule 12, rule 17: dial sends makeCall with the device, the IP Office as hex and a fresh correlatorData, and answers on the first event naming it', async () => {
    const { peer, h } = await setup();
    answerThen(peer, 'callcontrol/makeCall', (r) => {
      const id = correlatorOf(r.body)!;
      return [
        frame([{ device: '1002', xml: delivered('someone-else', '1002', '1003') }]),
        frame([{ device: '1001', xml: serviceInitiated(id, '1001') }]),
      ];
    });
    const result = await h.driver.execute({ kind: 'dial', user: '1001', to: '1002' });
    const body = peer.to('callcontrol/makeCall')[0]!.body;
    const correlator = correlatorOf(body)!;
    expect(correlator).toMatch(/^[0-9a-f-]{36}$/);
    expect(result).toEqual({ callId: correlator, correlationId: correlator });
    expect(body).toMatch(
      /callingDevice[^>]*switchingSubDomainInformationElements="3132372E302E302E31"[^>]*>1001</,
    );
    expect(body).toMatch(/calledDirectoryNumber[^>]*>1002</);
    expect(body).toContain('doNotPrompt');
    await h.event('call.originated', (e) => e.target.id === '1001');
  });

  it('rule 12: a FailedEvent for the new leg fails dial with 409 and the cause', async () => {
    const { peer, h } = await setup();
    answerThen(peer, 'callcontrol/makeCall', (r) => [
      frame([{ device: '1001', xml: failedEvent(correlatorOf(r.body)!, '1002', 'busy') }]),
    ]);
    const err = await h.driver.execute({ kind: 'dial', user: '1001', to: '1002' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ status: 409, vendor: { code: 'busy' } });
  });

  it('rule 11: hold is 202 with an empty body; the command answers once HeldEvent arrived', async () => {
    const { peer, h } = await setup();
    await activeCall(peer, h);
    let heldAt = 0;
    answerThen(peer, 'callcontrol/holdCall', () => {
      heldAt = Date.now();
      return [frame([{ device: '1001', xml: held('c1', '1001') }])];
    });
    await expect(h.driver.execute({ kind: 'hold', user: '1001', call: 'c1' })).resolves.toEqual({});
    expect(heldAt).toBeGreaterThan(0);
    const req = peer.to('callcontrol/holdCall')[0]!;
    expect(req.body).toMatch(/<ns3:HoldCall[^>]*><ns3:callToBeHeld><ns3:callID>c1<\/ns3:callID>/);
    expect(req.headers['clientsessionid']).toBe(peer.session()!.id);
    expect(h.driver.mapper.call('1001', 'c1')?.state).toBe('held');
  });

  it('504 after outcomeTimeoutMs when the server accepts (202) but no event follows', async () => {
    const { peer, h } = await setup({ outcomeTimeoutMs: 150 });
    await activeCall(peer, h);
    const started = Date.now();
    const err = await h.driver.execute({ kind: 'hold', user: '1001', call: 'c1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 504 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(h.driver.outcomes.pending).toBe(0);
  });

  it('rule 25: 400 <Errors> is a 409 VendorError with the server description (400 for invalid input); rule 11: 500 is 502', async () => {
    const { peer, h } = await setup();
    await activeCall(peer, h);
    peer.replies.set('callcontrol/holdCall', {
      status: 400,
      body: errorDoc('CALL_NOT_HOLDABLE', 'c1', 'the call cannot be held'),
    });
    const refused = await h.driver
      .execute({ kind: 'hold', user: '1001', call: 'c1' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409, vendor: { code: 'CALL_NOT_HOLDABLE', status: 400 } });
    expect((refused as VendorError).message).toContain('the call cannot be held');
    peer.replies.set('callcontrol/holdCall', {
      status: 400,
      body: errorDoc('INVALID_INPUT_XML_DATA', 'callID', 'callID is required'),
    });
    await expect(h.driver.execute({ kind: 'hold', user: '1001', call: 'c1' })).rejects.toMatchObject({
      status: 400,
    });
    peer.replies.set('callcontrol/holdCall', { status: 500 });
    await expect(h.driver.execute({ kind: 'hold', user: '1001', call: 'c1' })).rejects.toMatchObject({
      status: 502,
    });
    expect(h.driver.outcomes.pending).toBe(0);
  });

  it('release waits for ConnectionCleared; unknown calls and devices are 404', async () => {
    const { peer, h } = await setup();
    await activeCall(peer, h);
    answerThen(peer, 'callcontrol/clearConnection', () => [
      frame([{ device: '1001', xml: cleared('c1', '1001') }]),
    ]);
    await expect(h.driver.execute({ kind: 'release', user: '1001', call: 'c1' })).resolves.toEqual({});
    await expect(h.driver.execute({ kind: 'hold', user: '1001', call: 'nope' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(h.driver.execute({ kind: 'dial', user: '9999', to: '1' })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('dtmf sends GenerateDigits and answers on the 202 (the server lists no event for it)', async () => {
    const { peer, h } = await setup();
    await activeCall(peer, h);
    await expect(
      h.driver.execute({ kind: 'dtmf', user: '1001', call: 'c1', digits: '12#' }),
    ).resolves.toEqual({});
    expect(peer.to('callcontrol/generatedtmf')[0]!.body).toMatch(/charactersToSend>12#</);
    await expect(
      h.driver.execute({ kind: 'dtmf', user: '1001', call: 'c1', digits: 'x' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('consultTransfer sends the held call as heldCall and answers once a leg is cleared', async () => {
    const { peer, h } = await setup();
    await activeCall(peer, h, 'x');
    answerThen(peer, 'callcontrol/holdCall', () => [frame([{ device: '1001', xml: held('x', '1001') }])]);
    await h.driver.execute({ kind: 'hold', user: '1001', call: 'x' });
    await activeCall(peer, h, 'y');
    answerThen(peer, 'callcontrol/transferCall', () => [
      frame([{ device: '1001', xml: cleared('x', '1001', 'transfer') }]),
    ]);
    await expect(
      h.driver.execute({ kind: 'consultTransfer', user: '1001', call: 'y', withCall: 'x' }),
    ).resolves.toEqual({});
    expect(peer.to('callcontrol/transferCall')[0]!.body).toMatch(
      /heldCall><ns3:callID>x<.*activeCall><ns3:callID>y</,
    );
  });

  it('rule 22: getAgentState reads the synchronous GetAgentStateResponse; setAgentState is 501', async () => {
    const { peer, h } = await setup();
    peer.replies.set('logicaldevice/getAgentState', {
      status: 200,
      body: agentStateResponse('1001', true, 'agentReady'),
    });
    await expect(h.driver.execute({ kind: 'getAgentState', agent: '1001' })).resolves.toEqual({
      state: 'available',
    });
    peer.replies.set('logicaldevice/getAgentState', {
      status: 200,
      body: agentStateResponse('1001', false, 'agentNull'),
    });
    await expect(h.driver.execute({ kind: 'getAgentState', agent: '1001' })).resolves.toEqual({
      state: 'sign-out',
    });
    await expect(
      h.driver.execute({ kind: 'setAgentState', agent: '1001', state: 'available' }),
    ).rejects.toBeInstanceOf(NotSupportedError);
    await expect(h.driver.execute({ kind: 'listQueueCalls', queue: '2004' })).rejects.toBeInstanceOf(
      NotSupportedError,
    );
  });

  it('rule 22: setDnd / getDnd and setForwarding / getForwarding answer with the DoNotDisturbEvent / ForwardingEvent of the device', async () => {
    const { peer, h } = await setup();
    answerThen(peer, 'logicaldevice/setDoNotDisturb', () => [
      frame([{ device: '1002', xml: dndEvent('1002', false) }]),
      frame([{ device: '1001', xml: dndEvent('1001', true) }]),
    ]);
    await expect(h.driver.execute({ kind: 'setDnd', user: '1001', enabled: true })).resolves.toEqual({
      enabled: true,
    });
    expect(peer.to('logicaldevice/setDoNotDisturb')[0]!.body).toMatch(/doNotDisturbOn>true</);
    answerThen(peer, 'logicaldevice/setForwarding', () => [
      frame([{ device: '1001', xml: forwardingEvent('1001', 'forwardImmediate', true, '555') }]),
    ]);
    await expect(
      h.driver.execute({ kind: 'setForwarding', user: '1001', type: 'always', enabled: true, to: '555' }),
    ).resolves.toEqual({
      enabled: true,
      to: '555',
    });
    expect(peer.to('logicaldevice/setForwarding')[0]!.body).toMatch(
      /forwardingType>forwardImmediate<.*activateForward>true</,
    );
    answerThen(peer, 'logicaldevice/getForwarding', () => [
      frame([
        { device: '1001', xml: forwardingEvent('1001', 'forwardImmediate', true, '555') },
        { device: '1001', xml: forwardingEvent('1001', 'forwardBusy', false) },
      ]),
    ]);
    await expect(h.driver.execute({ kind: 'getForwarding', user: '1001', type: 'busy' })).resolves.toEqual({
      enabled: false,
    });
  });

  it('raw sends {method, path, body} with the session header and answers {status, body}; paths outside /inyama/ are refused', async () => {
    const { peer, h } = await setup();
    peer.replies.set('presence', { status: 200, body: '<presenceStates/>' });
    const r = await h.driver.execute({
      kind: 'raw',
      request: { method: 'GET', path: '/inyama/service/presence' },
    });
    expect(r).toEqual({ status: 200, body: '<presenceStates/>' });
    await expect(
      h.driver.execute({ kind: 'raw', request: { method: 'GET', path: '/etc/passwd' } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
