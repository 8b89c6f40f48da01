/**
 * The IP Office CTI WebServices mapper (vendors/avaya-ipo-cti/driver/mapper.ts): the document's own
 * samples (copied from the specification text, cited by line) and hand-built event frames in the shape
 * of those samples in, normalized drafts out. Every draft is checked against the event model. The
 * tables these tests follow are in docs/protocols/avaya-ipo-cti.md, "Mapping (CSTA → event model)".
 */
import { describe, expect, it } from 'vitest';
import {
  EVENT_FAMILIES,
  parseEventData,
  type EventDraft,
  type EventFamily,
  type Target,
} from '../../../../shared/events/model.js';
import { IpoMapError, IpoMapper } from '../../../../vendors/avaya-ipo-cti/driver/mapper.js';
import {
  agentStateOf,
  causeClass,
  forwardingKind,
  releaseCauseName,
} from '../../../../vendors/avaya-ipo-cti/driver/mapper-codes.js';
import { LEG_MAX_IDLE_MS } from '../../../../vendors/avaya-ipo-cti/driver/mapper-calls.js';
import { CONF_MAX_IDLE_MS } from '../../../../vendors/avaya-ipo-cti/driver/mapper-conference.js';
import { additionalInfoOf } from '../../../../vendors/avaya-ipo-cti/driver/mapper-csta.js';
import { QUEUED_MAX, QUEUED_MAX_AGE_MS } from '../../../../vendors/avaya-ipo-cti/driver/mapper-queues.js';
import { parseEventsFrame, type WireEvent } from '../../../../vendors/avaya-ipo-cti/wire/events.js';
import { asciiToHex } from '../../../../vendors/avaya-ipo-cti/wire/hex.js';
import { IpoXmlError, parseXml } from '../../../../vendors/avaya-ipo-cti/wire/xml.js';
import { REFERENCE } from '../../../scenarios/suite.js';
import { prng } from '../../../support/prng.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NAMES: Record<string, string> = {
  '1001': 'alice',
  '1002': 'bob',
  '1003': 'carol',
  '1004': 'dave',
  '2001': 'sales',
};

/** A mapper whose link watches every user and queue (every family, unless `families` narrows them). */
function mapper(opts: { families?: EventFamily[]; only?: string[]; now?: () => Date } = {}): IpoMapper {
  const families = new Set(opts.families ?? EVENT_FAMILIES);
  return new IpoMapper({
    now: opts.now ?? (() => NOW),
    contextOf: (t: Target) =>
      t.id !== undefined && (!opts.only || opts.only.includes(t.id)) ? { target: t, families } : undefined,
  });
}

/** `who type state` lines (the scenario suite's form); every draft is validated first. */
function lines(drafts: EventDraft[]): string[] {
  return drafts.map((d) => {
    parseEventData(d.type, d.data);
    expect(d.vendor.name).toBe('avaya-ipo-cti');
    const data = d.data as Record<string, any>;
    const state =
      data.call?.state ??
      data.agent?.state ??
      data.conference?.state ??
      (data.enabled === undefined ? '' : data.enabled ? 'on' : 'off');
    const id = d.target.id ?? d.target.type;
    return `${NAMES[id] ?? id} ${d.type}${state ? ` ${state}` : ''}`;
  });
}
const dataOf = (d: EventDraft | undefined) => d?.data as Record<string, any>;

// ------------------------------------------------------------------ the document's samples

interface Sample {
  label: string;
  /** First and last line in the specification text (004_30ce2f74e7abacc5.txt). */
  line: number;
  end: number;
  text: string;
}

/**
 * The PDF text dump wraps long lines: a line that ends without white space continues on the next one
 * (inside a UUID, a hex string, a tag name); a line that ends with a space ends there. Real traffic
 * has no such wraps. Three wraps in the OutOfService/BackInService namespace declarations fall after a
 * space (`x \nmlns`, `ecma \n-323`, `com.ava \nya`) and are joined by name.
 */
function unwrapPdf(text: string): string {
  const fixed = [
    [' x \nmlns:', ' xmlns:'],
    ['ecma \n-323', 'ecma-323'],
    ['com.ava \nya.', 'com.avaya.'],
  ].reduce((t, [a, b]) => t.split(a!).join(b!), text);
  return fixed.replace(/(\S)\n[ \t]*/g, '$1');
}

/** A sample by its first line. */
function sample(line: number): Sample {
  const s = SAMPLES.find((x) => x.line === line);
  if (!s) throw new Error(`no sample at L${line}`);
  return s;
}

/**
 * The events of a sample, as the driver would get them: the frame read by the wire reader. A sample
 * that is a fragment (`<Event device>` without `Events`, L5215) is put in an `Events` frame.
 */
function eventsOf(line: number): WireEvent[] {
  let text = unwrapPdf(sample(line).text);
  if (/^\s*<ns2:Event /.test(text)) text = `<Events>${text}</Events>`;
  return parseEventsFrame(text).events;
}

/** Maps every event of a sample (owner: the device user whose session carried bare events). */
function mapSample(m: IpoMapper, line: number, owner?: string): EventDraft[] {
  return eventsOf(line).flatMap((e) => m.map(e, owner));
}

// ------------------------------------------------------------------ hand-built events (sample shape)

const IP = '127.0.0.1';
const CSTA = 'http://www.ecma-international.org/standards/ecma-323/csta/ed4';
const OPENAPI = 'http://openapi.common.avaya.com/';

const dev = (role: string, n: string) =>
  `<ns2:${role}><ns2:deviceIdentifier switchingSubDomainInformationElements="${asciiToHex(IP)}" typeOfNumber="dialingNumber">${n}</ns2:deviceIdentifier></ns2:${role}>`;
const conn = (role: string, id: string) => `<ns2:${role}><ns2:callID>${id}</ns2:callID></ns2:${role}>`;
const linkage = (id: string | undefined) =>
  id === undefined
    ? ''
    : `<ns2:callLinkageData><ns2:globalCallData><ns2:globalCallSwitchingSubDomainName>${IP}</ns2:globalCallSwitchingSubDomainName><ns2:globalCallLinkageID><ns2:globallyUniqueCallLinkageID>${id}</ns2:globallyUniqueCallLinkageID></ns2:globalCallLinkageID></ns2:globalCallData></ns2:callLinkageData>`;
const hexString = (role: string, s: string) =>
  `<ns2:${role}><ns2:string>${asciiToHex(s)}</ns2:string></ns2:${role}>`;
const extensions = (...infos: string[]) =>
  `<ns2:extensions><ns2:privateData><ns2:private>${infos.join('')}</ns2:private></ns2:privateData></ns2:extensions>`;
const callInfo = (calling: [string, string], called: [string, string]) =>
  `<additionalInfo stringData="EXTENDEDSERVICES" intValue="4" booleanFlag="true"><additionalCallInfo><callingPartyInfo callerName="${calling[1]}" external="false" number="${calling[0]}"/><calledPartyInfo callerName="${called[1]}" external="false" number="${called[0]}"/><callDuration>0</callDuration></additionalCallInfo></additionalInfo>`;
const eventInfo = (ms: number) =>
  `<additionalInfo stringData="EXTENDEDSERVICES" intValue="6" booleanFlag="true"><additionalEventInfo zone="+0:00" timestamp="${ms}"/></additionalInfo>`;

interface Opts {
  link?: string;
  cause?: string;
  redirected?: string;
  ext?: string;
}
const tail = (o: Opts) => `<ns2:cause>${o.cause ?? 'normal'}</ns2:cause>${linkage(o.link)}${o.ext ?? ''}`;

/** CSTA call events in the sample's element order; `link` is the globallyUniqueCallLinkageID. */
const E = {
  initiated: (id: string, d: string, o: Opts = {}) =>
    `<ns2:ServiceInitiatedEvent><ns2:monitorCrossRefID>m-${d}</ns2:monitorCrossRefID>${conn('initiatedConnection', id)}${dev('initiatingDevice', d)}<ns2:localConnectionInfo>initiated</ns2:localConnectionInfo>${hexString('correlatorData', id)}${tail(o)}</ns2:ServiceInitiatedEvent>`,
  originated: (id: string, from: string, to: string, o: Opts = {}) =>
    `<ns2:OriginatedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('originatedConnection', id)}${dev('callingDevice', from)}${dev('calledDevice', to)}<ns2:localConnectionInfo>connected</ns2:localConnectionInfo>${tail(o)}</ns2:OriginatedEvent>`,
  delivered: (id: string, alerting: string, from: string, to: string, o: Opts = {}) =>
    `<ns2:DeliveredEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('connection', id)}${dev('alertingDevice', alerting)}${dev('callingDevice', from)}${dev('calledDevice', to)}<ns2:lastRedirectionDevice><ns2:numberDialed typeOfNumber="dialingNumber">${o.redirected ?? ''}</ns2:numberDialed></ns2:lastRedirectionDevice><ns2:localConnectionInfo>connected</ns2:localConnectionInfo>${tail(o)}</ns2:DeliveredEvent>`,
  established: (id: string, answering: string, from: string, to: string, o: Opts = {}) =>
    `<ns2:EstablishedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('establishedConnection', id)}${dev('answeringDevice', answering)}${dev('callingDevice', from)}${dev('calledDevice', to)}<ns2:localConnectionInfo>connected</ns2:localConnectionInfo>${tail(o)}</ns2:EstablishedEvent>`,
  held: (id: string, holding: string, o: Opts = {}) =>
    `<ns2:HeldEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('heldConnection', id)}${dev('holdingDevice', holding)}<ns2:localConnectionInfo>null</ns2:localConnectionInfo>${tail(o)}</ns2:HeldEvent>`,
  retrieved: (id: string, retrieving: string, o: Opts = {}) =>
    `<ns2:RetrievedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('retrievedConnection', id)}${dev('retrievingDevice', retrieving)}<ns2:localConnectionInfo>null</ns2:localConnectionInfo>${tail(o)}</ns2:RetrievedEvent>`,
  cleared: (id: string, releasing: string, o: Opts = {}) =>
    `<ns2:ConnectionClearedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('droppedConnection', id)}${dev('releasingDevice', releasing)}<ns2:localConnectionInfo>null</ns2:localConnectionInfo>${tail(o)}</ns2:ConnectionClearedEvent>`,
  failed: (id: string, failing: string, from: string, o: Opts = {}) =>
    `<ns2:FailedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('failedConnection', id)}${dev('failingDevice', failing)}${dev('callingDevice', from)}${dev('calledDevice', failing)}<ns2:localConnectionInfo>connected</ns2:localConnectionInfo>${tail(o)}</ns2:FailedEvent>`,
  queued: (id: string, queue: string, from: string, o: Opts = {}) =>
    `<ns2:QueuedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('queuedConnection', id)}${dev('queue', queue)}${dev('callingDevice', from)}${dev('calledDevice', queue)}<ns2:localConnectionInfo>queued</ns2:localConnectionInfo>${tail(o)}</ns2:QueuedEvent>`,
  transfered: (o: {
    primary: string;
    secondary?: string;
    by: string;
    to: string;
    items: [newCall: string, device: string][];
  }) =>
    `<ns2:TransferedEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${conn('primaryOldCall', o.primary)}${o.secondary ? conn('secondaryOldCall', o.secondary) : ''}${dev('transferringDevice', o.by)}${dev('transferredToDevice', o.to)}<ns2:transferredConnections>${o.items
      .map(
        ([id, d]) =>
          `<ns2:connectionListItem>${conn('newConnection', id)}<ns2:endpoint><ns2:deviceID>${d}</ns2:deviceID></ns2:endpoint></ns2:connectionListItem>`,
      )
      .join(
        '',
      )}</ns2:transferredConnections><ns2:localConnectionInfo>null</ns2:localConnectionInfo><ns2:cause>transfer</ns2:cause></ns2:TransferedEvent>`,
  conferenced: (confId: string, controller: string, items: [id: string, device: string, flow?: string][]) =>
    `<ns2:ConferencedEvent><ns2:monitorCrossRefID>c</ns2:monitorCrossRefID><ns2:primaryOldCall><ns2:callID/></ns2:primaryOldCall><ns2:secondaryOldCall><ns2:callID/></ns2:secondaryOldCall>${dev('conferencingDevice', controller)}${
      items.length
        ? `<ns2:conferenceConnections>${items
            .map(
              ([id, d, flow]) =>
                `<ns2:connectionListItem>${conn('newConnection', id)}<ns2:endpoint><ns2:deviceID>${d}</ns2:deviceID></ns2:endpoint><ns2:resultingConnectionInfo><ns2:flowDirection>${flow ?? 'transmitAndReceive'}</ns2:flowDirection></ns2:resultingConnectionInfo></ns2:connectionListItem>`,
            )
            .join('')}</ns2:conferenceConnections>`
        : ''
    }<ns2:localConnectionInfo>${items.length ? 'connected' : 'null'}</ns2:localConnectionInfo>${hexString('correlatorData', confId)}${hexString('userData', 'Conf 100')}<ns2:cause>conference</ns2:cause></ns2:ConferencedEvent>`,
  agent: (name: string, d: string) =>
    `<ns2:${name}><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${dev('agentDevice', d)}<ns2:acdGroup>2001</ns2:acdGroup><ns2:cause>normal</ns2:cause></ns2:${name}>`,
  dnd: (d: string, on: boolean) =>
    `<ns2:DoNotDisturbEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${dev('device', d)}<ns2:doNotDisturbOn>${on}</ns2:doNotDisturbOn><ns2:callingDeviceList/></ns2:DoNotDisturbEvent>`,
  forwarding: (d: string, on: boolean, to = '', type = 'forwardImmediate') =>
    `<ns2:ForwardingEvent><ns2:monitorCrossRefID>m</ns2:monitorCrossRefID>${dev('device', d)}<ns2:forwardingType>${type}</ns2:forwardingType><ns2:forwardStatus>${on}</ns2:forwardStatus><ns2:forwardTo typeOfNumber="dialingNumber">${to}</ns2:forwardTo></ns2:ForwardingEvent>`,
};

