/**
 * The BroadWorks CTI front-end's ACD requests on the wire (§5.5, §5.6.4 and the §9.4 flows): paths and
 * payloads as the samples give them, QueueCallOrder in the responses, and the events on the ACD's
 * Call Center Queue and the agent's Call Center Agent subscriptions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { CtiTestClient, XSI, payloadOf, type EventInfo, type Obj } from './cti-client.js';

const SALES = 'sales@sim.example';
const CAROL = 'carol@sim.example';

let sim: RunningSimulator | undefined;
let client: CtiTestClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await sim?.stop();
  sim = undefined;
});

async function setup(): Promise<{ s: RunningSimulator; c: CtiTestClient }> {
  const s = (sim = await startSimulator({
    frontEnds: { 'broadworks-cti': { keepaliveIntervalMs: 60_000, eventResponseTimeoutMs: 500 } },
  }));
  const c = (client = await CtiTestClient.connect(s.frontEnd('broadworks-cti').port));
  expect((await c.addChannel({ channelSetId: 'acd', expires: 3600 }))['statusCode']).toBe('200');
  for (const [user, event] of [
    [SALES, 'Call Center Queue'],
    [CAROL, 'Call Center Agent'],
  ] as const) {
    const r = await c.addUserSubscription(user, { event, channelSetId: 'acd' });
    expect(r['statusCode']).toBe('200');
  }
  await c.waitEvents(2, (e) => /SubscriptionEvent$/.test(e.type));
  return { s, c };
}

/** Two outside callers in `sales`; their call ids in queue order. */
async function twoQueued(s: RunningSimulator, c: CtiTestClient): Promise<[string, string]> {
  const a = s.core.dial('+15550100', '2001');
  const b = s.core.dial('+15550101', '2001');
  await c.waitEvents(2, (e) => e.type === 'ACDCallAddedEvent');
  return [a.id, b.id];
}

const entryOf = (e: EventInfo): Obj => e.data['xsi:queueEntry'] as Obj;
const last = async (c: CtiTestClient, type: string, n = 1) =>
  (await c.waitEvents(n, (e) => e.type === type)).at(-1)!;

