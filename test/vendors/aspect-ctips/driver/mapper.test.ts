/**
 * The CTIPS mapper (vendors/aspect-ctips/driver/mapper.ts): event documents built with the wire
 * codec's callback builder (the simulator's), read back with its reader, mapped into normalized
 * drafts. Every draft is checked against the event model. The sequences are the digest's §9 flows
 * (inbound ACD call, outbound call, consultation/transfer/conference, route select and timeout, login,
 * snapshot) and, per scenario of test/scenarios/suite.ts, the REFERENCE lines. The tables these tests
 * follow are in docs/protocols/aspect-ctips.md, "Mapping (CTIPS → event model)".
 */
import { describe, expect, it } from 'vitest';
import {
  EVENT_FAMILIES,
  parseEventData,
  type EventDraft,
  type EventFamily,
  type Target,
} from '../../../../shared/events/model.js';
import { CtipsMapError, CtipsMapper } from '../../../../vendors/aspect-ctips/driver/mapper.js';
import {
  agentStateValue,
  clearingCause,
  kebab,
  snapshotCallState,
} from '../../../../vendors/aspect-ctips/driver/mapper-codes.js';
import { PENDING_MAX } from '../../../../vendors/aspect-ctips/driver/mapper-calls.js';
import { correlationOf } from '../../../../vendors/aspect-ctips/driver/mapper-fields.js';
import {
  buildCallback,
  parseCallback,
  type CtipsEvent,
} from '../../../../vendors/aspect-ctips/wire/callbacks.js';
import { REFERENCE } from '../../../scenarios/suite.js';
import { prng } from '../../../support/prng.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NAMES: Record<string, string> = {
  '1001': 'alice',
  '1002': 'bob',
  '1003': 'carol',
  '1004': 'dave',
  '2001': 'sales',
};
/** AgentIds CTIPS gives the seed users' agents at login (AgentLoginStateChange, L1149-1177). */
const AGENT: Record<string, number> = { alice: 11, bob: 12, carol: 13, dave: 14 };
const EXT: Record<string, string> = { alice: '1001', bob: '1002', carol: '1003', dave: '1004' };

function mapper(opts: { families?: EventFamily[]; only?: string[] } = {}): CtipsMapper {
  const families = new Set(opts.families ?? EVENT_FAMILIES);
  return new CtipsMapper({
    now: () => NOW,
    contextOf: (t: Target) =>
      t.id !== undefined && (!opts.only || opts.only.includes(t.id)) ? { target: t, families } : undefined,
  });
}

/** One PublishCTIEvent, written by the simulator's builder and read back by the client's reader. */
function ev(type: string, fields: Record<string, unknown> = {}): CtipsEvent {
  const { event } = parseCallback(buildCallback('PublishCTIEvent', { EventType: type, ...fields }).xml);
  if (!event) throw new Error('no event');
  return event;
}

/** The CC block of call `id` (CallSequenceId 9000 + id, site 1). */
const cc = (id: number) => ({ CallId: id, CallSequenceId: 9000 + id, CallOriginatingSiteId: 1 });

/** `who type state` lines (the scenario suite's form); every draft is validated first. */
function lines(drafts: EventDraft[]): string[] {
  return drafts.map((d) => {
    parseEventData(d.type, d.data);
    expect(d.vendor.name).toBe('aspect-ctips');
    const data = d.data as Record<string, any>;
    const state = data.call?.state ?? data.agent?.state ?? data.conference?.state ?? '';
    const id = d.target.id ?? d.target.type;
    return `${NAMES[id] ?? id} ${d.type}${state && !d.type.startsWith('queue.') ? ` ${state}` : ''}`;
  });
}
const dataOf = (d: EventDraft | undefined) => d?.data as Record<string, any>;

/** Feeds events, returning all drafts. */
function feed(m: CtipsMapper, events: CtipsEvent[]): EventDraft[] {
  return events.flatMap((e) => m.map(e));
}

/** The agents' logins (AgentLoginStateChange + the initial AgentStateChange, L272), not asserted. */
function login(m: CtipsMapper, who: string[], initial = 'NotReady'): void {
  for (const w of who)
    feed(m, [
      ev('AgentLoginStateChange', {
        AgentId: AGENT[w],
        AgentLoginName: EXT[w],
        AgentStationAddress: EXT[w],
        LoginState: 'AgentLoggedIn',
        AgentWorkGroupId: 1,
      }),
      ev('AgentStateChange', { AgentId: AGENT[w], AgentState: initial }),
    ]);
}

