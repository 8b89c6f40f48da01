/**
 * The avaya-ipo-cti simulator front-end over real HTTP and WebSocket: sessions, heartbeats, keepalive,
 * call control with its CSTA events, device services, errors, HA and hygiene. Tests are named after the
 * conformance rules of the protocol digest (§9) they cover.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import simVendor from '../../../vendors/avaya-ipo-cti/simulator/index.js';
import {
  buildAnswerCall,
  buildClearConnection,
  buildConferenceCall,
  buildConsultationCall,
  buildGetAgentState,
  buildHoldCall,
  buildMakeCall,
  buildRetrieveCall,
  buildSetDoNotDisturb,
  buildSetForwarding,
  buildTransferCall,
  callIdOf,
  child,
  childrenOf,
  deviceOf,
  hexStringOf,
  parseErrors,
  parseGetAgentStateResponse,
  parseHaSwitchEvent,
  parseLogoutEvent,
  readAdditionalInfo,
  textOf,
  type WireEvent,
} from '../../../vendors/avaya-ipo-cti/wire/index.js';
import { connect, EventSocket, login, request, startIpoSim, type Sim } from './simulator-client.js';

let sim: Sim | undefined;
const sockets: EventSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await sim?.stop();
  sim = undefined;
});

async function open(s: Sim, user: string, opts: Parameters<typeof connect>[2] = {}) {
  const c = await connect(s, user, opts);
  sockets.push(c.socket);
  return c;
}

const post = (s: Sim, session: string, path: string, body: string) =>
  request(s, 'POST', path, { session, body });
const callId = (e: WireEvent, role: string) => callIdOf(e.node, role);

/** alice (1001) calls bob (1002) with correlatorData `corr`; bob answers through the application user. */
async function establishedCall(
  s: Sim,
  app: { id: string; socket: EventSocket },
  alice: { id: string; socket: EventSocket },
  to = '1002',
) {
  const corr = randomUUID();
  const from = alice.socket.events.length;
  expect(
    (
      await post(
        s,
        alice.id,
        'callcontrol/makeCall',
        buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: to, correlatorData: corr }),
      )
    ).status,
  ).toBe(202);
  const ringing = await app.socket.next((e) => e.name === 'DeliveredEvent' && e.device === to);
  const theirs = callId(ringing, 'connection')!;
  expect((await post(s, app.id, 'callcontrol/answerCall', buildAnswerCall({ callID: theirs }))).status).toBe(
    202,
  );
  await alice.socket.next(
    (e) => e.name === 'EstablishedEvent' && callId(e, 'establishedConnection') === corr,
    from,
  );
  return { corr, theirs };
}

