/**
 * Socket-level tests against a scripted fake Xsp on 127.0.0.1: connect / channel / subscribe, keepalive,
 * event acknowledgement, collation, commands, terminations and resync.
 */
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import type { BroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/driver.js';
import {
  LinkUnavailableError,
  NotSupportedError,
  VendorError,
  type Driver,
} from '../../../../vendors/driver-kit/seam.js';
import { parseEventData } from '../../../../shared/events/model.js';
import { textOf, child } from '../../../../vendors/broadworks-cti/wire/index.js';
import { FakeXsp, Recorder, callXml, eventXml, linkConfig, response } from './helpers.js';

const ALICE = 'alice@sim.example';
let server: FakeXsp;
let rec: Recorder;
let driver: Driver | undefined;

beforeEach(async () => {
  server = await FakeXsp.start();
  rec = new Recorder();
});

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  await server.stop();
});

async function connected(options: Record<string, unknown> = {}): Promise<BroadWorksCtiDriver> {
  const d = createBroadWorksCtiDriver(
    standaloneContext(linkConfig(server.endpoint, options), rec.hooks, rec.logger),
  ) as BroadWorksCtiDriver;
  driver = d;
  await d.connect();
  await d.watch([{ target: { type: 'user', id: ALICE }, families: ['call'] }]);
  return d;
}

/** A call event of ALICE's call on `subscriptionId` (eventID `<subscription>-<seq>`). */
function callEvent(subscriptionId: string, seq: number, type: string, state: string, callId = 'c1'): string {
  return eventXml({
    requestId: `0:${seq}`,
    eventId: `${subscriptionId}-${seq}`,
    seq,
    subscriptionId,
    targetId: ALICE,
    type,
    body: callXml({ callId, ext: '1:1', personality: 'Terminator', state }),
  });
}

