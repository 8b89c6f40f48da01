/**
 * Device-user links against a scripted one-X peer over real sockets: the reachability probe, per-user
 * logins with their own session id, WebSocket and REST heartbeat, refusals, the logoutEvent, and the
 * re-login after a dropped WebSocket. Test names carry the rule numbers of the digest's §9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LinkUnavailableError, SessionRefusedError } from '../../../../vendors/driver-kit/seam.js';
import { Bed, PW, watchUsers } from './helpers.js';
import { callInformation, delivered, errorDoc, frame, haSwitchFrame } from './peer.js';

let bed: Bed;
afterEach(async () => bed.stop());

const DEVICE = { user: 'device', heartbeatIntervalMs: 60_000 };

describe('avaya-ipo-cti device-user sessions', () => {
  it('connect() only checks the server answers (no login); each user logs in with its own session id and WebSocket (rule 1)', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device', extensions: { jdoe: '1001', asmith: '1002' } });
    const h = bed.harness(peer.endpoint, DEVICE, { username: '', password: '' });
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    expect(peer.to('session')).toEqual([]);
    expect(peer.to('session/heartbeat')).toHaveLength(1); // the probe, without a session header
    expect(peer.to('session/heartbeat')[0]!.headers['clientsessionid']).toBeUndefined();
    await h.login('jdoe');
    await h.login('asmith');
    expect(peer.to('session').map((r) => /<userName>(.*)<\/userName>/.exec(r.body)?.[1])).toEqual([
      'jdoe',
      'asmith',
    ]);
    const [a, b] = peer.sessions;
    expect(a!.id).not.toBe(b!.id);
    expect(a!.sockets).toHaveLength(1);
    expect(b!.sockets).toHaveLength(1);
    // requests of a user go with that user's session id
    await h.driver.execute({
      kind: 'raw',
      request: { method: 'GET', path: '/inyama/service/snapshot', user: 'asmith' },
    });
    expect(peer.to('snapshot').at(-1)!.headers['clientsessionid']).toBe(b!.id);
  });

  it('the session option userName is the login name; events of the extension reach the session user target', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device', extensions: { Extn201: '201' } });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    await h.driver.watch(watchUsers(['alice']));
    await h.login('alice', PW, { userName: 'Extn201' });
    expect(peer.to('session')[0]!.body).toContain('<userName>Extn201</userName>');
    peer.send(frame([{ xml: delivered('c1', '201', '202') }]));
    const ev = await h.event('call.received');
    expect(ev.target).toEqual({ type: 'user', id: 'alice' });
    const calls = await h.driver.execute({ kind: 'listCalls', user: 'alice' });
    expect(calls.calls.map((c) => c.id)).toEqual(['c1']);
  });

  it('rule 2: 401 refuses the login (SessionRefusedError with the vendor code); 503 Retry-After is LinkUnavailableError so the connector retries', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device' });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    peer.loginReplies.push({ status: 401, body: errorDoc('INVALID_CREDENTIALS', 'userName', 'bad', false) });
    const refused = await h.login('jdoe').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionRefusedError);
    expect((refused as SessionRefusedError).reason).toBe('INVALID_CREDENTIALS');
    peer.loginReplies.push({ status: 401 });
    expect(((await h.login('jdoe').catch((e: unknown) => e)) as SessionRefusedError).reason).toBe(
      'INVALID_CREDENTIALS',
    );
    peer.loginReplies.push({
      status: 503,
      headers: { 'retry-after': '5' },
      body: errorDoc('SYSTEM_STARTUP_IN_PROGRESS', 'x', 'starting', false),
    });
    const unavailable = await h.login('jdoe').catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(LinkUnavailableError);
    expect((unavailable as Error).message).toMatch(/503 SYSTEM_STARTUP_IN_PROGRESS \(Retry-After 5\)/);
    peer.loginReplies.push({
      status: 200,
      body: '<userLoginResponse><loginFailureCode>LICENSE_NOT_AVAILABLE</loginFailureCode></userLoginResponse>',
    });
    expect(((await h.login('jdoe').catch((e: unknown) => e)) as SessionRefusedError).reason).toBe(
      'LICENSE_NOT_AVAILABLE',
    );
    await expect(h.driver.execute({ kind: 'listCalls', user: 'jdoe' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('rule 7, rule 8: a device user sends the REST heartbeat every heartbeatIntervalMs with its session header', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device' });
    const h = bed.harness(peer.endpoint, { ...DEVICE, heartbeatIntervalMs: 1000 });
    await h.driver.connect();
    await h.login('jdoe');
    const id = peer.session()!.id;
    const beats = () => peer.to('session/heartbeat').filter((r) => r.headers['clientsessionid'] === id);
    await peer.until(() => beats().length >= 2, 'two heartbeats', 4000);
    const [first, second] = beats();
    const loggedIn = peer.to('session')[0]!.at;
    expect(first!.at - loggedIn).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeLessThan(1500);
  });

  it('rule 6: a logoutEvent (LOGIN_DIFFERENT_LOCATION) ends that session via onSessionEnded; the other users stay', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device', extensions: { jdoe: '1001', asmith: '1002' } });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    await h.login('jdoe');
    await h.login('asmith');
    // the same user logs in again from this client elsewhere: the peer sends the older session a logoutEvent
    const other = bed.harness(peer.endpoint, DEVICE);
    await other.driver.connect();
    await other.login('jdoe');
    await h.until(() => h.ended.length === 1, 'onSessionEnded');
    expect(h.ended[0]).toMatchObject({
      user: 'jdoe',
      state: 'ended',
      reason: 'LOGIN_DIFFERENT_LOCATION',
      vendorEvent: 'logoutEvent',
    });
    await expect(h.driver.execute({ kind: 'listCalls', user: 'jdoe' })).rejects.toMatchObject({
      status: 409,
    });
    await expect(h.driver.execute({ kind: 'listCalls', user: 'asmith' })).resolves.toEqual({ calls: [] });
    expect(h.downs).toEqual([]);
  });

  it('a dropped WebSocket logs that user in again (new session id) and snapshots its calls, releasing the vanished ones', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device', extensions: { jdoe: '1001' } });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    await h.driver.watch(watchUsers(['jdoe']));
    await h.login('jdoe');
    peer.send(
      frame([{ xml: delivered('gone', '1001', '1002') }, { xml: delivered('kept', '1001', '1003') }]),
    );
    await h.until(() => h.events.filter((e) => e.type === 'call.received').length === 2, 'two calls');
    peer.snapshotFrames = () => [frame([{ xml: callInformation('kept', '1001', '1003') }])];
    const first = peer.session()!;
    peer.drop(first);
    const released = await h.event('call.released');
    expect((released.data as { call: { id: string } }).call.id).toBe('gone');
    const second = peer.session('jdoe')!;
    expect(second.id).not.toBe(first.id);
    expect(peer.to('snapshot').at(-1)!.headers['clientsessionid']).toBe(second.id);
    expect(h.downs).toEqual([]);
    expect(h.ended).toEqual([]);
  });

  it('a re-login the server refuses for the user ends the session as failed', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device' });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    await h.login('jdoe');
    peer.loginReplies.push({ status: 401 });
    peer.drop();
    await h.until(() => h.ended.length === 1, 'onSessionEnded');
    expect(h.ended[0]).toMatchObject({ user: 'jdoe', state: 'failed', reason: 'INVALID_CREDENTIALS' });
  });

  it('a re-login that cannot reach the server is the link down (the connector reconnects and logs in again)', async () => {
    bed = new Bed();
    const peer = await bed.peer({ kind: 'device' });
    const h = bed.harness(peer.endpoint, DEVICE);
    await h.driver.connect();
    await h.login('jdoe');
    peer.loginReplies.push({ status: 503, headers: { 'retry-after': '5' } });
    peer.drop();
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.downs[0]).toMatch(/re-login of jdoe/);
    await expect(h.login('jdoe')).rejects.toBeInstanceOf(LinkUnavailableError);
  });

  it('rule 27: an HASwitchEvent on a user session moves the link to the primary', async () => {
    bed = new Bed();
    const ha = { primaryServer: '127.0.0.1', secondaryServer: '127.0.0.2' };
    const primary = await bed.peer({ kind: 'device', host: '127.0.0.1', ha });
    const secondary = await bed.peer({ kind: 'device', host: '127.0.0.2', port: primary.port, ha });
    const h = bed.harness(`http://127.0.0.2:${primary.port}`, DEVICE);
    await h.driver.connect();
    await h.login('jdoe');
    secondary.send(haSwitchFrame('127.0.0.1'));
    await h.until(() => h.downs.length === 1, 'onDown');
    await h.driver.connect();
    await h.login('jdoe');
    expect(primary.sessions).toHaveLength(1);
  });
});
