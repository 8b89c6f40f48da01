/**
 * Parser tests against the specification's own samples (§7.4 XML, §7.2 params, §9 flow tables rebuilt as
 * XML with their printed element names). Several are damaged (OCR, missing closing tags, wrong prefixes);
 * the parser must read what can be read and never throw.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseInbound, canonicalEventType } from '../../../../vendors/broadworks-cti/driver/messages.js';
import { parseXml, repairXml, child, textOf } from '../../../../vendors/broadworks-cti/wire/index.js';
import { XmlFramer } from '../../../../shared/xml/framer.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

describe('spec §7.4.2 Add Channel response (L15842-15863: `<reason>OK<reason/>`, stray `.`)', () => {
  it('is a 200 response carrying the channelId and the clamped expires', () => {
    const m = parseInbound(fixture('spec-7.4.2-add-channel-response.xml'));
    expect(m.kind).toBe('response');
    if (m.kind !== 'response') return;
    expect(m.requestId).toBe('0');
    expect(m.sessionId).toBe('1126');
    expect(m.statusCode).toBe(200);
    expect(m.reason).toBe('OK');
    expect(textOf(m.payload, 'channelid')).toBe('2dafced4-260e-4d99-96f0-83c11d7e7e4f');
    expect(textOf(m.payload, 'expires')).toBe('3600');
  });

  it('keeps the payload outside the unclosed <reason> (structure repaired)', () => {
    const { root, repaired } = parseXml(fixture('spec-7.4.2-add-channel-response.xml'));
    expect(repaired).toBe(true);
    expect(child(root, 'payload')).toBeDefined();
    expect(child(child(root, 'reason'), 'payload')).toBeUndefined();
  });
});

describe('spec §7.4.3 CallReceived event', () => {
  it('reads every field of the lightly cleaned sample (lower-cased tags, rsi: prefixes, no closing tags)', () => {
    const m = parseInbound(fixture('spec-7.4.3-event-cleaned.xml'));
    expect(m.kind).toBe('event');
    if (m.kind !== 'event') return;
    const ev = m.event;
    expect(ev.repaired).toBe(true);
    expect(ev).toMatchObject({
      requestId: '0:1967',
      eventId: 'a0b5d1d1-a12a-44a6-ad58-1da52a8b30cc',
      sequenceNumber: 4,
      userId: 'admin@virtsanity.mtl.broadsoft.com',
      externalApplicationId: 'AppCtlId',
      subscriptionId: 'ceaec03b-a6b7-4681-b4de-287d34cc2b89',
      channelId: 'a94890bf-73ae-43d4-87e4-5da75e9a28f7',
      targetId: 'subscriberS1@broadsoft.com',
      type: 'CallReceivedEvent',
    });
    expect(ev.calls).toHaveLength(1);
    expect(ev.calls[0]).toMatchObject({
      callId: 'callhalf-10197:1',
      extTrackingId: '61:1',
      personality: 'Terminator',
      state: 'Alerting',
      startTime: 1271253498397,
      remoteParty: {
        name: 'subscriberS1FirstName subscriberS1LastName',
        address: 'tel:1011',
        userId: 'subscriberS1@broadsoft.com',
        userDN: 'tel:+15006001011;ext=1011',
        callType: 'Group',
      },
    });
  });

  it('does not throw on the verbatim OCR dump and reports it as garbage, frame by frame', () => {
    const text = fixture('spec-7.4.3-event-verbatim.txt');
    const framer = new XmlFramer();
    const { messages } = framer.push(text);
    expect(messages.length).toBeGreaterThan(0);
    const kinds = messages.map((m) => parseInbound(m).kind);
    expect(kinds.every((k) => k === 'garbage')).toBe(true);
    // the whole dump as one message is garbage as well (the event element is empty and closed at once)
    expect(parseInbound(text).kind).toBe('garbage');
  });
});

describe('spec §7.4.4 EventResponse (`</pre>` in the start tag, `l` for `1`, `0K`)', () => {
  it('parses into the eventID, status and reason the client echoes', () => {
    const { root, repaired } = parseXml(fixture('spec-7.4.4-event-response.xml'));
    expect(root.name).toBe('eventresponse');
    expect(repaired).toBe(true);
    expect(textOf(root, 'requestid')).toBe('0:1967');
    expect(textOf(root, 'eventid')).toBe('a0b5dldl-al2a-44a6-ad58-lda52a8b30cc');
    expect(textOf(root, 'statuscode')).toBe('200');
    expect(textOf(root, 'reason')).toBe('0K');
  });
});

describe('spec §7.4.5 keepalive (opened as resp:keepalive, closed as xsp:keepalive)', () => {
  it('is a keepalive with requestId and period', () => {
    expect(parseInbound(fixture('spec-7.4.5-keepalive.xml'))).toEqual({
      kind: 'keepalive',
      requestId: '15022',
      period: 300,
    });
  });
});

describe('spec §7.2 params fragment', () => {
  it('has one element per wildcard, lower-cased as printed', () => {
    const { root } = parseXml(fixture('spec-7.2-params.xml'));
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['subscriberid', 'ba3001@virtsanity.mtl.broadsoft.com'],
      ['callid', 'callhalf-56:0'],
      ['address', 'tel: 500'],
    ]);
  });
});

describe('§9 flow tables as XML', () => {
  it('F9 CallOriginated: OCR names Eventide/Userld/channelld/Targeted are read as eventID/userId/channelId/targetId', () => {
    const m = parseInbound(fixture('flow-9.1.1-F9-call-originated.xml'));
    expect(m.kind).toBe('event');
    if (m.kind !== 'event') return;
    expect(m.event).toMatchObject({
      requestId: '0:1974',
      eventId: '68ea76c2-660e-43b1-b1ff-f32931db2855',
      sequenceNumber: 11,
      userId: 'admin@broadsoft.com',
      channelId: 'a94890bf-73ae-43d4-87e4-5da75e9a28f7',
      targetId: 'subscriberS1@broadsoft.com',
      type: 'CallOriginatedEvent',
    });
    expect(m.event.calls[0]).toMatchObject({
      callId: 'callhalf-10201:0',
      extTrackingId: '62:1',
      personality: 'Originator',
      state: 'Alerting',
      addressOfRecord: '5006001011@broadsoft.com',
      appearance: 1,
      startTime: 1271253524007,
      remoteParty: {
        name: 'subscriberS2FirstName subscriberS2LastName',
        address: 'tel:1012',
        userId: 'subscriberS2@broadsoft.com',
      },
    });
  });

  it('F7 CallRedirected: a `calls` list of two calls, `callld` spelling, redirect reason and times', () => {
    const m = parseInbound(fixture('flow-9.1.9-F7-call-redirected.xml'));
    if (m.kind !== 'event') throw new Error(`expected event, got ${m.kind}`);
    expect(m.event.type).toBe('CallRedirectedEvent');
    expect(m.event.calls.map((c) => [c.callId, c.state, c.redirect?.address, c.redirect?.reason])).toEqual([
      ['callhalf-63883:0', 'Held', 'tel:1013', 'transfer'],
      ['callhalf-63883:1', 'Detached', 'tel:1012', 'transfer'],
    ]);
    expect(m.event.calls[0]!.allowRetrieve).toBe(true);
    expect(m.event.calls[0]!.heldTime).toBe(1271798113802);
    expect(m.event.calls[1]!.detachedTime).toBe(1271798576166);
    expect(m.event.calls[1]!.remoteParty?.userId).toBe('subscriberS3@broadsoft.com');
  });

  it('F7 ConferenceStarted: state and both participants', () => {
    const m = parseInbound(fixture('flow-9.2.1-F7-conference-started.xml'));
    if (m.kind !== 'event') throw new Error(`expected event, got ${m.kind}`);
    expect(m.event.type).toBe('ConferenceStartedEvent');
    expect(m.event.conference).toEqual({
      state: 'Active',
      callIds: ['callhalf-75923:0', 'callhalf-75923:1'],
      mutedCallIds: [],
    });
  });

  it('Agent Join F5 AgentState: no namespaces at all, type attribute without prefix', () => {
    const m = parseInbound(fixture('flow-agent-join-F5-agent-state.xml'));
    if (m.kind !== 'event') throw new Error(`expected event, got ${m.kind}`);
    expect(m.event.type).toBe('AgentStateEvent');
    expect(m.event.targetId).toBe('agentA1@broadsoft.com');
    expect(m.event.agent).toEqual({ state: 'Available' });
  });
});

describe('event type spellings (digest C §8.1)', () => {
  it.each([
    ['xsi:CallReceivedEvent', 'CallReceivedEvent'],
    ['RoutePointCallAbandoned', 'RoutePointCallAbandonedEvent'],
    ['ConferenceCallUnMutedEvent', 'ConferenceCallUnmutedEvent'],
    ['ConferenceCallMadeUnDeafEvent', 'ConferenceCallMadeUndeafEvent'],
    ['RoutePointOutgoingCallOriginatedEvent', 'RoutePointCallOriginatedEvent'],
    ['VoiceMesssagingEvent', 'VoiceMessagingEvent'],
    ['N-WayCallEvent', 'NWayCallEvent'],
    ['SubscriptionTerminated', 'SubscriptionTerminatedEvent'],
    ['callreceivedevent', 'CallReceivedEvent'],
  ])('%s → %s', (wire, canonical) => {
    expect(canonicalEventType(wire)).toBe(canonical);
  });

  it('unknown types stay unknown', () => {
    expect(canonicalEventType('SomethingNewEvent')).toBeUndefined();
  });
});

describe('repairXml', () => {
  it('drops a DOCTYPE (no entity expansion from the wire)', () => {
    const { xml } = repairXml('<!DOCTYPE x [<!ENTITY a "boom">]><a>&a;</a>');
    expect(xml).not.toContain('DOCTYPE');
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "boom">]><a>&a;</a>')).not.toThrow();
  });

  it('ChannelTerminated without the common fields is its own message kind', () => {
    const m = parseInbound(
      '<xsp:event xmlns:xsp="x"><requestId>9</requestId><xsp:payload><xsi:ChannelTerminatedEvent xmlns:xsi="y"><xsi:channelId>ch-1</xsi:channelId><xsi:reason>Expired</xsi:reason></xsi:ChannelTerminatedEvent></xsp:payload></xsp:event>',
    );
    expect(m).toEqual({ kind: 'channelTerminated', requestId: '9', channelId: 'ch-1', reason: 'Expired' });
  });
});