describe('session setup', () => {
  it('authenticates, adds a channel, subscribes, and is ready', async () => {
    const d = await connected();
    expect(d.client.state).toBe('ready');
    const [probe, add] = [
      server.requests('GetChannelSetRequest')[0]!,
      server.requests('AddChannelRequest')[0]!,
    ];
    expect(probe).toBeDefined();
    expect(textOf(probe.root, 'credential')).toBe(Buffer.from('bridge:bridge-secret').toString('base64'));
    const channel = child(child(add.root, 'payload'), 'payload');
    expect(textOf(channel, 'channelsetid')).toBe('cti-bridge.t1.l1');
    expect(textOf(channel, 'applicationid')).toBe('cti-bridge.t1.l1');
    expect(textOf(channel, 'expires')).toBe('3600');
    // requests after the first carry the sessionId the server returned
    expect(textOf(add.root, 'sessionid')).toBe('S-1');
    const sub = server.requests('AddUserSubscriptionRequest')[0]!;
    expect(sub.params).toEqual({ subscriberId: ALICE });
    expect(textOf(child(sub.root, 'payload'), 'event')).toBe('Advanced Call');
    expect(textOf(child(sub.root, 'payload'), 'channelsetid')).toBe('cti-bridge.t1.l1');
    // frames are one XML document followed by one LF
    expect(sub.text.endsWith('</xsp:request>')).toBe(true);
  });

  it('watch adds and removes the difference (one subscription per target and package)', async () => {
    const d = await connected();
    await d.watch([
      { target: { type: 'user', id: ALICE }, families: ['call', 'conference'] },
      { target: { type: 'user', id: 'bob@sim.example' }, families: ['service'] },
    ]);
    const adds = server
      .requests('AddUserSubscriptionRequest')
      .map((r) => `${r.params.subscriberId}|${textOf(child(r.root, 'payload'), 'event')}`);
    expect(adds).toEqual([
      `${ALICE}|Advanced Call`,
      'bob@sim.example|Do Not Disturb',
      'bob@sim.example|Call Forwarding Always',
      'bob@sim.example|Call Forwarding Busy',
      'bob@sim.example|Call Forwarding No Answer',
    ]);
    await d.watch([{ target: { type: 'user', id: 'bob@sim.example' }, families: ['service'] }]);
    expect(server.requests('DeleteSubscriptionRequest').map((r) => r.params.subscriptionId)).toEqual([
      'sub-1',
    ]);
    expect(server.requests('AddUserSubscriptionRequest')).toHaveLength(5);
  });

  it('rejects bad credentials without reporting a down link', async () => {
    const d = createBroadWorksCtiDriver(
      standaloneContext(linkConfig(server.endpoint, {}, 'wrong'), rec.hooks, rec.logger),
    );
    driver = d;
    await expect(d.connect()).rejects.toThrow(/authentication failed \(401/);
    expect(rec.downs).toEqual([]);
    await expect(d.execute({ kind: 'hold', user: ALICE, call: 'c1' })).rejects.toBeInstanceOf(
      LinkUnavailableError,
    );
  });

  it('fails connect when nothing listens', async () => {
    const port = server.port;
    await server.stop();
    server = await FakeXsp.start(); // keep afterEach happy
    const d = createBroadWorksCtiDriver(
      standaloneContext(linkConfig(`tcp://127.0.0.1:${port}`), rec.hooks, rec.logger),
    );
    driver = d;
    await expect(d.connect()).rejects.toThrow(/connect to 127\.0\.0\.1/);
  });

  it('refreshes the channel before it expires', async () => {
    server.channelExpires = 1;
    await connected({ refreshRatio: 0.5 });
    const upd = await server.waitFor((r) => r.type === 'UpdateChannelRequest', 'UpdateChannelRequest');
    expect(upd.params).toEqual({ channelId: 'ch-1' });
  });
});

describe('keepalive and acknowledgements', () => {
  it('answers a server keepalive with a keepaliveResponse echoing requestId', async () => {
    await connected();
    server.send(
      '<xsp:keepalive version="17.0" xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>15022</requestId><period>300</period></xsp:keepalive>\n',
    );
    const ka = await server.waitFor((r) => r.kind === 'keepaliveresponse', 'keepaliveResponse');
    expect(textOf(ka.root, 'requestid')).toBe('15022');
  });

  it('acknowledges every event, delivers in sequence order and drops duplicates', async () => {
    await connected();
    const e = (seq: number, id: string, callState: string, type: string) =>
      eventXml({
        requestId: `0:${seq}`,
        eventId: id,
        seq,
        subscriptionId: 'sub-1',
        targetId: ALICE,
        type,
        body: callXml({
          callId: 'c1',
          ext: '1:1',
          personality: 'Terminator',
          state: callState,
          answer: callState === 'Active' ? 1271253525554 : undefined,
        }),
      });
    // seq 1 received, 3 before 2, then 2 again (a retry after a lost acknowledgement)
    server.send(e(1, 'e1', 'Alerting', 'CallReceivedEvent'));
    server.send(e(3, 'e3', 'Released', 'CallReleasedEvent') + e(2, 'e2', 'Active', 'CallAnsweredEvent'));
    server.send(e(2, 'e2', 'Active', 'CallAnsweredEvent'));
    await rec.waitFor(() => rec.events.length >= 3, '3 events');
    expect(rec.types()).toEqual(['call.received', 'call.answered', 'call.released']);
    for (const ev of rec.events) parseEventData(ev.type, ev.data);
    const acks = await server.waitFor(() => server.acks().length >= 4, '4 acks').then(() => server.acks());
    // each answered once its handling is durable: e3 (held for the gap) only after e2
    expect(acks[0]).toEqual({ requestId: '0:1', eventId: 'e1', status: '200' });
    expect(acks.map((a) => a.eventId).indexOf('e3')).toBeGreaterThan(
      acks.map((a) => a.eventId).indexOf('e2'),
    );
    expect([...acks].sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)))).toEqual([
      { requestId: '0:1', eventId: 'e1', status: '200' },
      { requestId: '0:2', eventId: 'e2', status: '200' },
      { requestId: '0:2', eventId: 'e2', status: '200' },
      { requestId: '0:3', eventId: 'e3', status: '200' },
    ]);
  });

  it('skips a sequence gap after the collation window', async () => {
    await connected({ collateWindowMs: 50 });
    server.send(
      eventXml({
        requestId: '0:1',
        eventId: 'g1',
        seq: 1,
        targetId: ALICE,
        type: 'CallReceivedEvent',
        body: callXml({ callId: 'g', ext: '1:1', personality: 'Terminator', state: 'Alerting' }),
      }),
    );
    server.send(
      eventXml({
        requestId: '0:3',
        eventId: 'g3',
        seq: 3,
        targetId: ALICE,
        type: 'CallReleasedEvent',
        body: callXml({ callId: 'g', ext: '1:1', personality: 'Terminator', state: 'Released' }),
      }),
    );
    await rec.waitFor(() => rec.events.length >= 2, 'events after the gap');
    expect(rec.types()).toEqual(['call.received', 'call.released']);
  });

  it('answers 400 to an event it cannot read, reports garbage, and carries on', async () => {
    await connected();
    server.send(
      '<xsp:event xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>0:50</requestId><xsp:payload><nonsense/></xsp:payload></xsp:event>\n',
    );
    server.send('\u0000\u0001 not xml at all\n');
    server.send(
      eventXml({
        requestId: '0:51',
        eventId: 'ok-1',
        seq: 1,
        targetId: ALICE,
        type: 'CallReceivedEvent',
        body: callXml({ callId: 'z', ext: '1:1', personality: 'Terminator', state: 'Alerting' }),
      }),
    );
    await rec.waitFor(() => rec.events.length === 1, 'the valid event');
    await server.waitFor(() => server.acks().length === 2, 'both acks');
    expect(server.acks()[0]).toEqual({ requestId: '0:50', eventId: undefined, status: '400' });
    expect(rec.garbage.map((g) => g.kind)).toEqual(expect.arrayContaining(['unparseable', 'framing']));
    expect(rec.downs).toEqual([]);
  });

  it('answers 481 for events of a subscription it deleted', async () => {
    const d = await connected();
    await d.watch([]);
    server.send(
      eventXml({
        requestId: '0:60',
        eventId: 'late',
        seq: 9,
        subscriptionId: 'sub-1',
        targetId: ALICE,
        type: 'CallReceivedEvent',
        body: callXml({ callId: 'l', ext: '1:1', personality: 'Terminator', state: 'Alerting' }),
      }),
    );
    await server.waitFor(() => server.acks().length === 1, 'ack');
    expect(server.acks()[0]!.status).toBe('481');
    expect(rec.events).toEqual([]);
  });
});

