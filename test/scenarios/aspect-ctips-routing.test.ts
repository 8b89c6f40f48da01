/**
 * Route select and route timeout through the whole stack, on the local `sim-aspect` link: a caller dials
 * the simulator's route point (3001), CTIPS sends RouteRequest, the bridge logs `route.request` with
 * the call and its deadline; the route comes from the API (`POST /v1/links/{link}/routes/{call}/select`)
 * or from a routing webhook's answer, and `route.used` / `route.defaulted` / `route.rejected` report
 * the outcome. A route answered after the deadline is defaulted, never sent late.
 */
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeEvent, Call } from '../../shared/events/model.js';
import { receiver } from '../connector/delivery/helpers.js';
import { until } from '../support/stack.js';
import { aspectStack, ASPECT_LINK } from './aspect-ctips-support.js';
import { EventTap, lastSeq, subscribe, type ScenarioEnv } from './harness.js';

const ROUTE_POINT = '3001';
const DEADLINE_MS = 3000;

let env: ScenarioEnv;
let tap: EventTap;
/** What the routing webhook answers next (default: 204, no route). */
let answer: (res: ServerResponse, event: BridgeEvent) => Promise<void> | void = (res) => {
  res.writeHead(204).end();
};
let rx: Awaited<ReturnType<typeof receiver>>;
let secret: string;
let channel: string;

const select = (call: string, body: unknown) =>
  env.client.post(`/v1/links/${ASPECT_LINK}/routes/${call}/select`, body);

