import { afterEach, describe, expect, it } from 'vitest';
import { PbxCore, PbxError, type CoreEvent } from '../../simulator/core/index.js';
import { DEFAULT_DIRECTORY } from '../../simulator/directory.js';

let core: PbxCore;
let events: CoreEvent[];

function make(opts: ConstructorParameters<typeof PbxCore>[1] = {}): PbxCore {
  core = new PbxCore(DEFAULT_DIRECTORY, opts);
  events = [];
  core.on((e) => events.push(e));
  return core;
}

function legOf(userId: string) {
  const l = core.listLegs({ userId });
  expect(l).toHaveLength(1);
  return l[0]!;
}

function names(): string[] {
  return events.map((e) =>
    'leg' in e
      ? `${e.type}:${e.leg.userId ?? e.leg.self.number}`
      : 'userId' in e
        ? `${e.type}:${e.userId}:${e.offHook}`
        : e.type,
  );
}

afterEach(() => core?.dispose());

describe('PBX core', () => {
  it('connects a call, holds and retrieves it, and releases both legs', () => {
    make();
    const a = core.dial('alice@sim.example', '1002');
    const b = legOf('bob@sim.example');
    expect(b.correlationId).toBe(a.correlationId);
    expect(b.remote).toMatchObject({ kind: 'user', id: 'alice@sim.example', number: '1001' });
    core.answer(b.id);
    expect(core.getLeg(a.id)!.state).toBe('active');
    core.hold(a.id);
    expect(core.getLeg(b.id)!.remoteHeld).toBe(true);
    expect(() => core.hold(b.id)).not.toThrow(); // remote-held leg may hold too
    core.retrieve(b.id);
    core.retrieve(a.id);
    expect(core.getLeg(a.id)!.totalHeldMs).toBeGreaterThanOrEqual(0);
    core.release(a.id);
    expect(core.getLeg(a.id)!).toMatchObject({ state: 'released', releasingParty: 'local' });
    expect(core.getLeg(b.id)!).toMatchObject({ state: 'released', releasingParty: 'remote' });
    expect(core.listLegs()).toHaveLength(0);
  });

  it('refuses hold on an alerting call', () => {
    make();
    core.dial('alice@sim.example', '1002');
    const b = legOf('bob@sim.example');
    expect(() => core.hold(b.id)).toThrow(PbxError);
    try {
      core.hold(b.id);
    } catch (e) {
      expect((e as PbxError).code).toBe('INVALID_STATE');
    }
  });

  it('blind transfer connects the far end to the target and drops the transferrer', () => {
    make();
    const a = core.dial('alice@sim.example', '1002');
    const b = legOf('bob@sim.example');
    core.answer(b.id);
    events.length = 0;
    core.blindTransfer(b.id, '1003');
    expect(core.getLeg(b.id)!.state).toBe('detached');
    const c = legOf('carol@sim.example');
    expect(c.redirections[0]).toMatchObject({ reason: 'deflection', party: { id: 'bob@sim.example' } });
    expect(core.getLeg(a.id)).toMatchObject({
      state: 'alerting',
      remote: { id: 'carol@sim.example' },
      peerLegId: c.id,
    });
    expect(names()).toEqual([
      'leg.redirected',
      'leg.transferred:alice@sim.example',
      'hook:bob@sim.example:false',
      'leg.received:carol@sim.example',
    ]);
    const answerTime = core.getLeg(a.id)!.answerTime;
    core.answer(c.id);
    expect(core.getLeg(a.id)).toMatchObject({ state: 'active', answerTime });
  });

  it('consultative transfer joins the two far ends under a new correlation id', () => {
    make();
    const c1 = core.dial('alice@sim.example', '1002');
    core.answer(legOf('bob@sim.example').id);
    const c3 = core.dial('alice@sim.example', '1003');
    expect(core.getLeg(c1.id)!.state).toBe('held');
    const carol = legOf('carol@sim.example');
    core.answer(carol.id);
    const bob = legOf('bob@sim.example');
    events.length = 0;
    core.consultTransfer(c1.id, c3.id);
    const bobAfter = core.getLeg(bob.id)!;
    const carolAfter = core.getLeg(carol.id)!;
    expect(bobAfter.peerLegId).toBe(carol.id);
    expect(carolAfter.peerLegId).toBe(bob.id);
    expect(bobAfter.correlationId).toBe(carolAfter.correlationId);
    expect(bobAfter.correlationId).not.toBe(c1.correlationId);
    expect(bobAfter.state).toBe('active');
    expect(core.listLegs({ userId: 'alice@sim.example' })).toHaveLength(0);
    expect(names()).toEqual([
      'leg.transferred:bob@sim.example',
      'leg.transferred:carol@sim.example',
      'leg.redirected',
      'leg.retrieved:bob@sim.example',
      'hook:alice@sim.example:false',
    ]);
  });

  it('refuses a consultative transfer of two alerting calls', () => {
    make();
    const a1 = core.dial('alice@sim.example', '1002');
    const a2 = core.dial('alice@sim.example', '1003');
    expect(() => core.consultTransfer(a1.id, a2.id)).toThrowError(
      expect.objectContaining({ code: 'BOTH_ALERTING' }),
    );
  });

  it('starts a 3-way conference, retrieving held calls, and releases everything', () => {
    make();
    const c1 = core.dial('alice@sim.example', '1002');
    core.answer(legOf('bob@sim.example').id);
    const c3 = core.dial('alice@sim.example', '1003');
    core.answer(legOf('carol@sim.example').id);
    events.length = 0;
    const conf = core.startConference('alice@sim.example', [c1.id, c3.id]);
    expect(conf.legIds).toEqual([c1.id, c3.id]);
    expect(core.getLeg(c1.id)!.state).toBe('active');
    expect(names().slice(0, 3)).toEqual([
      'leg.updated:alice@sim.example',
      'leg.updated:alice@sim.example',
      'conference.started',
    ]);
    expect(names()).toContain('leg.retrieved:bob@sim.example');
    expect(() => core.startConference('alice@sim.example', [c1.id, c3.id])).toThrowError(
      expect.objectContaining({ code: 'CONFERENCE_EXISTS' }),
    );
    core.releaseConference('alice@sim.example');
    expect(core.listLegs()).toHaveLength(0);
    expect(core.getConference('alice@sim.example')).toBeUndefined();
  });

  it('distributes ACD calls to available agents, longest available first, and re-queues on reject', () => {
    make();
    core.setAgentState('carol@sim.example', 'available');
    core.setAgentState('dave@sim.example', 'available');
    const caller = core.dial('+15550100', '2001');
    expect(caller.queue).toMatchObject({ queueId: 'sales@sim.example' });
    const carolLeg = legOf('carol@sim.example');
    expect(carolLeg.queue).toMatchObject({ queueId: 'sales@sim.example' });
    expect(core.listLegs({ userId: 'dave@sim.example' })).toHaveLength(0);
    // carol rejects: she becomes unavailable and dave is offered the call
    core.release(carolLeg.id);
    expect(core.getUser('carol@sim.example')!.agent!.state).toBe('unavailable');
    const daveLeg = legOf('dave@sim.example');
    core.answer(daveLeg.id);
    expect(core.getLeg(caller.id)).toMatchObject({ state: 'active', peerLegId: daveLeg.id });
    expect(core.getQueue('sales@sim.example')!.entries).toHaveLength(0);
    expect(events.map((e) => e.type).filter((t) => t.startsWith('queue.'))).toEqual([
      'queue.added',
      'queue.offered',
      'queue.offered',
      'queue.answered',
      'queue.removed',
    ]);
  });

  it('queues a call while no agent is available and offers it when one becomes available; wrap-up timer returns the agent', async () => {
    make();
    const dir = structuredClone(DEFAULT_DIRECTORY);
    dir.queues[0]!.wrapUpMs = 20;
    core.dispose();
    core = new PbxCore(dir);
    events = [];
    core.on((e) => events.push(e));
    const caller = core.dial('+15550100', '2001');
    expect(core.getQueue('2001')!.entries).toHaveLength(1);
    core.setAgentState('dave@sim.example', 'available');
    const dave = legOf('dave@sim.example');
    core.answer(dave.id);
    core.release(caller.id);
    expect(core.getUser('dave@sim.example')!.agent!.state).toBe('wrap-up');
    await new Promise<void>((resolve) =>
      core.on((e) => e.type === 'agent.state' && e.user.agent?.state === 'available' && resolve()),
    );
    expect(core.getUser('dave@sim.example')!.agent!.state).toBe('available');
  });

  it('applies forward-always, DND/busy and forward-no-answer (timer)', async () => {
    make({ ringDurationMs: 5 });
    core.setForwarding('bob@sim.example', 'always', { active: true, to: '1003' });
    const a = core.dial('alice@sim.example', '1002');
    expect(core.getLeg(a.id)!.remote).toMatchObject({ id: 'carol@sim.example' });
    expect(legOf('carol@sim.example').redirections).toEqual([
      expect.objectContaining({ reason: 'unconditional' }),
    ]);
    expect(events.map((e) => e.type)).toContain('leg.forwarded');
    core.release(a.id);

    core.setForwarding('bob@sim.example', 'always', { active: false });
    core.setDnd('erin@sim.example', true);
    const d = core.dial('alice@sim.example', '1005');
    expect(core.getLeg(d.id)).toMatchObject({ state: 'released', releaseCause: 'busy' });

    core.setForwarding('bob@sim.example', 'no-answer', { active: true, to: '1004', numberOfRings: 2 });
    const n = core.dial('alice@sim.example', '1002');
    expect(legOf('bob@sim.example').state).toBe('alerting');
    await new Promise<void>((resolve) => core.on((e) => e.type === 'leg.forwarded' && resolve()));
    expect(core.getLeg(n.id)!.remote).toMatchObject({ id: 'dave@sim.example' });
    expect(core.listLegs({ userId: 'bob@sim.example' })).toHaveLength(0);
  });

  it('validates DTMF and reports it only on active calls', () => {
    make();
    const a = core.dial('alice@sim.example', '1002');
    expect(() => core.dtmf(a.id, '12')).toThrowError(expect.objectContaining({ code: 'INVALID_STATE' }));
    core.answer(legOf('bob@sim.example').id);
    expect(() => core.dtmf(a.id, '12X')).toThrowError(expect.objectContaining({ code: 'INVALID_DTMF' }));
    core.dtmf(a.id, '12#');
    expect(events.at(-1)).toMatchObject({ type: 'leg.dtmf', digits: '12#' });
  });
});

