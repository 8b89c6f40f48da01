/**
 * Avaya IP Office MTCTI-3 wire layer shared by the simulator front-end and the driver: the schema
 * (`avaya-mtcti3.proto`, loaded at run time with protobufjs, field names kept as in the schema), the
 * 4-octet framing, result codes and the featuresavailable bits. See docs/protocols/avaya-mtcti3.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const MTCTI3_PROTO_PATH = fileURLToPath(new URL('./ipo_mtcti3.proto', import.meta.url));

/** Path of the framed service (`00 00 00 01` before every message) and of the unframed one. */
export const MTCTI3_PATH_FRAMED = '/tpkt/openapi';
export const MTCTI3_PATH_UNFRAMED = '/tpkt/openapinoframing';
export const MTCTI3_SUBPROTOCOL = 'openapi';
export const MTCTI3_FRAME_HEADER = Buffer.from([0, 0, 0, 1]);

let cachedRoot: protobuf.Root | undefined;

/** The schema root (parsed once per process). */
export function mtcti3Root(): protobuf.Root {
  if (!cachedRoot) {
    const parsed = protobuf.parse(readFileSync(MTCTI3_PROTO_PATH, 'utf8'), { keepCase: true });
    cachedRoot = parsed.root;
    cachedRoot.resolveAll();
  }
  return cachedRoot;
}

export function mtcti3Type(name: string): protobuf.Type {
  return mtcti3Root().lookupType(name);
}

// ------------------------------------------------------------------------------------------------
// plain-object views of the messages (what decode returns; bytes as Uint8Array, enums as names)