/** `from` dials `to` (an agent-to-agent call, Appendix E "Agent to Agent"), up to the callee ringing. */
function dial(from: string, to: string, id: number, agentInStarted = true): CtipsEvent[] {
  return [
    ev('CallStarted', { ...cc(id), AgentId: agentInStarted ? AGENT[from] : 0 }),
    ev('CallOriginated', {
      ...cc(id),
      AgentId: AGENT[from],
      RequestId: 7,
      DestType: 'Agent',
      Destination: EXT[to],
      CallProgressSignal: 'Ringing',
    }),
    ev('CallConnected', {
      ...cc(id),
      AgentId: AGENT[to],
      OriginatingAgentId: AGENT[from],
      CallInfo: [{ ANI: EXT[from], DNIS: EXT[to], FirstName: null, LastName: null }],
      ResponseRequired: true,
      CallType: 'InboundInternal',
    }),
    ev('AgentStateChange', { AgentId: AGENT[to], AgentState: 'PendingActive' }),
  ];
}
const answer = (who: string, id: number) => [
  ev('CallEstablished', { ...cc(id), AgentId: AGENT[who], MediaType: 'VoiceAnalog' }),
  ev('AgentStateChange', { AgentId: AGENT[who], AgentState: 'Active' }),
];
const clear = (who: string, id: number, party = 'NearEnd') => [
  ev('CallCleared', { ...cc(id), AgentId: AGENT[who], ClearingPartyType: party, ConsultationCallId: 0 }),
];
const end = (id: number) => [ev('CallEnd', { ...cc(id), AgentDisposition: 0 }), ev('CallCompleted', cc(id))];

/** Drops the given lines (each once) from a reference sequence: the documented differences. */
function minus(ref: string[], ...drop: string[]): string[] {
  const out = [...ref];
  for (const d of drop) {
    const at = out.indexOf(d);
    expect(at, d).toBeGreaterThanOrEqual(0);
    out.splice(at, 1);
  }
  return out;
}
const callLines = (l: string[]) => l.filter((x) => / (call|conference)\./.test(x));

// ------------------------------------------------------------------ the scenarios' reference lines

