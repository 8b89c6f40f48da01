/**
 * The IP Office CTI WebServices XML reader and writer (CSTA ECMA-323 ed. 4 and the openapi documents):
 * the driver kit's lenient, internet-safe tree reader (vendors/driver-kit/xml-tree.ts), under this
 * vendor's error name, and its writer with the prefixes of the vendor's samples (`ns2` openapi, `ns3`
 * CSTA). What the reader tolerates of the samples' damage: docs/protocols/avaya-ipo-cti.md, "Wire".
 */
import { writeXml as writeTree, type XmlNode } from '../../driver-kit/xml-tree.js';

export {
  XmlTreeError as IpoXmlError,
  type XmlTreeErrorKind as IpoXmlErrorKind,
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

/** Prefixes the writer uses for the namespaces the vendor's samples use (others get `nsN`). */
const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  'http://openapi.common.avaya.com/': 'ns2',
  'http://www.ecma-international.org/standards/ecma-323/csta/ed4': 'ns3',
  'http://conferencing.common.avaya.com/': 'ns11',
  'http://conferencing.avaya.com/': 'ns12',
  'http://calllog.common.avaya.com/': 'ns14',
};

/**
 * Writes a tree as XML with the vendor's namespace prefixes.
 *
 * @example
 * writeXml(el('Events', OPENAPI_NS, {}, [el('x', undefined, {}, 'a&b')]));
 * // '<ns2:Events xmlns:ns2="http://openapi.common.avaya.com/"><x>a&amp;b</x></ns2:Events>'
 */
export function writeXml(node: XmlNode, opts: { declaration?: boolean } = {}): string {
  return writeTree(node, { ...opts, prefixes: PREFERRED_PREFIX });
}
