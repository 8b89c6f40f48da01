/**
 * The CTIPS service operations (digest §4-§5, L446-1070): SOAP requests the client sends and the
 * responses the service returns, document/literal wrapped as WCF writes them:
 *
 * ```xml
 * <OnLine xmlns="http://tempuri.org/"><args><a:SessionId>..</a:SessionId><a:TenantId>1</a:TenantId></args></OnLine>
 * <OnLineResponse xmlns="http://tempuri.org/"><OnLineResult>0</OnLineResult></OnLineResponse>
 * ```
 *
 * The single parameter is `args` (every signature is `X(XArgs args)`); its fields are the Args tables'
 * names in the data namespace. OpenConnection returns a `SessionObject` with `SessionId` and `status`
 * (L479, L2688); every other operation returns an `int`. Reading matches local names only.
 */
import { child, CtipsXmlError, type XmlLimits, type XmlNode } from './xml.js';
import { CtipsFault, parseSoap, soapEnvelope } from './soap.js';
import { prefixesFor, resolveNamespaces, soapActionFor, type Namespaces } from './ns.js';
import { fieldsToNodes } from './values.js';

export { CtipsFault } from './soap.js';

/** The documented fields of each operation's Args (besides SessionId/RequestId/TenantId where noted). */
export const OPERATIONS = {
  OpenConnection: ['TenantIds', 'UserCredentials', 'ClientCallbackURL'],
  CloseConnection: ['SessionId'],
  OnLine: ['SessionId', 'TenantId'],
  OffLine: ['SessionId', 'TenantId'],
  AddMessageClass: ['SessionId', 'TenantId', 'MessageClass'],
  DeleteMessageClass: ['SessionId', 'TenantId', 'MessageClass'],
  AddFilter: ['SessionId', 'TenantId', 'FieldType', 'FieldValue'],
  DeleteFilter: ['SessionId', 'TenantId', 'FieldType', 'FieldValue'],
  Snapshot: ['SessionId', 'TenantId', 'EntityType'],
  LoginAgent: [
    'SessionId',
    'RequestId',
    'TenantId',
    'AgentLoginName',
    'StationId',
    'InitialState',
    'MultiLine',
  ],
  LogoutAgent: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'ReasonCode'],
  PanicLogout: ['SessionId', 'RequestId', 'TenantId', 'AgentLoginNameList', 'LogoutAllAgents'],
  SetAgentState: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'NewState'],
  GetAgentState: ['SessionId', 'RequestId', 'TenantId', 'AgentId'],
  SetDisposition: [
    'SessionId',
    'RequestId',
    'TenantId',
    'AgentId',
    'CallId',
    'DispositionId',
    'SummaryDispositionSuccessful',
    'WrapNotRequired',
  ],
  AcceptCall: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId', 'AcceptCall', 'RejectReason'],
  ClearCall: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId'],
  HoldCall: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId'],
  RetrieveCall: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId'],
  MakeCall: [
    'SessionId',
    'RequestId',
    'TenantId',
    'AgentId',
    'CallId',
    'DestinationType',
    'ServiceId',
    'WrapState',
    'DestinationAddress',
  ],
  ConsultationCall: [
    'SessionId',
    'RequestId',
    'TenantId',
    'AgentId',
    'CallId',
    'DestinationAddress',
    'ServiceId',
    'DestinationType',
    'UserData',
  ],
  TransferCall: [
    'SessionId',
    'RequestId',
    'TenantId',
    'AgentId',
    'CallId',
    'DestinationType',
    'DestinationAddress',
    'ConsultationCallId',
    'TransferType',
    'UserData',
  ],
  ConferenceCall: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId', 'ConsultationCallId'],
  SendDTMFDigits: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId', 'DTMFDigits'],
  SetCallData: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId', 'UserData'],
  GetCallData: ['SessionId', 'RequestId', 'TenantId', 'AgentId', 'CallId'],
  RouteSelect: [
    'SessionId',
    'RequestId',
    'TenantId',
    'CallId',
    'RouteActionType',
    'RouteDestination',
    'UserData',
  ],
} as const satisfies Record<string, readonly string[]>;

export type CtipsOperation = keyof typeof OPERATIONS;