describe('aspect-ctips mapper: the shared scenarios (REFERENCE lines)', () => {
  it('basic: exactly the reference when CallStarted names the agent', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ...clear('alice', 501),
      ...end(501),
    ]);
    expect(callLines(lines(out))).toEqual(REFERENCE.basic);
  });

  it('basic: without the agent in CallStarted there is no call.updated dialing', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501, false),
      ...answer('bob', 501),
      ...clear('alice', 501),
      ...end(501),
    ]);
    expect(callLines(lines(out))).toEqual(minus(REFERENCE.basic!, 'alice call.updated dialing'));
  });

  it('hold: a refused early hold gives nothing; the far end hears the hold', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ev('CallRequestFailed', {
        ...cc(501),
        AgentId: 12,
        FailureType: 'InvalidStateForRequest',
        FailureReason: 'ringing',
      }),
      ...answer('bob', 501),
      ev('CallHeld', { ...cc(501), AgentId: 12 }),
      ev('CallRetrieved', { ...cc(501), AgentId: 12 }),
      ...clear('bob', 501),
      ...end(501),
    ]);
    expect(callLines(lines(out))).toEqual(REFERENCE.hold);
  });

  it('blind-transfer: CallTransferred, then the new agent rings and accepts', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ev('CallTransferred', {
        ...cc(501),
        AgentId: 12,
        ConsultingCallId: 501,
        ConsultedCallId: 0,
        ConsultationAgentId: 0,
        TransferredCallId: 501,
      }),
      ...dial('alice', 'carol', 501).slice(2),
      // CallEstablished comes once per call (at bob's answer): carol's acceptance is her AgentStateChange(Active)
      ev('AgentStateChange', { AgentId: 13, AgentState: 'Active' }),
      ...clear('carol', 501),
      ...end(501),
    ]);
    expect(callLines(lines(out))).toEqual(REFERENCE['blind-transfer']);
    const t = out.find((d) => d.type === 'call.transferred' && d.target.id === '1002');
    expect(dataOf(t).transfer).toEqual({ mode: 'blind' });
    const carol = out.find((d) => d.type === 'call.received' && d.target.id === '1003');
    expect(dataOf(carol).call).toMatchObject({ correlationId: '1:9501', remote: { address: '1001' } });
    const aliceAnswered = out.filter((d) => d.type === 'call.answered' && d.target.id === '1001').at(-1);
    expect(dataOf(aliceAnswered).call).toMatchObject({
      remote: { address: '1003' },
      via: { type: 'transfer' },
    });
  });

  it("blind-transfer: the new agent's leg under a CallId of its own joins the call", () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ev('CallTransferred', { ...cc(501), AgentId: 12, ConsultingCallId: 501, TransferredCallId: 501 }),
      ...dial('alice', 'carol', 503).slice(2),
      ev('AgentStateChange', { AgentId: 13, AgentState: 'Active' }),
      ...clear('carol', 503),
      ...end(503),
      ...end(501),
    ]);
    expect(callLines(lines(out))).toEqual(REFERENCE['blind-transfer']);
    expect(
      new Set(out.filter((d) => d.type.startsWith('call.')).map((d) => dataOf(d).call.correlationId)),
    ).toEqual(new Set(['1:9501']));
  });

  it('consult-transfer: ConsultationCall, CallConsultation, CallTransferred(Consulted)', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ev('CallHeld', { ...cc(501), AgentId: 12 }),
      ...dial('bob', 'carol', 502),
      // the consultation answered: CallConsultation (CallId the consulting call, L1387-1404)
      ev('CallConsultation', {
        ...cc(502),
        CallId: 501,
        AgentId: 13,
        ConsultationCallId: 502,
        ConsultationAgentId: 12,
      }),
      ev('CallTransferred', {
        ...cc(501),
        AgentId: 12,
        ConsultingCallId: 501,
        ConsultedCallId: 502,
        ConsultationAgentId: 0,
        TransferredCallId: 501,
      }),
      ...clear('bob', 501),
      ...clear('carol', 502),
      ...end(501),
      ...end(502),
    ]);
    expect(callLines(lines(out))).toEqual(REFERENCE['consult-transfer']);
    const carol = out.filter((d) => d.target.id === '1003');
    expect(dataOf(carol.at(-1)).call).toMatchObject({ correlationId: '1:9501', remote: { address: '1001' } });
    expect(m.callsOf('1002')).toEqual([]);
  });

  it('conference: CallConferenced; two BroadWorks-only lines are absent', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ev('CallHeld', { ...cc(501), AgentId: 11 }),
      ...dial('alice', 'carol', 502),
      ...answer('carol', 502),
      ev('CallConferenced', {
        ...cc(501),
        AgentId: 11,
        ConsultingCallId: 501,
        ConsultedCallId: 502,
        ConsultationAgentId: 13,
        ConferenceCallId: 501,
      }),
      ...clear('alice', 501),
      ...end(501),
      ...clear('alice', 502),
      ...end(502),
    ]);
    expect(callLines(lines(out))).toEqual(
      minus(REFERENCE.conference!, 'alice call.updated held', 'alice call.updated active'),
    );
    const started = out.find((d) => d.type === 'conference.started');
    expect(dataOf(started).conference).toEqual({
      id: '501',
      state: 'active',
      calls: ['501', '502'],
      parties: [{ address: '1002' }, { address: '1003' }],
    });
  });

  it('services: no DND/forwarding events; a call presented elsewhere while ringing is forwarded', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ...dial('alice', 'carol', 501).slice(2),
      ...clear('alice', 501),
      ...end(501),
    ]);
    const want = REFERENCE.services!.filter((l) => !l.includes(' service.'));
    expect(callLines(lines(out))).toEqual(want);
  });

  it('agent-states: login, states, logout (initial NotReady folded into sign-in)', () => {
    for (const initial of ['NotReady', 'Idle']) {
      const m = mapper();
      const a = { AgentId: 14 };
      const out = feed(m, [
        ev('AgentLoginStateChange', {
          ...a,
          AgentLoginName: '1004',
          AgentStationAddress: '1004',
          LoginState: 'AgentLoggedIn',
          AgentWorkGroupId: 3,
        }),
        ev('AgentStateChange', { ...a, AgentState: initial }),
        ev('AgentStateChange', { ...a, AgentState: 'Idle' }),
        ev('AgentStateChange', { ...a, AgentState: 'NotReady' }),
        ev('AgentStateChange', { ...a, AgentState: 'Wrap' }),
        ev('AgentStateChange', { ...a, AgentState: 'WrapWarning' }),
        ev('AgentStateChange', { ...a, AgentState: 'Idle' }),
        ev('AgentLoginStateChange', {
          ...a,
          AgentLoginName: '1004',
          LoginState: 'AgentLoggedOut',
          AgentWorkGroupId: -1,
        }),
        ev('AgentStateChange', { ...a, AgentState: 'NotReady' }),
      ]);
      expect(lines(out)).toEqual(REFERENCE['agent-states']);
      expect(dataOf(out[0]).agent).toEqual({ id: '1004', state: 'sign-in' });
      expect(m.agentStateOf('14')).toBe('sign-out');
    }
  });

  it('acd: the 12-step inbound call of §9.1 gives the reference, then wrap-up', () => {
    const m = mapper();
    login(m, ['carol']);
    const out = feed(m, [
      ev('AgentStateChange', { AgentId: 13, AgentState: 'Idle' }),
      ...inbound(601, 13, 2001),
    ]);
    const l = lines(out);
    expect(l.slice(0, REFERENCE.acd!.length)).toEqual(REFERENCE.acd);
    expect(l.slice(REFERENCE.acd!.length)).toEqual([
      'carol agent.state wrap-up',
      'carol agent.state available',
    ]);
    const offered = out.find((d) => d.type === 'queue.call.offered');
    expect(dataOf(offered)).toEqual({
      queue: { id: '2001' },
      call: { id: '601', correlationId: '1:9601', remote: { address: '+15550100' }, agent: '1003' },
    });
    const received = out.find((d) => d.type === 'call.received');
    expect(dataOf(received).call).toMatchObject({
      id: '601',
      correlationId: '1:9601',
      direction: 'inbound',
      local: { user: '1003', address: '1003' },
      remote: { address: '+15550100', name: 'Ann Smith' },
      via: { type: 'queue', id: '2001' },
      state: 'alerting',
    });
    const released = out.find((d) => d.type === 'call.released');
    expect(dataOf(released).call).toMatchObject({ releaseCause: 'far-end', answeredAt: NOW.toISOString() });
  });
});

