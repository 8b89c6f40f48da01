/**
 * Mapping tests: BroadWorks event sequences from the §9 call flows → normalized events, validated
 * against the event model.
 */
import { describe, expect, it } from 'vitest';
import {
  CALL_MAX_IDLE_MS,
  CallMapper,
  type MapContext,
} from '../../../../vendors/broadworks-cti/driver/mapper.js';
import { parseInbound, type BwEvent } from '../../../../vendors/broadworks-cti/driver/messages.js';
import { parseEventData, EVENT_FAMILIES, type EventDraft } from '../../../../shared/events/model.js';
import { callXml, eventXml, type CallSpec } from './helpers.js';

const S1 = 'subscriberS1@broadsoft.com';
const S2 = 'subscriberS2@broadsoft.com';
let n = 0;

function ev(target: string, type: string, body: string): BwEvent {
  n++;
  const m = parseInbound(
    eventXml({ requestId: `0:${1960 + n}`, eventId: `e-${n}`, seq: n, targetId: target, type, body }),
  );
  if (m.kind !== 'event') throw new Error(`fixture did not parse: ${m.kind}`);
  return m.event;
}
const call = (c: CallSpec) => callXml(c);
const all = (id: string): MapContext => ({ target: { type: 'user', id }, families: new Set(EVENT_FAMILIES) });

function run(mapper: CallMapper, events: BwEvent[]): EventDraft[] {
  const out: EventDraft[] = [];
  for (const e of events) out.push(...mapper.map(e, all(e.targetId!)));
  for (const d of out) parseEventData(d.type, d.data); // every draft is valid against the model
  return out;
}

const C1 = 'callhalf-10201:0';
const C2 = 'callhalf-10205:0';
const T0 = 1271253524007;
const TA = 1271253525554;

function dialFlow(): BwEvent[] {
  // §9.1.1 F-A: click-to-dial S1 → S2, answered
  return [
    ev(
      S1,
      'CallOriginatingEvent',
      call({
        callId: C1,
        ext: '62:1',
        personality: 'Click-to-Dial',
        state: 'Alerting',
        remote: 'tel:1012',
        start: T0 - 5000,
      }),
    ),
    ev(
      S1,
      'CallUpdatedEvent',
      call({
        callId: C1,
        ext: '62:1',
        personality: 'Click-to-Dial',
        state: 'Alerting',
        remote: 'tel:1012',
        start: T0 - 5000,
        extra: '<xsi:allowAnswer/>',
      }),
    ),
    ev(S1, 'HookStatusEvent', '<xsi:hookStatus>Off-Hook</xsi:hookStatus>'),
    ev(
      S1,
      'CallOriginatedEvent',
      call({
        callId: C1,
        ext: '62:1',
        personality: 'Originator',
        state: 'Alerting',
        remote: 'tel:1012',
        remoteName: 'S2 Name',
        start: T0,
      }),
    ),
    ev(
      S2,
      'CallReceivedEvent',
      call({
        callId: C2,
        ext: '62:1',
        personality: 'Terminator',
        state: 'Alerting',
        remote: 'tel:1011',
        start: T0,
      }),
    ),
    ev(
      S2,
      'CallAnsweredEvent',
      call({
        callId: C2,
        ext: '62:1',
        personality: 'Terminator',
        state: 'Active',
        remote: 'tel:1011',
        start: T0,
        answer: TA,
      }),
    ),
    ev(S2, 'HookStatusEvent', '<xsi:hookStatus>Off-Hook</xsi:hookStatus>'),
    ev(
      S1,
      'CallAnsweredEvent',
      call({
        callId: C1,
        ext: '62:1',
        personality: 'Originator',
        state: 'Active',
        remote: 'tel:1012',
        start: T0,
        answer: TA,
      }),
    ),
  ];
}