export interface PartyInfo {
  numbertype?: number;
  number?: string;
  subaddr?: string;
  name?: string;
  nametype?: number;
  withheld?: boolean;
  diversionreason?: number;
}
export interface ConferenceMember {
  lref?: number;
  state?: string;
  direction?: string;
  activeheld?: boolean;
  calledparty?: string;
  connectedparty?: PartyInfo;
  mute?: boolean;
  failedcause?: string;
}
export interface CallInfo {
  callid?: number;
  referencecallid?: number;
  relatedcallid?: number;
  state?: string;
  direction?: string;
  activeheld?: boolean;
  gcid?: Uint8Array;
  featuresavailable?: number;
  calledparty?: string;
  callingparty?: PartyInfo;
  connectedparty?: PartyInfo;
  originalcalledparty?: PartyInfo;
  tag?: string;
  accountcode?: string;
  failedcause?: string;
  conferencemember?: ConferenceMember[];
  queueinfo?: {
    number?: string;
    name?: string;
    priority?: number;
    overflow_number?: string;
    overflow_name?: string;
  };
  targets?: { target?: { partyinfo?: PartyInfo }[] };
  calldata?: { language?: string; privacy?: boolean };
  [k: string]: unknown;
}
export interface CallLost {
  callid?: number;
  referencecallid?: number;
  reason?: number;
  thisenddropped?: boolean;
  description?: string;
}
export interface NotifyCallControl {
  refreshinstance?: number;
  callinfo?: CallInfo[];
  calllost?: CallLost[];
}
export interface LinesEntry {
  guid?: Uint8Array;
  extn?: string;
  name?: string;
}
export interface NotifyLines {
  flags?: number;
  adduser?: LinesEntry[];
  addqueue?: LinesEntry[];
  deleteuser?: LinesEntry[];
  deletequeue?: LinesEntry[];
  changeuser?: LinesEntry[];
  changequeue?: LinesEntry[];
}
export interface NotifyUser {
  extn?: string;
  name?: string;
  fullname?: string;
  featuresavailable?: number;
  language?: string;
  dnd?: boolean;
  voicemail?: boolean;
  loggedoff?: boolean;
  absence?: { msg?: number; str?: string };
  mailbox?: { newmessages?: number; oldmessages?: number; savedmessages?: number };
  app?: string;
  fwdu?: boolean;
  fwdb?: boolean;
  fwdna?: boolean;
  fwdunumber?: string;
  fwdbnumber?: string;
  [k: string]: unknown;
}
export interface QueueMember {
  extn?: string;
  disabled?: boolean;
}
export interface NotifyQueue {
  extn?: string;
  name?: string;
  ringmode?: number;
  servicemode?: string;
  queuemembers?: { member?: QueueMember[] };
  mailbox?: { newmessages?: number };
  [k: string]: unknown;
}
export interface NotifyPresententity {
  presentity?: string;
  lref?: number;
  sac?: number;
  phonestate?: number;
  absence?: { msg?: number; str?: string };
  app?: string;
  fwdu?: boolean;
  vmunread_messages?: number;
  noapphandler?: boolean;
}
export interface Notify {
  subscribe_id?: number;
  notify_id?: number;
  label?: string;
  presence?: { full?: number; entry?: NotifyPresententity[] };
  callcontrol?: NotifyCallControl;
  lines?: NotifyLines;
  user?: NotifyUser;
  queue?: NotifyQueue;
  parkserver?: Record<string, never>;
  refreshwrapper?: { dummy?: number };
}
export interface Subscribe {
  requestid?: number;
  subscribe_id?: number;
  timeout?: number;
  label?: string;
  presence?: { entry?: { presentity?: string; lref?: number }[]; flags?: number };
  lines?: { flags?: number };
  user?: { guid?: Uint8Array; flags?: number; ccflags?: number };
  queue?: { guid?: Uint8Array; flags?: number; ccflags?: number; name?: string };
  parkserver?: { flags?: number; ccflags?: number };
  refreshwrapper?: { dummy?: number };
}
export interface CallFunction {
  action?: string;
  arg1?: string;
  memberfunctiondata?: { lref?: number; action?: string };
  callinst?: { callid?: number; referencecallid?: number }[];
  agentrecording?: { pause?: boolean; resume?: boolean };
}
export interface UpdateCallControl {
  callid?: number;
  referencecallid?: number;
  makecall?: { target?: string; type?: number; advanced?: Record<string, unknown> };
  callfunction?: CallFunction;
  unparkcall?: { parkid?: string };
  devicehint?: string;
}
export interface UpdateUser {
  sac?: { set?: number };
  absence?: { set?: number; absence?: { msg?: number; str?: string } };
  ec500?: { set?: number };
  shortcodedata?: { code?: number; val?: string; onbehalf?: string }[];
  loginextn?: Record<string, unknown>;
  app?: { value?: string; makelive?: boolean; makedead?: boolean };
  fwdu?: { set?: boolean; fwdu_number?: string; fwdtovm?: boolean };
}
export interface UpdateQueue {
  setservicemode?: { servicemode?: string };
  setvoicemail?: { enabled?: boolean };
  members?: { member?: QueueMember[] };
  addmember?: QueueMember[];
  deletemember?: QueueMember[];
}
export interface SubscribeCmd {
  requestid?: number;
  subscribe_id?: number;
  timeout?: number;
  presence?: {
    add?: { presentity?: string; lref?: number }[];
    remove?: { presentity?: string; lref?: number }[];
  };
  callcontrol?: UpdateCallControl;
  user?: UpdateUser;
  queue?: UpdateQueue;
}
export interface Message {
  response?: { requestid?: number; result?: number; additional?: string };
  generalcmd?: {
    requestid?: number;
    getfile?: { cmdinst?: number; fname?: string };
    getversioninfo?: Record<string, never>;
  };
  subscribe?: Subscribe;
  subscribecmd?: SubscribeCmd;
  subscribeend?: { requestid?: number; subscribe_id?: number; reason?: string };
  subscribeterminated?: { subscribe_id?: number; reason?: string };
  generaldata?: {
    responseid?: number;
    getfile?: { cmdinst?: number; fname?: string; result?: number; payload?: Uint8Array };
    versioninfo?: string;
  };
  notify?: Notify;
  notifyack?: { subscribe_id?: number; notify_id?: number };
}