describe('avaya-ipo-cti simulator: sessions', () => {
  it('rule 1 and rule 3: application and device logins, a new id each time, the WebSocket URL', async () => {
    sim = await startIpoSim({ timezone: '+5:30' });
    const app = await login(sim, 'bridge');
    expect(app.status).toBe(200);
    expect(app.response?.kind).toBe('application');
    if (app.response?.kind !== 'application') return;
    expect(app.response.loginFailureCode).toBe('NONE');
    expect(app.response.ipOfficeTimezone).toBe('+5:30');
    expect(app.response.ipOfficeTimestamp).toBeGreaterThan(0);
    expect(app.response.devices.find((d) => d.userExtension === '1003')).toMatchObject({
      deviceCategory: 'STATION',
      userName: 'carol',
      fullName: 'Carol Clark',
    });
    expect(app.response.devices.find((d) => d.userExtension === '2001')).toMatchObject({
      deviceCategory: 'GROUP',
      members: [{ username: 'carol' }, { username: 'dave' }],
    });
    expect(app.response.webSocketWsUrl).toBe(
      `ws://${new URL(sim.url).host}/inyama/openapiwebsocket/${app.response.clientSessionID}`,
    );
    const alice = await login(sim, 'alice', { applicationName: 'a' });
    const again = await login(sim, 'alice', { applicationName: 'b' });
    expect(alice.response).toMatchObject({
      kind: 'device',
      userName: 'alice',
      userExtension: '1001',
      userSwitchDevice: '127.0.0.1',
      loginFailureCode: 'NONE',
    });
    expect(alice.response?.clientSessionID).not.toBe(again.response?.clientSessionID);
    expect(alice.response?.webSocketWssUrl).toMatch(/^wss:\/\/.*\/inyama\/openapiwebsocket\//);
  });

  it('rule 2: bad credentials are 401, a starting server 503 with Retry-After', async () => {
    sim = await startIpoSim({ starting: true });
    const starting = await login(sim, 'alice');
    expect(starting.status).toBe(503);
    expect(starting.headers.get('retry-after')).toBe('5');
    expect(starting.response?.loginFailureCode).toBe('SYSTEM_STARTUP_IN_PROGRESS');
    await sim.fe.fault('POST', 'starting', { on: false });
    const bad = await login(sim, 'alice', { password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.response?.loginFailureCode).toBe('INVALID_CREDENTIALS');
    expect((await login(sim, 'nobody')).status).toBe(401);
    expect((await login(sim, 'bridge', { password: 'nope' })).status).toBe(401);
    expect((await login(sim, 'alice')).status).toBe(200);
  });

  it('rule 4: requests and WebSockets without a valid ClientSessionId are 401, checked before the body', async () => {
    sim = await startIpoSim({ maxBodyBytes: 1000 });
    expect((await request(sim, 'POST', 'session/heartbeat')).status).toBe(401);
    expect((await request(sim, 'POST', 'session/heartbeat', { session: 'nope' })).status).toBe(401);
    const huge = await request(sim, 'POST', 'callcontrol/holdCall', { body: 'x'.repeat(5000) });
    expect(huge.status).toBe(401);
    expect(parseErrors(huge.body)?.[0]?.code).toBe('UNAUTHORIZED');
    await expect(
      EventSocket.open(`${sim.url.replace('http', 'ws')}/inyama/openapiwebsocket/nope`),
    ).rejects.toThrow(/401/);
    const { response } = await login(sim, 'alice');
    const big = await request(sim, 'POST', 'callcontrol/holdCall', {
      session: response!.clientSessionID,
      body: 'x'.repeat(5000),
    });
    expect(big.status).toBe(413);
  });

  it('rule 5: logout is 200 and the same user on another client keeps receiving events', async () => {
    sim = await startIpoSim();
    const a = await open(sim, 'alice', { applicationName: 'one' });
    const b = await open(sim, 'alice', { applicationName: 'two' });
    expect((await request(sim, 'DELETE', 'session', { session: a.id })).status).toBe(200);
    expect((await request(sim, 'DELETE', 'session', { session: a.id })).status).toBe(401);
    await a.socket.closed;
    sim.core.setDnd('alice@sim.example', true);
    const dnd = await b.socket.named('DoNotDisturbEvent');
    expect(textOf(dnd.node, 'doNotDisturbOn')).toBe('true');
  });

  it('rule 6: a second login from the same client ends the older session with logoutEvent', async () => {
    sim = await startIpoSim();
    const old = await open(sim, 'alice', { applicationName: 'crm', eventTypes: ['LogoutEvents'] });
    const fresh = await login(sim, 'alice', { applicationName: 'crm' });
    expect(fresh.status).toBe(200);
    const ev = await old.socket.named('logoutEvent');
    expect(parseLogoutEvent(ev.node).logoutReason).toBe('LOGIN_DIFFERENT_LOCATION');
    await old.socket.closed;
    expect((await request(sim, 'POST', 'session/heartbeat', { session: old.id })).status).toBe(401);
  });

  it('rule 7, rule 8 and rule 9: heartbeat 202; a silent device user gets no events, then is logged out; the application user never expires', async () => {
    sim = await startIpoSim({ heartbeatDeactivateMs: 150, heartbeatLogoutMs: 600 });
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    expect((await request(sim, 'POST', 'session/heartbeat', { session: alice.id })).status).toBe(202);
    await vi.waitFor(() => expect(sim!.fe.sessions.get(alice.id)?.phase.state).toBe('inactive'), {
      timeout: 2000,
    });
    sim.core.setDnd('alice@sim.example', true);
    await app.socket.next((e) => e.name === 'DoNotDisturbEvent' && e.device === '1001');
    expect(alice.socket.events.filter((e) => e.name === 'DoNotDisturbEvent')).toHaveLength(0);
    expect((await request(sim, 'POST', 'session/heartbeat', { session: alice.id })).status).toBe(202);
    sim.core.setDnd('alice@sim.example', false);
    await alice.socket.named('DoNotDisturbEvent');
    await alice.socket.closed; // no more heartbeats: logged out
    expect((await request(sim, 'POST', 'session/heartbeat', { session: alice.id })).status).toBe(401);
    expect((await request(sim, 'POST', 'session/heartbeat', { session: app.id })).status).toBe(202);
    expect(sim.fe.sessions.get(app.id)?.phase.state).toBe('active');
  });

  it('rule 10: a WebSocket opened with clientName and clientVersion is closed after client silence; text keeps it open', async () => {
    sim = await startIpoSim({ wsKeepaliveMs: 200 });
    const silent = await open(sim, 'alice', {
      applicationName: 'silent',
      query: '?clientName=t&clientVersion=1',
    });
    const chatty = await open(sim, 'alice', {
      applicationName: 'chatty',
      query: '?clientName=t&clientVersion=1',
    });
    const plain = await open(sim, 'alice', { applicationName: 'plain' });
    const ping = setInterval(() => chatty.socket.ws.send('ping'), 50);
    try {
      const closed = await silent.socket.closed;
      expect(closed.code).toBe(4408);
      await new Promise((r) => setTimeout(r, 250)); // longer than the keepalive, while chatty keeps talking
      expect(chatty.socket.ws.readyState).toBe(chatty.socket.ws.OPEN);
      expect(plain.socket.ws.readyState).toBe(plain.socket.ws.OPEN);
    } finally {
      clearInterval(ping);
    }
  });
});

describe('avaya-ipo-cti simulator: call control', () => {
  it('rule 11 and rule 12: makeCall is 202 with an empty body; Originated, Delivered, Established carry the correlatorData as callID', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const corr = randomUUID();
    const r = await post(
      sim,
      alice.id,
      'callcontrol/makeCall',
      buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '1002', correlatorData: corr }),
    );
    expect(r).toMatchObject({ status: 202, body: '' });
    const originated = await alice.socket.named('OriginatedEvent');
    expect(callId(originated, 'originatedConnection')).toBe(corr);
    const delivered = await alice.socket.named('DeliveredEvent');
    expect(callId(delivered, 'connection')).toBe(corr);
    expect(deviceOf(delivered.node, 'alertingDevice')).toEqual({ number: '1002', switchIp: '127.0.0.1' });
    const bobRinging = await app.socket.next((e) => e.name === 'DeliveredEvent' && e.device === '1002');
    expect(callId(bobRinging, 'connection')).not.toBe(corr);
    await post(
      sim,
      app.id,
      'callcontrol/answerCall',
      buildAnswerCall({ callID: callId(bobRinging, 'connection')! }),
    );
    const established = await alice.socket.named('EstablishedEvent');
    expect(callId(established, 'establishedConnection')).toBe(corr);
    expect(deviceOf(established.node, 'answeringDevice')?.number).toBe('1002');
    const info = readAdditionalInfo(established.node);
    expect(info.find((i) => i.intValue === 6)?.content?.attrs.timestamp).toMatch(/^\d+$/);
    const order = alice.socket.events.map((e) => e.name).filter((n) => n !== 'HookswitchEvent');
    expect(order.slice(0, 4)).toEqual([
      'ServiceInitiatedEvent',
      'OriginatedEvent',
      'DeliveredEvent',
      'EstablishedEvent',
    ]);
  });

  it('rule 12: a makeCall that cannot reach its destination yields Failed, then ConnectionCleared; correlatorData must be unique', async () => {
    sim = await startIpoSim();
    const alice = await open(sim, 'alice');
    sim.core.setDnd('bob@sim.example', true);
    const corr = randomUUID();
    const make = () =>
      post(
        sim!,
        alice.id,
        'callcontrol/makeCall',
        buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '1002', correlatorData: corr }),
      );
    expect((await make()).status).toBe(202);
    const failed = await alice.socket.named('FailedEvent');
    expect(callId(failed, 'failedConnection')).toBe(corr);
    expect(textOf(failed.node, 'cause')).toBe('busy');
    const cleared = await alice.socket.named('ConnectionClearedEvent');
    expect(callId(cleared, 'droppedConnection')).toBe(corr);
    const again = await make();
    expect(again.status).toBe(400);
    expect(parseErrors(again.body)?.[0]?.errorValue).toBe('correlatorData');
    const nowhere = randomUUID();
    await post(
      sim,
      alice.id,
      'callcontrol/makeCall',
      buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '99', correlatorData: nowhere }),
    );
    const f2 = await alice.socket.next(
      (e) => e.name === 'FailedEvent' && callId(e, 'failedConnection') === nowhere,
    );
    expect(textOf(f2.node, 'cause')).toBe('destNotObtainable');
  });

  it('rule 13: device-user frames are bare; application-user frames wrap each event, several per frame', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    await post(
      sim,
      alice.id,
      'callcontrol/makeCall',
      buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '1002', correlatorData: randomUUID() }),
    );
    await app.socket.next((e) => e.name === 'DeliveredEvent' && e.device === '1002');
    expect(alice.socket.events.every((e) => e.device === undefined)).toBe(true);
    expect(app.socket.events.every((e) => /^\d+$/.test(e.device ?? ''))).toBe(true);
    const both = app.socket.frames.find((f) => new Set(f.map((e) => e.device)).size > 1);
    expect(both?.map((e) => [e.device, e.name])).toEqual(
      expect.arrayContaining([
        ['1001', 'DeliveredEvent'],
        ['1002', 'DeliveredEvent'],
      ]),
    );
  });

  it('hold and retrieve report Held and Retrieved on the callID', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const { corr } = await establishedCall(sim, app, alice);
    expect((await post(sim, alice.id, 'callcontrol/holdCall', buildHoldCall({ callID: corr }))).status).toBe(
      202,
    );
    const held = await alice.socket.named('HeldEvent');
    expect(callId(held, 'heldConnection')).toBe(corr);
    expect(hexStringOf(held.node, 'correlatorData')).toBe(corr);
    expect(
      (await post(sim, alice.id, 'callcontrol/retrieveCall', buildRetrieveCall({ callID: corr }))).status,
    ).toBe(202);
    const retrieved = await alice.socket.named('RetrievedEvent');
    expect(callId(retrieved, 'retrievedConnection')).toBe(corr);
  });

  it('consultation then transfer: the consulted leg takes the correlatorData, the transferring device is cleared', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const { corr } = await establishedCall(sim, app, alice);
    const consult = randomUUID();
    const from = app.socket.events.length;
    expect(
      (
        await post(
          sim,
          alice.id,
          'callcontrol/consultationCall',
          buildConsultationCall({ existingCall: corr, consultedDevice: '1003', correlatorData: consult }),
        )
      ).status,
    ).toBe(202);
    expect(callId(await alice.socket.named('HeldEvent'), 'heldConnection')).toBe(corr);
    const carol = await app.socket.next((e) => e.name === 'DeliveredEvent' && e.device === '1003', from);
    await post(
      sim,
      app.id,
      'callcontrol/answerCall',
      buildAnswerCall({ callID: callId(carol, 'connection')! }),
    );
    await alice.socket.next(
      (e) => e.name === 'EstablishedEvent' && callId(e, 'establishedConnection') === consult,
    );
    const mark = alice.socket.events.length;
    expect(
      (
        await post(
          sim,
          alice.id,
          'callcontrol/transferCall',
          buildTransferCall({ heldCall: corr, activeCall: consult }),
        )
      ).status,
    ).toBe(202);
    const transferred = await alice.socket.named('TransferedEvent', mark);
    expect(callId(transferred, 'primaryOldCall')).toBe(corr);
    expect(callId(transferred, 'secondaryOldCall')).toBe(consult);
    const cleared = await alice.socket.next(
      (e) => e.name === 'ConnectionClearedEvent' && callId(e, 'droppedConnection') === consult,
      mark,
    );
    expect(textOf(cleared.node, 'cause')).toBe('transfer');
    const bobNow = await app.socket.next(
      (e) =>
        e.name === 'EstablishedEvent' &&
        e.device === '1002' &&
        deviceOf(e.node, 'answeringDevice')?.number === '1003',
      from,
    );
    expect(bobNow).toBeDefined();
  });

  it('rule 14, rule 15 and rule 16: conference events once with device="conference"; a dropped participant leaves with flowDirection none, then the end', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const bob = await open(sim, 'bob');
    const { corr } = await establishedCall(sim, app, alice);
    const consult = randomUUID();
    await post(
      sim,
      alice.id,
      'callcontrol/consultationCall',
      buildConsultationCall({ existingCall: corr, consultedDevice: '1003', correlatorData: consult }),
    );
    const carol = await app.socket.next((e) => e.name === 'DeliveredEvent' && e.device === '1003');
    await post(
      sim,
      app.id,
      'callcontrol/answerCall',
      buildAnswerCall({ callID: callId(carol, 'connection')! }),
    );
    await alice.socket.next(
      (e) => e.name === 'EstablishedEvent' && callId(e, 'establishedConnection') === consult,
    );
    expect(
      (
        await post(
          sim,
          alice.id,
          'callcontrol/conferenceCall',
          buildConferenceCall({ heldCall: corr, activeCall: consult }),
        )
      ).status,
    ).toBe(202);
    const conf = await app.socket.named('ConferencedEvent');
    expect(conf.device).toBe('conference');
    expect(hexStringOf(conf.node, 'correlatorData')).toBe(consult);
    const items = childrenOf(child(conf.node, 'conferenceConnections'), 'connectionListItem');
    expect(items.map((i) => textOf(i, 'endpoint', 'deviceID')).sort()).toEqual(['1001', '1002', '1003']);
    await bob.socket.named('ConferencedEvent'); // each participant's device user gets it bare
    expect((await alice.socket.named('ConferencedEvent')).device).toBeUndefined();
    const bobItem = items.find((i) => textOf(i, 'endpoint', 'deviceID') === '1002')!;
    const participantId = textOf(bobItem, 'newConnection', 'callID')!;
    expect(participantId).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const r = await post(
      sim,
      alice.id,
      'callcontrol/clearConnection',
      buildClearConnection({ callID: participantId, correlatorData: consult, reason: 'conference' }),
    );
    expect(r.status).toBe(202);
    const ended = await app.socket.next(
      (e) => e.name === 'ConferencedEvent' && !child(e.node, 'conferenceConnections'),
    );
    const confEvents = app.socket.events.filter((e) => e.name === 'ConferencedEvent');
    expect(confEvents.every((e) => e.device === 'conference')).toBe(true);
    expect(confEvents).toHaveLength(3); // created, bob left, ended: once each
    const left = confEvents[1]!;
    const leftItems = childrenOf(child(left.node, 'conferenceConnections'), 'connectionListItem');
    expect(
      leftItems.map((i) => [
        textOf(i, 'endpoint', 'deviceID'),
        textOf(i, 'resultingConnectionInfo', 'flowDirection'),
      ]),
    ).toEqual([['1002', 'none']]);
    expect(ended).toBe(confEvents[2]);
  });

  it('rule 25: validation failures are 400 with <Errors>; unknown calls too', async () => {
    sim = await startIpoSim();
    const alice = await open(sim, 'alice');
    const r = await post(
      sim,
      alice.id,
      'callcontrol/transferCall',
      '<TransferCall xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4"/>',
    );
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Errors>');
    expect(parseErrors(r.body)?.map((e) => e.errorValue)).toEqual(['heldCall', 'activeCall']);
    const unknown = await post(
      sim,
      alice.id,
      'callcontrol/holdCall',
      buildHoldCall({ callID: 'no-such-call' }),
    );
    expect(unknown.status).toBe(400);
    expect(parseErrors(unknown.body)?.[0]?.errorValue).toBe('callID');
    const notMine = await post(
      sim,
      alice.id,
      'callcontrol/makeCall',
      buildMakeCall({ callingDevice: '1002', calledDirectoryNumber: '1003' }),
    );
    expect(parseErrors(notMine.body)?.[0]?.code).toBe('UNAUTHORIZED');
    const dtd = await post(
      sim,
      alice.id,
      'callcontrol/holdCall',
      '<!DOCTYPE x [<!ENTITY a "b">]><HoldCall/>',
    );
    expect(dtd.status).toBe(400);
    const json = await request(sim, 'POST', 'callcontrol/holdCall', {
      session: alice.id,
      body: '{}',
      headers: { 'content-type': 'text/json;charset=UTF-8' },
    });
    expect(json.status).toBe(415);
  });

  it('rule 11: a server fault is 500', async () => {
    sim = await startIpoSim();
    const alice = await open(sim, 'alice');
    await sim.fe.fault('POST', 'server-errors', { count: 1 });
    expect((await post(sim, alice.id, 'callcontrol/holdCall', buildHoldCall({ callID: 'x' }))).status).toBe(
      500,
    );
    expect((await post(sim, alice.id, 'callcontrol/holdCall', buildHoldCall({ callID: 'x' }))).status).toBe(
      400,
    );
  });
});