describe('dial flow (§9.1.1)', () => {
  it('maps to originated → updated → updated → received → answered → answered', () => {
    const out = run(new CallMapper(), dialFlow());
    expect(
      out.map((d) => `${d.type}:${(d.data as { call: { id: string; state: string } }).call.state}`),
    ).toEqual([
      'call.originated:dialing',
      'call.updated:dialing',
      'call.updated:alerting',
      'call.received:alerting',
      'call.answered:active',
      'call.answered:active',
    ]);
    const s1Answered = out[5]!.data as { call: Record<string, unknown> };
    expect(s1Answered.call).toMatchObject({
      id: C1,
      correlationId: '62:1',
      direction: 'outbound',
      local: { user: S1 },
      remote: { address: 'tel:1012', name: 'S2 Name' },
      startedAt: new Date(T0).toISOString(),
      answeredAt: new Date(TA).toISOString(),
    });
    const s2Answered = out[4]!.data as { call: Record<string, unknown> };
    expect(s2Answered.call).toMatchObject({
      id: C2,
      correlationId: '62:1',
      direction: 'inbound',
      local: { user: S2 },
    });
    expect(out.map((d) => d.target)).toEqual([S1, S1, S1, S2, S2, S1].map((id) => ({ type: 'user', id })));
    expect(out[0]!.vendor).toEqual({
      name: 'broadworks-cti',
      event: 'CallOriginatingEvent',
      id: expect.any(String),
    });
  });

  it('hold / retrieve / release (§9.1.2-9.1.4): local hold is call.held, Remote Held is an update', () => {
    const m = new CallMapper();
    run(m, dialFlow());
    const out = run(m, [
      ev(
        S1,
        'CallHeldEvent',
        call({ callId: C1, ext: '62:1', personality: 'Originator', state: 'Held', start: T0, answer: TA }),
      ),
      ev(
        S2,
        'CallHeldEvent',
        call({
          callId: C2,
          ext: '62:1',
          personality: 'Terminator',
          state: 'Remote Held',
          start: T0,
          answer: TA,
        }),
      ),
      ev(
        S1,
        'CallRetrievedEvent',
        call({ callId: C1, ext: '62:1', personality: 'Originator', state: 'Active', start: T0, answer: TA }),
      ),
      ev(
        S2,
        'CallRetrievedEvent',
        call({ callId: C2, ext: '62:1', personality: 'Terminator', state: 'Active', start: T0, answer: TA }),
      ),
      ev(
        S2,
        'CallReleasedEvent',
        call({
          callId: C2,
          ext: '62:1',
          personality: 'Terminator',
          state: 'Released',
          start: T0,
          answer: TA,
          release: TA + 9000,
          releasingParty: 'remoteRelease',
        }),
      ),
      ev(
        S1,
        'CallReleasedEvent',
        call({
          callId: C1,
          ext: '62:1',
          personality: 'Originator',
          state: 'Released',
          start: T0,
          answer: TA,
          release: TA + 9000,
          releasingParty: 'localRelease',
        }),
      ),
      // a late duplicate-ish event for a released call is ignored
      ev(
        S1,
        'CallUpdatedEvent',
        call({ callId: C1, ext: '62:1', personality: 'Originator', state: 'Active', start: T0 }),
      ),
    ]);
    expect(out.map((d) => `${d.type}:${(d.data as { call: { state: string } }).call.state}`)).toEqual([
      'call.held:held',
      'call.updated:active',
      'call.retrieved:active',
      'call.updated:active',
      'call.released:released',
      'call.released:released',
    ]);
    const rel = out[5]!.data as { call: Record<string, unknown> };
    expect(rel.call).toMatchObject({
      releasedAt: new Date(TA + 9000).toISOString(),
      releaseCause: 'localRelease',
      answeredAt: new Date(TA).toISOString(),
      remote: { name: 'S2 Name' },
    });
    expect(m.callsOf(S1)).toEqual([]);
  });

  it('a failed dial carries the internal release cause', () => {
    const m = new CallMapper();
    const out = run(m, [
      ev(
        S1,
        'CallOriginatedEvent',
        call({ callId: 'c9', ext: '70:1', personality: 'Originator', state: 'Alerting', remote: 'tel:9999' }),
      ),
      ev(
        S1,
        'CallReleasingEvent',
        call({
          callId: 'c9',
          ext: '70:1',
          personality: 'Originator',
          state: 'Active',
          extra:
            '<xsi:releaseCause><xsi:internalReleaseCause>User Not Found</xsi:internalReleaseCause><xsi:cdrTerminationCause>111</xsi:cdrTerminationCause></xsi:releaseCause>',
        }),
      ),
      ev(
        S1,
        'CallReleasedEvent',
        call({
          callId: 'c9',
          ext: '70:1',
          personality: 'Originator',
          state: 'Released',
          releasingParty: 'remoteRelease',
        }),
      ),
    ]);
    expect(out.map((d) => d.type)).toEqual(['call.originated', 'call.updated', 'call.released']);
    expect((out[2]!.data as { call: { releaseCause: string } }).call.releaseCause).toBe('User Not Found');
  });
});

