/**
 * The aspect-ctips simulator front-end over real HTTP, with a real client-hosted callback server:
 * sessions, StartSession, message classes and filters, heartbeats and the missed-heartbeat rule, the
 * connection limit, the inbound call, MakeCall, external routing and faults. Tests are named after the
 * conformance checks of the protocol digest (§13).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_HEADER, textOf, type XmlNode } from '../../../vendors/aspect-ctips/wire/index.js';
import {
  ADMIN,
  call,
  CallbackServer,
  fault,
  field,
  openSession,
  startCtipsSim,
  type Sim,
} from './simulator-client.js';

let sim: Sim | undefined;
const servers: CallbackServer[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(options: Parameters<typeof startCtipsSim>[0] = {}) {
  sim = await startCtipsSim(options);
  const cb = await new CallbackServer().start();
  servers.push(cb);
  return { s: sim, cb };
}

const T = { TenantId: 1 };
let rid = 100;
const req = (sessionId: string, extra: Record<string, unknown> = {}) => ({
  SessionId: sessionId,
  RequestId: ++rid,
  ...T,
  ...extra,
});
const agentState = (state: string) => (n: XmlNode) => field(n, 'AgentState') === state;
/** LoginAgent of `name` at `station` in session `id`, MultiLine 0. */
const login = (s: Sim, id: string, name: string, station: string, initial: string) =>
  call(
    s,
    'LoginAgent',
    req(id, { AgentLoginName: name, StationId: station, InitialState: initial, MultiLine: 0 }),
  );

