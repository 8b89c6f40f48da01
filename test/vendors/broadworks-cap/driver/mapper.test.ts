/**
 * The CAP mapper (vendors/broadworks-cap/driver/mapper.ts): the specification's own samples and
 * hand-built documents in, normalized drafts out. Every draft is checked against the event model.
 * The tables these tests follow are in docs/protocols/broadworks-cap.md, "Mapping (CAP → event model)".
 */
import { describe, expect, it } from 'vitest';
import {
  EVENT_FAMILIES,
  parseEventData,
  type EventDraft,
  type EventFamily,
  type Target,
} from '../../../../shared/events/model.js';
import { CapMapper, type CapMapTargets } from '../../../../vendors/broadworks-cap/driver/mapper.js';
import { bridgeCallState, releaseCauseName } from '../../../../vendors/broadworks-cap/driver/mapper-codes.js';
import {
  CapXmlError,
  parseCapDocument,
  type CapCall,
  type CapMessage,
  type CapQueueCall,
} from '../../../../vendors/broadworks-cap/wire/index.js';
import { prng } from '../../../support/prng.js';
import { SPEC_SAMPLES, sample } from '../samples.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ALICE = 'alice@sim.example';
const BOB = 'bob@sim.example';
const CAROL = 'carol@sim.example';
const SALES = 'sales@sim.example';

/** Targets the link watches (users, and queues): every family on each, unless `families` narrows them. */
function watching(
  users: string[],
  queues: string[] = [],
  families: EventFamily[] = [...EVENT_FAMILIES],
): CapMapTargets {
  return {
    contextOf: (t: Target) =>
      t.id !== undefined && (t.type === 'queue' ? queues : t.type === 'user' ? users : []).includes(t.id)
        ? { target: t, families: new Set(families) }
        : undefined,
  };
}
const ALL = watching(
  [ALICE, BOB, CAROL, 'joe@abc.com', 'john@abc.com', 'north00@mtlasdev84.net'],
  [SALES, 'cc@abc.com'],
);

const mapper = (mode: 'cap-c' | 'ccc2' = 'cap-c') => new CapMapper({ mode, now: () => NOW });

/** `who type state` lines (the scenario suite's form); every draft is validated first. */
function lines(drafts: EventDraft[]): string[] {
  return drafts.map((d) => {
    parseEventData(d.type, d.data);
    expect(d.vendor.name).toBe('broadworks-cap');
    const data = d.data as Record<string, any>;
    const state =
      data.call?.state ??
      data.agent?.state ??
      data.conference?.state ??
      (data.enabled === undefined ? '' : data.enabled ? 'on' : 'off');
    return `${(d.target.id ?? d.target.type).split('@')[0]} ${d.type}${state ? ` ${state}` : ''}`;
  });
}
const dataOf = (d: EventDraft | undefined) => d?.data as Record<string, any>;

/** A CallClient callUpdate of one call (the fields the simulator and the samples use). */
function cu(
  user: string,
  call: Partial<CapCall> & { callId: string },
  extra: Partial<CapMessage> = {},
): CapMessage {
  return {
    type: 'callUpdate',
    user: { userType: 'CallClient', id: user, applicationId: 'app' },
    calls: [{ extTrackingId: 'x:1', releaseCause: 0, ...call }],
    ...extra,
  } as CapMessage;
}

/** Feeds documents to one mapper (CAP-C: each on the dialog of its own user) and collects the drafts. */
function feed(m: CapMapper, docs: CapMessage[], targets = ALL): EventDraft[] {
  return docs.flatMap((d) => m.map(d, targets, d.user?.id));
}

describe('codes', () => {
  it('maps every CAP state with its personality (L1425, L1427)', () => {
    expect(bridgeCallState(0, 1, 'alerting')).toBe('dialing');
    expect(bridgeCallState(1, 0, 'alerting')).toBe('dialing'); // BroadWorks rings the user's own phone
    expect(bridgeCallState(1, 1, 'alerting')).toBe('alerting');
    expect(bridgeCallState(1, 2, 'alerting')).toBe('alerting');
    expect(bridgeCallState(2, 2, 'alerting')).toBe('active');
    expect(bridgeCallState(3, 2, 'alerting')).toBe('held');
    expect(bridgeCallState(4, 1, 'alerting')).toBe('active'); // remote held: still active for local.user
    expect(bridgeCallState(5, 1, 'alerting')).toBe('released');
    expect(bridgeCallState(6, 1, 'alerting')).toBe('released');
    expect(bridgeCallState(7, 2, 'alerting')).toBe('alerting');
    expect(bridgeCallState(7, 0, 'alerting')).toBe('dialing');
    expect(bridgeCallState(42, 2, 'held')).toBe('held');
    expect(bridgeCallState(undefined, undefined, 'active')).toBe('active');
  });

  it('names every release cause (L1677-1693) and keeps unknown codes', () => {
    expect([...Array(15).keys()].map(releaseCauseName)).toEqual([
      'normal',
      'flash',
      'abnormal',
      'busy',
      'forbidden',
      'route-failure',
      'global-failure',
      'request-failure',
      'server-failure',
      'translation-failure',
      'temporarily-unavailable',
      'user-not-found',
      'request-timeout',
      'dial-tone-timeout',
      'insufficient-credits',
    ]);
    expect(releaseCauseName(undefined)).toBe('normal');
    expect(releaseCauseName(23)).toBe('cause-23');
  });
});