describe('transfers and redirection', () => {
  it('blind transfer (§9.1.8): transferor gets transferred + released, transferee call.transferred (blind)', () => {
    const m = new CallMapper();
    run(m, [
      ev(
        S1,
        'CallReceivedEvent',
        call({ callId: 'a1', ext: '5:1', personality: 'Terminator', state: 'Alerting', remote: 'tel:1012' }),
      ),
      ev(
        S1,
        'CallAnsweredEvent',
        call({
          callId: 'a1',
          ext: '5:1',
          personality: 'Terminator',
          state: 'Active',
          remote: 'tel:1012',
          answer: TA,
        }),
      ),
      ev(
        S2,
        'CallOriginatedEvent',
        call({ callId: 'b1', ext: '5:1', personality: 'Originator', state: 'Alerting', remote: 'tel:1011' }),
      ),
      ev(
        S2,
        'CallAnsweredEvent',
        call({
          callId: 'b1',
          ext: '5:1',
          personality: 'Originator',
          state: 'Active',
          remote: 'tel:1011',
          answer: TA,
        }),
      ),
    ]);
    const out = run(m, [
      ev(
        S1,
        'CallRedirectedEvent',
        `<xsi:calls>${call({ callId: 'a1', ext: '5:1', personality: 'Terminator', state: 'Detached', remote: 'tel:1012', answer: TA, extra: '<xsi:redirect><xsi:address>tel:1013</xsi:address><xsi:reason>transfer</xsi:reason><xsi:redirectTime>1382033100000</xsi:redirectTime></xsi:redirect><xsi:detachedTime>1382033100001</xsi:detachedTime>' })}</xsi:calls>`,
      ),
      ev(
        S2,
        'CallTransferredEvent',
        call({
          callId: 'b1',
          ext: '238227c6',
          personality: 'Originator',
          state: 'Alerting',
          remote: 'tel:1013',
          answer: TA,
        }),
      ),
    ]);
    expect(out.map((d) => d.type)).toEqual(['call.transferred', 'call.released', 'call.transferred']);
    expect(out[0]!.data).toMatchObject({ transfer: { mode: 'blind', to: 'tel:1013' } });
    expect(out[1]!.data).toMatchObject({
      call: {
        id: 'a1',
        state: 'released',
        releaseCause: 'transferred',
        releasedAt: new Date(1382033100001).toISOString(),
      },
    });
    expect(out[2]!.data).toMatchObject({
      call: {
        id: 'b1',
        correlationId: '238227c6',
        state: 'alerting',
        direction: 'outbound',
        remote: { address: 'tel:1013' },
        via: { type: 'transfer' },
      },
      transfer: { mode: 'blind', to: 'tel:1013' },
    });
  });

  it('CFA (§9.1.6): caller gets call.forwarded, the forwarding user call.forwarded + released', () => {
    const m = new CallMapper();
    const out = run(m, [
      ev(
        S2,
        'CallOriginatedEvent',
        call({ callId: 'b2', ext: '9:1', personality: 'Originator', state: 'Alerting', remote: 'tel:1011' }),
      ),
      ev(
        S1,
        'CallReceivedEvent',
        call({ callId: 'a2', ext: '9:1', personality: 'Terminator', state: 'Alerting', remote: 'tel:1012' }),
      ),
      ev(
        S1,
        'CallRedirectedEvent',
        `<xsi:callList>${call({ callId: 'a2', ext: '9:1', personality: 'Terminator', state: 'Detached', remote: 'tel:1012', extra: '<xsi:redirect><xsi:address>tel:1013</xsi:address><xsi:reason>unconditional</xsi:reason></xsi:redirect>' })}</xsi:callList>`,
      ),
      ev(
        S2,
        'CallForwardedEvent',
        call({ callId: 'b2', ext: '9:1', personality: 'Originator', state: 'Alerting', remote: 'tel:1013' }),
      ),
    ]);
    expect(out.map((d) => d.type)).toEqual([
      'call.originated',
      'call.received',
      'call.forwarded',
      'call.released',
      'call.forwarded',
    ]);
    expect(out[2]!.data).toMatchObject({ forwardedTo: 'tel:1013', reason: 'unconditional' });
    expect(out[3]!.data).toMatchObject({ call: { releaseCause: 'redirected' } });
    expect(out[4]!.data).toMatchObject({
      forwardedTo: 'tel:1013',
      call: { via: { type: 'forwarded' }, state: 'alerting' },
    });
  });
});