describe('aspect-ctips simulator: sessions', () => {
  it('§13.1 OpenConnection returns a non-empty SessionId and status 0; later requests with it are accepted', async () => {
    const { s, cb } = await setup();
    const res = await call(s, 'OpenConnection', {
      TenantIds: [1],
      UserCredentials: { UserName: ADMIN.username, Password: ADMIN.password },
      ClientCallbackURL: cb.url,
    });
    const sessionId = textOf(res, 'SessionId')!;
    expect(sessionId).toMatch(/.+/);
    expect(textOf(res, 'status')).toBe('0');
    const session = { SessionId: sessionId, ...T };
    expect((await call(s, 'AddMessageClass', { ...session, MessageClass: 'EventCategoryAgent' })).text).toBe(
      '0',
    );
    expect((await call(s, 'OnLine', session)).text).toBe('0');
    expect((await call(s, 'GetAgentState', req(sessionId, { AgentId: 1003 }))).text).toBe('0');
  });

  it('§13.2 OpenConnection calls StartSession back with the user name, the password and the same SessionId', async () => {
    const { s, cb } = await setup();
    const res = await call(s, 'OpenConnection', {
      TenantIds: [1],
      UserCredentials: { UserName: ADMIN.username, Password: ADMIN.password },
      ClientCallbackURL: cb.url,
    });
    const start = await cb.wait((r) => r.op === 'StartSession');
    expect(start.start).toEqual({
      UserName: ADMIN.username,
      Password: ADMIN.password,
      SessionId: textOf(res, 'SessionId'),
    });
  });

  it('§13.4 a bad OpenConnection is a fault and creates no session', async () => {
    const { s, cb } = await setup();
    const ok = {
      TenantIds: [1],
      UserCredentials: { UserName: 'bridge', Password: 'bridge-secret' },
      ClientCallbackURL: cb.url,
    };
    expect(
      (await fault(s, 'OpenConnection', { ...ok, UserCredentials: { UserName: 'bridge', Password: 'x' } }))
        .reason,
    ).toMatch(/password/);
    expect((await fault(s, 'OpenConnection', { ...ok, TenantIds: [1, 2] })).reason).toMatch(/exactly one/);
    expect((await fault(s, 'OpenConnection', { ...ok, TenantIds: [9] })).reason).toMatch(/tenant/);
    expect((await fault(s, 'OpenConnection', { ...ok, ClientCallbackURL: 'ftp://x' })).reason).toMatch(/URL/);
    expect(s.fe.ctx.sessions.size).toBe(0);
  });

  it('§13.3 the 11th connection is refused with "maximum number of connections"', async () => {
    const { s, cb } = await setup();
    for (let i = 0; i < 10; i++) await openSession(s, cb, [], false);
    const f = await fault(s, 'OpenConnection', {
      TenantIds: [1],
      UserCredentials: { UserName: 'bridge', Password: 'bridge-secret' },
      ClientCallbackURL: cb.url,
    });
    expect(f.code).toBe('s:Client');
    expect(f.reason).toMatch(/maximum number of connections/);
  });

  it('§13.5 no events before OnLine: what happens meanwhile is not sent, not even later', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb, undefined, false);
    await login(s, id, 'carol', '1003', 'Idle');
    s.core.dial('1001', '1002');
    await call(s, 'OnLine', { SessionId: id, ...T });
    const r = req(id, { AgentId: 1003 });
    await call(s, 'GetAgentState', r);
    await cb.event('AgentStateChange', (n) => field(n, 'RequestId') === String(r.RequestId));
    // callbacks are serial per session: anything sent before OnLine would have come first
    expect(cb.names()).toEqual(['AgentStateChange']);
    expect(cb.received[0]!.op).toBe('StartSession');
  });

  it('§13.10 only the registered message classes are sent; DeleteMessageClass stops a category', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb, ['EventCategoryAgent'], false);
    await call(s, 'OnLine', { SessionId: id, ...T });
    s.core.dial('1001', '1002'); // call events: not registered
    s.core.dial('+15550100', '3001'); // a route request: not registered
    await login(s, id, 'dave', '1004', 'NotReady');
    await cb.event('AgentStateChange', (n) => field(n, 'AgentId') === '1004');
    expect(cb.names()).toEqual(['AgentLoginStateChange', 'AgentStateChange']);
    expect(
      cb.received.filter((r) => r.event).every((r) => r.event!.messageClass === 'EventCategoryAgent'),
    ).toBe(true);
    // DeleteMessageClass stops the category
    await call(s, 'AddMessageClass', { SessionId: id, ...T, MessageClass: 'EventCategoryCall' });
    await call(s, 'DeleteMessageClass', { SessionId: id, ...T, MessageClass: 'EventCategoryAgent' });
    cb.clear();
    await call(s, 'GetAgentState', req(id, { AgentId: 1004 }));
    s.core.dial('1003', '1005');
    await cb.event('CallStarted');
    expect(cb.names().includes('AgentStateChange')).toBe(false);
    expect(
      cb.received.filter((r) => r.event).every((r) => r.event!.messageClass === 'EventCategoryCall'),
    ).toBe(true);
  });

  it('§13.11 AddFilter(FT_SERVICE_ID) restricts events to that service; DeleteFilter lifts it', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb, ['EventCategoryCall'], false);
    await call(s, 'AddFilter', { SessionId: id, ...T, FieldType: 'FT_SERVICE_ID', FieldValue: '2001' });
    await call(s, 'OnLine', { SessionId: id, ...T });
    s.core.dial('1001', '1002'); // no service
    s.core.dial('+15550100', '2001'); // the sales service
    const delivered = await cb.event('CallDelivered');
    expect(field(delivered.node, 'ServiceId')).toBe('2001');
    expect(
      cb.received.filter((r) => r.event).every((r) => field(r.event!.node, 'ServiceId') === '2001'),
    ).toBe(true);
    await call(s, 'DeleteFilter', { SessionId: id, ...T, FieldType: 'FT_SERVICE_ID', FieldValue: '2001' });
    s.core.dial('1003', '1004');
    await cb.event('CallStarted', (n) => field(n, 'ServiceId') === '0');
    expect(
      (
        await fault(s, 'DeleteFilter', {
          SessionId: id,
          ...T,
          FieldType: 'FT_SERVICE_ID',
          FieldValue: '2001',
        })
      ).reason,
    ).toMatch(/no filter/);
  });

  it('§13.6 heartbeats start at OnLine, one right away, then one per interval', async () => {
    const interval = 400;
    const { s, cb } = await setup({ heartbeatIntervalMs: interval });
    await openSession(s, cb, [], false);
    await cb.wait((r) => r.op === 'StartSession');
    expect(cb.received.some((r) => r.op === 'HeartbeatMessage')).toBe(false);
    const id = s.fe.ctx.sessions.list()[0]!.id;
    const online = Date.now();
    await call(s, 'OnLine', { SessionId: id, ...T });
    const first = await cb.wait((r) => r.op === 'HeartbeatMessage');
    expect(first.at - online).toBeLessThan(interval * 0.75); // right after OnLine, not an interval later
    await vi.waitFor(
      () => expect(cb.received.filter((r) => r.op === 'HeartbeatMessage').length).toBeGreaterThanOrEqual(3),
      { timeout: interval * 6 },
    );
    const beats = cb.received.filter((r) => r.op === 'HeartbeatMessage').map((r) => r.at);
    for (let i = 1; i < beats.length; i++)
      expect(beats[i]! - beats[i - 1]!).toBeGreaterThanOrEqual(interval * 0.9);
  });

  it('§13.7 the HeartbeatMessage answer is not checked: a client answering -1 stays connected', async () => {
    const { s, cb } = await setup({ heartbeatIntervalMs: 20, missedHeartbeats: 1 });
    cb.heartbeatResult = -1;
    const id = await openSession(s, cb);
    // more heartbeats than the missed-heartbeat limit, all answered -1
    await vi.waitFor(() =>
      expect(cb.received.filter((r) => r.op === 'HeartbeatMessage').length).toBeGreaterThanOrEqual(4),
    );
    expect(s.fe.ctx.sessions.get(id)).toBeDefined();
    expect(s.fe.ctx.sessions.disposed).toEqual([]);
    s.core.dial('1001', '1002');
    await cb.event('CallStarted');
  });

  it('§13.8 a client whose callback fails 3 heartbeats in a row is disposed; its SessionId is refused', async () => {
    const { s, cb } = await setup({ heartbeatIntervalMs: 20, missedHeartbeats: 3 });
    const id = await openSession(s, cb);
    await cb.wait((r) => r.op === 'HeartbeatMessage');
    cb.failing = true;
    await vi.waitFor(() => expect(s.fe.ctx.sessions.disposed).toContain(id));
    const count = cb.received.length;
    expect((await fault(s, 'OnLine', { SessionId: id, ...T })).reason).toMatch(/SessionId/);
    s.core.dial('1001', '1002');
    cb.failing = false;
    // a new session still works (and proves the old one got nothing: callbacks are serial per session)
    const cb2 = await new CallbackServer().start();
    servers.push(cb2);
    await openSession(s, cb2);
    s.core.dial('1003', '1004');
    await cb2.event('CallStarted');
    expect(cb.received.length).toBe(count);
  });

  it('§13.12 OFFLINE: no events, and every request but OnLine is refused', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await call(s, 'OffLine', { SessionId: id, ...T });
    s.core.dial('1001', '1002'); // no events while offline
    expect((await fault(s, 'GetAgentState', req(id, { AgentId: 1003 }))).reason).toMatch(/OFFLINE/);
    expect(
      (await fault(s, 'AddMessageClass', { SessionId: id, ...T, MessageClass: 'EventCategoryCall' })).reason,
    ).toMatch(/OFFLINE/);
    await call(s, 'OnLine', { SessionId: id, ...T });
    const r = req(id, { AgentLoginName: 'carol', StationId: '1003', InitialState: 'Idle', MultiLine: 0 });
    await call(s, 'LoginAgent', r);
    await cb.event('AgentLoginStateChange', (n) => field(n, 'RequestId') === String(r.RequestId));
    // serial callbacks: the call dialled while offline would have come first
    expect(cb.names()[0]).toBe('AgentLoginStateChange');
  });

  it('§13.13 CloseConnection: no further events or heartbeats, and the SessionId is refused', async () => {
    const { s, cb } = await setup({ heartbeatIntervalMs: 20 });
    const id = await openSession(s, cb);
    await cb.wait((r) => r.op === 'HeartbeatMessage');
    await call(s, 'CloseConnection', { SessionId: id });
    expect((await fault(s, 'OnLine', { SessionId: id, ...T })).reason).toMatch(/SessionId/);
    const count = cb.received.length;
    // a second session hears a call and several heartbeats: the closed one got nothing meanwhile
    const cb2 = await new CallbackServer().start();
    servers.push(cb2);
    await openSession(s, cb2);
    s.core.dial('1001', '1002');
    await cb2.event('CallStarted');
    await vi.waitFor(() =>
      expect(cb2.received.filter((r) => r.op === 'HeartbeatMessage').length).toBeGreaterThanOrEqual(3),
    );
    expect(cb.received.length).toBe(count);
  });
});