describe('calls', () => {
  it('placing a call (S8, L1468): BroadWorks Originator prompt, answered, destination alerting, answer, hold, retrieve, far-end hold, release', () => {
    const m = mapper();
    const first = parseCapDocument(sample(1468));
    const id = 'localhost220335:0';
    const joe = 'joe@abc.com';
    const out = feed(m, [
      first,
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 1, remoteNumber: '3015554000' }),
      cu(joe, {
        callId: id,
        extTrackingId: '102:1',
        personality: 1,
        state: 2,
        callAnswerTime: '1235684038934',
      }),
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 3 }),
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 2 }),
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 4 }),
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 2 }),
      cu(joe, { callId: id, extTrackingId: '102:1', personality: 1, state: 5, releaseCause: 0 }),
    ]);
    expect(lines(out)).toEqual([
      'joe call.originated dialing',
      'joe call.updated dialing',
      'joe call.updated alerting',
      'joe call.answered active',
      'joe call.held held',
      'joe call.retrieved active',
      'joe call.updated active',
      'joe call.updated active',
      'joe call.released released',
    ]);
    expect(out[0]).toMatchObject({
      target: { type: 'user', id: joe },
      vendor: { name: 'broadworks-cap', event: 'callUpdate' },
    });
    expect(dataOf(out[0]).call).toEqual({
      id,
      correlationId: '102:1',
      state: 'dialing',
      direction: 'outbound',
      local: { user: joe },
      remote: { address: '3015554000' },
      startedAt: '2009-02-26T21:33:51.000Z',
      via: { type: 'forwarded' },
    });
    expect(dataOf(out[3]).call.answeredAt).toBe('2009-02-26T21:33:58.934Z');
    expect(dataOf(out[8]).call).toMatchObject({
      state: 'released',
      releaseCause: 'normal',
      releasedAt: NOW.toISOString(),
      answeredAt: '2009-02-26T21:33:58.934Z',
    });
    expect(m.callsOf(joe)).toEqual([]);
  });

  it('an incoming call (personality 2): received, answered, released with its cause', () => {
    const m = mapper();
    const out = feed(m, [
      cu(BOB, { callId: 'c2', personality: 2, state: 1, remoteNumber: '1001', remoteName: 'Alice Anders' }),
      cu(BOB, { callId: 'c2', personality: 2, state: 2, remoteNumber: '1001', remoteName: '' }),
      cu(BOB, { callId: 'c2', personality: 2, state: 5, releaseCause: 3 }),
    ]);
    expect(lines(out)).toEqual([
      'bob call.received alerting',
      'bob call.answered active',
      'bob call.released released',
    ]);
    expect(dataOf(out[1]).call).toMatchObject({
      direction: 'inbound',
      remote: { address: '1001', name: 'Alice Anders' }, // an empty name keeps the known one
      answeredAt: NOW.toISOString(), // no callAnswerTime: first sight of the answer
    });
    expect(dataOf(out[2]).call.releaseCause).toBe('busy');
  });

  it('every release cause reaches call.released', () => {
    const m = mapper();
    for (let code = 0; code <= 15; code++) {
      const callId = `r${code}`;
      feed(m, [cu(ALICE, { callId, personality: 1, state: 2 })]);
      const [released] = feed(m, [cu(ALICE, { callId, personality: 1, state: 5, releaseCause: code })]);
      expect(dataOf(released).call.releaseCause).toBe(releaseCauseName(code));
    }
  });

  it('a call first seen active or held (no alerting shown): created, answered (, held), alertingObserved false', () => {
    const m = mapper();
    const out = feed(m, [
      cu(BOB, { callId: 'a', personality: 2, state: 2 }),
      cu(BOB, { callId: 'h', personality: 1, state: 3 }),
    ]);
    expect(lines(out)).toEqual([
      'bob call.received active',
      'bob call.answered active',
      'bob call.originated held',
      'bob call.answered held',
      'bob call.held held',
    ]);
    expect(dataOf(out[0]).call.alertingObserved).toBe(false);
  });

  it('Private and Unavailable remote numbers, remoteTelUri as fall-back, localNumber and the profile number', () => {
    const m = mapper();
    feed(m, [
      {
        type: 'profileUpdate',
        user: { id: ALICE },
        initialUpdate: true,
        fields: { phone: '5550101', extension: '1001' },
        callCenters: [],
      } as CapMessage,
    ]);
    const out = feed(m, [
      cu(ALICE, { callId: 'p', personality: 2, state: 1, remoteNumber: 'Private' }),
      cu(ALICE, {
        callId: 'u',
        personality: 2,
        state: 1,
        remoteNumber: 'Unavailable',
        remoteTelUri: 'tel:+15550100',
      }),
      cu(ALICE, {
        callId: 'n',
        personality: 2,
        state: 1,
        remoteNumber: 'Unavailable',
        localNumber: '2405551000',
      }),
    ]);
    expect(out.map((d) => dataOf(d).call.remote.address)).toEqual(['anonymous', 'tel:+15550100', '']);
    expect(out.map((d) => dataOf(d).call.local.address)).toEqual(['5550101', '5550101', '2405551000']);
  });

  it('an update of a released call is ignored; an unchanged callUpdate is call.updated (a change CAP has no field for)', () => {
    const m = mapper();
    const out = feed(m, [
      cu(ALICE, { callId: 'c', personality: 1, state: 2 }),
      cu(ALICE, { callId: 'c', personality: 1, state: 2 }),
      cu(ALICE, { callId: 'c', personality: 1, state: 5 }),
      cu(ALICE, { callId: 'c', personality: 1, state: 2 }),
    ]);
    expect(lines(out)).toEqual([
      'alice call.originated active',
      'alice call.answered active',
      'alice call.updated active',
      'alice call.released released',
    ]);
  });

  it('a documented released call never seen before (L1500, L1544) is released at once, with its call centre', () => {
    const m = mapper();
    const out = feed(m, [parseCapDocument(sample(1500))]);
    expect(lines(out)).toEqual(['north00 call.released released']);
    expect(dataOf(out[0]).call).toMatchObject({
      correlationId: '17:1',
      direction: 'outbound',
      via: { type: 'queue', id: 'sales_cc@broadsoft.com' },
    });
  });
});

