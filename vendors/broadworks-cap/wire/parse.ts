/**
 * Reads a CAP document into the message model. Lenient by design (docs/protocols/broadworks-cap.md,
 * "Reading"): elements are found by canonical name in any order, unknown elements are ignored, the
 * identity and `applicationId`/`securePassword` are taken from the user element or from commandData,
 * and the name variants of names.ts are folded. Only a document that is not a `BroadsoftDocument`
 * command, or whose commandType is unknown, is refused (with CapXmlError, like a refused document).
 */
import { foldAcdState, foldCommandType, foldQueueActionType } from './names.js';
import {
  CALL_TEXT_FIELDS,
  QUEUE_CALL_TEXT_FIELDS,
  type CapCall,
  type CapMessage,
  type CapQueueCall,
  type CapUser,
} from './model.js';
import { CapXmlError, child, childText, children, readXml, type CapNode, type ReadLimits } from './xml.js';

const bool = (v: string | undefined): boolean | undefined =>
  v === undefined
    ? undefined
    : /^true$/i.test(v.trim())
      ? true
      : /^false$/i.test(v.trim())
        ? false
        : undefined;

const int = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^\s*-?\d{1,15}\s*$/.test(v)) return undefined;
  return Number(v);
};

/** The identity of `user`, with commandData-level siblings as fall-backs (the registerRequest sample). */
export function readUser(user: CapNode | undefined, data?: CapNode): CapUser {
  const u: CapUser = {};
  const set = <K extends keyof CapUser>(k: K, v: string | undefined) => {
    if (v !== undefined) u[k] = v;
  };
  set('userType', user?.attrs['userType']);
  set('id', user?.attrs['id'] ?? childText(user, 'id') ?? childText(data, 'id'));
  set('userUid', user?.attrs['userUid']);
  set('applicationId', childText(user, 'applicationId') ?? childText(data, 'applicationId'));
  set('supervisorId', childText(user, 'supervisorId') ?? childText(data, 'supervisorId'));
  return u;
}

function readCall(node: CapNode): CapCall {
  const call: CapCall = {
    callId: node.attrs['callId'] ?? '',
    extTrackingId: node.attrs['extTrackingId'] ?? '',
  };
  const n = (name: 'appearance' | 'personality' | 'state' | 'releaseCause') => {
    const v = int(childText(node, name));
    if (v !== undefined) call[name] = v;
  };
  n('appearance');
  n('personality');
  n('state');
  n('releaseCause');
  for (const f of CALL_TEXT_FIELDS) {
    const v = childText(node, f);
    if (v !== undefined) call[f] = v;
  }
  const cc = child(node, 'callCenter');
  if (cc) {
    call.callCenter = { id: cc.attrs['id'] ?? '' };
    for (const f of [
      'joinCallCenter',
      'DNISName',
      'DNISNumber',
      'callWaitTime',
      'longestWaitTime',
      'numCallsInQueue',
    ] as const) {
      const v = childText(cc, f);
      if (v !== undefined) call.callCenter[f] = v;
    }
  }
  if (child(node, 'holdReminder')) call.holdReminder = true;
  return call;
}

function readQueueCall(node: CapNode): CapQueueCall {
  const q: CapQueueCall = { callId: node.attrs['callId'] ?? '' };
  for (const f of QUEUE_CALL_TEXT_FIELDS) {
    const v = childText(node, f);
    if (v !== undefined) q[f] = v;
  }
  const position = int(childText(node, 'position'));
  if (position !== undefined) q.position = position;
  const priority = int(childText(node, 'priority'));
  if (priority !== undefined) q.priority = priority;
  const destination = childText(node, 'destination');
  if (destination !== undefined) q.destination = destination;
  return q;
}

const PROFILE_SKIP = new Set([
  'id',
  'applicationId',
  'initialUpdate',
  'monitoredUserUid',
  'monitoredUserId',
  'callCenter',
]);

/** The two monitored-user elements: by name, or (the sample's form) two `monitoredUserId`, uid first. */
function monitored(user: CapNode | undefined): { monitoredUserUid?: string; monitoredUserId?: string } {
  const ids = children(user, 'monitoredUserId').map((c) => c.text);
  const uid = childText(user, 'monitoredUserUid');
  const out: { monitoredUserUid?: string; monitoredUserId?: string } = {};
  if (uid !== undefined) {
    out.monitoredUserUid = uid;
    if (ids[0] !== undefined) out.monitoredUserId = ids[0];
  } else if (ids.length >= 2) {
    out.monitoredUserUid = ids[0];
    out.monitoredUserId = ids[1];
  } else if (ids[0] !== undefined) out.monitoredUserId = ids[0];
  return out;
}

