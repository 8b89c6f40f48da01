/**
 * A subscription is in force when `POST /v1/subscriptions` answers (issue: no cold start on the path):
 * the API has the link's owner apply it at once (`POST /v1/subscriptions/sync` on the connector), so the
 * driver watches the target and the delivery matches the next event against it. The stack runs with
 * the periodic passes at their defaults (1 s), so only the immediate sync can make these pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../shared/events/model.js';
import { receiver } from '../connector/delivery/helpers.js';
import { testStack, until } from '../support/stack.js';
import { scenarioEnv, type ScenarioEnv } from './harness.js';

const LINK = 'sim-broadworks';
let env: ScenarioEnv;

beforeAll(async () => {
  const stack = await testStack({ simulator: true, connector: {} });
  await until(
    async () => stack.connector!.runner('default', LINK)?.state,
    (s) => s === 'up',
    20_000,
  );
  env = scenarioEnv(stack, LINK);
}, 60_000);
afterAll(async () => env?.stop());

describe('subscriptions in force at 201', () => {
  it('the events of a call dialled right after the 201 are delivered, from the first', async () => {
    const rx = await receiver();
    try {
      const ch = await env.client.post('/v1/channels', { type: 'webhook', url: rx.url });
      expect(ch.status).toBe(201);
      const sub = await env.client.post('/v1/subscriptions', {
        channel: ch.body.id,
        link: LINK,
        target: { type: 'user', id: 'erin@sim.example' },
        events: ['call'],
      });
      expect(sub.status).toBe(201);
      expect(sub.body).toMatchObject({ state: 'active', stateReason: null });
      // the driver watches erin already
      const runner = env.stack.connector!.runner('default', LINK)!;
      expect(runner.watching().map((w) => w.target.id)).toContain('erin@sim.example');
      const dial = await env.client.post(`/v1/links/${LINK}/users/erin%40sim.example/calls`, { to: '1002' });
      expect(dial.status, JSON.stringify(dial.body)).toBe(201);
      await rx.waitFor(1);
      const first = rx.got[0]!.json as BridgeEvent;
      expect(first.type).toBe('call.originated');
      expect(first.target.id).toBe('erin@sim.example');
      await env.client.post(`/v1/links/${LINK}/users/erin%40sim.example/calls/${dial.body.callId}/release`);
    } finally {
      await rx.close();
    }
  });

  it('after a 204 for the delete, no event of the target is delivered', async () => {
    const rx = await receiver();
    try {
      const ch = await env.client.post('/v1/channels', { type: 'webhook', url: rx.url });
      const sub = await env.client.post('/v1/subscriptions', {
        channel: ch.body.id,
        link: LINK,
        target: { type: 'user', id: 'dave@sim.example' },
        events: ['call'],
      });
      expect(sub.status).toBe(201);
      expect((await env.client.del(`/v1/subscriptions/${sub.body.id}`)).status).toBe(204);
      // a second channel still subscribed proves the events were logged and delivered elsewhere
      const rx2 = await receiver();
      try {
        const ch2 = await env.client.post('/v1/channels', { type: 'webhook', url: rx2.url });
        const sub2 = await env.client.post('/v1/subscriptions', {
          channel: ch2.body.id,
          link: LINK,
          target: { type: 'user', id: 'dave@sim.example' },
          events: ['call'],
        });
        expect(sub2.status).toBe(201);
        const dial = await env.client.post(`/v1/links/${LINK}/users/dave%40sim.example/calls`, {
          to: '1002',
        });
        expect(dial.status).toBe(201);
        await rx2.waitFor(1);
        await env.client.post(`/v1/links/${LINK}/users/dave%40sim.example/calls/${dial.body.callId}/release`);
        await rx2.waitFor(2);
        expect(rx.got).toEqual([]);
      } finally {
        await rx2.close();
      }
    } finally {
      await rx.close();
    }
  });

  it('a subscription the vendor refuses is `failed` with its reason; one no connector applies is `pending`', async () => {
    const ch = await env.client.post('/v1/channels', { type: 'websocket' });
    const refused = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: LINK,
      target: { type: 'user', id: 'nobody@sim.example' },
      events: ['call'],
    });
    expect(refused.status).toBe(201);
    expect(refused.body.state).toBe('failed');
    expect(refused.body.stateReason).toEqual(expect.stringMatching(/\S/));
    const read = await env.client.get(`/v1/subscriptions/${refused.body.id}`);
    expect(read.body).toMatchObject({ state: 'failed', stateReason: refused.body.stateReason });

    const link = await env.client.post('/v1/links', {
      id: 'nowhere',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'u', password: 'p' },
    });
    expect(link.status).toBe(201);
    const pending = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: 'nowhere',
      target: { type: 'user', id: 'alice@sim.example' },
      events: ['call'],
    });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ state: 'pending', stateReason: null });
  });

  it('IP Office CTI (no vendor subscription to refuse): a user that is not an extension of the login is `failed`', async () => {
    const IPO = 'sim-ipo-cti';
    await until(
      async () => env.stack.connector!.runner('default', IPO)?.state,
      (s) => s === 'up',
      20_000,
    );
    const ch = await env.client.post('/v1/channels', { type: 'websocket' });
    const byName = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: IPO,
      target: { type: 'user', id: 'alice@sim.example' },
      events: ['call'],
    });
    expect(byName.status).toBe(201);
    expect(byName.body.state).toBe('failed');
    expect(byName.body.stateReason).toMatch(/no extension "alice@sim\.example".*by extension \(1001/);
    const byExtension = await env.client.post('/v1/subscriptions', {
      channel: ch.body.id,
      link: IPO,
      target: { type: 'user', id: '1001' },
      events: ['call'],
    });
    expect(byExtension.status).toBe(201);
    expect(byExtension.body).toMatchObject({ state: 'active', stateReason: null });
  });
});
