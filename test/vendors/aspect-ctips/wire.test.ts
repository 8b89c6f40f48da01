/**
 * The aspect-ctips wire codec: round trips of every operation and callback, local-name parsing with
 * foreign namespaces and prefixes, SOAPAction, faults, the XML reader's refusals, and a seeded fuzz
 * run that may only ever raise CtipsXmlError (or CtipsFault for an unknown operation).
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../../support/prng.js';
import {
  buildCallback,
  buildRequest,
  buildResponse,
  callbackResponse,
  categoryOf,
  child,
  childrenOf,
  CTIPS_OPERATIONS,
  CtipsFault,
  CtipsXmlError,
  DEFAULT_NAMESPACES,
  nodeToValue,
  parseCallback,
  parseRequest,
  parseResponse,
  parseSoap,
  parseXml,
  soapFault,
  startSessionOf,
  textOf,
  writeXml,
  type CtipsOperation,
} from '../../../vendors/aspect-ctips/wire/index.js';

const base = { SessionId: 'sess-1', RequestId: 7, TenantId: 1 };
const SAMPLE_PARAMS: Record<CtipsOperation, Record<string, unknown>> = {
  OpenConnection: {
    TenantIds: [1],
    UserCredentials: { UserName: 'Test01', Password: 'Test01' },
    ClientCallbackURL: 'http://10.128.98.146:8730/www.aspect.com/PublishEvents',
  },
  CloseConnection: { SessionId: 'sess-1' },
  OnLine: { SessionId: 'sess-1', TenantId: 1 },
  OffLine: { SessionId: 'sess-1', TenantId: 1 },
  AddMessageClass: { SessionId: 'sess-1', TenantId: 1, MessageClass: 'EventCategoryAgent' },
  DeleteMessageClass: { SessionId: 'sess-1', TenantId: 1, MessageClass: 'EventCategoryCall' },
  AddFilter: { SessionId: 'sess-1', TenantId: 1, FieldType: 'FT_SERVICE_ID', FieldValue: '3' },
  DeleteFilter: { SessionId: 'sess-1', TenantId: 1, FieldType: 'FT_AGENT_ID', FieldValue: 'carol' },
  Snapshot: { SessionId: 'sess-1', TenantId: 1, EntityType: ['AgentInfo', 'CallInfo'] },
  LoginAgent: { ...base, AgentLoginName: 'carol', StationId: '1003', InitialState: 'Idle', MultiLine: 0 },
  LogoutAgent: { ...base, AgentId: 1003, ReasonCode: 0 },
  PanicLogout: { ...base, AgentLoginNameList: ['carol', 'dave'], LogoutAllAgents: false },
  SetAgentState: { ...base, AgentId: 1003, NewState: 'NotReady' },
  GetAgentState: { ...base, AgentId: 1003 },
  SetDisposition: {
    ...base,
    AgentId: 1003,
    CallId: 1001,
    DispositionId: 4,
    SummaryDispositionSuccessful: true,
    WrapNotRequired: false,
  },
  AcceptCall: { ...base, AgentId: 1003, CallId: 1001, AcceptCall: true, RejectReason: 0 },
  ClearCall: { ...base, AgentId: 1003, CallId: 1001 },
  HoldCall: { ...base, AgentId: 1003, CallId: 1001 },
  RetrieveCall: { ...base, AgentId: 1003, CallId: 1001 },
  MakeCall: {
    ...base,
    AgentId: 1003,
    CallId: -1,
    DestinationType: 'External',
    ServiceId: 2001,
    WrapState: false,
    DestinationAddress: '+15550100',
  },
  ConsultationCall: {
    ...base,
    AgentId: 1003,
    CallId: 1001,
    DestinationAddress: 'dave',
    ServiceId: 0,
    DestinationType: 'Agent',
    UserData: 'note',
  },
  TransferCall: {
    ...base,
    AgentId: 1003,
    CallId: 1001,
    DestinationType: 'External',
    DestinationAddress: '+15550100',
    ConsultationCallId: 0,
    TransferType: 'Blind',
    UserData: ['a', 'b'],
  },
  ConferenceCall: { ...base, AgentId: 1003, CallId: 1001, ConsultationCallId: 1002 },
  SendDTMFDigits: { ...base, AgentId: 1003, CallId: 1001, DTMFDigits: '12#' },
  SetCallData: { ...base, AgentId: 1003, CallId: 1001, UserData: ['x', '', 'a<&>b'] },
  GetCallData: { ...base, AgentId: 1003, CallId: 1001 },
  RouteSelect: {
    ...base,
    CallId: 1001,
    RouteActionType: 'RouteToService',
    RouteDestination: '2001',
    UserData: ['u1'],
  },
};

/** The plain form a request's params round-trip to (numbers and booleans as text). */
const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
      : String(v);

