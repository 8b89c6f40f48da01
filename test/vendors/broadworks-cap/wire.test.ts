/**
 * The CAP wire codec (vendors/broadworks-cap/wire): the login hash, the specification's own samples
 * (damaged ones included), serialize/parse round trips, framing and a fuzz run.
 */
import { describe, expect, it } from 'vitest';
import {
  CapFramer,
  CapXmlError,
  LOGIN_HASH_SEPARATOR,
  parseCapDocument,
  readXml,
  securePassword,
  securePasswordFromS1,
  serializeCap,
  sha1Hex,
  type CapMessage,
} from '../../../vendors/broadworks-cap/wire/index.js';
import { prng } from '../../support/prng.js';
import { QUEUE_TAIL_L2789, SPEC_SAMPLES, sample } from './samples.js';

const of = <T extends CapMessage['type']>(m: CapMessage, type: T) => {
  expect(m.type).toBe(type);
  return m as Extract<CapMessage, { type: T }>;
};

describe('login hash (Appendix A)', () => {
  it('rule 1: the document vector gives dc70779bf8461b5a1e6aea58f636d5c0 with the ":" separator', () => {
    expect(LOGIN_HASH_SEPARATOR).toBe(':');
    expect(securePasswordFromS1('1051713840192', 'f7a9e24777ec23212c54d7a350bc5bea5477fdbb')).toBe(
      'dc70779bf8461b5a1e6aea58f636d5c0',
    );
    // the same digest is the securePassword of the registerRequest sample (L754)
    const req = of(parseCapDocument(sample(747)), 'registerRequest');
    expect(req.securePassword).toBe('dc70779bf8461b5a1e6aea58f636d5c0');
  });

  it('rule 1: hashes the UTF-8 password with SHA-1 then MD5 (digest table vectors), 32 lowercase hex', () => {
    expect(sha1Hex('password')).toBe('5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8');
    expect(securePassword('1051713840192', 'password')).toBe('cce8810ea903d72a13e0176623a9f93a');
    expect(securePassword('1051713840192', 'joepublic')).toBe('b98f0a434e6771056c8a8a942ef63e33');
    expect(securePassword('42', 'Welcome1!')).toBe('4e323bbf49b62b97780e1f3ac0a4c0c1');
    expect(securePassword('42', 'Welcome1!')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('the specification samples', () => {
  it('rule 28: every sample parses, with the commandType it carries', () => {
    expect(SPEC_SAMPLES.length).toBeGreaterThan(70);
    for (const s of SPEC_SAMPLES) {
      const m = parseCapDocument(s.text);
      expect(m.type.toLowerCase(), `sample at L${s.line}`).toBe(s.type.toLowerCase());
    }
  });

  it('rule 9: reads the identity from @id, <id>, @userId, @userUid and @userUId', () => {
    expect(of(parseCapDocument(sample(625)), 'registerAuthentication').user).toMatchObject({
      userType: 'CallClient',
      id: 'joepublic',
      applicationId: 'broadSoftExample',
    });
    expect(of(parseCapDocument(sample(785)), 'registerResponse').user).toMatchObject({
      userUid: '169729071',
      id: 'joepublic',
    });
    expect(of(parseCapDocument(sample(887)), 'acknowledgement').user).toMatchObject({
      userUid: '108215935',
      id: 'joe',
    });
    expect(of(parseCapDocument(sample(1468)), 'callUpdate').user).toMatchObject({
      userUid: '141466199',
      id: 'joe@abc.com',
    });
    expect(of(parseCapDocument(sample(1574)), 'callUpdate').user).toMatchObject({ userUid: '141466199' });
    expect(of(parseCapDocument(sample(2397)), 'callActionResponse').user).toMatchObject({
      id: 'agentid@broadsoft.com',
      userUid: '2343444398',
    });
  });

  it('reads registration: nonce and algorithm, failures, supervisorId, securePassword beside <user>', () => {
    const ok = of(parseCapDocument(sample(679)), 'responseAuthentication');
    expect(ok).toMatchObject({ nonce: '1051713840192', algorithm: 'MD5' });
    expect(of(parseCapDocument(sample(713)), 'responseAuthentication').failure).toBe(
      'NetworkServerConnectivityFailure',
    );
    expect(of(parseCapDocument(sample(641)), 'registerAuthentication').user.supervisorId).toBe(
      'supervisor@broadsoft.com',
    );
    const ac = of(parseCapDocument(sample(814)), 'registerResponse');
    expect(ac).toMatchObject({ numMonitoredUsers: 50, callDetailsEnabled: true });
    expect(of(parseCapDocument(sample(847)), 'registerResponse').failure).toBe(
      'UnauthorizedAttendantConsole',
    );
    const ack = of(parseCapDocument(sample(887)), 'acknowledgement');
    expect(ack).toMatchObject({ messageName: 'registerResponse', failed: false });
    expect(of(parseCapDocument(sample(921)), 'unRegister').reason).toBe('ClientLogout');
  });

  it('rule 28: absorbs the damaged call-centre callUpdate (L1500: mismatched </localAltType>, split user tag)', () => {
    const m = of(parseCapDocument(sample(1500)), 'callUpdate');
    const call = m.calls[0]!;
    expect(call).toMatchObject({ callId: 'localhost2615:0', state: 5, appearance: -1, callType: '2' });
    expect(call.callCenter).toEqual({
      id: 'sales_cc@broadsoft.com',
      DNISName: 'Sales Call Center',
      DNISNumber: '7034556766',
      callWaitTime: '2000',
      longestWaitTime: '60000',
      numCallsInQueue: '4',
    });
    expect(call.holdReminder).toBe(true);
    expect(m.user.applicationId).toBe('BroadWorks Supervisor');
  });

  it('rule 28: absorbs "applicationId</applicationId>" (L1574) and reads redirectToNumber as redirectToNum', () => {
    const m = of(parseCapDocument(sample(1574)), 'callUpdate');
    expect(m.calls[0]).toMatchObject({
      state: 6,
      redirectToNum: '3016661234',
      redirectToReason: 'user-busy',
      localNumber: '2405551000',
    });
    expect(m.user.applicationId).toBe('');
  });

  it('rule 28: absorbs the stray </applicationId> opening tag (L1930, L1958) and keeps CallId order (rule 21)', () => {
    const xfer = of(parseCapDocument(sample(1930)), 'callAction');
    expect(xfer.actionType).toBe('XferCC');
    expect(xfer.user.applicationId).toBe('broadSoftExample');
    const consult = of(parseCapDocument(sample(1958)), 'callAction');
    expect(consult.actionType).toBe('XferConsult');
    expect(consult.params).toEqual([
      { name: 'CallId', value: 'localhost220391:0' },
      { name: 'CallId', value: 'localhost220562:0' },
    ]);
    expect(consult.user.applicationId).toBe('broadSoftExample');
  });

  it('rule 28: absorbs unclosed attribute quotes (L2815 callId="…:0 />, L2789 callId="…:0 >)', () => {
    const m = of(parseCapDocument(sample(2815)), 'queueUpdate');
    expect(m).toMatchObject({ updateReason: 'CallAbandoned', calls: [{ callId: 'localhost3234:0' }] });
    const tail = of(
      parseCapDocument(
        `<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="queueUpdate"><commandData><queue updateReason="Initial"><queueCall callId="a:0">${QUEUE_TAIL_L2789}</BroadsoftDocument>`,
      ),
      'queueUpdate',
    );
    expect(tail.calls.map((c) => c.callId)).toEqual(['a:0', 'localhost3435:0']);
    expect(tail.calls[1]).toMatchObject({ remoteNumber: '3015554000', preservedWaitTime: '8299' });
  });

  it('rule 28: absorbs "< numCallsInQueue >" and folds callcenter (L3110)', () => {
    const m = of(parseCapDocument(sample(3110)), 'queueInfoResponse');
    expect(m.callCenters).toEqual([
      { id: 'sales@broadsoft.com', numCallsInQueue: 2 },
      { id: 'support@broadsoft.com', numCallsInQueue: 3 },
    ]);
  });

  it('rule 28: folds the profileUpdate name variants (serviceName, lnr, hasVMessages, WrapUp)', () => {
    const m = of(parseCapDocument(sample(1145)), 'profileUpdate');
    expect(m.initialUpdate).toBe(true);
    expect(m.fields).toMatchObject({
      serviceProviderName: 'MySP',
      lnrd: 'On',
      hasVMMessages: 'True',
      hasThirdPartyVMMessages: 'False',
      threeWayCall: '',
    });
    const sub = of(parseCapDocument(sample(1244)), 'profileUpdate');
    expect(sub.fields['acdState']).toBe('Wrap-up');
    const ac = of(parseCapDocument(sample(1297)), 'profileUpdate');
    expect(ac).toMatchObject({ monitoredUserUid: '147184435', monitoredUserId: 'john@abc.com' });
  });

  it('reads the Attendant Console forms: two monitoredUserId (uid first), monitoring request and response', () => {
    const s = of(parseCapDocument(sample(1060)), 'sessionUpdate');
    expect(s).toMatchObject({
      monitoredUserUid: '169729071',
      monitoredUserId: 'mary@abc.com',
      offHook: false,
    });
    const req = of(parseCapDocument(sample(2648)), 'monitoringUsersRequest');
    expect(req).toMatchObject({ monType: 'Add', monUsers: ['joepublic', 'bob@telcom.com'] });
    const res = of(parseCapDocument(sample(2705)), 'monitoringUsersResponse');
    expect(res).toMatchObject({
      success: false,
      failedUsers: [{ id: 'bob@telcom.com', reason: 'UnauthorizedUser' }],
    });
  });

  it('rule 6 / rule 21: reads the registration sessionUpdate with its conference', () => {
    const m = of(parseCapDocument(sample(971)), 'sessionUpdate');
    expect(m).toMatchObject({ offHook: true, numCalls: 2, maxCalls: -1, epControl: true });
    expect(m.conference).toMatchObject({ state: 'Active', callIds: ['09289589', '09289000'] });
    expect(of(parseCapDocument(sample(1006)), 'sessionUpdate').conference?.state).toBe('Held');
  });

  it('reads callActionResponse success and failure (rules 16, 17), callControlInfo, infoResponse, queue forms', () => {
    expect(of(parseCapDocument(sample(2397)), 'callActionResponse')).toMatchObject({
      actionType: 'TagCallWithDispositionCode',
      actionId: '1',
      success: true,
    });
    expect(of(parseCapDocument(sample(2423)), 'callActionResponse')).toMatchObject({
      success: false,
      message: 'Invalid disposition code',
    });
    expect(of(parseCapDocument(sample(2469)), 'callControlInfo').controls).toEqual([
      { type: 'Answer', enabled: true },
      { type: 'Hold', enabled: true },
      { type: 'Retrieve', enabled: false },
    ]);
    expect(of(parseCapDocument(sample(2569)), 'infoResponse').versions).toEqual(['17.0']);
    expect(of(parseCapDocument(sample(2908)), 'queueAction')).toMatchObject({
      actionType: 'Reorder',
      call: { callId: 'localhost233:0', position: 2 },
    });
    expect(of(parseCapDocument(sample(2928)), 'queueAction')).toMatchObject({
      actionType: 'Transfer',
      call: { destination: '3013334232' },
    });
    expect(of(parseCapDocument(sample(2948)), 'queueAction').actionType).toBe('Refresh');
    expect(of(parseCapDocument(sample(3037)), 'queueProfileUpdate')).toMatchObject({
      nightService: 'Manual',
      holidayService: 'On',
      forcedForwarding: 'Off',
    });
    const init = of(parseCapDocument(sample(2766)), 'queueUpdate');
    expect(init).toMatchObject({
      updateReason: 'Initial',
      calls: [{ callId: 'localhost220335:0', mandatoryEntrance: 'Not Playing' }],
    });
  });

  it('rule 10: matches commandType case-insensitively and the callControllInfo heading spelling', () => {
    const doc = (t: string) =>
      `<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="${t}"><commandData><user userType="CallClient" id="a" userLogoutReason="ClientLogout"/></commandData></command></BroadsoftDocument>`;
    expect(parseCapDocument(doc('unregister')).type).toBe('unRegister');
    expect(parseCapDocument(doc('UNREGISTER')).type).toBe('unRegister');
    expect(parseCapDocument(doc('callControllInfo')).type).toBe('callControlInfo');
    expect(() => parseCapDocument(doc('noSuchCommand'))).toThrow(CapXmlError);
  });

  it('accepts "Remove" as the queueAction Transfer (rule 26) and any element order', () => {
    const m = parseCapDocument(
      `<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="queueAction"><commandData><queueActionData actionType="Remove"><queueCall callId="c1"><destination>1002</destination><unknownThing>x</unknownThing></queueCall></queueActionData><user id="q" userType="CallClient"/></commandData></command></BroadsoftDocument>`,
    );
    expect(m).toMatchObject({
      type: 'queueAction',
      actionType: 'Transfer',
      user: { id: 'q' },
      call: { callId: 'c1', destination: '1002' },
    });
  });
});

describe('refusals and limits', () => {
  it('refuses DOCTYPE and entity declarations, and never expands an undeclared entity', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><BroadsoftDocument><command commandType="infoRequest"/></BroadsoftDocument>';
    expect(() => parseCapDocument(bomb)).toThrow(/DOCTYPE/);
    const m = readXml('<a>&b; &lt;&#65;&#x42;&amp;</a>');
    expect(m.text).toBe('&b; <AB&');
  });

  it('refuses documents over the size, depth and element limits', () => {
    expect(() => readXml(`<a>${'x'.repeat(2000)}</a>`, { maxChars: 1000 })).toThrow(/exceeds/);
    expect(() => readXml('<a>'.repeat(40))).toThrow(/deeper/);
    expect(() => readXml(`<a>${'<b/>'.repeat(50)}</a>`, { maxElements: 20 })).toThrow(/elements/);
  });
});

describe('writer', () => {
  it('rule 30: writes the samples byte for byte (S2 responseAuthentication, S11 serverStatusRequest, S5 registerResponse)', () => {
    expect(
      serializeCap({
        type: 'responseAuthentication',
        user: { userType: 'CallClient', id: 'joepublic', applicationId: 'broadSoftExample' },
        nonce: '1051713840192',
        algorithm: 'MD5',
      }),
    ).toBe(sample(679));
    expect(serializeCap({ type: 'serverStatusRequest' })).toBe(sample(2617));
    expect(
      serializeCap({
        type: 'registerResponse',
        user: {
          userType: 'CallClient',
          userUid: '169729071',
          id: 'joepublic',
          applicationId: 'broadSoftExample',
        },
      }),
    ).toBe(sample(785));
  });

  it('rule 22: CCC2 writes an empty <applicationId></applicationId> and the userUid attribute', () => {
    const xml = serializeCap(
      {
        type: 'sessionUpdate',
        user: { id: 'joe@abc.com', userType: 'CallClient', userUid: '1', applicationId: '' },
        offHook: true,
      },
      { dialect: 'ccc2' },
    );
    expect(xml).toContain('<applicationId></applicationId>');
    expect(xml).toContain('userUid="1"');
    expect(xml).toContain('<BroadsoftDocument protocol="CAP" version="17.0">');
  });

  it('round-trips every sample: parse → write → parse gives the same message', () => {
    for (const s of SPEC_SAMPLES) {
      const m = parseCapDocument(s.text);
      const again = parseCapDocument(serializeCap(m));
      expect(again, `sample at L${s.line}`).toEqual(m);
    }
  });

  it('escapes markup in text and attributes', () => {
    const xml = serializeCap({
      type: 'callActionResponse',
      user: { id: 'a"b', userType: 'CallClient' },
      actionType: 'TagCallWithDispositionCode',
      success: false,
      message: '<bad> & "worse"',
    });
    const m = parseCapDocument(xml);
    expect(m).toMatchObject({ message: '<bad> & "worse"', user: { id: 'a"b' } });
  });
});

describe('framing', () => {
  const docs = [sample(625), sample(679), sample(2617)];

  it('rule 29: reassembles a document split at every byte, including inside a multi-byte character', () => {
    const text = serializeCap({ type: 'infoResponse', versions: ['17.0 – ünïcode ✓'] });
    const bytes = Buffer.from(text, 'utf8');
    const f = new CapFramer();
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...f.push(bytes.subarray(i, i + 1)).documents);
    expect(out).toEqual([text]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('rule 29: splits coalesced documents separated by nothing, LF, CRLF and NUL, each with or without a prolog', () => {
    const noProlog = docs.map((d) => d.replace(/^<\?xml[^>]*\?>\n/, ''));
    for (const sep of ['', '\n', '\r\n', '\0', '\0\0\n ']) {
      for (const set of [docs, noProlog]) {
        const f = new CapFramer();
        const { documents, errors } = f.push(set.join(sep) + sep);
        expect(errors).toEqual([]);
        expect(documents).toEqual(set);
        expect(documents.map((d) => parseCapDocument(d).type)).toEqual([
          'registerAuthentication',
          'responseAuthentication',
          'serverStatusRequest',
        ]);
      }
    }
  });

  it('accepts "</BroadsoftDocument >" and reports garbage between documents', () => {
    const f = new CapFramer();
    const a = f.push('junk<BroadsoftDocument><command commandType="infoRequest"/></BroadsoftDocument\n>\0');
    expect(a.documents).toHaveLength(1);
    expect(a.errors[0]).toMatch(/garbage/);
  });

  it('drops a document over the size limit and recovers at the next one', () => {
    const f = new CapFramer(2048);
    const big = `<BroadsoftDocument><command commandType="infoResponse"><commandData>${'<capVersionResponse>1</capVersionResponse>'.repeat(200)}</commandData></command></BroadsoftDocument>`;
    const errors: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < big.length; i += 500) {
      const r = f.push(big.slice(i, i + 500));
      errors.push(...r.errors);
      got.push(...r.documents);
    }
    const r = f.push(docs[0]!);
    expect(got).toEqual([]);
    expect(errors.length).toBe(1);
    expect(r.documents).toEqual([docs[0]]);
    expect(f.bufferedBytes).toBe(0);
  });
});

describe('fuzz', () => {
  it('truncated, corrupted, unknown-element and name-variant input never throws anything but CapXmlError', () => {
    const rand = prng(0xcafe);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = [
      '<',
      '>',
      '/',
      '"',
      "'",
      '&',
      '&amp;',
      '<!--',
      ']]>',
      '<![CDATA[',
      '\0',
      '=',
      ' ',
      '<x',
      '</',
      '<?',
      'userUId="9"',
      '<unknownElement a="1">z</unknownElement>',
      '<hasVMessages>True</hasVMessages>',
      '<callcenter id="q">',
    ];
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      let text = pick(SPEC_SAMPLES).text;
      const ops = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < ops; k++) {
        const at = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.3)
          text = text.slice(0, at); // truncate
        else if (r < 0.6)
          text = text.slice(0, at) + pick(junk) + text.slice(at); // insert
        else if (r < 0.8)
          text = text.slice(0, at) + text.slice(at + Math.floor(rand() * 20)); // delete
        else text = text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + text.slice(at + 1);
      }
      try {
        parseCapDocument(text);
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(CapXmlError);
      }
      // the framer, fed the same bytes in random pieces, never throws either
      const f = new CapFramer(4096);
      const bytes = Buffer.from(text + text, 'utf8');
      for (let i = 0; i < bytes.length;) {
        const len = 1 + Math.floor(rand() * 64);
        f.push(bytes.subarray(i, i + len));
        i += len;
      }
    }
    expect(parsed).toBeGreaterThan(300);
  });
});