describe('avaya-ipo-cti simulator: device services', () => {
  it('rule 21 and rule 22: snapshot, agent state, forwarding and DND', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const { corr } = await establishedCall(sim, app, alice);
    const snap = await request(sim, 'GET', 'snapshot', { session: alice.id });
    expect(snap.status).toBe(200);
    const info = await alice.socket.named('CallInformationEvent');
    expect(callId(info, 'connection')).toBe(corr);
    expect(textOf(info.node, 'monitorCrossRefID')).toMatch(/^-?\d+-127\.0\.0\.1-1001$/);

    sim.core.setAgentState('carol@sim.example', 'available');
    const agent = await post(
      sim,
      app.id,
      'logicaldevice/getAgentState',
      buildGetAgentState({ device: '1003' }),
    );
    expect(agent.status).toBe(200);
    expect(parseGetAgentStateResponse(agent.body)).toEqual([
      { agentID: '1003', loggedOnState: true, groups: [{ acdGroup: '2001', agentState: 'agentReady' }] },
    ]);
    expect((await app.socket.next((e) => e.name === 'AgentReadyEvent')).device).toBe('1003');

    expect(
      (
        await post(
          sim,
          alice.id,
          'logicaldevice/setForwarding',
          buildSetForwarding({
            device: '1001',
            forwardingType: 'forwardImmediate',
            activateForward: true,
            forwardDN: '1005',
          }),
        )
      ).status,
    ).toBe(202);
    const fwd = await alice.socket.named('ForwardingEvent');
    expect([
      textOf(fwd.node, 'forwardingType'),
      textOf(fwd.node, 'forwardStatus'),
      textOf(fwd.node, 'forwardTo'),
    ]).toEqual(['forwardImmediate', 'true', '1005']);
    expect(
      (
        await post(
          sim,
          alice.id,
          'logicaldevice/setDoNotDisturb',
          buildSetDoNotDisturb({ device: '1001', doNotDisturbOn: true }),
        )
      ).status,
    ).toBe(202);
    expect(textOf((await alice.socket.named('DoNotDisturbEvent')).node, 'doNotDisturbOn')).toBe('true');
  });
});