describe('aspect-ctips simulator: agents and calls', () => {
  it('§13.15 LoginAgent(Idle): AgentLoginStateChange(AgentLoggedIn, AgentWorkGroupId 1) then AgentStateChange(Idle), with the RequestId', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    const r = req(id, { AgentLoginName: 'carol', StationId: '1003', InitialState: 'Idle', MultiLine: 0 });
    await call(s, 'LoginAgent', r);
    const login = await cb.event('AgentLoginStateChange');
    expect(field(login.node, 'LoginState')).toBe('AgentLoggedIn');
    expect(field(login.node, 'AgentId')).toBe('1003');
    expect(field(login.node, 'AgentWorkGroupId')).toBe('1');
    expect(field(login.node, 'RequestId')).toBe(String(r.RequestId));
    const st = await cb.event('AgentStateChange');
    expect(field(st.node, 'AgentState')).toBe('Idle');
    expect(field(st.node, 'RequestId')).toBe(String(r.RequestId));
    expect(s.core.getUser('carol')!.agent!.state).toBe('available');
    await call(s, 'LogoutAgent', req(id, { AgentId: 1003, ReasonCode: 0 }));
    const out = await cb.event('AgentLoginStateChange', (n) => field(n, 'LoginState') === 'AgentLoggedOut');
    expect(field(out.node, 'AgentWorkGroupId')).toBe('-1');
    await call(s, 'LogoutAgent', req(id, { AgentId: 1003, ReasonCode: 0 }));
    expect(field((await cb.event('AgentLoginRequestFailed')).node, 'FailureType')).toBe('InvalidAgent');
  });

  it('§13.21 Snapshot: one SnapShotUpdate per entity, only the last with SnapShotComplete; PanicLogout logs everyone out', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'carol', '1003', 'Idle');
    await login(s, id, '1004', '1004', 'NotReady');
    await call(s, 'Snapshot', { SessionId: id, ...T, EntityType: ['AgentInfo', 'ServiceInfo'] });
    await cb.event('SnapShotUpdate', (n) => field(n, 'SnapShotComplete') === 'true');
    const updates = cb.received.filter((r) => r.event?.name === 'SnapShotUpdate').map((r) => r.event!.node);
    expect(updates.map((n) => field(n, 'SnapShotType'))).toEqual([
      'AgentInfo',
      'AgentInfo',
      'ServiceInfo',
      'ServiceInfo',
    ]);
    expect(updates.map((n) => field(n, 'SnapShotComplete'))).toEqual(['false', 'false', 'false', 'true']);
    expect(textOf(updates[0]!, 'AgentData', 'AgentLoginName')).toBe('carol');
    expect(textOf(updates[3]!, 'ServiceData', 'ExternalRoutingEnabled')).toBe('true');
    await call(s, 'PanicLogout', req(id, { LogoutAllAgents: true }));
    await vi.waitFor(() =>
      expect(
        cb.received.filter((r) => r.event && field(r.event.node, 'LoginState') === 'AgentLoggedOut'),
      ).toHaveLength(2),
    );
    expect(s.core.getUser('carol')!.agent!.state).toBe('sign-out');
  });

  it('§13.16 inbound ACD call: exactly the 12 steps of §9.1; CallCompleted repeats the CC values of CallStarted', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'carol', '1003', 'Idle');
    await cb.event('AgentStateChange', agentState('Idle'));
    cb.clear();
    const caller = s.core.dial('+15550100', '2001');
    const connected = await cb.event('CallConnected');
    const callId = field(connected.node, 'CallId')!;
    expect(field(connected.node, 'AgentId')).toBe('1003');
    expect(field(connected.node, 'ResponseRequired')).toBe('true');
    await call(
      s,
      'AcceptCall',
      req(id, { AgentId: 1003, CallId: Number(callId), AcceptCall: true, RejectReason: 0 }),
    );
    await cb.event('AgentStateChange', agentState('Active'));
    s.core.release(caller.id);
    await cb.event('CallCompleted');
    await call(
      s,
      'SetDisposition',
      req(id, {
        AgentId: 1003,
        CallId: Number(callId),
        DispositionId: 1,
        SummaryDispositionSuccessful: true,
        WrapNotRequired: false,
      }),
    );
    await cb.event('AgentStateChange', agentState('Idle'));
    const steps = cb.received
      .filter((r) => r.event)
      .map((r) =>
        r.event!.name === 'AgentStateChange'
          ? `AgentStateChange(${field(r.event!.node, 'AgentState')})`
          : r.event!.name,
      );
    expect(steps).toEqual([
      'CallStarted',
      'CallOffered',
      'CallDelivered',
      'CallConnected',
      'AgentStateChange(PendingActive)',
      'CallEstablished',
      'AgentStateChange(Active)',
      'CallCleared',
      'AgentStateChange(Wrap)',
      'CallEnd',
      'CallCompleted',
      'AgentStateChange(Idle)',
    ]);
    const ev = (n: string) => cb.received.find((r) => r.event?.name === n)!.event!.node;
    expect(field(ev('CallOffered'), 'RequestId')).toBe('0');
    expect(field(ev('CallCleared'), 'ClearingPartyType')).toBe('FarEnd');
    for (const n of ['CallStarted', 'CallCompleted']) expect(field(ev(n), 'CallId')).toBe(callId);
    for (const cc of ['CallSequenceId', 'CallOriginatingSiteId'])
      expect(field(ev('CallCompleted'), cc)).toBe(field(ev('CallStarted'), cc));
  });

  it('§13.17 AcceptCall with the CallId of CallConnected answers that call: CallEstablished', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'carol', '1003', 'NotReady');
    s.core.dial('+15550100', '1003');
    const connected = await cb.event('CallConnected');
    const callId = field(connected.node, 'CallId')!;
    const carolLeg = () => s.core.listLegs({ userId: 'carol@sim.example' })[0]!;
    expect(carolLeg().state).toBe('alerting');
    // another CallId is not this agent's call
    const wrong = req(id, { AgentId: 1003, CallId: Number(callId) + 50, AcceptCall: true, RejectReason: 0 });
    await call(s, 'AcceptCall', wrong);
    const failed = await cb.event('CallRequestFailed');
    expect(field(failed.node, 'RequestId')).toBe(String(wrong.RequestId));
    expect(carolLeg().state).toBe('alerting');
    await call(
      s,
      'AcceptCall',
      req(id, { AgentId: 1003, CallId: Number(callId), AcceptCall: true, RejectReason: 0 }),
    );
    const established = await cb.event('CallEstablished');
    expect(field(established.node, 'CallId')).toBe(callId);
    expect(field(established.node, 'AgentId')).toBe('1003');
    expect(carolLeg().state).toBe('active');
  });

  it('§13.25 a call-control request with a CallId after its CallEnd fails: CallRequestFailed(InvalidCallId)', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'carol', '1003', 'NotReady');
    const caller = s.core.dial('+15550100', '1003');
    const callId = Number(field((await cb.event('CallConnected')).node, 'CallId'));
    await call(
      s,
      'AcceptCall',
      req(id, { AgentId: 1003, CallId: callId, AcceptCall: true, RejectReason: 0 }),
    );
    await cb.event('CallEstablished');
    s.core.release(caller.id);
    await cb.event('CallEnd', (n) => field(n, 'CallId') === String(callId));
    for (const op of ['HoldCall', 'ClearCall'] as const) {
      const r = req(id, { AgentId: 1003, CallId: callId });
      expect((await call(s, op, r)).text).toBe('0');
      const failed = await cb.event(
        'CallRequestFailed',
        (n) => field(n, 'RequestId') === String(r.RequestId),
      );
      expect(field(failed.node, 'FailureType')).toBe('InvalidCallId');
      expect(field(failed.node, 'CallId')).toBe(String(callId));
    }
  });

  it('§13.14 RequestId: solicited events echo it; CallOffered, RouteRequest and an agent-dialled CallOriginated carry 0; header fields without data are 0', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    const login = req(id, {
      AgentLoginName: 'alice',
      StationId: '1001',
      InitialState: 'NotReady',
      MultiLine: 0,
    });
    await call(s, 'LoginAgent', login);
    await cb.event('AgentStateChange');
    const ask = req(id, { AgentId: 1001 });
    await call(s, 'GetAgentState', ask);
    await cb.event('AgentStateChange', (n) => field(n, 'RequestId') === String(ask.RequestId));
    const solicited = cb.received.filter((r) => r.event).map((r) => field(r.event!.node, 'RequestId'));
    expect(solicited).toEqual([String(login.RequestId), String(login.RequestId), String(ask.RequestId)]);
    cb.clear();
    // alice dials from her own phone: no client request caused it
    s.core.dial('1001', '1002');
    const originated = await cb.event('CallOriginated');
    expect(field(originated.node, 'RequestId')).toBe('0');
    expect(field(originated.node, 'AgentId')).toBe('1001');
    s.core.dial('+15550100', '2001');
    expect(field((await cb.event('CallOffered')).node, 'RequestId')).toBe('0');
    s.core.dial('+15550101', '3001');
    expect(field((await cb.event('RouteRequest')).node, 'RequestId')).toBe('0');
    const events = cb.received.filter((r) => r.event).map((r) => r.event!.node);
    // every event carries the whole CTIEvent header (L1119-1126), 0 where there is nothing to say
    for (const n of events)
      for (const h of EVENT_HEADER)
        expect(field(n, h), `${field(n, 'EventType')} ${h}`).toMatch(
          h.startsWith('Event') ? /^\w+$/ : /^-?\d+$/,
        );
    expect(events.map((n) => field(n, 'RequestId'))).toEqual(events.map(() => '0'));
    const started = events.find((n) => field(n, 'EventType') === 'CallStarted')!;
    expect(field(started, 'ServiceId')).toBe('0'); // an internal call: no service
    expect(field(started, 'AgentId')).toBe('0'); // CallStarted names no agent (L1625-1629)
    // LinkStatus (RequestId 0, TenantId 0, L1802-1803) is never sent: no simulated component goes down
  });

  it('§13.23 MakeCall(CallId -1, External): CallOriginated with the RequestId, DestType External and the number', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'alice', '1001', 'NotReady');
    const r = req(id, {
      AgentId: 1001,
      CallId: -1,
      DestinationType: 'External',
      ServiceId: 0,
      WrapState: false,
      DestinationAddress: '+15550100',
    });
    await call(s, 'MakeCall', r);
    const orig = await cb.event('CallOriginated');
    expect(field(orig.node, 'RequestId')).toBe(String(r.RequestId));
    expect(field(orig.node, 'DestType')).toBe('External');
    expect(field(orig.node, 'Destination')).toBe('+15550100');
    expect(field(orig.node, 'AgentId')).toBe('1001');
    const ext = s.core.listLegs().find((l) => l.self.number === '+15550100')!;
    s.core.answer(ext.id);
    await cb.event('CallEstablished');
    const callId = Number(field(orig.node, 'CallId'));
    await call(s, 'HoldCall', req(id, { AgentId: 1001, CallId: callId }));
    await cb.event('CallHeld');
    await call(s, 'RetrieveCall', req(id, { AgentId: 1001, CallId: callId }));
    await cb.event('CallRetrieved');
    await call(s, 'SendDTMFDigits', req(id, { AgentId: 1001, CallId: callId, DTMFDigits: '12#' }));
    expect(field((await cb.event('DigitsDialed')).node, 'DigitString')).toBe('12#');
    await call(s, 'ClearCall', req(id, { AgentId: 1001, CallId: callId }));
    const cleared = await cb.event('CallCleared');
    expect(field(cleared.node, 'ClearingPartyType')).toBe('NearEnd');
    await cb.event('CallEnd');
  });

  it('§13.22 call data: GetCallData → GetCallDataNotReturned; SetCallData → SetCallDataSucceeded; then GetCallDataReturned with the key/value data', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'alice', '1001', 'NotReady');
    s.core.dial('1001', '+15550100');
    const callId = Number(field((await cb.event('CallOriginated')).node, 'CallId'));
    const echo = (r: { RequestId: number }) => (n: XmlNode) => field(n, 'RequestId') === String(r.RequestId);
    const get1 = req(id, { AgentId: 1001, CallId: callId });
    await call(s, 'GetCallData', get1);
    expect(field((await cb.event('CallDataUpdate', echo(get1))).node, 'UpdateType')).toBe(
      'GetCallDataNotReturned',
    );
    const set = req(id, { AgentId: 1001, CallId: callId, UserData: ['acct 42'] });
    await call(s, 'SetCallData', set);
    const setDone = await cb.event('CallDataUpdate', echo(set));
    expect(field(setDone.node, 'UpdateType')).toBe('SetCallDataSucceeded');
    expect(field(setDone.node, 'CallId')).toBe(String(callId));
    const get2 = req(id, { AgentId: 1001, CallId: callId });
    await call(s, 'GetCallData', get2);
    const got = await cb.event('CallDataUpdate', echo(get2));
    expect(field(got.node, 'UpdateType')).toBe('GetCallDataReturned');
    expect(textOf(got.node, 'CallData', 'CTICallDataItem', 'key')).toMatch(/.+/);
    expect(textOf(got.node, 'CallData', 'CTICallDataItem', 'value')).toBe('acct 42');
  });
});