describe('terminations', () => {
  it('SubscriptionTerminated → subscription.terminated and the subscription is re-created', async () => {
    await connected({ resubscribeDelayMs: 10 });
    server.send(
      eventXml({
        requestId: '0:70',
        eventId: 'st1',
        seq: 5,
        subscriptionId: 'sub-1',
        targetId: ALICE,
        type: 'SubscriptionTerminatedEvent',
        body: '',
      }),
    );
    await server.waitFor(() => server.requests('AddUserSubscriptionRequest').length === 2, 're-subscribe');
    expect(rec.events.map((e) => [e.type, e.target, e.data])).toEqual([
      ['subscription.terminated', { type: 'user', id: ALICE }, { subscription: 'sub-1' }],
    ]);
  });

  it('ChannelTerminated (Expired) → new channel on the same connection, subscriptions re-created', async () => {
    const d = await connected();
    server.send(
      '<xsp:event xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>0:80</requestId><xsp:payload><xsi:ChannelTerminatedEvent xmlns:xsi="http://schema.broadsoft.com/xsi"><xsi:channelId>ch-1</xsi:channelId><xsi:reason>Expired</xsi:reason></xsi:ChannelTerminatedEvent></xsp:payload></xsp:event>\n',
    );
    await server.waitFor(() => server.requests('AddUserSubscriptionRequest').length === 2, 're-subscribe');
    expect(server.requests('AddChannelRequest')).toHaveLength(2);
    expect(server.acks()).toEqual([]); // ChannelTerminated is never acknowledged
    expect(rec.events[0]).toMatchObject({
      type: 'subscription.terminated',
      data: { subscription: 'sub-1', reason: 'ChannelTerminated: Expired' },
    });
    await vi.waitFor(() => expect(d.client.state).toBe('ready'));
    expect(rec.downs).toEqual([]);
  });

  it('a removed or terminated subscription takes its collator with it', async () => {
    const d = await connected({ resubscribeDelayMs: 10 });
    server.send(callEvent('sub-1', 1, 'CallReceivedEvent', 'Alerting'));
    await rec.waitFor(() => rec.events.length === 1, 'the event of sub-1');
    expect(d.client.collating).toBe(1);
    server.send(
      eventXml({
        requestId: '0:2',
        eventId: 'st1',
        seq: 2,
        subscriptionId: 'sub-1',
        targetId: ALICE,
        type: 'SubscriptionTerminatedEvent',
        body: '',
      }),
    );
    await vi.waitFor(() => expect(d.subs.list()[0]?.vendorId).toBe('sub-2'));
    expect(d.client.collating).toBe(0);
    server.send(callEvent('sub-2', 1, 'CallReleasedEvent', 'Released'));
    await rec.waitFor(() => rec.events.length === 3, 'the event of sub-2');
    expect(d.client.collating).toBe(1);
    await d.watch([]);
    expect(server.requests('DeleteSubscriptionRequest').map((r) => r.params.subscriptionId)).toEqual([
      'sub-2',
    ]);
    expect(d.client.collating).toBe(0);
  });

  it('a lost channel hands on at once what its collators held, and forgets them', async () => {
    const d = await connected({ collateWindowMs: 60_000 });
    server.send(callEvent('sub-1', 1, 'CallReceivedEvent', 'Alerting'));
    server.send(callEvent('sub-1', 3, 'CallReleasedEvent', 'Released')); // waits for 2
    // a subscription this process does not know (a previous owner's): its first event waits too
    server.send(callEvent('old-1', 7, 'CallReceivedEvent', 'Alerting', 'c9'));
    await vi.waitFor(() => expect(d.client.collating).toBe(2));
    expect(rec.types()).toEqual(['call.received']);
    server.send(
      '<xsp:event xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>0:80</requestId><xsp:payload><xsi:ChannelTerminatedEvent xmlns:xsi="http://schema.broadsoft.com/xsi"><xsi:channelId>ch-1</xsi:channelId><xsi:reason>Expired</xsi:reason></xsi:ChannelTerminatedEvent></xsp:payload></xsp:event>\n',
    );
    // delivered and answered long before the collation window ends
    await rec.waitFor(() => rec.types().includes('call.released'), 'the held event');
    await rec.waitFor(
      () => rec.events.some((e) => (e.data as { call?: { id: string } }).call?.id === 'c9'),
      'the unknown one',
    );
    await server.waitFor(() => server.acks().length === 3, 'the acks');
    await vi.waitFor(() => expect(d.client.state).toBe('ready'));
    expect(server.requests('AddUserSubscriptionRequest')).toHaveLength(2);
    expect(d.client.collating).toBe(0);
  });

  it('DuplicateChannelSet ends the session; a closed socket reports down once; close() reports nothing', async () => {
    await connected();
    server.send(
      '<xsp:event xmlns:xsp="x"><requestId>0:81</requestId><xsp:payload><ChannelTerminatedEvent><channelId>ch-1</channelId><reason>DuplicateChannelSet</reason></ChannelTerminatedEvent></xsp:payload></xsp:event>\n',
    );
    await rec.waitFor(() => rec.downs.length === 1, 'down');
    expect(rec.downs[0]).toContain('DuplicateChannelSet');
    const d2 = createBroadWorksCtiDriver(
      standaloneContext(linkConfig(server.endpoint), rec.hooks, rec.logger),
    );
    await d2.connect();
    await d2.close();
    expect(rec.downs).toHaveLength(1);
  });

  it('reports down when the server drops the connection', async () => {
    await connected();
    for (const s of server.sockets) s.destroy();
    await rec.waitFor(() => rec.downs.length === 1, 'down');
    expect(rec.downs[0]).toMatch(/closed/);
  });
});

