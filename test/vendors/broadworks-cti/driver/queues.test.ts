/**
 * Queue control and disposition codes: the driver against the simulator's BroadWorks CTI front-end
 * (real sockets). Get ACD lists the `sales` queue in order, Promote / Reorder move calls (and BroadWorks'
 * rule that only 0-Highest calls are reordered comes back as the vendor's error), ACD Blind Transfer and
 * ACD Release Call take calls out (queue.call.removed), Tag Disposition Code tags an agent's ACD call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEventData, type EventDraft } from '../../../../shared/events/model.js';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import type { BroadWorksCtiFrontEnd } from '../../../../vendors/broadworks-cti/simulator/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { VendorError, type Driver } from '../../../../vendors/driver-kit/seam.js';
import { Recorder, linkConfig } from './helpers.js';

const SALES = 'sales@sim.example';
const BOB = 'bob@sim.example';
const CAROL = 'carol@sim.example';

type QueueData = { queue: { id: string }; call: { id: string; reason?: string; position?: number } };
const queueOf = (e: EventDraft) => e.data as QueueData;

let sim: RunningSimulator;
let driver: Driver | undefined;
let rec: Recorder;

beforeEach(async () => {
  sim = await startSimulator();
  rec = new Recorder();
});

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  await sim.stop();
});

async function connect(): Promise<Driver> {
  driver = createBroadWorksCtiDriver(
    standaloneContext(
      linkConfig(`tcp://127.0.0.1:${sim.frontEnd('broadworks-cti').port}`, { keepaliveIntervalMs: 0 }),
      rec.hooks,
      rec.logger,
    ),
  );
  await driver.connect();
  await driver.watch([
    { target: { type: 'queue', id: SALES }, families: ['queue'] },
    { target: { type: 'user', id: BOB }, families: ['call'] },
    { target: { type: 'user', id: CAROL }, families: ['call', 'agent'] },
  ]);
  return driver;
}

/** Two outside callers wait in `sales` (no agent signed in); their queued call ids, in order. */
async function twoQueued(): Promise<[string, string]> {
  sim.core.dial('+15550100', '2001');
  sim.core.dial('+15550101', '2001');
  const added = await rec.waitFor(() => {
    const a = rec.events.filter((e) => e.type === 'queue.call.added');
    return a.length >= 2 ? a : undefined;
  }, 'two queue.call.added');
  return [queueOf(added[0]!).call.id, queueOf(added[1]!).call.id];
}

const ids = async (d: Driver) =>
  (await d.execute({ kind: 'listQueueCalls', queue: SALES })).calls.map((c) => c.id);

