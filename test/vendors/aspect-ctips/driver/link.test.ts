/**
 * The CTIPS link against a scripted CTIPS (peer.ts) over real sockets: the start-up sequence, the
 * callback service's checks (token before parsing, garbage), acknowledgement after durability, the
 * heartbeat watchdog, failover to the next URL, and the resubmission and resync after a reconnect.
 */
import { VENDOR } from '../../../../vendors/aspect-ctips/driver/errors.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NO_CALLBACKS } from '../../../../vendors/aspect-ctips/driver/index.js';
import type { EventDraft } from '../../../../shared/events/model.js';
import { buildCallback } from '../../../../vendors/aspect-ctips/wire/callbacks.js';
import { Bed, PW, watchUsers } from './helpers.js';
import { sessionOf } from './peer.js';

let bed: Bed;
afterEach(async () => bed.stop());

const CLASSES = ['EventCategoryAgent', 'EventCategoryCall', 'EventCategoryRoute', 'EventCategorySystem'];

describe('aspect-ctips link', () => {
  it('connect(): OpenConnection → StartSession → AddMessageClass ×4 → OnLine → Snapshot, then up', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    expect(peer.ops()).toEqual([
      'OpenConnection',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'OnLine',
      'Snapshot',
    ]);
    const [open, ...rest] = peer.requests;
    expect(open!.soapAction).toBe('"http://tempuri.org/AgentCallService/OpenConnection"');
    expect(open!.fields['UserCredentials']).toEqual({ Password: 'secret', UserName: 'bridge' });
    expect(open!.fields['TenantIds']).toEqual(['1']);
    expect(String(open!.fields['ClientCallbackURL'])).toMatch(
      /\/v1\/callbacks\/t\/ctips\/events\/[0-9a-f]{32}$/,
    );
    expect(peer.callbacks[0]).toMatchObject({ op: 'StartSession', status: 200 });
    expect(rest.filter((r) => r.op === 'AddMessageClass').map((r) => r.fields['MessageClass'])).toEqual(
      CLASSES,
    );
    for (const r of rest) expect(sessionOf(r)).toBe(peer.sessionId);
    expect(rest.find((r) => r.op === 'Snapshot')!.fields['EntityType']).toEqual([
      'AgentInfo',
      'CallInfo',
      'ServiceInfo',
    ]);
    expect(h.driver.sessionId).toBe(peer.sessionId);
  });

  it('StartSession after the OpenConnection answer is accepted too; close() sends OffLine and CloseConnection', async () => {
    bed = new Bed();
    const peer = await bed.peer({ startAfterAnswer: true });
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    await h.driver.close();
    expect(peer.ops().slice(-2)).toEqual(['OffLine', 'CloseConnection']);
    expect(h.driver.state).toBe('closed');
  });

  it('without the connector callback listener connect() fails naming the setting', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url, {}, false);
    await expect(h.driver.connect()).rejects.toThrow(NO_CALLBACKS);
    expect(NO_CALLBACKS).toMatch(/BRIDGE_CALLBACK_PORT/);
    expect(peer.requests).toHaveLength(0);
  });

  it('no StartSession callback: connect() fails saying CTIPS may not reach the callback URL; a refused OpenConnection fails too', async () => {
    bed = new Bed();
    const peer = await bed.peer({ noStartSession: true });
    const h = await bed.harness(peer.url, { startTimeoutMs: 200 });
    await expect(h.driver.connect()).rejects.toThrow(/no StartSession callback/);
    expect(h.driver.state).toBe('down');
    const strict = await bed.peer({ password: 'other' });
    const h2 = await bed.harness(strict.url);
    await expect(h2.driver.connect()).rejects.toThrow(/refused: status 5/);
  });

  it('close() while connect() waits for StartSession: connect() fails at once (no timer left to end it)', async () => {
    bed = new Bed();
    const peer = await bed.peer({ noStartSession: true });
    const h = await bed.harness(peer.url, { startTimeoutMs: 60_000 });
    const connecting = h.driver.connect();
    await peer.until(() => peer.ops().includes('OpenConnection'), 'OpenConnection');
    const closedAt = Date.now();
    await h.driver.close();
    await expect(connecting).rejects.toThrow(/closed while/);
    expect(Date.now() - closedAt).toBeLessThan(2000);
  });

  it('a StartSession with other credentials is refused (result 1): connect() fails saying so, not blaming the callback URL', async () => {
    bed = new Bed();
    const peer = await bed.peer({ startCredentials: { UserName: 'bridge', Password: 'not-ours' } });
    const h = await bed.harness(peer.url, { startTimeoutMs: 300 });
    await expect(h.driver.connect()).rejects.toThrow(
      /called StartSession, but it was refused: not the link's user name and password/,
    );
    expect(peer.callbacks[0]).toMatchObject({ op: 'StartSession', status: 200 });
    expect(peer.callbacks[0]!.body).toMatch(/<StartSessionResult>1</);
    expect(h.garbage.map((g) => g.kind)).toEqual(['start-session']);
    await peer.until(() => peer.ops().includes('CloseConnection'), 'the refused session closed');
  });

  it('a callback with a wrong connection token is refused before parsing (404); garbage 400; both counted, never fatal', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    const good = peer.callbackUrl!;
    const wrong = good.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
    expect(await peer.post('junk', wrong, '<<<not xml')).toBe(404);
    expect(h.garbage.map((g) => g.kind)).toEqual(['unknown-connection']);
    expect(await peer.post('junk', good, '<<<not xml')).toBe(400);
    expect(peer.callbacks.at(-1)!.body).toContain('faultstring');
    expect(h.garbage.map((g) => g.kind)).toEqual(['unknown-connection', 'unreadable-callback']);
    expect(await peer.heartbeat()).toBe(200);
    expect(peer.callbacks.at(-1)!.body).toContain('HeartbeatMessageResult');
    expect(h.driver.state).toBe('up');
  });

  it('refusals are counted by kind: method, size, non-UTF-8, truncated, SOAPAction, StartSession credentials and session', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url, { maxBodyBytes: 4096 });
    await h.driver.connect();
    const url = peer.callbackUrl!;
    const event = buildCallback('PublishCTIEvent', { EventType: 'CallHeld', CallId: 7 });
    const post = (body: string | Buffer, headers: Record<string, string> = {}, method = 'POST') =>
      fetch(url, { method, headers: { 'content-type': 'text/xml', ...headers }, body }).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    const start = (UserName: string, Password: string, SessionId = peer.sessionId!) =>
      post(buildCallback('StartSession', { UserName, Password, SessionId }).xml);
    expect((await post(event.xml, {}, 'PUT')).status).toBe(405);
    expect((await post('x'.repeat(5000))).status).toBe(413);
    expect((await post(Buffer.from(event.xml.replace('CallHeld', 'CallHéld'), 'latin1'))).status).toBe(400);
    expect((await post(event.xml.slice(0, -20))).status).toBe(400);
    expect(
      (await post(event.xml, { soapaction: '"http://tempuri.org/CTIEventService/StartSession"' })).status,
    ).toBe(400);
    expect((await start('bridge', 'wrong')).body).toMatch(/<StartSessionResult>1</);
    expect((await start('bridge', PW, 'S-other')).body).toMatch(/<StartSessionResult>1</);
    expect(h.garbage.map((g) => g.kind)).toEqual([
      'callback-method',
      'callback-too-large',
      'unreadable-callback',
      'unreadable-callback',
      'soap-action',
      'start-session',
      'start-session',
    ]);
    // the connection's own StartSession, the right SOAPAction and none at all are fine
    expect((await start('bridge', PW)).body).toMatch(/<StartSessionResult>0</);
    expect((await post(event.xml, { soapaction: `"${event.soapAction}"` })).status).toBe(200);
    expect((await post(event.xml)).status).toBe(200);
    expect(h.garbage).toHaveLength(7);
    expect(h.driver.state).toBe('up');
  });

  it('PublishCTIEvent is answered only after onEvent resolved', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    const draft: EventDraft = {
      type: 'link.up',
      target: { type: 'system' },
      data: { status: 'up' },
      vendor: { name: VENDOR, event: 'CallHeld' },
    };
    vi.spyOn(h.driver.mapper, 'map').mockReturnValue([draft]);
    h.holding = true;
    let answered = false;
    const publishing = peer.publish({ EventType: 'CallHeld', CallId: 7 }).then((s) => {
      answered = true;
      return s;
    });
    await h.until(() => h.events.length === 1, 'the draft');
    // the write is still pending: the HTTP answer must not have gone out
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    h.release();
    expect(await publishing).toBe(200);
  });

  it('an event that cannot be stored is not acknowledged (500 fault) and the link goes down for a resync', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url);
    await h.driver.connect();
    vi.spyOn(h.driver.mapper, 'map').mockReturnValue([
      {
        type: 'link.up',
        target: { type: 'system' },
        data: { status: 'up' },
        vendor: { name: VENDOR, event: 'CallHeld' },
      },
    ]);
    h.failing = true;
    expect(await peer.publish({ EventType: 'CallHeld', CallId: 7 })).toBe(500);
    expect(h.downs[0]).toMatch(/could not be stored/);
    expect(h.driver.state).toBe('down');
  });

  it('no HeartbeatMessage for heartbeatTimeoutMs: onDown; the old token is refused afterwards', async () => {
    bed = new Bed();
    const peer = await bed.peer();
    const h = await bed.harness(peer.url, { heartbeatTimeoutMs: 300 });
    await h.driver.connect();
    expect(await peer.heartbeat()).toBe(200);
    const reason = await h.until(() => h.downs[0], 'onDown');
    expect(reason).toMatch(/no HeartbeatMessage for 300 ms/);
    expect(h.driver.state).toBe('down');
    expect(await peer.heartbeat()).toBe(404);
    await peer.until(() => peer.ops().includes('CloseConnection'), 'best-effort CloseConnection');
  });

  it('failover: an unreachable endpoint, then the next URL of `failover`', async () => {
    bed = new Bed();
    const dead = await bed.peer();
    const deadUrl = dead.url;
    await dead.stop();
    const peer = await bed.peer();
    const h = await bed.harness(deadUrl, { failover: [peer.url] });
    await h.driver.connect();
    expect(h.driver.state).toBe('up');
    expect(peer.ops()[0]).toBe('OpenConnection');
  });

  it('§13.9 client recovery: after a lost connection, OpenConnection → message classes and filters → OnLine → Snapshot, and resync releases the calls that are gone', async () => {
    bed = new Bed();
    const peer = await bed.peer({
      snapshot: [
        { SnapShotType: 'CallInfo', CallData: { CallId: 41, AgentId: 12, CallState: 'CallEstablished' } },
        {
          SnapShotType: 'AgentInfo',
          AgentData: {
            AgentId: 12,
            AgentLoginName: 'jdoe',
            AgentStationAddress: '4001',
            AgentState: 'Active',
          },
        },
      ],
    });
    const h = await bed.harness(peer.url, {
      heartbeatTimeoutMs: 300,
      filters: [{ fieldType: 'FT_SERVICE_ID', value: '3' }],
    });
    await h.driver.connect();
    await h.driver.watch(watchUsers(['4001']));
    await h.until(() => h.downs[0], 'onDown');
    await peer.until(() => peer.ops().includes('CloseConnection'), 'the lost session closed');
    const before = peer.requests.length;
    await h.driver.connect();
    const again = peer.requests.slice(before);
    expect(again.map((r) => r.op)).toEqual([
      'OpenConnection',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'AddMessageClass',
      'AddFilter',
      'OnLine',
      'Snapshot',
    ]);
    expect(again.find((r) => r.op === 'AddFilter')!.fields).toMatchObject({
      FieldType: 'FT_SERVICE_ID',
      FieldValue: '3',
    });
    expect(sessionOf(again[1]!)).toBe(peer.sessionId);
    const release = vi.spyOn(h.driver.mapper, 'releaseStale');
    await h.driver.resync();
    expect(release).toHaveBeenCalledWith('4001', new Set(['41']), 'resync');
    expect(h.driver.agents.atStation('4001')?.agentId).toBe(12);
  });
});