describe('commands', () => {
  it('dial returns callStartInfo; vendor errors become VendorError with the ErrorInfo code', async () => {
    const d = await connected();
    server.handlers.DialRequest = (req) =>
      response(
        req.requestId,
        201,
        '<CallStartInfo xmlns="http://schema.broadsoft.com/xsi"><callId>callhalf-10201:0</callId><externalTrackingId>62:1</externalTrackingId></CallStartInfo>',
      );
    server.handlers.HoldRequest = (req) =>
      response(req.requestId, 400, '', 'Call callhalf-1:0 not found.', '101002');
    await expect(d.execute({ kind: 'dial', user: ALICE, to: 'tel:+15551234' })).resolves.toEqual({
      callId: 'callhalf-10201:0',
      correlationId: '62:1',
    });
    const dial = server.requests('DialRequest')[0]!;
    expect(textOf(child(dial.root, 'payload'), 'uri')).toBe(
      '/com.broadsoft.xsi-actions/v2.0/user/%subscriberId%/calls/new?%address%',
    );
    expect(textOf(child(dial.root, 'payload'), 'method')).toBe('POST');
    expect(dial.params).toEqual({ subscriberId: ALICE, address: 'tel:+15551234' });
    const err = await d.execute({ kind: 'hold', user: ALICE, call: 'callhalf-1:0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({
      status: 404,
      vendor: { name: 'broadworks-cti', code: '101002', status: 400, text: 'Call callhalf-1:0 not found.' },
    });
  });

  it('maps the call and service commands to their URIs', async () => {
    const d = await connected();
    server.handlers.GetDoNotDisturbRequest = (req) =>
      response(
        req.requestId,
        200,
        '<DoNotDisturb xmlns="http://schema.broadsoft.com/xsi"><active>true</active></DoNotDisturb>',
      );
    server.handlers.GetAgentStateRequest = (req) =>
      response(
        req.requestId,
        200,
        '<CallCenter xmlns="http://schema.broadsoft.com/xsi"><agentACDState>Wrap-Up</agentACDState></CallCenter>',
      );
    await d.execute({ kind: 'answer', user: ALICE, call: 'c1' });
    await d.execute({ kind: 'retrieve', user: ALICE, call: 'c1' });
    await d.execute({ kind: 'release', user: ALICE, call: 'c1' });
    await d.execute({ kind: 'blindTransfer', user: ALICE, call: 'c1', to: 'tel:1013' });
    await d.execute({ kind: 'consultTransfer', user: ALICE, call: 'c1', withCall: 'c2' });
    await d.execute({ kind: 'conference', user: ALICE, call: 'c1', withCall: 'c2' });
    await expect(d.execute({ kind: 'getDnd', user: ALICE })).resolves.toEqual({ enabled: true });
    await expect(d.execute({ kind: 'getAgentState', agent: ALICE })).resolves.toEqual({ state: 'wrap-up' });
    await d.execute({ kind: 'setForwarding', user: ALICE, type: 'busy', enabled: true, to: '1020' });
    const sent = server.received.filter(
      (r) => r.kind === 'request' && r.type && !/Channel|Subscription/.test(r.type),
    );
    expect(
      sent.map(
        (r) =>
          `${textOf(child(r.root, 'payload'), 'method')} ${textOf(child(r.root, 'payload'), 'uri')!.replace('/com.broadsoft.xsi-actions/v2.0', '')}`,
      ),
    ).toEqual([
      'PUT /user/%subscriberId%/calls/%callId%/talk',
      'PUT /user/%subscriberId%/calls/%callId%/talk',
      'DELETE /user/%subscriberId%/calls/%callId%',
      'PUT /user/%subscriberId%/calls/%callId%/blindtransfer?%address%',
      'PUT /user/%subscriberId%/calls/%callId1%/consulttransfer/%callId2%',
      'POST /user/%subscriberId%/calls/conference',
      'GET /user/%subscriberId%/services/donotdisturb',
      'GET /user/%subscriberId%/services/callcenter',
      'PUT /user/%subscriberId%/services/CallForwardingBusy',
    ]);
    const conf = server.requests('ConferenceStartRequest')[0]!;
    expect(conf.text).toContain(
      '<conferenceParticipant><callId>c1</callId></conferenceParticipant><conferenceParticipant><callId>c2</callId></conferenceParticipant>',
    );
    const cfb = server.requests('ModifyCallForwardingBusyRequest')[0]!;
    expect(cfb.text).toContain('<active>true</active><forwardToPhoneNumber>1020</forwardToPhoneNumber>');
  });

  it('listUsers comes from options.users; raw passes through; commands before connect are LinkUnavailable', async () => {
    const d = createBroadWorksCtiDriver(
      standaloneContext(
        linkConfig(server.endpoint, { users: [{ id: ALICE, extension: '1001', name: 'Alice' }] }),
        rec.hooks,
        rec.logger,
      ),
    );
    driver = d;
    await expect(d.execute({ kind: 'dial', user: ALICE, to: '1002' })).rejects.toBeInstanceOf(
      LinkUnavailableError,
    );
    await d.connect();
    await expect(d.execute({ kind: 'listUsers' })).resolves.toEqual({
      users: [{ id: ALICE, extension: '1001', name: 'Alice' }],
    });
    server.handlers.RawRequest = (req) => response(req.requestId, 400, '', 'nope', '1000');
    await expect(
      d.execute({ kind: 'raw', request: { method: 'GET', uri: '/x/%a%', params: { a: 'b' } } }),
    ).resolves.toEqual({
      status: 400,
      body: {
        reason: 'nope',
        errorInfo: { errorCode: '1000', summary: 'nope', summaryEnglish: 'nope' },
        payload: { ErrorInfo: { errorCode: '1000', summary: 'nope', summaryEnglish: 'nope' } },
      },
    });
    await expect(
      d.execute({ kind: 'raw', request: { method: 'GET', uri: '/x', payload: '<a><b></a>' } }),
    ).rejects.toBeInstanceOf(VendorError);
    const noUsers = createBroadWorksCtiDriver(
      standaloneContext(linkConfig(server.endpoint), rec.hooks, rec.logger),
    );
    await expect(noUsers.execute({ kind: 'listUsers' })).rejects.toBeInstanceOf(NotSupportedError);
  });

  it('a request with no answer times out as LinkUnavailable', async () => {
    const d = await connected({ requestTimeoutMs: 100 });
    server.handlers.HoldRequest = () => null;
    await expect(d.execute({ kind: 'hold', user: ALICE, call: 'c1' })).rejects.toThrow(/timed out/);
  });
});