describe('aspect-ctips simulator: consultation, transfer, conference (§9.5)', () => {
  /** carol (1003, agent) talks to an outside caller, then consults dave (1004) with ConsultationCall. */
  async function consulted(s: Sim, cb: CallbackServer, id: string) {
    await login(s, id, 'carol', '1003', 'NotReady');
    const caller = s.core.dial('+15550100', '1003');
    const connected = await cb.event('CallConnected');
    const callId = Number(field(connected.node, 'CallId'));
    await call(
      s,
      'AcceptCall',
      req(id, { AgentId: 1003, CallId: callId, AcceptCall: true, RejectReason: 0 }),
    );
    await cb.event('CallEstablished');
    const r = req(id, {
      AgentId: 1003,
      CallId: callId,
      DestinationAddress: 'dave',
      ServiceId: 0,
      DestinationType: 'Agent',
      UserData: '',
    });
    await call(s, 'ConsultationCall', r);
    await cb.event('CallHeld', (n) => field(n, 'CallId') === String(callId));
    const orig = await cb.event('CallOriginated', (n) => field(n, 'RequestId') === String(r.RequestId));
    const consultId = Number(field(orig.node, 'CallId'));
    expect(consultId).not.toBe(callId);
    const daveLeg = s.core.listLegs({ userId: 'dave@sim.example' })[0]!;
    s.core.answer(daveLeg.id);
    const consultation = await cb.event('CallConsultation');
    expect(field(consultation.node, 'CallId')).toBe(String(callId));
    expect(field(consultation.node, 'ConsultationCallId')).toBe(String(consultId));
    return { caller, callId, consultId };
  }

  it('§13.24 a valid TransferCall(Consultation): ConsultationCall → CallHeld, CallOriginated, CallConsultation, then CallTransferred', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    const { callId, consultId } = await consulted(s, cb, id);
    await call(
      s,
      'TransferCall',
      req(id, {
        AgentId: 1003,
        CallId: callId,
        DestinationType: 'Agent',
        ConsultationCallId: consultId,
        TransferType: 'Consultation',
      }),
    );
    const t = await cb.event('CallTransferred');
    expect(field(t.node, 'ConsultedCallId')).toBe(String(consultId));
    expect(s.core.listLegs({ userId: 'carol@sim.example' })).toEqual([]);
  });

  it('ConferenceCall joins the held call and the consult call: CallConferenced', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    const { callId, consultId } = await consulted(s, cb, id);
    await call(
      s,
      'ConferenceCall',
      req(id, { AgentId: 1003, CallId: callId, ConsultationCallId: consultId }),
    );
    const c = await cb.event('CallConferenced');
    expect(field(c.node, 'ConsultingCallId')).toBe(String(callId));
    expect(field(c.node, 'ConsultedCallId')).toBe(String(consultId));
  });

  it('§13.24 a valid TransferCall(Blind) to an outside number produces CallTransferred', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'carol', '1003', 'NotReady');
    s.core.dial('+15550100', '1003');
    const callId = Number(field((await cb.event('CallConnected')).node, 'CallId'));
    await call(
      s,
      'AcceptCall',
      req(id, { AgentId: 1003, CallId: callId, AcceptCall: true, RejectReason: 0 }),
    );
    await cb.event('CallEstablished');
    const r = req(id, {
      AgentId: 1003,
      CallId: callId,
      DestinationType: 'External',
      DestinationAddress: '+15550200',
      TransferType: 'Blind',
    });
    expect((await call(s, 'TransferCall', r)).text).toBe('0');
    const transferred = await cb.event('CallTransferred');
    expect(field(transferred.node, 'CallId')).toBe(String(callId));
    expect(field(transferred.node, 'RequestId')).toBe(String(r.RequestId));
    // carol left the call; the caller now rings at the outside number
    expect(s.core.listLegs({ userId: 'carol@sim.example' })).toEqual([]);
    expect(s.core.listLegs().some((l) => l.self.number === '+15550200' && l.state === 'alerting')).toBe(true);
  });
});

