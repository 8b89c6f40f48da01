/**
 * Queue control and disposition codes on the wire, against a scripted Xsp: the requests as the §9.4
 * flows give them (type, method, uri template, params, ACDPromote payload), Get ACD answers read
 * leniently (any prefix, order, OCR spellings), vendor errors kept; and the ACD events of the flows
 * mapped (transferred → queue.call.removed; promoted, reordered, disposition code → nothing).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_FAMILIES, parseEventData } from '../../../../shared/events/model.js';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import { CallMapper } from '../../../../vendors/broadworks-cti/driver/mapper.js';
import { parseInbound } from '../../../../vendors/broadworks-cti/driver/messages.js';
import { child, textOf } from '../../../../vendors/broadworks-cti/wire/index.js';
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { VendorError, type Driver } from '../../../../vendors/driver-kit/seam.js';
import { FakeXsp, Recorder, eventXml, linkConfig, response } from './helpers.js';

const ACD = 'ACD_CTI1@broadsoft.com';
const AGENT = 'agentA1@broadsoft.com';
const XSI = 'http://schema.broadsoft.com/xsi';

let server: FakeXsp;
let rec: Recorder;
let driver: Driver | undefined;

beforeEach(async () => {
  server = await FakeXsp.start();
  rec = new Recorder();
});

afterEach(async () => {
  await driver?.close();
  driver = undefined;
  await server.stop();
});

async function connected(): Promise<Driver> {
  driver = createBroadWorksCtiDriver(standaloneContext(linkConfig(server.endpoint), rec.hooks, rec.logger));
  await driver.connect();
  return driver;
}

const sent = (type: string) => {
  const r = server.requests(type).at(-1)!;
  const p = child(r.root, 'payload');
  return {
    line: `${textOf(p, 'method')} ${textOf(p, 'uri')!.replace('/com.broadsoft.xsi-actions/v2.0', '')}`,
    params: r.params,
    text: r.text,
  };
};

describe('broadworks-cti queue requests', () => {
  it('sends the flows’ requests and answers once BroadWorks responded', async () => {
    const d = await connected();
    server.handlers.ACDPromoteCallRequest = (req) =>
      response(req.requestId, 200, `<QueueCallOrder xmlns="${XSI}"><position>2</position></QueueCallOrder>`);
    server.handlers.ACDReorderCallRequest = (req) =>
      response(req.requestId, 200, `<QueueCallOrder xmlns="${XSI}"><position>1</position></QueueCallOrder>`);
    const call = 'callhalf-59645:0';
    await expect(d.execute({ kind: 'promoteQueueCall', queue: ACD, call })).resolves.toEqual({});
    await expect(d.execute({ kind: 'reorderQueueCall', queue: ACD, call, position: 1 })).resolves.toEqual({});
    await d.execute({ kind: 'removeQueueCall', queue: ACD, call, to: '6001011' });
    await d.execute({ kind: 'removeQueueCall', queue: ACD, call });
    await d.execute({ kind: 'tagDisposition', user: AGENT, call: 'callhalf-24855:0', code: 'Promotion' });

    expect(sent('ACDPromoteCallRequest')).toMatchObject({
      line: 'PUT /callcenter/%subscriberId%/calls/%callId%/promote',
      params: { subscriberId: ACD, callId: call },
    });
    expect(sent('ACDPromoteCallRequest').text).toContain(
      `<payload><ACDPromote xmlns="${XSI}"><priority>0-Highest</priority></ACDPromote></payload>`,
    );
    expect(sent('ACDReorderCallRequest')).toMatchObject({
      line: 'PUT /callcenter/%subscriberId%/calls/%callId%/reorder?%index%',
      params: { subscriberId: ACD, callId: call, index: '1' },
    });
    expect(sent('ACDBlindTransferRequest')).toMatchObject({
      line: 'PUT /callcenter/%callcenterId%/calls/%callId%/blindtransfer?%phoneno%',
      params: { callcenterId: ACD, callId: call, phoneno: '6001011' },
    });
    expect(sent('ACDReleaseCallRequest')).toMatchObject({
      line: 'DELETE /callcenter/%callcenterId%/calls/%callId%',
      params: { callcenterId: ACD, callId: call },
    });
    expect(sent('TagDispositionCodeRequest')).toMatchObject({
      line: 'PUT /user/%subscriberId%/calls/%callId%/adddispositioncode/%codename%',
      params: { subscriberId: AGENT, callId: 'callhalf-24855:0', codename: 'Promotion' },
    });
    await expect(
      d.execute({ kind: 'reorderQueueCall', queue: ACD, call, position: 0 }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('lists a Get ACD answer read by name, in the order given', async () => {
    const d = await connected();
    server.handlers.GetACDRequest = (req) =>
      response(
        req.requestId,
        200,
        `<ACDQueue xmlns="${XSI}"><queueEntries>` +
          // reordered fields, OCR's callld, a user caller without an address
          `<queueEntry><acdName>ACD_CTI1_Name</acdName><addTime>1271776555321</addTime>` +
          `<remoteParty><name>N1</name><address>tel:+15007003333</address><callType>Network</callType></remoteParty>` +
          `<callld>callhalf-1:0</callld><extTrackingId>354:1</extTrackingId><acdNumber>tel:+15006001027</acdNumber>` +
          `<acdPriority>0-Highest</acdPriority><addTimeInPriorityBucket>1271776586140</addTimeInPriorityBucket></queueEntry>` +
          `<queueEntry><callId>callhalf-2:0</callId><remoteParty><userDN>1013</userDN></remoteParty>` +
          `<acdNumber>tel:+15006001027</acdNumber></queueEntry>` +
          `</queueEntries></ACDQueue>`,
      );
    await expect(d.execute({ kind: 'listQueueCalls', queue: ACD })).resolves.toEqual({
      calls: [
        {
          id: 'callhalf-1:0',
          position: 1,
          from: 'tel:+15007003333',
          fromName: 'N1',
          dnis: 'tel:+15006001027',
          dnisName: 'ACD_CTI1_Name',
          enteredAt: new Date(1271776555321).toISOString(),
          priority: 0,
        },
        { id: 'callhalf-2:0', position: 2, from: '1013', dnis: 'tel:+15006001027' },
      ],
    });
    expect(sent('GetACDRequest')).toMatchObject({
      line: 'GET /callcenter/%callcenterId%/calls',
      params: { callcenterId: ACD },
    });
    server.handlers.GetACDRequest = (req) => response(req.requestId, 200, `<ACDQueue xmlns="${XSI}"/>`);
    await expect(d.execute({ kind: 'listQueueCalls', queue: ACD })).resolves.toEqual({ calls: [] });
    server.handlers.GetACDRequest = (req) =>
      response(req.requestId, 400, '', 'User is not a call center.', '110203');
    const err = await d.execute({ kind: 'listQueueCalls', queue: ACD }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({
      status: 404,
      vendor: { name: 'broadworks-cti', code: '110203', status: 400 },
    });
  });
});

describe('broadworks-cti ACD events (§9.4 flows)', () => {
  const entry = (extra = '') =>
    `<xsi:queueEntry><xsi:callId>callhalf-59645:0</xsi:callId><xsi:extTrackingId>354:1</xsi:extTrackingId>` +
    `<xsi:remoteParty><xsi:name>N1</xsi:name><xsi:address>tel:+15007003333</xsi:address><xsi:callType>Network</xsi:callType></xsi:remoteParty>` +
    `<xsi:addTime>1271776555321</xsi:addTime>${extra}<xsi:acdName>ACD_CTI1_2_Name</xsi:acdName>` +
    `<xsi:acdNumber>tel:+15006001027</xsi:acdNumber><xsi:acdPriority>0-Highest</xsi:acdPriority></xsi:queueEntry>`;
  let n = 0;
  const ev = (target: string, type: string, body: string) => {
    const m = parseInbound(
      eventXml({ requestId: `4:${9270 + ++n}`, eventId: `e-${n}`, seq: n, targetId: target, type, body }),
    );
    if (m.kind !== 'event') throw new Error(m.kind);
    return m.event;
  };

  it('maps a transfer out of the queue to queue.call.removed; promotions, reorders and codes to nothing', () => {
    const m = new CallMapper();
    const ctx = (id: string) => ({
      target: { type: 'queue' as const, id },
      families: new Set(EVENT_FAMILIES),
    });
    const drafts = [
      ev(ACD, 'ACDCallPromotedEvent', `${entry()}<xsi:position>2</xsi:position>`),
      ev(ACD, 'ACDCallReorderedEvent', `${entry('<xsi:reordered/>')}<xsi:position>1</xsi:position>`),
      ev(
        AGENT,
        'AgentDispositionCodeAddedEvent',
        '<xsi:dispositionCode>Promotion</xsi:dispositionCode><xsi:callId>callhalf-24855:0</xsi:callId>',
      ),
      ev(
        ACD,
        'ACDCallTransferredEvent',
        `${entry('<xsi:removeTime>1271770576187</xsi:removeTime>')}<xsi:redirect><xsi:address>tel:6001011</xsi:address><xsi:reason>transfer</xsi:reason><xsi:redirectTime>1271770576187</xsi:redirectTime></xsi:redirect>`,
      ),
    ].flatMap((e) => {
      expect(e.type).toBeDefined();
      return m.map(e, ctx(e.targetId!));
    });
    expect(drafts.map((d) => d.type)).toEqual(['queue.call.removed']);
    expect(drafts[0]!.data).toEqual({
      queue: { id: ACD },
      call: {
        id: 'callhalf-59645:0',
        correlationId: '354:1',
        remote: { address: 'tel:+15007003333', name: 'N1' },
        reason: 'transferred',
      },
    });
    parseEventData(drafts[0]!.type, drafts[0]!.data);
  });
});