/** Reads a parsed tree as a CAP message. */
export function messageFromTree(root: CapNode): CapMessage {
  if (root.name !== 'BroadsoftDocument')
    throw new CapXmlError(`root element is <${root.name}>, not BroadsoftDocument`);
  const command = child(root, 'command');
  const rawType = command?.attrs['commandType'];
  if (!command || rawType === undefined) throw new CapXmlError('no command with a commandType');
  const type = foldCommandType(rawType);
  if (!type) throw new CapXmlError(`unknown commandType ${JSON.stringify(rawType.slice(0, 64))}`);
  const data = child(command, 'commandData');
  const userNode = child(data, 'user');
  const user = readUser(userNode, data);
  switch (type) {
    case 'registerAuthentication':
    case 'queueInfoRequest':
      return { type, user };
    case 'responseAuthentication': {
      const m: CapMessage = { type, user };
      const nonce = childText(data, 'nonce') ?? childText(userNode, 'nonce');
      const algorithm = childText(data, 'algorithm') ?? childText(userNode, 'algorithm');
      const failure = child(userNode, 'failure')?.attrs['failureCause'];
      if (nonce !== undefined) m.nonce = nonce;
      if (algorithm !== undefined) m.algorithm = algorithm;
      if (failure !== undefined) m.failure = failure;
      return m;
    }
    case 'registerRequest': {
      const pw = childText(userNode, 'securePassword') ?? childText(data, 'securePassword');
      return pw === undefined ? { type, user } : { type, user, securePassword: pw };
    }
    case 'registerResponse': {
      const m: CapMessage = { type, user };
      const failure = child(userNode, 'failure')?.attrs['failureCause'];
      if (failure !== undefined) m.failure = failure;
      const num = int(childText(userNode, 'numMonitoredUsers'));
      if (num !== undefined) m.numMonitoredUsers = num;
      const details = bool(childText(userNode, 'callDetailsEnabled'));
      if (details !== undefined) m.callDetailsEnabled = details;
      return m;
    }
    case 'acknowledgement': {
      const m: CapMessage = { type, user, failed: !!child(userNode, 'failure') };
      const name = child(userNode, 'message')?.attrs['messageName'];
      if (name !== undefined) m.messageName = name;
      return m;
    }
    case 'unRegister': {
      const reason = userNode?.attrs['userLogoutReason'];
      return reason === undefined ? { type, user } : { type, user, reason };
    }
    case 'sessionUpdate': {
      const m: CapMessage = { type, user, ...monitored(userNode) };
      const offHook = bool(childText(userNode, 'offHook'));
      if (offHook !== undefined) m.offHook = offHook;
      const numCalls = int(childText(userNode, 'numCalls'));
      if (numCalls !== undefined) m.numCalls = numCalls;
      const maxCalls = int(childText(userNode, 'maxCalls'));
      if (maxCalls !== undefined) m.maxCalls = maxCalls;
      const ep = bool(childText(userNode, 'epControl'));
      if (ep !== undefined) m.epControl = ep;
      const conf = child(userNode, 'conference');
      if (conf) {
        m.conference = {
          state: conf.attrs['conferenceState'] ?? '',
          callIds: children(conf, 'callIn').map((c) => c.attrs['callInId'] ?? ''),
          appearances: children(conf, 'appearance').map((c) => c.text),
        };
        if (child(conf, 'silentlyMonitored')) m.conference.silentlyMonitored = true;
      }
      return m;
    }
    case 'profileUpdate': {
      const fields: Record<string, string> = {};
      for (const c of userNode?.children ?? []) {
        if (PROFILE_SKIP.has(c.name) || c.name in fields) continue;
        fields[c.name] = c.name === 'acdState' ? foldAcdState(c.text) : c.text;
        if (c.name === 'cfa' && c.attrs['cfaDestination'] !== undefined)
          fields['cfaDestination'] = c.attrs['cfaDestination'];
      }
      return {
        type,
        user,
        initialUpdate: !!child(userNode, 'initialUpdate'),
        ...monitored(userNode),
        fields,
        callCenters: children(userNode, 'callCenter').map((c) => {
          const join = childText(c, 'joinCallCenter');
          return join === undefined
            ? { id: c.attrs['id'] ?? '' }
            : { id: c.attrs['id'] ?? '', joinCallCenter: join };
        }),
      };
    }
    case 'callUpdate':
      return { type, user, ...monitored(userNode), calls: children(userNode, 'call').map(readCall) };
    case 'callAction': {
      const action = child(userNode, 'action');
      const m: CapMessage = {
        type,
        user,
        actionType: action?.attrs['actionType'] ?? '',
        responseRequested: bool(action?.attrs['responseRequested']) ?? false,
        params: children(action, 'actionParam').map((p) => ({
          name: p.attrs['actionParamName'] ?? '',
          value: p.text,
        })),
      };
      if (action?.attrs['id'] !== undefined) m.actionId = action.attrs['id'];
      return m;
    }
    case 'callActionResponse': {
      const action = child(userNode, 'action');
      const result = child(action, 'result');
      const m: CapMessage = {
        type,
        user,
        actionType: action?.attrs['actionType'] ?? '',
        success: bool(result?.attrs['success']) ?? false,
      };
      if (action?.attrs['id'] !== undefined) m.actionId = action.attrs['id'];
      const msg = childText(result, 'message');
      if (msg !== undefined) m.message = msg;
      return m;
    }
    case 'callControlInfo': {
      const call = child(userNode, 'call');
      return {
        type,
        user,
        callId: call?.attrs['callId'] ?? '',
        extTrackingId: call?.attrs['extTrackingId'] ?? '',
        controls: children(call, 'control').map((c) => ({
          type: c.attrs['controlType'] ?? '',
          enabled: bool(c.text) ?? false,
        })),
      };
    }
    case 'externalNotify': {
      const mwi = childText(userNode, 'thirdPartyMWI');
      const m: CapMessage = { type, user, clearVMMWI: !!child(userNode, 'clearVMMWI') };
      if (mwi !== undefined) m.thirdPartyMWI = mwi;
      return m;
    }
    case 'infoRequest':
      return { type };
    case 'infoResponse':
      return { type, versions: children(data, 'capVersionResponse').map((c) => c.text) };
    case 'serverStatusRequest':
      return userNode ? { type, user } : { type };
    case 'monitoringUsersRequest': {
      const monType = child(userNode, 'monitoring')?.attrs['monType'];
      const m: CapMessage = { type, user, monUsers: children(userNode, 'monUser').map((c) => c.text) };
      if (monType !== undefined) m.monType = monType;
      return m;
    }
    case 'monitoringUsersResponse':
      return {
        type,
        user,
        success: bool(child(userNode, 'monResult')?.attrs['success']) ?? false,
        failedUsers: children(userNode, 'failedUser').map((f) => ({
          id: f.attrs['id'] ?? '',
          reason: f.attrs['failureReason'] ?? '',
        })),
      };
    case 'queueUpdate': {
      const q = child(data, 'queue');
      return {
        type,
        user,
        updateReason: q?.attrs['updateReason'] ?? '',
        calls: children(q, 'queueCall').map(readQueueCall),
      };
    }
    case 'queueAction': {
      const qa = child(data, 'queueActionData');
      const qc = child(qa, 'queueCall');
      const m: CapMessage = { type, user, actionType: foldQueueActionType(qa?.attrs['actionType'] ?? '') };
      if (qc) m.call = readQueueCall(qc);
      return m;
    }
    case 'queueProfileUpdate': {
      const m: CapMessage = { type, user, initialUpdate: !!child(userNode, 'initialUpdate') };
      for (const f of ['nightService', 'holidayService', 'forcedForwarding'] as const) {
        const v = childText(userNode, f);
        if (v !== undefined) m[f] = v;
      }
      return m;
    }
    case 'queueInfoResponse':
      return {
        type,
        user,
        callCenters: children(userNode, 'callCenter').map((c) => {
          const num = int(childText(c, 'numCallsInQueue'));
          return num === undefined
            ? { id: c.attrs['id'] ?? '' }
            : { id: c.attrs['id'] ?? '', numCallsInQueue: num };
        }),
      };
    case 'datagram': {
      const m: CapMessage = { type };
      const from = child(child(data, 'from'), 'user');
      const to = child(child(data, 'to'), 'user');
      const payload = child(data, 'payload');
      if (from) m.from = readUser(from);
      if (to) m.to = readUser(to);
      if (payload) {
        m.payload = payload.text;
        if (payload.attrs['payloadType'] !== undefined) m.payloadType = payload.attrs['payloadType'];
      }
      return m;
    }
  }
}

/** Reads one framed document. Throws CapXmlError (and nothing else) for a document it refuses. */
export function parseCapDocument(text: string, limits?: ReadLimits): CapMessage {
  return messageFromTree(readXml(text, limits));
}