describe('transfers and forwarding', () => {
  it('blind transfer in CAP-C (no redirectTo): the transferring side is detached after the answer, the transferee re-alerts to the new party', () => {
    const m = mapper();
    const out = feed(m, [
      cu(ALICE, { callId: 'a', personality: 1, state: 2, remoteNumber: '1002' }),
      cu(BOB, { callId: 'b', personality: 2, state: 2, remoteNumber: '1001' }),
      cu(BOB, { callId: 'b', personality: 2, state: 6, remoteNumber: '1001' }),
      cu(ALICE, { callId: 'a', personality: 1, state: 1, remoteNumber: '1003' }),
      cu(CAROL, {
        callId: 'c',
        personality: 2,
        state: 1,
        remoteNumber: '1001',
        redirectFromReason: 'transfer',
      }),
      cu(CAROL, { callId: 'c', personality: 2, state: 2, remoteNumber: '1001' }),
      cu(ALICE, { callId: 'a', personality: 1, state: 2, remoteNumber: '1003' }),
    ]);
    expect(lines(out).slice(4)).toEqual([
      'bob call.transferred released',
      'bob call.released released',
      'alice call.transferred alerting',
      'carol call.received alerting',
      'carol call.answered active',
      'alice call.answered active',
    ]);
    expect(dataOf(out[4])).toMatchObject({
      call: { releaseCause: 'transferred' },
      transfer: { mode: 'blind' },
    });
    expect(dataOf(out[4]).transfer.to).toBeUndefined();
    expect(dataOf(out[6])).toMatchObject({
      call: { via: { type: 'transfer' }, remote: { address: '1003' } },
      transfer: { mode: 'blind', to: '1003' },
    });
    expect(dataOf(out[7]).call.via).toEqual({ type: 'transfer' });
  });

  it('consultative transfer: both calls of the transferring user detach (consult), both far ends get the other party', () => {
    for (const ccc2 of [false, true]) {
      const m = mapper(ccc2 ? 'ccc2' : 'cap-c');
      const to = (n: string) => (ccc2 ? { redirectToNum: n, redirectToReason: 'transfer' } : {});
      const out = feed(m, [
        cu(BOB, { callId: 'b1', personality: 2, state: 3, remoteNumber: '1001' }),
        cu(BOB, { callId: 'b2', personality: 1, state: 2, remoteNumber: '1003' }),
        cu(ALICE, { callId: 'a', personality: 1, state: 4, remoteNumber: '1002' }),
        cu(CAROL, { callId: 'c', personality: 2, state: 2, remoteNumber: '1002' }),
        cu(ALICE, { callId: 'a', extTrackingId: '3:1', personality: 1, state: 4, remoteNumber: '1003' }),
        cu(CAROL, { callId: 'c', extTrackingId: '3:1', personality: 2, state: 2, remoteNumber: '1001' }),
        cu(BOB, { callId: 'b1', personality: 2, state: 6, ...to('1003') }),
        cu(BOB, { callId: 'b2', personality: 1, state: 6, ...to('1001') }),
        cu(ALICE, { callId: 'a', extTrackingId: '3:1', personality: 1, state: 2, remoteNumber: '1003' }),
      ]);
      expect(lines(out).slice(-7)).toEqual([
        'alice call.transferred active',
        'carol call.transferred active',
        'bob call.transferred released',
        'bob call.released released',
        'bob call.transferred released',
        'bob call.released released',
        'alice call.updated active',
      ]);
      const transfers = out.filter((d) => d.type === 'call.transferred').map((d) => dataOf(d).transfer);
      expect(transfers).toEqual([
        { mode: 'consult', to: '1003' },
        { mode: 'consult', to: '1001' },
        ccc2 ? { mode: 'consult', to: '1003' } : { mode: 'consult' },
        ccc2 ? { mode: 'consult', to: '1001' } : { mode: 'consult' },
      ]);
      expect(dataOf(out.at(-7)).call.correlationId).toBe('3:1');
    }
  });

  it('forwarding: a call detached while ringing is forwarded; the caller sees its remote change while alerting', () => {
    const m = mapper();
    const out = feed(m, [
      cu(ALICE, { callId: 'a', personality: 1, state: 1, remoteNumber: '1002' }),
      cu(BOB, { callId: 'b', personality: 2, state: 1, remoteNumber: '1001' }),
      cu(CAROL, {
        callId: 'c',
        personality: 2,
        state: 1,
        remoteNumber: '1001',
        redirectFromNumber: '1002',
        redirectFromReason: 'unconditional',
      }),
      cu(BOB, { callId: 'b', personality: 2, state: 6 }),
      cu(ALICE, { callId: 'a', personality: 1, state: 1, remoteNumber: '1003' }),
    ]);
    expect(lines(out)).toEqual([
      'alice call.originated alerting',
      'bob call.received alerting',
      'carol call.received alerting',
      'bob call.forwarded released',
      'bob call.released released',
      'alice call.forwarded alerting',
    ]);
    expect(dataOf(out[2]).call.via).toEqual({ type: 'forwarded' });
    expect(dataOf(out[3]).call.releaseCause).toBe('forwarded');
    expect(dataOf(out[5])).toMatchObject({ forwardedTo: '1003', call: { via: { type: 'forwarded' } } });
  });

  it('a ringing incoming call whose caller changes (its caller was transferred to it) is transferred, then answered', () => {
    const m = mapper();
    const out = feed(m, [
      cu(CAROL, { callId: 'c', personality: 2, state: 1, remoteNumber: '1002' }),
      cu(CAROL, { callId: 'c', personality: 2, state: 1, remoteNumber: '1001' }),
      cu(CAROL, { callId: 'c', personality: 2, state: 2, remoteNumber: '1001' }),
    ]);
    expect(lines(out)).toEqual([
      'carol call.received alerting',
      'carol call.transferred alerting',
      'carol call.answered active',
    ]);
    expect(dataOf(out[1]).transfer).toEqual({ mode: 'blind', to: '1001' });
  });

  it('CCC2 detached with redirectToReason (L1574): forwarded to redirectToNum, with the reason', () => {
    const m = mapper('ccc2');
    const out = feed(m, [parseCapDocument(sample(1468)), parseCapDocument(sample(1574))]);
    expect(lines(out)).toEqual([
      'joe call.originated dialing',
      'joe call.forwarded released',
      'joe call.released released',
    ]);
    expect(dataOf(out[1])).toMatchObject({
      forwardedTo: '3016661234',
      reason: 'user-busy',
      call: { releaseCause: 'forwarded', local: { address: '2405551000' } },
    });
  });
});

