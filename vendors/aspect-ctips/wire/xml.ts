/**
 * The CTIPS XML reader (SOAP envelopes, requests, responses and callbacks): the driver kit's lenient,
 * internet-safe tree reader (vendors/driver-kit/xml-tree.ts) under this vendor's error name. Elements are
 * matched by local name, so a CTIPS with other namespaces than ours still reads. The writer, in WCF's
 * DataContractSerializer style, is this vendor's own (xml-write.ts).
 */
export {
  XmlTreeError as CtipsXmlError,
  type XmlTreeErrorKind as CtipsXmlErrorKind,
  type XmlNode,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
  decodeEntities,
  parseXml,
  child,
  childrenOf,
  textOf,
  el,
} from '../../driver-kit/xml-tree.js';
export { writeXml } from './xml-write.js';