/** The §9.1 inbound call (L339-357): 12 events, `agent` at service `service`. */
function inbound(id: number, agent: number, service: number): CtipsEvent[] {
  const info = {
    ANI: '+15550100',
    DNIS: '8005550000',
    FirstName: 'Ann',
    LastName: 'Smith',
    CallData: [{ key: 'acct', value: '42' }],
  };
  return [
    ev('CallStarted', cc(id)),
    ev('CallOffered', { ...cc(id), ServiceId: service, ANI: info.ANI, DNIS: info.DNIS }),
    ev('CallDelivered', {
      ...cc(id),
      ServiceId: service,
      CallType: 'InboundAcd',
      ANI: info.ANI,
      DNIS: info.DNIS,
    }),
    ev('CallConnected', {
      ...cc(id),
      AgentId: agent,
      ServiceId: service,
      CallInfo: [info],
      CallType: 'InboundAcd',
    }),
    ev('AgentStateChange', { AgentId: agent, AgentState: 'PendingActive' }),
    ev('CallEstablished', { ...cc(id), AgentId: agent, ServiceId: service, ANI: info.ANI, DNIS: info.DNIS }),
    ev('AgentStateChange', { AgentId: agent, AgentState: 'Active' }),
    ev('CallCleared', { ...cc(id), AgentId: agent, ServiceId: service, ClearingPartyType: 'FarEnd' }),
    ev('AgentStateChange', { AgentId: agent, AgentState: 'Wrap' }),
    ev('CallEnd', { ...cc(id), AgentId: agent, ServiceId: service, AgentDisposition: 1 }),
    ev('CallCompleted', cc(id)),
    ev('AgentStateChange', { AgentId: agent, AgentState: 'Idle' }),
  ];
}

// ------------------------------------------------------------------ the digest's §9 sequences