describe('avaya-ipo-cti simulator: queues', () => {
  it('a call waiting in an ACD queue is reported as Queued to the hunt group (and the calling user)', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge');
    const alice = await open(sim, 'alice');
    const corr = randomUUID();
    await post(
      sim,
      alice.id,
      'callcontrol/makeCall',
      buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '2001', correlatorData: corr }),
    );
    const group = await app.socket.next((e) => e.name === 'QueuedEvent' && e.device === '2001');
    expect(callId(group, 'queuedConnection')).toBe(corr);
    expect(textOf(group.node, 'localConnectionInfo')).toBe('queued');
    expect(deviceOf(group.node, 'queue')?.number).toBe('2001');
    expect(callId(await alice.socket.named('QueuedEvent'), 'queuedConnection')).toBe(corr);
  });
});

describe('avaya-ipo-cti simulator: resiliency', () => {
  it('rule 27: haConfiguration in the login; after HASwitchEvent every request is SERVICE_REDIRECTED', async () => {
    sim = await startIpoSim({
      ha: { role: 'secondary', primaryServer: '10.0.0.1', secondaryServer: '10.0.0.2' },
    });
    const alice = await open(sim, 'alice');
    expect(alice.response.haConfiguration).toEqual({
      primaryServer: '10.0.0.1',
      secondaryServer: '10.0.0.2',
    });
    await sim.fe.fault('POST', 'ha-switch', {});
    const sw = await alice.socket.named('HASwitchEvent');
    expect(parseHaSwitchEvent(sw.node)).toEqual({ primaryServerActive: true, activeServer: '10.0.0.1' });
    const r = await request(sim, 'POST', 'session/heartbeat', { session: alice.id });
    expect(r.status).toBe(503);
    expect(parseErrors(r.body)?.[0]).toMatchObject({ code: 'SERVICE_REDIRECTED', errorValue: '10.0.0.1' });
    expect((await login(sim, 'bob')).status).toBe(503);
    expect((await request(sim, 'DELETE', 'session', { session: alice.id })).status).toBe(200);
  });

  it('rule 28: an IP Office failover sends OutOfServiceEvent(numberUnallocated) to every client and refuses logins', async () => {
    sim = await startIpoSim();
    const app = await open(sim, 'bridge', { eventTypes: ['CallControlFeaturesEvents'] });
    const alice = await open(sim, 'alice', { eventTypes: ['CallControlFeaturesEvents'] });
    await sim.fe.fault('POST', 'ipo-failover', {});
    const mine = await alice.socket.named('OutOfServiceEvent');
    expect(deviceOf(mine.node, 'device')?.number).toBe('1001');
    expect(textOf(mine.node, 'cause')).toBe('numberUnallocated');
    await app.socket.next((e) => e.name === 'OutOfServiceEvent' && e.device === '1005');
    expect(app.socket.events.filter((e) => e.name === 'OutOfServiceEvent')).toHaveLength(5);
    const refused = await login(sim, 'bob');
    expect(refused.status).toBe(503);
    expect(refused.response?.loginFailureCode).toBe('SYSTEM_DOWN');
    await sim.fe.fault('POST', 'ipo-fallback', {});
    await alice.socket.named('BackInServiceEvent');
    expect((await login(sim, 'bob')).status).toBe(200);
  });
});