describe('aspect-ctips simulator: routing', () => {
  it('§13.18 RouteRequest (RequestId 0) → RouteSelect: RouteUsed with the RequestId and RouteSuccess, then CallConnected', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    await login(s, id, 'bob', '1002', 'Idle');
    s.core.dial('+15550100', '3001');
    const rr = await cb.event('RouteRequest');
    expect(field(rr.node, 'RequestId')).toBe('0');
    expect(field(rr.node, 'RouteTimeout')).toBe('10');
    const callId = Number(field(rr.node, 'CallId'));
    const r = req(id, {
      CallId: callId,
      RouteActionType: 'RouteToAgent',
      RouteDestination: 'bob',
      UserData: [],
    });
    await call(s, 'RouteSelect', r);
    const used = await cb.event('RouteUsed');
    expect(field(used.node, 'RequestId')).toBe(String(r.RequestId));
    expect(field(used.node, 'RouteStatus')).toBe('RouteSuccess');
    await cb.event('CallConnected', (n) => field(n, 'AgentId') === '1002');
    const names = cb.names();
    expect(names.indexOf('RouteUsed')).toBeLessThan(names.indexOf('CallConnected'));
  });

  it('§13.20 an invalid route destination: RouteReject with its reason, RouteRequestFailed with its type and text, both echoing the RequestId', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    s.core.dial('+15550100', '3001');
    const callId = Number(field((await cb.event('RouteRequest')).node, 'CallId'));
    // an unreachable destination is rejected, and the route request stays open
    const bad = req(id, { CallId: callId, RouteActionType: 'RouteToService', RouteDestination: '9999' });
    await call(s, 'RouteSelect', bad);
    const reject = await cb.event('RouteReject');
    expect(field(reject.node, 'RouteRejectReason')).toBe('NoRouteToDestination');
    expect(field(reject.node, 'RequestId')).toBe(String(bad.RequestId));
    expect(field(reject.node, 'CallId')).toBe(String(callId));
    const ok = req(id, { CallId: callId, RouteActionType: 'RouteToService', RouteDestination: '2001' });
    await call(s, 'RouteSelect', ok);
    expect(field((await cb.event('RouteUsed')).node, 'RequestId')).toBe(String(ok.RequestId));
    // the request is closed now: a further RouteSelect fails
    const late = req(id, { CallId: callId, RouteActionType: 'RouteToDefault' });
    await call(s, 'RouteSelect', late);
    const failed = await cb.event('RouteRequestFailed');
    expect(field(failed.node, 'RequestId')).toBe(String(late.RequestId));
    expect(field(failed.node, 'FailureType')).toBe('InvalidCallId');
    expect(field(failed.node, 'FailureReason')).toMatch(/.+/);
    expect(cb.names().filter((n) => n === 'RouteUsed')).toHaveLength(1);
  });

  it('§13.19 route timeout: only RouteUsed(RequestId 0, RouteDefaultUsed), the call goes to the default route', async () => {
    const { s, cb } = await setup({ routeTimeoutMs: 50 });
    await openSession(s, cb);
    s.core.dial('+15550100', '3001');
    const used = await cb.event('RouteUsed');
    expect(field(used.node, 'RequestId')).toBe('0');
    expect(field(used.node, 'RouteStatus')).toBe('RouteDefaultUsed');
    expect(field(used.node, 'RouteType')).toBe('RouteToDefault');
    await cb.event('CallDelivered', (n) => field(n, 'ServiceId') === '2001');
    expect(cb.names().some((n) => n === 'RouteReject' || n === 'RouteRequestFailed')).toBe(false);
  });
});

