/**
 * The unified commands over CAP-C against the simulator's CAP front-end: each call command is a
 * callAction on the user's own dialog and answers once the update it caused arrived; queue commands act
 * on the call centre's own session; reads come from what the server reported; what CAP cannot do is
 * 501. Test names carry the digest's §11 rule numbers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotSupportedError, VendorError } from '../../../../vendors/driver-kit/seam.js';
import { ALICE, BOB, CAROL, QUEUE, SimBed, callIdOf, waitFor, watchUsers, type Harness } from './helpers.js';

let bed: SimBed;
let h: Harness;

async function up(
  options: Parameters<SimBed['start']>[0] = {},
  users = [ALICE],
  link: Record<string, unknown> = { dtmfActionType: 'TransmitDTMF' },
): Promise<void> {
  bed = await new SimBed().start(options);
  h = bed.harness(link);
  await h.driver.connect();
  await h.driver.watch(watchUsers([ALICE, BOB, CAROL]));
  for (const u of users) await h.login(u);
}

/** Alice in two answered calls, with Bob (a) and Carol (b). */
async function twoCalls(): Promise<{ a: string; b: string }> {
  const a = bed.core.dial(ALICE, '1002');
  bed.core.answer(bed.legOf(BOB)!.id);
  const b = bed.core.dial(ALICE, '1003');
  bed.core.answer(bed.legOf(CAROL)!.id);
  await h.event('call.answered', (e) => callIdOf(e) === b.id);
  return { a: a.id, b: b.id };
}

const stateOf = async (call: string) =>
  (await h.driver.execute({ kind: 'getCall', user: ALICE, call })).call.state;

afterEach(async () => bed.stop());