describe('snapshots and other packages', () => {
  it('CallSubscriptionEvent seeds silently, then releases vanished calls and updates changed ones', () => {
    const m = new CallMapper();
    const list = (calls: string) =>
      `<xsi:callList>${calls}</xsi:callList><xsi:hookStatus>Off-Hook</xsi:hookStatus>`;
    const first = run(m, [
      ev(
        S1,
        'CallSubscriptionEvent',
        list(
          call({ callId: 'x1', ext: '1:1', personality: 'Originator', state: 'Active' }) +
            call({ callId: 'x2', ext: '2:1', personality: 'Terminator', state: 'Alerting' }),
        ),
      ),
    ]);
    expect(first).toEqual([]);
    expect(m.callsOf(S1).map((c) => [c.id, c.state])).toEqual([
      ['x1', 'active'],
      ['x2', 'alerting'],
    ]);
    const second = run(m, [
      ev(
        S1,
        'CallSubscriptionEvent',
        list(call({ callId: 'x2', ext: '2:1', personality: 'Terminator', state: 'Active' })),
      ),
    ]);
    expect(second.map((d) => `${d.type}:${(d.data as { call: { id: string } }).call.id}`)).toEqual([
      'call.released:x1',
      'call.updated:x2',
    ]);
    expect(second[0]!.data).toMatchObject({ call: { releaseCause: 'resync', state: 'released' } });
  });

  it('conference started / released, with parties from the call cache', () => {
    const m = new CallMapper();
    run(m, [
      ev(
        S1,
        'CallOriginatedEvent',
        call({ callId: 'k1', ext: '1:1', personality: 'Originator', state: 'Active', remote: 'tel:1012' }),
      ),
      ev(
        S1,
        'CallOriginatedEvent',
        call({ callId: 'k2', ext: '2:1', personality: 'Originator', state: 'Active', remote: 'tel:1013' }),
      ),
    ]);
    const conf = `<xsi:conference><xsi:state>Active</xsi:state><xsi:conferenceParticipantList><xsi:conferenceParticipant><xsi:callId>k1</xsi:callId></xsi:conferenceParticipant><xsi:conferenceParticipant><xsi:callId>k2</xsi:callId></xsi:conferenceParticipant></xsi:conferenceParticipantList></xsi:conference>`;
    const out = run(m, [
      ev(S1, 'ConferenceStartedEvent', conf),
      ev(S1, 'ConferenceHeldEvent', '<xsi:conference><xsi:state>Held</xsi:state></xsi:conference>'),
      ev(S1, 'ConferenceReleasedEvent', '<xsi:conference><xsi:state>Released</xsi:state></xsi:conference>'),
    ]);
    expect(out.map((d) => d.type)).toEqual([
      'conference.started',
      'conference.updated',
      'conference.released',
    ]);
    expect(out[0]!.data).toEqual({
      conference: {
        id: `${S1}#k1`,
        state: 'active',
        calls: ['k1', 'k2'],
        parties: [{ address: 'tel:1012' }, { address: 'tel:1013' }],
      },
      local: { user: S1 },
    });
    expect(out[1]!.data).toMatchObject({
      conference: { id: `${S1}#k1`, state: 'held', calls: ['k1', 'k2'] },
    });
    expect(out[2]!.data).toMatchObject({ conference: { id: `${S1}#k1`, state: 'released' } });
  });

  it('agent, services, ACD queue and subscription termination', () => {
    const m = new CallMapper();
    const q = (extra = '') =>
      `<xsi:queueEntry><xsi:callId>q1</xsi:callId><xsi:extTrackingId>bd01</xsi:extTrackingId><xsi:remoteParty><xsi:address>tel:5007003333</xsi:address></xsi:remoteParty>${extra}</xsi:queueEntry>`;
    const out = run(m, [
      ev(
        'agentA1@broadsoft.com',
        'AgentStateEvent',
        '<xsi:agentStateInfo><xsi:state>Unavailable</xsi:state><xsi:unavailableCode>Lunch</xsi:unavailableCode></xsi:agentStateInfo>',
      ),
      ev(
        S1,
        'DoNotDisturbEvent',
        '<xsi:info><xsi:active>true</xsi:active><xsi:ringSplash>false</xsi:ringSplash></xsi:info>',
      ),
      ev(S1, 'DoNotDisturbEvent', '<xsi:isActive>true</xsi:isActive>'), // same value again (refresh): nothing
      ev(
        S1,
        'CallForwardingAlwaysEvent',
        '<xsi:isActive>true</xsi:isActive><xsi:forwardToPhoneNumber>1020</xsi:forwardToPhoneNumber>',
      ),
      ev('ACD_CTI1@broadsoft.com', 'ACDCallAddedEvent', `${q()}<xsi:position>1</xsi:position>`),
      ev(
        'ACD_CTI1@broadsoft.com',
        'ACDCallAnsweredByAgentEvent',
        q('<xsi:answeringUserId>agentA1@broadsoft.com</xsi:answeringUserId>'),
      ),
      ev(S1, 'SubscriptionTerminatedEvent', ''),
    ]);
    expect(out.map((d) => d.type)).toEqual([
      'agent.state',
      'service.dnd',
      'service.forwarding',
      'queue.call.added',
      'queue.call.answered',
      'subscription.terminated',
    ]);
    expect(out[0]!.data).toEqual({
      agent: { id: 'agentA1@broadsoft.com', state: 'unavailable', reason: 'Lunch' },
    });
    expect(out[1]!.data).toEqual({ user: S1, enabled: true });
    expect(out[2]!.data).toEqual({ user: S1, kind: 'always', enabled: true, to: '1020' });
    expect(out[3]!.data).toEqual({
      queue: { id: 'ACD_CTI1@broadsoft.com' },
      call: { id: 'q1', correlationId: 'bd01', remote: { address: 'tel:5007003333' }, position: 1 },
    });
    expect(out[4]!.data).toMatchObject({ call: { agent: 'agentA1@broadsoft.com' } });
    expect(out[5]!.data).toEqual({ subscription: 'sub-1' });
  });

  it('events of families the target did not ask for are not emitted (the cache still follows)', () => {
    const m = new CallMapper();
    const ctx: MapContext = { target: { type: 'user', id: S1 }, families: new Set(['conference']) };
    const e = ev(
      S1,
      'CallReceivedEvent',
      call({ callId: 'f1', ext: '1:1', personality: 'Terminator', state: 'Alerting' }),
    );
    expect(m.map(e, ctx)).toEqual([]);
    expect(m.cachedCall('f1')?.state).toBe('alerting');
  });
});

