import { afterEach, describe, expect, it } from 'vitest';
import type { BroadWorksCtiFrontEnd } from '../../../../vendors/broadworks-cti/simulator/index.js';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { CtiTestClient, callOf, payloadOf, type EventInfo } from './cti-client.js';

let sim: RunningSimulator | undefined;
const clients: CtiTestClient[] = [];

async function setup(opts: Record<string, unknown> = {}): Promise<RunningSimulator> {
  sim = await startSimulator({
    frontEnds: { 'broadworks-cti': { keepaliveIntervalMs: 60_000, eventResponseTimeoutMs: 500, ...opts } },
  });
  return sim;
}

async function client(s: RunningSimulator): Promise<CtiTestClient> {
  const c = await CtiTestClient.connect(s.frontEnd('broadworks-cti').port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.stop();
  sim = undefined;
});

describe('BroadWorks CTI front-end: authentication and channels', () => {
  it('rejects bad credentials with 401 and accepts good ones with a sessionId', async () => {
    const s = await setup();
    const c = await client(s);
    const bad = await c.request(
      'AddChannelRequest',
      '<Channel><channelSetId>x</channelSetId><expires>3600</expires></Channel>',
      { credential: 'bridge:wrong' },
    );
    expect(bad['statusCode']).toBe('401');
    expect(bad['reason']).toBe('Unauthorized');
    expect(s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.snapshot().channels).toHaveLength(0);

    const none = await c.request(
      'AddChannelRequest',
      '<Channel><channelSetId>x</channelSetId><expires>3600</expires></Channel>',
      { credential: null },
    );
    expect(none['statusCode']).toBe('401');

    const good = await c.addChannel({ channelSetId: 'set-a', expires: 3600 });
    expect(good['statusCode']).toBe('200');
    expect(good['sessionId']).toMatch(/\S+/);
    // a valid sessionId skips re-authentication
    const again = await c.request('GetChannelSetRequest', '<channelSetId>set-a</channelSetId>', {
      sessionId: String(good['sessionId']),
      credential: 'bridge:wrong',
    });
    expect(again['statusCode']).toBe('200');
  });

  it('clamps channel expiry to [3600, max] and answers Update/Delete of unknown channels with 403/110841', async () => {
    const s = await setup({ maxExpiresSec: 7200 });
    const c = await client(s);
    const low = await c.addChannel({ channelSetId: 'set-a', expires: 60 });
    const ch = payloadOf(low, 'Channel');
    expect(ch['@_xmlns']).toBe('http://schema.broadsoft.com/xsi');
    expect(ch['expires']).toBe('3600');
    expect(ch['channelId']).toMatch(/^[0-9a-f-]{36}$/);
    const high = await c.addChannel({ channelSetId: 'set-a', expires: 999_999 });
    expect(payloadOf(high, 'Channel')['expires']).toBe('7200');

    const upd = await c.request(
      'UpdateChannelRequest',
      '<Channel><channelId>nope</channelId><expires>3600</expires></Channel>',
    );
    expect(upd['statusCode']).toBe('403');
    expect(payloadOf(upd, 'ErrorInfo')['errorCode']).toBe('110841');
    const del = await c.request('DeleteChannelRequest', '<channelId>nope</channelId>');
    expect(del['statusCode']).toBe('403');
    expect(payloadOf(del, 'ErrorInfo')['errorCode']).toBe('110841');
    const set = await c.request('GetChannelSetRequest', '<channelSetId>unknown</channelSetId>');
    expect(set['statusCode']).toBe('403');
    expect(payloadOf(set, 'ErrorInfo')['errorCode']).toBe('110842');
  });

  it('keeps at most 8 channels per set, replacing the one nearest to expiry', async () => {
    const s = await setup();
    const c = await client(s);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await c.addChannel({ channelSetId: 'set-a', expires: i === 3 ? 3600 : 7200 });
      ids.push(String(payloadOf(r, 'Channel')['channelId']));
    }
    const terminated = c.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'));
    const ninth = await c.addChannel({ channelSetId: 'set-a', expires: 7200 });
    expect(ninth['statusCode']).toBe('200');
    await terminated;
    expect(c.channelTerminated.map((t) => t.channelId)).toEqual([ids[3]]);
    const chans = s
      .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
      .frontEnd.snapshot()
      .channels.map((x) => x.channelId);
    expect(chans).toHaveLength(8);
    expect(chans).not.toContain(ids[3]);
  });

  it('terminates the first set when a second set uses the same applicationId (DuplicateChannelSet)', async () => {
    const s = await setup();
    const c = await client(s);
    const first = payloadOf(
      await c.addChannel({ channelSetId: 'set-a', expires: 3600, applicationId: 'app-1' }),
      'Channel',
    )['channelId'];
    const other = payloadOf(
      await c.addChannel({ channelSetId: 'set-x', expires: 3600, applicationId: 'app-2' }),
      'Channel',
    )['channelId'];
    const terminated = c.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'));
    const second = await c.addChannel({ channelSetId: 'set-b', expires: 3600, applicationId: 'app-1' });
    expect(second['statusCode']).toBe('200');
    await terminated;
    expect(c.channelTerminated).toEqual([
      expect.objectContaining({ channelId: first, reason: 'DuplicateChannelSet' }),
    ]);
    const left = s
      .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
      .frontEnd.snapshot()
      .channels.map((x) => x.channelId);
    expect(left).toContain(other);
    expect(left).not.toContain(first);
  });
});