describe('avaya-ipo-cti simulator: hygiene', () => {
  it('closes a WebSocket whose client sends an oversized message', async () => {
    sim = await startIpoSim({ maxFrameBytes: 1024 });
    const alice = await open(sim, 'alice');
    alice.socket.ws.send('x'.repeat(2048));
    expect((await alice.socket.closed).code).toBe(1009);
  });

  it('answers unknown paths 404 and wrong methods 405 with Allow', async () => {
    sim = await startIpoSim();
    const alice = await open(sim, 'alice');
    expect((await request(sim, 'POST', 'voicemail/getMessages', { session: alice.id })).status).toBe(404);
    const wrong = await request(sim, 'GET', 'callcontrol/makeCall', { session: alice.id });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const swapped = await fetch(`${sim.url}/service/inyama/session/heartbeat`, {
      method: 'POST',
      headers: { ClientSessionId: alice.id },
    });
    expect(swapped.status).toBe(202);
  });
});

describe('avaya-ipo-cti simulator: loading', () => {
  it('is a SimVendor with one local link for the application user', async () => {
    expect(simVendor.id).toBe('avaya-ipo-cti');
    expect(simVendor.control).toBe('ipo');
    sim = await startIpoSim();
    const fe = simVendor.create(sim.core, { host: '127.0.0.1', port: 0, credentials: [] });
    expect(fe.name).toBe('avaya-ipo-cti');
    const links = simVendor.localLinks(
      { port: 3015, url: 'http://127.0.0.1:3015' },
      { enterpriseId: '', groupId: '', domain: '', users: [], queues: [], routePoints: [] },
      [],
    );
    expect(links).toEqual([
      { id: 'sim-ipo-cti', endpoint: 'http://127.0.0.1:3015', options: { user: 'application' } },
    ]);
  });
});
