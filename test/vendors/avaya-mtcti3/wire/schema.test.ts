/**
 * The project's MTCTI-3 schema against the document: its only byte-exact test vector (the first Lines
 * subscription, 14 bytes, and the same with the 4-octet framing), the framing rules, the printed
 * SubscribeEnd fix, featuresavailable as unsigned and the sample's labels.
 */
import { describe, expect, it } from 'vitest';
import {
  FEATURE_BIT,
  decodeMessage,
  encodeMessage,
  frame,
  hasFeature,
  messageFromJson,
  messageToJson,
  mtcti3Root,
  mtcti3Type,
  unframe,
} from '../../../../vendors/avaya-mtcti3/wire/codec.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// "It should encode as exactly these 14 bytes" / "With framing, it should be"
const SAMPLE = hex('1A 0C 08 01 10 01 18 90 1C C2 02 02 08 07');
const SAMPLE_FRAMED = hex('00 00 00 01 1A 0C 08 01 10 01 18 90 1C C2 02 02 08 07');

describe('MTCTI-3 schema', () => {
  it('encodes the document sample to exactly its 14 bytes, and framed to its 18', () => {
    const bytes = encodeMessage({
      subscribe: { requestid: 1, subscribe_id: 1, timeout: 3600, lines: { flags: 7 } },
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(SAMPLE.toString('hex'));
    expect(frame(bytes).equals(SAMPLE_FRAMED)).toBe(true);
  });

  it('decodes the document sample back', () => {
    expect(decodeMessage(SAMPLE)).toEqual({
      subscribe: { requestid: 1, subscribe_id: 1, timeout: 3600, lines: { flags: 7 } },
    });
    const payload = unframe(SAMPLE_FRAMED)!;
    expect(Buffer.from(payload).equals(SAMPLE)).toBe(true);
  });

  it('takes [4, len) as the payload and refuses short or unmarked messages', () => {
    expect(unframe(hex('00000001'))).toBeUndefined(); // len <= 4
    expect(unframe(hex('000000021A00'))).toBeUndefined(); // wrong marker
    expect(Buffer.from(unframe(hex('00000001 0A00'))!).toString('hex')).toBe('0a00'); // keeps the last bytes
  });

  it('uses field 2 for SubscribeEnd.subscribe_id (the printed 1 repeats requestid)', () => {
    const bytes = encodeMessage({ subscribeend: { requestid: 5, subscribe_id: 7000 } });
    // 2A = field 5 (subscribeend), then 08 05 (requestid=5), 10 D8 36 (field 2 = 7000)
    expect(Buffer.from(bytes).toString('hex')).toBe('2a050805' + '10d836');
  });

  it('has every type the document references, with the published wire numbers', () => {
    const root = mtcti3Root();
    for (const name of [
      'GeneralCmd',
      'SubscribeCmd',
      'GeneralData',
      'NotifyUser',
      'PartyInfo',
      'QueueInfo',
      'TrunkInfo',
      'Targets',
      'UpdateUserSAC',
      'ConferenceMember',
      'CallInstance',
    ]) {
      expect(root.lookupType(name).fieldsArray.length, name).toBeGreaterThan(0);
    }
    expect(mtcti3Type('SubscribeCmd').fields.callcontrol!.id).toBe(14);
    expect(mtcti3Type('NotifyCallControl').fields.refreshinstance!.id).toBe(1);
    expect(mtcti3Type('NotifyUser').fields.dnd!.id).toBe(9);
    expect(mtcti3Type('Notify').fields.parkserver!.id).toBe(43);
    expect(mtcti3Type('UpdateCallControl').fields.devicehint!.id).toBe(8);
  });

  it('round-trips the set-DND and incoming-call samples', () => {
    const dnd = { subscribecmd: { subscribe_id: 7000, user: { sac: { set: 1 } } } };
    expect(decodeMessage(encodeMessage(dnd))).toEqual(dnd);
    const call = {
      notify: {
        subscribe_id: 7000,
        callcontrol: {
          refreshinstance: 1,
          callinfo: [
            {
              callid: 1,
              state: 'RINGING',
              direction: 'INBOUND',
              gcid: hex('01 C0 A8 2A 0B 00 00 03 EC'),
              featuresavailable: 0x23,
              callingparty: { number: '61001', name: 'Agent 61001', nametype: 5 },
            },
          ],
        },
      },
    };
    const back = decodeMessage(encodeMessage(call));
    expect(back.notify!.callcontrol!.callinfo![0]!.state).toBe('RINGING');
    expect(Buffer.from(back.notify!.callcontrol!.callinfo![0]!.gcid!).toString('hex')).toBe(
      '01c0a82a0b000003ec',
    );
    expect(messageToJson(back)).toMatchObject({
      notify: { callcontrol: { callinfo: [{ gcid: 'AcCoKgsAAAPs' }] } },
    });
  });

  it('reads featuresavailable unsigned and matches the sample labels', () => {
    const names = (fa: number) => Object.keys(FEATURE_BIT).filter((a) => hasFeature(fa, a));
    expect(names(0x23)).toEqual(['DropCall', 'AnswerCall', 'Redirect']);
    // 0x6060E0B1 = DROP BLINDXFER REDIRECT PARK TAG ACCT FORCECLEAR AUTH PRIO FINISH
    expect(names(0x6060e0b1)).toEqual([
      'DropCall',
      'BlindTransfer',
      'Redirect',
      'Park',
      'SetTag',
      'SetAccountCode',
      'ForceClear',
      'SetAuthCode',
      'SetPriority',
      'Finish',
    ]);
    // 0xE0E0E091 arrives as a negative int32
    const wire = decodeMessage(
      encodeMessage({
        notify: { callcontrol: { callinfo: [{ callid: 1, featuresavailable: 0xe0e0e091 | 0 }] } },
      }),
    );
    const fa = wire.notify!.callcontrol!.callinfo![0]!.featuresavailable!;
    expect(fa).toBeLessThan(0);
    // DROP BLINDXFER PARK TAG ACCT FORCECLEAR AUTH REC+ PRIO FINISH (bits 15 and 31 are undefined)
    expect(names(fa)).toEqual([
      'DropCall',
      'BlindTransfer',
      'Park',
      'SetTag',
      'SetAccountCode',
      'ForceClear',
      'SetAuthCode',
      'CallRecordingOn',
      'SetPriority',
      'Finish',
    ]);
  });

  it('reads the protobuf JSON form strictly (raw requests)', () => {
    expect(messageFromJson({ generalcmd: { requestid: 3000, getversioninfo: {} } })).toEqual({
      generalcmd: { requestid: 3000, getversioninfo: {} },
    });
    expect(
      messageFromJson({
        subscribecmd: {
          subscribe_id: 2,
          callcontrol: { callid: 1, callfunction: { action: 'BlindTransfer', arg1: '2502' } },
        },
      }).subscribecmd!.callcontrol!.callfunction!.action,
    ).toBe('BlindTransfer');
    expect(() => messageFromJson({ subscribe: { subscribe_id: 1, lines: { flagz: 7 } } })).toThrow(/flagz/);
    expect(() => messageFromJson({})).toThrow(/exactly one/);
    expect(() => messageFromJson([1])).toThrow();
  });
});
