/**
 * The connector's callback listener and the Aspect CTIPS driver behind it, fed garbage through the whole
 * local stack (`sim-aspect`, whose CTIPS is the simulator): malformed, truncated, empty, non-UTF-8 and
 * huge bodies (declared and streamed), DOCTYPE and entity payloads, unknown operations, wrong paths,
 * methods and SOAPActions, StartSession with wrong or absent credentials, then a few hundred seeded
 * mutations of a valid PublishCTIEvent. Every refusal must have the status its kind calls for, log no
 * event, be counted (the link's vendor-garbage counter, `LinkRunner.stats.garbage`, for what reaches the
 * driver; the listener's own refusals never reach it), and leave the link up on its first connection
 * with the listener serving valid callbacks and commands. Deterministic: fixed cases and a seeded PRNG.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkRunner } from '../../connector/link-runner.js';
import type { AspectCtipsDriver } from '../../vendors/aspect-ctips/driver/index.js';
import type { CtipsFrontEnd } from '../../vendors/aspect-ctips/simulator/index.js';
import { buildCallback } from '../../vendors/aspect-ctips/wire/callbacks.js';
import { soapFault } from '../../vendors/aspect-ctips/wire/soap.js';
import { prng } from '../support/prng.js';
import { testStack, until } from '../support/stack.js';
import { EventTap, loggedEvents, scenarioEnv, subscribe, type ScenarioEnv } from './harness.js';

const LINK = 'sim-aspect';
const MiB = 1024 * 1024;
/** The listener's body limit in this stack; the link's own (`maxBodyBytes`) is the default 1 MiB. */
const LISTENER_MAX = 2 * MiB;
const LINK_MAX = MiB;

let env: ScenarioEnv;
let tap: EventTap;
let runner: LinkRunner;
let fe: CtipsFrontEnd;
/** The link's callback URL (`…/v1/callbacks/default/sim-aspect/events/<token>`), its root and token. */
let callback: string;
let root: string;
let token: string;
let sessionId: string;
let creds: { username: string; password: string };

beforeAll(async () => {
  const stack = await testStack({
    simulator: { only: ['aspect-ctips'] },
    connector: { subscriptionPollMs: 50, reconcileMs: 200, callbackMaxBodyBytes: LISTENER_MAX },
  });
  env = scenarioEnv(stack, LINK);
  await until(
    async () => stack.connector!.runner('default', LINK)?.state,
    (s) => s === 'up',
    20_000,
  );
  runner = stack.connector!.runner('default', LINK)!;
  // the link's own link.up is logged before the tap starts: every event the tap sees comes from a test
  await until(
    () => loggedEvents(env, 0),
    (evs) => evs.some((e) => e.type === 'link.up'),
  );
  tap = new EventTap(env);
  fe = stack.simulator!.frontEnd<CtipsFrontEnd>('aspect-ctips').frontEnd;
  const sessions = fe.ctx.sessions.list();
  expect(sessions).toHaveLength(1);
  callback = sessions[0]!.url;
  sessionId = sessions[0]!.id;
  const m = /^(.*)\/events\/([0-9a-f]{32})$/.exec(callback)!;
  root = m[1]!;
  token = m[2]!;
  creds = stack.simulator!.credentials[0]!;
  await subscribe(env, [{ type: 'user', id: '1001' }], ['agent', 'call', 'link']);
}, 60_000);
afterAll(async () => env?.stop());

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Sent chunked (no content-length). */
  chunks?: Buffer[];
  /** Only the headers, with this content-length: the answer must come without the body. */
  declared?: number;
}

/** One raw HTTP request (the body as given, byte for byte). */
function send(url: string, o: Send = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', ...o.headers };
    const body = o.body === undefined ? undefined : Buffer.from(o.body);
    if (body) headers['content-length'] = String(body.length);
    if (o.chunks) headers['transfer-encoding'] = 'chunked';
    if (o.declared !== undefined) headers['content-length'] = String(o.declared);
    // the path exactly as given (a URL object would resolve dot segments)
    const [, host, port, path] = /^http:\/\/([^/:]+):(\d+)(\/.*)?$/.exec(url)!;
    const target = { host, port: Number(port), path: path ?? '/' };
    const req = request({ ...target, method: o.method ?? 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: Buffer.concat(parts).toString('utf8'),
          contentType: String(res.headers['content-type'] ?? ''),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // a refused body may still be being written when the listener closes the socket
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.setTimeout(10_000, () => {
      reject(new Error(`no answer in 10 s from ${url}`));
      req.destroy();
    });
    if (o.declared !== undefined) return void req.flushHeaders();
    for (const c of o.chunks ?? []) req.write(c);
    req.end(body);
  });
}