describe('broadworks-cti queue control against the simulator', () => {
  it('lists the queue in order with caller, DNIS and entry time', async () => {
    const d = await connect();
    const [c1, c2] = await twoQueued();
    const { calls } = await d.execute({ kind: 'listQueueCalls', queue: SALES });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: c1, position: 1, from: 'tel:+15550100', dnisName: 'Sales Queue' });
    expect(calls[1]).toMatchObject({ id: c2, position: 2, from: 'tel:+15550101', dnis: '+15550002001' });
    expect(Date.parse(calls[0]!.enteredAt!)).toBeGreaterThan(0);
    expect(calls[0]!.priority).toBeUndefined();
  });

  it('promotes and reorders; a call below 0-Highest cannot be reordered (110207)', async () => {
    const d = await connect();
    const [c1, c2] = await twoQueued();
    await expect(d.execute({ kind: 'promoteQueueCall', queue: SALES, call: c2 })).resolves.toEqual({});
    const after = await d.execute({ kind: 'listQueueCalls', queue: SALES });
    expect(after.calls.map((c) => [c.id, c.position, c.priority])).toEqual([
      [c2, 1, 0],
      [c1, 2, undefined],
    ]);
    const refused = await d
      .execute({ kind: 'reorderQueueCall', queue: SALES, call: c1, position: 1 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VendorError);
    expect((refused as VendorError).status).toBe(409);
    expect((refused as VendorError).vendor).toMatchObject({ code: '110207', status: 400 });

    await d.execute({ kind: 'promoteQueueCall', queue: SALES, call: c1 });
    expect(await ids(d)).toEqual([c2, c1]); // behind the call promoted before it
    await d.execute({ kind: 'reorderQueueCall', queue: SALES, call: c1, position: 1 });
    expect(await ids(d)).toEqual([c1, c2]);
    // a third caller's ACDCallAdded comes after the promotions' and the reorder's events
    sim.core.dial('+15550102', '2001');
    await rec.waitFor(
      () => rec.events.filter((e) => e.type === 'queue.call.added').length >= 3 || undefined,
      'third queue.call.added',
    );
    const fe = sim.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd;
    expect(
      fe.deliveries
        .filter((r) => r.targetId === SALES && r.eventType !== 'ACDSubscriptionEvent')
        .map((r) => r.eventType),
    ).toEqual([
      'ACDCallAddedEvent',
      'ACDCallAddedEvent',
      'ACDCallPromotedEvent',
      'ACDCallPromotedEvent',
      'ACDCallReorderedEvent',
      'ACDCallAddedEvent',
    ]);
    // neither promotion nor reorder has a normalized event: the listing reflects them
    expect(rec.events.filter((e) => e.type.startsWith('queue.')).map((e) => e.type)).toEqual([
      'queue.call.added',
      'queue.call.added',
      'queue.call.added',
    ]);
  });

  it('removes with `to` by ACD Blind Transfer and without by ACD Release Call', async () => {
    const d = await connect();
    const [c1, c2] = await twoQueued();
    await d.execute({ kind: 'removeQueueCall', queue: SALES, call: c2, to: '1002' });
    const moved = await rec.waitFor(
      () => rec.events.find((e) => e.type === 'queue.call.removed' && queueOf(e).call.id === c2),
      'c2 removed',
    );
    expect(queueOf(moved)).toMatchObject({ queue: { id: SALES }, call: { id: c2, reason: 'transferred' } });
    await rec.waitFor(
      () => rec.events.find((e) => e.type === 'call.received' && e.target.id === BOB),
      'bob rings',
    );
    expect(await ids(d)).toEqual([c1]);

    await d.execute({ kind: 'removeQueueCall', queue: SALES, call: c1 });
    const released = await rec.waitFor(
      () => rec.events.find((e) => e.type === 'queue.call.removed' && queueOf(e).call.id === c1),
      'c1 removed',
    );
    expect(queueOf(released).call.reason).toBe('released');
    expect(rec.events.some((e) => e.type === 'queue.call.abandoned')).toBe(false);
    expect(await ids(d)).toEqual([]);
    for (const e of rec.events) parseEventData(e.type, e.data);

    const gone = await d
      .execute({ kind: 'promoteQueueCall', queue: SALES, call: c1 })
      .catch((e: unknown) => e);
    expect((gone as VendorError).status).toBe(404);
    const notAQueue = await d.execute({ kind: 'listQueueCalls', queue: BOB }).catch((e: unknown) => e);
    expect((notAQueue as VendorError).vendor).toMatchObject({ code: '110203' });
  });

  it("tags an agent's ACD call with a disposition code; a non-ACD call is refused (110100)", async () => {
    const d = await connect();
    await d.execute({ kind: 'setAgentState', agent: CAROL, state: 'available' });
    sim.core.dial('+15550100', '2001');
    const offered = await rec.waitFor(
      () => rec.events.find((e) => e.type === 'call.received' && e.target.id === CAROL),
      'offered to carol',
    );
    const callId = (offered.data as { call: { id: string } }).call.id;
    await d.execute({ kind: 'answer', user: CAROL, call: callId });
    await expect(
      d.execute({ kind: 'tagDisposition', user: CAROL, call: callId, code: 'Promotion' }),
    ).resolves.toEqual({});
    // the call's release reaches carol after the disposition code's event
    await d.execute({ kind: 'release', user: CAROL, call: callId });
    await rec.waitFor(
      () => rec.events.find((e) => e.type === 'call.released' && e.target.id === CAROL),
      'carol released',
    );
    const fe = sim.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd;
    const carolEvents = fe.deliveries.filter((r) => r.targetId === CAROL).map((r) => r.eventType);
    expect(carolEvents.indexOf('AgentDispositionCodeAddedEvent')).toBeGreaterThan(-1);
    expect(carolEvents.indexOf('AgentDispositionCodeAddedEvent')).toBeLessThan(
      carolEvents.indexOf('CallReleasedEvent'),
    );
    // acknowledged, not mapped: nothing between carol's answer and her release
    const carolTypes = rec.events.filter((e) => e.target.id === CAROL).map((e) => e.type);
    expect(carolTypes.slice(carolTypes.indexOf('call.answered') + 1)).toEqual(['call.released']);

    const direct = sim.core.dial(BOB, '1003');
    const plain = await rec.waitFor(
      () =>
        rec.events.find(
          (e) =>
            e.type === 'call.received' &&
            e.target.id === CAROL &&
            (e.data as { call: { id: string } }).call.id !== callId,
        ),
      'a direct call at carol',
    );
    expect(direct.id).toBeTruthy();
    const refused = await d
      .execute({
        kind: 'tagDisposition',
        user: CAROL,
        call: (plain.data as { call: { id: string } }).call.id,
        code: 'Promotion',
      })
      .catch((e: unknown) => e);
    expect((refused as VendorError).vendor).toMatchObject({ code: '110100', status: 400 });
  });
});
