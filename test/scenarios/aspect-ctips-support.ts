/**
 * What the Aspect CTIPS scenario files share: the local stack's `sim-aspect` link, up, with carol
 * signed in at her station, and the seed names' extensions (CTIPS addresses stations by extension).
 */
import { expect } from 'vitest';
import { DEFAULT_DIRECTORY } from '../../simulator/directory.js';
import { testStack, until } from '../support/stack.js';
import { scenarioEnv, type ScenarioEnv } from './harness.js';

export const ASPECT_LINK = 'sim-aspect';

/** Seed name (alice, ..., sales) → extension. */
const EXT: Record<string, string> = Object.fromEntries(
  [...DEFAULT_DIRECTORY.users, ...DEFAULT_DIRECTORY.queues].map((u) => [
    u.userId.split('@')[0]!,
    u.extension,
  ]),
);
export const ext = (n: string) => {
  const e = EXT[n];
  if (!e) throw new Error(`no extension for ${n}`);
  return e;
};

/** The local stack's `sim-aspect`, up, with carol signed in at her station (dave signs in in a scenario). */
export async function aspectStack(): Promise<ScenarioEnv> {
  const stack = await testStack({
    simulator: true,
    connector: { subscriptionPollMs: 50, reconcileMs: 200, sessionReconcileMs: 200 },
  });
  await until(
    async () => stack.connector!.runner('default', ASPECT_LINK)?.state,
    (s) => s === 'up',
    20_000,
  );
  const env = scenarioEnv(stack, ASPECT_LINK);
  const res = await env.client.put(`/v1/links/${ASPECT_LINK}/agents/${ext('carol')}/state`, {
    state: 'sign-in',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return env;
}