beforeAll(async () => {
  env = await aspectStack();
  // a short route deadline for the tests (the default waits up to 8 s, less than CTIPS's RouteTimeout)
  const patched = await env.client.patch(`/v1/links/${ASPECT_LINK}`, {
    options: { routeDeadlineMs: DEADLINE_MS },
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  await env.stack.connector!.reconcile();
  await until(
    async () => env.stack.connector!.runner('default', ASPECT_LINK),
    (r) => r?.state === 'up' && r.link.options.routeDeadlineMs === DEADLINE_MS,
    20_000,
  );
  const carol = `/v1/links/${ASPECT_LINK}/agents/1003/state`;
  expect((await env.client.put(carol, { state: 'available' })).status).toBe(200);
  tap = new EventTap(env);
  rx = await receiver((r, res) => answer(res, r.json as BridgeEvent));
  const ch = await env.client.post('/v1/channels', { type: 'webhook', url: rx.url, routing: true });
  expect(ch.status, JSON.stringify(ch.body)).toBe(201);
  expect(ch.body.routing).toBe(true);
  secret = ch.body.secret;
  channel = ch.body.id;
  const sub = await env.client.post('/v1/subscriptions', {
    channel,
    link: ASPECT_LINK,
    target: { type: 'routePoint', id: ROUTE_POINT },
    events: ['route'],
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  await subscribe(env, [{ type: 'user', id: '1003' }], ['call']);
}, 60_000);
afterAll(async () => {
  await rx?.close();
  await env?.stop();
});

/** A caller dials the route point; resolves with this call's `route.request` once logged. */
async function routeRequest(): Promise<BridgeEvent<'route.request'>> {
  const since = lastSeq(tap);
  env.sim.core.dial('+15550177', ROUTE_POINT);
  let found: BridgeEvent | undefined;
  await tap.until(
    (evs) => !!(found = evs.find((e) => e.seq > since && e.type === 'route.request')),
    'route.request',
  );
  return found as BridgeEvent<'route.request'>;
}

/** The route outcome event of a call, once logged. */
async function outcomeOf(call: string): Promise<BridgeEvent<'route.used'>> {
  let found: BridgeEvent | undefined;
  const isOutcome = (e: BridgeEvent) =>
    e.type.startsWith('route.') &&
    e.type !== 'route.request' &&
    (e.data as { call: { id: string } }).call.id === call;
  await tap.until((evs) => !!(found = evs.find(isOutcome)), `route outcome of call ${call}`);
  return found as BridgeEvent<'route.used'>;
}

/** The route outcome event types logged for a call so far, in order. */
const outcomeTypes = (call: string) =>
  tap.events
    .filter(
      (e) =>
        e.type.startsWith('route.') &&
        e.type !== 'route.request' &&
        (e.data as { call: { id: string } }).call.id === call,
    )
    .map((e) => e.type);

/** Carol's leg of a call reaches her phone; she hangs up, and the call is over. Returns her leg as it rang. */
async function carolRingsAndHangsUp(correlationId: string): Promise<Call> {
  let leg: BridgeEvent | undefined;
  await tap.until(
    (evs) =>
      !!(leg = evs.find(
        (e) =>
          e.type === 'call.received' &&
          e.target.id === '1003' &&
          (e.data as { call: { correlationId: string } }).call.correlationId === correlationId,
      )),
    'carol rings',
  );
  const call = (leg!.data as { call: Call }).call;
  expect(call.via).toEqual({ type: 'routePoint', id: ROUTE_POINT });
  const data = await env.client.get(`/v1/links/${ASPECT_LINK}/users/1003/calls/${call.id}/data`);
  expect(data.status, JSON.stringify(data.body)).toBe(200);
  expect(data.body.userData).toEqual(call.userData ?? {});
  const set = await env.client.put(`/v1/links/${ASPECT_LINK}/users/1003/calls/${call.id}/data`, {
    userData: { '1': 'served', '3': 'gold' },
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  const back = await env.client.get(`/v1/links/${ASPECT_LINK}/users/1003/calls/${call.id}/data`);
  expect(back.body.userData).toEqual({ '1': 'served', '2': '', '3': 'gold' });
  const res = await env.client.post(`/v1/links/${ASPECT_LINK}/users/1003/calls/${call.id}/release`);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  await tap.until(
    (evs) =>
      evs.some(
        (e) =>
          e.type === 'call.released' &&
          e.target.id === '1003' &&
          (e.data as { call: { correlationId: string } }).call.correlationId === correlationId,
      ),
    'carol released',
  );
  return call;
}

/** The routing note of the delivery of an event to the routing channel, once settled. */
async function routingNote(eventId: string): Promise<string | undefined> {
  const found = await until(
    async () => {
      const res = await env.client.get(`/v1/channels/${channel}/deliveries?limit=100`);
      return (res.body.items as { eventId: string; status: string; attempts: { routing?: string }[] }[]).find(
        (d) => d.eventId === eventId && d.status !== 'pending',
      );
    },
    (d) => d !== undefined,
    10_000,
  );
  return found!.attempts.at(-1)?.routing;
}

describe('aspect-ctips routing through the stack', () => {
  it('route select through the API: route.request with a deadline, 200 once RouteUsed, the agent rings via the route point', async () => {
    const req = await routeRequest();
    expect(req.target).toEqual({ type: 'routePoint', id: ROUTE_POINT });
    expect(req.data.call.remote.address).toBe('+15550177');
    const deadline = Date.parse(req.data.deadline!);
    expect(deadline).toBeGreaterThan(Date.parse(req.time));
    expect(deadline - Date.parse(req.time)).toBeLessThanOrEqual(DEADLINE_MS + 200);

    const res = await select(req.data.call.id, { type: 'agent', destination: '1003' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ outcome: 'used', route: { type: 'agent', destination: '1003' } });
    const used = await outcomeOf(req.data.call.id);
    expect(used.type).toBe('route.used');
    expect(used.data).toMatchObject({ route: { type: 'agent', destination: '1003' }, by: 'api' });
    await carolRingsAndHangsUp(req.data.call.correlationId);

    // answered once: a second select is refused, naming why
    const again = await select(req.data.call.id, { type: 'agent', destination: '1003' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('bad input is a 400 naming the field; an unknown call is 409', async () => {
    const bad = await select('77', { type: 'agent' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('destination');
    const unknownType = await select('77', { type: 'teleport', destination: '1' });
    expect(unknownType.status).toBe(400);
    const none = await select('77', { type: 'service', destination: '2001' });
    expect(none.status).toBe(409);
  });

  it('webhook routing: the 2xx answer of a route.request delivery carries the route; it is sent at once', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ route: { type: 'agent', destination: 'carol', userData: { '1': 'VIP' } } }));
    };
    const before = rx.got.length;
    const req = await routeRequest();
    const used = await outcomeOf(req.data.call.id);
    expect(used.type).toBe('route.used');
    expect(used.data).toMatchObject({ route: { type: 'agent', destination: 'carol' }, by: 'webhook' });
    // well before the deadline: the webhook's answer, not the timeout
    expect(Date.parse(used.time)).toBeLessThan(Date.parse(req.data.deadline!));
    const delivered = rx.got.slice(before).find((r) => (r.json as BridgeEvent).id === req.id)!;
    expect(
      new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>),
    ).toMatchObject({
      type: 'route.request',
    });
    expect(await routingNote(req.id)).toBe('routed');
    const leg = await carolRingsAndHangsUp(req.data.call.correlationId);
    // the route's call data reaches the agent's screen pop, and the call data API reads it back
    expect(leg.userData).toEqual({ '1': 'VIP' });
  });

  it('a bad webhook answer leaves the call to default routing at the deadline, recorded on the delivery', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ route: { type: 'agent' } }));
    };
    const req = await routeRequest();
    const outcome = await outcomeOf(req.data.call.id);
    expect(outcome.type).toBe('route.defaulted');
    expect(outcome.data).toMatchObject({ route: { type: 'default' }, by: 'timeout' });
    expect(await routingNote(req.id)).toMatch(/^default routing: bad route \(route\.destination: /);
  });

  it('route timeout: nobody answers; route.defaulted at the deadline, and a late API select is 409, never sent', async () => {
    answer = (res) => void res.writeHead(204).end();
    const req = await routeRequest();
    const outcome = await outcomeOf(req.data.call.id);
    expect(outcome.type).toBe('route.defaulted');
    expect(outcome.data).toMatchObject({ by: 'timeout' });
    expect(Date.parse(outcome.time)).toBeGreaterThanOrEqual(Date.parse(req.data.deadline!) - 50);
    const late = await select(req.data.call.id, { type: 'agent', destination: '1003' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/defaulted at its deadline|no route request is pending/);
    expect(outcomeTypes(req.data.call.id)).toEqual(['route.defaulted']);
  });

  it('a webhook answering after the deadline is recorded as late; the route is not sent', async () => {
    answer = async (res, event) => {
      const deadline = Date.parse((event.data as { deadline: string }).deadline);
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 100));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ route: { type: 'agent', destination: '1003' } }));
    };
    const req = await routeRequest();
    const outcome = await outcomeOf(req.data.call.id);
    expect(outcome.type).toBe('route.defaulted');
    expect(await routingNote(req.id)).toMatch(/^default routing: the answer came after the deadline/);
    expect(outcomeTypes(req.data.call.id)).toEqual(['route.defaulted']);
  });

  it('a route the vendor rejects is 422 naming its reason, and the request stays open for another', async () => {
    answer = (res) => void res.writeHead(204).end();
    const req = await routeRequest();
    const rejected = await select(req.data.call.id, { type: 'service', destination: '9999' });
    expect(rejected.status).toBe(422);
    expect(rejected.body.vendor).toMatchObject({ name: 'aspect-ctips' });
    const ok = await select(req.data.call.id, { type: 'agent', destination: '1003' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    await tap.until(
      (evs) =>
        evs.some(
          (e) => e.type === 'route.used' && (e.data as { call: { id: string } }).call.id === req.data.call.id,
        ),
      'route.used',
    );
    expect(outcomeTypes(req.data.call.id)).toEqual(['route.rejected', 'route.used']);
    await carolRingsAndHangsUp(req.data.call.correlationId);
  });
});

