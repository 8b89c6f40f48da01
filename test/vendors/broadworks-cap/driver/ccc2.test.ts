/**
 * CCC2 mode against the simulator's CCC2 listener: no login, two connections whose traffic (spread
 * round-robin by the server) feeds one state, commands on any connection naming the user by `id`,
 * queue commands without a queue login, and the loss of a connection. Rule numbers: digest §11.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, QUEUE, SimBed, callIdOf, waitFor, watchUsers, type Harness } from './helpers.js';

let bed: SimBed;
let h: Harness;
afterEach(async () => bed.stop());

async function up(): Promise<void> {
  bed = await new SimBed().start();
  h = bed.harness({ mode: 'ccc2' });
  await h.driver.connect();
  await h.driver.watch(watchUsers([ALICE, BOB]));
}

describe('broadworks-cap CCC2', () => {
  it('rule 23: two connections, no login, no sessions; a call seen over both is one consistent state', async () => {
    await up();
    expect(h.driver.sessions).toBeUndefined();
    expect(bed.fe.snapshot().connections.map((c) => c.mode)).toEqual(['ccc2', 'ccc2']);
    const { callId } = await h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    const bobCall = callIdOf(await h.event('call.received', (e) => e.target.id === BOB))!;
    await waitFor(() => h.driver.observed.enabled(bobCall, 'Answer'), 'callControlInfo for Bob');
    await h.driver.execute({ kind: 'answer', user: BOB, call: bobCall });
    await h.event('call.answered', (e) => callIdOf(e) === callId);
    await h.driver.execute({ kind: 'hold', user: ALICE, call: callId });
    await h.driver.execute({ kind: 'release', user: BOB, call: bobCall });
    await h.event('call.released', (e) => callIdOf(e) === callId);
    // the server alternated: each connection carried part of it
    const [a, b] = h.driver.pool.all;
    expect(a!.stats.documents).toBeGreaterThan(2);
    expect(b!.stats.documents).toBeGreaterThan(2);
    for (const user of [ALICE, BOB])
      expect((await h.driver.execute({ kind: 'listCalls', user })).calls).toEqual([]);
    const lines = h.lines();
    expect(lines.filter((l) => l.startsWith(BOB))).toEqual([
      `${BOB} call.received ${bobCall}/alerting`,
      `${BOB} call.answered ${bobCall}/active`,
      `${BOB} call.updated ${bobCall}/active`, // Alice's hold: Bob's leg is remote-held
      `${BOB} call.released ${bobCall}/released`,
    ]);
  });

  it('rule 9, rule 22: client messages name the user by `id` and carry no applicationId and no uid', async () => {
    await up();
    await h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    const [dial] = bed.received('callAction');
    expect(dial?.user).toEqual({ userType: 'CallClient', id: ALICE });
  });

  it('a dial for a user id the server does not know (sent as it is, 504) keeps no queue for it', async () => {
    bed = await new SimBed().start();
    h = bed.harness({ mode: 'ccc2', requestTimeoutMs: 200 });
    await h.driver.connect();
    await expect(
      h.driver.execute({ kind: 'dial', user: 'nobody@sim.example', to: '1002' }),
    ).rejects.toMatchObject({ status: 504 });
    expect(h.driver.dialing).toBe(0);
  });

  it('rule 26: queue commands act on the call centre by id, with no queue login', async () => {
    await up();
    const c1 = bed.core.dial('+15559990001', '2001');
    const c2 = bed.core.dial('+15559990002', '2001');
    const list = async () =>
      (await h.driver.execute({ kind: 'listQueueCalls', queue: QUEUE })).calls.map((c) => c.id);
    expect(await list()).toEqual([c1.id, c2.id]);
    await h.driver.execute({ kind: 'reorderQueueCall', queue: QUEUE, call: c2.id, position: 1 });
    expect(await list()).toEqual([c2.id, c1.id]);
    expect(
      bed.received('queueAction').every((m) => m.user.id === QUEUE && m.user.applicationId === undefined),
    ).toBe(true);
  });

  it('losing a connection takes the link down; after a reconnect the calls known before stay (CCC2 cannot list calls)', async () => {
    await up();
    const { callId } = await h.driver.execute({ kind: 'dial', user: ALICE, to: '1002' });
    await bed.fe.fault('POST', 'drop-connections', {});
    await h.until(() => h.downs.length === 1, 'onDown');
    await h.driver.connect();
    await h.driver.resync();
    expect(h.events.filter((e) => e.type === 'call.released')).toEqual([]);
    expect((await h.driver.execute({ kind: 'listCalls', user: ALICE })).calls.map((c) => c.id)).toEqual([
      callId,
    ]);
    // the next update of the call is read as usual
    bed.core.release(callId);
    await h.event('call.released', (e) => callIdOf(e) === callId);
  });
});
