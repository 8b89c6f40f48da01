/**
 * BroadWorks CTI front-end with a window of events awaiting their eventResponse (`maxEventsInFlight`),
 * over real sockets: the raw XML client, then the bridge's own driver.
 */
import type { BroadWorksCtiFrontEnd } from '../../../../vendors/broadworks-cti/simulator/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import type { Driver } from '../../../../vendors/driver-kit/seam.js';
import type { EventDraft } from '../../../../shared/events/model.js';
import { CtiTestClient, payloadOf, type EventInfo } from './cti-client.js';
import { Recorder, linkConfig } from '../driver/helpers.js';

const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';

let sim: RunningSimulator | undefined;
let driver: Driver | undefined;
const clients: CtiTestClient[] = [];

async function setup(opts: Record<string, unknown> = {}): Promise<RunningSimulator> {
  sim = await startSimulator({
    frontEnds: { 'broadworks-cti': { keepaliveIntervalMs: 60_000, eventResponseTimeoutMs: 5000, ...opts } },
  });
  return sim;
}

function frontEndOf(s: RunningSimulator | undefined): BroadWorksCtiFrontEnd {
  return s!.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd;
}

async function client(s: RunningSimulator): Promise<CtiTestClient> {
  const c = await CtiTestClient.connect(s.frontEnd('broadworks-cti').port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  for (const c of clients.splice(0)) c.close();
  await sim?.stop();
  sim = undefined;
});

/**
 * Two connections with one channel each in set `ha`: c1 preferred (priority 1), c2 the fallback. Alice and
 * bob are subscribed (Advanced Call); their initial events are answered before this returns, and from then
 * on c1 answers nothing by itself.
 */
async function twoChannels(s: RunningSimulator) {
  const c1 = await client(s);
  const c2 = await client(s);
  const channelId = async (c: CtiTestClient, priority: number) =>
    String(
      payloadOf(await c.addChannel({ channelSetId: 'ha', expires: 3600, priority }), 'Channel')['channelId'],
    );
  const ch1 = await channelId(c1, 1);
  const ch2 = await channelId(c2, 2);
  await c1.addUserSubscription(ALICE, { event: 'Advanced Call', channelSetId: 'ha' });
  await c1.addUserSubscription(BOB, { event: 'Advanced Call', channelSetId: 'ha' });
  await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2);
  c1.ackStatus = undefined;
  c1.events.length = 0;
  return { c1, c2, ch1, ch2 };
}

/** alice dials bob, bob answers: 6 events (3 for alice, 3 for bob), queued at once. */
const DIAL_ANSWER = [
  `${ALICE}:HookStatusEvent`,
  `${ALICE}:CallOriginatedEvent`,
  `${BOB}:CallReceivedEvent`,
  `${BOB}:CallAnsweredEvent`,
  `${BOB}:HookStatusEvent`,
  `${ALICE}:CallAnsweredEvent`,
];

function dialAndAnswer(s: RunningSimulator): { aliceLeg: string; bobLeg: string } {
  const aliceLeg = s.core.dial(ALICE, '1002').id;
  const bobLeg = s.core.listLegs({ userId: BOB }).find((l) => l.state === 'alerting')!.id;
  s.core.answer(bobLeg);
  return { aliceLeg, bobLeg };
}

const flow = (evs: EventInfo[]) => evs.map((e) => `${e.targetId ?? e.userId}:${e.type}`);

/** sequenceNumbers rise within each subscription. */
function inSequence(evs: EventInfo[]): boolean {
  const last = new Map<string, number>();
  for (const e of evs) {
    if ((last.get(e.subscriptionId) ?? 0) >= e.sequenceNumber) return false;
    last.set(e.subscriptionId, e.sequenceNumber);
  }
  return true;
}

