/**
 * Session-level documents of the IP Office CTI WebServices: the synchronous error documents (`Error`,
 * `Errors`, Appendix B, L8695-8744), `logoutEvent` (L1478-1513) and `HASwitchEvent` (L8345-8377).
 * Re-exported by session.ts.
 */
import { OPENAPI_NS } from './ns.js';
import { childrenOf, el, parseXml, textOf, writeXml, type XmlLimits, type XmlNode } from './xml.js';

/** One `Error` of a synchronous error document; `code` is optional (L8720). */
export interface IpoError {
  code?: string;
  errorValue?: string;
  description?: string;
}

const t = (name: string, value: string | number | boolean | undefined) =>
  value === undefined ? undefined : el(name, undefined, {}, String(value));
const bool = (s: string | undefined) => (s === undefined ? undefined : s.trim().toLowerCase() === 'true');

// ------------------------------------------------------------------ errors

function errorNode(e: IpoError): XmlNode {
  return el('Error', undefined, {}, [
    t('code', e.code),
    t('errorValue', e.errorValue ?? ''),
    t('description', e.description ?? ''),
  ]);
}

/**
 * A synchronous error document: one `Error`, or `Errors` wrapping several (400 validation failures).
 *
 * @example
 * errorsDocument([{ code: 'INVALID_INPUT_XML_DATA', errorValue: 'callID', description: 'missing' }], true);
 */
export function errorsDocument(errors: IpoError[], wrapped = errors.length !== 1): string {
  const node =
    wrapped || errors.length !== 1
      ? el('Errors', undefined, {}, errors.map(errorNode))
      : errorNode(errors[0]!);
  return writeXml(node, { declaration: true });
}

/**
 * Reads an `Error` or `Errors` document into its errors; undefined when the root is neither. Throws
 * `IpoXmlError`.
 *
 * @example
 * parseErrors('<Error><errorValue>x</errorValue></Error>'); // [{ errorValue: 'x' }]
 */
export function parseErrors(xml: string, limits?: XmlLimits): IpoError[] | undefined {
  const root = parseXml(xml, limits);
  const items =
    root.name === 'Errors' ? childrenOf(root, 'Error') : root.name === 'Error' ? [root] : undefined;
  return items?.map((e) => {
    const out: IpoError = {};
    for (const k of ['code', 'errorValue', 'description'] as const) {
      const v = textOf(e, k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  });
}

// ------------------------------------------------------------------ session events

/**
 * The `logoutEvent` sent to a session ended by a newer login of the same client (L1478-1513).
 *
 * @example
 * logoutEvent(); // node for <ns2:logoutEvent><logoutReason>LOGIN_DIFFERENT_LOCATION</logoutReason>…
 */
export function logoutEvent(reason = 'LOGIN_DIFFERENT_LOCATION'): XmlNode {
  return el('logoutEvent', OPENAPI_NS, {}, [t('logoutReason', reason)]);
}

/**
 * Reads a `logoutEvent` node: its reason.
 *
 * @example
 * parseLogoutEvent(logoutEvent()).logoutReason; // 'LOGIN_DIFFERENT_LOCATION'
 */
export function parseLogoutEvent(node: XmlNode): { logoutReason: string } {
  return { logoutReason: textOf(node, 'logoutReason') ?? '' };
}

export interface HaSwitch {
  primaryServerActive: boolean;
  activeServer: string;
}

/**
 * The `HASwitchEvent` a secondary one-X server sends when the primary is back (L8374-8378).
 *
 * @example
 * haSwitchEvent({ primaryServerActive: true, activeServer: '148.147.216.234' });
 */
export function haSwitchEvent(s: HaSwitch): XmlNode {
  return el('HASwitchEvent', OPENAPI_NS, {}, [
    t('primaryServerActive', s.primaryServerActive),
    t('activeServer', s.activeServer),
  ]);
}

/**
 * Reads an `HASwitchEvent` node.
 *
 * @example
 * parseHaSwitchEvent(event.node); // { primaryServerActive: true, activeServer: '148.147.216.234' }
 */
export function parseHaSwitchEvent(node: XmlNode): HaSwitch {
  return {
    primaryServerActive: bool(textOf(node, 'primaryServerActive')) ?? false,
    activeServer: textOf(node, 'activeServer') ?? '',
  };
}