describe('aspect-ctips mapper: the §9 sequences', () => {
  it('§9.1 inbound call abandoned in the queue: queue.call.abandoned', () => {
    const m = mapper();
    const out = feed(m, [
      ev('CallStarted', cc(602)),
      ev('CallDelivered', { ...cc(602), ServiceId: 2001, ANI: '+15550101' }),
      ev('CallCleared', { ...cc(602), ClearingPartyType: 'FarEnd' }),
      ...end(602),
    ]);
    expect(lines(out)).toEqual(['sales queue.call.added', 'sales queue.call.abandoned']);
    expect(dataOf(out[1]).call).toMatchObject({ reason: 'far-end', remote: { address: '+15550101' } });
  });

  it('outbound call (MakeCall to an external number): originated, alerting, answered, released', () => {
    const m = mapper();
    login(m, ['alice']);
    const out = feed(m, [
      ev('CallStarted', { ...cc(701), AgentId: 11 }),
      ev('CallOriginated', {
        ...cc(701),
        AgentId: 11,
        RequestId: 9,
        DestType: 'External',
        Destination: '+15550199',
        CallProgressSignal: 'None',
      }),
      ev('CallOriginated', {
        ...cc(701),
        AgentId: 11,
        DestType: 'External',
        Destination: '+15550199',
        CallProgressSignal: 'Ringing',
      }),
      ev('CallEstablished', { ...cc(701), AgentId: 11 }),
      ...clear('alice', 701),
      ...end(701),
    ]);
    expect(lines(out)).toEqual([
      'alice call.originated dialing',
      'alice call.updated dialing',
      'alice call.updated alerting',
      'alice call.answered active',
      'alice call.released released',
    ]);
    expect(dataOf(out[3]).call).toMatchObject({ direction: 'outbound', remote: { address: '+15550199' } });
    expect(dataOf(out[4]).call.releaseCause).toBe('near-end');
  });

  it('outbound call to a busy number: CallRequestFailed ends the dialing leg', () => {
    const m = mapper();
    login(m, ['alice']);
    const out = feed(m, [
      ev('CallOriginated', { ...cc(702), AgentId: 11, DestType: 'External', Destination: '+15550198' }),
      ev('CallRequestFailed', {
        ...cc(702),
        AgentId: 11,
        FailureType: 'DestinationBusy',
        FailureReason: 'busy',
      }),
    ]);
    expect(lines(out)).toEqual(['alice call.originated dialing', 'alice call.released released']);
    expect(dataOf(out[1]).call.releaseCause).toBe('destination-busy');
  });

  it('route select (§9.2): route.request, RouteUsed (route.used), then the agent rings via the route point', () => {
    const m = mapper();
    login(m, ['carol']);
    const out = feed(m, [
      ev('CallStarted', cc(801)),
      ev('RouteRequest', {
        ...cc(801),
        ServiceId: 3000,
        RouteTimeout: 10,
        CallInfo: [{ ANI: '+15550102', DNIS: '8005550001' }],
      }),
      ev('RouteUsed', {
        ...cc(801),
        RequestId: 21,
        ServiceId: 3000,
        RouteStatus: 'RouteSuccess',
        RouteType: 'RouteToAgent',
        RouteDestination: '1003',
      }),
      ev('CallConnected', { ...cc(801), AgentId: 13, CallInfo: [{ ANI: '+15550102' }] }),
    ]);
    expect(lines(out)).toEqual(['3000 route.request', '3000 route.used', 'carol call.received alerting']);
    expect(out[0]!.target).toEqual({ type: 'routePoint', id: '3000' });
    expect(dataOf(out[0])).toEqual({
      routePoint: { id: '3000' },
      call: { id: '801', correlationId: '1:9801', remote: { address: '+15550102' }, dnis: '8005550001' },
    });
    expect(dataOf(out[1])).toEqual({
      routePoint: { id: '3000' },
      call: { id: '801', correlationId: '1:9801' },
      route: { type: 'agent', destination: '1003' },
    });
    expect(dataOf(out[2]).call.via).toEqual({ type: 'routePoint', id: '3000' });
  });

  it('route timeout (§9.2): RouteUsed(RequestId 0, RouteDefaultUsed) is route.defaulted by the vendor', () => {
    const m = mapper();
    const out = feed(m, [
      ev('RouteRequest', { ...cc(802), ServiceId: 3000, RouteTimeout: 1, CallInfo: [{ ANI: '+15550103' }] }),
      ev('RouteUsed', {
        ...cc(802),
        RequestId: 0,
        ServiceId: 3000,
        RouteStatus: 'RouteDefaultUsed',
        RouteType: 'RouteToDefault',
      }),
      ev('CallDelivered', { ...cc(802), ServiceId: 2001, ANI: '+15550103' }),
    ]);
    expect(lines(out)).toEqual(['3000 route.request', '3000 route.defaulted', 'sales queue.call.added']);
    expect(dataOf(out[1])).toMatchObject({ route: { type: 'default' }, by: 'vendor' });
  });

  it('route to an invalid destination: route.rejected (RouteRejectReason), route.failed (FailureType)', () => {
    const m = mapper();
    const out = feed(m, [
      ev('RouteRequest', { ...cc(803), ServiceId: 3000, CallInfo: [{ ANI: '+1' }] }),
      ev('RouteReject', { ...cc(803), RequestId: 4, RouteRejectReason: 'NoRouteToDestination' }),
      ev('RouteRequestFailed', {
        ...cc(803),
        RequestId: 5,
        FailureType: 'DestinationNoRoute',
        FailureReason: 'x',
      }),
    ]);
    expect(lines(out)).toEqual(['3000 route.request', '3000 route.rejected', '3000 route.failed']);
    expect(dataOf(out[1]).reason).toBe('NoRouteToDestination');
    expect(dataOf(out[2]).reason).toBe('DestinationNoRoute: x');
  });

  it('call data (CTICallDataItem key/value) rides on the call as userData, from the event that carried it on', () => {
    const m = mapper();
    login(m, ['carol']);
    const data = [
      { key: '1', value: 'ACME-4711' },
      { key: '2', value: 'gold' },
    ];
    const out = feed(m, [
      ev('RouteRequest', { ...cc(804), ServiceId: 3000, CallInfo: [{ ANI: '+15550104', CallData: data }] }),
      ev('CallConnected', { ...cc(804), AgentId: 13, CallInfo: [{ ANI: '+15550104' }] }),
      ev('CallEstablished', { ...cc(804), AgentId: 13, MediaType: 'VoiceAnalog' }),
    ]);
    expect(lines(out)).toEqual([
      '3000 route.request',
      'carol call.received alerting',
      'carol call.answered active',
    ]);
    const want = { '1': 'ACME-4711', '2': 'gold' };
    expect(dataOf(out[0]).call.userData).toEqual(want);
    expect(dataOf(out[1]).call.userData).toEqual(want);
    expect(dataOf(out[2]).call.userData).toEqual(want);
  });

  it('login (§9.3) with EnterPasscode in between; the agent goes to its station', () => {
    const m = mapper();
    const out = feed(m, [
      ev('EnterPasscode', { AgentId: 14, PasscodeDigits: '123', ReEnterFlag: false }),
      ev('AgentLoginStateChange', {
        AgentId: 14,
        AgentLoginName: 'dave',
        AgentStationAddress: '1004',
        LoginState: 'AgentLoggedIn',
      }),
      ev('AgentStateChange', { AgentId: 14, AgentState: 'Idle' }),
    ]);
    expect(lines(out)).toEqual(['dave agent.state sign-in', 'dave agent.state available']);
    expect(dataOf(out[1]).agent).toEqual({ id: 'dave', state: 'available' });
    expect(m.stationOfAgent('14')).toBe('1004');
  });

  it('not-ready-park carries a reason; busy states give nothing', () => {
    const m = mapper();
    login(m, ['dave'], 'Idle');
    const out = feed(m, [
      ev('AgentStateChange', { AgentId: 14, AgentState: 'Reserved' }),
      ev('AgentStateChange', { AgentId: 14, AgentState: 'NotReadyPark' }),
      ev('AgentStateChange', { AgentId: 14, AgentState: 'MultiLine' }),
    ]);
    expect(out.map((d) => dataOf(d).agent)).toEqual([
      { id: '1004', state: 'unavailable', reason: 'not-ready-park' },
    ]);
  });
});