describe('BroadWorks CTI front-end: maxEventsInFlight', () => {
  it('writes several events before any eventResponse and completes them answered out of order', async () => {
    const s = await setup({ maxEventsInFlight: 8 });
    const c = await client(s);
    await c.addChannel({ channelSetId: 'w', expires: 3600 });
    await c.addUserSubscription(ALICE, { event: 'Advanced Call', channelSetId: 'w' });
    await c.addUserSubscription(BOB, { event: 'Advanced Call', channelSetId: 'w' });
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2);
    c.ackStatus = undefined;
    c.events.length = 0;
    const sentBefore = frontEndOf(s).deliveries.length;

    dialAndAnswer(s);
    // the window has room for all six: they are written at once, none answered
    expect(frontEndOf(s).deliveries.length - sentBefore).toBe(6);
    const evs = await c.waitEvents(6);
    expect(flow(evs)).toEqual(DIAL_ANSWER);
    expect(inSequence(evs)).toBe(true);
    expect(frontEndOf(s).eventResponses).toHaveLength(2);

    const answerOrder = [evs[3]!, evs[0]!, evs[5]!, evs[1]!, evs[4]!, evs[2]!];
    for (const e of answerOrder) c.eventResponse(e.requestId, e.eventID, 200);
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(8);
    const answered = frontEndOf(s).eventResponses.slice(2);
    expect(answered.map((r) => r.eventID)).toEqual(answerOrder.map((e) => e.eventID));
    expect(answered.every((r) => r.statusCode === 200 && r.outcome === 'delivered')).toBe(true);
    expect(frontEndOf(s).deliveries.length - sentBefore).toBe(6); // nothing re-sent
  });

  it('never has more than maxEventsInFlight events unanswered; each answer lets one more out', async () => {
    const s = await setup({ maxEventsInFlight: 3 });
    const c = await client(s);
    await c.addChannel({ channelSetId: 'w', expires: 3600 });
    await c.addUserSubscription(ALICE, { event: 'Advanced Call', channelSetId: 'w' });
    await c.addUserSubscription(BOB, { event: 'Advanced Call', channelSetId: 'w' });
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2);
    c.ackStatus = undefined;
    c.events.length = 0;
    const sentBefore = frontEndOf(s).deliveries.length;
    const sent = () => frontEndOf(s).deliveries.length - sentBefore;

    dialAndAnswer(s);
    expect(sent()).toBe(3);
    const first = await c.waitEvents(3);
    c.eventResponse(first[1]!.requestId, first[1]!.eventID, 200);
    await c.waitEvents(4);
    expect(sent()).toBe(4);
    // answer the rest as they come
    c.ackStatus = () => 200;
    for (const e of c.events.filter((x) => x !== first[1])) c.eventResponse(e.requestId, e.eventID, 200);
    const all = await c.waitEvents(6);
    expect(flow(all)).toEqual(DIAL_ANSWER);
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(8);
    expect(sent()).toBe(6);
  });

  it('re-sends an event answered 500 on the other channel while the rest of the window completes', async () => {
    const s = await setup({ maxEventsInFlight: 8 });
    const { c1, c2, ch1, ch2 } = await twoChannels(s);
    dialAndAnswer(s);
    const evs = await c1.waitEvents(6);
    const victim = evs[2]!;
    for (const e of [...evs].reverse()) c1.eventResponse(e.requestId, e.eventID, e === victim ? 500 : 200);

    const [again] = await c2.waitEvents(1);
    expect(again!.eventID).toBe(victim.eventID);
    expect(again!.sequenceNumber).toBe(victim.sequenceNumber);
    expect(again!.channelId).toBe(ch2);
    expect(again!.requestId).not.toBe(victim.requestId);
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2 + 7);
    const records = frontEndOf(s).eventResponses.slice(2);
    expect(records.find((r) => r.requestId === victim.requestId)).toMatchObject({
      statusCode: 500,
      outcome: 'retry-next-channel',
      channelId: ch1,
    });
    expect(records.find((r) => r.requestId === again!.requestId)).toMatchObject({
      eventID: victim.eventID,
      statusCode: 200,
      outcome: 'delivered',
      channelId: ch2,
    });
    const others = records.filter((r) => r.eventID !== victim.eventID);
    expect(others.map((r) => r.eventID).sort()).toEqual(
      evs
        .filter((e) => e !== victim)
        .map((e) => e.eventID)
        .sort(),
    );
    expect(others.every((r) => r.outcome === 'delivered' && r.channelId === ch1)).toBe(true);
    expect(c2.events).toHaveLength(1);
  });

  it('moves every event in flight on a closed channel to the other channel, in sequence order', async () => {
    const s = await setup({ maxEventsInFlight: 8 });
    const { c1, c2, ch2 } = await twoChannels(s);
    dialAndAnswer(s);
    const evs = await c1.waitEvents(6);
    c1.close();

    const moved = await c2.waitEvents(6);
    expect(moved.map((e) => e.eventID)).toEqual(evs.map((e) => e.eventID));
    expect(inSequence(moved)).toBe(true);
    expect(moved.every((e) => e.channelId === ch2)).toBe(true);
    expect(moved.some((e) => evs.some((x) => x.requestId === e.requestId))).toBe(false);
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2 + 6);
    expect(
      frontEndOf(s)
        .eventResponses.slice(2)
        .every((r) => r.outcome === 'delivered' && r.channelId === ch2),
    ).toBe(true);
    expect(
      frontEndOf(s)
        .snapshot()
        .channels.map((c) => c.channelId),
    ).toEqual([ch2]);
  });

  it('on a 404 removes the channel and moves all its events in flight to the other channel', async () => {
    const s = await setup({ maxEventsInFlight: 8 });
    const { c1, c2, ch1 } = await twoChannels(s);
    dialAndAnswer(s);
    const evs = await c1.waitEvents(6);
    c1.eventResponse(evs[1]!.requestId, evs[1]!.eventID, 404);

    const moved = await c2.waitEvents(6);
    expect(moved.map((e) => e.eventID)).toEqual(evs.map((e) => e.eventID));
    await c1.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'), 2000, true);
    expect(c1.channelTerminated).toEqual([
      expect.objectContaining({ channelId: ch1, reason: 'UnknownChannel' }),
    ]);
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2 + 1 + 6);
    expect(
      frontEndOf(s)
        .eventResponses.slice(2)
        .map((r) => r.outcome),
    ).toEqual(['channel-removed-retry', ...Array(6).fill('delivered')]);
    // answers on the removed channel are late: ignored
    c1.eventResponse(evs[0]!.requestId, evs[0]!.eventID, 200);
    c1.eventResponse(evs[2]!.requestId, evs[2]!.eventID, 500);
    const probe = c1.waitFor((m) => m.root === 'xsp:keepaliveResponse');
    c1.send(
      `<xsp:keepalive version="17.0" xmlns:xsp="http://schema.broadsoft.com/XspXMLInterface"><requestId>k</requestId></xsp:keepalive>`,
    );
    await probe;
    expect(frontEndOf(s).eventResponses).toHaveLength(9);
    expect(c2.events).toHaveLength(6);
  });

  it('times out each unanswered event on its own: every one fails over; with no channel left all is removed', async () => {
    const s = await setup({ maxEventsInFlight: 8, eventResponseTimeoutMs: 250 });
    const { c1, c2, ch1 } = await twoChannels(s);
    dialAndAnswer(s);
    const evs = await c1.waitEvents(6);
    const moved = await c2.waitEvents(6);
    expect(moved.map((e) => e.eventID).sort()).toEqual(evs.map((e) => e.eventID).sort());
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2 + 12);
    const records = frontEndOf(s).eventResponses.slice(2);
    expect(records.filter((r) => r.outcome === 'timeout-retry' && r.channelId === ch1)).toHaveLength(6);
    expect(records.filter((r) => r.outcome === 'delivered')).toHaveLength(6);
    expect(
      frontEndOf(s)
        .snapshot()
        .channels.find((c) => c.channelId === ch1)?.nonResponsive,
    ).toBe(true);

    // one channel that never answers, several events in flight: the first timeout drops its event,
    // removes the channel and the subscription; the other events go with the set
    const c3 = await client(s);
    const ch3 = String(
      payloadOf(await c3.addChannel({ channelSetId: 'solo', expires: 3600 }), 'Channel')['channelId'],
    );
    c3.ackStatus = (e) => (e.type === 'CallSubscriptionEvent' ? 200 : undefined);
    await c3.addUserSubscription('carol@sim.example', { event: 'Advanced Call', channelSetId: 'solo' });
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2 + 12 + 1);
    const before = frontEndOf(s).eventResponses.length;
    s.core.dial('carol@sim.example', '1005'); // two events for carol, both in flight
    await c3.waitEvents(3);
    await c3.waitFor((m) => m.raw.includes('ChannelTerminatedEvent'), 2000, true);
    expect(c3.channelTerminated).toEqual([
      expect.objectContaining({ channelId: ch3, reason: 'NonResponsiveChannel' }),
    ]);
    const solo = frontEndOf(s)
      .eventResponses.slice(before)
      .filter((r) => r.channelId === ch3);
    expect(solo.map((r) => r.outcome)).toEqual(['timeout-dropped']);
    expect(
      frontEndOf(s)
        .snapshot()
        .subscriptions.filter((x) => x.targetId === 'carol@sim.example'),
    ).toEqual([]);
    expect(
      frontEndOf(s)
        .snapshot()
        .channels.map((c) => c.channelId),
    ).not.toContain(ch3);
  });

  it('keeps retryDelayMs: after a 500 the set sends nothing until the delay is over, then the retry first', async () => {
    const s = await setup({ maxEventsInFlight: 4, retryDelayMs: 1000 });
    const { c1, c2, ch2 } = await twoChannels(s);
    c1.ackStatus = (e) => (e.type === 'CallReceivedEvent' ? 500 : 200);
    const { bobLeg } = dialAndAnswer(s);
    await expect
      .poll(() => frontEndOf(s).eventResponses.find((r) => r.outcome === 'retry-next-channel'))
      .toBeTruthy();
    const failed = frontEndOf(s).eventResponses.find((r) => r.outcome === 'retry-next-channel')!;
    const sent = frontEndOf(s).deliveries.length;
    s.core.hold(bobLeg); // CallHeld for bob and alice: queued, not sent during the delay
    expect(frontEndOf(s).deliveries.length).toBe(sent);

    const [again] = await c2.waitEvents(1);
    expect(again!.eventID).toBe(failed.eventID);
    expect(again!.channelId).toBe(ch2);
    const resend = frontEndOf(s).deliveries.find((d) => d.requestId === again!.requestId)!;
    expect(frontEndOf(s).deliveries.indexOf(resend)).toBe(sent);
    expect(resend.at - failed.at).toBeGreaterThanOrEqual(990);
    const onC1 = await c1.waitEvents(8);
    expect(flow(onC1.slice(0, 6))).toEqual(DIAL_ANSWER);
    expect(flow(onC1.slice(6))).toEqual([`${BOB}:CallHeldEvent`, `${ALICE}:CallHeldEvent`]);
  });
});