/** Which member of Message's oneof is set. */
export type MessageKind = keyof Message;
export const MESSAGE_KINDS: MessageKind[] = [
  'response',
  'generalcmd',
  'subscribe',
  'subscribecmd',
  'subscribeend',
  'subscribeterminated',
  'generaldata',
  'notify',
  'notifyack',
];

export function kindOf(m: Message): MessageKind | undefined {
  return MESSAGE_KINDS.find((k) => m[k] !== undefined && m[k] !== null);
}

// ------------------------------------------------------------------------------------------------
// encode / decode

/** Encode a plain Message (enums by name or number, bytes as Uint8Array/Buffer). Throws on invalid input. */
export function encodeMessage(m: Message): Uint8Array {
  const T = mtcti3Type('Message');
  return T.encode(T.fromObject(m as Record<string, unknown>)).finish();
}

/** Decode one serialized Message (throws on malformed protobuf). Defaults are left out. */
export function decodeMessage(bytes: Uint8Array): Message {
  const T = mtcti3Type('Message');
  return T.toObject(T.decode(bytes), {
    enums: String,
    longs: Number,
    defaults: false,
    arrays: false,
  }) as Message;
}

/** protobuf JSON form (enum names, bytes base64) → Message; throws with the reason when it does not fit. */
export function messageFromJson(json: unknown): Message {
  const T = mtcti3Type('Message');
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new Error('a Message object is required');
  checkFields(T, json as Record<string, unknown>, 'Message');
  const back = T.toObject(T.fromObject(json as Record<string, unknown>), {
    enums: String,
    longs: Number,
    defaults: false,
  }) as Message;
  const set = MESSAGE_KINDS.filter((k) => back[k] !== undefined);
  if (set.length !== 1)
    throw new Error(`exactly one Message member must be set (got ${set.length ? set.join(', ') : 'none'})`);
  return back;
}

/** Rejects field names the schema does not have (fromObject would drop them silently). */
function checkFields(type: protobuf.Type, obj: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) throw new Error(`${path}.${key}: no such field`);
    const rt = field.resolve().resolvedType;
    if (!(rt instanceof protobuf.Type) || value === null || value === undefined) continue;
    const items = field.repeated ? (Array.isArray(value) ? value : [value]) : [value];
    for (const item of items) {
      if (typeof item !== 'object' || Array.isArray(item) || item === null)
        throw new Error(`${path}.${key}: object expected`);
      checkFields(rt, item as Record<string, unknown>, `${path}.${key}`);
    }
  }
}