/** An application-user frame: each event in `<Event device="…">` (Appendix A, L8616-8687). */
function frame(events: [device: string, xml: string][]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ns3:Events clientSessionId="s1" xmlns:ns2="${CSTA}" xmlns:ns3="${OPENAPI}">${events
    .map(([d, x]) => `<ns3:Event device="${d}">${x}</ns3:Event>`)
    .join('')}</ns3:Events>`;
}

/** A device-user frame: bare events (Appendix A, L8570-8615). */
function bare(...xml: string[]): string {
  return `<ns3:Events xmlns:ns2="${CSTA}" xmlns:ns3="${OPENAPI}">${xml.join('')}</ns3:Events>`;
}

/** Feeds application-user frames (one per step) and returns the lines. */
function run(m: IpoMapper, steps: [device: string, xml: string][]): string[] {
  return lines(steps.flatMap((s) => parseEventsFrame(frame([s])).events.flatMap((e) => m.map(e))));
}

const A = 'a5bba1cb-b174-441d-8914-125469439de5'; // alice's leg: the MakeCall correlator (L2203, L3539)
const B = 'b-leg-0001';
const C = 'c-leg-0001';
const D = 'd-leg-0001';
const X = 'x-leg-0001';

/** alice (1001) calls bob (1002); both legs carry the linkage of alice's leg. */
const dial = (to = '1002', leg = B, id = A): [string, string][] => [
  ['1001', E.initiated(id, '1001', { link: id })],
  ['1001', E.originated(id, '1001', to, { link: id })],
  ['1001', E.delivered(id, to, '1001', to, { link: id })],
  [to, E.delivered(leg, to, '1001', to, { link: id })],
];
const answer = (to = '1002', leg = B, id = A): [string, string][] => [
  [to, E.established(leg, to, '1001', to, { link: id })],
  ['1001', E.established(id, to, '1001', to, { link: id })],
];

describe("the document's samples (digest §7, §5): parsed with the wire reader, mapped", () => {
  it("S7 Delivered (L3523), Held (L3832), Retrieved (L3943), ConnectionCleared (L3351): one call on 201's monitor", () => {
    const m = mapper();
    const delivered = mapSample(m, 3523, '201');
    expect(lines(delivered)).toEqual(['201 call.originated alerting']);
    expect(dataOf(delivered[0])).toEqual({
      call: {
        id: A,
        correlationId: A, // globallyUniqueCallLinkageID (L3597)
        state: 'alerting',
        direction: 'outbound',
        local: { user: '201', address: '201' },
        remote: { address: '202' },
        startedAt: NOW.toISOString(),
      },
    });
    expect(delivered[0]!.target).toEqual({ type: 'user', id: '201' });
    expect(delivered[0]!.vendor).toEqual({ name: 'avaya-ipo-cti', event: 'DeliveredEvent' });
    const rest = [3832, 3943, 3351].flatMap((l) => mapSample(m, l, '201'));
    expect(lines(rest)).toEqual([
      '201 call.answered held',
      '201 call.held held',
      '201 call.retrieved active',
      '201 call.released released',
    ]);
    expect(dataOf(rest[3]).call).toMatchObject({
      id: A,
      releaseCause: 'normal',
      releasedAt: NOW.toISOString(),
    });
    expect(m.callsOf('201')).toEqual([]);
  });

  it('S7 Delivered on the alerting device (202): call.received, remote the caller', () => {
    const d = mapSample(mapper(), 3523, '202');
    expect(lines(d)).toEqual(['202 call.received alerting']);
    expect(dataOf(d[0]).call).toMatchObject({
      direction: 'inbound',
      remote: { address: '201' },
      correlationId: A,
    });
  });

  it('ServiceInitiated (L4229): the correlatorData is the hex of the callID (L4244-4255); Originated (L4055)', () => {
    const m = mapper();
    const si = mapSample(m, 4229, '301');
    expect(lines(si)).toEqual(['301 call.originated dialing']);
    expect(dataOf(si[0]).call).toMatchObject({
      id: 'b299cce1-53bf-4988-889e-3615748e6d35',
      remote: { address: '' },
    });
    const node = eventsOf(4229)[0]!.node;
    const hex = node.children.find((c) => c.name === 'correlatorData')!.children[0]!.text;
    expect(Buffer.from(hex.replace(/\s+/g, ''), 'hex').toString()).toBe(
      'b299cce1-53bf-4988-889e-3615748e6d35',
    );
    const or = mapSample(m, 4055, '201');
    expect(lines(or)).toEqual(['201 call.originated dialing']);
    expect(dataOf(or[0]).call).toMatchObject({
      id: '45bf3d57-829e-4dd7-923e-f255d7a77100',
      direction: 'outbound',
      remote: { address: '202' },
    });
  });

  it('Established (L3621) of a call never seen: created and answered, alertingObserved false', () => {
    const d = mapSample(mapper(), 3621, '201');
    expect(lines(d)).toEqual(['201 call.originated active', '201 call.answered active']);
    expect(dataOf(d[1]).call).toMatchObject({
      id: '195c1046-1702-475f-892d-ef11ef0606fc',
      correlationId: '195c1046-1702-475f-892d-ef11ef0606fc',
      remote: { address: '202' },
      answeredAt: NOW.toISOString(),
      alertingObserved: false,
    });
  });

  it('Failed (L3746, failedConnetion) and the Appendix A device-user frame (L8582): released with callCancelled', () => {
    const m = mapper();
    const id = 'f628829f-d1dd-47cb-b743-619ceceac51c';
    expect(
      lines(parseEventsFrame(bare(E.originated(id, '201', '209'))).events.flatMap((e) => m.map(e, '201'))),
    ).toEqual(['201 call.originated dialing']);
    expect(mapSample(m, 3746, '201')).toEqual([]);
    const cleared = mapSample(m, 8582, '201');
    expect(lines(cleared)).toEqual(['201 call.released released']);
    expect(dataOf(cleared[0]).call.releaseCause).toBe('call-cancelled');
  });

  it('a Failed with a cause names the release that follows', () => {
    const m = mapper();
    const f = (x: string) => parseEventsFrame(bare(x)).events.flatMap((e) => m.map(e, '201'));
    f(E.originated('f1', '201', '209'));
    expect(f(E.failed('f1', '209', '201', { cause: 'busy' }))).toEqual([]);
    expect(dataOf(f(E.cleared('f1', '201'))[0]).call.releaseCause).toBe('busy');
  });

  it('Conferenced samples (device="conference"): created (L2921), dropped (L3046), added (L3141), S8 ended (L3245); later ones ignored (L3241)', () => {
    const m = mapper();
    const created = mapSample(m, 2921);
    expect(lines(created)).toEqual(['bob conference.started active']);
    expect(dataOf(created[0])).toEqual({
      conference: {
        id: '5abfcdb9-a430-4a08-a332-eef9ae7723e7',
        state: 'active',
        calls: ['602a4a33-4c9e-4791-90a3-8c1859910917', 'mSmpgMPFEd+AaQBQVqk1zw=='],
        parties: [
          { address: '123456', name: '123456' },
          { address: '1001', name: 'Charudatta Brahme' },
        ],
      },
      local: { user: '1002' },
    });
    const dropped = mapSample(m, 3046);
    expect(lines(dropped)).toEqual(['bob conference.updated active']);
    expect(dataOf(dropped[0]).conference).toMatchObject({
      calls: ['mSmpgMPFEd+AaQBQVqk1zw=='],
      parties: [{ address: '1001', name: 'Charudatta Brahme' }],
    });
    const added = mapSample(m, 3141);
    expect(lines(added)).toEqual(['bob conference.started active']);
    expect(dataOf(added[0]).conference).toMatchObject({
      id: '0342a2ca-28ef-4e30-9818-d4363b58b8e9',
      parties: [{ address: '1003', name: 'Amey Rokde' }],
    });
    const ended = mapSample(m, 3245);
    expect(lines(ended)).toEqual(['bob conference.released released']);
    expect(dataOf(ended[0]).conference).toEqual({
      id: '0342a2ca-28ef-4e30-9818-d4363b58b8e9',
      state: 'released',
      calls: ['AEeDAMPGEd+A0gBQVqk1zw=='],
      parties: [{ address: '1003', name: 'Amey Rokde' }],
    });
    expect(mapSample(m, 3245)).toEqual([]);
    expect(mapSample(m, 3141)).toEqual([]);
    // an end never preceded by its start (a fresh mapper): nothing
    expect(mapSample(mapper(), 3245)).toEqual([]);
  });

  it('S3 logoutEvent (L1495), S4 OutOfService (L1533, unterminated), BackInService (L1602), S9 HASwitch (L8354), the failover OutOfService (L8398): no event of the model', () => {
    const m = mapper();
    for (const l of [1495, 1533, 1602, 8354, 8398]) {
      const evs = eventsOf(l);
      expect(evs.length, `L${l}`).toBeGreaterThan(0);
      for (const e of evs) expect(m.map(e, '1201'), `L${l}`).toEqual([]);
    }
    expect(eventsOf(1533)[0]).toMatchObject({ device: '1201', name: 'OutOfServiceEvent' });
    // the phone logging off releases nothing by itself: the resync after BackInService reconciles
    run(m, [['1201', E.established('k1', '1201', '1201', '1202')]]);
    expect(mapSample(m, 1533)).toEqual([]);
    expect(m.callsOf('1201').map((c) => c.id)).toEqual(['k1']);
  });

  it('S1 login request (L764), S2 login response (L983), S5 MakeCall (L2183), S6 ClearConnection (L1861), S10 error (L8713): requests and answers, nothing', () => {
    const m = mapper();
    for (const l of [764, 983, 2183, 1861, 8713]) {
      let evs: WireEvent[] = [];
      try {
        evs = eventsOf(l);
      } catch (err) {
        expect(err).toBeInstanceOf(IpoXmlError);
      }
      for (const e of evs) expect(m.map(e, '201'), `L${l}`).toEqual([]);
    }
  });

  it('Forwarding (L5035) and DoNotDisturb (L5076): the first value is reported, repeats are not', () => {
    const m = mapper();
    const f = mapSample(m, 5035, '202');
    expect(lines(f)).toEqual(['202 service.forwarding off']);
    expect(dataOf(f[0])).toEqual({ user: '202', kind: 'always', enabled: false });
    expect(mapSample(m, 5035, '202')).toEqual([]);
    const d = mapSample(m, 5076, '202');
    expect(dataOf(d[0])).toEqual({ user: '202', enabled: false });
    expect(mapSample(m, 5076, '202')).toEqual([]);
  });

  it('AgentReady (L5118), AgentNotReady (L5169), AgentWorkingAfterCall (L5215, a fragment): agent.state', () => {
    const m = mapper();
    const out = [5118, 5169, 5215].flatMap((l) => mapSample(m, l));
    expect(lines(out)).toEqual([
      '1201 agent.state available',
      '1201 agent.state unavailable',
      '1201 agent.state wrap-up',
    ]);
    expect(dataOf(out[0])).toEqual({ agent: { id: '1201', state: 'available' } });
  });

  it('CallInformationEvent (L5296): the snapshot seeds the call silently; the same state again gives nothing', () => {
    const m = mapper();
    expect(mapSample(m, 5296)).toEqual([]);
    const id = 'da0ead04-8ca8-4694-bbd6-1a0bb8988b28';
    expect(m.call('1001', id)).toEqual({
      id,
      correlationId: id,
      state: 'active',
      direction: 'inbound',
      local: { user: '1001', address: '1001' },
      remote: { address: '1002', name: 'Sachin Chavan' },
      startedAt: new Date(1497041664699).toISOString(),
      answeredAt: new Date(1497041664699).toISOString(),
      alertingObserved: false,
    });
    expect(m.snapshot('1001', eventsOf(5296)[0]!.node)).toEqual([]);
    // the call is then held: a later snapshot reports the change
    const held = m.snapshot(
      '1001',
      parseXml(
        unwrapPdf(sample(5296).text)
          .replace('<ns2:holdCall>true', '<ns2:holdCall>false')
          .replace('<ns2:retrieveCall>false', '<ns2:retrieveCall>true'),
      ),
    );
    expect(lines(held)).toEqual(['alice call.updated held']);
  });

  it('Queued with cause park (L4140): the leg is parked, its release says so; the conference-leg ConnectionCleared (L3439) of an unknown leg gives nothing', () => {
    const m = mapper();
    const id = 'ba334100-601e-421f-a665-d3f30d776043';
    const f = (x: string) => parseEventsFrame(bare(x)).events.flatMap((e) => m.map(e, '303'));
    expect(lines(f(E.established(id, '303', '303', '304')))).toEqual([
      '303 call.originated active',
      '303 call.answered active',
    ]);
    expect(mapSample(m, 4140, '303')).toEqual([]);
    expect(dataOf(f(E.cleared(id, '303'))[0]).call.releaseCause).toBe('parked');
    expect(mapSample(m, 3439, '303')).toEqual([]);
  });

  it('the Appendix A application-user frame (L8640, curly quotes): Hookswitch is no event, the clear of an unknown leg neither', () => {
    const evs = eventsOf(8640);
    expect(evs.map((e) => [e.device, e.name])).toEqual([
      ['1009', 'HookswitchEvent'],
      ['1001', 'ConnectionClearedEvent'],
    ]);
    const m = mapper();
    for (const e of evs) expect(m.map(e)).toEqual([]);
  });
});

describe('the shared scenario suite: REFERENCE sequences from CSTA event flows', () => {
  const hangUp = (first: [string, string], second: [string, string]): [string, string][] => [
    [first[0], E.cleared(first[1], '1001', { link: A })],
    [second[0], E.cleared(second[1], '1001', { link: A })],
  ];

  it('basic', () => {
    const out = run(mapper(), [...dial(), ...answer(), ...hangUp(['1002', B], ['1001', A])]);
    expect(out).toEqual(REFERENCE.basic);
  });

  it('hold', () => {
    const out = run(mapper(), [
      ...dial(),
      ...answer(),
      ['1002', E.held(B, '1002')],
      ['1001', E.held(A, '1002')],
      ['1002', E.retrieved(B, '1002')],
      ['1001', E.retrieved(A, '1002')],
      ...hangUp(['1001', A], ['1002', B]),
    ]);
    expect(out).toEqual(REFERENCE.hold);
  });

  it('hold: the far end is told once, whether or not its own monitor reports the hold', () => {
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    // only the holding device's monitor reports it: the far end's call.updated comes from the same call
    expect(run(m, [['1002', E.held(B, '1002')]])).toEqual([
      'bob call.held held',
      'alice call.updated active',
    ]);
    // the far end's own Held (holdingDevice = bob) then adds nothing
    expect(run(m, [['1001', E.held(A, '1002')]])).toEqual([]);
    expect(run(m, [['1001', E.retrieved(A, '1002')]])).toEqual(['alice call.updated active']);
    expect(run(m, [['1002', E.retrieved(B, '1002')]])).toEqual(['bob call.retrieved active']);
    expect(m.call('1001', A)?.state).toBe('active');
  });

  it('blind-transfer (singleStepTransfer: the cause names it)', () => {
    const sst = { link: A, cause: 'singleStepTransfer', redirected: '1002' };
    const m = mapper();
    const out = run(m, [
      ...dial(),
      ...answer(),
      ['1002', E.cleared(B, '1002', sst)],
      ['1001', E.delivered(A, '1003', '1001', '1003', sst)],
      ['1003', E.delivered(C, '1003', '1001', '1003', sst)],
      ['1003', E.established(C, '1003', '1001', '1003', { link: A })],
      ['1001', E.established(A, '1003', '1001', '1003', { link: A })],
      ...hangUp(['1001', A], ['1003', C]),
    ]);
    expect(out).toEqual(REFERENCE['blind-transfer']);
  });

  it('blind transfer: the transferred call carries the transfer and the new far end', () => {
    const sst = { link: A, cause: 'singleStepTransfer', redirected: '1002' };
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    const out = [
      ['1002', E.cleared(B, '1002', sst)],
      ['1001', E.delivered(A, '1003', '1001', '1003', sst)],
      ['1003', E.delivered(C, '1003', '1001', '1003', sst)],
    ].flatMap(([d, x]) => parseEventsFrame(frame([[d!, x!]])).events.flatMap((e) => m.map(e)));
    expect(dataOf(out[0])).toMatchObject({
      transfer: { mode: 'blind' },
      call: { releaseCause: 'transferred' },
    });
    expect(dataOf(out[2])).toMatchObject({
      transfer: { mode: 'blind', to: '1003' },
      call: { via: { type: 'transfer' } },
    });
    expect(dataOf(out[3]).call).toMatchObject({
      correlationId: A,
      via: { type: 'transfer' },
      remote: { address: '1001' },
    });
  });

  it('a TransferedEvent naming one call twice (primary = secondary) is blind; the ConnectionCleared that follows adds nothing', () => {
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    const xfer = E.transfered({ primary: B, secondary: B, by: '1002', to: '1003', items: [[B, '1001']] });
    const out = [
      ['1002', xfer],
      ['1002', E.cleared(B, '1002', { cause: 'transfer' })],
    ].flatMap(([d, x]) => parseEventsFrame(frame([[d!, x!]])).events.flatMap((e) => m.map(e)));
    expect(lines(out)).toEqual(['bob call.transferred released', 'bob call.released released']);
    expect(dataOf(out[0]).transfer).toEqual({ mode: 'blind', to: '1003' });
  });

  it('consult-transfer (TransferedEvent)', () => {
    const m = mapper();
    const xfer = E.transfered({
      primary: B,
      secondary: D,
      by: '1002',
      to: '1003',
      items: [
        [A, '1001'],
        [C, '1003'],
      ],
    });
    const out = run(m, [
      ...dial(),
      ...answer(),
      ['1002', E.held(B, '1002')],
      ['1001', E.held(A, '1002')],
      ['1002', E.initiated(D, '1002', { link: D })],
      ['1002', E.originated(D, '1002', '1003', { link: D })],
      ['1002', E.delivered(D, '1003', '1002', '1003', { link: D })],
      ['1003', E.delivered(C, '1003', '1002', '1003', { link: D })],
      ['1003', E.established(C, '1003', '1002', '1003', { link: D })],
      ['1002', E.established(D, '1003', '1002', '1003', { link: D })],
      ['1001', xfer],
      ['1003', xfer],
      ['1002', xfer],
      ...hangUp(['1001', A], ['1003', C]),
    ]);
    expect(out).toEqual(REFERENCE['consult-transfer']);
  });

  it('consult transfer: modes, new far ends, and the same consultation for both legs of the transferring user', () => {
    const m = mapper();
    run(m, [
      ...dial(),
      ...answer(),
      ['1002', E.held(B, '1002')],
      ['1002', E.initiated(D, '1002')],
      ['1002', E.delivered(D, '1003', '1002', '1003')],
      ['1003', E.delivered(C, '1003', '1002', '1003')],
      ['1003', E.established(C, '1003', '1002', '1003')],
      ['1002', E.established(D, '1003', '1002', '1003')],
    ]);
    // the transferring side reported by ConnectionCleared(cause transfer) instead of TransferedEvent
    const out = [
      ['1002', E.cleared(B, '1002', { cause: 'transfer' })],
      ['1002', E.cleared(D, '1002', { cause: 'transfer' })],
      ['1001', E.established(A, '1003', '1001', '1003')],
    ].flatMap(([d, x]) => parseEventsFrame(frame([[d!, x!]])).events.flatMap((e) => m.map(e)));
    expect(lines(out)).toEqual([
      'bob call.transferred released',
      'bob call.released released',
      'alice call.updated active', // the held leg left: alice is no longer held by bob
      'bob call.transferred released',
      'bob call.released released',
      'alice call.transferred active',
    ]);
    expect(dataOf(out[0]).transfer).toEqual({ mode: 'consult' });
    expect(dataOf(out[3]).transfer).toEqual({ mode: 'consult' });
    expect(dataOf(out[5])).toMatchObject({
      transfer: { mode: 'consult', to: '1003' },
      call: { remote: { address: '1003' } },
    });
  });

  it('conference, without the reference\'s "alice call.updated held/active" before conference.started', () => {
    const m = mapper();
    const E1 = 'e-leg-0001';
    const out = run(m, [
      ...dial(),
      ...answer(),
      ['1001', E.held(A, '1001')],
      ['1002', E.held(B, '1001')],
      ...dial('1003', C, E1),
      ...answer('1003', C, E1),
      [
        'conference',
        E.conferenced('conf-1', '1001', [
          ['p1', '1001'],
          ['p2', '1002'],
          ['p3', '1003'],
        ]),
      ],
      ['1002', E.retrieved(B, '1001')],
      ['1002', E.cleared(B, '1001')],
      ['1001', E.cleared(A, '1001')],
      ['1003', E.cleared(C, '1001')],
      ['1001', E.cleared(E1, '1001')],
      ['conference', E.conferenced('conf-1', '1001', [])],
    ]);
    const ref = REFERENCE.conference!;
    expect(ref.slice(14, 16)).toEqual(['alice call.updated held', 'alice call.updated active']);
    expect(out).toEqual([...ref.slice(0, 14), ...ref.slice(16)]);
  });

  it("conference data: the controller's legs as calls, the parties, and the end when fewer than two legs remain", () => {
    const m = mapper();
    const E1 = 'e-leg-0001';
    run(m, [
      ...dial(),
      ...answer(),
      ['1001', E.held(A, '1001')],
      ...dial('1003', C, E1),
      ...answer('1003', C, E1),
    ]);
    const started = m.map(
      parseEventsFrame(
        frame([
          [
            'conference',
            E.conferenced('conf-1', '1001', [
              ['p1', '1001'],
              ['p2', '1002'],
              ['p3', '1003'],
            ]),
          ],
        ]),
      ).events[0]!,
    );
    expect(dataOf(started[0])).toEqual({
      conference: {
        id: 'conf-1',
        state: 'active',
        calls: [A, E1],
        parties: [{ address: '1002' }, { address: '1003' }],
      },
      local: { user: '1001' },
    });
    expect(dataOf(started[1]).call).toMatchObject({ id: A, state: 'active' });
    // a participant drops (flowDirection none): updated, bob no longer a party
    const dropped = m.map(
      parseEventsFrame(frame([['conference', E.conferenced('conf-1', '1001', [['p2', '1002', 'none']])]]))
        .events[0]!,
    );
    expect(lines(dropped)).toEqual(['alice conference.updated active']);
    expect(dataOf(dropped[0]).conference.parties).toEqual([{ address: '1003' }]);
  });

  it('services', () => {
    const fwd = { link: A, cause: 'callForwardImmediate', redirected: '1002' };
    const out = run(mapper(), [
      ['1002', E.dnd('1002', true)],
      ['1002', E.dnd('1002', false)],
      ['1002', E.forwarding('1002', true, '1003')],
      ...dial(),
      ['1003', E.delivered(C, '1003', '1001', '1002', fwd)],
      ['1002', E.cleared(B, '1002', fwd)],
      ['1001', E.delivered(A, '1003', '1001', '1002', fwd)],
      ['1003', E.cleared(C, '1001', { link: A })],
      ['1001', E.cleared(A, '1001', { link: A })],
      ['1002', E.forwarding('1002', false)],
    ]);
    expect(out).toEqual(REFERENCE.services);
  });

  it('services data: forwarding target, forwarded calls', () => {
    const fwd = { link: A, cause: 'callForwardImmediate', redirected: '1002' };
    const m = mapper();
    const on = run(m, [['1002', E.forwarding('1002', true, '1003')]]);
    expect(on).toEqual(['bob service.forwarding on']);
    run(m, dial());
    const out = [
      ['1003', E.delivered(C, '1003', '1001', '1002', fwd)],
      ['1002', E.cleared(B, '1002', fwd)],
      ['1001', E.delivered(A, '1003', '1001', '1002', fwd)],
    ].flatMap(([d, x]) => parseEventsFrame(frame([[d!, x!]])).events.flatMap((e) => m.map(e)));
    expect(dataOf(out[0]).call).toMatchObject({ via: { type: 'forwarded' }, correlationId: A });
    expect(dataOf(out[1])).toMatchObject({
      reason: 'callForwardImmediate',
      call: { releaseCause: 'forwarded' },
    });
    expect(dataOf(out[3])).toMatchObject({
      forwardedTo: '1003',
      call: { via: { type: 'forwarded' }, state: 'alerting' },
    });
  });

  it('agent-states', () => {
    const out = run(
      mapper(),
      [
        'AgentLoggedOnEvent',
        'AgentReadyEvent',
        'AgentNotReadyEvent',
        'AgentWorkingAfterCallEvent',
        'AgentReadyEvent',
        'AgentLoggedOffEvent',
      ].map((n) => ['1004', E.agent(n, '1004')] as [string, string]),
    );
    expect(out).toEqual(REFERENCE['agent-states']);
  });

  it('acd', () => {
    const Q = 'q-call-0001';
    const caller = '+15550100';
    const m = mapper();
    const out = run(m, [
      ['1003', E.agent('AgentReadyEvent', '1003')],
      ['2001', E.queued(Q, '2001', caller, { cause: 'newCall', link: Q })],
      ['1003', E.delivered(C, '1003', caller, '2001', { link: Q })],
      ['1003', E.established(C, '1003', caller, '2001', { link: Q })],
      ['1003', E.cleared(C, '1003', { link: Q })],
    ]);
    expect(out).toEqual(REFERENCE.acd);
  });

  it("acd data: position, the offered agent, the queue as via; the group device's own events; abandon", () => {
    const Q = 'q-call-0001';
    const caller = '+15550100';
    const m = mapper();
    const step = (d: string, x: string) => parseEventsFrame(frame([[d, x]])).events.flatMap((e) => m.map(e));
    const added = step('2001', E.queued(Q, '2001', caller, { cause: 'newCall', link: Q }));
    expect(added[0]!.target).toEqual({ type: 'queue', id: '2001' });
    expect(dataOf(added[0])).toEqual({
      queue: { id: '2001' },
      call: { id: Q, correlationId: Q, remote: { address: caller }, position: 1 },
    });
    // the group device's Delivered to the agent is the offer; the agent's own Delivered does not repeat it
    expect(lines(step('2001', E.delivered(Q, '1003', caller, '2001', { link: Q })))).toEqual([
      'sales queue.call.offered',
    ]);
    const rec = step('1003', E.delivered(C, '1003', caller, '2001', { link: Q }));
    expect(lines(rec)).toEqual(['carol call.received alerting']);
    expect(dataOf(rec[0]).call).toMatchObject({ via: { type: 'queue', id: '2001' }, correlationId: Q });
    const ans = step('1003', E.established(C, '1003', caller, '2001', { link: Q }));
    expect(dataOf(ans[0])).toMatchObject({ call: { agent: '1003' } });
    // a second caller hangs up while queued (the group device's clear): abandoned
    step('2001', E.queued('q2', '2001', '+15550111', { cause: 'newCall' }));
    const ab = step('2001', E.cleared('q2', '+15550111', { cause: 'normal' }));
    expect(lines(ab)).toEqual(['sales queue.call.abandoned']);
    expect(dataOf(ab[0]).call).toMatchObject({ id: 'q2', reason: 'normal' });
  });
});

describe('queues: entries that no event removes are bounded', () => {
  const steps = (m: IpoMapper) => (d: string, x: string) =>
    parseEventsFrame(frame([[d, x]])).events.flatMap((e) => m.map(e));

  it('a queued call that left unseen (to voicemail: no event) is forgotten after QUEUED_MAX_AGE_MS', () => {
    let now = NOW.getTime();
    const m = mapper({ now: () => new Date(now) });
    const step = steps(m);
    step('2001', E.queued('q1', '2001', '+15550100', { cause: 'newCall' }));
    step('2001', E.queued('q2', '2001', '+15550111', { cause: 'newCall' }));
    // an hour on, a call of the first caller reaching an agent is still taken for its queued call
    now += 60 * 60 * 1000;
    expect(lines(step('1003', E.delivered(C, '1003', '+15550100', '1003')))).toEqual([
      'sales queue.call.offered',
      'carol call.received alerting',
    ]);
    // the second one went to voicemail long ago: its caller's next call is a plain call
    now = NOW.getTime() + QUEUED_MAX_AGE_MS + 1;
    const rec = step('1004', E.delivered(D, '1004', '+15550111', '1004'));
    expect(lines(rec)).toEqual(['dave call.received alerting']);
    expect(dataOf(rec[0]).call.via).toBeUndefined();
  });

  it('beyond QUEUED_MAX queued calls the oldest goes', () => {
    const m = mapper();
    const step = steps(m);
    const from = (i: number) => `+1555${String(i).padStart(6, '0')}`;
    let added: EventDraft[] = [];
    for (let i = 0; i <= QUEUED_MAX; i++)
      added = step('2001', E.queued(`q${i}`, '2001', from(i), { cause: 'newCall', link: `q${i}` }));
    expect(dataOf(added[0]).call).toMatchObject({ id: `q${QUEUED_MAX}`, position: QUEUED_MAX });
    expect(lines(step('1003', E.delivered(C, '1003', from(0), '2001', { link: 'q0' })))).toEqual([
      'carol call.received alerting',
    ]);
    expect(lines(step('1004', E.delivered(D, '1004', from(1), '2001', { link: 'q1' })))).toEqual([
      'sales queue.call.offered',
      'dave call.received alerting',
    ]);
  });
});

describe('conferences: one whose end was lost is bounded', () => {
  it('a conference not updated for CONF_MAX_IDLE_MS is forgotten: a later event starts it anew', () => {
    let now = NOW.getTime();
    const m = mapper({ now: () => new Date(now) });
    // none of alice's legs is cached: only the ending Conferenced could end it, and that one is lost
    const conf = E.conferenced('conf-1', '1001', [
      ['p2', '1002'],
      ['p3', '1003'],
    ]);
    expect(run(m, [['conference', conf]])).toEqual(['alice conference.started active']);
    // an hour on, a repeat is still a repeat
    now += 60 * 60 * 1000;
    expect(run(m, [['conference', conf]])).toEqual([]);
    // a day without an update: it was dropped, so the same event is news again
    now += CONF_MAX_IDLE_MS + 1;
    expect(run(m, [['conference', conf]])).toEqual(['alice conference.started active']);
  });
});

describe('call legs: one whose release was lost is bounded', () => {
  it('a leg no event touched for LEG_MAX_IDLE_MS is forgotten: a later event maps as a call not seen', () => {
    const start = NOW.getTime();
    let now = start;
    // the link watches alice only: no resync reconciles bob's legs, it keeps them all the same
    const m = mapper({ only: ['1001'], now: () => new Date(now) });
    run(m, [...dial(), ...answer()]);
    // both ConnectionCleared are lost (the link was down); half a day on, alice holds her leg
    now = start + LEG_MAX_IDLE_MS / 2;
    expect(run(m, [['1001', E.held(A, '1001', { link: A })]])).toEqual(['alice call.held held']);
    // a day after bob's last event, any event drops his leg; alice's was touched since
    now = start + LEG_MAX_IDLE_MS + 1;
    expect(run(m, [['1003', E.dnd('1003', true)]])).toEqual([]);
    expect(m.callsOf('1002')).toEqual([]);
    expect(m.callsOf('1001').map((c) => c.state)).toEqual(['held']);
    // over a day after alice's hold hers goes too; its later events are those of a call not seen before
    now = start + LEG_MAX_IDLE_MS * 2;
    expect(run(m, [['1002', E.cleared(B, '1002')]])).toEqual([]);
    expect(m.callsOf('1001')).toEqual([]);
    expect(run(m, [['1001', E.retrieved(A, '1001', { link: A })]])).toEqual([
      'alice call.originated active',
      'alice call.answered active',
    ]);
    expect(run(m, [['1001', E.cleared(A, '1001')]])).toEqual(['alice call.released released']);
    expect(m.callsOf('1001')).toEqual([]);
  });
});

describe('correlation: one correlationId for every leg of one call', () => {
  it('the globallyUniqueCallLinkageID both legs carry', () => {
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    expect(m.call('1001', A)?.correlationId).toBe(A);
    expect(m.call('1002', B)?.correlationId).toBe(A);
  });

  it("no linkage: the callee leg takes the correlation of the caller's ringing leg to it; else its callID", () => {
    const m = mapper();
    run(m, [
      ['1001', E.originated(A, '1001', '1002')],
      ['1001', E.delivered(A, '1002', '1001', '1002')],
      ['1002', E.delivered(B, '1002', '1001', '1002')],
      ['1003', E.delivered(C, '1003', '1009', '1003')],
    ]);
    expect(m.call('1002', B)?.correlationId).toBe(A);
    expect(m.call('1003', C)?.correlationId).toBe(C);
  });

  it("a linkage equal to the leg's own callID (per-leg linkage) does not split the call; a different later one moves it", () => {
    const m = mapper();
    run(m, [
      ['1001', E.originated(A, '1001', '1002', { link: A })],
      ['1001', E.delivered(A, '1002', '1001', '1002', { link: A })],
      ['1002', E.delivered(B, '1002', '1001', '1002', { link: B })],
      ['1002', E.established(B, '1002', '1001', '1002', { link: B })],
    ]);
    expect(m.call('1002', B)?.correlationId).toBe(A);
    run(m, [['1002', E.held(B, '1002', { link: 'joined-9' })]]);
    expect(m.call('1002', B)?.correlationId).toBe('joined-9');
  });

  it("the callee's leg seen before the caller's (two sessions' sockets race): it takes the caller's correlation", () => {
    const m = mapper();
    run(m, [
      ['1002', E.delivered(B, '1002', '1001', '1002', { link: B })],
      ['1001', E.initiated(A, '1001', { link: A })],
      ['1001', E.originated(A, '1001', '1002', { link: A })],
    ]);
    expect(m.call('1002', B)?.correlationId).toBe(A);
    run(m, [['1002', E.established(B, '1002', '1001', '1002', { link: B })]]);
    expect(m.call('1002', B)?.correlationId).toBe(A);
  });

  it("a snapshot leg takes the correlation of the far end's cached leg of the same call", () => {
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    const info = (id: string, user: string, calling: string, called: string) =>
      parseXml(
        `<ns2:CallInformationEvent xmlns:ns2="${CSTA}">${conn('connection', id)}${dev('device', user)}${dev('callingDevice', calling)}${dev('calledDevice', called)}<ns2:localConnectionInfo>connected</ns2:localConnectionInfo>${linkage(id)}</ns2:CallInformationEvent>`,
      );
    // bob's session logged in again: its leg comes back in a snapshot, with its own id as linkage
    m.releaseStale('1002', new Set(), 'resync');
    m.snapshot('1002', info('b-leg-0002', '1002', '1001', '1002'));
    expect(m.call('1002', 'b-leg-0002')?.correlationId).toBe(A);
    // a known leg keeps its correlation when a snapshot repeats its own id as linkage
    m.snapshot('1001', info(A, '1001', '1001', '1002'));
    expect(m.call('1001', A)?.correlationId).toBe(A);
  });

  it('the "no call linkage" placeholder (L4198) is no linkage', () => {
    const m = mapper();
    run(m, [['1003', E.delivered(X, '1003', '1009', '1003', { link: 'no call linkage' })]]);
    expect(m.call('1003', X)?.correlationId).toBe(X);
  });
});

describe('codes, hex fields, AdditionalInfo', () => {
  it('causes: release names in kebab case, classes for transfer, forwarding, park', () => {
    expect(releaseCauseName('normal')).toBe('normal');
    expect(releaseCauseName('callCancelled')).toBe('call-cancelled');
    expect(releaseCauseName('numberUnallocated')).toBe('number-unallocated');
    expect(releaseCauseName(undefined)).toBe('normal');
    expect(releaseCauseName('null')).toBe('normal');
    expect(causeClass('singleStepTransfer')).toBe('transfer');
    expect(causeClass('transfer')).toBe('transfer');
    expect(causeClass('callForwardBusy')).toBe('forward');
    expect(causeClass('park')).toBe('park');
    expect(causeClass('conference')).toBe('conference');
    expect(causeClass('normal')).toBe('other');
  });

  it('agent events and forwarding types', () => {
    expect(agentStateOf('AgentLoggedOnEvent')).toBe('sign-in');
    expect(agentStateOf('AgentLoggedOffEvent')).toBe('sign-out');
    expect(agentStateOf('AgentBusyEvent')).toBeUndefined();
    expect(forwardingKind('forwardImmediate')).toBe('always');
    expect(forwardingKind('forwardBusyInt')).toBe('busy');
    expect(forwardingKind('forwardNoAns')).toBe('no-answer');
    expect(forwardingKind('forwardDND')).toBeUndefined();
  });

  it('hex-ASCII fields: the conference id from correlatorData, else userData when the correlator is not hex', () => {
    const m = mapper();
    const bad = E.conferenced('x', '1001', [['p2', '1002']]).replace(asciiToHex('x'), 'XYZ');
    const out = run(m, [['conference', bad]]);
    expect(out).toEqual(['alice conference.started active']);
    const d = m.map(parseEventsFrame(frame([['conference', bad.replace('p2', 'p9')]])).events[0]!);
    expect(dataOf(d[0]).conference.id).toBe('Conf 100');
  });

  it('AdditionalInfo in any order and count, unknown intValues and contents skipped (L2899-2901)', () => {
    const infos = [
      eventInfo(1355129111283),
      '<additionalInfo stringData="EXTENDEDSERVICES" intValue="9" booleanFlag="true"><additionalFuture a="1"/></additionalInfo>',
      callInfo(['1201', 'Uday'], ['1202', 'Aditya']),
      '<additionalInfo stringData="EXTENDEDSERVICES" intValue="1" booleanFlag="true"/>',
      '<additionalInfo stringData="EXTENDEDSERVICES" intValue="7" booleanFlag="true"><additionalUserInfo fullname="John Doe" physicalExtension="1201" userExtension="1201" username="John"/></additionalInfo>',
    ];
    const read = (xs: string[]) =>
      additionalInfoOf(parseXml(`<DeliveredEvent xmlns:ns2="${CSTA}">${extensions(...xs)}</DeliveredEvent>`));
    const a = read(infos);
    const b = read([...infos].reverse());
    expect(a).toEqual(b);
    expect(a.calling).toEqual({ number: '1201', name: 'Uday', external: false });
    expect(a.called).toEqual({ number: '1202', name: 'Aditya', external: false });
    expect(a.at).toBe(new Date(1355129111283).toISOString());
    expect(a.user).toEqual({ fullName: 'John Doe', userExtension: '1201', physicalExtension: '1201' });
    expect(a.flags.get(1)).toBe(true);
    expect(read([]).participants).toEqual([]);
  });

  it('ADDITIONALCALLINFO names the far end; ADDITIONALEVENTINFO times the call', () => {
    const m = mapper();
    const ext = extensions(
      eventInfo(1700000000000),
      callInfo(['1001', 'Alice Anders'], ['1002', 'Bob Brown']),
    );
    const d = run(m, [['1002', E.delivered(B, '1002', '1001', '1002', { link: A, ext })]]);
    expect(d).toEqual(['bob call.received alerting']);
    expect(m.call('1002', B)).toMatchObject({
      remote: { address: '1001', name: 'Alice Anders' },
      startedAt: new Date(1700000000000).toISOString(),
    });
  });
});

describe('targets, families, snapshots, resync', () => {
  it('unwatched targets and families not asked for emit nothing, but the state is kept', () => {
    const m = mapper({ only: ['1002'], families: ['call'] });
    const out = run(m, [
      ...dial(),
      ['1002', E.agent('AgentReadyEvent', '1002')],
      ['1002', E.dnd('1002', true)],
    ]);
    expect(out).toEqual(['bob call.received alerting']);
    expect(m.callsOf('1001').map((c) => c.state)).toEqual(['alerting']);
  });

  it("a device user's bare events are the owner's; conference events reach only the controller", () => {
    const m = mapper();
    const f = (owner: string, ...xs: string[]) =>
      lines(parseEventsFrame(bare(...xs)).events.flatMap((e) => m.map(e, owner)));
    expect(f('1002', E.delivered(B, '1002', '1001', '1002'))).toEqual(['bob call.received alerting']);
    expect(f('1002', E.conferenced('c9', '1001', [['p', '1003']]))).toEqual([]);
    expect(f('1001', E.conferenced('c9', '1001', [['p', '1003']]))).toEqual([
      'alice conference.started active',
    ]);
  });

  it('snapshot: new calls silently, a changed state as call.updated, the same state as nothing; releaseStale ends the others', () => {
    const m = mapper();
    run(m, [...dial(), ...answer()]);
    const info = (id: string, state: string) =>
      parseXml(
        `<ns2:CallInformationEvent xmlns:ns2="${CSTA}">${conn('connection', id)}${dev('device', '1001')}${dev('callingDevice', '1001')}${dev('calledDevice', '1009')}<ns2:localConnectionInfo>${state}</ns2:localConnectionInfo></ns2:CallInformationEvent>`,
      );
    expect(m.snapshot('1001', info('new-1', 'connected'))).toEqual([]);
    expect(m.call('1001', 'new-1')).toMatchObject({
      state: 'alerting',
      direction: 'outbound',
      remote: { address: '1009' },
    });
    expect(lines(m.snapshot('1001', info(A, 'hold')))).toEqual(['alice call.updated held']);
    expect(m.snapshot('1001', info(A, 'hold'))).toEqual([]);
    const stale = m.releaseStale('1001', new Set(['new-1']), 'resync');
    expect(lines(stale)).toEqual(['alice call.released released']);
    expect(dataOf(stale[0]).call.releaseCause).toBe('resync');
    expect(stale[0]!.vendor.event).toBe('resync');
    expect(m.callsOf('1001').map((c) => c.id)).toEqual(['new-1']);
    // a late event for the released leg does not bring it back
    expect(run(m, [['1001', E.retrieved(A, '1001')]])).toEqual([]);
  });

  it('snapshot: the CSTA SnapshotDevice answer form (snapshotDeviceResponseInfo, localConnectionState)', () => {
    const m = mapper();
    const item = (id: string, state: string) =>
      `<ns2:snapshotDeviceResponseInfo><ns2:connectionIdentifier><ns2:callID>${id}</ns2:callID></ns2:connectionIdentifier><ns2:localCallState><ns2:compoundCallState><ns2:localConnectionState>${state}</ns2:localConnectionState></ns2:compoundCallState></ns2:localCallState></ns2:snapshotDeviceResponseInfo>`;
    const doc = (...xs: string[]) =>
      parseXml(
        `<ns2:SnapshotDeviceResponse xmlns:ns2="${CSTA}"><ns2:crossRefIDorSnapshotData><ns2:snapshotData>${xs.join('')}</ns2:snapshotData></ns2:crossRefIDorSnapshotData></ns2:SnapshotDeviceResponse>`,
      );
    expect(m.snapshot('1001', doc(item('s1', 'alerting'), item('s2', 'hold')))).toEqual([]);
    expect(m.callsOf('1001').map((c) => [c.id, c.state])).toEqual([
      ['s1', 'alerting'],
      ['s2', 'held'],
    ]);
    expect(lines(m.snapshot('1001', doc(item('s1', 'connected'), item('s2', 'hold'))))).toEqual([]);
    expect(lines(m.snapshot('1001', doc(item('s1', 'hold'))))).toEqual(['alice call.updated held']);
  });

  it("releaseStale releases a conference left with fewer than two of the controller's legs", () => {
    const m = mapper();
    const E1 = 'e-leg-0001';
    run(m, [...dial(), ...answer(), ...dial('1003', C, E1), ...answer('1003', C, E1)]);
    run(m, [
      [
        'conference',
        E.conferenced('conf-7', '1001', [
          ['p2', '1002'],
          ['p3', '1003'],
        ]),
      ],
    ]);
    expect(lines(m.releaseStale('1001', new Set([E1]), 'resync'))).toEqual([
      'alice call.released released',
      'alice conference.released released',
    ]);
  });
});

describe('robustness: unknown input is ignored, garbage throws only IpoMapError', () => {
  it('unknown events and unknown elements inside known events', () => {
    const m = mapper();
    const unknown = parseEventsFrame(
      frame([['1001', '<ns2:FutureEvent><ns2:x>1</ns2:x></ns2:FutureEvent>']]),
    ).events;
    expect(unknown.flatMap((e) => m.map(e))).toEqual([]);
    const withExtra = E.delivered(B, '1002', '1001', '1002', { link: A }).replace(
      '<ns2:cause>',
      '<ns2:futureField a="b"><ns2:deeper/></ns2:futureField><ns2:cause>',
    );
    expect(run(m, [['1002', withExtra]])).toEqual(['bob call.received alerting']);
    expect(run(m, [['1002', E.agent('AgentBusyEvent', '1002')]])).toEqual([]);
    expect(run(m, [['directory', '<ns3:directoryEvent/>']])).toEqual([]);
  });

  it('a call event without its connection, or without a device to attribute it to, is an IpoMapError', () => {
    const m = mapper();
    const noCall = parseEventsFrame(
      frame([['1001', '<ns2:DeliveredEvent><ns2:connection/></ns2:DeliveredEvent>']]),
    ).events[0]!;
    expect(() => m.map(noCall)).toThrow(IpoMapError);
    const noDevice = parseEventsFrame(bare(E.held(A, '1001'))).events[0]!;
    expect(() => m.map(noDevice)).toThrow(IpoMapError);
    try {
      m.map(noDevice);
    } catch (err) {
      expect((err as IpoMapError).event).toBe('HeldEvent');
    }
    // a structurally odd node is still an IpoMapError, never a TypeError
    const odd = {
      name: 'DeliveredEvent',
      node: { name: 'DeliveredEvent', attrs: {}, children: [null], text: '' },
    } as any;
    expect(() => m.map(odd, '1001')).toThrow(IpoMapError);
  });

  it('mutated samples map without throwing anything but IpoMapError, and give only valid drafts', () => {
    const rand = prng(0x1b0);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = [
      '<ns2:callID/>',
      '<',
      '"',
      '</ns2:connection>',
      '<ns2:cause>transfer</ns2:cause>',
      '<Event device="">',
    ];
    const m = mapper();
    let mapped = 0;
    let refused = 0;
    for (let n = 0; n < 1500; n++) {
      let text = unwrapPdf(pick(SAMPLES).text);
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const at = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.2) text = text.slice(0, at);
        else if (r < 0.7) text = text.slice(0, at) + pick(junk) + text.slice(at);
        else text = text.slice(0, at) + text.slice(at + Math.floor(rand() * 16));
      }
      let evs: WireEvent[];
      try {
        evs = parseEventsFrame(text).events;
      } catch (err) {
        expect(err).toBeInstanceOf(IpoXmlError);
        continue;
      }
      for (const e of evs) {
        try {
          lines(m.map(e, pick([undefined, '201', '1001'])));
          mapped++;
        } catch (err) {
          expect(err).toBeInstanceOf(IpoMapError);
          refused++;
        }
      }
    }
    expect(mapped).toBeGreaterThan(300);
    expect(refused).toBeGreaterThanOrEqual(0);
  });
});

// ------------------------------------------------------------------ sample texts

/**
 * The samples, copied from the specification text (first and last line given); the page-break lines
 * (page number, running header) inside a sample are left out, nothing else is changed.
 */
const SAMPLES: readonly Sample[] = [
  {
    label: 'S1 login request',
    line: 764,
    end: 787,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<ns:userLoginRequest xmlns:ns="http://openapi.common.avaya.com/" \nxmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"> \n<userName>username</userName> \n   <userPassword>password</userPassword> \n   <applicationName>appname</applicationName> \n    <loginSubscriptionRequest httpMethod="WEBSOCKET" callBackUrl=" "> \n <eventTypes>CapabilityExchangeServicesCallbackEvents</eventTypes> \n <eventTypes>MonitoringServicesCallbackEvents</eventTypes> \n <eventTypes>SnapshotServicesCallbackEvents</eventTypes> \n <eventTypes>CallControlFeaturesEvents</eventTypes> \n <eventTypes>CallAssociatedFeaturesEvents</eventTypes> \n <eventTypes>PhysicalDeviceFeaturesEvents</eventTypes> \n <eventTypes>LogicalDeviceFeaturesEvents</eventTypes> \n <eventTypes>DeviceMaintenanceEvents</eventTypes> \n <eventTypes>VoicemailServicesEvents</eventTypes> \n <eventTypes>RecordingServicesEvents</eventTypes> \n <eventTypes>CallLogEvents</eventTypes> \n <eventTypes>DirectoryEvents</eventTypes> \n <eventTypes>ImEvents</eventTypes> \n <eventTypes>PresenceEvents</eventTypes> \n <eventTypes>LogoutEvents</eventTypes> \n    </loginSubscriptionRequest> \n</ns:userLoginRequest> ',
  },
  {
    label: 'S2 device-user login response',
    line: 983,
    end: 1034,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:userLoginResponse xmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.inkaba.wstransfer" \nxmlns:ns5="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns12="http://ccragent.common.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://conferencing.common.avaya.com/" \nxmlns:ns7="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns10="http://com.avaya.common.csta.extended" \nxmlns:ns8="http://com.avaya.inkaba.dal" xmlns:ns11="http://voicemail.avaya.com/" \nxmlns:ns2="http://www.ecma-international.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://voicemail.common.avaya.com/" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n <applicationVersion>10.1.0.152</applicationVersion> \n <clientSessionID>c89c3bd9-9f6f-4e44-87a6-0797eb1fb976</clientSessionID> \n <userName>jdoe</userName> \n <userExtension>1001</userExtension> \n <userSwitchDevice>127.0.0.1</userSwitchDevice> \n <userParkSlots>1@127.0.0.1|2@127.0.0.1|3@127.0.0.1|4@127.0.0.1</userPar\nkSlots> \n <userHuntGroups/> \n <stationMonitorEnabled>false</stationMonitorEnabled> \n <inService>false</inService> \n <userMonitorID>3497757415048302301-127.0.0.1-1001</userMonitorID> \n <loginFailureCode>NONE</loginFailureCode> \n <xmppConnectionFailureCode>NONE</xmppConnectionFailureCode> \n <subscriptionUrl>ws://111.111.111.111:8080/</subscriptionUrl> \n <userLicensePackage>PowerUserPackage</userLicensePackage> \n <webSocketHttpPort>8080</webSocketHttpPort> \n <webSocketHttpsPort>9443</webSocketHttpsPort> \n <webSocketHttpPortEnabled>true</webSocketHttpPortEnabled> \n <webSocketHttpsPortEnabled>true</webSocketHttpsPortEnabled> \n <httpPort>8080</httpPort> \n <httpsPort>9443</httpsPort> \n <webSocketWsUrl>ws://111.111.111.111:8080/inyama/openapiwebsocket/c89c3\nbd9-9f6f-4e44-87a6-0797eb1fb976</webSocketWsUrl> \n <webSocketWssUrl>wss://111.111.111.111:9443/inyama/openapiwebsocket/c89\nc3bd9-9f6f-4e44-87a6-0797eb1fb976</webSocketWssUrl> \n <xmppDomain>IntelliporaPri</xmppDomain> \n</ns3:userLoginResponse> ',
  },
  {
    label: 'S3 logoutEvent',
    line: 1495,
    end: 1513,
    text: '<?xml version="1.0" encoding="UTF-8"?><ns2:Events \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns12="http://conferencing.avaya.com/" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/"> \n  <ns2:logoutEvent> \n    <logoutReason>LOGIN_DIFFERENT_LOCATION</logoutReason> \n  </ns2:logoutEvent> \n</ns2:Events> ',
  },
  {
    label: 'S4 OutOfServiceEvent (unterminated)',
    line: 1533,
    end: 1582,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<ns2:Events xmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns12="http://conferencing.avaya.com/" x \nmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma \n-323/csta/ed4" xmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns6="http://com.avaya.inkaba.dal" xmlns:ns7="http://com.ava \nya.inkaba.wstransfer" xmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/"> \n  <ns2:Event device="1201"> \n    <ns3:OutOfServiceEvent> \n      <ns3:monitorCrossRefID>3bfe063c-0f31-4a8b-a54e-\n11ffd34ae108</ns3:monitorCrossRefID> \n      <ns3:device> \n        <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131" \ntypeOfNumber="dialingNumber">1201</ns3:deviceIdentifier> \n      </ns3:device> \n      <ns3:cause>numberUnallocated</ns3:cause> \n      <ns3:extensions> \n        <ns3:privateData> \n          <ns3:string>3131312E3131312E3131312E313131</ns3:string> \n          <ns3:private> \n            <additionalInfo booleanFlag="true" intValue="6" \nstringData="EXTENDEDSERVICES"> \n              <additionalEventInfo timestamp="1355129320298"/> \n            </additionalInfo> \n            <additionalInfo booleanFlag="true" intValue="7" \nstringData="EXTENDEDSERVICES"> \n              <additionalUserInfo fullname="John Doe" physicalExtension="" \nuserExtension="1201" username="John"/> \n            </additionalInfo> \n          </ns3:private> \n        </ns3:privateData> \n      </ns3:extensions> \n    </ns3:OutOfServiceEvent> \n  </ns2:Event> ',
  },
  {
    label: 'BackInServiceEvent (unterminated)',
    line: 1602,
    end: 1642,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<ns2:Events xmlns:ns2="http://openapi.common.avaya.com/" \n xmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns12="http://conferencing.avaya.com/" x \nmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma \n-323/csta/ed4" xmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns6="http://com.avaya.inkaba.dal" xmlns:ns7="http://com.ava \nya.inkaba.wstransfer" xmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/"> \n  <ns2:Event device="1201"> \n    <ns3:BackInServiceEvent> \n      <ns3:monitorCrossRefID>3bfe063c-0f31-4a8b-a54e-\n11ffd34ae108</ns3:monitorCrossRefID> \n      <ns3:device> \n        <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131" \ntypeOfNumber="dialingNumber">1201</ns3:deviceIdentifier> \n      </ns3:device> \n      <ns3:cause>normal</ns3:cause> \n      <ns3:extensions> \n        <ns3:privateData> \n          <ns3:string>3131312E3131312E3131312E313131</ns3:string> \n          <ns3:private> \n            <additionalInfo booleanFlag="true" intValue="6" \nstringData="EXTENDEDSERVICES"> \n              <additionalEventInfo timestamp="1355129344502"/> \n            </additionalInfo> \n            <additionalInfo booleanFlag="true" intValue="7" \nstringData="EXTENDEDSERVICES"> \n              <additionalUserInfo fullname="John Doe" physicalExtension="1201" \nuserExtension="1201" username="John"/> \n            </additionalInfo> \n          </ns3:private> \n        </ns3:privateData> \n      </ns3:extensions> \n    </ns3:BackInServiceEvent>  ',
  },
  {
    label: 'S6 ClearConnection (conference participant)',
    line: 1861,
    end: 1882,
    text: '<ns3:ClearConnection xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4"> \n  <ns3:connectionToBeCleared> \n    <ns3:callID>Rj5hgDSrEdimEwDgBwVP9w==</ns3:callID> \n   </ns3:connectionToBeCleared> \n  <ns3:correlatorData>  \n<ns3:string>30623366393033362D323465372D343732652D626136612D65343832366\n4333965316465</ns3:string> \n  </ns3:correlatorData> \n  <ns3:reason>conference</ns3:reason> \n</ns3:ClearConnection> ',
  },
  {
    label: 'S5 MakeCall with CLI extension',
    line: 2183,
    end: 2224,
    text: '<ns2:MakeCall xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:callingDevice \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">201</ns2:callingDevice> \n  <ns2:calledDirectoryNumber \ntypeOfNumber="dialingNumber">202</ns2:calledDirectoryNumber> \n  <ns2:autoOriginate>doNotPrompt</ns2:autoOriginate> \n  <ns2:correlatorData>    \n<ns2:string>61356262613163622D623137342D343431642D383931342D31323534363\n9343339646535</ns2:string> \n  </ns2:correlatorData><ns2:mediaCallCharacteristics> \n  <ns2:mediaClass> \n    <ns2:voice>true</ns2:voice> \n  </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:subjectOfCall></ns2:subjectOfCall> \n<ns2:extensions> \n <ns2:privateData> \n  <ns2:private> \n   <additionalInfo booleanFlag="true" intValue="0" \nstringData="EXTENDEDSERVICES"> \n    <additionalCallRequestInfo> \n     <cliDisplayNumber>ABC123</cliDisplayNumber> \n     <withholdCli>true</withholdCli> \n    </additionalCallRequestInfo> \n   </additionalInfo> \n  </ns2:private> \n  </ns2:privateData> \n</ns2:extensions> \n</ns2:MakeCall> ',
  },
  {
    label: 'Conferenced: created',
    line: 2921,
    end: 3041,
    text: ' <?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="f6661a02-63f3-4820-aa79-5b7349534fc4" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns5="http://conferencing.avaya.com/" xmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns11="http://voicemail.common.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n  <ns3:Event device="conference"> \n    <ns2:ConferencedEvent> \n      <ns2:monitorCrossRefID>03747367-1976-4c27-b560-\ndcf9bf3f7dbe</ns2:monitorCrossRefID> \n      <ns2:primaryOldCall> \n        <ns2:callID/> \n      </ns2:primaryOldCall> \n      <ns2:secondaryOldCall> \n        <ns2:callID/> \n      </ns2:secondaryOldCall> \n      <ns2:conferencingDevice> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31">1002</ns2:deviceI\ndentifier> \n      </ns2:conferencingDevice> \n      <ns2:addedParty> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31" \nconnectionRate="0"/> \n      </ns2:addedParty> \n      <ns2:conferenceConnections> \n        <ns2:connectionListItem> \n          <ns2:newConnection> \n            <ns2:callID>2iGzAMPFEd+AmABQVqk1zw==</ns2:callID> \n          </ns2:newConnection> \n          <ns2:endpoint> \n            <ns2:deviceID>1002</ns2:deviceID> \n          </ns2:endpoint> \n          <ns2:resultingConnectionInfo> \n            <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n            <ns2:mediaSessionInfo>chavans</ns2:mediaSessionInfo> \n           </ns2:resultingConnectionInfo> \n        </ns2:connectionListItem> \n        <ns2:connectionListItem> \n          <ns2:newConnection> \n            <ns2:callID>602a4a33-4c9e-4791-90a3-8c1859910917</ns2:callID> \n          </ns2:newConnection> \n          <ns2:endpoint> \n            <ns2:deviceID>123456</ns2:deviceID> \n          </ns2:endpoint> \n          <ns2:resultingConnectionInfo> \n            <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n          </ns2:resultingConnectionInfo> \n        </ns2:connectionListItem> \n        <ns2:connectionListItem> \n          <ns2:newConnection> \n            <ns2:callID>mSmpgMPFEd+AaQBQVqk1zw==</ns2:callID> \n          </ns2:newConnection> \n          <ns2:endpoint> \n            <ns2:deviceID>1001</ns2:deviceID> \n          </ns2:endpoint> \n          <ns2:resultingConnectionInfo> \n            <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n            <ns2:mediaSessionInfo>charu</ns2:mediaSessionInfo> \n          </ns2:resultingConnectionInfo> \n        </ns2:connectionListItem> \n      </ns2:conferenceConnections> \n      <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n      <ns2:correlatorData> \n        \n<ns2:string>35616266636462392D613433302D346130382D613333322D65656639616\n5373732336537</ns2:string> \n      </ns2:correlatorData> \n      <ns2:userData> \n        <ns2:string>436F6E6620313030</ns2:string> \n      </ns2:userData> \n      <ns2:cause>conference</ns2:cause> \n      <ns2:servicesPermitted/> \n      <ns2:languagePreferences>3:0</ns2:languagePreferences> \n      <ns2:extensions> \n        <ns2:privateData> \n          <ns2:string>66616C7365</ns2:string> \n          <ns2:private> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="5" \nbooleanFlag="true"> \n              <additionalConferenceInfo> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \nparticipantFullName="Charudatta Brahme" participantName="charu" \nparticipantNumber="1001" participantId="mSmpgMPFEd+AaQBQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \n participantFullName="Sachin Chavan" participantName="chavans" \nparticipantNumber="1002" participantId="2iGzAMPFEd+AmABQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="true" \nparticipantName="123456" participantNumber="123456" participantId="602a4a33-4c9e-\n4791-90a3-8c1859910917"> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n              </additionalConferenceInfo> \n            </additionalInfo> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="6" \nbooleanFlag="true"> \n              <additionalEventInfo zone="+5:30" timestamp="1486751630312"/> \n            </additionalInfo> \n          </ns2:private> \n        </ns2:privateData> \n      </ns2:extensions> \n    </ns2:ConferencedEvent> \n  </ns3:Event> \n</ns3:Events> ',
  },
  {
    label: 'Conferenced: participant dropped',
    line: 3046,
    end: 3135,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="f6661a02-63f3-4820-aa79-5b7349534fc4" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns5="http://conferencing.avaya.com/" xmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns11="http://voicemail.common.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n  <ns3:Event device="conference"> \n    <ns2:ConferencedEvent> \n      <ns2:monitorCrossRefID>03747367-1976-4c27-b560-\ndcf9bf3f7dbe</ns2:monitorCrossRefID> \n      <ns2:primaryOldCall> \n        <ns2:callID/> \n      </ns2:primaryOldCall> \n      <ns2:secondaryOldCall> \n         <ns2:callID/> \n      </ns2:secondaryOldCall> \n      <ns2:conferencingDevice> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31">1002</ns2:deviceI\ndentifier> \n      </ns2:conferencingDevice> \n      <ns2:addedParty> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31" \nconnectionRate="0"/> \n      </ns2:addedParty> \n      <ns2:conferenceConnections> \n        <ns2:connectionListItem> \n          <ns2:newConnection> \n            <ns2:callID>602a4a33-4c9e-4791-90a3-8c1859910917</ns2:callID> \n          </ns2:newConnection> \n          <ns2:oldConnection> \n            <ns2:callID>127.0.0.1-Conf 100</ns2:callID> \n          </ns2:oldConnection> \n          <ns2:endpoint> \n            <ns2:deviceID>123456</ns2:deviceID> \n          </ns2:endpoint> \n          <ns2:resultingConnectionInfo> \n            <ns2:flowDirection>none</ns2:flowDirection> \n          </ns2:resultingConnectionInfo> \n        </ns2:connectionListItem> \n      </ns2:conferenceConnections> \n      <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n      <ns2:correlatorData> \n        \n<ns2:string>35616266636462392D613433302D346130382D613333322D65656639616\n5373732336537</ns2:string> \n      </ns2:correlatorData> \n      <ns2:userData> \n        <ns2:string>436F6E6620313030</ns2:string> \n      </ns2:userData> \n      <ns2:cause>conference</ns2:cause> \n      <ns2:servicesPermitted/> \n      <ns2:languagePreferences>2:1</ns2:languagePreferences> \n      <ns2:extensions> \n        <ns2:privateData> \n          <ns2:string>66616C7365</ns2:string> \n          <ns2:private> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="5" \nbooleanFlag="true"> \n              <additionalConferenceInfo> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="true" \nparticipantName="123456" participantNumber="123456" participantId="602a4a33-4c9e-\n4791-90a3-8c1859910917"> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                 </participants> \n              </additionalConferenceInfo> \n            </additionalInfo> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="6" \nbooleanFlag="true"> \n              <additionalEventInfo zone="+5:30" timestamp="1486751840172"/> \n            </additionalInfo> \n          </ns2:private> \n        </ns2:privateData> \n      </ns2:extensions> \n    </ns2:ConferencedEvent> \n  </ns3:Event> \n</ns3:Events> ',
  },
  {
    label: 'Conferenced: participant added',
    line: 3141,
    end: 3236,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="97bcdc21-5a39-4404-bc0d-f70bb9d3c234" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns5="http://conferencing.avaya.com/" xmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns11="http://voicemail.common.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n  <ns3:Event device="conference"> \n    <ns2:ConferencedEvent> \n      <ns2:monitorCrossRefID>70a3438d-c5d8-41e8-beda-\nbc7a81ec42ab</ns2:monitorCrossRefID> \n      <ns2:primaryOldCall> \n        <ns2:callID/> \n      </ns2:primaryOldCall> \n      <ns2:secondaryOldCall> \n        <ns2:callID/> \n      </ns2:secondaryOldCall> \n      <ns2:conferencingDevice> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31">1002</ns2:deviceI\ndentifier> \n      </ns2:conferencingDevice> \n       <ns2:addedParty> \n        <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31" \nconnectionRate="0"/> \n      </ns2:addedParty> \n      <ns2:conferenceConnections> \n        <ns2:connectionListItem> \n          <ns2:newConnection> \n            <ns2:callID>AEeDAMPGEd+A0gBQVqk1zw==</ns2:callID> \n          </ns2:newConnection> \n          <ns2:endpoint> \n            <ns2:deviceID>1003</ns2:deviceID> \n          </ns2:endpoint> \n          <ns2:resultingConnectionInfo> \n            <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n            <ns2:mediaSessionInfo>arokde</ns2:mediaSessionInfo> \n          </ns2:resultingConnectionInfo> \n        </ns2:connectionListItem> \n      </ns2:conferenceConnections> \n      <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n      <ns2:correlatorData> \n        \n<ns2:string>30333432613263612D323865662D346533302D393831382D64343336336\n2353862386539</ns2:string> \n      </ns2:correlatorData> \n      <ns2:userData> \n        <ns2:string>436F6E6620313030</ns2:string> \n      </ns2:userData> \n      <ns2:cause>conference</ns2:cause> \n      <ns2:servicesPermitted/> \n      <ns2:languagePreferences>3:1</ns2:languagePreferences> \n      <ns2:extensions> \n        <ns2:privateData> \n          <ns2:string>66616C7365</ns2:string> \n          <ns2:private> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="5" \nbooleanFlag="true"> \n              <additionalConferenceInfo> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \nparticipantFullName="Amey Rokde" participantName="arokde" \nparticipantNumber="1003" participantId="AEeDAMPGEd+A0gBQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n              </additionalConferenceInfo> \n            </additionalInfo> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="6" \nbooleanFlag="true"> \n              <additionalEventInfo zone="+5:30" timestamp="1486752757522"/> \n            </additionalInfo> \n          </ns2:private> \n        </ns2:privateData> \n      </ns2:extensions> \n    </ns2:ConferencedEvent> \n  </ns3:Event> \n</ns3:Events> ',
  },
  {
    label: 'S8 Conferenced: conference ended',
    line: 3245,
    end: 3324,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="97bcdc21-5a39-4404-bc0d-f70bb9d3c234" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns5="http://conferencing.avaya.com/" xmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns11="http://voicemail.common.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n  <ns3:Event device="conference"> \n    <ns2:ConferencedEvent> \n      <ns2:monitorCrossRefID>70a3438d-c5d8-41e8-beda-\nbc7a81ec42ab</ns2:monitorCrossRefID> \n      <ns2:primaryOldCall> \n        <ns2:callID/> \n      </ns2:primaryOldCall> \n      <ns2:secondaryOldCall> \n        <ns2:callID/> \n      </ns2:secondaryOldCall> \n      <ns2:conferencingDevice> \n        <ns2:deviceIdentifier switchingSubDomainInformationElements=""/> \n      </ns2:conferencingDevice> \n      <ns2:addedParty> \n        <ns2:deviceIdentifier switchingSubDomainInformationElements="" \nconnectionRate="-1"/> \n      </ns2:addedParty> \n      <ns2:localConnectionInfo>null</ns2:localConnectionInfo> \n      <ns2:correlatorData> \n        \n<ns2:string>30333432613263612D323865662D346533302D393831382D64343336336\n 2353862386539</ns2:string> \n      </ns2:correlatorData> \n      <ns2:userData> \n        <ns2:string>436F6E6620313030</ns2:string> \n      </ns2:userData> \n      <ns2:cause>conference</ns2:cause> \n      <ns2:servicesPermitted/> \n      <ns2:extensions> \n        <ns2:privateData> \n          <ns2:string>66616C7365</ns2:string> \n          <ns2:private> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="5" \nbooleanFlag="true"> \n              <additionalConferenceInfo> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \nparticipantFullName="Charudatta Brahme" participantName="1001" \nparticipantNumber="1001" participantId="mSmpgMPFEd+AaQBQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \nparticipantFullName="Sachin Chavan" participantName="1002" \nparticipantNumber="1002" participantId="2iGzAMPFEd+AmABQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n                <participants isOnHook="true" callState="ACTIVE" isExternal="false" \nparticipantFullName="Amey Rokde" participantName="1003" participantNumber="1003" \nparticipantId="AEeDAMPGEd+A0gBQVqk1zw=="> \n                  <otherEndAnonymousType>None</otherEndAnonymousType> \n                </participants> \n              </additionalConferenceInfo> \n            </additionalInfo> \n            <additionalInfo stringData="EXTENDEDSERVICES" intValue="6" \nbooleanFlag="true"> \n              <additionalEventInfo zone="+5:30" timestamp="1486752842987"/> \n            </additionalInfo> \n          </ns2:private> \n        </ns2:privateData> \n      </ns2:extensions> \n    </ns2:ConferencedEvent> \n  </ns3:Event> \n</ns3:Events> ',
  },
  {
    label: 'ConnectionCleared (two-party)',
    line: 3351,
    end: 3414,
    text: '<ns2:ConnectionClearedEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n <ns2:monitorCrossRefID>06ea0706-2f30-49e3-9adb-\n0e7bce39f2b8</ns2:monitorCrossRefID> \n  <ns2:droppedConnection> \n   <ns2:callID>a5bba1cb-b174-441d-8914-\n125469439de5</ns2:callID> \n  </ns2:droppedConnection> \n <ns2:releasingDevice> \n <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \nconnectionRate="82" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier></ns2:releasingDevice> \n <ns2:localConnectionInfo>null</ns2:localConnectionInfo> \n <ns2:cause>normal</ns2:cause> \n <ns2:servicesPermitted><ns2:callControlServices> \n <ns2:acceptCall>false</ns2:acceptCall> \n <ns2:alternateCall>false</ns2:alternateCall> \n <ns2:answerCall>false</ns2:answerCall> \n <ns2:callBack>false</ns2:callBack> \n <ns2:callBackMessage>false</ns2:callBackMessage> \n <ns2:campOnCall>false</ns2:campOnCall> \n <ns2:clearCall>false</ns2:clearCall> \n <ns2:clearConnection>false</ns2:clearConnection> \n <ns2:conferenceCall>false</ns2:conferenceCall> \n <ns2:consultationCall>false</ns2:consultationCall> \n <ns2:deflectCall>false</ns2:deflectCall> \n <ns2:dialDigits>false</ns2:dialDigits> \n <ns2:groupPickupCall>false</ns2:groupPickupCall> \n <ns2:holdCall>false</ns2:holdCall> \n <ns2:intrudeCall>false</ns2:intrudeCall> \n <ns2:joinCall>false</ns2:joinCall> \n  <ns2:makeCall>false</ns2:makeCall> \n <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n <ns2:parkCall>false</ns2:parkCall> \n <ns2:reconnectCall>false</ns2:reconnectCall> \n <ns2:retrieveCall>false</ns2:retrieveCall> \n <ns2:sendMessage>false</ns2:sendMessage> \n <ns2:singleStepConference>false</ns2:singleStepConference> \n <ns2:singleStepTransfer>false</ns2:singleStepTransfer> \n <ns2:transferCall>false</ns2:transferCall> \n </ns2:callControlServices> \n </ns2:servicesPermitted> \n <ns2:callLinkageData> \n <ns2:globalCallData> \n <ns2:globalCallSwitchingSubDomainName>148.147.206.180</ns2:globalCallSwi\ntchingSubDomainName> \n <ns2:globalCallLinkageID> \n <ns2:subDomainCallLinkageID></ns2:subDomainCallLinkageID> \n </ns2:globalCallLinkageID> \n </ns2:globalCallData> \n </ns2:callLinkageData> \n</ns2:ConnectionClearedEvent> ',
  },
  {
    label: 'ConnectionCleared (conference leg)',
    line: 3439,
    end: 3504,
    text: '<ns3:ConnectionClearedEvent xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4"> \n  <ns3:monitorCrossRefID>eb2e4534-abcc-420a-8832-\nee44326a2342</ns3:monitorCrossRefID> \n   <ns3:droppedConnection> \n    <ns3:callID>763399b0-43e6-403f-8e58-3ccdc88ff367</ns3:callID> \n  </ns3:droppedConnection> \n  <ns3:releasingDevice> \n    <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="45787465726E616C" connectionRate="3" \ntypeOfNumber="dialingNumber">148.147.206.180-Conf 99 303</ns3:deviceIdentifier> \n  </ns3:releasingDevice> \n  <ns3:localConnectionInfo>null</ns3:localConnectionInfo> \n  <ns3:cause>normal</ns3:cause> \n  <ns3:servicesPermitted> \n   <ns3:callControlServices> \n  <ns3:acceptCall>false</ns3:acceptCall> \n  <ns3:alternateCall>false</ns3:alternateCall> \n  <ns3:answerCall>false</ns3:answerCall> \n  <ns3:callBack>false</ns3:callBack> \n  <ns3:callBackMessage>false</ns3:callBackMessage> \n  <ns3:campOnCall>false</ns3:campOnCall> \n  <ns3:clearCall>false</ns3:clearCall> \n  <ns3:clearConnection>false</ns3:clearConnection> \n  <ns3:conferenceCall>false</ns3:conferenceCall> \n  <ns3:consultationCall>false</ns3:consultationCall> \n  <ns3:deflectCall>false</ns3:deflectCall> \n  <ns3:dialDigits>false</ns3:dialDigits> \n  <ns3:groupPickupCall>false</ns3:groupPickupCall> \n  <ns3:holdCall>false</ns3:holdCall> \n  <ns3:intrudeCall>false</ns3:intrudeCall> \n  <ns3:joinCall>false</ns3:joinCall> \n  <ns3:makeCall>false</ns3:makeCall> \n  <ns3:makePredictiveCall>false</ns3:makePredictiveCall> \n  <ns3:parkCall>false</ns3:parkCall> \n  <ns3:reconnectCall>false</ns3:reconnectCall> \n  <ns3:retrieveCall>false</ns3:retrieveCall> \n  <ns3:sendMessage>false</ns3:sendMessage> \n  <ns3:singleStepConference>false</ns3:singleStepConference> \n  <ns3:singleStepTransfer>false</ns3:singleStepTransfer> \n  <ns3:transferCall>false</ns3:transferCall> \n   </ns3:callControlServices> \n  </ns3:servicesPermitted> \n  <ns3:callLinkageData> \n    <ns3:globalCallData> \n   \n<ns3:globalCallSwitchingSubDomainName>148.147.206.180</ns3:globalCallSwitchingS\nubDomainName> \n   <ns3:globalCallLinkageID> \n     <ns3:subDomainCallLinkageID>148.147.206.180-Conf \n99</ns3:subDomainCallLinkageID> \n   </ns3:globalCallLinkageID> \n </ns3:globalCallData> \n  </ns3:callLinkageData> \n</ns3:ConnectionClearedEvent> ',
  },
  {
    label: 'S7 Delivered',
    line: 3523,
    end: 3602,
    text: '<ns2:DeliveredEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>06ea0706-2f30-49e3-9adb-\n0e7bce39f2b8</ns2:monitorCrossRefID> \n  <ns2:connection> \n    <ns2:callID>a5bba1cb-b174-441d-8914-125469439de5</ns2:callID> \n  </ns2:connection> \n  <ns2:alertingDevice><ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">202</ns2:deviceIdentifier></ns2:alertingDevice> \n  <ns2:callingDevice><ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \nswitchingSubDomainCCIEType="other" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier></ns2:callingDevice> \n  <ns2:calledDevice><ns2:deviceIdentifier \ntypeOfNumber="dialingNumber">202</ns2:deviceIdentifier></ns2:calledDevice> \n  <ns2:lastRedirectionDevice> \n    <ns2:numberDialed typeOfNumber="dialingNumber"></ns2:numberDialed> \n  </ns2:lastRedirectionDevice> \n  <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n  <ns2:userData><ns2:string>4578746E323032</ns2:string></ns2:userData> \n  <ns2:cause>normal</ns2:cause> \n  <ns2:servicesPermitted> \n    <ns2:callControlServices> \n   <ns2:acceptCall>false</ns2:acceptCall> \n   <ns2:alternateCall>false</ns2:alternateCall> \n   <ns2:answerCall>false</ns2:answerCall> \n   <ns2:callBack>false</ns2:callBack> \n   <ns2:callBackMessage>false</ns2:callBackMessage> \n    <ns2:campOnCall>false</ns2:campOnCall> \n   <ns2:clearCall>false</ns2:clearCall> \n   <ns2:clearConnection>true</ns2:clearConnection> \n   <ns2:conferenceCall>false</ns2:conferenceCall> \n   <ns2:consultationCall>false</ns2:consultationCall> \n   <ns2:deflectCall>false</ns2:deflectCall> \n   <ns2:dialDigits>false</ns2:dialDigits> \n   <ns2:groupPickupCall>false</ns2:groupPickupCall> \n   <ns2:holdCall>false</ns2:holdCall> \n   <ns2:intrudeCall>false</ns2:intrudeCall> \n   <ns2:joinCall>false</ns2:joinCall> \n   <ns2:makeCall>false</ns2:makeCall> \n   <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n   <ns2:parkCall>false</ns2:parkCall> \n   <ns2:reconnectCall>false</ns2:reconnectCall> \n   <ns2:retrieveCall>false</ns2:retrieveCall> \n   <ns2:sendMessage>false</ns2:sendMessage> \n   <ns2:singleStepConference>false</ns2:singleStepConference> \n   <ns2:singleStepTransfer>false</ns2:singleStepTransfer> \n   <ns2:transferCall>true</ns2:transferCall> \n </ns2:callControlServices> \n  </ns2:servicesPermitted> \n  <ns2:mediaCallCharacteristics> \n    <ns2:mediaClass> \n   <ns2:audio>true</ns2:audio> \n   <ns2:chat>false</ns2:chat> \n </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:callLinkageData> \n    <ns2:globalCallData> \n      \n<ns2:globalCallSwitchingSubDomainName>148.147.206.180</ns2:globalCallSwitchingS\nubDomainName> \n    <ns2:globalCallLinkageID> \n      <ns2:globallyUniqueCallLinkageID>a5bba1cb-b174-441d-8914-\n125469439de5</ns2:globallyUniqueCallLinkageID> \n    </ns2:globalCallLinkageID></ns2:globalCallData> \n  </ns2:callLinkageData> \n  <ns2:subjectOfCall></ns2:subjectOfCall> \n</ns2:DeliveredEvent> ',
  },
  {
    label: 'Established',
    line: 3621,
    end: 3726,
    text: '<ns2:EstablishedEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>0614bd4c-ffdc-47b0-a7e1-\n21ca825c2569</ns2:monitorCrossRefID> \n  <ns2:establishedConnection> \n    <ns2:callID>195c1046-1702-475f-892d-ef11ef0606fc</ns2:callID> \n  </ns2:establishedConnection> \n  <ns2:answeringDevice> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier> \n  </ns2:answeringDevice> \n  <ns2:callingDevice> \n    <ns2:deviceIdentifier switchingSubDomainCCIEType="other" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier> \n  </ns2:callingDevice> \n  <ns2:calledDevice> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \nswitchingSubDomainCCIEType="other">202</ns2:deviceIdentifier> \n  </ns2:calledDevice> \n  <ns2:lastRedirectionDevice> \n    <ns2:numberDialed \ntypeOfNumber="dialingNumber"></ns2:numberDialed></ns2:lastRedirectionDevice> \n  <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n  <ns2:userData> \n    <ns2:string>4578746E323031</ns2:string> \n  </ns2:userData> \n  <ns2:cause>normal</ns2:cause> \n  <ns2:servicesPermitted> \n    <ns2:callControlServices> \n  <ns2:acceptCall>false</ns2:acceptCall> \n  <ns2:alternateCall>true</ns2:alternateCall> \n  <ns2:answerCall>false</ns2:answerCall> \n  <ns2:callBack>false</ns2:callBack> \n  <ns2:callBackMessage>false</ns2:callBackMessage> \n  <ns2:campOnCall>false</ns2:campOnCall> \n  <ns2:clearCall>false</ns2:clearCall> \n  <ns2:clearConnection>true</ns2:clearConnection> \n   <ns2:conferenceCall>false</ns2:conferenceCall> \n  <ns2:consultationCall>true</ns2:consultationCall> \n  <ns2:deflectCall>false</ns2:deflectCall> \n  <ns2:dialDigits>false</ns2:dialDigits> \n  <ns2:groupPickupCall>false</ns2:groupPickupCall> \n  <ns2:holdCall>true</ns2:holdCall> \n  <ns2:intrudeCall>false</ns2:intrudeCall> \n  <ns2:joinCall>false</ns2:joinCall> \n  <ns2:makeCall>false</ns2:makeCall> \n  <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n  <ns2:parkCall>true</ns2:parkCall> \n  <ns2:reconnectCall>false</ns2:reconnectCall> \n  <ns2:retrieveCall>false</ns2:retrieveCall> \n  <ns2:sendMessage>false</ns2:sendMessage> \n  <ns2:singleStepConference>true</ns2:singleStepConference> \n  <ns2:singleStepTransfer>true</ns2:singleStepTransfer> \n  <ns2:transferCall>true</ns2:transferCall> \n    </ns2:callControlServices> \n  </ns2:servicesPermitted> \n  <ns2:mediaCallCharacteristics> \n    <ns2:mediaClass> \n   <ns2:audio>true</ns2:audio> \n   <ns2:chat>false</ns2:chat> \n </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:callCharacteristics> \n    <ns2:voiceUnitCall>false</ns2:voiceUnitCall> \n  </ns2:callCharacteristics> \n  <ns2:establishedConnectionInfo> \n    <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n  </ns2:establishedConnectionInfo> \n  <ns2:callLinkageData> \n    <ns2:globalCallData> \n   \n<ns2:globalCallSwitchingSubDomainName>148.147.206.180</ns2:globalCallSwitchingS\nubDomainName> \n      <ns2:globalCallLinkageID> \n     <ns2:globallyUniqueCallLinkageID>195c1046-1702-475f-892d-\nef11ef0606fc</ns2:globallyUniqueCallLinkageID> \n      </ns2:globalCallLinkageID> \n    </ns2:globalCallData> \n  </ns2:callLinkageData> \n  <ns2:subjectOfCall></ns2:subjectOfCall> \n  <ns2:extensions> \n     <ns2:privateData> \n    <ns2:private> \n      <additionalInfo stringData="EXTENDEDSERVICES" intValue="1" \nbooleanFlag="true"/> \n   <additionalInfo stringData="EXTENDEDSERVICES" intValue="2" \nbooleanFlag="false"/> \n   <additionalInfo stringData="EXTENDEDSERVICES" intValue="3" \n booleanFlag="false"/> \n   </ns2:private> \n </ns2:privateData> \n  </ns2:extensions> \n</ns2:EstablishedEvent> ',
  },
  {
    label: 'Failed',
    line: 3746,
    end: 3812,
    text: '<ns3:FailedEvent> \n <ns3:monitorCrossRefID>72d0ed18-1622-44d6-b3be-\n735600bd8717</ns3:monitorCrossRefID> \n <ns3:failedConnetion> \n   <ns3:callID>f628829f-d1dd-47cb-b743-619ceceac51c</ns3:callID> \n  </ns3:failedConnection> \n  <ns3:failingDevice> \n    <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber"></ns3:deviceIdentifier> \n  </ns3:failingDevice> \n  <ns3:callingDevice> \n    <ns3:deviceIdentifier \ntypeOfNumber="dialingNumber">201</ns3:deviceIdentifier> \n  </ns3:callingDevice> \n  <ns3:calledDevice> \n    <ns3:deviceIdentifier typeOfNumber="dialingNumber"></ns3:deviceIdentifier> \n  </ns3:calledDevice> \n  <ns3:localConnectionInfo>connected</ns3:localConnectionInfo> \n  <ns3:cause>normal</ns3:cause> \n  <ns3:servicesPermitted> \n    <ns3:callControlServices> \n      <ns3:acceptCall>false</ns3:acceptCall> \n   <ns3:alternateCall>false</ns3:alternateCall> \n   <ns3:answerCall>false</ns3:answerCall> \n   <ns3:callBack>false</ns3:callBack> \n   <ns3:callBackMessage>false</ns3:callBackMessage> \n   <ns3:campOnCall>false</ns3:campOnCall> \n   <ns3:clearCall>false</ns3:clearCall> \n   <ns3:clearConnection>false</ns3:clearConnection> \n   <ns3:conferenceCall>false</ns3:conferenceCall> \n   <ns3:consultationCall>false</ns3:consultationCall> \n   <ns3:deflectCall>false</ns3:deflectCall> \n   <ns3:dialDigits>false</ns3:dialDigits> \n   <ns3:groupPickupCall>false</ns3:groupPickupCall> \n    <ns3:holdCall>false</ns3:holdCall> \n   <ns3:intrudeCall>false</ns3:intrudeCall> \n   <ns3:joinCall>false</ns3:joinCall> \n   <ns3:makeCall>false</ns3:makeCall> \n   <ns3:makePredictiveCall>false</ns3:makePredictiveCall> \n   <ns3:parkCall>false</ns3:parkCall> \n   <ns3:reconnectCall>false</ns3:reconnectCall> \n   <ns3:retrieveCall>false</ns3:retrieveCall> \n      <ns3:sendMessage>false</ns3:sendMessage> \n   <ns3:singleStepConference>false</ns3:singleStepConference> \n   <ns3:singleStepTransfer>false</ns3:singleStepTransfer> \n   <ns3:transferCall>false</ns3:transferCall> \n    </ns3:callControlServices> \n     </ns3:servicesPermitted> \n  <ns3:mediaCallCharacteristics> \n    <ns3:mediaClass> \n     <ns3:audio>true</ns3:audio> \n  <ns3:chat>false</ns3:chat> \n    </ns3:mediaClass> \n  </ns3:mediaCallCharacteristics> \n  <ns3:callLinkageData> \n    <ns3:globalCallData> \n      \n<ns3:globalCallSwitchingSubDomainName>148.147.206.180</ns3:globalCallSwitchingS\nubDomainName> \n   <ns3:globalCallLinkageID> \n     <ns3:globallyUniqueCallLinkageID>f628829f-d1dd-47cb-b743-\n619ceceac51c</ns3:globallyUniqueCallLinkageID> \n      </ns3:globalCallLinkageID> \n    </ns3:globalCallData> \n  </ns3:callLinkageData> \n</ns3:FailedEvent> ',
  },
  {
    label: 'Held',
    line: 3832,
    end: 3922,
    text: '<ns2:HeldEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \n xmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>06ea0706-2f30-49e3-9adb-\n0e7bce39f2b8</ns2:monitorCrossRefID> \n  <ns2:heldConnection> \n    <ns2:callID>a5bba1cb-b174-441d-8914-125469439de5</ns2:callID> \n  </ns2:heldConnection> \n  <ns2:holdingDevice> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier> \n  </ns2:holdingDevice> \n  <ns2:localConnectionInfo>null</ns2:localConnectionInfo> \n  <ns2:correlatorData> \n    <ns2:string>323032</ns2:string> \n  </ns2:correlatorData> \n  <ns2:cause>normal</ns2:cause> \n  <ns2:servicesPermitted> \n    <ns2:callControlServices> \n   <ns2:acceptCall>false</ns2:acceptCall> \n   <ns2:alternateCall>true</ns2:alternateCall> \n   <ns2:answerCall>false</ns2:answerCall> \n   <ns2:callBack>false</ns2:callBack> \n   <ns2:callBackMessage>false</ns2:callBackMessage> \n   <ns2:campOnCall>false</ns2:campOnCall> \n   <ns2:clearCall>false</ns2:clearCall> \n   <ns2:clearConnection>true</ns2:clearConnection> \n   <ns2:conferenceCall>false</ns2:conferenceCall> \n   <ns2:consultationCall>true</ns2:consultationCall> \n   <ns2:deflectCall>false</ns2:deflectCall> \n   <ns2:dialDigits>false</ns2:dialDigits> \n   <ns2:groupPickupCall>false</ns2:groupPickupCall> \n   <ns2:holdCall>false</ns2:holdCall> \n   <ns2:intrudeCall>false</ns2:intrudeCall> \n   <ns2:joinCall>false</ns2:joinCall> \n   <ns2:makeCall>false</ns2:makeCall> \n   <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n   <ns2:parkCall>true</ns2:parkCall> \n   <ns2:reconnectCall>false</ns2:reconnectCall> \n   <ns2:retrieveCall>true</ns2:retrieveCall> \n   <ns2:sendMessage>false</ns2:sendMessage> \n   <ns2:singleStepConference>true</ns2:singleStepConference> \n   <ns2:singleStepTransfer>true</ns2:singleStepTransfer> \n   <ns2:transferCall>true</ns2:transferCall> \n </ns2:callControlServices> \n  </ns2:servicesPermitted> \n  <ns2:mediaCallCharacteristics> \n    <ns2:mediaClass> \n    <ns2:audio>true</ns2:audio> \n   <ns2:chat>false</ns2:chat> \n </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:callCharacteristics> \n    <ns2:voiceUnitCall>false</ns2:voiceUnitCall> \n  </ns2:callCharacteristics> \n  <ns2:callLinkageData> \n <ns2:globalCallData> \n   \n<ns2:globalCallSwitchingSubDomainName>148.147.206.180</ns2:globalCallSwitchingS\nubDomainName> \n    <ns2:globalCallLinkageID> \n      <ns2:subDomainCallLinkageID></ns2:subDomainCallLinkageID> \n      <ns2:globallyUniqueCallLinkageID>a5bba1cb-b174-441d-8914-\n125469439de5</ns2:globallyUniqueCallLinkageID> \n   </ns2:globalCallLinkageID> \n </ns2:globalCallData> \n  </ns2:callLinkageData> \n  <ns2:extensions> \n <ns2:privateData> \n   <ns2:private> \n    <additionalInfo stringData="EXTENDEDSERVICES" intValue="1" \nbooleanFlag="true"/> \n    <additionalInfo stringData="EXTENDEDSERVICES" intValue="2" \nbooleanFlag="false"/> \n    <additionalInfo stringData="EXTENDEDSERVICES" intValue="3" \nbooleanFlag="false"/> \n   </ns2:private> \n </ns2:privateData> \n  </ns2:extensions> \n</ns2:HeldEvent> ',
  },
  {
    label: 'Retrieved',
    line: 3943,
    end: 4034,
    text: '<ns2:RetrievedEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \n xmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>06ea0706-2f30-49e3-9adb-\n0e7bce39f2b8</ns2:monitorCrossRefID> \n  <ns2:retrievedConnection> \n    <ns2:callID>a5bba1cb-b174-441d-8914-125469439de5</ns2:callID> \n  </ns2:retrievedConnection> \n  <ns2:retrievingDevice> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier> \n  </ns2:retrievingDevice> \n  <ns2:localConnectionInfo>null</ns2:localConnectionInfo> \n  <ns2:correlatorData> \n    \n<ns2:string>61356262613163622D623137342D343431642D383931342D31323534363\n9343339646535</ns2:string> \n  </ns2:correlatorData> \n  <ns2:cause>normal</ns2:cause> \n  <ns2:servicesPermitted> \n    <ns2:callControlServices> \n   <ns2:acceptCall>false</ns2:acceptCall> \n   <ns2:alternateCall>true</ns2:alternateCall> \n   <ns2:answerCall>false</ns2:answerCall> \n   <ns2:callBack>false</ns2:callBack> \n   <ns2:callBackMessage>false</ns2:callBackMessage> \n   <ns2:campOnCall>false</ns2:campOnCall> \n   <ns2:clearCall>false</ns2:clearCall> \n   <ns2:clearConnection>true</ns2:clearConnection> \n   <ns2:conferenceCall>false</ns2:conferenceCall> \n   <ns2:consultationCall>true</ns2:consultationCall> \n   <ns2:deflectCall>false</ns2:deflectCall> \n   <ns2:dialDigits>false</ns2:dialDigits> \n   <ns2:groupPicdkupCall>false</ns2:groupPickupCall> \n   <ns2:holdCall>true</ns2:holdCall> \n   <ns2:intrudeCall>false</ns2:intrudeCall> \n   <ns2:joinCall>false</ns2:joinCall> \n   <ns2:makeCall>false</ns2:makeCall> \n   <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n   <ns2:parkCall>true</ns2:parkCall> \n   <ns2:reconnectCall>false</ns2:reconnectCall> \n   <ns2:retrieveCall>false</ns2:retrieveCall> \n   <ns2:sendMessage>false</ns2:sendMessage> \n   <ns2:singleStepConference>true</ns2:singleStepConference> \n   <ns2:singleStepTransfer>true</ns2:singleStepTransfer> \n   <ns2:transferCall>true</ns2:transferCall> \n </ns2:callControlServices> \n   </ns2:servicesPermitted> \n  <ns2:mediaCallCharacteristics> \n    <ns2:mediaClass> \n   <ns2:audio>true</ns2:audio> \n   <ns2:chat>false</ns2:chat> \n </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:callCharacteristics> \n    <ns2:voiceUnitCall>false</ns2:voiceUnitCall> \n  </ns2:callCharacteristics> \n  <ns2:retrievedConnectionInfo> \n    <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n  </ns2:retrievedConnectionInfo> \n  <ns2:callLinkageData> \n    <ns2:globalCallData> \n   \n<ns2:globalCallSwitchingSubDomainName>148.147.206.180</ns2:globalCallSwitchingS\nubDomainName> \n   <ns2:globalCallLinkageID> \n  <ns2:subDomainCallLinkageID></ns2:subDomainCallLinkageID> \n   </ns2:globalCallLinkageID> \n </ns2:globalCallData> \n  </ns2:callLinkageData> \n  <ns2:extensions> \n    <ns2:privateData> \n   <ns2:private> \n     <additionalInfo stringData="EXTENDEDSERVICES" intValue="1" \nbooleanFlag="true"/> \n  <additionalInfo stringData="EXTENDEDSERVICES" intValue="2" \nbooleanFlag="false"/> \n   </ns2:private> \n </ns2:privateData> \n  </ns2:extensions> \n</ns2:RetrievedEvent> ',
  },
  {
    label: 'Originated',
    line: 4055,
    end: 4120,
    text: '<ns2:OriginatedEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \n xmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>06ea0706-2f30-49e3-9adb-\n0e7bce39f2b8</ns2:monitorCrossRefID> \n  <ns2:originatedConnection> \n    <ns2:callID>45bf3d57-829e-4dd7-923e-f255d7a77100</ns2:callID> \n  </ns2:originatedConnection> \n  <ns2:callingDevice> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">201</ns2:deviceIdentifier> \n  </ns2:callingDevice> \n  <ns2:calledDevice> \n <ns2:deviceIdentifier \ntypeOfNumber="dialingNumber">202</ns2:deviceIdentifier> \n  </ns2:calledDevice> \n  <ns2:localConnectionInfo>connected</ns2:localConnectionInfo> \n  <ns2:cause>normal</ns2:cause> \n  <ns2:servicesPermitted> \n    <ns2:callControlServices> \n   <ns2:acceptCall>false</ns2:acceptCall> \n   <ns2:alternateCall>false</ns2:alternateCall> \n   <ns2:answerCall>false</ns2:answerCall> \n   <ns2:callBack>false</ns2:callBack> \n   <ns2:callBackMessage>false</ns2:callBackMessage> \n   <ns2:campOnCall>false</ns2:campOnCall> \n   <ns2:clearCall>false</ns2:clearCall> \n   <ns2:clearConnection>true</ns2:clearConnection> \n   <ns2:conferenceCall>false</ns2:conferenceCall> \n   <ns2:consultationCall>false</ns2:consultationCall> \n   <ns2:deflectCall>false</ns2:deflectCall> \n   <ns2:dialDigits>true</ns2:dialDigits> \n   <ns2:groupPickupCall>false</ns2:groupPickupCall> \n   <ns2:holdCall>false</ns2:holdCall> \n   <ns2:intrudeCall>false</ns2:intrudeCall> \n   <ns2:joinCall>false</ns2:joinCall> \n   <ns2:makeCall>true</ns2:makeCall> \n   <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n   <ns2:parkCall>false</ns2:parkCall> \n   <ns2:reconnectCall>false</ns2:reconnectCall> \n   <ns2:retrieveCall>false</ns2:retrieveCall> \n   <ns2:sendMessage>false</ns2:sendMessage> \n   <ns2:singleStepConference>false</ns2:singleStepConference> \n   <ns2:singleStepTransfer>false</ns2:singleStepTransfer> \n   <ns2:transferCall>false</ns2:transferCall> \n  </ns2:callControlServices> \n  </ns2:servicesPermitted> \n  <ns2:mediaCallCharacteristics> \n    <ns2:mediaClass> \n   <ns2:audio>true</ns2:audio> \n   <ns2:chat>false</ns2:chat> \n </ns2:mediaClass> \n  </ns2:mediaCallCharacteristics> \n  <ns2:subjectOfCall></ns2:subjectOfCall> \n</ns2:OriginatedEvent> ',
  },
  {
    label: 'Queued (park)',
    line: 4140,
    end: 4210,
    text: '<ns3:QueuedEvent xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4"> \n  <ns3:monitorCrossRefID>e47f55cf-fc33-4748-94b1-\n33c7b82726d1</ns3:monitorCrossRefID> \n  <ns3:queuedConnection> \n    <ns3:callID>ba334100-601e-421f-a665-d3f30d776043</ns3:callID> \n  </ns3:queuedConnection> \n  <ns3:queue> \n   <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830">2</\nns3:deviceIdentifier> \n  </ns3:queue> \n    <ns3:callingDevice> \n   <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">303</ns3:deviceIdentifier> \n </ns3:callingDevice><ns3:calledDevice><ns3:deviceIdentifier \ntypeOfNumber="dialingNumber">303</ns3:deviceIdentifier> \n  </ns3:calledDevice> \n   <ns3:lastRedirectionDevice> \n    <ns3:numberDialed typeOfNumber="dialingNumber"></ns3:numberDialed> \n  </ns3:lastRedirectionDevice> \n  <ns3:localConnectionInfo>queued</ns3:localConnectionInfo> \n  <ns3:userData> \n    <ns3:string>333033</ns3:string> \n  </ns3:userData> \n  <ns3:cause>park</ns3:cause>  \n<ns3:servicesPermitted><ns3:callControlServices><ns3:acceptCall>false</ns3:acceptC\nall><ns3:alternateCall>false</ns3:alternateCall><ns3:answerCall>false</ns3:answerCall\n><ns3:callBack>false</ns3:callBack><ns3:callBackMessage>false</ns3:callBackMessa\nge><ns3:campOnCall>false</ns3:campOnCall><ns3:clearCall>false</ns3:clearCall><ns\n3:clearConnection>false</ns3:clearConnection><ns3:conferenceCall>false</ns3:confere\nnceCall><ns3:consultationCall>false</ns3:consultationCall><ns3:deflectCall>false</ns3:\ndeflectCall><ns3:dialDigits>false</ns3:dialDigits><ns3:directedPickupCall>true</ns3:dir\nectedPickupCall><ns3:groupPickupCall>false</ns3:groupPickupCall><ns3:holdCall>fals\ne</ns3:holdCall><ns3:intrudeCall>false</ns3:intrudeCall><ns3:joinCall>false</ns3:joinC\nall><ns3:makeCall>false</ns3:makeCall><ns3:makePredictiveCall>false</ns3:makePre\ndictiveCall><ns3:parkCall>false</ns3:parkCall><ns3:reconnectCall>false</ns3:reconnec\ntCall><ns3:retrieveCall>false</ns3:retrieveCall><ns3:sendMessage>false</ns3:sendMe\nssage><ns3:singleStepConference>false</ns3:singleStepConference><ns3:singleStepT\nransfer>false</ns3:singleStepTransfer><ns3:transferCall>false</ns3:transferCall></ns3:\ncallControlServices></ns3:servicesPermitted> \n  <ns3:callLinkageData> \n    <ns3:globalCallData> \n<ns3:globalCallSwitchingSubDomainName>148.147.206.180</ns3:globalCallSwitchingS\nubDomainName> \n   <ns3:globalCallLinkageID> \n     <ns3:globallyUniqueCallLinkageID>no call \nlinkage</ns3:globallyUniqueCallLinkageID> \n   </ns3:globalCallLinkageID> \n </ns3:globalCallData> \n  </ns3:callLinkageData> \n  <ns3:subjectOfCall>148.147.206.180-Conf 3</ns3:subjectOfCall> \n  <ns3:extensions> \n    <ns3:privateData> \n   <ns3:string></ns3:string> \n <ns3:private/> \n  </ns3:privateData> \n </ns3:extensions> \n</ns3:QueuedEvent> ',
  },
  {
    label: 'ServiceInitiated',
    line: 4229,
    end: 4287,
    text: '<ns3:ServiceInitiatedEvent xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4"> \n  <ns3:monitorCrossRefID>efbb1075-3a89-470e-a9c1-\nef3f92f61a5d</ns3:monitorCrossRefID> \n  <ns3:initiatedConnection> \n    <ns3:callID>b299cce1-53bf-4988-889e-3615748e6d35</ns3:callID> \n </ns3:initiatedConnection> \n <ns3:initiatingDevice> \n   <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">301</ns3:deviceIdentifier> \n </ns3:initiatingDevice> \n <ns3:localConnectionInfo>initiated</ns3:localConnectionInfo> \n <ns3:correlatorData>   \n<ns3:string>62323939636365312D353362662D343938382D383839652D33363135373\n4386536643335</ns3:string> \n </ns3:correlatorData> \n <ns3:cause>normal</ns3:cause> \n <ns3:servicesPermitted> \n   <ns3:callControlServices> \n     <ns3:acceptCall>false</ns3:acceptCall> \n  <ns3:alternateCall>false</ns3:alternateCall> \n  <ns3:answerCall>false</ns3:answerCall> \n  <ns3:callBack>false</ns3:callBack> \n  <ns3:callBackMessage>false</ns3:callBackMessage> \n  <ns3:campOnCall>false</ns3:campOnCall> \n  <ns3:clearCall>false</ns3:clearCall> \n  <ns3:clearConnection>true</ns3:clearConnection> \n  <ns3:conferenceCall>false</ns3:conferenceCall> \n  <ns3:consultationCall>false</ns3:consultationCall> \n  <ns3:deflectCall>false</ns3:deflectCall> \n  <ns3:dialDigits>true</ns3:dialDigits> \n  <ns3:groupPickupCall>false</ns3:groupPickupCall> \n  <ns3:holdCall>false</ns3:holdCall> \n  <ns3:intrudeCall>false</ns3:intrudeCall> \n  <ns3:joinCall>false</ns3:joinCall> \n  <ns3:makeCall>true</ns3:makeCall> \n  <ns3:makePredictiveCall>false</ns3:makePredictiveCall> \n  <ns3:parkCall>false</ns3:parkCall> \n   <ns3:reconnectCall>false</ns3:reconnectCall> \n  <ns3:retrieveCall>false</ns3:retrieveCall> \n  <ns3:sendMessage>false</ns3:sendMessage> \n  <ns3:singleStepConference>false</ns3:singleStepConference> \n  <ns3:singleStepTransfer>false</ns3:singleStepTransfer> \n  <ns3:transferCall>false</ns3:transferCall> \n   </ns3:callControlServices> \n  </ns3:servicesPermitted> \n</ns3:ServiceInitiatedEvent> ',
  },
  {
    label: 'Forwarding',
    line: 5035,
    end: 5058,
    text: '<ns2:ForwardingEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>ec74965a-7846-41f8-81a1-\n5df14b63a028</ns2:monitorCrossRefID> \n  <ns2:device> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">202</ns2:deviceIdentifier> \n  </ns2:device> \n <ns2:forwardingType>forwardImmediate</ns2:forwardingType> \n <ns2:forwardStatus>false</ns2:forwardStatus> \n <ns2:forwardTo typeOfNumber="dialingNumber"></ns2:forwardTo> \n</ns2:ForwardingEvent> ',
  },
  {
    label: 'DoNotDisturb',
    line: 5076,
    end: 5098,
    text: '<ns2:DoNotDisturbEvent xmlns:ns14="http://recording.common.avaya.com/" \nxmlns:ns9="http://ccragent.common.avaya.com/" \nxmlns:ns5="http://com.avaya.inkaba.dal" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns6="http://com.avaya.inkaba.wstransfer" \nxmlns:ns13="http://calllog.common.avaya.com/" \nxmlns:ns7="http://com.avaya.common.csta.extended" \nxmlns:ns10="http://conferencing.common.avaya.com/" \nxmlns:ns8="http://schemas.xmlsoap.org/soap/envelope/" \n xmlns:ns11="http://conferencing.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns3="http://schemas.xmlsoap.org/ws/2004/09/transfer"> \n  <ns2:monitorCrossRefID>0d2abc5c-3b26-4c27-9ff0-\n146d15980885</ns2:monitorCrossRefID> \n  <ns2:device> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E313830" \ntypeOfNumber="dialingNumber">202</ns2:deviceIdentifier> \n  </ns2:device> \n  <ns2:doNotDisturbOn>false</ns2:doNotDisturbOn> \n <ns2:callingDeviceList/> \n</ns2:DoNotDisturbEvent> ',
  },
  {
    label: 'AgentReady',
    line: 5118,
    end: 5148,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<ns2:Events xmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns12="http://conferencing.avaya.com/" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/"> \n <ns2:Event device="1201"> \n  <ns3:AgentReadyEvent> \n   <ns3:monitorCrossRefID>b0ee37e2-55f3-45f6-b6f8-\n6aa349d9bf58</ns3:monitorCrossRefID> \n   <ns3:agentDevice> \n    <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131" \ntypeOfNumber="dialingNumber">1201</ns3:deviceIdentifier> \n   </ns3:agentDevice> \n   <ns3:acdGroup \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131">HG\n 1</ns3:acdGroup> \n   <ns3:cause>normal</ns3:cause> \n  </ns3:AgentReadyEvent> \n </ns2:Event> \n</ns2:Events> ',
  },
  {
    label: 'AgentNotReady',
    line: 5169,
    end: 5199,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<ns2:Events xmlns:ns10="http://ccragent.common.avaya.com/" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns12="http://conferencing.avaya.com/" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/"> \n <ns2:Event device="1201"> \n  <ns3:AgentNotReadyEvent> \n   <ns3:monitorCrossRefID>b0ee37e2-55f3-45f6-b6f8-\n6aa349d9bf58</ns3:monitorCrossRefID> \n   <ns3:agentDevice> \n    <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131" \ntypeOfNumber="dialingNumber">1201</ns3:deviceIdentifier> \n   </ns3:agentDevice> \n   <ns3:acdGroup \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131">HG\n1</ns3:acdGroup> \n   <ns3:cause>normal</ns3:cause> \n  </ns3:AgentNotReadyEvent> \n </ns2:Event> \n</ns2:Events> ',
  },
  {
    label: 'AgentWorkingAfterCall',
    line: 5215,
    end: 5226,
    text: '<ns2:Event device="1201"> \n   <ns3:AgentWorkingAfterCallEvent> \n     <ns3:monitorCrossRefID>4ac326fa-5abd-4b7c-bf73-\na6dd43e79e5a</ns3:monitorCrossRefID> \n         <ns3:agentDevice> \n             <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3131312E3131312E3131312E313131">120\n1</ns3:deviceIdentifier> \n         </ns3:agentDevice> \n      <ns3:cause>normal</ns3:cause> \n   </ns3:AgentWorkingAfterCallEvent> \n</ns2:Event> ',
  },
  {
    label: 'CallInformationEvent (snapshot)',
    line: 5296,
    end: 5440,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="0c0b0da2-97f1-4be0-8451-85e176a39715" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns17="http://calllog.common.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns15="http://groups.system.common.avaya.com" \nxmlns:ns18="http://recording.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns11="http://voicemail.common.avaya.com/" xmlns:ns2="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://conferencing.avaya.com/" \nxmlns:ns3="http://openapi.common.avaya.com/"> \n <ns3:Event device="1001"> \n  <ns2:CallInformationEvent> \n   <ns2:monitorCrossRefID>4209132551190891703-127.0.0.1-\n1001</ns2:monitorCrossRefID> \n   <ns2:connection> \n    <ns2:callID>da0ead04-8ca8-4694-bbd6-\n1a0bb8988b28</ns2:callID> \n   </ns2:connection> \n   <ns2:device> \n    <ns2:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31" \nconnectionRate="28" typeOfNumber="dialingNumber">1001</ns2:deviceIdentifier> \n   </ns2:device> \n   <ns2:callingDevice> \n    <ns2:deviceIdentifier \ntypeOfNumber="dialingNumber">1002</ns2:deviceIdentifier> \n   </ns2:callingDevice> \n    <ns2:servicesPermitted> \n    <ns2:callControlServices> \n     <ns2:acceptCall>false</ns2:acceptCall> \n     <ns2:alternateCall>true</ns2:alternateCall> \n     <ns2:answerCall>false</ns2:answerCall> \n     <ns2:callBack>false</ns2:callBack> \n    \n <ns2:callBackMessage>false</ns2:callBackMessage> \n     <ns2:campOnCall>false</ns2:campOnCall> \n     <ns2:clearCall>false</ns2:clearCall> \n     <ns2:clearConnection>true</ns2:clearConnection> \n     <ns2:conferenceCall>false</ns2:conferenceCall> \n     <ns2:consultationCall>true</ns2:consultationCall> \n     <ns2:deflectCall>false</ns2:deflectCall> \n     <ns2:dialDigits>false</ns2:dialDigits> \n    \n <ns2:groupPickupCall>false</ns2:groupPickupCall> \n     <ns2:holdCall>true</ns2:holdCall> \n     <ns2:intrudeCall>false</ns2:intrudeCall> \n     <ns2:joinCall>false</ns2:joinCall> \n     <ns2:makeCall>false</ns2:makeCall> \n    \n <ns2:makePredictiveCall>false</ns2:makePredictiveCall> \n     <ns2:parkCall>true</ns2:parkCall> \n     <ns2:reconnectCall>false</ns2:reconnectCall> \n     <ns2:retrieveCall>false</ns2:retrieveCall> \n     <ns2:sendMessage>false</ns2:sendMessage> \n    \n <ns2:singleStepConference>true</ns2:singleStepConference> \n    \n <ns2:singleStepTransfer>true</ns2:singleStepTransfer> \n     <ns2:transferCall>true</ns2:transferCall> \n    </ns2:callControlServices> \n   </ns2:servicesPermitted> \n   <ns2:connectionInfo> \n   \n <ns2:flowDirection>transmitAndReceive</ns2:flowDirection> \n   </ns2:connectionInfo> \n   <ns2:callLinkageDataList> \n    <ns2:newCallLinkageData> \n     <ns2:globalCallData> \n      <ns2:globalCallLinkageID> \n      \n <ns2:globallyUniqueCallLinkageID>da0ead04-8ca8-4694-bbd6-\n1a0bb8988b28</ns2:globallyUniqueCallLinkageID> \n      </ns2:globalCallLinkageID> \n     </ns2:globalCallData> \n    </ns2:newCallLinkageData> \n   </ns2:callLinkageDataList> \n   <ns2:callCharacteristics> \n    <ns2:voiceUnitCall>false</ns2:voiceUnitCall> \n    </ns2:callCharacteristics> \n   <ns2:subjectOfCall/> \n   <ns2:deviceInfo \ntypeOfNumber="dialingNumber">1001</ns2:deviceInfo> \n   <ns2:extensions> \n    <ns2:privateData> \n     <ns2:string/> \n     <ns2:private> \n      <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="1" booleanFlag="true"/> \n      <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="2" booleanFlag="false"/> \n      <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="3" booleanFlag="false"/> \n      <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="4" booleanFlag="true"> \n       <additionalCallInfo> \n        <callingPartyInfo \nexternal="false" callerName="Sachin Chavan" number="1002"/> \n        <calledPartyInfo \nexternal="false" callerName="Charudatta Brahme" number="1001"/> \n       \n <callDuration>149885</callDuration> \n       \n <callDisplay>chavans&gt;charu</callDisplay> \n       \n <uniqueCallId>16441</uniqueCallId> \n        <associatedCallingDevice/> \n        <associatedCalledDevice/> \n        <calledDevice/> \n       \n <callerCorrelatorId>28</callerCorrelatorId> \n       \n <voicemailCall>false</voicemailCall> \n        <accountCode/> \n       \n <endpointType>PRIMARY</endpointType> \n       \n <isUnParkedCall>false</isUnParkedCall> \n       \n <noRingTone>false</noRingTone> \n       \n <acwFollow>false</acwFollow> \n       \n <authenticationPending>false</authenticationPending> \n       </additionalCallInfo> \n      </additionalInfo> \n      <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="6" booleanFlag="true"> \n       <additionalEventInfo zone="+5:30" \ntimestamp="1497041664699"/> \n       </additionalInfo> \n     </ns2:private> \n    </ns2:privateData> \n   </ns2:extensions> \n  </ns2:CallInformationEvent> \n </ns3:Event> \n</ns3:Events> ',
  },
  {
    label: 'S9 HASwitchEvent',
    line: 8354,
    end: 8378,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns3:Events clientSessionId="3447b59b-cf2d-4bc3-b5ce-32d549e76027" \nxmlns:ns2="http://www.ecma-international.org/standards/ecma-323/csta/ed4" \nxmlns:ns4="http://groups.system.common.avaya.com" \nxmlns:ns3="http://openapi.common.avaya.com/" \nxmlns:ns6="http://conferencing.avaya.com/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/09/transfer" \n xmlns:ns8="http://com.avaya.inkaba.dal" \nxmlns:ns7="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns13="http://voicemail.avaya.com/" \nxmlns:ns9="http://com.avaya.inkaba.wstransfer" \nxmlns:ns12="http://voicemail.common.avaya.com/" \nxmlns:ns11="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns10="http://com.avaya.common.csta.extended" \nxmlns:ns17="http://www.avaya.com/common/RESTAPI/telephony/call" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \nxmlns:ns15="http://conferencing.common.avaya.com/" \nxmlns:ns14="http://ccragent.common.avaya.com/" \nxmlns:ns19="http://recording.common.avaya.com/" \nxmlns:ns18="http://calllog.common.avaya.com/"> \n <ns3:HASwitchEvent> \n  <primaryServerActive>true</primaryServerActive> \n  <activeServer>148.147.216.234</activeServer> \n </ns3:HASwitchEvent> \n</ns3:Events> ',
  },
  {
    label: 'OutOfServiceEvent (IP Office failover)',
    line: 8398,
    end: 8444,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns2:Events xmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4" \nxmlns:ns6="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns5="http://groups.system.common.avaya.com" \nxmlns:ns8="http://com.avaya.inkaba.wstransfer" \nxmlns:ns7="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://ccragent.common.avaya.com/" \nxmlns:ns9="http://com.avaya.common.csta.extended" \nxmlns:ns12="http://voicemail.avaya.com/" \nxmlns:ns11="http://voicemail.common.avaya.com/" \nxmlns:ns10="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns17="http://www.avaya.com/common/RESTAPI/telephony/call" \nxmlns:ns16="http://voicemailpro.common.avaya.com/" \n xmlns:ns15="http://conferencing.avaya.com/" \nxmlns:ns14="http://conferencing.common.avaya.com/" \nxmlns:ns19="http://recording.common.avaya.com/" \nxmlns:ns18="http://calllog.common.avaya.com/"> \n <ns3:OutOfServiceEvent> \n  <ns3:monitorCrossRefID>6347553966216858683-127.0.0.1-\n202</ns3:monitorCrossRefID> \n  <ns3:device> \n   <ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3132372E302E302E31" \ntypeOfNumber="dialingNumber">202</ns3:deviceIdentifier> \n  </ns3:device> \n  <ns3:cause>numberUnallocated</ns3:cause> \n  <ns3:extensions> \n   <ns3:privateData> \n    <ns3:string>3132372E302E302E31</ns3:string> \n    <ns3:private> \n     <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="6" booleanFlag="true"> \n      <additionalEventInfo zone="0:0" \ntimestamp="1545070437324"/> \n     </additionalInfo> \n     <additionalInfo \nstringData="EXTENDEDSERVICES" intValue="7" booleanFlag="true"> \n      <additionalUserInfo fullname="" \nusername="Extn202" userExtension="202" physicalExtension=""/> \n     </additionalInfo> \n    </ns3:private> \n   </ns3:privateData> \n  </ns3:extensions> \n </ns3:OutOfServiceEvent> \n</ns2:Events> ',
  },
  {
    label: 'Appendix A: device-user frame',
    line: 8582,
    end: 8615,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns2:Events xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/envelope/" \nxmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing" \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba.dal" \nxmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" xml \nns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" \nxmlns:ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" \nxmlns:ns3="http://www.ecma-international.org/standards/ecma-323/csta/ed4"> \n<ns3:ConnectionClearedEvent> \n\n<ns3:monitorCrossRefID>72d0ed18-1622-44d6-b3be-\n735600bd8717</ns3:monitorCrossRefID><ns3:droppedConnection><ns3:callID>\nf628829f-d1dd-47cb-b743-\n619ceceac51c</ns3:callID></ns3:droppedConnection><ns3:releasingDevice><n\ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E31383\n0" connectionRate="191" \ntypeOfNumber="dialingNumber"></ns3:deviceIdentifier></ns3:releasingDevice><\nns3:localConnectionInfo>null</ns3:localConnectionInfo><ns3:cause>callCancell\ned</ns3:cause><ns3:servicesPermitted><ns3:callControlServices/></ns3:service\nsPermitted><ns3:callLinkageData><ns3:globalCallData><ns3:globalCallSwitchin\ngSubDomainName>148.147.206.180</ns3:globalCallSwitchingSubDomainName\n><ns3:globalCallLinkageID><ns3:subDom \nainCallLinkageID></ns3:subDomainCallLinkageID></ns3:globalCallLinkageID></\nns3:globalCallData></ns3:callLinkageData> \n\n</ns3:ConnectionClearedEvent> \n</ns2:Events> ',
  },
  {
    label: 'Appendix A: application-user frame',
    line: 8640,
    end: 8687,
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?> \n<ns2:Events xmlns:ns14="http://calllog.common.avaya.com/" \nxmlns:ns15="http://recording.common.avaya.com/" \nxmlns:ns9="http://schemas.xmlsoap.org/soap/e \nnvelope/" xmlns:ns5="http://schemas.xmlsoap.org/ws/2004/08/addressing"  \nxmlns:ns12="http://conferencing.avaya.com/" xmlns:ns6="http://com.avaya.inkaba. \ndal" xmlns:ns13="http://voicemail.common.avaya.com/" \nxmlns:ns7="http://com.avaya.inkaba.wstransfer" \nxmlns:ns10="http://ccragent.common.avaya.com/" xml \nns:ns8="http://com.avaya.common.csta.extended" \nxmlns:ns11="http://conferencing.common.avaya.com/" \nxmlns:ns2="http://openapi.common.avaya.com/" xmlns:n \ns4="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:ns3="http://www.ecma-\ninternational.org/standards/ecma-323/csta/ed4"> \n<Event device=”1009”> \n <ns3:HookswitchEvent> \n\n<ns3:monitorCrossRefID>72d0ed18-1622-44d6-b3be-\n735600bd8717</ns3:monitorCrossRefID> \n<ns3:device><ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E31383\n0" typeOfNumber="dialingNumber">201</ns3:deviceIdentifier></ns3:device> \n<ns3:hookswitchOnHook>false</ns3:hookswitchOnHook> \n\n</ns3:HookswitchEvent> \n</Event> \n<Event device=”1001”> \n<ns3:ConnectionClearedEvent> \n\n<ns3:monitorCrossRefID>72d0ed18-1622-44d6-b3be-\n735600bd8717</ns3:monitorCrossRefID><ns3:droppedConnection><ns3:callID>\nf628829f-d1dd-47cb-b743-\n 619ceceac51c</ns3:callID></ns3:droppedConnection><ns3:releasingDevice><n\ns3:deviceIdentifier \nswitchingSubDomainInformationElements="3134382E3134372E3230362E31383\n0" connectionRate="191" \ntypeOfNumber="dialingNumber"></ns3:deviceIdentifier></ns3:releasingDevice><\nns3:localConnectionInfo>null</ns3:localConnectionInfo><ns3:cause>callCancell\ned</ns3:cause><ns3:servicesPermitted><ns3:callControlServices/></ns3:service\nsPermitted><ns3:callLinkageData><ns3:globalCallData><ns3:globalCallSwitchin\ngSubDomainName>148.147.206.180</ns3:globalCallSwitchingSubDomainName\n><ns3:globalCallLinkageID><ns3:subDom \nainCallLinkageID></ns3:subDomainCallLinkageID></ns3:globalCallLinkageID></\nns3:globalCallData></ns3:callLinkageData> \n\n</ns3:ConnectionClearedEvent> \n</Event> \n</ns2:Events> ',
  },
  {
    label: 'S10 error payload',
    line: 8713,
    end: 8718,
    text: '<?xml version="1.0" encoding="UTF-8"?> \n<Error> \n <code>XXXXXXXX</code> \n <errorValue>YYYYYYYYYYYYYY< /errorValue > \n <description>…….</description> \n</Error> ',
  },
];
