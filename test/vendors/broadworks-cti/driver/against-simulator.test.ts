/**
 * Integration: the driver against the project's PBX simulator (BroadWorks CTI front-end).
 */
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import type { Driver } from '../../../../vendors/driver-kit/seam.js';
import { parseEventData, type EventDraft } from '../../../../shared/events/model.js';
import { Recorder, linkConfig } from './helpers.js';

const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';

type CallData = {
  call: { id: string; correlationId: string; state: string; direction: string; local: { user: string } };
};
const callOf = (e: EventDraft) => (e.data as CallData).call;

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
    { target: { type: 'user', id: ALICE }, families: ['call', 'service'] },
    { target: { type: 'user', id: BOB }, families: ['call'] },
  ]);
  return driver;
}

describe('broadworks-cti driver against the simulator', () => {
  it('dials, answers and releases a call with a complete, valid event sequence', async () => {
    const d = await connect();
    const { callId, correlationId } = await d.execute({ kind: 'dial', user: ALICE, to: BOB });
    expect(callId).toBeTruthy();
    const received = await rec.waitFor(
      () => rec.events.find((e) => e.type === 'call.received' && callOf(e).local.user === BOB),
      'call.received at bob',
    );
    expect(callOf(received)).toMatchObject({ correlationId, direction: 'inbound', state: 'alerting' });
    await d.execute({ kind: 'answer', user: BOB, call: callOf(received).id });
    await rec.waitFor(
      () => rec.events.filter((e) => e.type === 'call.answered').length >= 2 || undefined,
      'both answered',
    );
    await d.execute({ kind: 'release', user: ALICE, call: callId });
    await rec.waitFor(
      () => rec.events.filter((e) => e.type === 'call.released').length >= 2 || undefined,
      'both released',
    );
    for (const e of rec.events) parseEventData(e.type, e.data);
    const aliceTypes = rec.events
      .filter((e) => e.target.id === ALICE && e.type.startsWith('call.'))
      .map((e) => e.type);
    expect(aliceTypes[0]).toBe('call.originated');
    expect(aliceTypes).toContain('call.answered');
    expect(aliceTypes.at(-1)).toBe('call.released');
    expect(
      rec.events
        .filter((e) => e.type.startsWith('call.'))
        .every((e) => callOf(e).correlationId === correlationId),
    ).toBe(true);
    expect(rec.garbage).toEqual([]);
    expect(rec.downs).toEqual([]);
  });

  it('lists calls, sets DND and reports it, and resync finds nothing stale', async () => {
    const d = await connect();
    const { callId } = await d.execute({ kind: 'dial', user: ALICE, to: BOB });
    await rec.waitFor(() => rec.events.find((e) => e.type === 'call.received'), 'call.received');
    const { calls } = await d.execute({ kind: 'listCalls', user: ALICE });
    expect(calls.map((c) => c.id)).toContain(callId);
    await d.execute({ kind: 'setDnd', user: ALICE, enabled: true });
    await expect(d.execute({ kind: 'getDnd', user: ALICE })).resolves.toEqual({ enabled: true });
    await rec.waitFor(
      () => rec.events.find((e) => e.type === 'service.dnd' && (e.data as { enabled: boolean }).enabled),
      'service.dnd',
    );
    const before = rec.events.length;
    await d.resync();
    expect(rec.events.slice(before).filter((e) => e.type === 'call.released')).toEqual([]);
  });
});
