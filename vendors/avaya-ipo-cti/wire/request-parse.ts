/**
 * Reading a request body posted to a service path (the simulator's side of requests.ts): a typed request,
 * or the validation errors a 400 `<Errors>` carries. correlatorData is returned decoded.
 */
import { hexToAscii } from './hex.js';
import {
  CSTA_AGENT_STATES,
  PATHS,
  REQUEST_ROOTS as ROOTS,
  type CliRequestInfo,
  type CstaAgentState,
  type IpoRequest,
  type Req,
  type RequestKind,
} from './request-types.js';
import type { IpoError } from './session.js';
import { child, IpoXmlError, parseXml, textOf, type XmlLimits, type XmlNode } from './xml.js';

/** The outcome of reading a request body: the request, or the errors of a 400 `<Errors>`. */
export type ParsedRequest =
  { ok: true; request: IpoRequest } | { ok: false; status: 400 | 404; errors: IpoError[] };

const BY_PATH = new Map<string, RequestKind>(
  (Object.keys(ROOTS) as RequestKind[]).map((k) => [PATHS[k].toLowerCase(), k]),
);
BY_PATH.set('callcontrol/dropcall', 'clearConnection');

/**
 * The request kind a path names (with or without `/inyama/service/`, any case; `dropCall` is
 * `clearConnection`; the doc's `/service/inyama/` order is accepted too).
 *
 * @example
 * requestKindOf('/inyama/service/callcontrol/makeCall'); // 'makeCall'
 */
