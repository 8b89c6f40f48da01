/**
 * Snapshot → transition derivation of the MTCTI-3 mapper, including states it never saw.
 */
import { describe, expect, it } from 'vitest';
import {
  Mtcti3Mapper,
  bridgeState,
  type UserContext,
} from '../../../../vendors/avaya-mtcti3/driver/mapper.js';
import { EVENT_FAMILIES, parseEventData, type EventDraft } from '../../../../shared/events/model.js';
import type { CallInfo } from '../../../../vendors/avaya-mtcti3/wire/codec.js';

const dir = {
  userByNumber: (n: string | undefined) =>
    ({ '1001': 'alice', '1002': 'bob', '1003': 'carol' })[n ?? ''] as string | undefined,
  queueByNumber: (n: string | undefined) => (n === '2001' ? 'sales' : undefined),
};
const ctx: UserContext = {
  user: 'bob',
  extension: '1002',
  target: { type: 'user', id: 'bob' },
  families: new Set(EVENT_FAMILIES),
};
const gcid = Buffer.from('017f00000100000401', 'hex');
const info = (state: string, extra: Partial<CallInfo> = {}): CallInfo => ({
  callid: 7,
  state,
  direction: 'INBOUND',
  gcid,
  callingparty: { number: '1001', name: 'Alice Anders' },
  connectedparty: { number: '1001', name: 'Alice Anders' },
  ...extra,
});
const lines = (evs: EventDraft[]) =>
  evs.map((e) => {
    parseEventData(e.type, e.data); // every draft is valid against the model
    const d = e.data as { call?: { state: string } };
    return `${e.type}${d.call ? ` ${d.call.state}` : ''}`;
  });