describe('PBX core: application queue control', () => {
  const SALES = 'sales@sim.example';
  const queued = () => core.getQueue(SALES)!.entries.map((e) => e.callerLegId);

  it('promoteQueue moves a call ahead of less urgent ones, behind calls promoted before it', () => {
    make({ now: () => 1000 });
    const a = core.dial('+15550100', '2001');
    const b = core.dial('+15550101', '2001');
    const c = core.dial('+15550102', '2001');
    events = [];
    expect(core.promoteQueue(SALES, c.id, 1).entries.map((e) => e.callerLegId)).toEqual([c.id, a.id, b.id]);
    core.promoteQueue(SALES, b.id, 1);
    expect(queued()).toEqual([c.id, b.id, a.id]);
    core.promoteQueue(SALES, a.id, 0);
    expect(queued()).toEqual([a.id, c.id, b.id]);
    expect(core.getQueue(SALES)!.entries[0]).toMatchObject({ priority: 0, priorityTime: 1000, position: 1 });
    expect(core.getQueue(SALES)!.entries[0]!.reordered).toBeUndefined();
    core.reorderQueue(SALES, b.id, 1);
    expect(core.getQueue(SALES)!.entries[0]).toMatchObject({ callerLegId: b.id, reordered: true });
    expect(events).toEqual([]); // the front-end that asked reports it
    expect(() => core.promoteQueue(SALES, a.id, 4)).toThrow(PbxError);
    expect(() => core.promoteQueue(SALES, 'nope', 0)).toThrow(/not found/);
  });

  it('releaseQueued takes a call out without an abandon and releases the caller', () => {
    make();
    const a = core.dial('+15550100', '2001');
    const b = core.dial('+15550101', '2001');
    events = [];
    const gone = core.releaseQueued(SALES, a.id);
    expect(gone.state).toBe('released');
    expect(queued()).toEqual([b.id]);
    expect(events.map((e) => e.type)).toEqual(['queue.removed', 'leg.released']);
    expect(events[0]).toMatchObject({
      type: 'queue.removed',
      reason: 'released',
      entry: { callerLegId: a.id },
    });
    expect(() => core.releaseQueued(SALES, a.id)).toThrow(PbxError);
  });
});