/** Message → protobuf JSON form (enum names, bytes base64). */
export function messageToJson(m: Message): Record<string, unknown> {
  const T = mtcti3Type('Message');
  return T.toObject(T.fromObject(m as Record<string, unknown>), {
    enums: String,
    bytes: String,
    longs: Number,
    defaults: false,
  }) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------
// framing

/** `00 00 00 01` + payload (the marker is constant, not a length). */
export function frame(payload: Uint8Array): Buffer {
  return Buffer.concat([MTCTI3_FRAME_HEADER, payload]);
}

/** The payload of a framed message, or undefined when it is not one (length <= 4 or wrong marker). */
export function unframe(data: Uint8Array): Uint8Array | undefined {
  if (data.length <= 4) return undefined;
  if (data[0] !== 0 || data[1] !== 0 || data[2] !== 0 || data[3] !== 1) return undefined;
  return data.subarray(4);
}

// ------------------------------------------------------------------------------------------------
// result codes (RequestResponse.result, prefix MTCTISESS_)

export const RESULT = {
  SUCCESS: 0,
  ERRUNKNOWN: 1,
  UNPACKERR: 2,
  NOTINSTRUMENTED: 3,
  NOTFOUND: 4,
  TOOMANY: 5,
  TOOBIG: 6,
  USERNOTFOUND: 7,
  SERVICE_NOT_AVAILABLE: 8,
  NOTALLOWED: 9,
  SUBSCRIPTION_INVALID: 100,
  SUBSCRIPTION_INVALID_ID: 101,
  SUBSCRIPTION_TIMEOUT_TOO_SMALL: 102,
  GENCMD_ERRUNKNOWN: 150,
  GENCMD_INVALID_PAYLOAD: 151,
  GENCMD_REQUIRED_DATA_MISSING: 152,
  PRESENCE_ERRUNKNOWN: 500,
  CALLCONTROL_NOPHONE: 600,
  CALLCONTROL_EXTNFAULT: 601,
  CALLCONTROL_CALLNOTFOUND: 602,
  CALLCONTROL_MAXCALLS: 603,
  CALLCONTROL_BADACCT: 604,
  CALLCONTROL_BDAUTH: 605,
  CALLCONTROL_TARGETNOTFOUND: 606,
  CALLCONTROL_PERMISSION: 607,
  CALLCONTROL_BADFORMATTING: 608,
  CALLCONTROL_INVALIDCALLSTATE: 609,
  CALLCONTROL_CANTBEDONE: 610,
  CALLCONTROL_NOCOVERAGE: 611,
  CALLCONTROL_TRANSFERFAILED: 612,
  CALLCONTROL_PARKFAILED: 613,
  CALLCONTROL_OTHERNOTFOUND: 614,
  CALLCONTROL_CANTCOMPLETE: 615,
  CALLCONTROL_UNSUPPORTED: 616,
  CALLCONTROL_ALREADYDONE: 617,
  REQUESTFAILED: 5000,
  REQUESTTIMEOUT: 5001,
  REQUEST_INVALID_PAYLOAD: 5002,
  REQUEST_INVALID_CONTEXT: 5003,
} as const;

const RESULT_NAMES = new Map<number, string>(Object.entries(RESULT).map(([k, v]) => [v, k]));

export function resultName(code: number): string {
  return RESULT_NAMES.get(code) ?? `RESULT_${code}`;
}

// ------------------------------------------------------------------------------------------------
// featuresavailable: CallFunction action → bit (document table; read the int32 unsigned)

export const FEATURE_BIT: Record<string, number> = {
  DropCall: 0,
  AnswerCall: 1,
  HoldCall: 2,
  UnHoldCall: 3,
  BlindTransfer: 4,
  Redirect: 5,
  Dial: 6,
  Park: 7,
  SetupTransfer: 8,
  SetupConf: 8,
  CompleteTransfer: 9,
  CompleteConf: 10,
  AddToConf: 11,
  MemberFunction: 12,
  SetTag: 13,
  SetAccountCode: 14,
  PushToEC500: 16,
  GenerateDigits: 17,
  AgentRecordingControl: 20,
  ForceClear: 21,
  SetAuthCode: 22,
  CallRecordingOn: 23,
  CallRecordingOff: 24,
  PrivacyOn: 25,
  PrivacyOff: 26,
  MuteOn: 27,
  MuteOff: 28,
  SetPriority: 29,
  Finish: 30,
};

export function hasFeature(featuresavailable: number | undefined, action: string): boolean {
  const bit = FEATURE_BIT[action];
  if (bit === undefined || featuresavailable === undefined) return false;
  return (((featuresavailable >>> 0) >>> bit) & 1) === 1;
}

export function featureMask(actions: string[]): number {
  let m = 0;
  for (const a of actions) {
    const bit = FEATURE_BIT[a];
    if (bit !== undefined) m = (m | (1 << bit)) >>> 0;
  }
  return m | 0; // int32 on the wire
}

// ------------------------------------------------------------------------------------------------
// GUIDs print as 32 hex digits

export function guidHex(guid: Uint8Array | undefined): string {
  return guid ? Buffer.from(guid).toString('hex').toUpperCase() : '';
}

export function guidBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}
