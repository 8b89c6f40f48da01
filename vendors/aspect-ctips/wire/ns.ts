/**
 * The CTIPS namespaces and contract names, every one configurable (docs/protocols/aspect-ctips.md,
 * "Wire"): the defaults are what a WCF basicHttpBinding service generates with no explicit namespace.
 * Parsers never compare namespaces (they match local names), so these only shape what we write.
 */

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** Where DataContractSerializer puts the items of primitive arrays (`<b:int>`, `<b:string>`). */
export const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

export interface CtipsNamespaces {
  /** The CTIPS service contract's namespace (operations, `args`, `...Result`). */
  service: string;
  /** The CTIPS service contract's name, the middle of the SOAPAction. */
  serviceContract: string;
  /** The data contracts' namespace (fields of args, events, data classes, enums). */
  data: string;
  /** The callback (client-hosted) contract's namespace. */
  callback: string;
  /** The callback contract's name. */
  callbackContract: string;
}
/** Alias used by the operation builders. */
export type Namespaces = CtipsNamespaces;

export const DEFAULT_NAMESPACES: Readonly<CtipsNamespaces> = {
  service: 'http://tempuri.org/',
  serviceContract: 'AgentCallService',
  data: 'http://schemas.datacontract.org/2004/07/Aspect.UnifiedIP.EDK',
  callback: 'http://tempuri.org/',
  callbackContract: 'CTIEventService',
};

/**
 * Fills the defaults in.
 *
 * @example
 * resolveNamespaces({ data: 'urn:x' }).service; // 'http://tempuri.org/'
 */
export function resolveNamespaces(ns: Partial<CtipsNamespaces> = {}): CtipsNamespaces {
  return { ...DEFAULT_NAMESPACES, ...Object.fromEntries(Object.entries(ns).filter(([, v]) => v)) };
}

/**
 * WCF's default action: `<namespace>[/]<Contract>/<Operation>`.
 *
 * @example
 * soapActionFor('http://tempuri.org/', 'AgentCallService', 'OnLine'); // 'http://tempuri.org/AgentCallService/OnLine'
 */
export function soapActionFor(namespace: string, contract: string, op: string): string {
  return `${namespace}${namespace.endsWith('/') ? '' : '/'}${contract}/${op}`;
}

/** The prefixes our writer uses, as WCF does (`a` data, `i` instance, `b` arrays). */
export function prefixesFor(ns: CtipsNamespaces): Record<string, string> {
  return { [ns.data]: 'a', [XSI_NS]: 'i', [ARRAYS_NS]: 'b' };
}