export const CTIPS_OPERATIONS = Object.keys(OPERATIONS) as CtipsOperation[];

/** Other spellings seen for an operation (L2613 "PanicLogoutAgent"). */
const OP_ALIASES: Readonly<Record<string, CtipsOperation>> = { PanicLogoutAgent: 'PanicLogout' };

/**
 * Whether a name is an operation.
 *
 * @example
 * isCtipsOperation('OnLine'); // true
 */
export function isCtipsOperation(name: string): name is CtipsOperation {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, name);
}

function opElement(name: string, ns: string, children: XmlNode[]): XmlNode {
  return { name, ns, attrs: {}, children, text: '' };
}

/**
 * A request envelope and its SOAPAction header (send it quoted: `SOAPAction: "<soapAction>"`).
 *
 * @example
 * buildRequest('OnLine', { SessionId: 's1', TenantId: 1 });
 * // { soapAction: 'http://tempuri.org/AgentCallService/OnLine', xml: '<s:Envelope ...' }
 */
export function buildRequest(
  op: CtipsOperation,
  params: Record<string, unknown>,
  ns?: Partial<Namespaces>,
): { soapAction: string; xml: string } {
  const n = resolveNamespaces(ns);
  const args = opElement('args', n.service, fieldsToNodes(params, n));
  return {
    soapAction: soapActionFor(n.service, n.serviceContract, op),
    xml: soapEnvelope(opElement(op, n.service, [args]), prefixesFor(n)),
  };
}

/**
 * Reads a request (service side). `params` is the `args` element (an empty element when absent).
 * Throws `CtipsXmlError` for unreadable XML and `CtipsFault` (`a:ActionNotSupported`) for an unknown
 * operation.
 *
 * @example
 * parseRequest(buildRequest('OnLine', { SessionId: 's1', TenantId: 1 }).xml).op; // 'OnLine'
 */
export function parseRequest(xml: string, limits?: XmlLimits): { op: CtipsOperation; params: XmlNode } {
  const { body, fault } = parseSoap(xml, limits);
  if (fault) throw new CtipsXmlError('malformed', 'a fault is not a request');
  const op = isCtipsOperation(body.name) ? body.name : OP_ALIASES[body.name];
  if (!op) throw new CtipsFault('a:ActionNotSupported', `unknown operation ${body.name}`);
  const params = child(body, 'args') ??
    body.children[0] ?? { name: 'args', attrs: {}, children: [], text: '' };
  return { op, params };
}

/**
 * A response envelope. OpenConnection: `result` holds the SessionObject's fields (`SessionId`,
 * `status`); any other operation: `result.result` is the int returned (default 0).
 *
 * @example
 * buildResponse('OnLine', { result: 0 }); // '<s:Envelope ...><OnLineResponse ...><OnLineResult>0</OnLineResult>...'
 */
export function buildResponse(
  op: CtipsOperation,
  result: Record<string, unknown>,
  ns?: Partial<Namespaces>,
): string {
  const n = resolveNamespaces(ns);
  const res: XmlNode =
    op === 'OpenConnection'
      ? opElement(`${op}Result`, n.service, fieldsToNodes(result, n))
      : { name: `${op}Result`, ns: n.service, attrs: {}, children: [], text: String(result.result ?? 0) };
  return soapEnvelope(opElement(`${op}Response`, n.service, [res]), prefixesFor(n));
}

/**
 * Reads a response (client side): `result` is the `<XResult>` element (its text for int results).
 * Throws `CtipsFault` for a SOAP fault, `CtipsXmlError` for anything unreadable.
 *
 * @example
 * parseResponse('OnLine', xml).result.text; // '0'
 */
export function parseResponse(op: CtipsOperation, xml: string, limits?: XmlLimits): { result: XmlNode } {
  const { body, fault } = parseSoap(xml, limits);
  if (fault) throw new CtipsFault(fault.code, fault.reason, fault.detail);
  if (body.name !== `${op}Response`)
    throw new CtipsXmlError('malformed', `expected ${op}Response, got ${body.name}`);
  const result = child(body, `${op}Result`) ?? { name: `${op}Result`, attrs: {}, children: [], text: '' };
  return { result };
}
