/**
 * SOAP 1.1 envelopes and faults as a WCF basicHttpBinding service writes them
 * (docs/protocols/aspect-ctips.md, "Wire"). Reading matches local names only: any envelope namespace
 * (SOAP 1.1 or 1.2) and any prefixes are accepted.
 */
import { parseXml, child, CtipsXmlError, type XmlLimits, type XmlNode } from './xml.js';
import { writeXml } from './xml-write.js';
import { SOAP_NS } from './ns.js';

export { SOAP_NS } from './ns.js';

/**
 * A SOAP fault, as thrown by the parsers of responses (`parseResponse`) and by the request parser for
 * requests a service must refuse with a fault.
 *
 * @example
 * try { parseResponse('OnLine', xml); } catch (e) { if (e instanceof CtipsFault) e.reason; }
 */
export class CtipsFault extends Error {
  override readonly name = 'CtipsFault';
  constructor(
    /** `faultcode` as written, e.g. `s:Client`. */
    readonly code: string,
    /** `faultstring`. */
    readonly reason: string,
    readonly detail?: XmlNode,
  ) {
    super(`${code}: ${reason}`);
  }
}

export interface ParsedSoap {
  /** The first element child of Body. */
  body: XmlNode;
  fault?: { code: string; reason: string; detail?: XmlNode };
}

/**
 * Reads an envelope. Throws `CtipsXmlError` ('malformed' when it is not an Envelope with a Body child).
 *
 * @example
 * parseSoap(soapEnvelope(el('OnLine', 'http://tempuri.org/'))).body.name; // 'OnLine'
 */
export function parseSoap(text: string, limits?: XmlLimits): ParsedSoap {
  const env = parseXml(text, limits);
  if (env.name !== 'Envelope') throw new CtipsXmlError('malformed', `not a SOAP envelope: <${env.name}>`);
  const body = child(env, 'Body')?.children[0];
  if (!body) throw new CtipsXmlError('malformed', 'SOAP envelope without a Body element');
  if (body.name !== 'Fault') return { body };
  // SOAP 1.1: faultcode/faultstring; SOAP 1.2: Code/Value, Reason/Text.
  const code = child(body, 'faultcode')?.text ?? child(body, 'Code', 'Value')?.text ?? '';
  const reason = child(body, 'faultstring')?.text ?? child(body, 'Reason', 'Text')?.text ?? '';
  const detail = child(body, 'detail') ?? child(body, 'Detail');
  return { body, fault: detail ? { code, reason, detail } : { code, reason } };
}

/**
 * Wraps one body element in a SOAP 1.1 envelope, with the given prefixes declared on the body element.
 *
 * @example
 * soapEnvelope({ name: 'OnLineResponse', ns: 'http://tempuri.org/', attrs: {}, children: [], text: '' });
 * // '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><OnLineResponse xmlns="http://tempuri.org/"/></s:Body></s:Envelope>'
 */
export function soapEnvelope(body: XmlNode, prefixes?: Readonly<Record<string, string>>): string {
  const inner = writeXml(body, prefixes ? { prefixes } : {});
  return `<s:Envelope xmlns:s="${SOAP_NS}"><s:Body>${inner}</s:Body></s:Envelope>`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A SOAP 1.1 fault envelope as WCF writes a `FaultException` (`s:Client` for the caller's mistakes,
 * `s:Server` for ours). A code without a prefix gets `s:`.
 *
 * @example
 * soapFault('Client', 'unknown SessionId'); // '<s:Envelope ...><s:Fault><faultcode>s:Client</faultcode>...'
 */
export function soapFault(code: string, reason: string): string {
  const qcode = code.includes(':') ? code : `s:${code}`;
  return (
    `<s:Envelope xmlns:s="${SOAP_NS}"><s:Body><s:Fault>` +
    `<faultcode>${esc(qcode)}</faultcode><faultstring xml:lang="en-US">${esc(reason)}</faultstring>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}