describe('BroadWorks CTI front-end: subscriptions and call flows', () => {
  it('refuses a subscription on an unknown channel set with 403/110842', async () => {
    const s = await setup();
    const c = await client(s);
    const r = await c.addUserSubscription('alice@sim.example', {
      event: 'Advanced Call',
      channelSetId: 'nope',
    });
    expect(r['statusCode']).toBe('403');
    expect(payloadOf(r, 'ErrorInfo')['errorCode']).toBe('110842');
    const bad = await c.addUserSubscription('alice', { event: 'Advanced Call', channelSetId: 'nope' });
    expect(payloadOf(bad, 'ErrorInfo')['errorCode']).toBe('100002');
  });

  it('sends the initial CallSubscriptionEvent after the 200 response', async () => {
    const s = await setup();
    const c = await client(s);
    await c.addChannel({ channelSetId: 'set-a', expires: 3600, applicationId: 'app' });
    const r = await c.addUserSubscription('alice@sim.example', {
      event: 'Advanced Call',
      channelSetId: 'set-a',
      applicationId: 'app',
      expires: 10,
    });
    expect(r['statusCode']).toBe('200');
    const sub = payloadOf(r, 'Subscription');
    expect(sub['expires']).toBe('3600');
    expect(sub['targetIdType']).toBe('User');
    const [ev] = await c.waitEvents(1);
    const respIdx = c.messages.findIndex(
      (m) => m.root === 'xsp:response' && m.doc['statusCode'] === '200' && m.raw.includes('Subscription'),
    );
    const evIdx = c.messages.findIndex((m) => m.root === 'xsp:event');
    expect(respIdx).toBeLessThan(evIdx);
    expect(ev!.type).toBe('CallSubscriptionEvent');
    expect(ev!.subscriptionId).toBe(sub['subscriptionId']);
    expect(ev!.sequenceNumber).toBe(1);
    expect(ev!.targetId).toBe('alice@sim.example');
    expect(ev!.data['xsi:hookStatus']).toBe('On-Hook');
    expect(ev!.raw).toContain('xsi1:type="xsi:SubscriptionEvent"');
    await expect
      .poll(() => s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses.length)
      .toBe(1);
    expect(s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses[0]).toMatchObject({
      statusCode: 200,
      outcome: 'delivered',
      eventID: ev!.eventID,
    });
  });

  it('produces the spec Dial flow for alice -> bob answered by bob', async () => {
    const s = await setup();
    const c = await client(s);
    await c.addChannel({ channelSetId: 'set-a', expires: 3600 });
    await c.addUserSubscription('alice@sim.example', { event: 'Advanced Call', channelSetId: 'set-a' });
    await c.addUserSubscription('bob@sim.example', { event: 'Advanced Call', channelSetId: 'set-a' });
    await c.waitEvents(2);
    c.events.length = 0;

    const dial = await c.action('DialRequest', '/user/%subscriberId%/calls/new?%address%', 'POST', {
      subscriberId: 'alice@sim.example',
      address: '1002',
    });
    expect(dial['statusCode']).toBe('201');
    expect(dial['reason']).toBe('Created');
    const info = payloadOf(dial, 'CallStartInfo');
    const aliceCall = String(info['callId']);
    const tracking = String(info['externalTrackingId']);

    const seq1 = await c.waitEvents(5);
    const flow1 = seq1.map((e) => `${e.targetId}:${e.type}`);
    expect(flow1).toEqual([
      'alice@sim.example:CallOriginatingEvent',
      'alice@sim.example:CallUpdatedEvent',
      'alice@sim.example:HookStatusEvent',
      'alice@sim.example:CallOriginatedEvent',
      'bob@sim.example:CallReceivedEvent',
    ]);
    expect(callOf(seq1[0]!)).toMatchObject({
      'xsi:callId': aliceCall,
      'xsi:extTrackingId': tracking,
      'xsi:personality': 'Click-to-Dial',
      'xsi:state': 'Alerting',
    });
    expect(callOf(seq1[1]!)['xsi:allowAnswer']).toBeDefined();
    expect(seq1[2]!.data['xsi:hookStatus']).toBe('Off-Hook');
    expect(callOf(seq1[3]!)).toMatchObject({
      'xsi:callId': aliceCall,
      'xsi:personality': 'Originator',
      'xsi:state': 'Alerting',
    });
    expect(callOf(seq1[3]!)['xsi:remoteParty']).toMatchObject({
      'xsi:address': 'tel:1002',
      'xsi:userId': 'bob@sim.example',
      'xsi:callType': 'Group',
    });
    const bobCall = callOf(seq1[4]!);
    expect(bobCall).toMatchObject({
      'xsi:extTrackingId': tracking,
      'xsi:personality': 'Terminator',
      'xsi:state': 'Alerting',
    });
    expect(bobCall['xsi:callId']).not.toBe(aliceCall);

    const ans = await c.action('TalkRequest', '/user/%subscriberId%/calls/%callId%/talk', 'PUT', {
      subscriberId: 'bob@sim.example',
      callId: String(bobCall['xsi:callId']),
    });
    expect(ans['statusCode']).toBe('200');
    const all = await c.waitEvents(8);
    expect(all.slice(5).map((e) => `${e.targetId}:${e.type}`)).toEqual([
      'bob@sim.example:CallAnsweredEvent',
      'bob@sim.example:HookStatusEvent',
      'alice@sim.example:CallAnsweredEvent',
    ]);
    const a1 = callOf(all[5]!);
    const a2 = callOf(all[7]!);
    expect(a1['xsi:state']).toBe('Active');
    expect(a2['xsi:state']).toBe('Active');
    expect(a1['xsi:answerTime']).toBe(a2['xsi:answerTime']);
    // per-subscription sequence numbers rise
    const aliceSeqs = all.filter((e) => e.targetId === 'alice@sim.example').map((e) => e.sequenceNumber);
    expect(aliceSeqs).toEqual([...aliceSeqs].sort((x, y) => x - y));
    expect(new Set(all.map((e) => e.eventID)).size).toBe(all.length);

    // hold, then release from alice: CallHeld Held/Remote Held, then the release flow
    await c.action('HoldRequest', '/user/%subscriberId%/calls/%callId%/hold', 'PUT', {
      subscriberId: 'alice@sim.example',
      callId: aliceCall,
    });
    const held = await c.waitEvents(10);
    expect(held.slice(8).map((e) => `${e.targetId}:${callOf(e)['xsi:state']}`)).toEqual([
      'alice@sim.example:Held',
      'bob@sim.example:Remote Held',
    ]);
    const rel = await c.action('ReleaseRequest', '/user/%subscriberId%/calls/%callId%', 'DELETE', {
      subscriberId: 'alice@sim.example',
      callId: aliceCall,
    });
    expect(rel['statusCode']).toBe('200');
    const end = await c.waitEvents(14);
    expect(end.slice(10).map((e) => `${e.targetId}:${e.type}`)).toEqual([
      'bob@sim.example:CallReleasedEvent',
      'alice@sim.example:HookStatusEvent',
      'alice@sim.example:CallReleasedEvent',
      'bob@sim.example:HookStatusEvent',
    ]);
    expect(callOf(end[10]!)['xsi:releasingParty']).toBe('remoteRelease');
    expect(callOf(end[12]!)['xsi:releasingParty']).toBe('localRelease');
    expect(end[11]!.data['xsi:hookStatus']).toBe('On-Hook');
  });

  it('answers Hold on an alerting call with 400 / 101001 and an unknown call with 101002', async () => {
    const s = await setup();
    const c = await client(s);
    const dial = await c.action('DialRequest', '/user/%subscriberId%/calls/new?%address%', 'POST', {
      subscriberId: 'alice@sim.example',
      address: 'tel:1002',
    });
    expect(dial['statusCode']).toBe('201');
    const bobLeg = s.core.listLegs({ userId: 'bob@sim.example' })[0]!;
    expect(bobLeg.state).toBe('alerting');
    const r = await c.action('HoldRequest', '/user/%subscriberId%/calls/%callId%/hold', 'PUT', {
      subscriberId: 'bob@sim.example',
      callId: bobLeg.id,
    });
    expect(r['statusCode']).toBe('400');
    expect(r['reason']).toBe('Bad request');
    const err = payloadOf(r, 'ErrorInfo');
    expect(err['errorCode']).toBe('101001');
    expect(err['summaryEnglish']).toContain(bobLeg.id);
    const unknown = await c.action('HoldRequest', '/user/%subscriberId%/calls/%callId%/hold', 'PUT', {
      subscriberId: 'bob@sim.example',
      callId: 'callhalf-999:0',
    });
    expect(payloadOf(unknown, 'ErrorInfo')['errorCode']).toBe('101002');
    const wrongMethod = await c.action('HoldRequest', '/user/%subscriberId%/calls/%callId%/hold', 'POST', {
      subscriberId: 'bob@sim.example',
      callId: bobLeg.id,
    });
    expect(wrongMethod['statusCode']).toBe('405');
    expect(payloadOf(wrongMethod, 'ErrorInfo')['errorCode']).toBe('1108');
    expect(s.core.getLeg(bobLeg.id)!.state).toBe('alerting');
  });
});

