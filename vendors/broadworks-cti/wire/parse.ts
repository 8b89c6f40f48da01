/**
 * The BroadWorks XML parser shared by the driver and the simulator. Messages are repaired (repair.ts), then
 * parsed with fast-xml-parser into a small, namespace-free tree (`XNode`): element and attribute names are
 * reduced to their folded local names (names.ts) and the order of children is kept.
 *
 * Lenient by default (the driver faces real vendors). With `strict`, a message that is not well-formed XML,
 * or that carries a DOCTYPE, is refused with an XmlParseError instead of being repaired (the simulator
 * answers such a request with an error response). Either way no DTD is read and no entity it declares is
 * expanded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { localName } from './names.js';
import { repairXml } from './repair.js';

/** One element of a parsed message. */
export interface XNode {
  /** Lower-cased local name, with known misspellings folded (see names.ts). */
  name: string;
  /** The element name as it appeared on the wire. */
  raw: string;
  /** Attributes by folded local name (namespace declarations dropped). */
  attrs: Record<string, string>;
  /** Concatenated, trimmed character data of this element (not of its children). */
  text: string;
  children: XNode[];
}

/** A message that could not be parsed (or, in strict mode, is not well-formed). */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

export interface ParseOptions {
  /** Refuse XML that is not well-formed, and any DOCTYPE, instead of repairing it. Default false. */
  strict?: boolean;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  cdataPropName: '#cdata',
});

type Ordered = Record<string, unknown>;

function convert(entry: Ordered): XNode | null {
  const keys = Object.keys(entry).filter((k) => k !== ':@');
  const raw = keys[0];
  if (!raw || raw === '#text' || raw === '#cdata') return null;
  const attrsIn = (entry[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsIn)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attrs[localName(k)] = String(v);
  }
  const node: XNode = { name: localName(raw), raw, attrs, text: '', children: [] };
  const kids = entry[raw];
  const texts: string[] = [];
  if (Array.isArray(kids)) {
    for (const k of kids as Ordered[]) {
      if ('#text' in k) texts.push(String(k['#text']));
      else if ('#cdata' in k) {
        const c = k['#cdata'];
        if (Array.isArray(c)) for (const t of c as Ordered[]) texts.push(String(t['#text'] ?? ''));
      } else {
        const child = convert(k);
        if (child) node.children.push(child);
      }
    }
  }
  node.text = texts.join('').trim();
  return node;
}

/** Throws unless `text` is one well-formed document without a DOCTYPE. */
function checkWellFormed(text: string): void {
  if (/<!DOCTYPE/i.test(text)) throw new XmlParseError('DOCTYPE is not allowed');
  const v = XMLValidator.validate(text);
  if (v !== true) throw new XmlParseError(v.err.msg);
}

/**
 * Parses one message (repairing it first unless `strict`). Throws XmlParseError when nothing element-like
 * is left, or in strict mode when the message is not well-formed. `repaired` tells whether the input
 * needed repair.
 */
export function parseXml(text: string, options: ParseOptions = {}): { root: XNode; repaired: boolean } {
  if (options.strict) checkWellFormed(text);
  const { xml, repaired } = repairXml(text);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new XmlParseError(`unparseable XML: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new XmlParseError('no document');
  for (const e of doc as Ordered[]) {
    const node = convert(e);
    if (node) return { root: node, repaired };
  }
  throw new XmlParseError('no root element');
}
