/**
 * `cti-bridge trigger <scenario>`: a named call scenario on the bundled PBX simulator, through its
 * control API (the phones and the outside world), printing each step. The bridge sees the calls as it
 * would see a real PBX's; `cti-bridge listen` in another terminal shows their events.
 */

interface Leg {
  id: string;
  userId?: string;
  state: string;
  correlationId: string;
}

type Step = (sim: Sim) => Promise<void>;

/** The simulator's control API. */
class Sim {
  constructor(private readonly url: string) {}

  async req<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  dial = (from: string, to: string) => this.req<Leg>('POST', '/calls', { from, to });
  calls = () => this.req<Leg[]>('GET', '/calls');
  act = (leg: string, action: string, body?: unknown) =>
    this.req<Leg>('POST', `/calls/${encodeURIComponent(leg)}/${action}`, body ?? {});
  agentState = (user: string, state: string) =>
    this.req('PUT', `/users/${encodeURIComponent(user)}/agent-state`, { state });

  /** The leg of `user` in the call of `correlationId` (or any live one), once it exists. */
  async legOf(user: string, correlationId?: string): Promise<Leg> {
    for (let i = 0; i < 100; i++) {
      const leg = (await this.calls()).find(
        (l) =>
          l.userId === user &&
          l.state !== 'released' &&
          (!correlationId || l.correlationId === correlationId),
      );
      if (leg) return leg;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no call of ${user} on the simulator`);
  }
}

const pause = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const EXTERNAL = '+15559876543';

const say = (s: string) => console.log(`  ${s}`);

/** An outside caller rings alice (1001), who answers: the caller's leg and alice's. */
async function aliceAnswersCaller(sim: Sim): Promise<{ caller: Leg; alice: Leg }> {
  say(`${EXTERNAL} dials alice (1001); alice answers`);
  const caller = await sim.dial(EXTERNAL, '1001');
  const alice = await sim.legOf('alice@sim.example', caller.correlationId);
  await sim.act(alice.id, 'answer');
  await pause();
  return { caller, alice };
}

/** Alice holds her call and calls bob (1002), who answers: alice's consultation leg and bob's. */
async function aliceConsultsBob(sim: Sim, alice: Leg): Promise<{ consult: Leg; bob: Leg }> {
  say('alice puts the caller on hold and calls bob (1002); bob answers');
  await sim.act(alice.id, 'hold');
  const consult = await sim.dial('alice@sim.example', '1002');
  const bob = await sim.legOf('bob@sim.example', consult.correlationId);
  await sim.act(bob.id, 'answer');
  await pause();
  return { consult, bob };
}

/** The scenarios: each step printed, with pauses so that a listener sees them come one by one. */
export const SCENARIOS: Record<string, { summary: string; run: Step }> = {
  'inbound-call': {
    summary: 'an outside caller rings alice; alice answers; they talk; the caller hangs up',
    async run(sim) {
      say(`${EXTERNAL} dials alice (1001)`);
      const caller = await sim.dial(EXTERNAL, '1001');
      const alice = await sim.legOf('alice@sim.example', caller.correlationId);
      await pause();
      say('alice answers');
      await sim.act(alice.id, 'answer');
      await pause(800);
      say('the caller hangs up');
      await sim.act(caller.id, 'release');
    },
  },
  'missed-call': {
    summary: 'an outside caller rings bob, who does not answer; the caller gives up',
    async run(sim) {
      say(`${EXTERNAL} dials bob (1002)`);
      const caller = await sim.dial(EXTERNAL, '1002');
      await pause(1200);
      say('the caller gives up before bob answers');
      await sim.act(caller.id, 'release');
    },
  },
  'queue-call': {
    summary: 'carol signs in; an outside caller calls the sales queue (2001); carol gets and answers it',
    async run(sim) {
      say('carol signs in and is available');
      await sim.agentState('carol@sim.example', 'sign-in').catch(() => undefined);
      await sim.agentState('carol@sim.example', 'available');
      await pause();
      say(`${EXTERNAL} calls the sales queue (2001)`);
      const caller = await sim.dial(EXTERNAL, '2001');
      const carol = await sim.legOf('carol@sim.example', caller.correlationId);
      await pause();
      say('carol answers');
      await sim.act(carol.id, 'answer');
      await pause(800);
      say('carol hangs up');
      await sim.act(carol.id, 'release');
    },
  },
  'blind-transfer': {
    summary: 'alice answers an outside call and transfers it to bob, who answers',
    async run(sim) {
      const { caller, alice } = await aliceAnswersCaller(sim);
      say('alice transfers the call to bob (1002)');
      await sim.act(alice.id, 'transfer', { to: '1002' });
      const bob = await sim.legOf('bob@sim.example');
      await pause();
      say('bob answers');
      await sim.act(bob.id, 'answer');
      await pause(800);
      say('the caller hangs up');
      await sim.act(caller.id, 'release');
    },
  },
  'consult-transfer': {
    summary: 'alice answers an outside call, holds it, calls bob, then joins the caller and bob',
    async run(sim) {
      const { alice } = await aliceAnswersCaller(sim);
      const { consult, bob } = await aliceConsultsBob(sim, alice);
      say('alice transfers: the caller and bob are connected');
      await sim.act(alice.id, 'consult-transfer', { withCall: consult.id });
      await pause(800);
      say('bob hangs up');
      await sim.act(bob.id, 'release');
    },
  },
  conference: {
    summary: 'alice answers an outside call, calls bob, and makes it a three-way conference',
    async run(sim) {
      const { caller, alice } = await aliceAnswersCaller(sim);
      const { consult, bob } = await aliceConsultsBob(sim, alice);
      say('alice starts the conference');
      await sim.act(alice.id, 'conference', { withCall: consult.id });
      await pause(800);
      say('everyone hangs up');
      for (const leg of [caller.id, bob.id, alice.id]) await sim.act(leg, 'release').catch(() => undefined);
    },
  },
};

export async function trigger(simulatorUrl: string, name: string): Promise<void> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  console.log(`${name}: ${scenario.summary}`);
  await scenario.run(new Sim(simulatorUrl.replace(/\/+$/, '')));
  console.log('done');
}