// ------------------------------------------------------------------ correlation

describe('aspect-ctips mapper: correlation', () => {
  it('CallSequenceId with the originating site, else the CallId', () => {
    expect(correlationOf({ callId: '5', sequenceId: '77', siteId: '2' })).toBe('2:77');
    expect(correlationOf({ callId: '5', sequenceId: '77' })).toBe('77');
    expect(correlationOf({ callId: '5' })).toBe('5');
    const m = mapper();
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ev('CallOriginated', { CallId: 901, AgentId: 11, DestType: 'Agent', Destination: '1002' }),
      ev('CallConnected', { CallId: 901, AgentId: 12, OriginatingAgentId: 11 }),
    ]);
    expect(out.map((d) => dataOf(d).call.correlationId)).toEqual(['901', '901', '901']);
  });

  it("a callee's leg with another CallId takes the caller's ringing leg's correlation (OriginatingAgentId)", () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ev('CallOriginated', {
        ...cc(903),
        AgentId: 11,
        DestType: 'Agent',
        Destination: '12',
        CallProgressSignal: 'Ringing',
      }),
      ev('CallConnected', { ...cc(904), AgentId: 12, OriginatingAgentId: 11 }),
      ev('CallEstablished', { ...cc(904), AgentId: 12 }),
    ]);
    // the Destination is the callee's AgentId: the remote is its station
    expect(dataOf(out[0]).call.remote).toEqual({ address: '1002' });
    expect(lines(out)).toEqual([
      'alice call.originated dialing',
      'alice call.updated alerting',
      'bob call.received alerting',
      'bob call.answered active',
      'alice call.answered active',
    ]);
    expect(new Set(out.map((d) => dataOf(d).call.correlationId))).toEqual(new Set(['1:9903']));
  });

  it('a consultation call is a call of its own until the transfer joins it', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    feed(m, [...dial('alice', 'bob', 501), ...answer('bob', 501), ...dial('bob', 'carol', 502)]);
    expect(m.call('1003', '502')?.correlationId).toBe('1:9502');
    expect(m.call('1002', '501')?.correlationId).toBe('1:9501');
  });

  it('beyond PENDING_MAX blind transfers awaiting a CallEnd, the oldest TransferredCallId goes', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol', 'dave']);
    const blind = (id: number, next: number) =>
      ev('CallTransferred', { ...cc(id), AgentId: 12, ConsultingCallId: id, TransferredCallId: next });
    feed(m, [...dial('alice', 'bob', 501), ...answer('bob', 501), blind(501, 601)]);
    // no CallEnd names 601 (never sent, or sent while the link was down); more transfers follow
    for (let id = 10_000; id < 10_000 + PENDING_MAX; id++)
      feed(m, [
        ev('CallOriginated', { ...cc(id), AgentId: 12, DestType: 'External', Destination: '5550100' }),
        blind(id, id + 100_000),
      ]);
    const last = 10_000 + PENDING_MAX - 1;
    const joined = feed(m, [ev('CallConnected', { ...cc(last + 100_000), AgentId: 14 })]);
    expect(dataOf(joined.at(-1)).call).toMatchObject({
      correlationId: `1:${9000 + last}`,
      via: { type: 'transfer' },
    });
    const own = feed(m, [ev('CallConnected', { ...cc(601), AgentId: 13 })]);
    expect(dataOf(own.at(-1)).call.correlationId).toBe('1:9601');
    expect(dataOf(own.at(-1)).call.via).toBeUndefined();
  });

  it('events of legs released before are ignored', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    feed(m, [...dial('alice', 'bob', 501), ...answer('bob', 501), ...clear('alice', 501)]);
    expect(feed(m, [ev('CallHeld', { ...cc(501), AgentId: 12 }), ...answer('bob', 501)])).toEqual([]);
  });
});