describe('a call cache that nothing reconciles is bounded', () => {
  it('system target: a half whose release was missed goes after CALL_MAX_IDLE_MS, not tombstoned', () => {
    let now = T0;
    const m = new CallMapper(() => new Date(now));
    const sys: MapContext = { target: { type: 'system' }, families: new Set(EVENT_FAMILIES) };
    const step = (e: BwEvent) => {
      const out = m.map(e, sys);
      for (const d of out) parseEventData(d.type, d.data);
      return out.map((d) => `${d.type}:${(d.data as { call?: { state: string } }).call?.state}`);
    };
    const half = (state: string) =>
      call({ callId: C2, ext: '62:1', personality: 'Terminator', state, remote: 'tel:1011', start: T0 });
    expect(step(ev(S2, 'CallReceivedEvent', half('Alerting')))).toEqual(['call.received:alerting']);
    expect(step(ev(S2, 'CallAnsweredEvent', half('Active')))).toEqual(['call.answered:active']);
    // its release came while the link was down; a group or system subscription gets no snapshot
    now += CALL_MAX_IDLE_MS - 60_000;
    step(ev(S1, 'HookStatusEvent', '<xsi:hookStatus>On-Hook</xsi:hookStatus>'));
    expect(m.has(C2)).toBe(true);
    now += 2 * 60 * 60 * 1000;
    step(ev(S1, 'HookStatusEvent', '<xsi:hookStatus>Off-Hook</xsi:hookStatus>'));
    expect(m.has(C2)).toBe(false);
    expect(m.callsOf(S2)).toEqual([]);
    // not tombstoned: had the call lasted, its next event is that of a call not seen before
    expect(step(ev(S2, 'CallHeldEvent', half('Held')))).toEqual(['call.held:held']);
    expect(m.cachedCall(C2)).toMatchObject({ state: 'held', direction: 'inbound', local: { user: S2 } });
  });
});
