/**
 * The avaya-ipo-cti wire codec: the hex rule, every verbatim sample of the protocol digest (§7), round
 * trips of every builder through its parser, and a seeded fuzz run that may only ever raise IpoXmlError.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../../support/prng.js';
import {
  buildAnswerCall,
  buildClearCall,
  buildClearConnection,
  buildConferenceCall,
  buildConsultationCall,
  buildDirectedPickupCall,
  buildGenerateDigits,
  buildGetAgentState,
  buildGetDoNotDisturb,
  buildGetForwarding,
  buildHoldCall,
  buildMakeCall,
  buildParkCall,
  buildRecordCall,
  buildRetrieveCall,
  buildSetAgentState,
  buildSetDoNotDisturb,
  buildSetForwarding,
  buildSingleStepTransferCall,
  buildStopRecordCall,
  buildTransferCall,
  callIdOf,
  CSTA_NS,
  deliveredEvent,
  deviceOf,
  el,
  errorsDocument,
  eventsFrame,
  getAgentStateResponse,
  hexStringOf,
  hexToAscii,
  asciiToHex,
  IpoXmlError,
  loginResponse,
  logoutEvent,
  OPENAPI_NS,
  parseErrors,
  parseEventsFrame,
  parseGetAgentStateResponse,
  parseHaSwitchEvent,
  parseLoginRequest,
  parseLoginResponse,
  parseLogoutEvent,
  parseRequest,
  parseXml,
  PATHS,
  readAdditionalInfo,
  textOf,
  userLoginRequest,
  writeXml,
  type IpoRequest,
  type LoginResponse,
} from '../../../vendors/avaya-ipo-cti/wire/index.js';
import { S1, S10, S2, S3, S4, S5, S6, S7, S8, S9 } from './wire-samples.js';

const NS = `xmlns:ns2="${OPENAPI_NS}" xmlns:ns3="${CSTA_NS}"`;
const NS_SWAPPED = `xmlns:ns2="${CSTA_NS}" xmlns:ns3="${OPENAPI_NS}"`;

describe('avaya-ipo-cti wire: hex-ASCII fields', () => {
  it('rule 17: switchingSubDomainInformationElements is the uppercase hex of the IP', () => {
    expect(asciiToHex('127.0.0.1')).toBe('3132372E302E302E31');
    expect(hexToAscii('3132372E302E302E31')).toBe('127.0.0.1');
    expect(asciiToHex('148.147.206.177')).toBe('3134382E3134372E3230362E313737');
    expect(hexToAscii('45787465726E616C')).toBe('External');
    expect(hexToAscii('4578746E323032')).toBe('Extn202');
    expect(hexToAscii('436F6E6620313030')).toBe('Conf 100');
  });

  it('hexToAscii refuses odd length and non-hex, and ignores PDF line wraps', () => {
    expect(hexToAscii('313')).toBeUndefined();
    expect(hexToAscii('3G')).toBeUndefined();
    expect(hexToAscii('3132\n372E')).toBe('127.');
    expect(hexToAscii('')).toBe('');
  });
});

describe('avaya-ipo-cti wire: the digest samples (§7)', () => {
  it('S1 login request: names, subscription and event types (rule 1)', () => {
    const r = parseLoginRequest(S1)!;
    expect(r).toMatchObject({
      userName: 'username',
      userPassword: 'password',
      applicationName: 'appname',
      httpMethod: 'WEBSOCKET',
    });
    expect(r.eventTypes).toEqual([
      'CapabilityExchangeServicesCallbackEvents',
      'MonitoringServicesCallbackEvents',
      'SnapshotServicesCallbackEvents',
      'CallControlFeaturesEvents',
      'LogoutEvents',
    ]);
  });

  it('rule 1: S2 device-user login response, wrapped URL read whole', () => {
    const r = parseLoginResponse(
      `<ns3:userLoginResponse ${NS.replace('ns2=', 'nsx=')} xmlns:ns3="${OPENAPI_NS}">${S2}</ns3:userLoginResponse>`,
    );
    expect(r?.kind).toBe('device');
    if (r?.kind !== 'device') return;
    expect(r.clientSessionID).toBe('c89c3bd9-9f6f-4e44-87a6-0797eb1fb976');
    expect(r.userExtension).toBe('1001');
    expect(r.userMonitorID).toBe('3497757415048302301-127.0.0.1-1001');
    expect(r.loginFailureCode).toBe('NONE');
    expect(r.userLicensePackage).toBe('PowerUserPackage');
    expect(r.webSocketWsUrl).toBe(`ws://111.111.111.111:8080/inyama/openapiwebsocket/${r.clientSessionID}`);
  });

  it('rule 6: S3 logoutEvent', () => {
    const f = parseEventsFrame(`<ns2:Events ${NS}>${S3}`);
    expect(f.events.map((e) => e.name)).toEqual(['logoutEvent']);
    expect(f.events[0]!.node.ns).toBe(OPENAPI_NS);
    expect(parseLogoutEvent(f.events[0]!.node).logoutReason).toBe('LOGIN_DIFFERENT_LOCATION');
  });

  it('rule 28: S4 OutOfServiceEvent, application-user wrapping, unterminated sample', () => {
    const f = parseEventsFrame(`<ns2:Events ${NS}>${S4}`);
    expect(f.events).toHaveLength(1);
    const e = f.events[0]!;
    expect(e).toMatchObject({ device: '1201', name: 'OutOfServiceEvent' });
    expect(e.node.ns).toBe(CSTA_NS);
    expect(deviceOf(e.node, 'device')).toEqual({ number: '1201', switchIp: '111.111.111.111' });
    expect(textOf(e.node, 'cause')).toBe('numberUnallocated');
  });

  it('rule 12: S5 MakeCall: correlatorData decoded across the line wrap, CLI extension (rule 18)', () => {
    const p = parseRequest(
      '/inyama/service/callcontrol/makeCall',
      `<ns2:MakeCall xmlns:ns2="${CSTA_NS}">${S5}`,
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.request).toEqual({
      kind: 'makeCall',
      callingDevice: '201',
      calledDirectoryNumber: '202',
      correlatorData: 'a5bba1cb-b174-441d-8914-125469439de5',
      switchingSubDomain: '148.147.206.180',
      cli: { cliDisplayNumber: 'ABC123', withholdCli: true },
    });
  });

  it('rule 16: S6 ClearConnection dropping a conference participant', () => {
    const p = parseRequest(
      'callcontrol/clearConnection',
      `<ns3:ClearConnection xmlns:ns3="${CSTA_NS}">${S6}`,
    );
    expect(p).toEqual({
      ok: true,
      request: {
        kind: 'clearConnection',
        callID: 'Rj5hgDSrEdimEwDgBwVP9w==',
        correlatorData: '0b3f9036-24e7-472e-ba6a-e4826d39e1de',
        reason: 'conference',
      },
    });
  });

  it('rule 12: S7 DeliveredEvent head: the callID is the MakeCall correlator of S5', () => {
    const f = parseEventsFrame(`<ns2:DeliveredEvent xmlns:ns2="${CSTA_NS}">${S7}</ns2:DeliveredEvent>`);
    const e = f.events[0]!;
    expect(e.name).toBe('DeliveredEvent');
    expect(callIdOf(e.node, 'connection')).toBe('a5bba1cb-b174-441d-8914-125469439de5');
    expect(deviceOf(e.node, 'alertingDevice')).toEqual({ number: '202', switchIp: '148.147.206.180' });
    expect(deviceOf(e.node, 'callingDevice')?.number).toBe('201');
    expect(deviceOf(e.node, 'calledDevice')).toEqual({ number: '202' });
  });

  it('rule 15: S8 ConferencedEvent at conference end has no conferenceConnections', () => {
    const f = parseEventsFrame(`<ns3:Events ${NS_SWAPPED}><ns3:Event device="conference">${S8}`);
    const e = f.events[0]!;
    expect(e).toMatchObject({ device: 'conference', name: 'ConferencedEvent' });
    expect(e.node.children.some((c) => c.name === 'conferenceConnections')).toBe(false);
    expect(textOf(e.node, 'localConnectionInfo')).toBe('null');
  });

  it('rule 27: S9 HASwitchEvent', () => {
    const f = parseEventsFrame(`<ns3:Events xmlns:ns3="${OPENAPI_NS}">${S9}`);
    expect(f.events[0]!.name).toBe('HASwitchEvent');
    expect(parseHaSwitchEvent(f.events[0]!.node)).toEqual({
      primaryServerActive: true,
      activeServer: '148.147.216.234',
    });
  });

  it('rule 25: S10 error payload with the damaged close tag and trailing prose', () => {
    expect(parseErrors(S10)).toEqual([
      { code: 'XXXXXXXX', errorValue: 'YYYYYYYYYYYYYY', description: '…….' },
    ]);
  });
});

describe('avaya-ipo-cti wire: round trips', () => {
  const cases: [string, string, IpoRequest][] = [
    [
      PATHS.makeCall,
      buildMakeCall({
        callingDevice: '1001',
        calledDirectoryNumber: '1002',
        correlatorData: 'u-1',
        switchingSubDomain: '127.0.0.1',
      }),
      {
        kind: 'makeCall',
        callingDevice: '1001',
        calledDirectoryNumber: '1002',
        correlatorData: 'u-1',
        switchingSubDomain: '127.0.0.1',
      },
    ],
    [PATHS.answerCall, buildAnswerCall({ callID: 'c1' }), { kind: 'answerCall', callID: 'c1' }],
    [PATHS.clearCall, buildClearCall({ callID: 'c1' }), { kind: 'clearCall', callID: 'c1' }],
    [
      PATHS.clearConnection,
      buildClearConnection({ callID: 'p==', correlatorData: 'conf', reason: 'conference' }),
      { kind: 'clearConnection', callID: 'p==', correlatorData: 'conf', reason: 'conference' },
    ],
    [PATHS.holdCall, buildHoldCall({ callID: 'c1' }), { kind: 'holdCall', callID: 'c1' }],
    [PATHS.retrieveCall, buildRetrieveCall({ callID: 'c1' }), { kind: 'retrieveCall', callID: 'c1' }],
    [
      PATHS.consultationCall,
      buildConsultationCall({ existingCall: 'a', consultedDevice: '303', correlatorData: 'b' }),
      { kind: 'consultationCall', existingCall: 'a', consultedDevice: '303', correlatorData: 'b' },
    ],
    [
      PATHS.transferCall,
      buildTransferCall({ heldCall: 'a', activeCall: 'b' }),
      { kind: 'transferCall', heldCall: 'a', activeCall: 'b' },
    ],
    [
      PATHS.conferenceCall,
      buildConferenceCall({ heldCall: 'a', activeCall: 'b' }),
      { kind: 'conferenceCall', heldCall: 'a', activeCall: 'b' },
    ],
    [
      PATHS.singleStepTransferCall,
      buildSingleStepTransferCall({ activeCall: 'a', transferredTo: '1003' }),
      { kind: 'singleStepTransferCall', activeCall: 'a', transferredTo: '1003' },
    ],
    [
      PATHS.parkCall,
      buildParkCall({ callID: 'a', parkTo: '1' }),
      { kind: 'parkCall', callID: 'a', parkTo: '1' },
    ],
    [
      PATHS.directedPickupCall,
      buildDirectedPickupCall({ callID: 'a', requestingDevice: '301' }),
      { kind: 'directedPickupCall', callID: 'a', requestingDevice: '301' },
    ],
    [
      PATHS.generateDigits,
      buildGenerateDigits({ callID: 'a', charactersToSend: '12#' }),
      { kind: 'generateDigits', callID: 'a', charactersToSend: '12#' },
    ],
    [
      PATHS.recordCall,
      buildRecordCall({ callID: 'a', requestingDevice: '201' }),
      { kind: 'recordCall', callID: 'a', requestingDevice: '201' },
    ],
    [PATHS.stopRecordCall, buildStopRecordCall({ callID: 'a' }), { kind: 'stopRecordCall', callID: 'a' }],
    [
      PATHS.setAgentState,
      buildSetAgentState({ device: '1003', requestedAgentState: 'ready' }),
      { kind: 'setAgentState', device: '1003', requestedAgentState: 'ready' },
    ],
    [PATHS.getAgentState, buildGetAgentState({ device: '1003' }), { kind: 'getAgentState', device: '1003' }],
    [
      PATHS.setForwarding,
      buildSetForwarding({
        device: '1',
        forwardingType: 'forwardImmediate',
        activateForward: true,
        forwardDN: '72482642',
      }),
      {
        kind: 'setForwarding',
        device: '1',
        forwardingType: 'forwardImmediate',
        activateForward: true,
        forwardDN: '72482642',
      },
    ],
    [PATHS.getForwarding, buildGetForwarding({ device: '1' }), { kind: 'getForwarding', device: '1' }],
    [
      PATHS.setDoNotDisturb,
      buildSetDoNotDisturb({ device: '1', doNotDisturbOn: true }),
      { kind: 'setDoNotDisturb', device: '1', doNotDisturbOn: true },
    ],
    [PATHS.getDoNotDisturb, buildGetDoNotDisturb({ device: '1' }), { kind: 'getDoNotDisturb', device: '1' }],
  ];
  it.each(cases)('%s: build → parseRequest', (path, xml, expected) => {
    expect(parseRequest(path, xml)).toEqual({ ok: true, request: expected });
  });

  it('makeCall sends correlatorData as uppercase hex inside <string>', () => {
    const root = parseXml(
      buildMakeCall({ callingDevice: '1', calledDirectoryNumber: '2', correlatorData: 'a5bba1cb' }),
    );
    expect(textOf(root, 'correlatorData', 'string')).toBe('6135626261316362');
    expect(hexStringOf(root, 'correlatorData')).toBe('a5bba1cb');
  });

  it('rule 25: missing fields, a wrong root and unreadable XML are 400 errors; unknown paths 404', () => {
    const missing = parseRequest(
      PATHS.transferCall,
      `<TransferCall xmlns="${CSTA_NS}"><heldCall/></TransferCall>`,
    );
    expect(missing).toMatchObject({ ok: false, status: 400 });
    if (!missing.ok) expect(missing.errors.map((e) => e.errorValue)).toEqual(['heldCall', 'activeCall']);
    expect(parseRequest(PATHS.holdCall, buildAnswerCall({ callID: 'x' }))).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(parseRequest(PATHS.holdCall, '<HoldCall')).toMatchObject({ ok: false, status: 400 });
    expect(parseRequest('callcontrol/nothing', '<x/>')).toMatchObject({ ok: false, status: 404 });
    expect(
      parseRequest('/service/inyama/callcontrol/dropCall', buildClearConnection({ callID: 'c' })),
    ).toMatchObject({ ok: true });
  });

  it('login request and both login responses round trip (rules 1, 3, 27)', () => {
    const req = {
      userName: 'alice',
      userPassword: 'pw',
      applicationName: 'app',
      applicationVersion: '1.0',
      httpMethod: 'WEBSOCKET',
      eventTypes: ['CallControlFeaturesEvents', 'LogoutEvents'],
    };
    expect(parseLoginRequest(userLoginRequest(req))).toEqual(req);
    const device: LoginResponse = {
      kind: 'device',
      applicationVersion: '11.1',
      clientSessionID: 'id-1',
      loginFailureCode: 'NONE',
      userName: 'alice',
      userExtension: '1001',
      userSwitchDevice: '127.0.0.1',
      userParkSlots: ['1@127.0.0.1', '2@127.0.0.1'],
      userHuntGroups: ['Sales'],
      stationMonitorEnabled: true,
      inService: true,
      userMonitorID: '1-127.0.0.1-1001',
      xmppConnectionFailureCode: 'NONE',
      subscriptionUrl: 'ws://h:1/',
      userLicensePackage: 'PowerUserPackage',
      webSocketWsUrl: 'ws://h:1/inyama/openapiwebsocket/id-1',
      webSocketWssUrl: 'wss://h:1/inyama/openapiwebsocket/id-1',
      xmppDomain: '127.0.0.1',
      haConfiguration: { primaryServer: '10.0.0.1', secondaryServer: '10.0.0.2' },
    };
    expect(parseLoginResponse(loginResponse(device))).toEqual(device);
    const app: LoginResponse = {
      kind: 'application',
      clientSessionID: 'id-2',
      loginFailureCode: 'NONE',
      ipOfficeTimestamp: 1486741123697,
      ipOfficeTimezone: '+5:30',
      devices: [
        {
          switchingSubdomain: '127.0.0.1',
          userExtension: '1003',
          physicalExtension: '1003',
          guid: 'G',
          userName: 'carol',
          fullName: 'Carol Clark',
          monitorID: 'm',
          deviceCategory: 'STATION',
          inService: true,
          loginTime: 0,
          logoutTime: 0,
          wrapupTime: 2,
          exDirectory: false,
          accountStatus: true,
          members: [{ enabled: true, username: 'Sales Queue' }],
        },
        {
          switchingSubdomain: '127.0.0.1',
          userExtension: '2001',
          physicalExtension: '2001',
          guid: 'H',
          userName: 'Sales Queue',
          fullName: '',
          monitorID: 'n',
          deviceCategory: 'GROUP',
          inService: true,
          loginTime: 0,
          logoutTime: 0,
          wrapupTime: 0,
          exDirectory: false,
          accountStatus: true,
          callDistributionMode: 'Sequential',
          members: [{ enabled: false, username: 'carol' }],
        },
      ],
    };
    expect(parseLoginResponse(loginResponse(app))).toEqual(app);
  });

  it('errors, agent state and event frames round trip (rules 13, 22, 25)', () => {
    const errs = [
      { code: 'A', errorValue: 'x', description: 'd' },
      { errorValue: 'y', description: '' },
    ];
    expect(parseErrors(errorsDocument(errs))).toEqual(errs);
    const agents = [
      { agentID: '1003', loggedOnState: true, groups: [{ acdGroup: '2001', agentState: 'agentReady' }] },
    ];
    expect(parseGetAgentStateResponse(getAgentStateResponse(agents))).toEqual(agents);
    const delivered = deliveredEvent({
      monitorCrossRefID: 'm',
      callID: 'c-1',
      switchIp: '127.0.0.1',
      alertingDevice: { number: '1002', switchIp: '127.0.0.1' },
      additional: { eventInfo: { timestamp: 5, zone: '0:0' } },
    });
    const wrapped = parseEventsFrame(
      eventsFrame(
        [
          { device: '1001', name: 'DeliveredEvent', node: delivered },
          { device: '1002', name: 'logoutEvent', node: logoutEvent() },
        ],
        { wrapped: true, clientSessionId: 's' },
      ),
    );
    expect(wrapped.clientSessionId).toBe('s');
    expect(wrapped.events.map((e) => [e.device, e.name])).toEqual([
      ['1001', 'DeliveredEvent'],
      ['1002', 'logoutEvent'],
    ]);
    expect(wrapped.events[0]!.node).toEqual(delivered);
    expect(readAdditionalInfo(wrapped.events[0]!.node)[0]?.content?.attrs.timestamp).toBe('5');
    const bare = parseEventsFrame(
      eventsFrame([{ name: 'DeliveredEvent', node: delivered }], { wrapped: false }),
    );
    expect(bare.events).toEqual([{ name: 'DeliveredEvent', node: delivered }]);
  });

  it('writeXml escapes text and attributes and declares namespaces where they change', () => {
    const tree = el('Events', OPENAPI_NS, { a: '<"&\'>' }, [
      el('x', undefined, {}, 'a<b&c'),
      el('y', CSTA_NS, {}, [el('z', CSTA_NS, {}, ']]>')]),
    ]);
    const xml = writeXml(tree);
    expect(xml).toContain(`xmlns:ns3="${CSTA_NS}"`);
    expect(parseXml(xml)).toEqual(tree);
  });

  it('rule 18: AdditionalInfo in any order, any count, unknown intValues kept', () => {
    const xml = `<E xmlns:c="${CSTA_NS}"><c:extensions><c:privateData><c:private>
      <additionalInfo intValue="99" booleanFlag="true" stringData="EXTENDEDSERVICES"/>
      <additionalInfo stringData="EXTENDEDSERVICES" intValue="6" booleanFlag="true"><additionalEventInfo timestamp="1"/></additionalInfo>
      <additionalInfo booleanFlag="false" intValue="1" stringData="EXTENDEDSERVICES"/>
      <additionalInfo intValue="x"/>
    </c:private><c:string>66616C7365</c:string></c:privateData></c:extensions></E>`;
    expect(readAdditionalInfo(parseXml(xml)).map((i) => [i.intValue, i.booleanFlag])).toEqual([
      [99, true],
      [6, true],
      [1, false],
      [undefined, false],
    ]);
  });
});

describe('avaya-ipo-cti wire: hostile input', () => {
  it('refuses DOCTYPE and ENTITY declarations and never expands entities', () => {
    const bomb = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Events>&lol2;</Events>';
    expect(() => parseXml(bomb)).toThrow(expect.objectContaining({ kind: 'doctype' }));
    expect(() => parseEventsFrame('<Events><!ENTITY x SYSTEM "file:///etc/passwd"></Events>')).toThrow(
      IpoXmlError,
    );
    expect(parseXml('<a>&xxe; &amp;&#65;&#x42;&#0;</a>').text).toBe('&xxe; &AB&#0;');
  });

  it('enforces size and depth limits', () => {
    expect(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 50 })).toThrow(
      expect.objectContaining({ kind: 'oversized' }),
    );
    expect(() => parseXml('<a>'.repeat(70))).toThrow(expect.objectContaining({ kind: 'depth' }));
    expect(() => parseXml('no markup')).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });

  it('fuzz: truncated, garbage, unknown elements, wrong namespaces and entity tricks only raise IpoXmlError', () => {
    const rand = prng(0x1b0c71);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const seeds = [
      S1,
      `<ns2:Events ${NS}>${S3}`,
      `<ns2:Events ${NS}>${S4}`,
      `<ns2:MakeCall xmlns:ns2="${CSTA_NS}">${S5}`,
      `<ns3:Events ${NS_SWAPPED}><ns3:Event device="conference">${S8}`,
      S10,
      buildConferenceCall({ heldCall: 'a', activeCall: 'b' }),
      loginResponse({ kind: 'application', clientSessionID: 'x', loginFailureCode: 'NONE', devices: [] }),
    ];
    const junk = [
      '<',
      '>',
      '&',
      '"',
      "'",
      '</',
      '/>',
      '<!',
      '<?',
      ']]>',
      '<![CDATA[',
      '&#x110000;',
      '&lol;',
      '\u0000',
      '”',
      'xmlns:ns3="urn:x"',
      '<unknown a="1">',
      '</Events>',
      '<!DOCTYPE x>',
      '<!ENTITY e "e">',
    ];
    const parsers: ((s: string) => unknown)[] = [
      (s) => parseXml(s),
      (s) => parseEventsFrame(s),
      (s) => parseLoginRequest(s),
      (s) => parseLoginResponse(s),
      (s) => parseErrors(s),
      (s) => parseGetAgentStateResponse(s),
      (s) => parseRequest(pick(Object.values(PATHS)), s),
    ];
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      let s = pick(seeds);
      const ops = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < ops; k++) {
        const at = Math.floor(rand() * (s.length + 1));
        switch (Math.floor(rand() * 5)) {
          case 0:
            s = s.slice(0, at);
            break;
          case 1:
            s = s.slice(0, at) + pick(junk) + s.slice(at);
            break;
          case 2:
            s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + s.slice(at + 1);
            break;
          case 3:
            s = s.replaceAll(OPENAPI_NS, 'urn:wrong').replaceAll(CSTA_NS, OPENAPI_NS);
            break;
          default:
            s =
              s.slice(0, at) +
              `<x${k}:Unknown xmlns:x${k}="urn:u"><deep>${pick(junk)}</deep></x${k}:Unknown>` +
              s.slice(at);
        }
      }
      for (const parse of parsers) {
        try {
          parse(s);
        } catch (err) {
          if (!(err instanceof IpoXmlError))
            throw new Error(`non-IpoXmlError for input ${JSON.stringify(s)}: ${String(err)}`);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