describe('resync', () => {
  it('releases calls that vanished and updates calls that changed, from the call list', async () => {
    server.initialEvent = (sub, target) =>
      eventXml({
        requestId: '0:1',
        eventId: `init-${sub}`,
        seq: 1,
        subscriptionId: sub,
        targetId: target,
        type: 'CallSubscriptionEvent',
        body: `<xsi:callList>${callXml({ callId: 'r1', ext: '1:1', personality: 'Originator', state: 'Active' })}${callXml({ callId: 'r2', ext: '2:1', personality: 'Terminator', state: 'Alerting' })}</xsi:callList><xsi:hookStatus>Off-Hook</xsi:hookStatus>`,
      });
    const d = await connected();
    await server.waitFor(() => server.acks().length === 1, 'initial event ack');
    expect(rec.events).toEqual([]); // the snapshot seeds silently
    server.handlers.RetrieveCallInfoListRequest = (req) =>
      response(
        req.requestId,
        200,
        '<CallInfoList xmlns="http://schema.broadsoft.com/xsi"><callInfo><callId>r2</callId></callInfo></CallInfoList>',
      );
    server.handlers.RetrieveCallDetailsRequest = (req) =>
      response(
        req.requestId,
        200,
        `<Call xmlns="http://schema.broadsoft.com/xsi"><callId>${req.params.callId}</callId><extTrackingId>2:1</extTrackingId><personality>Terminator</personality><state>Active</state><remoteParty><address>tel:1012</address></remoteParty><startTime>1271253524007</startTime><answerTime>1271253525554</answerTime></Call>`,
      );
    await d.resync();
    expect(rec.events.map((e) => `${e.type}:${(e.data as { call: { id: string } }).call.id}`)).toEqual([
      'call.released:r1',
      'call.updated:r2',
    ]);
    expect(rec.events[0]!.data).toMatchObject({ call: { releaseCause: 'resync' } });
    await expect(d.execute({ kind: 'listCalls', user: ALICE })).resolves.toMatchObject({
      calls: [{ id: 'r2', state: 'active', direction: 'inbound', remote: { address: 'tel:1012' } }],
    });
  });
});
