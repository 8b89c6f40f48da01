/**
 * The CAP link over real sockets: dropped connections (link down, reconnect, re-login, resync),
 * keepalive and silence, vendor garbage, TLS. The simulator's CAP front-end where it can play the
 * server; a scripted peer (peer.ts) where the server must be silent, broken or on TLS.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, SimBed, callIdOf, waitFor, watchUsers } from './helpers.js';
import { CapPeer } from './peer.js';
import type { CapMessage } from '../../../../vendors/broadworks-cap/wire/index.js';

const cert = readFileSync(new URL('../../../fixtures/tls/cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('../../../fixtures/tls/key.pem', import.meta.url), 'utf8');

let bed: SimBed;
let peer: CapPeer | undefined;
afterEach(async () => {
  await bed.stop();
  await peer?.stop();
  peer = undefined;
});

const callUpdate = (id: string, callId: string, state: number): CapMessage => ({
  type: 'callUpdate',
  user: { id, userType: 'CallClient', userUid: '7', applicationId: '' },
  calls: [
    { callId, extTrackingId: `x-${callId}`, state, personality: 2, releaseCause: 0, remoteNumber: '1002' },
  ],
});

describe('broadworks-cap link', () => {
  it('socket dropped mid-call: onDown, then reconnect + re-login releases the call that ended meanwhile and keeps the live one', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    await h.login(ALICE);
    const gone = bed.core.dial(ALICE, '1002');
    bed.core.answer(bed.legOf(BOB)!.id);
    bed.core.dial(CAROL, '1001');
    await h.event('call.answered', (e) => callIdOf(e) === gone.id);
    const ringing = callIdOf(await h.event('call.received'))!;

    await bed.fe.fault('POST', 'drop-connections', {});
    await h.until(() => h.downs.length === 1, 'onDown');
    expect(h.driver.state).toBe('down');
    await expect(h.driver.execute({ kind: 'listCalls', user: ALICE })).rejects.toMatchObject({
      name: 'LinkUnavailableError',
    });
    bed.core.release(gone.id); // while the link is down

    // what the connector does: connect, watch, resync, then its SessionManager logs the sessions in again
    await h.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    await h.driver.resync();
    await h.login(ALICE);
    const released = await h.event('call.released', (e) => callIdOf(e) === gone.id);
    expect((released.data as { call: { releaseCause?: string } }).call.releaseCause).toBe('resync');
    expect(h.events.some((e) => e.type === 'call.released' && callIdOf(e) === ringing)).toBe(false);
    const { calls } = await h.driver.execute({ kind: 'listCalls', user: ALICE });
    expect(calls.map((c) => c.id)).toEqual([ringing]);
    expect(h.downs).toHaveLength(1);
  });

  it('rule 14: the driver sends its own serverStatusRequest every keepaliveIntervalMs on every connection', async () => {
    bed = await new SimBed().start();
    const h = bed.harness({ keepaliveIntervalMs: 40 });
    await h.driver.connect();
    await h.login(ALICE);
    const link = h.driver.pool.all[0]!;
    await waitFor(
      () => link.stats.pingsSent >= 2 && bed.received('serverStatusRequest').length >= 4,
      'pings',
    );
    // the plain form: no user, so no applicationId needed (L2597)
    expect(bed.received('serverStatusRequest').every((m) => m.user === undefined)).toBe(true);
  });

  it('rule 14: the server pings are read and never answered', async () => {
    bed = await new SimBed().start();
    const h = bed.harness({ mode: 'ccc2', connections: 1 });
    await h.driver.connect();
    const conn = h.driver.pool.all[0]!;
    for (let i = 0; i < 3; i++) await bed.fe.fault('POST', 'ping', {});
    await waitFor(() => conn.stats.pingsReceived === 3, 'three server pings read');
    // a barrier on the same connection: whatever the driver sent before it has arrived by then
    await h.driver.execute({
      kind: 'raw',
      request: {
        xml: '<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="infoRequest"><commandData><capVersionRequest/></commandData></command></BroadsoftDocument>',
      },
    });
    await waitFor(() => bed.received('infoRequest').length === 2, 'the barrier');
    expect(bed.fe.received.map((m) => m.type)).toEqual(['infoRequest', 'infoRequest']);
    expect(h.downs).toEqual([]);
  });

  it('a connection silent for silenceTimeoutMs is dead: probed with infoRequest at half, then dropped → onDown', async () => {
    bed = await new SimBed().start();
    peer = await new CapPeer({ answerInfo: false }).start();
    const h = bed.harness(
      { mode: 'ccc2', connections: 1, silenceTimeoutMs: 400, requestTimeoutMs: 100 },
      `tcp://127.0.0.1:${peer.port}`,
    );
    await h.driver.connect(); // no infoResponse: tolerated
    await h.until(() => h.downs.length === 1, 'onDown after silence', 3000);
    expect(h.downs[0]).toMatch(/no traffic for \d+ ms/);
    expect(peer.received.filter((m) => m.type === 'infoRequest')).toHaveLength(2); // connect + probe
    expect(h.driver.state).toBe('down');
  });

  it('traffic keeps a connection alive: a server that answers the probe is not dropped', async () => {
    bed = await new SimBed().start();
    peer = await new CapPeer().start();
    const h = bed.harness(
      // probes every 300 ms; an answer has 300 ms more before the connection would count as dead
      { mode: 'ccc2', connections: 1, silenceTimeoutMs: 600 },
      `tcp://127.0.0.1:${peer.port}`,
    );
    await h.driver.connect();
    await waitFor(
      () => peer!.received.filter((m) => m.type === 'infoRequest').length >= 4,
      'several probes answered',
      15_000,
    );
    expect(h.downs).toEqual([]);
  });

  it('vendor garbage is reported, never fatal: the connection stays up and later documents are read', async () => {
    bed = await new SimBed().start();
    peer = await new CapPeer().start();
    const h = bed.harness(
      { mode: 'ccc2', connections: 1, maxDocumentBytes: 1024 },
      `tcp://127.0.0.1:${peer.port}`,
    );
    await h.driver.connect();
    await h.driver.watch(watchUsers([ALICE]));
    peer.write('hello, not CAP\n');
    peer.write(
      '<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="bogusType"><commandData/></command></BroadsoftDocument>\n',
    );
    peer.write(
      '<BroadsoftDocument protocol="CAP" version="17.0"><command><commandData/></command></BroadsoftDocument>\n',
    );
    peer.write(
      `<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="callUpdate"><commandData>${'<x/>'.repeat(400)}</commandData></command></BroadsoftDocument>\n`,
    );
    peer.send(callUpdate(ALICE, 'c1', 1));
    await h.event('call.received', (e) => callIdOf(e) === 'c1');
    // framer errors of a read are reported before its documents: compare as a set
    expect(h.garbage.map((g) => g.kind).sort()).toEqual([
      'framing',
      'oversized',
      'unknown-command',
      'unparseable',
    ]);
    expect(h.downs).toEqual([]);
    expect((await h.driver.execute({ kind: 'listCalls', user: ALICE })).calls.map((c) => c.id)).toEqual([
      'c1',
    ]);
  });

  it('an action no update confirms answers 504 after requestTimeoutMs (CAP sends no refusal)', async () => {
    bed = await new SimBed().start();
    peer = await new CapPeer().start();
    const h = bed.harness(
      { mode: 'ccc2', connections: 1, requestTimeoutMs: 200 },
      `tcp://127.0.0.1:${peer.port}`,
    );
    await h.driver.connect();
    peer.send(callUpdate(ALICE, 'c1', 2));
    await waitFor(() => h.driver.mapper.callsOf(ALICE).length === 1, 'the call known');
    const err = await h.driver.execute({ kind: 'hold', user: ALICE, call: 'c1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 504, vendor: { name: 'broadworks-cap' } });
    expect(peer.received.filter((m) => m.type === 'callAction')).toHaveLength(1);
  });

  it('tls://: verifies the server against the link `ca` and refuses an unverifiable certificate', async () => {
    bed = await new SimBed().start();
    peer = await new CapPeer({ tls: { cert, key } }).start();
    const bad = bed.harness({ mode: 'ccc2', connections: 1 }, `tls://127.0.0.1:${peer.port}`);
    await expect(bad.driver.connect()).rejects.toThrow(/certificate|self[- ]signed/i);
    const h = bed.harness({ mode: 'ccc2', connections: 1, ca: cert }, `tls://127.0.0.1:${peer.port}`);
    await h.driver.connect();
    expect(h.driver.pool.versions).toEqual(['17.0']);
  });

  it('close() logs users out politely and ends every connection; no onDown after close', async () => {
    bed = await new SimBed().start();
    const h = bed.harness();
    await h.driver.connect();
    await h.login(ALICE);
    await h.driver.close();
    await waitFor(() => bed.fe.snapshot().connections.length === 0, 'all connections closed');
    expect(bed.received('unRegister', (m) => m.reason === 'ClientLogout')).toHaveLength(1);
    expect(h.downs).toEqual([]);
    await h.driver.connect(); // the connector may connect again after close()
    expect(h.driver.state).toBe('up');
  });
});
