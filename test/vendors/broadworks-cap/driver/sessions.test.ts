/**
 * CAP-C per-user sessions against the simulator's CAP front-end over real sockets: the link's own
 * connection, login and its refusals, the acknowledgement, logout, forced logouts and the Attendant
 * Console. Test names carry the rule numbers of the digest's §11 (docs/protocols/broadworks-cap.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CapSessions } from '../../../../vendors/broadworks-cap/driver/index.js';
import { LinkUnavailableError, SessionRefusedError } from '../../../../vendors/driver-kit/seam.js';
import { ALICE, BOB, CAROL, QUEUE, SimBed, callIdOf, waitFor, watchUsers } from './helpers.js';

let bed: SimBed;
afterEach(async () => bed.stop());

describe('broadworks-cap CAP-C link and login', () => {
  it('rule 15: connect() opens the link connection and asks infoRequest; sessions exist only in CAP-C', async () => {
    bed = await new SimBed().start({ capVersions: ['17.0', '16.0'] });
    const h = bed.harness();
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    expect(h.driver.pool.versions).toEqual(['17.0', '16.0']);
    expect(h.driver.sessions).toBeDefined();
    expect(bed.fe.snapshot().connections).toMatchObject([{ mode: 'cap-c', state: 'awaitingAuthentication' }]);
  });

  it('fails connect() when nothing listens (the connector backs off)', async () => {
    bed = await new SimBed().start();
    await bed.fe.fault('POST', 'stop', {});
    const h = bed.harness({ connectTimeoutMs: 1000 });
    await expect(h.driver.connect()).rejects.toThrow(/failed|closed/);
    expect(h.driver.state).toBe('down');
  });

  it('rule 2, rule 5, rule 6, rule 9: login runs authentication, registration and the acknowledgement, sending `id` and never the uid', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    expect(bed.registered(ALICE)).toBe(1);
    const [auth] = bed.received('registerAuthentication');
    expect(auth?.user).toEqual({ userType: 'CallClient', id: ALICE, applicationId: 'bridge-test' });
    const [req] = bed.received('registerRequest');
    expect(req?.securePassword).toMatch(/^[0-9a-f]{32}$/);
    const [ack] = bed.received('acknowledgement');
    expect(ack).toMatchObject({ messageName: 'registerResponse', failed: false, user: { id: ALICE } });
    expect(ack?.user.userUid).toBeUndefined();
  });

  it('rule 6: the initial updates are in when login resolves: an existing call is known and mapped', async () => {
    bed = await new SimBed().start();
    const leg = bed.core.dial(BOB, '1001');
    const h = bed.harness();
    await h.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    await h.login(ALICE);
    const calls = await h.driver.execute({ kind: 'listCalls', user: ALICE });
    expect(calls.calls.map((c) => c.id)).toEqual([bed.legOf(ALICE)!.id]);
    expect(calls.calls[0]).toMatchObject({ state: 'alerting', direction: 'inbound' });
    expect(leg.id).not.toBe(calls.calls[0]!.id);
  });

  it('rule 4, rule 5: IncorrectPassword refuses the session with the cause, and the refused registerResponse is acknowledged too', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    const err = await h.login(ALICE, {}, 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
    expect((err as SessionRefusedError).reason).toBe('IncorrectPassword');
    await waitFor(() => bed.received('acknowledgement').length === 1, 'the acknowledgement');
    expect(bed.registered(ALICE)).toBe(0);
    await expect(h.driver.execute({ kind: 'listCalls', user: ALICE })).rejects.toMatchObject({ status: 409 });
  });

  it('rule 3: UnknownID (responseAuthentication failure) refuses the session; no registerRequest follows', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    const err = await h.login('nobody@sim.example').catch((e: unknown) => e);
    expect((err as SessionRefusedError).reason).toBe('UnknownID');
    expect(bed.received('registerRequest')).toEqual([]);
  });

  it('rule 4: an Unauthorized cause refuses the session; a connectivity cause leaves it for a retry (LinkUnavailableError)', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await bed.fe.fault('POST', 'login-failure', { cause: 'UnauthorizedClientCallControl', user: ALICE });
    await expect(h.login(ALICE)).rejects.toMatchObject({ reason: 'UnauthorizedClientCallControl' });
    await bed.fe.fault('POST', 'login-failure', { cause: 'WASConnectivityError', user: ALICE });
    await expect(h.login(ALICE)).rejects.toBeInstanceOf(LinkUnavailableError);
    await h.login(ALICE);
    expect(bed.registered(ALICE)).toBe(1);
  });

  it('refuses a login while the link is not up', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await expect(h.login(ALICE)).rejects.toBeInstanceOf(LinkUnavailableError);
  });

  it('rule 11, rule 9: logout sends unRegister ClientLogout naming the user by id and closes the dialog', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    await h.driver.sessions!.logout(ALICE, `s-${ALICE}`);
    const [un] = await waitFor(() => {
      const got = bed.received('unRegister');
      return got.length ? got : undefined;
    }, 'unRegister');
    expect(un).toMatchObject({ reason: 'ClientLogout', user: { userType: 'CallClient', id: ALICE } });
    expect(un?.user.userUid).toBeUndefined();
    await waitFor(() => bed.fe.snapshot().connections.length === 1, 'the dialog closed');
    await expect(h.driver.execute({ kind: 'listCalls', user: ALICE })).rejects.toMatchObject({ status: 409 });
    await h.driver.sessions!.logout(ALICE, `s-${ALICE}`); // already out: no error
  });

  it('rule 12: ForceLogoutD (the user logged in elsewhere) ends the session without a re-login', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    const other = bed.harness({ applicationId: 'other-app' });
    await h.driver.connect();
    await other.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    await h.login(ALICE);
    await other.login(ALICE);
    await h.until(() => h.ended.length > 0, 'onSessionEnded');
    expect(h.ended).toEqual([
      {
        user: ALICE,
        state: 'ended',
        reason: 'ForceLogoutD',
        detail: 'the user logged in again on another terminal',
        vendorEvent: 'unRegister',
      },
    ]);
    expect(bed.received('registerAuthentication')).toHaveLength(2);
    await expect(h.driver.execute({ kind: 'listCalls', user: ALICE })).rejects.toMatchObject({ status: 409 });
  });

  it('rule 13: ForceLogoutC makes the driver run the whole login again, with no session end and no link.down', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    expect(await bed.fe.fault('POST', 'force-logout-c', { user: ALICE })).toMatchObject({ loggedOut: 1 });
    await waitFor(() => bed.received('registerAuthentication').length === 2, 'registerAuthentication again');
    await waitFor(
      () => bed.received('acknowledgement').length === 2 && bed.registered(ALICE) === 1,
      're-login',
    );
    // The simulator counts alice registered once it sent the answer; the driver, once it read it.
    const sessions = h.driver.sessions as CapSessions;
    await waitFor(() => {
      try {
        return sessions.dialogOf(ALICE).registered;
      } catch (err) {
        if (err instanceof LinkUnavailableError) return false; // 503 while it logs in again
        throw err;
      }
    }, 'the driver registered again');
    expect(h.ended).toEqual([]);
    expect(h.downs).toEqual([]);
    expect((await h.driver.execute({ kind: 'listCalls', user: ALICE })).calls).toEqual([]);
  });

  it('re-login after ForceLogoutC releases the calls that vanished while the user was out (resync)', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    await h.login(ALICE);
    const legA = bed.core.dial(ALICE, '1002');
    bed.core.answer(bed.legOf(BOB)!.id);
    await h.event('call.answered', (e) => callIdOf(e) === legA.id);
    // the user is logged out first (the fault runs before the driver reads anything), so the release
    // is never reported on a dialog: only the re-login's initial updates (numCalls 0) tell
    await bed.fe.fault('POST', 'force-logout-c', { user: ALICE });
    bed.core.release(legA.id);
    await h.event('call.released', (e) => callIdOf(e) === legA.id);
    const released = h.events.find((e) => e.type === 'call.released')!;
    expect((released.data as { call: { releaseCause?: string } }).call.releaseCause).toBe('resync');
  });

  it('a re-login refused for a transient cause is tried again; one refused for the user itself ends the session as failed', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    await h.login(BOB);
    // Alice: the first re-login meets an OCS that cannot reach the AS, the second one gets through
    await bed.fe.fault('POST', 'login-failure', { cause: 'NetworkServerConnectivityFailure', user: ALICE });
    await bed.fe.fault('POST', 'force-logout-c', { user: ALICE });
    await waitFor(
      () => bed.received('registerAuthentication', (m) => m.user.id === ALICE).length === 3,
      'a second re-login',
    );
    await waitFor(() => bed.registered(ALICE) === 1, 'alice registered again');
    // Bob: his password changed meanwhile
    await bed.fe.fault('POST', 'login-failure', { cause: 'IncorrectPassword', user: BOB });
    await bed.fe.fault('POST', 'force-logout-c', { user: BOB });
    await h.until(() => h.ended.length === 1, 'onSessionEnded');
    expect(h.ended).toEqual([{ user: BOB, state: 'failed', reason: 'IncorrectPassword' }]);
    await expect(h.driver.execute({ kind: 'listCalls', user: BOB })).rejects.toMatchObject({ status: 409 });
    expect(h.downs).toEqual([]);
  });

  it('a dropped user socket is handled for that user alone: re-login, no link.down', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    await h.login(BOB);
    (h.driver.sessions as CapSessions).dialogOf(ALICE).connection!.fail('test drops the socket');
    await waitFor(
      () => bed.received('registerAuthentication', (m) => m.user.id === ALICE).length === 2,
      're-login',
    );
    await waitFor(() => bed.registered(ALICE) === 1, 'alice registered again');
    expect(bed.registered(BOB)).toBe(1);
    expect(h.downs).toEqual([]);
    expect(h.ended).toEqual([]);
  });

  it('rule 7, rule 27: an Attendant Console login waits for the monitored users and adds the `monitor` list', async () => {
    bed = await new SimBed().start({ monitors: { [ALICE]: [BOB] }, privateUsers: [CAROL] });
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE, { userType: 'AttendantConsole', monitor: [CAROL, 'dave@sim.example'] });
    const [req] = bed.received('monitoringUsersRequest');
    expect(req).toMatchObject({
      monType: 'Add',
      monUsers: [CAROL, 'dave@sim.example'],
      user: { userType: 'AttendantConsole', id: ALICE },
    });
    expect(bed.registered(ALICE)).toBe(1);
  });

  it('rule 24: a call-centre queue logs in like a user (its initial queueProfileUpdate completes the login)', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    const started = Date.now();
    await h.login(QUEUE);
    expect(Date.now() - started).toBeLessThan(1500); // not the 2 s wait for a sessionUpdate
    expect(bed.registered(QUEUE)).toBe(1);
  });
});