describe('broadworks-cap call commands (CAP-C)', () => {
  it('rule 18, rule 19: dial answers the new callId and its extTrackingId; hold, retrieve, dtmf and release each wait for their callUpdate', async () => {
    await up();
    const dtmf: string[] = [];
    bed.core.on((ev) => {
      if (ev.type === 'leg.dtmf') dtmf.push((ev as unknown as { digits: string }).digits);
    });
    const { callId, correlationId } = await h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    const leg = bed.legOf(ALICE)!;
    expect(callId).toBe(leg.id);
    expect(correlationId).toBe(leg.correlationId);
    const [dial] = bed.received('callAction');
    expect(dial).toMatchObject({
      actionType: 'Dial',
      params: [{ name: 'Number', value: '1002' }],
      user: { userType: 'CallClient', id: ALICE, applicationId: 'bridge-test' },
    });

    bed.core.answer(bed.legOf(BOB)!.id);
    await h.event('call.answered', (e) => callIdOf(e) === callId);
    await h.driver.execute({ kind: 'hold', user: ALICE, call: callId });
    expect(await stateOf(callId)).toBe('held');
    expect(bed.core.getLeg(callId)?.state).toBe('held');
    await h.driver.execute({ kind: 'hold', user: ALICE, call: callId }); // already held: nothing sent
    await h.driver.execute({ kind: 'retrieve', user: ALICE, call: callId });
    expect(await stateOf(callId)).toBe('active');
    await h.driver.execute({ kind: 'dtmf', user: ALICE, call: callId, digits: '12#' });
    await waitFor(() => dtmf.length === 1, 'the digits in the core');
    expect(dtmf).toEqual(['12#']);
    await expect(
      h.driver.execute({ kind: 'dtmf', user: ALICE, call: callId, digits: 'x' }),
    ).rejects.toMatchObject({
      status: 400,
    });
    await h.driver.execute({ kind: 'release', user: ALICE, call: callId });
    expect(bed.core.getLeg(callId)?.state ?? 'released').toBe('released');
    expect((await h.driver.execute({ kind: 'listCalls', user: ALICE })).calls).toEqual([]);
    expect(bed.received('callAction').map((a) => a.actionType)).toEqual([
      'Dial',
      'Hold',
      'Answer',
      'TransmitDTMF',
      'Release',
    ]);
  });

  it('rule 20: answer works on an alerting call once callControlInfo enabled Answer', async () => {
    await up();
    bed.core.dial(BOB, '1001');
    const call = callIdOf(await h.event('call.received'))!;
    await waitFor(() => h.driver.observed.enabled(call, 'Answer'), 'callControlInfo Answer=True');
    await h.driver.execute({ kind: 'answer', user: ALICE, call });
    expect(await stateOf(call)).toBe('active');
  });

  it('rule 20: without callControlInfo Answer=True answer is refused (409) and the call keeps ringing', async () => {
    await up({ answerControl: false });
    bed.core.dial(BOB, '1001');
    const call = callIdOf(await h.event('call.received'))!;
    await waitFor(() => h.driver.observed.enabled(call, 'Answer') === false, 'callControlInfo Answer=False');
    const err = await h.driver.execute({ kind: 'answer', user: ALICE, call }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).status).toBe(409);
    expect(bed.received('callAction')).toEqual([]);
    expect(bed.core.getLeg(call)?.state).toBe('alerting');
  });

  it('blindTransfer sends Xfer (CallId, Number) and answers once the call left the user', async () => {
    await up();
    const a = bed.core.dial(ALICE, '1002');
    bed.core.answer(bed.legOf(BOB)!.id);
    await h.event('call.answered', (e) => callIdOf(e) === a.id);
    await h.driver.execute({ kind: 'blindTransfer', user: ALICE, call: a.id, to: '1003' });
    expect(bed.received('callAction')[0]?.params).toEqual([
      { name: 'CallId', value: a.id },
      { name: 'Number', value: '1003' },
    ]);
    expect(bed.core.listLegs({ userId: CAROL })).toHaveLength(1);
  });

  it('rule 21: consultTransfer sends XferConsult with both CallIds in order and joins the far ends', async () => {
    await up();
    const { a, b } = await twoCalls();
    await h.driver.execute({ kind: 'consultTransfer', user: ALICE, call: a, withCall: b });
    expect(bed.received('callAction')[0]).toMatchObject({
      actionType: 'XferConsult',
      params: [
        { name: 'CallId', value: a },
        { name: 'CallId', value: b },
      ],
    });
    expect(bed.legOf(BOB)!.remote.id).toBe(CAROL);
  });

  it('rule 21: conference sends ConfStart and answers once the sessionUpdate says Active', async () => {
    await up();
    const { a, b } = await twoCalls();
    await h.driver.execute({ kind: 'conference', user: ALICE, call: a, withCall: b });
    expect(bed.core.getConference(ALICE)?.legIds).toEqual([a, b]);
    await h.event('conference.started');
  });

  it('rule 16, rule 17: tagDisposition asks for a callActionResponse with an id; a refusal is a 409 with the server text', async () => {
    await up();
    const a = bed.core.dial(ALICE, '1002');
    await h.driver.execute({ kind: 'tagDisposition', user: ALICE, call: a.id, code: 'Sale' });
    const [tag] = bed.received('callAction');
    expect(tag).toMatchObject({
      actionType: 'TagCallWithDispositionCode',
      responseRequested: true,
      params: [
        { name: 'CallId', value: a.id },
        { name: 'DispositionCode', value: 'Sale' },
      ],
    });
    expect(tag?.actionId).toMatch(/^\d+$/);
    const err = await h.driver
      .execute({ kind: 'tagDisposition', user: ALICE, call: a.id, code: 'nonsense' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 409,
      vendor: { name: 'broadworks-cap', text: 'Invalid disposition code' },
    });
  });

  it('refuses commands it can tell are wrong: unknown call 404, wrong state 409, no session 409', async () => {
    await up();
    await expect(h.driver.execute({ kind: 'hold', user: ALICE, call: 'nope' })).rejects.toMatchObject({
      status: 404,
    });
    bed.core.dial(BOB, '1001');
    const ringing = callIdOf(await h.event('call.received'))!;
    await expect(h.driver.execute({ kind: 'hold', user: ALICE, call: ringing })).rejects.toMatchObject({
      status: 409,
    });
    await expect(h.driver.execute({ kind: 'dial', user: CAROL, to: '1001' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('a dial keeps no queue for its user once done: refused (no session, unknown user) or answered', async () => {
    await up();
    for (const user of ['nobody-1@sim.example', 'nobody-2@sim.example', CAROL])
      await expect(h.driver.execute({ kind: 'dial', user, to: '1001' })).rejects.toMatchObject({
        status: 409,
      });
    expect(h.driver.dialing).toBe(0);
    const dial = h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    expect(h.driver.dialing).toBe(1);
    await dial;
    expect(h.driver.dialing).toBe(0);
  });

  it('reads DND, forwarding and the agent state from the last profileUpdate', async () => {
    await up({}, [ALICE, CAROL]);
    expect(await h.driver.execute({ kind: 'getDnd', user: ALICE })).toEqual({ enabled: false });
    bed.core.setDnd(ALICE, true);
    await waitFor(() => h.driver.observed.profile(ALICE)?.['dnd'] === 'On', 'profileUpdate dnd');
    expect(await h.driver.execute({ kind: 'getDnd', user: ALICE })).toEqual({ enabled: true });
    expect(await h.driver.execute({ kind: 'getForwarding', user: ALICE, type: 'always' })).toEqual({
      enabled: false,
    });
    await expect(
      h.driver.execute({ kind: 'getForwarding', user: ALICE, type: 'busy' }),
    ).rejects.toBeInstanceOf(NotSupportedError);
    bed.core.setAgentState(CAROL, 'unavailable', 'Lunch');
    await waitFor(
      () => h.driver.observed.profile(CAROL)?.['acdState'] === 'Unavailable',
      'profileUpdate acdState',
    );
    expect((await h.driver.execute({ kind: 'getAgentState', agent: CAROL })).state).toBe('unavailable');
    await expect(h.driver.execute({ kind: 'getAgentState', agent: ALICE })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('answers 501 naming the vendor for what CAP has no message for', async () => {
    await up();
    for (const command of [
      { kind: 'listUsers' },
      { kind: 'setDnd', user: ALICE, enabled: true },
      { kind: 'setAgentState', agent: ALICE, state: 'available' },
      { kind: 'setForwarding', user: ALICE, type: 'always', enabled: true, to: '1002' },
    ] as const) {
      const err = await h.driver.execute(command).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect(err).toMatchObject({ vendor: 'broadworks-cap', command: command.kind });
    }
  });

  it('dtmf is 501 on a link without dtmfActionType (CAP 17.0 has no DTMF action) and sends nothing', async () => {
    await up({}, [ALICE], {});
    const { callId } = await h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    const err = await h.driver
      .execute({ kind: 'dtmf', user: ALICE, call: callId, digits: '1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotSupportedError);
    expect((err as Error).message).toMatch(/^broadworks-cap cannot do dtmf .*dtmfActionType/);
    expect(bed.received('callAction').map((a) => a.actionType)).toEqual(['Dial']);
  });

  it("raw sends one BroadsoftDocument as it is, on the user's dialog or the link's connection", async () => {
    await up();
    const doc = (type: string, user = '') =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="${type}"><commandData>${user}</commandData></command></BroadsoftDocument>`;
    const res = await h.driver.execute({ kind: 'raw', request: { xml: doc('infoRequest') } });
    expect(res).toEqual({ status: 202, body: { sent: true, commandType: 'infoRequest', via: 'link' } });
    const viaUser = await h.driver.execute({
      kind: 'raw',
      request: {
        user: ALICE,
        xml: doc(
          'callAction',
          `<user userType="CallClient" id="${ALICE}"><action actionType="Dial"><actionParam actionParamName="Number">1002</actionParam></action><applicationId>bridge-test</applicationId></user>`,
        ),
      },
    });
    expect(viaUser.body).toMatchObject({ via: ALICE });
    await waitFor(() => bed.legOf(ALICE), 'the raw Dial placed a call');
    for (const request of [
      { xml: '<foo/>' },
      { xml: doc('infoRequest') + doc('infoRequest') },
      { xml: 1 },
      {},
    ])
      await expect(h.driver.execute({ kind: 'raw', request })).rejects.toMatchObject({ status: 400 });
  });
});

describe('broadworks-cap queue commands (CAP-C, the call centre logged in as a session)', () => {
  it('rule 24, rule 26: listQueueCalls refreshes; reorder, promote and remove wait for their queueUpdate', async () => {
    await up({}, [QUEUE]);
    const c1 = bed.core.dial('+15559990001', '2001');
    const c2 = bed.core.dial('+15559990002', '2001');
    const c3 = bed.core.dial('+15559990003', '2001');
    const list = async () => (await h.driver.execute({ kind: 'listQueueCalls', queue: QUEUE })).calls;
    expect((await list()).map((c) => [c.id, c.position])).toEqual([
      [c1.id, 1],
      [c2.id, 2],
      [c3.id, 3],
    ]);
    expect(bed.received('queueAction')[0]).toMatchObject({ actionType: 'Refresh', user: { id: QUEUE } });
    await h.driver.execute({ kind: 'reorderQueueCall', queue: QUEUE, call: c3.id, position: 1 });
    expect((await list()).map((c) => c.id)).toEqual([c3.id, c1.id, c2.id]);
    await h.driver.execute({ kind: 'promoteQueueCall', queue: QUEUE, call: c2.id });
    expect(bed.received('queueAction', (m) => m.actionType === 'Promote')[0]?.call).toMatchObject({
      callId: c2.id,
      priority: 0,
    });
    await h.driver.execute({ kind: 'removeQueueCall', queue: QUEUE, call: c1.id, to: '1002' });
    expect((await list()).map((c) => c.id)).toEqual([c3.id, c2.id]);
    expect(bed.core.listLegs({ userId: BOB })).toHaveLength(1);
    await expect(
      h.driver.execute({ kind: 'removeQueueCall', queue: QUEUE, call: c2.id }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it('queue commands need the call centre logged in (409 without its session)', async () => {
    await up();
    await expect(h.driver.execute({ kind: 'listQueueCalls', queue: QUEUE })).rejects.toMatchObject({
      status: 409,
    });
  });
});