// ------------------------------------------------------------------ snapshot, resync, targets

/** A SnapShotUpdate (L1775-1793): one entity each. */
function snap(fields: Record<string, unknown>, complete = false): CtipsEvent {
  return ev('SnapShotUpdate', { RequestId: 3, SnapShotComplete: complete, ...fields });
}

describe('aspect-ctips mapper: snapshot and resync', () => {
  it('seeds agents and calls silently; a later event continues from there', () => {
    const m = mapper();
    const out = feed(m, [
      snap({
        SnapShotType: 'AgentInfo',
        AgentData: {
          AgentId: 12,
          AgentLoginName: '1002',
          AgentStationAddress: '1002',
          AgentState: 'Active',
          CallId: 501,
        },
      }),
      snap({
        SnapShotType: 'CallInfo',
        CallData: {
          ...cc(501),
          AgentId: 12,
          CallState: 'CallEstablished',
          CallType: 'InboundAcd',
          ANI: '+15550100',
          ServiceId: 2001,
        },
      }),
      snap({ SnapShotType: 'ServiceInfo', ServiceData: { ServiceId: 2001, ServiceState: 'Active' } }, true),
    ]);
    expect(out).toEqual([]);
    expect(m.callsOf('1002')).toEqual([
      {
        id: '501',
        correlationId: '1:9501',
        state: 'active',
        direction: 'inbound',
        local: { user: '1002', address: '1002' },
        remote: { address: '+15550100' },
        startedAt: NOW.toISOString(),
        answeredAt: NOW.toISOString(),
        alertingObserved: false,
      },
    ]);
    expect(lines(feed(m, [ev('CallHeld', { ...cc(501), AgentId: 12 })]))).toEqual(['bob call.held held']);
  });

  it('a known call in another state gives call.updated; the same state nothing', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    feed(m, [...dial('alice', 'bob', 501), ...answer('bob', 501)]);
    const held = { SnapShotType: 'CallInfo', CallData: { ...cc(501), AgentId: 12, CallState: 'CallHeld' } };
    expect(lines(m.snapshot(snap(held).node))).toEqual(['bob call.updated held']);
    expect(m.snapshot(snap(held).node)).toEqual([]);
  });

  it('an outbound snapshot call reads its destination', () => {
    const m = mapper();
    login(m, ['alice']);
    m.snapshot(
      snap({
        SnapShotType: 'CallInfo',
        CallData: {
          ...cc(511),
          AgentId: 11,
          CallState: 'CallOriginated',
          CallType: 'OutboundMakecall',
          DestType: 'External',
          Destination: '+1555',
        },
      }).node,
    );
    expect(m.call('1001', '511')).toMatchObject({
      state: 'dialing',
      direction: 'outbound',
      remote: { address: '+1555' },
    });
  });

  it('releaseStale releases what the snapshot no longer has, and ends a conference', () => {
    const m = mapper();
    login(m, ['alice', 'bob', 'carol']);
    feed(m, [
      ...dial('alice', 'bob', 501),
      ...answer('bob', 501),
      ...dial('alice', 'carol', 502),
      ...answer('carol', 502),
      ev('CallConferenced', {
        ...cc(501),
        AgentId: 11,
        ConsultingCallId: 501,
        ConsultedCallId: 502,
        ConferenceCallId: 501,
      }),
    ]);
    const out = m.releaseStale('1001', new Set(['502']), 'resync');
    expect(lines(out)).toEqual(['alice call.released released', 'alice conference.released released']);
    expect(dataOf(out[0]).call.releaseCause).toBe('resync');
    expect(out[0]!.vendor.event).toBe('resync');
    expect(m.callsOf('1001').map((c) => c.id)).toEqual(['502']);
    expect(m.releaseStale('1001', new Set(['502']), 'resync')).toEqual([]);
  });

  it('targets the link does not watch, and families not asked for, get nothing; the state is kept', () => {
    const m = mapper({ only: ['1002'], families: ['call'] });
    login(m, ['alice', 'bob']);
    const out = feed(m, [
      ...dial('alice', 'bob', 501),
      ev('AgentStateChange', { AgentId: 12, AgentState: 'Idle' }),
    ]);
    expect(lines(out)).toEqual(['bob call.received alerting']);
    expect(m.callsOf('1001')).toHaveLength(1);
  });
});

// ------------------------------------------------------------------ robustness