describe('routing and call data on vendors without them', () => {
  it.each(['sim-broadworks', 'sim-mtcti3', 'sim-cap', 'sim-ipo-cti'])(
    '%s answers 501 naming its vendor',
    async (link) => {
      await until(
        async () => env.stack.connector!.runner('default', link)?.state,
        (s) => s === 'up',
        20_000,
      );
      const vendor = (await env.client.get(`/v1/links/${link}`)).body.vendor;
      for (const res of [
        ...(link === 'sim-broadworks'
          ? [] // BroadWorks CTI routes at its route points (below)
          : [await env.client.post(`/v1/links/${link}/routes/77/select`, { type: 'default' })]),
        await env.client.get(`/v1/links/${link}/users/1001/calls/77/data`),
        await env.client.put(`/v1/links/${link}/users/1001/calls/77/data`, { userData: { '1': 'x' } }),
      ]) {
        expect(res.status, JSON.stringify(res.body)).toBe(501);
        expect(res.body.vendor).toBe(vendor);
      }
    },
  );
});

describe('broadworks-cti route points', () => {
  it('a call at the route point is route.request; the route select distributes it to the agent (Route Point Distribute Call)', async () => {
    const bw = { ...env, link: 'sim-broadworks' };
    const bwTap = new EventTap(bw);
    await subscribe(
      bw,
      [
        { type: 'routePoint', id: 'route@sim.example' },
        { type: 'user', id: 'carol@sim.example' },
      ],
      ['route', 'call'],
    );
    // the Aspect link sees the same call at its route point; it must not route it first
    await env.client.patch(`/v1/links/${ASPECT_LINK}`, { options: { routeDeadlineMs: 60_000 } });
    env.sim.core.dial('+15550188', ROUTE_POINT);
    let req: BridgeEvent | undefined;
    await bwTap.until(
      (evs) => !!(req = evs.find((e) => e.type === 'route.request')),
      'broadworks route.request',
    );
    const call = (req!.data as { call: { id: string; correlationId: string } }).call;
    const late = await env.client.post(`/v1/links/sim-broadworks/routes/${call.id}/select`, {
      type: 'default',
    });
    expect(late.status).toBe(400);
    const res = await env.client.post(`/v1/links/sim-broadworks/routes/${call.id}/select`, {
      type: 'agent',
      destination: 'carol@sim.example',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await bwTap.until(
      (evs) => evs.some((e) => e.type === 'call.received' && e.target.id === 'carol@sim.example'),
      'carol rings',
    );
    const again = await env.client.post(`/v1/links/sim-broadworks/routes/${call.id}/select`, {
      type: 'agent',
      destination: 'carol@sim.example',
    });
    expect(again.status).toBe(409);
  });
});