describe('aspect-ctips wire: operations (digest §4-§5)', () => {
  it.each(CTIPS_OPERATIONS)('%s: request round trip, SOAPAction, document/literal wrapped', (op) => {
    const { soapAction, xml } = buildRequest(op, SAMPLE_PARAMS[op]);
    expect(soapAction).toBe(`http://tempuri.org/AgentCallService/${op}`);
    const parsed = parseRequest(xml);
    expect(parsed.op).toBe(op);
    expect(parsed.params.name).toBe('args');
    expect(parsed.params.ns).toBe('http://tempuri.org/');
    expect(parsed.params.children.every((c) => c.ns === DEFAULT_NAMESPACES.data)).toBe(true);
    expect(nodeToValue(parsed.params)).toEqual(plain(SAMPLE_PARAMS[op]));
    expect(parseSoap(xml).body.ns).toBe('http://tempuri.org/');
  });

  it.each(CTIPS_OPERATIONS)('%s: response round trip', (op) => {
    const xml =
      op === 'OpenConnection'
        ? buildResponse(op, { SessionId: 'abc', status: 0 })
        : buildResponse(op, { result: 0 });
    const { result } = parseResponse(op, xml);
    expect(result.name).toBe(`${op}Result`);
    if (op === 'OpenConnection') {
      expect(textOf(result, 'SessionId')).toBe('abc');
      expect(textOf(result, 'status')).toBe('0');
    } else expect(result.text).toBe('0');
  });

  it('writes members in ordinal order and arrays as WCF does (b:int, b:string, enum items)', () => {
    const { xml } = buildRequest('OpenConnection', SAMPLE_PARAMS.OpenConnection);
    expect(xml).toContain('<a:TenantIds><b:int>1</b:int></a:TenantIds>');
    expect(xml).toContain(
      '<a:UserCredentials><a:Password>Test01</a:Password><a:UserName>Test01</a:UserName>',
    );
    expect(xml.indexOf('<a:ClientCallbackURL>')).toBeLessThan(xml.indexOf('<a:TenantIds>'));
    const snap = buildRequest('Snapshot', SAMPLE_PARAMS.Snapshot).xml;
    expect(snap).toContain('<a:EntityType><a:CTIEntityType>AgentInfo</a:CTIEntityType>');
    expect(buildRequest('SetCallData', SAMPLE_PARAMS.SetCallData).xml).toContain(
      '<b:string>a&lt;&amp;&gt;b</b:string>',
    );
  });

  it('every namespace and contract name is configurable', () => {
    const ns = { service: 'urn:svc', serviceContract: 'IX', data: 'urn:data' };
    const { soapAction, xml } = buildRequest('OnLine', SAMPLE_PARAMS.OnLine, ns);
    expect(soapAction).toBe('urn:svc/IX/OnLine');
    const p = parseRequest(xml).params;
    expect(p.ns).toBe('urn:svc');
    expect(p.children[0]!.ns).toBe('urn:data');
  });

  it("parses by local name: foreign namespaces, other prefixes, SOAP 1.2, the document's own spellings", () => {
    const xml = `<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
      <env:Header/><env:Body><x:OpenConnection xmlns:x="http://www.aspect.com/unifiedip/edk/ctipsapi/2009/08">
      <x:args xmlns:d="http://www.aspect.com/unifiedip/edk/commondata/2009/08">
      <d:TenantId><q:int xmlns:q="urn:q">1</q:int></d:TenantId>
      <d:UserInfo><d:UserName>u</d:UserName><d:Password>p</d:Password></d:UserInfo>
      <d:ClientCallbackURL>http://h/cb</d:ClientCallbackURL></x:args></x:OpenConnection></env:Body></env:Envelope>`;
    const { op, params } = parseRequest(xml);
    expect(op).toBe('OpenConnection');
    expect(textOf(params, 'UserInfo', 'UserName')).toBe('u');
    expect(childrenOf(child(params, 'TenantId'), 'int').map((n) => n.text)).toEqual(['1']);
    expect(parseRequest(buildRequest('OnLine', {}).xml.replace(/OnLine/g, 'PanicLogoutAgent')).op).toBe(
      'PanicLogout',
    );
  });

  it('an unknown operation is a CtipsFault; a fault response throws CtipsFault with code and reason', () => {
    expect(() => parseRequest(buildRequest('OnLine', {}).xml.replace(/OnLine/g, 'Nope'))).toThrow(CtipsFault);
    const fault = soapFault('Client', 'unknown SessionId <x>');
    try {
      parseResponse('OnLine', fault);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CtipsFault);
      expect((e as CtipsFault).code).toBe('s:Client');
      expect((e as CtipsFault).reason).toBe('unknown SessionId <x>');
    }
    expect(parseSoap(fault).fault).toEqual({ code: 's:Client', reason: 'unknown SessionId <x>' });
    const f12 = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text>bad</e:Text></e:Reason><e:Detail><x>1</x></e:Detail></e:Fault></e:Body></e:Envelope>`;
    expect(parseSoap(f12).fault).toMatchObject({ code: 'e:Sender', reason: 'bad' });
    expect(() => parseResponse('OnLine', buildResponse('OffLine', {}))).toThrow(CtipsXmlError);
  });
});

describe('aspect-ctips wire: callbacks (digest §2)', () => {
  it('PublishCTIEvent: full header, category from the type, i:type, name from EventType', () => {
    const { soapAction, xml } = buildCallback('PublishCTIEvent', {
      EventType: 'CallConnected',
      RequestId: 0,
      CallId: 1001,
      CallInfo: [{ ANI: '+1555', CallData: [{ key: '1', value: 'v' }], FirstName: null }],
      ResponseRequired: true,
    });
    expect(soapAction).toBe('http://tempuri.org/CTIEventService/PublishCTIEvent');
    expect(xml).toContain('i:type="a:CTICallConnected"');
    expect(xml).toContain('<a:FirstName i:nil="true"/>');
    const { op, event } = parseCallback(xml);
    expect(op).toBe('PublishCTIEvent');
    expect(event!.name).toBe('CallConnected');
    expect(event!.messageClass).toBe('EventCategoryCall');
    const v = nodeToValue(event!.node) as Record<string, unknown>;
    expect(v).toMatchObject({
      AgentId: '0',
      TenantId: '0',
      SwitchId: '0',
      CallId: '1001',
      ResponseRequired: 'true',
    });
    expect(v.CallInfo).toEqual([{ ANI: '+1555', CallData: [{ key: '1', value: 'v' }], FirstName: null }]);
    expect(event!.node.children.slice(0, 3).map((c) => c.name)).toEqual([
      'AgentId',
      'EventCategory',
      'EventType',
    ]);
  });

  it('an event without EventType is named from i:type; categories follow §6', () => {
    const xml = buildCallback('PublishCTIEvent', { EventType: 'RouteReject' }).xml.replace(
      /<a:EventType>RouteReject<\/a:EventType>/,
      '',
    );
    expect(parseCallback(xml).event!.name).toBe('RouteReject');
    expect(categoryOf('ServiceStateChange')).toBe('EventCategoryAgent');
    expect(categoryOf('DigitsDialed')).toBe('EventCategoryCall');
    expect(categoryOf('RouteUsed')).toBe('EventCategoryRoute');
    expect(categoryOf('LinkStatus')).toBe('EventCategorySystem');
  });

  it('StartSession and HeartbeatMessage (and the Heartbeat spelling) round trip', () => {
    const s = buildCallback('StartSession', { UserName: 'u', Password: 'p', SessionId: 'sid' });
    expect(s.soapAction).toBe('http://tempuri.org/CTIEventService/StartSession');
    const parsed = parseCallback(s.xml);
    expect(parsed.op).toBe('StartSession');
    expect(startSessionOf(parsed.node)).toEqual({ UserName: 'u', Password: 'p', SessionId: 'sid' });
    const h = buildCallback('HeartbeatMessage', {});
    expect(parseCallback(h.xml).op).toBe('HeartbeatMessage');
    expect(parseCallback(h.xml.replace(/HeartbeatMessage/g, 'Heartbeat')).op).toBe('HeartbeatMessage');
    expect(parseSoap(callbackResponse('HeartbeatMessage')).body.children[0]!.text).toBe('0');
    expect(parseSoap(callbackResponse('PublishCTIEvent')).body.name).toBe('PublishCTIEventResponse');
    expect(() => parseCallback(buildRequest('OnLine', {}).xml)).toThrow(CtipsXmlError);
  });
});

describe('aspect-ctips wire: XML hygiene', () => {
  it('refuses DOCTYPE/ENTITY, oversized and too deep documents with typed errors', () => {
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CtipsXmlError ? e.kind : 'other';
      }
      return 'none';
    };
    expect(kind(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'))).toBe('doctype');
    expect(kind(() => parseXml(`<x>${'a'.repeat(2 * 1024 * 1024)}</x>`))).toBe('oversized');
    expect(kind(() => parseXml('<a>'.repeat(70)))).toBe('depth');
    expect(kind(() => parseXml('no xml'))).toBe('malformed');
    expect(kind(() => parseSoap('<NotEnvelope/>'))).toBe('malformed');
    expect(kind(() => parseXml('<x>1</x>', { maxBytes: 4 }))).toBe('oversized');
  });

  it('writes and reads back escaped text', () => {
    const n = parseXml(writeXml({ name: 'a', attrs: { k: '"<' }, children: [], text: 'x & <y>' }));
    expect(n.text).toBe('x & <y>');
    expect(n.attrs.k).toBe('"<');
  });

  it('fuzz: mutated requests, responses and callbacks only raise CtipsXmlError or CtipsFault', () => {
    const rand = prng(0xc71b5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const seeds = [
      ...CTIPS_OPERATIONS.map((op) => buildRequest(op, SAMPLE_PARAMS[op]).xml),
      buildResponse('OpenConnection', { SessionId: 'a', status: 0 }),
      buildCallback('PublishCTIEvent', { EventType: 'CallDelivered', CallId: 1 }).xml,
      buildCallback('StartSession', { UserName: 'u', Password: 'p', SessionId: 's' }).xml,
      soapFault('Client', 'x'),
    ];
    const junk = [
      '<',
      '>',
      '&',
      '</',
      '/>',
      '"',
      '<!DOCTYPE',
      '<!ENTITY',
      ']]>',
      '<![CDATA[',
      '&#0;',
      '&#x110000;',
      ':',
      'xmlns:a=""',
      '\u0000',
    ];
    for (let i = 0; i < 3000; i++) {
      let s = pick(seeds);
      const n = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(rand() * (s.length + 1));
        const r = rand();
        if (r < 0.3) s = s.slice(0, at);
        else if (r < 0.6) s = s.slice(0, at) + pick(junk) + s.slice(at);
        else if (r < 0.8) s = s.slice(0, at) + s.slice(at + Math.floor(rand() * 20));
        else s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + s.slice(at);
      }
      const xmlOnly = (e: unknown) => e instanceof CtipsXmlError;
      const orFault = (e: unknown) => e instanceof CtipsXmlError || e instanceof CtipsFault;
      const cases: [() => unknown, (e: unknown) => boolean][] = [
        [() => parseXml(s), xmlOnly],
        [() => nodeToValue(parseSoap(s).body), xmlOnly],
        [() => parseCallback(s), xmlOnly],
        // an unknown operation is a CtipsFault (ActionNotSupported), a fault response is one by contract
        [() => parseRequest(s), orFault],
        [() => parseResponse('OnLine', s), orFault],
      ];
      for (const [f, allowed] of cases) {
        try {
          f();
        } catch (e) {
          if (!allowed(e)) throw e;
        }
      }
    }
  });
});
