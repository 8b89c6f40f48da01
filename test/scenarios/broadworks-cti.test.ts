import { testStack } from '../support/stack.js';
import { scenarioEnv } from './harness.js';
import { runScenarioSuite } from './suite.js';

runScenarioSuite({
  vendor: 'broadworks-cti',
  user: (n) => `${n}@sim.example`,
  async start() {
    const stack = await testStack({
      simulator: { frontEnds: { 'broadworks-cti': { eventResponseTimeoutMs: 2000 } } },
      connector: { subscriptionPollMs: 50, reconcileMs: 200 },
    });
    return scenarioEnv(stack, 'sim-broadworks');
  },
});
