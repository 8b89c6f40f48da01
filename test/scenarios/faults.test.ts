/**
 * Fault tests through real sockets and DynamoDB Local: the PBX drops the CTI socket mid-call, and the
 * connector that owns a link dies.
 */
import type { BroadWorksCtiFrontEnd } from '../../vendors/broadworks-cti/simulator/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnector, type Connector } from '../../connector/connector.js';
import { defaultDrivers } from '../../vendors/load.js';
import type { LocalStack } from '../../local/stack.js';
import { testStack, until } from '../support/stack.js';
import { callsOf, EventTap, scenarioEnv, subscribe } from './harness.js';

const LINK = 'sim-broadworks';
let stack: LocalStack | undefined;
let extra: Connector | undefined;
afterEach(async () => {
  await extra?.stop();
  extra = undefined;
  await stack?.stop();
  stack = undefined;
});

describe('faults', () => {
  it('socket dropped mid-call: link.down, reconnect, resubscribe, resync to the true call state', async () => {
    stack = await testStack({
      simulator: true,
      connector: { subscriptionPollMs: 50, reconcileMs: 200, backoff: { baseMs: 50, maxMs: 200 } },
    });
    const e = scenarioEnv(stack, LINK);
    const tap = new EventTap(e);
    await subscribe(
      e,
      [
        { type: 'user', id: 'alice@sim.example' },
        { type: 'user', id: 'bob@sim.example' },
      ],
      ['call'],
    );
    const calls = (u: string) => `/v1/links/${LINK}/users/${u}/calls`;

    const dial = await e.client.post(calls('alice@sim.example'), { to: '1002' });
    expect(dial.status).toBe(201);
    const corr = dial.body.correlationId as string;
    await tap.until((evs) => callsOf(evs, corr).some((x) => x.type === 'call.received'), 'bob rings');
    const bobLeg = (await e.client.get(calls('bob@sim.example'))).body.items[0].id;
    expect((await e.client.post(`${calls('bob@sim.example')}/${bobLeg}/answer`)).status).toBe(204);
    await tap.until(
      (evs) => callsOf(evs, corr).filter((x) => x.type === 'call.answered').length === 2,
      'answered',
    );

    // The PBX goes away; while it is gone, the call ends on the PBX side.
    await e.sim.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.stopListener();
    e.sim.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.dropConnections();
    await tap.until((evs) => evs.some((x) => x.type === 'link.down'), 'link.down');
    expect((await e.client.get(`/v1/links/${LINK}`)).body.status).toBe('down');
    const down = await e.client.post(`${calls('alice@sim.example')}/${dial.body.callId}/hold`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    e.sim.core.release(bobLeg);
    await e.sim.frontEnd<BroadWorksCtiFrontEnd>('broadworks-cti').frontEnd.restartListener();

    await tap.until(
      (evs) => evs.some((x) => x.type === 'link.up' && (x.data as { resynced?: boolean }).resynced),
      'link.up',
    );
    await tap.until(
      (evs) => callsOf(evs, corr).filter((x) => x.type === 'call.released').length === 2,
      'stale legs released',
    );
    const released = callsOf(tap.events, corr).filter((x) => x.type === 'call.released');
    expect(released.map((x) => x.target.id).sort()).toEqual(['alice@sim.example', 'bob@sim.example']);
    for (const r of released)
      expect((r.data as { call: { releaseCause?: string } }).call.releaseCause).toBe('resync');
    expect((await e.client.get(`/v1/links/${LINK}`)).body.status).toBe('up');
    expect((await e.client.get(calls('alice@sim.example'))).body.items).toEqual([]);

    // Subscriptions were re-created: a new call after the reconnect is seen.
    const again = await e.client.post(calls('alice@sim.example'), { to: '1002' });
    expect(again.status).toBe(201);
    await tap.until(
      (evs) => callsOf(evs, again.body.correlationId).some((x) => x.type === 'call.received'),
      'seen after resubscribe',
    );

    // The log has link.down then link.up, in seq order, with the resync releases after link.up.
    const log = (await e.client.get(`/v1/events?link=${LINK}&limit=500`)).body.items as {
      type: string;
      seq: number;
    }[];
    const seqOf = (t: string) => log.find((x) => x.type === t)!.seq;
    expect(seqOf('link.down')).toBeLessThan(log.filter((x) => x.type === 'link.up').at(-1)!.seq);
    expect(log.map((x) => x.seq)).toEqual([...log.map((x) => x.seq)].sort((a, b) => a - b));
  }, 60_000);

  it('connector killed: a second connector takes the lease within 2 × lease time and continues', async () => {
    // Long enough for a loaded 2-core machine to renew in time (the full suite runs two files at once):
    // with 1 s, a renewal late by a moment let the second take the link at its start (a CI run on Node 24).
    const leaseMs = 3_000;
    const st = (stack = await testStack({
      simulator: true,
      connector: { id: 'first', leaseMs, reconcileMs: 100, subscriptionPollMs: 50 },
    }));
    const e = scenarioEnv(stack, LINK);
    await subscribe(e, [{ type: 'user', id: 'alice@sim.example' }], ['call']);
    // the first owns the link (a renewal late on a loaded machine may let the lease lapse for a moment;
    // the first, alone, takes it again)
    await until(
      () => st.deps.repos.leases.get('default', LINK, Date.now()),
      (l) => l?.owner === 'first',
    );

    extra = await startConnector({
      deps: stack.deps,
      drivers: await defaultDrivers(),
      commandToken: stack.deps.config.connectorToken!,
      id: 'second',
      leaseMs,
      reconcileMs: 100,
      subscriptionPollMs: 50,
    });
    expect(extra.runner('default', LINK)).toBeUndefined(); // the first still owns it

    const killedAt = Date.now();
    await stack.connector!.kill(); // no lease release: the second must wait for expiry
    for (;;) {
      if (extra.runner('default', LINK)?.state === 'up') break;
      expect(Date.now() - killedAt, 'takeover time').toBeLessThanOrEqual(2 * leaseMs);
      await new Promise((r) => setTimeout(r, 20));
    }
    const lease = await stack.deps.repos.leases.get('default', LINK, Date.now());
    expect(lease?.owner).toBe('second');
    expect(lease?.endpoint).toBe(extra.commandUrl);

    // It continues: commands go to the new owner through the lease, and its events reach the log.
    const logged: string[] = [];
    extra.log.listen((ev) => void logged.push(ev.type));
    const deadline = Date.now() + 5_000;
    while (!extra.runner('default', LINK)!.watching().length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const dial = await e.client.post(`/v1/links/${LINK}/users/alice@sim.example/calls`, { to: '1002' });
    expect(dial.status, JSON.stringify(dial.body)).toBe(201);
    while (!logged.includes('call.originated') && Date.now() < deadline + 5_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(logged).toContain('call.originated');
  }, 60_000);
});