describe('MTCTI-3 mapper', () => {
  it('maps states, keeping the previous one for BUSY/FAILED/DISCONNECTED', () => {
    expect(bridgeState('DIALLED', undefined)).toBe('dialing');
    expect(bridgeState('RINGBACK', undefined)).toBe('alerting');
    expect(bridgeState('ONHOLDPENDCONF', undefined)).toBe('held');
    expect(bridgeState('ANSWEREDBYVOICEMAIL', undefined)).toBe('active');
    expect(bridgeState('BUSY', 'alerting')).toBe('alerting');
  });

  it('derives received → answered → held → retrieved → released from consecutive snapshots', () => {
    const m = new Mtcti3Mapper(dir);
    const out = [
      ...m.userCalls(ctx, { callinfo: [info('RINGING')] }),
      ...m.userCalls(ctx, { callinfo: [info('RINGING', { tag: 'x' })] }), // detail only: nothing
      ...m.userCalls(ctx, { callinfo: [info('CONNECTED')] }),
      ...m.userCalls(ctx, { callinfo: [info('CONNECTED', { activeheld: true })] }),
      ...m.userCalls(ctx, { callinfo: [info('ONHOLD')] }),
      ...m.userCalls(ctx, { callinfo: [info('CONNECTED')] }),
      ...m.userCalls(ctx, { calllost: [{ callid: 7, reason: 16 }] }),
      ...m.userCalls(ctx, { callinfo: [info('CONNECTED')] }), // late snapshot of a finished call
    ];
    expect(lines(out)).toEqual([
      'call.received alerting',
      'call.answered active',
      'call.updated active',
      'call.held held',
      'call.retrieved active',
      'call.released released',
    ]);
    const c = out[0]!.data as { call: Record<string, unknown> };
    expect(c.call).toMatchObject({
      id: '7',
      correlationId: '017F00000100000401',
      direction: 'inbound',
      local: { user: 'bob', address: '1002' },
      remote: { address: '1001', name: 'Alice Anders' },
      alertingObserved: true,
    });
  });

  it('a call first seen CONNECTED is received and answered, alertingObserved false', () => {
    const m = new Mtcti3Mapper(dir);
    const out = m.userCalls(ctx, { callinfo: [info('CONNECTED')] });
    expect(lines(out)).toEqual(['call.received active', 'call.answered active']);
    for (const e of out)
      expect((e.data as { call: { alertingObserved?: boolean } }).call.alertingObserved).toBe(false);
    const held = new Mtcti3Mapper(dir).userCalls(ctx, {
      callinfo: [
        info('ONHOLD', {
          direction: 'OUTBOUND',
          callingparty: {},
          calledparty: '1003',
          connectedparty: { number: '1003' },
        }),
      ],
    });
    expect(lines(held)).toEqual(['call.originated held', 'call.answered held', 'call.held held']);
  });

  it('a skipped ringing phase still yields answered; a ringing call that moves elsewhere is forwarded', () => {
    const m = new Mtcti3Mapper(dir);
    const out = m.userCalls(ctx, {
      callinfo: [info('DIALLED', { direction: 'OUTBOUND', connectedparty: { number: '1003' } })],
    });
    out.push(
      ...m.userCalls(ctx, {
        callinfo: [info('CONNECTED', { direction: 'OUTBOUND', connectedparty: { number: '1003' } })],
      }),
    );
    expect(lines(out)).toEqual(['call.originated dialing', 'call.answered active']);
    const f = new Mtcti3Mapper(dir);
    const fwd = [
      ...f.userCalls(ctx, {
        callinfo: [info('RINGBACK', { direction: 'OUTBOUND', connectedparty: { number: '1002' } })],
      }),
      ...f.userCalls(ctx, {
        callinfo: [info('RINGBACK', { direction: 'OUTBOUND', connectedparty: { number: '1003' } })],
      }),
    ];
    expect(lines(fwd)).toEqual(['call.originated alerting', 'call.forwarded alerting']);
  });

  it('reports a CallLost after a RINGINGDIVERT as forwarded, after a bridge transfer as transferred', () => {
    const m = new Mtcti3Mapper(dir);
    const div = [
      ...m.userCalls(ctx, { callinfo: [info('RINGINGDIVERT')] }),
      ...m.userCalls(ctx, { calllost: [{ callid: 7 }] }),
    ];
    expect(lines(div)).toEqual([
      'call.received alerting',
      'call.forwarded released',
      'call.released released',
    ]);
    const t = new Mtcti3Mapper(dir);
    t.userCalls(ctx, { callinfo: [info('CONNECTED')] });
    t.expectTransfer('bob', '7', 'blind', '1003');
    const out = t.userCalls(ctx, { calllost: [{ callid: 7, reason: 16 }] });
    expect(lines(out)).toEqual(['call.transferred released', 'call.released released']);
    expect(out[0]!.data).toMatchObject({
      transfer: { mode: 'blind', to: '1003' },
      call: { releaseCause: 'transferred' },
    });
  });

  it('releases cached calls missing from the first snapshot after (re)subscribing', () => {
    const m = new Mtcti3Mapper(dir);
    m.userCalls(ctx, { callinfo: [info('CONNECTED'), info('ONHOLD', { callid: 8 })] });
    const out = m.userCalls(ctx, { callinfo: [info('CONNECTED')] }, true);
    expect(lines(out)).toEqual(['call.released released']);
    expect(out[0]!.data).toMatchObject({ call: { id: '8', releaseCause: 'resync' } });
  });

  it('derives conference start and release from the conference member lists', () => {
    const m = new Mtcti3Mapper(dir);
    const a = (extra: Partial<CallInfo>) => info('CONNECTED', { callid: 1, ...extra });
    const b = (extra: Partial<CallInfo>) =>
      info('CONNECTED', { callid: 2, connectedparty: { number: '1003' }, ...extra });
    m.userCalls(ctx, { callinfo: [a({}), b({ state: 'ONHOLD' })] });
    const members = [
      { lref: 1, connectedparty: { number: '1001' } },
      { lref: 2, connectedparty: { number: '1003' } },
    ];
    const start = m.userCalls(ctx, {
      callinfo: [a({ conferencemember: members }), b({ state: 'ONHOLD', conferencemember: members })],
    });
    expect(lines(start)).toEqual(['call.updated active', 'call.updated held', 'conference.started']);
    expect(start[2]!.data).toMatchObject({
      conference: {
        id: 'bob#1',
        state: 'active',
        calls: ['1', '2'],
        parties: [{ address: '1001' }, { address: '1003' }],
      },
      local: { user: 'bob' },
    });
    const end = m.userCalls(ctx, { callinfo: [b({ state: 'ONHOLD' })], calllost: [{ callid: 1 }] });
    expect(lines(end)).toEqual(['call.released released', 'conference.released']);
  });

  it('turns queue snapshots into queue.call events and member lists into agent states', () => {
    const m = new Mtcti3Mapper(dir);
    const q = {
      queue: 'sales',
      target: { type: 'queue' as const, id: 'sales' },
      families: new Set(EVENT_FAMILIES),
    };
    const call = (state: string, extra: Partial<CallInfo> = {}) => ({
      callinfo: [{ callid: 3, state, gcid, callingparty: { number: '+15550100' }, ...extra }],
    });
    const out = [
      ...m.queueCallControl(q, call('QUEUEING')),
      ...m.queueCallControl(q, call('RINGING', { targets: { target: [{ partyinfo: { number: '1003' } }] } })),
      ...m.queueCallControl(q, call('CONNECTED', { connectedparty: { number: '1003' } })),
      ...m.queueCallControl(q, { calllost: [{ callid: 3 }] }),
    ];
    expect(out.map((e) => e.type)).toEqual(['queue.call.added', 'queue.call.offered', 'queue.call.answered']);
    expect(out[1]!.data).toMatchObject({
      queue: { id: 'sales' },
      call: { id: '3', agent: 'carol', remote: { address: '+15550100' } },
    });
    const abandoned = m.queueCallControl(q, call('QUEUEING', { callid: 4 }));
    abandoned.push(...m.queueCallControl(q, { calllost: [{ callid: 4 }] }));
    expect(abandoned.map((e) => e.type)).toEqual(['queue.call.added', 'queue.call.abandoned']);

    m.queueObject('sales', {
      queuemembers: { member: [{ extn: '1003', disabled: true }, { extn: '1004' }] },
    });
    const carol: UserContext = {
      user: 'carol',
      extension: '1003',
      target: { type: 'user', id: 'carol' },
      families: new Set(['agent']),
    };
    expect(m.agentEvents(carol).map((e) => (e.data as { agent: { state: string } }).agent.state)).toEqual([
      'sign-out',
    ]);
    expect(m.agentEvents(carol)).toEqual([]);
    m.queueObject('sales', { queuemembers: { member: [{ extn: '1003' }, { extn: '1004' }] } });
    expect(m.agentEvents(carol).map((e) => (e.data as { agent: { state: string } }).agent.state)).toEqual([
      'available',
    ]);
  });

  it('reports DND and the three forwardings from NotifyUser, once per change', () => {
    const m = new Mtcti3Mapper(dir);
    const first = m.userObject(ctx, { extn: '1002', name: 'bob' });
    expect(first.map((e) => e.type)).toEqual([
      'service.dnd',
      'service.forwarding',
      'service.forwarding',
      'service.forwarding',
    ]);
    const fwd = m.userObject(ctx, { extn: '1002', name: 'bob', fwdb: true, fwdbnumber: '1003' });
    // the forward-on-busy number is the no-answer number too
    expect(fwd.map((e) => e.data)).toEqual([
      { user: 'bob', kind: 'busy', enabled: true, to: '1003' },
      { user: 'bob', kind: 'no-answer', enabled: false, to: '1003' },
    ]);
    expect(m.userObject(ctx, { extn: '1002', name: 'bob', fwdb: true, fwdbnumber: '1003' })).toEqual([]);
  });
});
