/**
 * The BroadWorks CAP simulator front-end over real TCP sockets: CAP-C login and its failures, the
 * acknowledgement gate, initial updates, call control on the shared core, forced logouts, pings, CCC2
 * round-robin, queues, Attendant Console monitoring and the framing shapes. Test names carry the rule
 * numbers of docs/protocols/broadworks-cap.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PbxCore } from '../../../simulator/core/index.js';
import { defaultDirectory } from '../../../simulator/directory.js';
import capSim, {
  type BroadWorksCapFrontEnd,
  type BroadWorksCapSimOptions,
} from '../../../vendors/broadworks-cap/simulator/index.js';
import { FAILURE_CAUSES, type CapMessage } from '../../../vendors/broadworks-cap/wire/index.js';
import { CapTestClient } from './client.js';

const PW = 'bridge-secret';
const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';
const CAROL = 'carol@sim.example';
const QUEUE = 'sales@sim.example';

let core: PbxCore | undefined;
let fe: BroadWorksCapFrontEnd | undefined;
const clients: CapTestClient[] = [];

async function setup(options: Partial<BroadWorksCapSimOptions> = {}) {
  core = new PbxCore(defaultDirectory());
  fe = capSim.create(core, {
    host: '127.0.0.1',
    port: 0,
    credentials: [{ username: 'bridge', password: PW, admin: true }],
    pingIntervalMs: 0,
    ...options,
  }) as BroadWorksCapFrontEnd;
  const started = await fe.start();
  return { core, fe, port: started.port };
}

async function client(port: number, dialect: 'cap-c' | 'ccc2' = 'cap-c'): Promise<CapTestClient> {
  const c = await CapTestClient.connect(port, dialect);
  clients.push(c);
  return c;
}

async function loggedIn(port: number, id = ALICE): Promise<CapTestClient> {
  const c = await client(port);
  await c.login(id, PW);
  await c.nextOf('profileUpdate', (m) => m.initialUpdate);
  return c;
}

afterEach(async () => {
  // rule 30: every document the simulator wrote in the test was well-formed, with the CAP envelope
  for (const c of clients) expect(c.malformed).toEqual([]);
  for (const c of clients.splice(0)) c.close();
  await fe?.stop();
  core?.dispose();
  fe = core = undefined;
});

const legOf = (c: PbxCore, userId: string) => c.listLegs({ userId })[0]!;

describe('CAP-C registration', () => {
  it('rule 2, rule 5, rule 6: nonce + MD5, registerResponse with the uid, nothing before the acknowledgement, then sessionUpdate and the initial profileUpdate', async () => {
    const { port } = await setup();
    const c = await client(port);
    const { auth, response } = await c.register(ALICE, PW);
    expect(auth.nonce).toMatch(/^\d+$/);
    expect(auth.algorithm).toBe('MD5');
    expect(response?.failure).toBeUndefined();
    expect(response?.user).toMatchObject({ userType: 'CallClient', id: ALICE, applicationId: 'test-app' });
    expect(response?.user.userUid).toMatch(/^\d+$/);

    // a call arrives for Alice before the acknowledgement: nothing may be sent yet
    core!.dial(BOB, '1001');
    expect(await c.drain()).toEqual([]);

    c.send({
      type: 'acknowledgement',
      user: { userType: 'CallClient', id: ALICE, applicationId: 'test-app' },
      messageName: 'registerResponse',
      failed: false,
    });
    const s = await c.next('sessionUpdate');
    expect(s).toMatchObject({ numCalls: 1, maxCalls: -1, epControl: true });
    const call = await c.next('callUpdate');
    expect(call.calls[0]).toMatchObject({ callId: legOf(core!, ALICE).id, state: 1, personality: 2 });
    const p = await c.next('profileUpdate');
    expect(p.initialUpdate).toBe(true);
    expect(p.fields).toMatchObject({ firstName: 'Alice', lastName: 'Anders', extension: '1001', dnd: 'Off' });
  });

  it('rule 6: with no call the registration sessionUpdate has numCalls 0, epControl True and maxCalls -1, and no callUpdate follows', async () => {
    const { port } = await setup();
    const c = await client(port);
    await c.login(BOB, PW);
    expect(await c.next('sessionUpdate')).toMatchObject({
      numCalls: 0,
      epControl: true,
      maxCalls: -1,
      offHook: false,
    });
    expect((await c.next('profileUpdate')).initialUpdate).toBe(true);
  });

  it('rule 3: an unknown id gets responseAuthentication UnknownID with no nonce', async () => {
    const { port } = await setup();
    const c = await client(port);
    const { auth, response } = await c.register('nobody@sim.example', PW);
    expect(auth.failure).toBe('UnknownID');
    expect(auth.nonce).toBeUndefined();
    expect(response).toBeUndefined();
  });

  it('rule 4: a wrong digest gets IncorrectPassword, and the connection may log in again', async () => {
    const { port } = await setup();
    const c = await client(port);
    expect((await c.register(ALICE, 'wrong')).response?.failure).toBe('IncorrectPassword');
    expect((await c.register(ALICE, PW)).response?.failure).toBeUndefined();
  });

  it('rule 4: a call centre cannot log in as an Attendant Console (UnauthorizedAttendantConsole)', async () => {
    const { port } = await setup();
    const c = await client(port);
    expect((await c.register(QUEUE, PW, 'AttendantConsole')).response?.failure).toBe(
      'UnauthorizedAttendantConsole',
    );
  });

  it('rule 4: the login-failure fault produces every registerResponse cause on demand', async () => {
    const { port, fe } = await setup();
    const c = await client(port);
    for (const cause of FAILURE_CAUSES.filter(
      (x) => x !== 'UnknownID' && x !== 'NetworkServerConnectivityFailure',
    )) {
      await fe.fault('POST', 'login-failure', { cause, user: ALICE });
      const { response } = await c.register(ALICE, PW);
      expect(response?.failure).toBe(cause);
      expect(response?.user.userUid).toBeUndefined();
    }
    expect((await c.register(ALICE, PW)).response?.failure).toBeUndefined();
  });

  it('refuses a registerRequest that did not follow registerAuthentication, and commands before login', async () => {
    const { port, core } = await setup();
    const c = await client(port);
    c.send({
      type: 'registerRequest',
      user: { userType: 'CallClient', id: ALICE },
      securePassword: '0'.repeat(32),
    });
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    expect(await c.drain()).toEqual([]);
    expect(core.listLegs()).toEqual([]);
  });
});

describe('CAP-C call control', () => {
  it('rule 18, rule 19: Dial → personality 0 state 1 on a new callId kept to the end; Hold → 3; Answer → 2; Release → 5 with releaseCause 0', async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    const first = (await c.nextOf('callUpdate')).calls[0]!;
    expect(first).toMatchObject({ personality: 0, state: 1, releaseCause: 0 });
    const callId = first.callId;
    core.answer(legOf(core, BOB).id);
    const active = await c.nextOf('callUpdate', (m) => m.calls[0]!.state === 2);
    expect(active.calls[0]).toMatchObject({ callId, personality: 1, remoteNumber: '1002' });

    const act = (actionType: string) =>
      c.send({
        type: 'callAction',
        user: { userType: 'CallClient', id: ALICE, applicationId: 'test-app' },
        actionType,
        responseRequested: false,
        params: [{ name: 'CallId', value: callId }],
      });
    act('Hold');
    expect((await c.nextOf('callUpdate')).calls[0]).toMatchObject({ callId, state: 3 });
    act('Answer');
    expect((await c.nextOf('callUpdate')).calls[0]).toMatchObject({ callId, state: 2 });
    act('Release');
    const rel = (await c.nextOf('callUpdate', (m) => m.calls[0]!.state === 5)).calls[0]!;
    expect(rel).toMatchObject({ callId, releaseCause: 0 });
    await c.until(() => c.messages.some((m) => m.type === 'sessionUpdate' && m.offHook === false), 'on hook');
  });

  it('rule 19: a call to a busy user is released with releaseCause 3 (Busy)', async () => {
    const { port, core } = await setup();
    core.setDnd(BOB, true);
    const c = await loggedIn(port);
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    expect((await c.nextOf('callUpdate', (m) => m.calls[0]!.state === 5)).calls[0]!.releaseCause).toBe(3);
  });

  it('rule 20: an alerting call is answered only after callControlInfo Answer=True', async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    core.dial(BOB, '1001');
    const incoming = (await c.nextOf('callUpdate')).calls[0]!;
    expect(incoming).toMatchObject({ state: 1, personality: 2, remoteNumber: '1002' });
    const info = await c.nextOf('callControlInfo');
    expect(info.callId).toBe(incoming.callId);
    expect(info.controls).toContainEqual({ type: 'Answer', enabled: true });
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Answer',
      responseRequested: false,
      params: [{ name: 'CallId', value: incoming.callId }],
    });
    expect(
      (await c.nextOf('callUpdate', (m) => m.calls[0]!.callId === incoming.callId)).calls[0]!.state,
    ).toBe(2);
  });

  it('rule 20: without callControlInfo Answer=True the Answer action leaves the call alerting', async () => {
    const { port, core } = await setup({ answerControl: false });
    const c = await loggedIn(port);
    core.dial(BOB, '1001');
    const incoming = (await c.nextOf('callUpdate')).calls[0]!;
    expect((await c.nextOf('callControlInfo')).controls).toContainEqual({ type: 'Answer', enabled: false });
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Answer',
      responseRequested: false,
      params: [{ name: 'CallId', value: incoming.callId }],
    });
    expect((await c.drain()).filter((m) => m.type === 'callUpdate')).toEqual([]);
    expect(core.getLeg(incoming.callId)?.state).toBe('alerting');
  });

  it('rule 21: ConfStart → conferenceState Active, ConfHold → Held, ConfRelease → Released with both calls released', async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    const a = core.dial(ALICE, '1002');
    core.answer(legOf(core, BOB).id);
    const b = core.dial(ALICE, '1003');
    core.answer(legOf(core, CAROL).id);
    const conf = (actionType: string, params: { name: string; value: string }[] = []) =>
      c.send({
        type: 'callAction',
        user: { userType: 'CallClient', id: ALICE },
        actionType,
        responseRequested: false,
        params,
      });
    conf('ConfStart', [
      { name: 'CallId', value: a.id },
      { name: 'CallId', value: b.id },
    ]);
    const started = await c.nextOf('sessionUpdate', (m) => !!m.conference);
    expect(started.conference).toMatchObject({ state: 'Active', callIds: [a.id, b.id] });
    conf('ConfHold');
    expect((await c.nextOf('sessionUpdate', (m) => !!m.conference)).conference?.state).toBe('Held');
    conf('ConfRelease');
    expect((await c.nextOf('sessionUpdate', (m) => !!m.conference)).conference?.state).toBe('Released');
    await c.until(
      () =>
        [a.id, b.id].every((id) =>
          c.messages.some(
            (m) => m.type === 'callUpdate' && m.calls[0]!.callId === id && m.calls[0]!.state === 5,
          ),
        ),
      'both calls released',
    );
  });

  it("rule 21: XferConsult joins the two far ends; the user's calls leave with state 6 and the far ends stay connected", async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    const a = core.dial(ALICE, '1002');
    core.answer(legOf(core, BOB).id);
    const b = core.dial(ALICE, '1003');
    core.answer(legOf(core, CAROL).id);
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'XferConsult',
      responseRequested: false,
      params: [
        { name: 'CallId', value: a.id },
        { name: 'CallId', value: b.id },
      ],
    });
    await c.until(
      () =>
        [a.id, b.id].every((id) =>
          c.messages.some(
            (m) => m.type === 'callUpdate' && m.calls[0]!.callId === id && m.calls[0]!.state === 6,
          ),
        ),
      'both calls detached',
    );
    expect(legOf(core, BOB).remote.id).toBe(CAROL);
  });

  it('rule 16, rule 17: TagCallWithDispositionCode with responseRequested echoes actionType and id; a bad code fails with a message; no response otherwise', async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    const a = core.dial(ALICE, '1002');
    const tag = (code: string, responseRequested: boolean, actionType = 'TagCallWithDispositionCode') =>
      c.send({
        type: 'callAction',
        user: { userType: 'CallClient', id: ALICE },
        actionType,
        responseRequested,
        actionId: '1',
        params: [
          { name: 'CallId', value: a.id },
          { name: 'DispositionCode', value: code },
        ],
      });
    tag('Sale', true);
    expect(await c.nextOf('callActionResponse')).toMatchObject({
      actionType: 'TagCallWithDispositionCode',
      actionId: '1',
      success: true,
    });
    tag('nonsense', true);
    expect(await c.nextOf('callActionResponse')).toMatchObject({
      success: false,
      message: 'Invalid disposition code',
    });
    tag('Sale', false);
    tag('Sale', true, 'Hold');
    expect((await c.drain()).filter((m) => m.type === 'callActionResponse')).toEqual([]);
  });
});

describe('CAP-C session control and keepalive', () => {
  it('rule 12: a second login of the same user makes the first connection receive unRegister ForceLogoutD, and only the new one gets updates', async () => {
    const { port, core } = await setup();
    const first = await loggedIn(port);
    const second = await client(port);
    await second.login(ALICE, PW);
    expect(await first.nextOf('unRegister')).toMatchObject({ reason: 'ForceLogoutD', user: { id: ALICE } });
    await second.nextOf('profileUpdate', (m) => m.initialUpdate);
    core.dial(BOB, '1001');
    await second.nextOf('callUpdate');
    expect((await first.drain()).filter((m) => m.type === 'callUpdate')).toEqual([]);
  });

  it('rule 13: force-logout-c sends unRegister ForceLogoutC; the client logs in again with the whole sequence', async () => {
    const { port, fe } = await setup();
    const c = await loggedIn(port);
    expect(await fe.fault('POST', 'force-logout-c', {})).toMatchObject({ loggedOut: 1 });
    expect((await c.nextOf('unRegister')).reason).toBe('ForceLogoutC');
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    expect(await c.drain()).toEqual([]);
    await c.login(ALICE, PW);
    expect((await c.nextOf('sessionUpdate')).numCalls).toBe(0);
  });

  it('rule 11: after unRegister ClientLogout nothing is sent for the user and nothing answers the logout', async () => {
    const { port, core } = await setup();
    const c = await loggedIn(port);
    c.send({
      type: 'unRegister',
      user: { userType: 'CallClient', id: ALICE, applicationId: 'test-app' },
      reason: 'ClientLogout',
    });
    expect(await c.drain()).toEqual([]);
    core.dial(BOB, '1001');
    expect(await c.drain()).toEqual([]);
  });

  it("rule 14: serverStatusRequest from the client is never answered; the server's ping is an empty commandData", async () => {
    const { port, fe } = await setup();
    const c = await loggedIn(port);
    c.send({
      type: 'serverStatusRequest',
      user: { userType: 'CallClient', id: ALICE, applicationId: 'test-app' },
    });
    c.send({ type: 'serverStatusRequest' });
    expect(await c.drain()).toEqual([]);
    await fe.fault('POST', 'ping', {});
    expect(await c.nextOf('serverStatusRequest')).toEqual({ type: 'serverStatusRequest' });
    expect(c.raw.toString('utf8')).toContain(
      '<command commandType="serverStatusRequest">\n    <commandData/>',
    );
  });

  it('rule 15: infoRequest is answered with every configured capVersionResponse, before any login', async () => {
    const { port } = await setup({ capVersions: ['17.0', '16.0'] });
    const c = await client(port);
    c.send({ type: 'infoRequest' });
    expect((await c.next('infoResponse')).versions).toEqual(['17.0', '16.0']);
  });

  it('drop-connections closes sockets; stop refuses new connections and start listens again on the same ports', async () => {
    const { port, fe } = await setup();
    const c = await client(port);
    await fe.fault('POST', 'drop-connections', {});
    await c.until(() => c.closed, 'close');
    await fe.fault('POST', 'stop', {});
    await expect(CapTestClient.connect(port)).rejects.toThrow();
    await fe.fault('POST', 'start', {});
    const again = await client(port);
    again.send({ type: 'infoRequest' });
    await again.next('infoResponse');
    expect(fe.snapshot().ccc2Port).toBe(port + 1);
  });
});

describe('CCC2', () => {
  it('rule 22, rule 23: no login; updates spread round-robin over two connections with an empty applicationId; client messages omit it', async () => {
    const { fe, core } = await setup();
    const a = await client(fe.ccc2Port, 'ccc2');
    const b = await client(fe.ccc2Port, 'ccc2');
    await a.until(
      () => fe.snapshot().connections.filter((x) => x.mode === 'ccc2').length === 2,
      'two CCC2 connections',
    );
    // the farm acts right away: Alice dials Bob through connection a
    a.send({
      type: 'callAction',
      user: { userType: 'CallClient', id: ALICE },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    // callUpdate (Alice's click-to-dial), sessionUpdate (off hook), callUpdate (Alice), callUpdate (Bob), callControlInfo (Bob)
    await a.until(() => a.messages.length >= 3, 'three updates on a');
    await b.until(() => b.messages.length >= 2, 'two updates on b');
    const updates = (c: CapTestClient) => c.messages.filter((m: CapMessage) => m.type !== 'infoResponse');
    // strict alternation: a takes the 1st, 3rd and 5th message, b the 2nd and 4th
    expect(updates(a).map((m) => m.type)).toEqual(['callUpdate', 'callUpdate', 'callControlInfo']);
    expect(updates(b).map((m) => m.type)).toEqual(['sessionUpdate', 'callUpdate']);
    for (const m of [...updates(a), ...updates(b)]) expect(m.user?.applicationId).toBe('');
    expect(a.raw.toString('utf8')).toContain('<applicationId></applicationId>');
    expect(a.raw.toString('utf8')).toMatch(/userUid="\d+"/);
    expect(core.listLegs({ userId: ALICE })).toHaveLength(1);
    expect(a.raw.toString('utf8')).not.toContain('registerResponse');
  });

  it('rule 9: a CCC2 action may name its user by userUid instead of id', async () => {
    const { fe, core } = await setup();
    const c = await client(fe.ccc2Port, 'ccc2');
    const uid = (core.listUsers().findIndex((u) => u.userId === ALICE) + 169_729_000).toString();
    c.send({
      type: 'callAction',
      user: { userType: 'CallClient', userUid: uid },
      actionType: 'Dial',
      responseRequested: false,
      params: [{ name: 'Number', value: '1002' }],
    });
    const first = await c.nextOf('callUpdate');
    expect(first.user).toMatchObject({ id: ALICE, userUid: uid, applicationId: '' });
    expect(core.listLegs({ userId: ALICE })).toHaveLength(1);
  });

  it('rule 23: a CCC2 connection ignores the CAP-C registration messages', async () => {
    const { fe } = await setup();
    const c = await client(fe.ccc2Port, 'ccc2');
    c.send({
      type: 'registerAuthentication',
      user: { userType: 'CallClient', id: ALICE, applicationId: 'x' },
    });
    expect(await c.drain()).toEqual([]);
  });
});

describe('call-centre queues', () => {
  const enqueue = (core: PbxCore, caller: string) => core.dial(caller, '2001');

  it('rule 24: an empty queue gets queueProfileUpdate and no queueUpdate; a non-empty one gets Initial in queue order', async () => {
    const { port, core } = await setup();
    const empty = await client(port);
    await empty.login(QUEUE, PW);
    expect(await empty.next('queueProfileUpdate')).toMatchObject({
      initialUpdate: true,
      nightService: 'Off',
      holidayService: 'Off',
      forcedForwarding: 'Off',
    });
    expect(await empty.drain()).toEqual([]);

    const c1 = enqueue(core, '+15559990001');
    const c2 = enqueue(core, '+15559990002');
    const c = await client(port);
    await c.login(QUEUE, PW);
    await c.next('queueProfileUpdate');
    const init = await c.next('queueUpdate');
    expect(init.updateReason).toBe('Initial');
    expect(init.calls.map((x) => x.callId)).toEqual([c1.id, c2.id]);
  });

  it('rule 25, rule 26: CallAdded with position; Reorder → CallReordered full list; Refresh; Promote; Transfer and Remove → CallTransferred; CallAbandoned; CallAnswered', async () => {
    const { port, core } = await setup();
    const c = await client(port);
    await c.login(QUEUE, PW);
    await c.next('queueProfileUpdate');
    const c1 = enqueue(core, '+15559990001');
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallAdded',
      calls: [{ callId: c1.id, position: 1 }],
    });
    const c2 = enqueue(core, '+15559990002');
    const c3 = enqueue(core, '+15559990003');
    expect((await c.nextOf('queueUpdate', (m) => m.calls[0]!.callId === c3.id)).calls).toHaveLength(1);

    const qa = (actionType: string, call?: Record<string, unknown>) =>
      c.send({
        type: 'queueAction',
        user: { userType: 'CallClient', id: QUEUE, applicationId: 'test-app' },
        actionType,
        ...(call ? { call: call as { callId: string } } : {}),
      });
    qa('Reorder', { callId: c3.id, position: 1 });
    const re = await c.nextOf('queueUpdate');
    expect(re.updateReason).toBe('CallReordered');
    expect(re.calls.map((x) => x.callId)).toEqual([c3.id, c1.id, c2.id]);
    expect(core.getQueue(QUEUE)!.entries.map((e) => e.callerLegId)).toEqual([c3.id, c1.id, c2.id]);
    qa('Refresh');
    expect((await c.nextOf('queueUpdate')).updateReason).toBe('Refresh');
    qa('Promote', { callId: c2.id, priority: 0 });
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallPromoted',
      calls: [{ callId: c2.id, priority: 0 }],
    });
    qa('Transfer', { callId: c1.id, destination: '1002' });
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallTransferred',
      calls: [{ callId: c1.id }],
    });
    // the DTD's spelling, as a client may write it on the wire
    c.socket.write(
      `<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="queueAction"><commandData><user userType="CallClient" id="${QUEUE}"><applicationId>test-app</applicationId></user><queueActionData actionType="Remove"><queueCall callId="${c2.id}"><destination>1005</destination></queueCall></queueActionData></commandData></command></BroadsoftDocument>`,
    );
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallTransferred',
      calls: [{ callId: c2.id }],
    });
    core.release(c3.id);
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallAbandoned',
      calls: [{ callId: c3.id }],
    });

    const c4 = enqueue(core, '+15559990004');
    await c.nextOf('queueUpdate', (m) => m.updateReason === 'CallAdded');
    core.setAgentState(CAROL, 'available');
    core.answer(legOf(core, CAROL).id);
    expect(await c.nextOf('queueUpdate')).toMatchObject({
      updateReason: 'CallAnswered',
      calls: [{ callId: c4.id }],
    });
  });
});

describe('Attendant Console', () => {
  it('rule 7, rule 8: numMonitoredUsers N is followed by N profileUpdates and N sessionUpdates; callUpdates only with state 2 or 5', async () => {
    const { port, core } = await setup({ monitors: { [ALICE]: [BOB, CAROL] } });
    const c = await client(port);
    const res = await c.login(ALICE, PW, 'AttendantConsole');
    expect(res).toMatchObject({ numMonitoredUsers: 2, callDetailsEnabled: true });
    for (const id of [BOB, CAROL])
      expect(await c.next('profileUpdate')).toMatchObject({ initialUpdate: true, monitoredUserId: id });
    for (const id of [BOB, CAROL])
      expect(await c.next('sessionUpdate')).toMatchObject({ monitoredUserId: id, offHook: false });
    const leg = core.dial(BOB, '1003');
    core.answer(legOf(core, CAROL).id);
    core.release(leg.id);
    await c.until(
      () => c.messages.filter((m) => m.type === 'callUpdate').length >= 4,
      'four monitored callUpdates',
    );
    const states = c.messages.flatMap((m) => (m.type === 'callUpdate' ? m.calls.map((x) => x.state) : []));
    expect(new Set(states)).toEqual(new Set([2, 5]));
    expect(c.messages.filter((m) => m.type === 'sessionUpdate' && m.offHook === true).length).toBeGreaterThan(
      0,
    );
  });

  it('rule 8: with callDetailsEnabled False no callUpdate is sent', async () => {
    const { port, core } = await setup({ monitors: { [ALICE]: [BOB] }, callDetailsEnabled: false });
    const c = await client(port);
    expect((await c.login(ALICE, PW, 'AttendantConsole')).callDetailsEnabled).toBe(false);
    core.dial(BOB, '1003');
    core.answer(legOf(core, CAROL).id);
    expect((await c.drain()).filter((m) => m.type === 'callUpdate')).toEqual([]);
  });

  it('rule 27: monitoringUsersRequest Add reports UnknownUser and PrivateUser', async () => {
    const { port } = await setup({ monitors: { [ALICE]: [] }, privateUsers: [BOB] });
    const c = await client(port);
    await c.login(ALICE, PW, 'AttendantConsole');
    c.send({
      type: 'monitoringUsersRequest',
      user: { userType: 'AttendantConsole', id: ALICE, applicationId: 'test-app' },
      monType: 'Add',
      monUsers: ['ghost@sim.example', BOB, CAROL],
    });
    const r = await c.nextOf('monitoringUsersResponse');
    expect(r.success).toBe(false);
    expect(r.failedUsers).toEqual([
      { id: 'ghost@sim.example', reason: 'UnknownUser' },
      { id: BOB, reason: 'PrivateUser' },
    ]);
  });
});

describe('framing shapes', () => {
  it('rule 29, rule 30: no prolog, NUL separators and split writes still read as well-formed CAP documents', async () => {
    const { port } = await setup({ framing: { prolog: false, separator: '\0', splitBytes: 7 } });
    const c = await loggedIn(port);
    const text = c.raw.toString('utf8');
    expect(text).not.toContain('<?xml');
    expect(
      text
        .split('\0')
        .filter((d) => d.trim())
        .every((d) => d.startsWith('<BroadsoftDocument protocol="CAP" version="17.0">')),
    ).toBe(true);
    expect(c.reads).toBeGreaterThan(c.messages.length);
  });

  it('rule 29: coalesced writes put several documents in one write, with back-to-back documents', async () => {
    const { port, fe } = await setup();
    await fe.fault('POST', 'framing', { coalesce: true, separator: '' });
    const c = await loggedIn(port);
    expect(c.raw.toString('utf8')).toContain('</BroadsoftDocument><?xml');
    expect(c.reads).toBeLessThan(c.messages.length);
    await expect(fe.fault('POST', 'framing', { separator: 'x' })).rejects.toThrow(/separator/);
  });
});
