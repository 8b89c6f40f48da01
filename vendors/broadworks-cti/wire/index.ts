/**
 * The BroadWorks CTI wire codec, shared by the driver and the simulator front-end: namespaces, the
 * lenient (optionally strict) parser and its tree accessors, and the serializer.
 */
export { XSP_NS, XSI_NS, XSI1_NS, ENVELOPE_VERSION, XML_DECLARATION } from './namespaces.js';
export { localName } from './names.js';
export { repairXml } from './repair.js';
export { parseXml, XmlParseError, type ParseOptions, type XNode } from './parse.js';
export {
  attr,
  bool,
  child,
  childText,
  childrenNamed,
  find,
  findAll,
  flagOf,
  intOf,
  lookup,
  text,
  textOf,
  toPlain,
  wireName,
} from './tree.js';
export { RawXml, XmlNode, el, empty, escapeAttr, escapeText, message, tx, type XChild } from './serialize.js';
