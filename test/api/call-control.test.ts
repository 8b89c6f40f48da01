/**
 * The unified call-control API's edges, through the real connector and the simulator: raw requests,
 * vendor errors with the vendor's own code, 501 naming the vendor (also for queue control and disposition
 * codes where the link's driver lacks them), 503 with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack, until } from '../support/stack.js';

let stack: LocalStack;
let admin: ReturnType<typeof api>;
const L = '/v1/links/sim-broadworks';

beforeAll(async () => {
  stack = await testStack({ simulator: true, connector: { reconcileMs: 100, subscriptionPollMs: 50 } });
  admin = api(stack, stack.adminKey);
  await until(
    () => admin.get(L),
    (r) => r.body.status === 'up',
  );
});
afterAll(async () => stack?.stop());

describe('call control', () => {
  it('lists the users of a link from its configured directory', async () => {
    const res = await admin.get(`${L}/users`);
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({
      id: 'alice@sim.example',
      extension: '1001',
      name: 'Alice Anders',
    });
  });

  it('passes a vendor-native request through /raw', async () => {
    await admin.post(`${L}/users/alice@sim.example/calls`, { to: '1002' });
    const res = await admin.post(`${L}/raw`, {
      method: 'GET',
      uri: '/com.broadsoft.xsi-actions/v2.0/user/alice@sim.example/calls',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe(200);
    expect(JSON.stringify(res.body.body)).toContain('callhalf-');
  });

  it("keeps the vendor's own error code and text in the problem", async () => {
    const bobCall = (
      await until(
        () => admin.get(`${L}/users/bob@sim.example/calls`),
        (r) => r.body.items?.length > 0,
      )
    ).body.items[0];
    expect(bobCall.state).toBe('alerting');
    const res = await admin.post(`${L}/users/bob@sim.example/calls/${bobCall.id}/hold`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toBe('urn:cti-bridge:problem:vendor-error');
    expect(res.body.vendor).toMatchObject({ name: 'broadworks-cti', code: '101001', status: 400 });
  });

  it('answers 501 naming the vendor for what the vendor cannot do', async () => {
    // A second link to the same PBX, but without a configured user list: BroadWorks CTI has no directory request.
    const created = await admin.post('/v1/links', {
      id: 'bw-nodir',
      vendor: 'broadworks-cti',
      endpoint: `tcp://127.0.0.1:${stack.simulator!.frontEnd('broadworks-cti').port}`,
      credentials: { username: 'bridge', password: 'bridge-secret' },
      options: { applicationId: 'second-app' },
    });
    expect(created.status).toBe(201);
    await until(
      () => admin.get('/v1/links/bw-nodir'),
      (r) => r.body.status === 'up',
    );
    const res = await admin.get('/v1/links/bw-nodir/users');
    expect(res.status).toBe(501);
    expect(res.body.vendor).toBe('broadworks-cti');
    expect(res.body.detail).toContain('broadworks-cti');
  });

  const queueAttempts = (link: string, user: string) => {
    const Q = `/v1/links/${link}/queues/sales/calls`;
    return [
      () => admin.get(Q),
      () => admin.post(`${Q}/c1/reorder`, { position: 1 }),
      () => admin.post(`${Q}/c1/promote`),
      () => admin.del(`${Q}/c1?to=1004`),
      () => admin.post(`/v1/links/${link}/users/${user}/calls/c1/disposition`, { code: 'SALE' }),
    ];
  };

  it('answers 501 naming the vendor for queue control and disposition codes a driver lacks', async () => {
    // avaya-mtcti3 has no queue control or disposition codes: its `default:` branch throws
    // NotSupportedError, which must reach the client as a 501 naming the link's vendor.
    const [link, vendor] = ['sim-mtcti3', 'avaya-mtcti3'];
    await until(
      () => admin.get(`/v1/links/${link}`),
      (r) => r.body.status === 'up',
    );
    for (const attempt of queueAttempts(link, 'alice')) {
      const res = await attempt();
      expect(res.status, `${link}: ${JSON.stringify(res.body)}`).toBe(501);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: 'urn:cti-bridge:problem:not-supported-by-vendor', vendor });
      expect(res.body.detail).toContain(vendor);
    }
  });

  it('takes queue control and disposition codes to BroadWorks CTI, which answers with its own codes', async () => {
    // `sales` is no call center's id (sales@sim.example is) and alice is no agent: BroadWorks refuses
    // (110203, 110202); test/scenarios/broadworks-cti-queues.test.ts runs them on a real queue.
    const codes: string[] = [];
    for (const attempt of queueAttempts('sim-broadworks', 'alice@sim.example')) {
      const res = await attempt();
      expect(res.status, JSON.stringify(res.body)).not.toBe(501);
      expect(res.body.type).toBe('urn:cti-bridge:problem:vendor-error');
      codes.push(res.body.vendor.code);
    }
    expect(codes).toEqual(['110203', '110203', '110203', '110203', '110202']);
  });

  it('answers 503 with Retry-After while the link is down', async () => {
    const created = await admin.post('/v1/links', {
      id: 'nowhere',
      vendor: 'broadworks-cti',
      endpoint: 'tcp://127.0.0.1:9',
      credentials: { username: 'x', password: 'y' },
    });
    expect(created.status).toBe(201);
    const status = await until(
      () => admin.get('/v1/links/nowhere'),
      (r) => r.body.status === 'down',
    );
    expect(status.body.lastError).toEqual(expect.any(String));
    const res = await admin.post('/v1/links/nowhere/users/alice/calls', { to: '1002' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.type).toBe('urn:cti-bridge:problem:link-unavailable');
  });

  it('validates call-control bodies before anything reaches the vendor', async () => {
    const bad = await admin.post(`${L}/users/alice@sim.example/calls/x/transfer`, { mode: 'blind' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('to');
    const dtmf = await admin.post(`${L}/users/alice@sim.example/calls/x/dtmf`, { digits: '12x' });
    expect(dtmf.status).toBe(400);
    const fwd = await admin.put(`${L}/users/bob@sim.example/forwarding/always`, { enabled: true });
    expect(fwd.status).toBe(400);
    expect(fwd.body.errors[0].field).toBe('to');
  });
});