/**
 * Sends the headers of `body` and only its first `bytes`, then ends the connection (half-close);
 * resolves with whatever came back once the listener closed its side.
 */
function halfSent(url: string, body: string, bytes: number): Promise<string> {
  const [, host, port, path] = /^http:\/\/([^/:]+):(\d+)(\/.*)$/.exec(url)!;
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = connect(Number(port), host!, () => {
      socket.end(
        `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: text/xml; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, bytes)}`,
      );
    });
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
  });
}

const SOAP_ACTION = (op: string, ns = 'http://tempuri.org/CTIEventService') => ({
  soapaction: `"${ns}/${op}"`,
});
const soap = (inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;
/** AgentStateChange of alice's agent (1001, watched): accepted, it logs `agent.state` unless unchanged. */
const agentState = (state: string, extra: Record<string, unknown> = {}) =>
  buildCallback('PublishCTIEvent', {
    EventType: 'AgentStateChange',
    AgentId: 1001,
    TenantId: 1,
    SiteId: 1,
    SwitchId: 1,
    AgentState: state,
    ...extra,
  }).xml;
/** A valid event that would log `agent.state unavailable` (alice is Idle between the tests). */
const WOULD_LOG = agentState('NotReady');
const startSession = (user: string | undefined, password: string | undefined, session: string) =>
  soap(
    `<StartSession xmlns="http://tempuri.org/" xmlns:a="http://schemas.datacontract.org/2004/07/Aspect.UnifiedIP.EDK">` +
      (user === undefined
        ? ''
        : `<userinfo><a:Password>${password}</a:Password><a:UserName>${user}</a:UserName></userinfo>`) +
      `<sessionId>${session}</sessionId></StartSession>`,
  );

type By = 'link' | 'listener';

/**
 * Sends a request that must be refused with `status`: nothing logged, counted once by the link's
 * garbage counter when it reached the driver (`by: 'link'`), not at all when the listener refused it.
 */
async function refused(what: string, url: string, o: Send, status: number, by: By): Promise<Answer> {
  const garbage = runner.stats.garbage;
  const listenerRefusals = () =>
    Object.values(env.stack.connector!.callbackStats!.refused).reduce((a, b) => a + b, 0);
  const atListener = listenerRefusals();
  const events = tap.events.length;
  const res = await send(url, o);
  expect(res.status, `${what}: ${res.body.slice(0, 300)}`).toBe(status);
  expect(runner.stats.garbage - garbage, `${what}: counted by the link`).toBe(by === 'link' ? 1 : 0);
  expect(listenerRefusals() - atListener, `${what}: counted by the listener`).toBe(by === 'listener' ? 1 : 0);
  expect(tap.events.length, `${what}: nothing logged`).toBe(events);
  if (by === 'link' && status !== 200) {
    expect(res.contentType, what).toMatch(/^text\/xml/);
    expect(res.body, what).toMatch(/<faultcode>s:Client<\/faultcode>/);
  }
  if (by === 'listener') expect(res.contentType, what).toBe('application/problem+json');
  return res;
}

/** Sends a valid event and resolves with the events it logged (it is answered once they are durable). */
async function accepted(
  xml: string | Buffer,
  headers: Record<string, string> = SOAP_ACTION('PublishCTIEvent'),
) {
  const events = tap.events.length;
  const res = await send(callback, { body: xml, headers });
  expect(res.status, res.body.slice(0, 300)).toBe(200);
  expect(res.body).toContain('PublishCTIEventResponse');
  return tap.events.slice(events);
}

/** The link is up on the connection it started with, and a valid event is still served and logged. */
async function stillServing(): Promise<void> {
  expect(runner.state).toBe('up');
  expect(runner.stats.connects).toBe(1);
  expect(fe.ctx.sessions.list().map((s) => s.id)).toEqual([sessionId]);
  expect(tap.events.filter((e) => e.type.startsWith('link.'))).toEqual([]);
  const hb = await send(callback, { body: buildCallback('HeartbeatMessage', {}).xml });
  expect(hb.status).toBe(200);
  expect(hb.body).toMatch(/<HeartbeatMessageResult>0<\/HeartbeatMessageResult>/);
  const down = await accepted(WOULD_LOG);
  expect(
    down.map((e) => `${e.target.id} ${e.type} ${(e.data as { agent: { state: string } }).agent.state}`),
  ).toEqual(['1001 agent.state unavailable']);
  const up = await accepted(agentState('Idle'));
  expect(up.map((e) => (e.data as { agent: { state: string } }).agent.state)).toEqual(['available']);
}

describe('aspect-ctips callbacks: garbage through the connector listener', () => {
  it('baseline: a valid event is answered once logged; the SOAPAction may be absent or in another namespace', async () => {
    expect(callback.startsWith(`${env.stack.callbackUrl}/v1/callbacks/default/${LINK}/events/`)).toBe(true);
    await stillServing();
    // a real CTIPS's own namespace, or no SOAPAction at all: the operation is the body's
    expect(await accepted(WOULD_LOG, {})).toHaveLength(1);
    const ns = 'http://www.aspect.com/unifiedip/edk/clientpublishapi/2009/08/CTIEventService';
    expect(await accepted(agentState('Idle'), SOAP_ACTION('PublishCTIEvent', ns))).toHaveLength(1);
  });

  it('malformed, truncated, empty and non-UTF-8 bodies: 400 SOAP fault, counted, nothing logged; a body the connection cuts short never reaches the driver', async () => {
    const withAction = (body: string | Buffer): Send => ({ body, headers: SOAP_ACTION('PublishCTIEvent') });
    const cases: [string, string | Buffer][] = [
      ['not XML', '<<<not xml>>>'],
      ['text', 'hello'],
      ['an element that is no envelope', '<PublishCTIEvent/>'],
      ['an envelope without a Body', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>'],
      ['an empty Body', soap('')],
      ['a SOAP fault', soapFault('Client', 'nope')],
      ['PublishCTIEvent without an event', soap('<PublishCTIEvent xmlns="http://tempuri.org/"/>')],
      [
        'an event without an EventType',
        soap(
          '<PublishCTIEvent xmlns="http://tempuri.org/"><event><AgentId>1001</AgentId></event></PublishCTIEvent>',
        ),
      ],
      ['an empty body', ''],
      ['white space', ' \r\n\t '],
      ['a truncated envelope (end tags missing)', WOULD_LOG.slice(0, WOULD_LOG.lastIndexOf('</s:Body>'))],
      ['a truncated envelope (last byte missing)', WOULD_LOG.slice(0, -1)],
      ...[0.25, 0.5, 0.75, 0.9, 0.97].map(
        (f) =>
          [`truncated at ${f * 100}%`, WOULD_LOG.slice(0, Math.floor(WOULD_LOG.length * f))] as [
            string,
            string,
          ],
      ),
      ['ISO-8859-1 bytes', Buffer.from(agentState('NotReady', { AgentLoginName: 'José Müller' }), 'latin1')],
      ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(WOULD_LOG, 'utf16le')])],
      ['an overlong UTF-8 "<"', Buffer.concat([Buffer.from([0xc0, 0xbc]), Buffer.from(WOULD_LOG.slice(1))])],
      ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ];
    // a CESU-8 surrogate in the middle of a valid event
    const at = WOULD_LOG.indexOf('NotReady');
    cases.push([
      'a CESU-8 surrogate in a value',
      Buffer.concat([
        Buffer.from(WOULD_LOG.slice(0, at)),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from(WOULD_LOG.slice(at)),
      ]),
    ]);
    for (const [what, body] of cases) await refused(what, callback, withAction(body), 400, 'link');
    // a body the connection cuts short (content-length promises more): the driver never sees it
    const garbage = runner.stats.garbage;
    const events = tap.events.length;
    const cut = await halfSent(callback, WOULD_LOG, 200);
    expect(cut).not.toMatch(/^HTTP\/1\.1 200/);
    expect(runner.stats.garbage).toBe(garbage);
    expect(tap.events.length).toBe(events);
    await stillServing();
  });

  it('DOCTYPE and entity payloads (billion laughs, XXE file://, external and parameter entities): 400, counted', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? 'lol' : `lol${i}`;
        return `<!ENTITY lol${i + 1} "${`&${prev};`.repeat(10)}">`;
      }).join('') +
      ']>';
    const withEntity = (ref: string) => WOULD_LOG.replace('NotReady', ref);
    const cases: [string, string][] = [
      ['billion laughs', laughs + withEntity('&lol9;')],
      [
        'XXE file://',
        '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + withEntity('&xxe;'),
      ],
      ['an external DTD', '<!DOCTYPE s:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">' + WOULD_LOG],
      ['a parameter entity', '<!DOCTYPE e [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>' + WOULD_LOG],
      ['a DOCTYPE inside the body', WOULD_LOG.replace('<s:Body>', '<s:Body><!DOCTYPE x>')],
      ['an ENTITY declaration without DOCTYPE', '<!ENTITY x "y">' + WOULD_LOG],
    ];
    for (const [what, body] of cases)
      await refused(what, callback, { body, headers: SOAP_ACTION('PublishCTIEvent') }, 400, 'link');
    await stillServing();
  });

  it('unknown operations and a SOAPAction that names another operation than the body: 400, counted', async () => {
    const cases: [string, Send][] = [
      [
        'an unknown operation',
        { body: soap('<Foo xmlns="http://tempuri.org/"/>'), headers: SOAP_ACTION('Foo') },
      ],
      [
        'a service operation sent as a callback',
        {
          body: soap('<OnLine xmlns="http://tempuri.org/"><args/></OnLine>'),
          headers: SOAP_ACTION('OnLine'),
        },
      ],
      [
        'an event with the HeartbeatMessage action',
        { body: WOULD_LOG, headers: SOAP_ACTION('HeartbeatMessage') },
      ],
      ['an event with an unknown action', { body: WOULD_LOG, headers: SOAP_ACTION('Foo') }],
      [
        'an event with the StartSession action in a SOAP 1.2 content type',
        {
          body: WOULD_LOG,
          headers: {
            'content-type': `application/soap+xml; charset=utf-8; action="http://tempuri.org/CTIEventService/StartSession"`,
          },
        },
      ],
      [
        'a heartbeat with the PublishCTIEvent action',
        { body: buildCallback('HeartbeatMessage', {}).xml, headers: SOAP_ACTION('PublishCTIEvent') },
      ],
    ];
    for (const [what, o] of cases) await refused(what, callback, o, 400, 'link');
    await stillServing();
  });

  it('wrong paths: 404 (below the link: counted by the link; elsewhere the listener answers)', async () => {
    const base = env.stack.callbackUrl!;
    const body = { body: WOULD_LOG, headers: SOAP_ACTION('PublishCTIEvent') };
    const link: [string, string][] = [
      ['another token', `${root}/events/${'0'.repeat(32)}`],
      ['the token in upper case', `${root}/events/${token.toUpperCase()}`],
      ['the token cut short', `${root}/events/${token.slice(0, -1)}`],
      ['the token and more', `${root}/events/${token}0`],
      ['below the token', `${root}/events/${token}/x`],
      ['no token', `${root}/events/`],
      ['the link root', root],
      ['a dot segment', `${root}/x/../events/${token}`],
      ['an encoded NUL', `${root}/events/${token}%00`],
    ];
    for (const [what, url] of link) await refused(what, url, body, 404, 'link');
    const listener: [string, string][] = [
      ['another link', `${base}/v1/callbacks/default/other/events/${token}`],
      ['another tenant', `${base}/v1/callbacks/nobody/${LINK}/events/${token}`],
      ['the link in upper case', `${base}/v1/callbacks/default/SIM-ASPECT/events/${token}`],
      ['outside the callback root', `${base}/v1/callback/default/${LINK}/events/${token}`],
      ['the server root', `${base}/`],
    ];
    for (const [what, url] of listener) await refused(what, url, body, 404, 'listener');
    await stillServing();
  });

  it('wrong methods: 405, counted', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
      await refused(
        method,
        callback,
        method === 'GET' || method === 'DELETE' || method === 'OPTIONS'
          ? { method }
          : { method, body: WOULD_LOG, headers: SOAP_ACTION('PublishCTIEvent') },
        405,
        'link',
      );
    await stillServing();
  });

  it('huge bodies, declared and streamed: 413 from the link within the listener’s limit, from the listener beyond it', async () => {
    const padded = (bytes: number) => WOULD_LOG.replace('<s:Body>', `<s:Body><!--${'x'.repeat(bytes)}-->`);
    const headers = SOAP_ACTION('PublishCTIEvent');
    const half = Buffer.from(padded(LINK_MAX / 2));
    await refused(
      'declared, over the link’s limit',
      callback,
      { body: padded(LINK_MAX), headers },
      413,
      'link',
    );
    await refused(
      'streamed, over the link’s limit',
      callback,
      { chunks: [half, half, half], headers },
      413,
      'link',
    );
    await refused(
      'declared, over the listener’s limit',
      callback,
      { declared: LISTENER_MAX + 1, headers },
      413,
      'listener',
    );
    await refused(
      'streamed, over the listener’s limit',
      callback,
      { chunks: Array.from({ length: 5 }, () => half), headers },
      413,
      'listener',
    );
    await stillServing();
  });

  it('StartSession with wrong or absent credentials, or another session: refused (result 1), counted, the connection unchanged', async () => {
    const headers = SOAP_ACTION('StartSession');
    const cases: [string, string][] = [
      ['a wrong user name', startSession('mallory', creds.password, sessionId)],
      ['a wrong password', startSession(creds.username, 'not-the-password', sessionId)],
      ['an empty password', startSession(creds.username, '', sessionId)],
      ['no credentials', startSession(undefined, undefined, sessionId)],
      ['no SessionId', startSession(creds.username, creds.password, '')],
      ['another SessionId', startSession(creds.username, creds.password, 'another-session')],
    ];
    for (const [what, body] of cases) {
      const res = await refused(what, callback, { body, headers }, 200, 'link');
      expect(res.body, what).toMatch(/<StartSessionResult>1<\/StartSessionResult>/);
    }
    // the connection's own StartSession again changes nothing
    const same = await send(callback, {
      body: startSession(creds.username, creds.password, sessionId),
      headers,
    });
    expect(same.body).toMatch(/<StartSessionResult>0<\/StartSessionResult>/);
    expect((runner.activeDriver as AspectCtipsDriver).sessionId).toBe(sessionId);
    await stillServing();
  });

  it('300 seeded mutations of a valid PublishCTIEvent: 200 or a counted 400, never anything else; refusals log nothing', async () => {
    const rnd = prng(0x2f34);
    const junk = [
      '<',
      '>',
      '/',
      '&',
      ';',
      '"',
      "'",
      '=',
      ':',
      '</',
      '/>',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '<?',
      '?>',
      '<!DOCTYPE x>',
      '&lol;',
      '&#0;',
      '&#x110000;',
      'xmlns:a=""',
      '\u0000',
      '\uFFFD',
      'é',
      '電',
      '\r\n',
    ];
    const base = Buffer.from(WOULD_LOG);
    const mutate = (): Buffer => {
      let b = base;
      const n = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(rnd() * (b.length + 1));
        const op = Math.floor(rnd() * 6);
        if (op === 0)
          b = b.subarray(0, at); // truncate
        else if (op === 1)
          b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * 24))]);
        else if (op === 2)
          b = Buffer.concat([
            b.subarray(0, at),
            Buffer.from(junk[Math.floor(rnd() * junk.length)]!),
            b.subarray(at),
          ]);
        else if (op === 3) {
          const from = Math.floor(rnd() * b.length);
          b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + 32), b.subarray(at)]); // duplicate a run
        } else if (op === 4) {
          b = Buffer.from(b);
          if (at < b.length) b[at] = Math.floor(rnd() * 256); // any byte, UTF-8 or not
        } else {
          const s = b.toString('latin1');
          b = Buffer.from(s.slice(0, at) + s.slice(at, at + 40).toUpperCase() + s.slice(at + 40), 'latin1');
        }
      }
      return b;
    };
    let ok = 0;
    let bad = 0;
    for (let i = 0; i < 300; i++) {
      const body = mutate();
      const garbage = runner.stats.garbage;
      const events = tap.events.length;
      const res = await send(callback, { body, headers: SOAP_ACTION('PublishCTIEvent') });
      const what = `mutation ${i}: ${body.toString('latin1').slice(0, 2000)}`;
      if (res.status === 400) {
        bad++;
        expect(runner.stats.garbage - garbage, what).toBe(1);
        expect(tap.events.length, what).toBe(events);
        expect(res.body, what).toContain('faultstring');
        continue;
      }
      expect(res.status, what).toBe(200);
      ok++;
      expect(res.body, what).toContain('PublishCTIEventResponse');
      // an event the mapper cannot read is counted too, but answered (it is not a refusal)
      expect(runner.stats.garbage - garbage, what).toBeLessThanOrEqual(1);
      const logged = tap.events.slice(events);
      for (const e of logged) expect(`${e.target.id} ${e.type}`, what).toBe('1001 agent.state');
      // back to Idle for the next one (a mutation may have changed alice's state)
      if (logged.length) await accepted(agentState('Idle'));
    }
    // both outcomes happen: the mutations are neither all refused nor all accepted
    expect(bad).toBeGreaterThan(100);
    expect(ok).toBeGreaterThan(20);
    await stillServing();
  }, 120_000);

  it('afterwards: the link is up on its first connection and a command round trip still works', async () => {
    await stillServing();
    const res = await env.client.put(`/v1/links/${LINK}/agents/1004/state`, { state: 'sign-in' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(runner.stats.connects).toBe(1);
  });
});