describe('conferences (sessionUpdate)', () => {
  it('Active → started (parties from the calls), Held/Active → updated, Released → released; repeats are silent', () => {
    const m = mapper();
    feed(m, [
      cu(ALICE, { callId: 'a1', personality: 1, state: 2, remoteNumber: '1002', remoteName: 'Bob Brown' }),
      cu(ALICE, { callId: 'a2', personality: 1, state: 2, remoteNumber: '1003' }),
    ]);
    const conf = (state: string, callIds: string[]): CapMessage => ({
      type: 'sessionUpdate',
      user: { userType: 'CallClient', id: ALICE },
      conference: { state, callIds, appearances: [] },
    });
    const out = feed(m, [
      conf('Active', ['a1', 'a2']),
      conf('Active', ['a1', 'a2']),
      conf('Held', []),
      conf('Active', ['a1', 'a2']),
      conf('Released', ['a2']),
      conf('Released', []),
    ]);
    expect(lines(out)).toEqual([
      'alice conference.started active',
      'alice conference.updated held',
      'alice conference.updated active',
      'alice conference.released released',
    ]);
    expect(dataOf(out[0])).toEqual({
      conference: {
        id: `${ALICE}#a1`,
        state: 'active',
        calls: ['a1', 'a2'],
        parties: [{ address: '1002', name: 'Bob Brown' }, { address: '1003' }],
      },
      local: { user: ALICE },
    });
    expect(dataOf(out[1]).conference.calls).toEqual(['a1', 'a2']); // Held without callIn keeps them
    expect(dataOf(out[3]).conference).toMatchObject({ id: `${ALICE}#a1`, calls: ['a2'] });
  });

  it('the registration sessionUpdate (L971, numCalls 2, conference) and its callUpdates are state: seeded silently, Held (L1006) then updates', () => {
    const m = mapper();
    const joe = 'joe@abc.com';
    const out = feed(m, [
      parseCapDocument(sample(971)),
      cu(joe, { callId: '09289589', personality: 1, state: 2, remoteNumber: '1002' }),
      cu(joe, { callId: '09289000', personality: 2, state: 2, remoteNumber: '1003' }),
      parseCapDocument(sample(1006)),
    ]);
    expect(lines(out)).toEqual(['joe conference.updated held']);
    expect(dataOf(out[0]).conference).toMatchObject({
      id: `${joe}#09289589`,
      calls: ['09289589', '09289000'],
    });
    expect(m.callsOf(joe).map((c) => [c.id, c.state])).toEqual([
      ['09289589', 'active'],
      ['09289000', 'active'],
    ]);
    // the next callUpdate is a change again
    expect(lines(feed(m, [cu(joe, { callId: '09289000', personality: 2, state: 3 })]))).toEqual([
      'joe call.held held',
    ]);
  });

  it('after a re-login the snapshot reports changed calls only, and releaseStale ends the vanished ones', () => {
    const m = mapper();
    feed(m, [
      cu(ALICE, { callId: 'keep', personality: 1, state: 2 }),
      cu(ALICE, { callId: 'held', personality: 1, state: 2 }),
      cu(ALICE, { callId: 'gone', personality: 1, state: 2 }),
      {
        type: 'sessionUpdate',
        user: { id: ALICE },
        conference: { state: 'Active', callIds: ['gone'], appearances: [] },
      } as CapMessage,
    ]);
    const snapshot = feed(m, [
      {
        type: 'sessionUpdate',
        user: { id: ALICE },
        numCalls: 3,
        maxCalls: -1,
        epControl: true,
      } as CapMessage,
      cu(ALICE, { callId: 'keep', personality: 1, state: 2 }),
      cu(ALICE, { callId: 'held', personality: 1, state: 3 }),
      cu(ALICE, { callId: 'new', personality: 2, state: 2 }),
    ]);
    expect(lines(snapshot)).toEqual(['alice call.updated held']);
    const stale = m.releaseStale(ALICE, new Set(['keep', 'held', 'new']), ALL);
    expect(lines(stale)).toEqual(['alice call.released released']);
    expect(dataOf(stale[0]).call).toMatchObject({ id: 'gone', releaseCause: 'resync' });
    expect(stale[0]!.vendor.event).toBe('resync');
    expect(
      m
        .callsOf(ALICE)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['held', 'keep', 'new']);
    // the snapshot is over: the next callUpdate is a transition again
    expect(lines(feed(m, [cu(ALICE, { callId: 'keep', personality: 1, state: 3 })]))).toEqual([
      'alice call.held held',
    ]);
  });

  it('releaseStale releases a conference none of whose calls remain', () => {
    const m = mapper();
    feed(m, [
      cu(ALICE, { callId: 'a1', personality: 1, state: 2 }),
      {
        type: 'sessionUpdate',
        user: { id: ALICE },
        conference: { state: 'Active', callIds: ['a1'], appearances: [] },
      } as CapMessage,
    ]);
    expect(lines(m.releaseStale(ALICE, new Set(), ALL))).toEqual([
      'alice call.released released',
      'alice conference.released released',
    ]);
  });
});

