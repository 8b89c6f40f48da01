/** What the CAP scenario tests share: waiting for the sessions the local stack keeps on `sim-cap`. */
import type { ScenarioEnv } from './harness.js';
import { until } from '../support/stack.js';

/** Waits until every session the local stack keeps on the scenario's link is active (at least `min`). */
export async function sessionsActive(env: ScenarioEnv, min = 6): Promise<void> {
  await until(
    async () =>
      (await env.client.get('/v1/sessions?limit=100')).body.items as { link: string; state: string }[],
    (items) => {
      const mine = items.filter((s) => s.link === env.link);
      return mine.length >= min && mine.every((s) => s.state === 'active');
    },
    20_000,
  );
}