describe('aspect-ctips simulator: faults and hygiene', () => {
  it('§13.24 invalid requests get SOAP faults naming the problem', async () => {
    const { s, cb } = await setup();
    const id = await openSession(s, cb);
    expect((await fault(s, 'OnLine', { SessionId: 'nope', ...T })).reason).toMatch(/SessionId/);
    expect((await fault(s, 'OnLine', { SessionId: id, TenantId: 2 })).reason).toMatch(/TenantId/);
    expect((await fault(s, 'GetAgentState', req(id))).reason).toMatch(/AgentId/);
    expect(
      (await fault(s, 'AddMessageClass', { SessionId: id, ...T, MessageClass: 'Bogus' })).reason,
    ).toMatch(/MessageClass/);
    expect(
      (await fault(s, 'AddFilter', { SessionId: id, ...T, FieldType: 'FT_TENANT_ID', FieldValue: '1' }))
        .reason,
    ).toMatch(/FieldType/);
    expect((await fault(s, 'PanicLogout', req(id, { LogoutAllAgents: false }))).reason).toMatch(
      /AgentLoginNameList/,
    );
    const blind = req(id, { AgentId: 1003, CallId: 1, DestinationType: 'External', TransferType: 'Blind' });
    expect((await fault(s, 'TransferCall', blind)).reason).toMatch(/DestinationAddress/);
    const consult = req(id, {
      AgentId: 1003,
      CallId: 1,
      DestinationType: 'External',
      TransferType: 'Consultation',
    });
    expect((await fault(s, 'TransferCall', consult)).reason).toMatch(/ConsultationCallId/);
    expect((await fault(s, 'RouteSelect', req(id, { CallId: 1, RouteActionType: 'Ivr' }))).reason).toMatch(
      /RouteActionType/,
    );
  });

  it('refuses DTDs, oversized bodies, unknown operations, other paths and methods', async () => {
    const { s } = await setup({ maxBodyBytes: 2048 });
    const post = (body: string, url = s.serviceUrl) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    const dtd = await post('<!DOCTYPE x [<!ENTITY a "b">]><x/>');
    expect(dtd.status).toBe(400);
    expect(await dtd.text()).toMatch(/faultcode/);
    expect((await post('x'.repeat(4096))).status).toBe(413);
    const unknown = await post(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Nope xmlns="http://tempuri.org/"/></s:Body></s:Envelope>',
    );
    expect(unknown.status).toBe(500);
    expect(await unknown.text()).toMatch(/ActionNotSupported/);
    expect((await post('<x/>', s.serviceUrl.replace(/\/[^/]*$/, '/other'))).status).toBe(404);
    expect((await fetch(s.serviceUrl)).status).toBe(405);
  });
});