describe('profile: agent state, DND, forwarding', () => {
  it('acdState (Wrap-up / WrapUp, L1244-1249) → agent.state, with unavailabilityCode as the reason when unavailable, once per change', () => {
    const m = mapper();
    const p = (fields: Record<string, string>): CapMessage =>
      ({
        type: 'profileUpdate',
        user: { id: 'agent@agc.com' },
        initialUpdate: false,
        fields,
        callCenters: [],
      }) as CapMessage;
    const out = feed(
      m,
      [
        parseCapDocument(sample(1244)),
        p({ acdState: 'WrapUp' }),
        p({ acdState: 'Unavailable' }),
        p({ unavailabilityCode: 'meeting' }),
        p({ acdState: 'Available' }),
        p({ acdState: 'Sign-out' }),
        p({ acdState: 'Sign-in' }),
        p({ acdState: 'Dancing' }),
      ],
      watching(['agent@agc.com']),
    );
    expect(lines(out)).toEqual([
      'agent agent.state wrap-up',
      'agent agent.state unavailable',
      'agent agent.state unavailable',
      'agent agent.state available',
      'agent agent.state sign-out',
      'agent agent.state sign-in',
    ]);
    expect(out.map((d) => dataOf(d).agent.reason)).toEqual([
      undefined,
      'lunch',
      'meeting',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('the initial profile (L1145) reports DND and CFA once; later changes are reported; empty means not assigned', () => {
    const m = mapper();
    const joe = 'joe@abc.com';
    const p = (fields: Record<string, string>): CapMessage =>
      ({
        type: 'profileUpdate',
        user: { id: joe },
        initialUpdate: false,
        fields,
        callCenters: [],
      }) as CapMessage;
    const out = feed(m, [
      parseCapDocument(sample(1145)),
      parseCapDocument(sample(1145)),
      parseCapDocument(sample(1223)),
      p({ dnd: 'On' }),
      p({ cfa: 'On', cfaDestination: '1003' }),
      p({ dnd: 'Off', cfa: 'Off' }),
    ]);
    expect(lines(out)).toEqual([
      'joe service.dnd off',
      'joe service.forwarding off',
      'joe service.dnd on',
      'joe service.forwarding on',
      'joe service.dnd off',
      'joe service.forwarding off',
    ]);
    expect(dataOf(out[3])).toEqual({ user: joe, kind: 'always', enabled: true, to: '1003' });
    const fresh = mapper();
    expect(feed(fresh, [p({ dnd: '', cfa: '' })])).toEqual([]);
  });
});

describe('Attendant Console (monitored users)', () => {
  it('callUpdate (L1643), profileUpdate dnd/cfa (L1360, L1385) go to the monitored user; the hook sessionUpdate (L1060) is no event', () => {
    const m = mapper();
    const console = 'ac@abc.com';
    const out = [
      ...m.map(parseCapDocument(sample(1643)), ALL, console),
      ...m.map(
        {
          type: 'callUpdate',
          user: { userType: 'AttendantConsole', id: console },
          monitoredUserUid: '139537371',
          calls: [
            { callId: 'localhost221957:0', extTrackingId: '154:1', state: 5, remoteNumber: '2403645132' },
          ],
        },
        ALL,
        console,
      ),
      ...m.map(parseCapDocument(sample(1360)), ALL, console),
      ...m.map(parseCapDocument(sample(1385)), ALL, console),
      ...m.map(parseCapDocument(sample(1060)), ALL, console),
    ];
    expect(lines(out)).toEqual([
      'joe call.received active',
      'joe call.answered active',
      'joe call.released released',
      'john service.dnd off',
      'john service.forwarding on',
    ]);
    expect(dataOf(out[0]).call).toMatchObject({
      id: 'localhost221957:0',
      local: { user: 'joe@abc.com' },
      remote: { address: '2403645132' },
      alertingObserved: false,
    });
    expect(out.every((d) => d.target.id !== console)).toBe(true);
    expect(dataOf(out[4])).toMatchObject({ user: 'john@abc.com', to: '3015551000' });
  });

  it('a user watched through its own login and a console reports each change once', () => {
    const m = mapper();
    const console = 'ac@sim.example';
    const ac = (state: number): CapMessage => ({
      type: 'callUpdate',
      user: { userType: 'AttendantConsole', id: console },
      monitoredUserId: BOB,
      calls: [{ callId: 'b', extTrackingId: 'x:1', state, remoteNumber: '1001' }],
    });
    const out = [
      ...m.map(cu(BOB, { callId: 'b', personality: 2, state: 1, remoteNumber: '1001' }), ALL, BOB),
      ...m.map(ac(2), ALL, console),
      ...m.map(cu(BOB, { callId: 'b', personality: 2, state: 2, remoteNumber: '1001' }), ALL, BOB),
      ...m.map(cu(BOB, { callId: 'b', personality: 2, state: 5 }), ALL, BOB),
      ...m.map(ac(5), ALL, console),
    ];
    expect(lines(out)).toEqual([
      'bob call.received alerting',
      'bob call.answered active',
      'bob call.released released',
    ]);
  });
});

describe('identity', () => {
  it('CCC2: no owner, the document names its user; a uid-only document (L1544) is resolved from an earlier one', () => {
    const m = mapper('ccc2');
    const out = [
      ...m.map(parseCapDocument(sample(1468)), ALL),
      ...m.map(
        {
          type: 'callUpdate',
          user: { userType: 'CallClient', userUid: '141466199', applicationId: '' },
          calls: [{ callId: 'localhost220335:0', extTrackingId: '102:1', personality: 1, state: 2 }],
        },
        ALL,
      ),
      ...m.map(parseCapDocument(sample(1544)), ALL),
    ];
    expect(lines(out)).toEqual([
      'joe call.originated dialing',
      'joe call.updated dialing',
      'joe call.answered active',
      'joe call.released released',
    ]);
  });

  it('CAP-C: the dialog owner wins over the id the document writes', () => {
    const m = mapper('cap-c');
    const out = m.map(cu('alice', { callId: 'c', personality: 2, state: 1 }), ALL, ALICE);
    expect(out[0]).toMatchObject({
      target: { type: 'user', id: ALICE },
      data: { call: { local: { user: ALICE } } },
    });
  });

  it('unwatched targets and families not asked for emit nothing, but the state is kept', () => {
    const m = mapper();
    expect(m.map(cu(ALICE, { callId: 'c', personality: 1, state: 2 }), watching([BOB]), ALICE)).toEqual([]);
    expect(m.callsOf(ALICE).map((c) => c.state)).toEqual(['active']);
    const callsOnly = watching([ALICE], [], ['call']);
    expect(
      m.map(
        {
          type: 'sessionUpdate',
          user: { id: ALICE },
          conference: { state: 'Active', callIds: ['c'], appearances: [] },
        },
        callsOnly,
        ALICE,
      ),
    ).toEqual([]);
    expect(lines(m.map(cu(ALICE, { callId: 'c', personality: 1, state: 3 }), callsOnly, ALICE))).toEqual([
      'alice call.held held',
    ]);
  });

  it('forget drops the calls, the profile and the snapshot of a user without events', () => {
    const m = mapper();
    feed(m, [
      cu(ALICE, { callId: 'c', personality: 1, state: 2 }),
      {
        type: 'profileUpdate',
        user: { id: ALICE },
        initialUpdate: true,
        fields: { dnd: 'On' },
        callCenters: [],
      } as CapMessage,
    ]);
    m.forget(ALICE);
    expect(m.callsOf(ALICE)).toEqual([]);
    // the DND state is reported again after a new login
    expect(
      lines(
        feed(m, [
          {
            type: 'profileUpdate',
            user: { id: ALICE },
            initialUpdate: true,
            fields: { dnd: 'On' },
            callCenters: [],
          } as CapMessage,
        ]),
      ),
    ).toEqual(['alice service.dnd on']);
  });

  it('a server unRegister maps to no event: the sessions module logs in again or reports session.ended', () => {
    const m = mapper();
    const un = (reason?: string): CapMessage =>
      ({
        type: 'unRegister',
        user: { userType: 'CallClient', id: 'x' },
        ...(reason ? { reason } : {}),
      }) as CapMessage;
    m.map(cu(ALICE, { callId: 'c', personality: 1, state: 2 }), ALL, ALICE);
    const before = m.callsOf(ALICE);
    expect(before).toHaveLength(1);
    for (const r of ['ForceLogoutD', 'ForceLogoutC', undefined]) expect(m.map(un(r), ALL, ALICE)).toEqual([]);
    expect(m.callsOf(ALICE)).toEqual(before); // kept for the re-login's snapshot
    // the client's own unRegister sample (L921) in CCC2 style: the document names the user
    expect(mapper('ccc2').map(parseCapDocument(sample(921)), ALL)).toEqual([]);
  });

  it('documents that carry no event of the model give no drafts (L2469 callControlInfo, L3008 queueProfileUpdate, pings)', () => {
    const m = mapper();
    for (const line of [2469, 3008, 2617, 785, 679, 2705, 2397, 3110])
      expect(m.map(parseCapDocument(sample(line)), ALL, 'joe@abc.com')).toEqual([]);
  });
});

describe('queues (queueUpdate)', () => {
  const qu = (updateReason: string, calls: CapQueueCall[]): CapMessage => ({
    type: 'queueUpdate',
    user: { userType: 'CallClient', id: SALES },
    updateReason,
    calls,
  });
  const caller = (callId: string, remoteNumber: string, extra: Partial<CapQueueCall> = {}): CapQueueCall => ({
    callId,
    remoteNumber,
    remoteName: '',
    timeAdded: '1772366400000',
    ...extra,
  });

  it('the documented samples: Initial (L2766), CallAdded at position 1 (L2854), CallAbandoned (L2815), CallTransferred (L2834)', () => {
    const m = mapper();
    const cc = 'cc@abc.com';
    const out = [
      ...m.map(parseCapDocument(sample(2766)), ALL, cc),
      ...m.map(parseCapDocument(sample(2854)), ALL, cc),
    ];
    expect(lines(out)).toEqual(['cc queue.call.added', 'cc queue.call.added']);
    expect(dataOf(out[0]).call).toEqual({
      id: 'localhost220335:0',
      correlationId: 'localhost220335:0',
      remote: { address: '3015554000' },
      position: 1,
    });
    expect(m.queueCallsOf(cc)).toEqual([
      { id: 'localhost3234:0', position: 1 },
      {
        id: 'localhost220335:0',
        position: 2,
        from: '3015554000',
        enteredAt: new Date(435345345345).toISOString(),
      },
    ]);
    const gone = [
      ...m.map(parseCapDocument(sample(2815)), ALL, cc),
      ...m.map(parseCapDocument(sample(2834)), ALL, cc),
    ];
    expect(lines(gone)).toEqual(['cc queue.call.abandoned', 'cc queue.call.removed']);
    expect(dataOf(gone[0]).call).toMatchObject({
      id: 'localhost3234:0',
      remote: { address: '' },
      reason: 'abandoned',
    });
    expect(dataOf(gone[1]).call.reason).toBe('transferred');
    expect(m.queueCallsOf(cc).map((q) => q.id)).toEqual(['localhost220335:0']);
  });

  it("an ACD call: added, offered (from the agent's callUpdate), received, answered with the agent, then the agent's call", () => {
    const m = mapper();
    const agentCall = (state: number) =>
      cu(CAROL, {
        callId: 'agent-leg',
        extTrackingId: '7:1',
        personality: 2,
        state,
        remoteNumber: '+15550100',
        redirectFromReason: 'call-center',
        callCenterUserId: SALES,
      });
    const out = [
      ...m.map(qu('CallAdded', [caller('q1', '+15550100', { position: 1 })]), ALL, SALES),
      ...m.map(agentCall(1), ALL, CAROL),
      ...m.map(qu('CallAnswered', [{ callId: 'q1' }]), ALL, SALES),
      ...m.map(agentCall(2), ALL, CAROL),
      ...m.map(agentCall(5), ALL, CAROL),
    ];
    expect(lines(out)).toEqual([
      'sales queue.call.added',
      'sales queue.call.offered',
      'carol call.received alerting',
      'sales queue.call.answered',
      'carol call.answered active',
      'carol call.released released',
    ]);
    expect(dataOf(out[1]).call).toEqual({
      id: 'q1',
      correlationId: '7:1', // the agent's call reveals the extTrackingId
      remote: { address: '+15550100' },
      agent: CAROL,
    });
    expect(dataOf(out[2]).call.via).toEqual({ type: 'queue', id: SALES });
    expect(dataOf(out[3]).call).toMatchObject({ id: 'q1', agent: CAROL, correlationId: '7:1' });
    expect(m.queueCallsOf(SALES)).toEqual([]);
  });

  it('an offer matches the caller by number (digits), and names the queue by its local part too', () => {
    const m = mapper();
    m.map(qu('Initial', [caller('q1', '15550111'), caller('q2', '+1 555 0100')]), ALL, SALES);
    const out = m.map(
      cu(CAROL, {
        callId: 'leg',
        personality: 2,
        state: 1,
        remoteNumber: '+15550100',
        callCenter: { id: 'sales' },
      }),
      ALL,
      CAROL,
    );
    expect(lines(out)).toEqual(['sales queue.call.offered', 'carol call.received alerting']);
    expect(dataOf(out[0]).call.id).toBe('q2');
  });

  it('full lists (Initial, CallReordered, Refresh) replace the order; new calls are added, missing ones removed', () => {
    const m = mapper();
    const first = m.map(qu('Initial', [caller('a', '1'), caller('b', '2'), caller('c', '3')]), ALL, SALES);
    expect(lines(first)).toEqual([
      'sales queue.call.added',
      'sales queue.call.added',
      'sales queue.call.added',
    ]);
    expect(first.map((d) => dataOf(d).call.position)).toEqual([1, 2, 3]);
    expect(
      m.map(
        qu('CallReordered', [{ callId: 'c', position: 1 }, { callId: 'a' }, { callId: 'b' }]),
        ALL,
        SALES,
      ),
    ).toEqual([]);
    expect(m.queueCallsOf(SALES).map((q) => `${q.id}${q.position}${q.from}`)).toEqual(['c13', 'a21', 'b32']);
    const refresh = m.map(qu('Refresh', [{ callId: 'a' }, { callId: 'd', remoteNumber: '4' }]), ALL, SALES);
    expect(lines(refresh)).toEqual([
      'sales queue.call.removed',
      'sales queue.call.removed',
      'sales queue.call.added',
    ]);
    expect(refresh.map((d) => [dataOf(d).call.id, dataOf(d).call.reason ?? dataOf(d).call.position])).toEqual(
      [
        ['c', 'refresh'],
        ['b', 'refresh'],
        ['d', 2],
      ],
    );
    const relogin = m.map(qu('Initial', [{ callId: 'd' }]), ALL, SALES);
    expect(dataOf(relogin[0]).call).toMatchObject({ id: 'a', reason: 'resync' });
  });

  it('QueueTimeout, QueueOverflow: removed with their reason; CallUpdated and CallPromoted change the call silently', () => {
    const m = mapper();
    m.map(qu('Initial', [caller('a', '1'), caller('b', '2'), caller('c', '3')]), ALL, SALES);
    expect(m.map(qu('CallPromoted', [{ callId: 'c', priority: 0, position: 1 }]), ALL, SALES)).toEqual([]);
    expect(m.map(qu('CallUpdated', [{ callId: 'b', remoteName: 'Bea' }]), ALL, SALES)).toEqual([]);
    expect(m.map(qu('CallUpdated', [{ callId: 'zz', remoteName: 'nobody' }]), ALL, SALES)).toEqual([]);
    expect(m.queueCallsOf(SALES)).toMatchObject([
      { id: 'c', position: 1, priority: 0 },
      { id: 'a', position: 2 },
      { id: 'b', position: 3, fromName: 'Bea' },
    ]);
    const out = [
      ...m.map(qu('QueueTimeout', [{ callId: 'a' }]), ALL, SALES),
      ...m.map(qu('QueueOverFlow', [{ callId: 'b' }]), ALL, SALES),
    ];
    expect(out.map((d) => `${d.type} ${dataOf(d).call.reason}`)).toEqual([
      'queue.call.removed timeout',
      'queue.call.removed overflow',
    ]);
    expect(dataOf(out[0]).call.remote).toEqual({ address: '1' });
  });

  it("CCC2: the queue is the document's user; an unwatched queue keeps its list but emits nothing", () => {
    const m = mapper('ccc2');
    expect(m.map(qu('CallAdded', [caller('a', '1')]), watching([]))).toEqual([]);
    expect(m.queueCallsOf(SALES).map((q) => q.id)).toEqual(['a']);
  });
});

describe('robustness', () => {
  it('partial and odd documents never throw and give only valid drafts', () => {
    const docs: CapMessage[] = [
      { type: 'callUpdate', user: {}, calls: [{ callId: '', extTrackingId: '' }] },
      { type: 'callUpdate', user: { id: ALICE }, calls: [{ callId: 'x', extTrackingId: '' }] },
      {
        type: 'callUpdate',
        user: { id: ALICE },
        calls: [{ callId: 'x', extTrackingId: '', state: 99, personality: 9 }],
      },
      { type: 'callUpdate', user: { id: ALICE }, calls: [{ callId: 'y', extTrackingId: '', state: 6 }] },
      {
        type: 'callUpdate',
        user: { userType: 'AttendantConsole' },
        calls: [{ callId: 'z', extTrackingId: '', state: 2 }],
      },
      {
        type: 'sessionUpdate',
        user: { id: ALICE },
        conference: { state: 'Weird', callIds: [], appearances: [] },
      },
      {
        type: 'sessionUpdate',
        user: { id: ALICE },
        conference: { state: 'Released', callIds: [], appearances: [] },
      },
      { type: 'sessionUpdate', user: { id: ALICE }, numCalls: -3 },
      {
        type: 'profileUpdate',
        user: {},
        initialUpdate: false,
        fields: { acdState: 'x', dnd: 'maybe' },
        callCenters: [],
      },
      { type: 'queueUpdate', user: {}, updateReason: '', calls: [{ callId: '' }] },
      {
        type: 'queueUpdate',
        user: { id: SALES },
        updateReason: 'CallAnswered',
        calls: [{ callId: 'never-seen' }],
      },
      { type: 'unRegister', user: {} },
      { type: 'infoRequest' },
      { type: 'datagram' },
    ];
    for (const mode of ['cap-c', 'ccc2'] as const) {
      const m = mapper(mode);
      for (const d of docs) {
        lines(m.map(d, ALL));
        lines(m.map(d, ALL, ALICE));
      }
    }
  });

  it('mutated specification samples map without throwing (every sample, truncated and corrupted)', () => {
    const rand = prng(0xcab);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = [
      '<state>2</state>',
      '<personality>x</personality>',
      '<state>6</state>',
      '<callIn callInId=""/>',
      '<',
      '"',
      '<queueCall callId="">',
    ];
    const m = mapper();
    const c = mapper('ccc2');
    let mapped = 0;
    for (let n = 0; n < 1500; n++) {
      let text = pick(SPEC_SAMPLES).text;
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const at = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.2) text = text.slice(0, at);
        else if (r < 0.7) text = text.slice(0, at) + pick(junk) + text.slice(at);
        else text = text.slice(0, at) + text.slice(at + Math.floor(rand() * 16));
      }
      let doc: CapMessage;
      try {
        doc = parseCapDocument(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CapXmlError);
        continue;
      }
      mapped++;
      lines(m.map(doc, ALL, pick([undefined, ALICE, 'joe@abc.com'])));
      lines(c.map(doc, ALL));
    }
    expect(mapped).toBeGreaterThan(300);
  });
});
