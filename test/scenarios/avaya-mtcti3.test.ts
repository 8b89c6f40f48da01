/**
 * The shared scenario suite against an Avaya IP Office MTCTI-3 link (`sim-mtcti3`) on the same simulator
 * core. Differences from the BroadWorks reference are listed here with their reason and documented in
 * docs/protocols/avaya-mtcti3.md ("Differences from BroadWorks").
 */
import { testStack } from '../support/stack.js';
import { scenarioEnv } from './harness.js';
import { runScenarioSuite } from './suite.js';

runScenarioSuite({
  vendor: 'avaya-mtcti3',
  // the vendor-native user id is the IP Office user name (seed `alice@sim.example` → `alice`)
  user: (n) => n,
  // IP Office sends nothing more on a subscription until its last numbered Notify is acknowledged, and the
  // connector acknowledges once the Notify's events are logged: each subscription (a user's, a queue's)
  // waits for its own acknowledgements, so the protocol defines no order across them. Carol's ringing call
  // and the queue's `call.added` come in either order, depending on which subscription still waits when
  // the call is placed. Each target's own order is kept, and asserted.
  perTargetOrder: 'one unacknowledged Notify per subscription: no order across a user and a queue',
  expectations: {
    acd: [
      'carol agent.state available',
      'carol call.received alerting',
      'sales queue.call.added',
      'sales queue.call.offered',
      'sales queue.call.answered',
      'carol call.answered active',
      'carol call.released released',
    ],
  },
  skip: {
    // MTCTI-3 has no agent states: an agent is a hunt group member whose membership is enabled or
    // disabled (UpdateQueue addmember). `available`/`sign-in` enable it and `sign-out` disables it; there
    // is no `unavailable` or `wrap-up` to set, so this scenario's six-state walk cannot run.
    'agent-states': 'no agent states, only hunt group membership on/off',
  },
  async start() {
    const stack = await testStack({
      simulator: true,
      connector: { subscriptionPollMs: 50, reconcileMs: 200 },
    });
    return scenarioEnv(stack, 'sim-mtcti3');
  },
});