describe('BroadWorks CTI front-end: ACD requests', () => {
  it('promotes with an ACDPromote payload and reorders by index, answering QueueCallOrder (F1-F8 of 9.4.9)', async () => {
    const { s, c } = await setup();
    const [c1, c2] = await twoQueued(s, c);
    const promoted = await c.action(
      'ACDPromoteCallRequest',
      '/callcenter/%subscriberId%/calls/%callId%/promote',
      'PUT',
      { callId: c2, subscriberId: SALES },
      `<ACDPromote xmlns="${XSI}"><priority>0-Highest</priority></ACDPromote>`,
    );
    expect(promoted['statusCode']).toBe('200');
    expect(payloadOf(promoted, 'QueueCallOrder')).toMatchObject({ position: '1' });
    const pe = await last(c, 'ACDCallPromotedEvent');
    expect(pe.targetId).toBe(SALES);
    expect(pe.data['xsi:position']).toBe('1');
    expect(entryOf(pe)).toMatchObject({ 'xsi:callId': c2, 'xsi:acdPriority': '0-Highest' });
    expect(entryOf(pe)['xsi:addTimeInPriorityBucket']).toMatch(/^\d+$/);

    // only 0-Highest calls are reordered (110207); the URI may carry the values literally
    const refused = await c.action(
      'ACDReorderCallRequest',
      `/callcenter/${SALES}/calls/${c1}/reorder?1`,
      'PUT',
      {},
    );
    expect(refused['statusCode']).toBe('400');
    expect(payloadOf(refused, 'ErrorInfo')['errorCode']).toBe('110207');
    // a promotion to a lower priority is refused (110210)
    const lower = await c.action(
      'ACDPromoteCallRequest',
      '/callcenter/%subscriberId%/calls/%callId%/promote',
      'PUT',
      { callId: c2, subscriberId: SALES },
      `<ACDPromote xmlns="${XSI}"><priority>1-High</priority></ACDPromote>`,
    );
    expect(payloadOf(lower, 'ErrorInfo')['errorCode']).toBe('110210');

    await c.action(
      'ACDPromoteCallRequest',
      '/callcenter/%subscriberId%/calls/%callId%/promote',
      'PUT',
      { callId: c1, subscriberId: SALES },
      `<ACDPromote xmlns="${XSI}"><priority>0-Highest</priority></ACDPromote>`,
    );
    expect((await last(c, 'ACDCallPromotedEvent', 2)).data['xsi:position']).toBe('2');
    const reordered = await c.action(
      'ACDReorderCallRequest',
      '/callcenter/%subscriberId%/calls/%callId%/reorder?%index%',
      'PUT',
      { index: '1', callId: c1, subscriberId: SALES },
    );
    expect(reordered['statusCode']).toBe('200');
    expect(payloadOf(reordered, 'QueueCallOrder')).toMatchObject({ position: '1' });
    const re = await last(c, 'ACDCallReorderedEvent');
    expect(re.data['xsi:position']).toBe('1');
    expect(entryOf(re)).toHaveProperty('xsi:reordered');

    const list = await c.action('GetACDRequest', '/callcenter/%callcenterId%/calls', 'GET', {
      callcenterId: SALES,
    });
    const entries = payloadOf(list, 'ACDQueue')['queueEntries']['queueEntry'] as Obj[];
    expect(entries.map((e) => e['callId'])).toEqual([c1, c2]);
    expect(entries[0]).toMatchObject({ acdName: 'Sales Queue', acdPriority: '0-Highest' });
    expect(entries[0]!['remoteParty']).toMatchObject({ address: 'tel:+15550100' });
  });

  it('blind-transfers a queued call (ACDCallTransferred, then the destination rings) and releases one (ACDCallReleased)', async () => {
    const { s, c } = await setup();
    const [c1, c2] = await twoQueued(s, c);
    const moved = await c.action(
      'ACDBlindTransferRequest',
      '/callcenter/%callcenterId%/calls/%callId%/blindtransfer?%phoneno%',
      'PUT',
      { phoneno: '1003', callId: c1, callcenterId: SALES },
    );
    expect(moved['statusCode']).toBe('200');
    const te = await last(c, 'ACDCallTransferredEvent');
    expect(entryOf(te)).toMatchObject({ 'xsi:callId': c1 });
    expect(entryOf(te)['xsi:removeTime']).toMatch(/^\d+$/);
    expect(te.data['xsi:redirect']).toMatchObject({ 'xsi:address': 'tel:1003', 'xsi:reason': 'transfer' });
    expect(s.core.listLegs({ userId: CAROL })).toHaveLength(1);

    const released = await c.action(
      'ACDReleaseCallRequest',
      '/callcenter/%callcenterId%/calls/%callId%',
      'DELETE',
      { callId: c2, callcenterId: SALES },
    );
    expect(released['statusCode']).toBe('200');
    const rel = await last(c, 'ACDCallReleasedEvent');
    expect(entryOf(rel)).toMatchObject({ 'xsi:callId': c2 });
    expect(c.events.map((e) => e.type)).not.toContain('ACDCallAbandonedEvent');
    expect(s.core.getQueue(SALES)!.entries).toEqual([]);

    const gone = await c.action(
      'ACDReleaseCallRequest',
      '/callcenter/%callcenterId%/calls/%callId%',
      'DELETE',
      { callId: c2, callcenterId: SALES },
    );
    expect(payloadOf(gone, 'ErrorInfo')['errorCode']).toBe('101002');
    const notAcd = await c.action('GetACDRequest', '/callcenter/%callcenterId%/calls', 'GET', {
      callcenterId: CAROL,
    });
    expect(payloadOf(notAcd, 'ErrorInfo')['errorCode']).toBe('110203');
  });

  it('tags an ACD call with a disposition code (F15-F17 of 9.4.1)', async () => {
    const { s, c } = await setup();
    s.core.setAgentState(CAROL, 'available');
    s.core.dial('+15550100', '2001');
    const leg = s.core.listLegs({ userId: CAROL })[0]!;
    s.core.answer(leg.id);
    const tagged = await c.action(
      'TagDispositionCodeRequest',
      '/user/%subscriberId%/calls/%callId%/adddispositioncode/%codename%',
      'PUT',
      { callId: leg.id, codename: 'Promotion', subscriberId: CAROL },
    );
    expect(tagged['statusCode']).toBe('200');
    const ev = await last(c, 'AgentDispositionCodeAddedEvent');
    expect(ev.targetId).toBe(CAROL);
    expect(ev.data).toMatchObject({ 'xsi:dispositionCode': 'Promotion', 'xsi:callId': leg.id });

    const notAgent = await c.action(
      'TagDispositionCodeRequest',
      '/user/%subscriberId%/calls/%callId%/adddispositioncode/%codename%',
      'PUT',
      { callId: leg.id, codename: 'Promotion', subscriberId: 'alice@sim.example' },
    );
    expect(payloadOf(notAgent, 'ErrorInfo')['errorCode']).toBe('110202');
  });
});