describe('BroadWorks CTI front-end: eventResponse handling and keepalives', () => {
  async function twoChannels(s: RunningSimulator) {
    const c1 = await client(s);
    const c2 = await client(s);
    const ch1 = String(
      payloadOf(await c1.addChannel({ channelSetId: 'ha', expires: 3600, priority: 1 }), 'Channel')[
        'channelId'
      ],
    );
    const ch2 = String(
      payloadOf(await c2.addChannel({ channelSetId: 'ha', expires: 3600, priority: 2 }), 'Channel')[
        'channelId'
      ],
    );
    return { c1, c2, ch1, ch2 };
  }

  it('re-sends the same event on the next channel after a 500', async () => {
    const s = await setup();
    const { c1, c2, ch2 } = await twoChannels(s);
    c1.ackStatus = () => 500;
    await c1.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'ha' });
    const [first] = await c1.waitEvents(1);
    const [second] = await c2.waitEvents(1);
    expect(second!.eventID).toBe(first!.eventID);
    expect(second!.channelId).toBe(ch2);
    expect(second!.requestId).not.toBe(first!.requestId);
    await expect
      .poll(() =>
        s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses.map((r) => r.outcome),
      )
      .toEqual(['retry-next-channel', 'delivered']);
  });

  it('removes the channel on 404 (UnknownChannel) and re-sends on the next channel', async () => {
    const s = await setup();
    const { c1, c2, ch1 } = await twoChannels(s);
    c1.ackStatus = () => 404;
    await c1.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'ha' });
    const [first] = await c1.waitEvents(1);
    const [second] = await c2.waitEvents(1);
    expect(second!.eventID).toBe(first!.eventID);
    await c1.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'), 2000, true);
    expect(c1.channelTerminated).toEqual([
      expect.objectContaining({ channelId: ch1, reason: 'UnknownChannel' }),
    ]);
    expect(
      s
        .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
        .frontEnd.snapshot()
        .channels.map((c) => c.channelId),
    ).not.toContain(ch1);
  });

  it('deletes the subscription on 481 and drops the event', async () => {
    const s = await setup();
    const { c1, c2 } = await twoChannels(s);
    c1.ackStatus = () => 481;
    await c1.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'ha' });
    await c1.waitEvents(1);
    await expect
      .poll(
        () => s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.snapshot().subscriptions.length,
      )
      .toBe(0);
    s.core.setDnd('alice@sim.example', true);
    s.core.dial('1001', '1002');
    expect(c2.events).toHaveLength(0);
    expect(
      s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses.map((r) => r.outcome),
    ).toEqual(['subscription-deleted']);
  });

  it('drops an event answered 400 but keeps channel and subscription', async () => {
    const s = await setup();
    const c = await client(s);
    await c.addChannel({ channelSetId: 'one', expires: 3600 });
    c.ackStatus = (e) => (e.type === 'CallSubscriptionEvent' ? 400 : 200);
    await c.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'one' });
    await c.waitEvents(1);
    s.core.dial('alice@sim.example', '1002');
    const evs = await c.waitEvents(3);
    expect(evs.map((e) => e.type)).toEqual([
      'CallSubscriptionEvent',
      'HookStatusEvent',
      'CallOriginatedEvent',
    ]);
    expect(s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses[0]).toMatchObject({
      statusCode: 400,
      outcome: 'dropped',
    });
    expect(
      s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.snapshot().subscriptions,
    ).toHaveLength(1);
  });

  it('on no answer tags the channel non-responsive and fails over; with no channel left removes it and the subscription', async () => {
    const s = await setup({ eventResponseTimeoutMs: 100 });
    const { c1, c2, ch1 } = await twoChannels(s);
    c1.ackStatus = () => undefined;
    await c1.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'ha' });
    const [first] = await c1.waitEvents(1);
    const [second] = await c2.waitEvents(1);
    expect(second!.eventID).toBe(first!.eventID);
    expect(
      s
        .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
        .frontEnd.snapshot()
        .channels.find((c) => c.channelId === ch1)?.nonResponsive,
    ).toBe(true);
    // the non-responsive channel now ranks last: the next event goes to channel 2 first
    s.core.setDnd('bob@sim.example', true);
    s.core.dial('alice@sim.example', '1002');
    const next = await c2.waitEvents(2);
    expect(next[1]!.type).toBe('HookStatusEvent');

    // single channel that never answers: the event is dropped, channel and subscription removed
    const c3 = await client(s);
    const ch3 = String(
      payloadOf(await c3.addChannel({ channelSetId: 'solo', expires: 3600 }), 'Channel')['channelId'],
    );
    c3.ackStatus = () => undefined;
    await c3.addUserSubscription('carol@sim.example', { event: 'Basic Call', channelSetId: 'solo' });
    await c3.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'), 2000, true);
    expect(c3.channelTerminated).toEqual([
      expect.objectContaining({ channelId: ch3, reason: 'NonResponsiveChannel' }),
    ]);
    expect(
      s
        .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
        .frontEnd.snapshot()
        .subscriptions.filter((x) => x.targetId === 'carol@sim.example'),
    ).toHaveLength(0);
  });

  it('drops the socket after missed keepalives and invalidates its channels', async () => {
    const s = await setup({ keepaliveIntervalMs: 40, keepaliveMaxMisses: 2 });
    const c = await client(s);
    await c.addChannel({ channelSetId: 'ka', expires: 3600 });
    c.answerKeepalives = false;
    const ka = await c.waitFor((m) => m.root === 'xsp:keepalive');
    expect(ka.doc['@_version']).toBe('17.0');
    expect(ka.doc['period']).toBeDefined();
    await c.closed;
    expect(c.messages.filter((m) => m.root === 'xsp:keepalive').length).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.snapshot().channels.length)
      .toBe(0);
  });

  it('keeps a socket that answers keepalives and answers client keepalives', async () => {
    const s = await setup({ keepaliveIntervalMs: 30, keepaliveMaxMisses: 2 });
    const c = await client(s);
    for (let i = 0; i < 4; i++) await c.waitFor((m) => m.root === 'xsp:keepalive');
    expect(c.isClosed).toBe(false);
    const resp = c.waitFor((m) => m.root === 'xsp:keepaliveResponse');
    c.send(
      `<xsp:keepalive version="17.0" xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>k1</requestId></xsp:keepalive>`,
    );
    expect((await resp).doc['requestId']).toBe('k1');
  });

  it('fault injection: drop connections and override eventResponses', async () => {
    const s = await setup();
    const c = await client(s);
    await c.addChannel({ channelSetId: 'f', expires: 3600 });
    s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.overrideEventResponses(1, 481);
    await c.addUserSubscription('alice@sim.example', { event: 'Basic Call', channelSetId: 'f' });
    await c.waitEvents(1);
    await expect
      .poll(() => s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.eventResponses[0])
      .toMatchObject({ statusCode: 200, appliedStatus: 481, outcome: 'subscription-deleted' });
    s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.dropConnections();
    await c.closed;
    await expect
      .poll(() => s.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.snapshot().channels.length)
      .toBe(0);
  });
});