describe('aspect-ctips mapper: unknown and malformed input', () => {
  it('unknown events, system events and unknown fields give nothing', () => {
    const m = mapper();
    login(m, ['alice', 'bob']);
    expect(
      feed(m, [
        ev('SomethingNew', { CallId: 1, Foo: 'bar' }),
        ev('LinkStatus', { ComponentType: 'Gateway', ComponentState: 'Down' }),
        ev('AudioPathStateChange', { AgentId: 11, AudioPathState: 'Connected' }),
        ev('ServiceStateChange', { ServiceId: 2001, ServiceState: 'Pause', RequestIdList: [11] }),
        ev('CallDataUpdate', { ...cc(1), AgentId: 11, UpdateType: 'SetCallDataSucceeded' }),
        ev('DigitsDialed', { ...cc(1), AgentId: 11, DigitString: '12' }),
        ev('SnapShotRequestFailed', {}),
        ev('AgentRequestFailed', { AgentId: 11, FailureType: 'InvalidStateForRequest' }),
      ]),
    ).toEqual([]);
    const out = feed(m, [
      ev('CallOriginated', { ...cc(2), AgentId: 11, Destination: '1002', Extra: { Deep: [1, 2] } }),
    ]);
    expect(lines(out)).toEqual(['alice call.originated dialing']);
  });

  it('enumerations are read by name or by ordinal', () => {
    const m = mapper();
    login(m, ['dave']);
    expect(lines(feed(m, [ev('AgentStateChange', { AgentId: 14, AgentState: '3' })]))).toEqual([
      'dave agent.state available',
    ]);
  });

  it('call events of an agent never placed at a station give nothing', () => {
    const m = mapper();
    expect(feed(m, [ev('CallConnected', { ...cc(5), AgentId: 99 })])).toEqual([]);
  });

  it('a call event without a CallId is a CtipsMapError', () => {
    const m = mapper();
    expect(() => m.map(ev('CallHeld', { AgentId: 11 }))).toThrow(CtipsMapError);
    expect(() => m.map(ev('CallCleared', { CallId: 'abc', AgentId: 11 }))).toThrow(CtipsMapError);
    expect(() => m.map({ name: 'CallHeld' } as unknown as CtipsEvent)).toThrow(CtipsMapError);
  });

  it('garbage never throws anything but CtipsMapError', () => {
    const rnd = prng(2026);
    const names = [
      'CallConnected',
      'CallCleared',
      'CallTransferred',
      'CallConferenced',
      'AgentStateChange',
      'AgentLoginStateChange',
      'SnapShotUpdate',
      'RouteRequest',
      'CallEnd',
      'CallOriginated',
      'X',
    ];
    const values = [
      '0',
      '-1',
      '1',
      '11',
      '12',
      '501',
      'abc',
      '',
      'Idle',
      'NotReady',
      '99999999999999999999',
      'AgentLoggedIn',
      'Ringing',
    ];
    const fieldsOf = [
      'CallId',
      'AgentId',
      'CallSequenceId',
      'OriginatingAgentId',
      'ConsultedCallId',
      'ConsultingCallId',
      'AgentState',
      'LoginState',
      'AgentStationAddress',
      'ServiceId',
      'CallProgressSignal',
      'ConferenceCallId',
    ];
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
    const m = mapper();
    login(m, ['alice', 'bob']);
    for (let i = 0; i < 600; i++) {
      const fields: Record<string, unknown> = {};
      for (let k = 0; k < 5; k++) fields[pick(fieldsOf)] = pick(values);
      if (rnd() < 0.2) fields.AgentData = { AgentId: pick(values), AgentStationAddress: pick(values) };
      if (rnd() < 0.2)
        fields.CallData = { CallId: pick(values), AgentId: pick(values), CallState: 'CallHeld' };
      try {
        for (const d of m.map(ev(pick(names), fields))) parseEventData(d.type, d.data);
      } catch (e) {
        expect(e).toBeInstanceOf(CtipsMapError);
      }
    }
  });
});

describe('aspect-ctips mapper: code tables', () => {
  it('agent states, snapshot call states, clearing parties', () => {
    expect(agentStateValue('Idle')).toBe('available');
    expect(agentStateValue('NotReadyPark')).toBe('unavailable');
    expect(agentStateValue('ActiveWrap')).toBe('wrap-up');
    expect(agentStateValue('PendingActive')).toBeUndefined();
    expect(snapshotCallState('CallOnHoldDialing')).toBe('held');
    expect(snapshotCallState('CallConnected')).toBe('alerting');
    expect(snapshotCallState('CallStateUnknown')).toBeUndefined();
    expect(clearingCause('NearEnd')).toBe('near-end');
    expect(clearingCause(undefined)).toBe('normal');
    expect(kebab('DestinationAgentNotAvailable')).toBe('destination-agent-not-available');
  });
});
