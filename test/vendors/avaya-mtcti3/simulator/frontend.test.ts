/**
 * The simulator's MTCTI-3 front-end on the wire: a raw websocket client on 127.0.0.1, real frames.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PbxCore } from '../../../../simulator/core/index.js';
import { defaultDirectory } from '../../../../simulator/directory.js';
import {
  AvayaMtcti3FrontEnd,
  type AvayaMtcti3Options,
} from '../../../../vendors/avaya-mtcti3/simulator/index.js';
import {
  decodeMessage,
  encodeMessage,
  frame,
  guidHex,
  unframe,
  type LinesEntry,
  type Message,
} from '../../../../vendors/avaya-mtcti3/wire/codec.js';

/** A minimal MTCTI-3 peer: sends Messages, queues what arrives, lets a test await the next one. */
class Peer {
  readonly inbox: Message[] = [];
  private waiters: {
    pred: (m: Message) => boolean;
    resolve: (m: Message) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  }[] = [];
  constructor(
    readonly ws: WebSocket,
    readonly framed: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      const payload = framed ? unframe(data) : data;
      if (!payload) throw new Error('bad frame from server');
      const m = decodeMessage(payload);
      const w = this.waiters.find((x) => x.pred(m));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        clearTimeout(w.timer);
        w.resolve(m);
      } else this.inbox.push(m);
    });
  }
  send(m: Message): void {
    const b = encodeMessage(m);
    this.ws.send(this.framed ? frame(b) : Buffer.from(b));
  }
  next(pred: (m: Message) => boolean = () => true, ms = 3000): Promise<Message> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no matching message; inbox: ${JSON.stringify(this.inbox)}`));
        }, ms),
      };
      this.waiters.push(waiter);
    });
  }
  /** Resolves with false if no matching message arrives within `ms` (only for "nothing else is sent"). */
  async none(pred: (m: Message) => boolean, ms: number): Promise<boolean> {
    try {
      await this.next(pred, ms);
      return false;
    } catch {
      return true;
    }
  }
  async request(m: Message, requestid: number): Promise<number> {
    this.send(m);
    const r = await this.next((x) => x.response?.requestid === requestid);
    return r.response!.result ?? 0;
  }
  ack(m: Message): void {
    this.send({ notifyack: { subscribe_id: m.notify!.subscribe_id!, notify_id: m.notify!.notify_id! } });
  }
}

let core: PbxCore;
let fe: AvayaMtcti3FrontEnd;
let url: string;
const peers: WebSocket[] = [];

async function start(opts: AvayaMtcti3Options = {}) {
  core = new PbxCore(defaultDirectory());
  fe = new AvayaMtcti3FrontEnd(core, { port: 0, ...opts });
  url = (await fe.start()).url;
}

function open(
  path = '/tpkt/openapi',
  auth = 'bridge:bridge-secret',
  protocol: string | null = 'openapi',
): Promise<{ peer?: Peer; status?: number; ws: WebSocket }> {
  const base = url.replace('/tpkt/openapi', '');
  const ws = new WebSocket(`${base}${path}`, protocol ? [protocol] : [], {
    headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
  });
  peers.push(ws);
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode, ws }));
    ws.on('error', () => resolve({ status: -1, ws }));
    ws.on('open', () => resolve({ peer: new Peer(ws, path === '/tpkt/openapi'), ws }));
  });
}

async function connected(path?: string): Promise<Peer> {
  const r = await open(path);
  expect(r.status).toBeUndefined();
  return r.peer!;
}

/** Lines bootstrap; returns the directory (name → guid). */
async function lines(p: Peer): Promise<Map<string, LinesEntry>> {
  expect(
    await p.request(
      { subscribe: { requestid: 1, subscribe_id: 5555, timeout: 3600, lines: { flags: 7 } } },
      1,
    ),
  ).toBe(0);
  const n = await p.next((m) => m.notify?.subscribe_id === 5555);
  p.ack(n);
  const dir = new Map<string, LinesEntry>();
  for (const e of [...(n.notify!.lines!.adduser ?? []), ...(n.notify!.lines!.addqueue ?? [])])
    dir.set(e.name!, e);
  return dir;
}

beforeEach(async () => start());
afterEach(async () => {
  for (const ws of peers.splice(0)) ws.terminate();
  await fe.stop();
  core.dispose();
});

describe('MTCTI-3 front-end: handshake', () => {
  it('upgrades with Basic credentials and echoes the openapi subprotocol', async () => {
    const { peer, ws } = await open();
    expect(peer).toBeDefined();
    expect(ws.protocol).toBe('openapi');
  });

  it('refuses bad credentials with 401, a missing subprotocol with 400 and other paths with 404', async () => {
    expect((await open('/tpkt/openapi', 'bridge:wrong')).status).toBe(401);
    expect((await open('/tpkt/openapi', 'nobody:bridge-secret')).status).toBe(401);
    expect((await open('/tpkt/openapi', 'bridge:bridge-secret', null)).status).toBe(400);
    expect((await open('/somewhere')).status).toBe(404);
  });

  it('caps simultaneous connections', async () => {
    await fe.stop();
    await start({ maxConnections: 2 });
    await connected();
    await connected();
    expect((await open()).status).toBe(503);
  });

  it('serves /tpkt/openapinoframing with bare protobuf', async () => {
    const p = await connected('/tpkt/openapinoframing');
    p.send({ generalcmd: { requestid: 3000, getversioninfo: {} } });
    const m = await p.next();
    expect(m.generaldata).toEqual({ responseid: 3000, versioninfo: 'IP Office 11.1.0.0 build 600' });
  });

  it('drops frames without the 00 00 00 01 marker and keeps the session', async () => {
    const p = await connected();
    p.ws.send(encodeMessage({ generalcmd: { requestid: 1, getversioninfo: {} } })); // no header
    p.ws.send(Buffer.from([0, 0, 0, 1])); // len <= 4
    expect(await p.none(() => true, 200)).toBe(true);
    p.send({ generalcmd: { requestid: 2, getversioninfo: {} } });
    expect((await p.next()).generaldata?.responseid).toBe(2);
  });
});

describe('MTCTI-3 front-end: subscriptions', () => {
  it('answers the Lines subscribe first, then notify 1 with every user and hunt group', async () => {
    const p = await connected();
    p.send({ subscribe: { requestid: 1, subscribe_id: 5555, timeout: 3600, lines: { flags: 7 } } });
    const first = await p.next();
    expect(first.response).toEqual({ requestid: 1, result: 0 });
    const n = await p.next();
    expect(n.notify!.notify_id).toBe(1);
    expect(n.notify!.lines!.adduser!.map((u) => `${u.name}/${u.extn}`)).toEqual([
      'alice/1001',
      'bob/1002',
      'carol/1003',
      'dave/1004',
      'erin/1005',
    ]);
    expect(n.notify!.lines!.addqueue!.map((q) => q.name)).toEqual(['sales']);
    expect(guidHex(n.notify!.lines!.adduser![0]!.guid)).toMatch(/^[0-9A-F]{32}$/);
  });

  it('refuses a second Lines subscription, an id in use and a refresh of an unknown id', async () => {
    const p = await connected();
    await lines(p);
    expect(await p.request({ subscribe: { requestid: 2, subscribe_id: 6000, lines: { flags: 1 } } }, 2)).toBe(
      5,
    );
    expect(
      await p.request({ subscribe: { requestid: 3, subscribe_id: 5555, queue: { name: 'sales' } } }, 3),
    ).toBe(100);
    expect(await p.request({ subscribe: { requestid: 4, subscribe_id: 777, timeout: 60 } }, 4)).toBe(101);
    expect(await p.request({ subscribe: { requestid: 5, subscribe_id: 5555, timeout: 60 } }, 5)).toBe(0); // refresh
    expect(
      await p.request({ subscribe: { requestid: 6, subscribe_id: 9, user: { guid: Buffer.alloc(16) } } }, 6),
    ).toBe(7);
  });

  it('needs a presence timeout of 60..86400 and notifies added presentities', async () => {
    const p = await connected();
    const presence = { entry: [{ presentity: '1002', lref: 5678 }] };
    expect(await p.request({ subscribe: { requestid: 1, subscribe_id: 98765, presence } }, 1)).toBe(102);
    expect(
      await p.request({ subscribe: { requestid: 2, subscribe_id: 98765, timeout: 59, presence } }, 2),
    ).toBe(102);
    expect(
      await p.request({ subscribe: { requestid: 3, subscribe_id: 98765, timeout: 3600, presence } }, 3),
    ).toBe(0);
    const full = await p.next((m) => !!m.notify?.presence);
    expect(full.notify!.presence).toMatchObject({
      full: 1,
      entry: [{ presentity: '1002', lref: 5678, phonestate: 0 }],
    });
    p.ack(full);
    core.setDnd('bob@sim.example', true);
    const delta = await p.next((m) => !!m.notify?.presence);
    expect(delta.notify!.presence!.entry).toEqual([expect.objectContaining({ lref: 5678, sac: 1 })]);
    p.ack(delta);
    p.send({
      subscribecmd: {
        subscribe_id: 98765,
        presence: { add: [{ presentity: '1003', lref: 5679 }], remove: [{ lref: 5678 }] },
      },
    });
    const added = await p.next((m) => !!m.notify?.presence);
    expect(added.notify!.presence!.entry!.map((e) => e.lref)).toEqual([5679]);
  });

  it('sends nothing more on a subscription until its numbered Notify is acknowledged', async () => {
    const p = await connected();
    const dir = await lines(p);
    expect(
      await p.request(
        {
          subscribe: { requestid: 2, subscribe_id: 7000, user: { guid: dir.get('bob')!.guid, flags: 0x02 } },
        },
        2,
      ),
    ).toBe(0);
    const first = await p.next((m) => m.notify?.subscribe_id === 7000);
    expect(first.notify!.notify_id).toBe(1);
    expect(first.notify!.user).toMatchObject({ extn: '1002', name: 'bob', fullname: 'Bob Brown' });
    core.setDnd('bob@sim.example', true);
    expect(await p.none((m) => m.notify?.subscribe_id === 7000, 200)).toBe(true);
    p.ack(first);
    const second = await p.next((m) => m.notify?.subscribe_id === 7000);
    expect(second.notify).toMatchObject({ notify_id: 2, user: { dnd: true } });
  });

  it('terminates a subscription when its timeout runs out, and a refresh extends it', async () => {
    await fe.stop();
    await start({ timeoutUnitMs: 50 });
    const p = await connected();
    await lines(p);
    expect(
      await p.request(
        { subscribe: { requestid: 2, subscribe_id: 7500, timeout: 4, queue: { name: 'sales', flags: 2 } } },
        2,
      ),
    ).toBe(0);
    p.ack(await p.next((m) => m.notify?.subscribe_id === 7500));
    expect(await p.request({ subscribe: { requestid: 3, subscribe_id: 7500, timeout: 8 } }, 3)).toBe(0);
    const started = Date.now();
    const t = await p.next((m) => !!m.subscribeterminated, 2000);
    expect(t.subscribeterminated!.subscribe_id).toBe(7500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(
      await p.request(
        { subscribecmd: { requestid: 4, subscribe_id: 7500, queue: { setvoicemail: { enabled: true } } } },
        4,
      ),
    ).toBe(101);
  });

  it('subscribes to a queue by name and reports its members', async () => {
    const p = await connected();
    expect(
      await p.request(
        {
          subscribe: {
            requestid: 2,
            subscribe_id: 7500,
            queue: { flags: 0x3, ccflags: 0x40039, name: 'Sales' },
          },
        },
        2,
      ),
    ).toBe(0);
    const n = await p.next((m) => m.notify?.subscribe_id === 7500);
    expect(n.notify!.queue).toMatchObject({
      extn: '2001',
      name: 'sales',
      queuemembers: {
        member: [
          { extn: '1003', disabled: true },
          { extn: '1004', disabled: true },
        ],
      },
    });
    p.ack(n);
    expect(
      await p.request(
        { subscribecmd: { requestid: 3, subscribe_id: 7500, queue: { addmember: [{ extn: '1003' }] } } },
        3,
      ),
    ).toBe(0);
    expect(core.getUser('carol@sim.example')!.agent!.state).toBe('available');
    const m = await p.next((x) => !!x.notify?.queue);
    expect(m.notify!.queue!.queuemembers!.member![0]).toEqual({ extn: '1003' });
  });

  it('sets mailbox counters with short code 70', async () => {
    const p = await connected();
    const dir = await lines(p);
    expect(
      await p.request(
        {
          subscribe: { requestid: 2, subscribe_id: 7000, user: { guid: dir.get('alice')!.guid, flags: 0x1 } },
        },
        2,
      ),
    ).toBe(0);
    p.ack(await p.next((m) => m.notify?.subscribe_id === 7000));
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 3,
            subscribe_id: 7000,
            user: { shortcodedata: [{ code: 70, val: ';3,0,0' }] },
          },
        },
        3,
      ),
    ).toBe(0);
    const n = await p.next((m) => !!m.notify?.user);
    expect(n.notify!.user!.mailbox).toEqual({ newmessages: 3 });
  });

  it('answers getversioninfo with GeneralData', async () => {
    const p = await connected();
    p.send({ generalcmd: { requestid: 3000, getversioninfo: {} } });
    expect((await p.next()).generaldata).toEqual({
      responseid: 3000,
      versioninfo: 'IP Office 11.1.0.0 build 600',
    });
  });
});

describe('MTCTI-3 front-end: call control', () => {
  async function userSub(p: Peer, dir: Map<string, LinesEntry>, name: string, id: number) {
    expect(
      await p.request(
        {
          subscribe: { requestid: id, subscribe_id: id, user: { guid: dir.get(name)!.guid, ccflags: 0x99 } },
        },
        id,
      ),
    ).toBe(0);
    p.ack(await p.next((m) => m.notify?.subscribe_id === id && !!m.notify.user));
    const cc = await p.next((m) => m.notify?.subscribe_id === id && !!m.notify.callcontrol);
    expect(cc.notify!.callcontrol!.callinfo).toBeUndefined(); // no calls yet
  }
  const callinfo = (p: Peer, sub: number, state: string) =>
    p.next(
      (m) =>
        m.notify?.subscribe_id === sub && !!m.notify.callcontrol?.callinfo?.some((c) => c.state === state),
    );

  it('MakeCall: RequestResponse, then snapshots carrying the referencecallid; the called user rings', async () => {
    const p = await connected();
    const dir = await lines(p);
    await userSub(p, dir, 'alice', 10);
    await userSub(p, dir, 'bob', 11);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 20,
            subscribe_id: 10,
            callcontrol: { callid: 5, referencecallid: 77, makecall: { target: '1002' } },
          },
        },
        20,
      ),
    ).toBe(5002);
    expect(
      await p.request(
        { subscribecmd: { requestid: 21, subscribe_id: 10, callcontrol: { makecall: { target: '1002' } } } },
        21,
      ),
    ).toBe(5002);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 22,
            subscribe_id: 10,
            callcontrol: { referencecallid: 77, makecall: { target: '1002' } },
          },
        },
        22,
      ),
    ).toBe(0);
    const states: string[] = [];
    for (const s of ['DIALLING', 'DIALLED', 'RINGBACK']) {
      const m = await callinfo(p, 10, s);
      const c = m.notify!.callcontrol!.callinfo![0]!;
      expect(c.referencecallid).toBe(77);
      expect(c.direction).toBe('OUTBOUND');
      expect(m.notify!.notify_id).toBeUndefined(); // call notifies are not numbered
      states.push(c.state!);
    }
    expect(states).toEqual(['DIALLING', 'DIALLED', 'RINGBACK']);
    const ring = (await callinfo(p, 11, 'RINGING')).notify!.callcontrol!.callinfo![0]!;
    expect(ring.callingparty).toMatchObject({ number: '1001', name: 'Alice Anders' });
    expect(ring.featuresavailable).toBe(0x2023); // DROP ANSWER REDIRECT TAG
    // hold is not available while ringing: refused (the document: ignored)
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 23,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: { action: 'HoldCall' } },
          },
        },
        23,
      ),
    ).toBe(609);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 24,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: { action: 'AnswerCall' } },
          },
        },
        24,
      ),
    ).toBe(0);
    const up = (await callinfo(p, 11, 'CONNECTED')).notify!.callcontrol!.callinfo![0]!;
    expect(Buffer.from(up.gcid!).equals(Buffer.from(ring.gcid!))).toBe(true);
    const bad = (fn: Record<string, unknown>, id: number) =>
      p.request(
        {
          subscribecmd: {
            requestid: id,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: fn },
          },
        },
        id,
      );
    expect(await bad({ action: 'GenerateDigits', arg1: '12A' }, 30)).toBe(608);
    expect(await bad({ action: 'GenerateDigits', arg1: '1'.repeat(33) }, 31)).toBe(608);
    expect(await bad({ action: 'BlindTransfer', arg1: '1'.repeat(79) }, 32)).toBe(608);
    expect(await bad({ action: 'BlindTransfer', arg1: '' }, 33)).toBe(608);
    expect(await bad({ action: 'GenerateDigits', arg1: '12#' }, 34)).toBe(0);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 40,
            subscribe_id: 11,
            callcontrol: { callid: 999, callfunction: { action: 'DropCall' } },
          },
        },
        40,
      ),
    ).toBe(4);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 41,
            subscribe_id: 11,
            callcontrol: { callid: 999, callfunction: { action: 'HoldCall' } },
          },
        },
        41,
      ),
    ).toBe(602);
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 42,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: { action: 'DropCall' } },
          },
        },
        42,
      ),
    ).toBe(0);
    const lost = await p.next((m) => m.notify?.subscribe_id === 10 && !!m.notify.callcontrol?.calllost);
    expect(lost.notify!.callcontrol!.calllost![0]).toMatchObject({ referencecallid: 77, reason: 16 });
  });

  it('SetupTransfer holds the call pending transfer and dials; CompleteTransfer loses both calls in one notify', async () => {
    const p = await connected();
    const dir = await lines(p);
    await userSub(p, dir, 'bob', 11);
    const caller = core.dial('alice@sim.example', '1002');
    const ring = (await callinfo(p, 11, 'RINGING')).notify!.callcontrol!.callinfo![0]!;
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 1,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: { action: 'AnswerCall' } },
          },
        },
        1,
      ),
    ).toBe(0);
    await callinfo(p, 11, 'CONNECTED');
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 2,
            subscribe_id: 11,
            callcontrol: { callid: ring.callid, callfunction: { action: 'SetupTransfer', arg1: '1003' } },
          },
        },
        2,
      ),
    ).toBe(0);
    const held = (await callinfo(p, 11, 'ONHOLDPENDTRANSFER')).notify!.callcontrol!.callinfo!.find(
      (c) => c.state === 'ONHOLDPENDTRANSFER',
    )!;
    expect(held.callid).toBe(ring.callid);
    const assistant = (await callinfo(p, 11, 'RINGBACK')).notify!.callcontrol!.callinfo!.find(
      (c) => c.state === 'RINGBACK',
    )!;
    expect(assistant.relatedcallid).toBe(ring.callid);
    const carol = core.listLegs({ userId: 'carol@sim.example' })[0]!;
    core.answer(carol.id);
    await p.next(
      (m) =>
        m.notify?.subscribe_id === 11 &&
        !!m.notify.callcontrol?.callinfo?.some(
          (c) => c.callid === assistant.callid && c.state === 'CONNECTED',
        ),
    );
    // no callinst: the relatedcallid names the other call
    expect(
      await p.request(
        {
          subscribecmd: {
            requestid: 3,
            subscribe_id: 11,
            callcontrol: { callid: assistant.callid, callfunction: { action: 'CompleteTransfer' } },
          },
        },
        3,
      ),
    ).toBe(0);
    const both = await p.next((m) => m.notify?.subscribe_id === 11 && !!m.notify.callcontrol?.calllost);
    expect(both.notify!.callcontrol!.calllost!.map((l) => l.callid).sort()).toEqual(
      [ring.callid, assistant.callid].sort(),
    );
    expect(core.getLeg(caller.id)!.remote.number).toBe('1003');
  });
});
