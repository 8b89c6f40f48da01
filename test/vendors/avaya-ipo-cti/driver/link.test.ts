/**
 * The application-user link against a scripted one-X peer over real sockets: login, the session
 * header, the WebSocket taken from the login response, its keepalive, the link's loss, the resync, HA
 * and the IP Office failover. Test names carry the rule numbers of the digest's §9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionRefusedError, LinkUnavailableError } from '../../../../vendors/driver-kit/seam.js';
import { Bed, PW, watchUsers } from './helpers.js';
import {
  callInformation,
  delivered,
  errorDoc,
  failoverOutOfService,
  frame,
  haSwitchFrame,
  logoutFrame,
  phoneLogoffOutOfService,
  queued,
} from './peer.js';

let bed: Bed;
afterEach(async () => bed.stop());

describe('avaya-ipo-cti application link', () => {
  it('rule 1, rule 3: connect() logs in once, subscribes the event categories and opens the WebSocket the response names', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint, { applicationName: 'bridge-test' });
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    const [login] = peer.to('session');
    expect(login?.method).toBe('POST');
    expect(login?.body).toContain('<userName>ctiapp</userName>');
    expect(login?.body).toContain('<applicationName>bridge-test</applicationName>');
    expect(login?.body).toMatch(/httpMethod="WEBSOCKET"/);
    expect(login?.body).toContain('<eventTypes>CallControlFeaturesEvents</eventTypes>');
    expect(login?.body).toContain('<eventTypes>LogoutEvents</eventTypes>');
    expect(login?.headers['clientsessionid']).toBeUndefined();
    // the socket is on another port than the REST server: only the response's URL reaches it
    const session = peer.session()!;
    expect(session.sockets).toHaveLength(1);
    expect(peer.wsPort).not.toBe(peer.port);
    // the devices of the response are the link's users
    const users = await h.driver.execute({ kind: 'listUsers' });
    expect(users.users).toEqual([
      { id: '1001', extension: '1001', name: 'John Doe' },
      { id: '1002', extension: '1002', name: 'Ann Smith' },
    ]);
  });

  it('rule 4, rule 5: every later request carries ClientSessionId; close() logs out with DELETE', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    const id = peer.session()!.id;
    await h.driver.execute({ kind: 'raw', request: { method: 'GET', path: '/inyama/service/snapshot' } });
    await h.driver.close();
    const later = peer.requests.slice(1);
    expect(later.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /inyama/service/snapshot',
      'DELETE /inyama/service/session',
    ]);
    for (const r of later) expect(r.headers['clientsessionid']).toBe(id);
    expect(peer.sessions[0]!.loggedOut).toBe(true);
  });

  it('rule 2: bad credentials (401) fail connect() with the vendor code; 503 is retryable', async () => {
    bed = new Bed();
    const peer = await bed.peer({ password: PW });
    const h = bed.harness(peer.endpoint, {}, { username: 'ctiapp', password: 'wrong' });
    const err = await h.driver.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
    expect((err as SessionRefusedError).reason).toBe('INVALID_CREDENTIALS');
    expect(h.driver.state).toBe('down');
    peer.loginReplies.push({
      status: 503,
      headers: { 'retry-after': '5' },
      body: errorDoc('SYSTEM_STARTUP_IN_PROGRESS', 'x', 'starting', false),
    });
    const h2 = bed.harness(peer.endpoint);
    await expect(h2.driver.connect()).rejects.toBeInstanceOf(LinkUnavailableError);
  });

  it('an application link without credentials, and answers beyond maxFrameBytes, fail connect()', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const bare = bed.harness(peer.endpoint, {}, { username: '', password: '' });
    await expect(bare.driver.connect()).rejects.toThrow(/needs credentials/);
    peer.loginReplies.push({
      status: 200,
      body: `<userLoginResponse>${'x'.repeat(4096)}</userLoginResponse>`,
    });
    const h = bed.harness(peer.endpoint, { maxFrameBytes: 1024 });
    await expect(h.driver.connect()).rejects.toThrow(/exceeds 1024/);
    expect(h.driver.state).toBe('down');
  });

  it('rule 10: the WebSocket keepalive carries clientName/clientVersion and sends a text every wsKeepaliveMs', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint, {
      wsKeepaliveMs: 100,
      applicationName: 'bridge',
      applicationVersion: '2.5',
    });
    await h.driver.connect();
    const session = peer.session()!;
    expect(session.upgrades[0]!.get('clientName')).toBe('bridge');
    expect(session.upgrades[0]!.get('clientVersion')).toBe('2.5');
    await peer.until(() => session.texts.length >= 3, 'three keepalives');
    const gaps = session.texts.slice(1).map((t, i) => t.at - session.texts[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(80);
  });

  it('rule 7, rule 9: the application session sends the REST heartbeat as its liveness probe; a failed one is the link down', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint, { heartbeatIntervalMs: 1000 });
    await h.driver.connect();
    const id = peer.session()!.id;
    await peer.until(() => peer.to('session/heartbeat').length >= 1, 'a heartbeat', 3000);
    const beat = peer.to('session/heartbeat')[0]!;
    expect(beat.headers['clientsessionid']).toBe(id);
    expect(beat.at - peer.to('session')[0]!.at).toBeGreaterThanOrEqual(950);
    expect(h.downs).toEqual([]);
    peer.replies.set('session/heartbeat', { status: 500 });
    await h.until(() => h.downs.length === 1, 'onDown', 3000);
    expect(h.downs[0]).toMatch(/heartbeat answered 500/);
  });

  it('rule 10: without wsKeepaliveMs the WebSocket URL is used as given (no parameters, no texts)', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint, { wsKeepaliveMs: 0 });
    await h.driver.connect();
    expect([...peer.session()!.upgrades[0]!.keys()]).toEqual([]);
  });

  it('rule 13: application frames wrap each event in Event@device; several per frame are all mapped', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    await h.driver.watch(watchUsers(['1001', '1002']));
    peer.send(
      frame([
        { device: '1002', xml: delivered('leg-b', '1002', '1001') },
        { device: '1001', xml: delivered('leg-a', '1002', '1001') },
      ]),
    );
    await h.event('call.received', (e) => e.target.id === '1002');
    await h.event('call.originated', (e) => e.target.id === '1001');
    const calls = await h.driver.execute({ kind: 'listCalls', user: '1002' });
    expect(calls.calls.map((c) => c.id)).toEqual(['leg-b']);
  });

  it('garbage: text without XML, DOCTYPE, binary and unmappable frames are counted and never fatal', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    await h.driver.watch(watchUsers(['1002']));
    peer.send('not xml at all');
    peer.send('<!DOCTYPE x [<!ENTITY a "b">]><Events/>');
    peer.session()!.sockets[0]!.send(Buffer.from([1, 2, 3]));
    peer.send(frame([{ device: '1002', xml: '<ns2:DeliveredEvent/>' }]));
    peer.send(frame([{ device: '1002', xml: delivered('leg-b', '1002', '1001') }]));
    await h.event('call.received');
    expect(h.garbage.map((g) => g.kind)).toEqual(['unparseable', 'unparseable', 'binary', 'unmappable']);
    expect(h.downs).toEqual([]);
    expect(h.driver.state).toBe('up');
  });

  it('a dropped WebSocket is the link down (onDown); reconnecting logs in again and resync releases the calls the snapshot no longer reports (rule 21)', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    await h.driver.watch(watchUsers(['1001', '1002']));
    peer.send(
      frame([
        { device: '1002', xml: delivered('gone', '1002', '1001') },
        { device: '1002', xml: delivered('kept', '1002', '1003') },
      ]),
    );
    await h.until(() => h.events.filter((e) => e.type === 'call.received').length === 2, 'two calls');
    peer.drop();
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.driver.state).toBe('down');
    await expect(h.driver.execute({ kind: 'listCalls', user: '1002' })).rejects.toBeInstanceOf(
      LinkUnavailableError,
    );
    peer.snapshotFrames = () => [frame([{ device: '1002', xml: callInformation('kept', '1002', '1003') }])];
    await h.driver.connect();
    expect(peer.sessions).toHaveLength(2);
    await h.driver.resync();
    const snap = peer.to('snapshot')[0]!;
    expect(snap.method).toBe('GET');
    expect(snap.headers['clientsessionid']).toBe(peer.sessions[1]!.id);
    const released = await h.event('call.released', (e) => e.target.id === '1002');
    expect((released.data as { call: { id: string } }).call.id).toBe('gone');
    const calls = await h.driver.execute({ kind: 'listCalls', user: '1002' });
    expect(calls.calls.map((c) => c.id)).toEqual(['kept']);
  });

  it('a reconnect empties the hunt-group queues: a call queued before it (its leaving unseen) is not offered from there', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    await h.driver.watch([
      ...watchUsers(['1001']),
      { target: { type: 'queue', id: '2001' }, families: ['queue'] },
    ]);
    peer.send(frame([{ device: '2001', xml: queued('q1', '2001', '+15550100') }]));
    await h.event('queue.call.added');
    peer.drop();
    await h.until(() => h.downs.length === 1, 'onDown');
    await h.driver.connect();
    peer.send(frame([{ device: '1001', xml: delivered('leg-a', '1001', '+15550100') }]));
    const received = await h.event('call.received');
    expect(h.events.map((e) => e.type)).toEqual(['queue.call.added', 'call.received']);
    expect((received.data as { call: { via?: unknown } }).call.via).toBeUndefined();
  });

  it('rule 4: a 401 on a request means the session is gone: the command is 503 and the link re-logs in through the connector', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    peer.sessions[0]!.loggedOut = true; // the server forgot the session
    await expect(
      h.driver.execute({ kind: 'raw', request: { method: 'GET', path: '/inyama/service/snapshot' } }),
    ).rejects.toBeInstanceOf(LinkUnavailableError);
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.downs[0]).toMatch(/401/);
  });

  it('rule 6: a logoutEvent on the application login is the link down', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    peer.send(logoutFrame());
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.downs[0]).toMatch(/LOGIN_DIFFERENT_LOCATION/);
  });

  it('rule 28: an IP Office failover OutOfServiceEvent (numberUnallocated, monitor-ID form) is the link down; a phone logoff is not', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = bed.harness(peer.endpoint);
    await h.driver.connect();
    peer.send(frame([{ device: '1001', xml: phoneLogoffOutOfService('1001') }]));
    peer.send(frame([{ xml: failoverOutOfService('1001') }]));
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.downs[0]).toMatch(/failover/);
    expect(h.downs).toHaveLength(1);
  });
});

describe('avaya-ipo-cti HA (resilient one-X servers)', () => {
  /** Primary on 127.0.0.1 and secondary on 127.0.0.2, same port, both naming the pair. */
  async function pair() {
    bed = new Bed();
    const ha = { primaryServer: '127.0.0.1', secondaryServer: '127.0.0.2' };
    const primary = await bed.peer({ host: '127.0.0.1', ha });
    const secondary = await bed.peer({ host: '127.0.0.2', port: primary.port, ha });
    return { primary, secondary };
  }

  it('rule 27: the primary fails → connect() alternates to the secondary after failoverDelayMs; SERVICE_REDIRECTED → back to the primary', async () => {
    const { primary, secondary } = await pair();
    const h = bed.harness(primary.endpoint, { failoverDelayMs: 50 });
    await h.driver.connect();
    expect(h.driver.servers.configuration).toEqual({
      primaryServer: '127.0.0.1',
      secondaryServer: '127.0.0.2',
    });
    primary.drop();
    await h.until(() => h.downs.length === 1, 'onDown');
    await h.driver.connect();
    expect(secondary.sessions).toHaveLength(1);
    expect(h.driver.servers.current).toBe(`http://127.0.0.2:${primary.port}`);
    // the secondary fails too: the next connect() tries the primary (refusing for now), then the secondary again
    secondary.drop();
    await h.until(() => h.downs.length === 2, 'second onDown');
    primary.loginReplies.push({ status: 503, headers: { 'retry-after': '5' } });
    await h.driver.connect();
    const refused = primary.to('session').at(-1)!;
    const accepted = secondary.to('session').at(-1)!;
    expect(accepted.at - refused.at).toBeGreaterThanOrEqual(45);
    expect(secondary.sessions).toHaveLength(2);
    // the primary is back: the secondary answers every request SERVICE_REDIRECTED
    secondary.replies.set('snapshot', {
      status: 400,
      body: errorDoc('SERVICE_REDIRECTED', 'x', 'primary active'),
    });
    await expect(
      h.driver.execute({ kind: 'raw', request: { method: 'GET', path: '/inyama/service/snapshot' } }),
    ).rejects.toBeInstanceOf(LinkUnavailableError);
    await h.until(() => h.downs.length === 3, 'third onDown');
    await h.driver.connect();
    expect(primary.sessions).toHaveLength(2);
    expect(primary.session()!.sockets).toHaveLength(1);
  });

  it('rule 27: an HASwitchEvent{primaryServerActive=true} on the secondary moves the link to the primary', async () => {
    const { primary, secondary } = await pair();
    const h = bed.harness(`http://127.0.0.2:${primary.port}`);
    await h.driver.connect();
    expect(secondary.sessions).toHaveLength(1);
    secondary.send(haSwitchFrame('127.0.0.1', secondary.session()!.id));
    await h.until(() => h.downs.length === 1, 'onDown');
    await h.driver.connect();
    expect(primary.sessions).toHaveLength(1);
    expect(secondary.sessions[0]!.loggedOut).toBe(true);
  });
});