describe('BroadWorks CTI front-end: framing', () => {
  it('handles several requests in one write and one request split over many writes', async () => {
    const s = await setup();
    const c = await client(s);
    const cred = Buffer.from('bridge:bridge-secret').toString('base64');
    const reqXml = (id: string, set: string) =>
      `<xsp:request version="17.0" xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>${id}</requestId><credential>${cred}</credential><xsp:payload><AddChannelRequest xmlns="http://schema.broadsoft.com/xsi"><channel><channelSetId>${set}</channelSetId><expires>3600</expires></channel></AddChannelRequest></xsp:payload></xsp:request>\n`;
    const both = c.waitFor((m) => m.root === 'xsp:response' && m.doc['requestId'] === 'b');
    c.socket.write(reqXml('a', 's1') + '  \n' + reqXml('b', 's2'));
    await both;
    const split = reqXml('c', 'sé');
    const done = c.waitFor((m) => m.root === 'xsp:response' && m.doc['requestId'] === 'c');
    const buf = Buffer.from(split, 'utf8');
    for (let i = 0; i < buf.length; i += 7) c.socket.write(buf.subarray(i, i + 7));
    expect((await done)['doc']['statusCode']).toBe('200');
    expect(
      s
        .frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti')
        .frontEnd.snapshot()
        .channels.map((x) => x.channelSetId)
        .sort(),
    ).toEqual(['s1', 's2', 'sé']);
  });
});

export type { EventInfo };