export function requestKindOf(path: string): RequestKind | undefined {
  const p = path
    .replace(/^\/?(inyama\/service|service\/inyama)\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  return BY_PATH.get(p);
}

class Fields {
  readonly errors: IpoError[] = [];
  constructor(readonly root: XmlNode) {}
  /** Text at a path; records an error when it is missing or blank. */
  need(field: string, ...path: string[]): string {
    const v = textOf(this.root, ...path)?.replace(/\s+/g, path.at(-1) === 'callID' ? '' : ' ');
    if (!v)
      this.errors.push({
        code: 'INVALID_INPUT_XML_DATA',
        errorValue: field,
        description: `${field} is required`,
      });
    return v ?? '';
  }
  opt(...path: string[]): string | undefined {
    return textOf(this.root, ...path);
  }
  bool(field: string, ...path: string[]): boolean {
    const v = this.need(field, ...path).toLowerCase();
    if (v && v !== 'true' && v !== 'false') {
      this.errors.push({
        code: 'INVALID_INPUT_XML_DATA',
        errorValue: field,
        description: `${field} must be true or false`,
      });
    }
    return v === 'true';
  }
  hex(field: string, ...path: string[]): string | undefined {
    const raw = this.opt(...path);
    if (raw === undefined || raw.trim() === '') return undefined;
    const text = hexToAscii(raw);
    if (text === undefined) {
      this.errors.push({
        code: 'INVALID_INPUT_XML_DATA',
        errorValue: field,
        description: `${field} is not hex`,
      });
    }
    return text;
  }
  fail(field: string, description: string): void {
    this.errors.push({ code: 'INVALID_INPUT_XML_DATA', errorValue: field, description });
  }
}

function readCli(root: XmlNode): CliRequestInfo | undefined {
  const priv = child(root, 'extensions', 'privateData', 'private');
  const info = priv?.children.find((a) => a.name === 'additionalInfo' && a.attrs.intValue === '0');
  const req = child(info, 'additionalCallRequestInfo');
  if (!req) return undefined;
  const cli: CliRequestInfo = {};
  const number = textOf(req, 'cliDisplayNumber');
  if (number !== undefined) cli.cliDisplayNumber = number;
  const withhold = textOf(req, 'withholdCli');
  if (withhold !== undefined) cli.withholdCli = withhold.trim().toLowerCase() === 'true';
  return cli;
}

function readBody(kind: RequestKind, f: Fields): IpoRequest {
  const r = f.root;
  switch (kind) {
    case 'makeCall': {
      const req: Req<'makeCall'> = {
        kind,
        callingDevice: f.need('callingDevice', 'callingDevice'),
        calledDirectoryNumber: f.need('calledDirectoryNumber', 'calledDirectoryNumber'),
      };
      const corr = f.hex('correlatorData', 'correlatorData', 'string');
      if (corr !== undefined) req.correlatorData = corr;
      const ssdie = child(r, 'callingDevice')?.attrs.switchingSubDomainInformationElements;
      const ip = ssdie ? hexToAscii(ssdie) : undefined;
      if (ip) req.switchingSubDomain = ip;
      const cli = readCli(r);
      if (cli) req.cli = cli;
      return req;
    }
    case 'answerCall':
      return { kind, callID: f.need('callID', 'callToBeAnswered', 'callID') };
    case 'clearCall':
      return { kind, callID: f.need('callID', 'callToBeCleared', 'callID') };
    case 'clearConnection': {
      const req: Req<'clearConnection'> = {
        kind,
        callID: f.need('callID', 'connectionToBeCleared', 'callID'),
      };
      const corr = f.hex('correlatorData', 'correlatorData', 'string');
      if (corr !== undefined) req.correlatorData = corr;
      const reason = f.opt('reason');
      if (reason) req.reason = reason;
      if (reason === 'conference' && corr === undefined)
        f.fail('correlatorData', 'a conference drop needs the conference correlatorData');
      return req;
    }
    case 'holdCall':
      return { kind, callID: f.need('callID', 'callToBeHeld', 'callID') };
    case 'retrieveCall':
      return { kind, callID: f.need('callID', 'callToBeRetrieved', 'callID') };
    case 'consultationCall': {
      const req: Req<'consultationCall'> = {
        kind,
        existingCall: f.need('existingCall', 'existingCall', 'callID'),
        consultedDevice: f.need('consultedDevice', 'consultedDevice'),
      };
      const corr = f.hex('correlatorData', 'correlatorData', 'string');
      if (corr !== undefined) req.correlatorData = corr;
      return req;
    }
    case 'transferCall':
    case 'conferenceCall':
      return {
        kind,
        heldCall: f.need('heldCall', 'heldCall', 'callID'),
        activeCall: f.need('activeCall', 'activeCall', 'callID'),
      };
    case 'singleStepTransferCall':
      return {
        kind,
        activeCall: f.need('activeCall', 'activeCall', 'callID'),
        transferredTo: f.need('transferredTo', 'transferredTo'),
      };
    case 'parkCall':
      return { kind, callID: f.need('callID', 'parking', 'callID'), parkTo: f.opt('parkTo') || '1' };
    case 'directedPickupCall':
      return {
        kind,
        callID: f.need('callID', 'callToBePickedUp', 'callID'),
        requestingDevice: f.need('requestingDevice', 'requestingDevice'),
      };
    case 'generateDigits': {
      const digits = f.need('charactersToSend', 'charactersToSend').replace(/\s+/g, '');
      return { kind, callID: f.need('callID', 'connectionToSendDigits', 'callID'), charactersToSend: digits };
    }
    case 'recordCall': {
      const req: Req<'recordCall'> = { kind, callID: f.need('callID', 'connection', 'callID') };
      const by = f.opt('requestingDevice');
      if (by) req.requestingDevice = by;
      return req;
    }
    case 'stopRecordCall':
      return { kind, callID: f.need('callID', 'connection', 'callID') };
    case 'setAgentState': {
      const state = f.need('requestedAgentState', 'requestedAgentState') as CstaAgentState;
      if (state && !CSTA_AGENT_STATES.includes(state))
        f.fail('requestedAgentState', `unknown agent state ${state}`);
      const req: Req<'setAgentState'> = {
        kind,
        device: f.need('device', 'device'),
        requestedAgentState: state,
      };
      const group = f.opt('acdGroup');
      if (group) req.acdGroup = group;
      return req;
    }
    case 'setForwarding': {
      const req: Req<'setForwarding'> = {
        kind,
        device: f.need('device', 'device'),
        forwardingType: f.need('forwardingType', 'forwardingType'),
        activateForward: f.bool('activateForward', 'activateForward'),
      };
      const dn = f.opt('forwardDN');
      if (dn) req.forwardDN = dn;
      return req;
    }
    case 'setDoNotDisturb':
      return {
        kind,
        device: f.need('device', 'device'),
        doNotDisturbOn: f.bool('doNotDisturbOn', 'doNotDisturbOn'),
      };
    case 'getAgentState':
    case 'getForwarding':
    case 'getDoNotDisturb':
      return { kind, device: f.need('device', 'device') };
  }
}

/**
 * Reads a request body posted to `path`. Unknown paths give 404; a body the XML reader refuses, a
 * wrong root element or missing fields give 400 with the errors. Never throws.
 *
 * @example
 * parseRequest('callcontrol/holdCall', buildHoldCall({ callID: 'x' })); // { ok: true, request: { kind: 'holdCall', callID: 'x' } }
 */
export function parseRequest(path: string, xml: string, limits?: XmlLimits): ParsedRequest {
  const kind = requestKindOf(path);
  if (!kind)
    return {
      ok: false,
      status: 404,
      errors: [{ code: 'UNKNOWN', errorValue: path, description: 'unknown service' }],
    };
  let root: XmlNode;
  try {
    root = parseXml(xml, limits);
  } catch (err) {
    const description = err instanceof IpoXmlError ? err.message : 'unreadable body';
    return {
      ok: false,
      status: 400,
      errors: [{ code: 'INVALID_INPUT_XML_DATA', errorValue: 'body', description }],
    };
  }
  if (root.name !== ROOTS[kind]) {
    return {
      ok: false,
      status: 400,
      errors: [
        { code: 'INVALID_INPUT_XML_DATA', errorValue: root.name, description: `expected ${ROOTS[kind]}` },
      ],
    };
  }
  const f = new Fields(root);
  const request = readBody(kind, f);
  return f.errors.length ? { ok: false, status: 400, errors: f.errors } : { ok: true, request };
}
