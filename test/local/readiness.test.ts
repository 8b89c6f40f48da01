/**
 * `GET /v1/health` tells whether the local stack is ready: asked while the stack still starts (its
 * gateway is up, the simulator's links and the connector not yet), it answers a 503 problem with
 * `Retry-After`; once `startStack` returned, 200. Start-up reports each step.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { testStack } from '../support/stack.js';

let stack: LocalStack | undefined;
afterAll(async () => stack?.stop());

describe('local stack readiness', () => {
  it('health is 503 while starting, 200 once ready; each step is reported', async () => {
    const steps: string[] = [];
    let early: Promise<Response> | undefined;
    stack = await testStack({
      simulator: { only: ['broadworks-cti'] },
      connector: {},
      progress: (step) => {
        steps.push(step);
        // the gateway listens from here on, but the simulator and the connector are not started yet
        const url = /^API listening on (\S+)/.exec(step)?.[1];
        if (url) early = fetch(`${url}/v1/health`);
      },
    });
    expect(early).toBeDefined();
    const before = await early!;
    expect(before.status).toBe(503);
    expect(before.headers.get('content-type')).toBe('application/problem+json');
    expect(before.headers.get('retry-after')).toBe('1');
    const after = await fetch(`${stack.httpUrl}/v1/health`);
    expect(after.status).toBe(200);
    expect(steps).toEqual([
      'starting the API gateway emulation',
      expect.stringMatching(/^API listening on http:\/\/127\.0\.0\.1:\d+ /),
      'creating the table',
      'starting the PBX simulator and its links',
      'starting the connector (vendor sessions and delivery)',
    ]);
  }, 60_000);
});