describe('BroadWorks CTI driver against the simulator with maxEventsInFlight 32', () => {
  type CallData = { call: { correlationId: string } };
  const corr = (e: EventDraft) => (e.data as CallData).call.correlationId;

  it('gets every event of a 50-call burst, each call in order, no duplicates', async () => {
    const s = await setup({ maxEventsInFlight: 32 });
    const rec = new Recorder();
    driver = createBroadWorksCtiDriver(
      standaloneContext(
        linkConfig(`tcp://127.0.0.1:${s.frontEnd('broadworks-cti').port}`),
        rec.hooks,
        rec.logger,
      ),
    );
    await driver.connect();
    await driver.watch([
      { target: { type: 'user', id: ALICE }, families: ['call'] },
      { target: { type: 'user', id: BOB }, families: ['call'] },
    ]);
    // the initial events of both subscriptions are answered before the burst
    await expect.poll(() => frontEndOf(s).eventResponses.length).toBe(2);
    const sentBefore = frontEndOf(s).deliveries.length;

    const calls: string[] = [];
    for (let i = 0; i < 50; i++) {
      const leg = s.core.dial(ALICE, '1002');
      calls.push(leg.correlationId);
      const bobLeg = s.core.listLegs({ userId: BOB }).find((l) => l.state === 'alerting')!;
      s.core.answer(bobLeg.id);
      s.core.release(leg.id);
    }
    expect(new Set(calls).size).toBe(50);
    // the burst is queued synchronously: a full window went out before any answer could be read
    expect(frontEndOf(s).deliveries.length - sentBefore).toBe(32);

    await rec.waitFor(() => rec.events.length >= 300 || undefined, '300 normalized events', 20_000);
    // 10 BroadWorks events per call (5 per user, HookStatus included), each sent once and answered 200
    await expect.poll(() => frontEndOf(s).eventResponses.length - 2).toBe(500);
    expect(frontEndOf(s).deliveries.length - sentBefore).toBe(500);
    expect(frontEndOf(s).eventResponses.every((r) => r.outcome === 'delivered')).toBe(true);

    expect(rec.events).toHaveLength(300);
    const of = (user: string) =>
      rec.events.filter((e) => e.target.id === user).map((e) => `${corr(e)} ${e.type}`);
    expect(of(ALICE)).toEqual(
      calls.flatMap((c) => [`${c} call.originated`, `${c} call.answered`, `${c} call.released`]),
    );
    expect(of(BOB)).toEqual(
      calls.flatMap((c) => [`${c} call.received`, `${c} call.answered`, `${c} call.released`]),
    );
    const keys = rec.events.map((e) => `${e.vendor.id} ${e.target.id} ${e.type}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rec.garbage).toEqual([]);
    expect(rec.downs).toEqual([]);
  });
});
