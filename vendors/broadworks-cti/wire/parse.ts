/**
 * The BroadWorks XML parser shared by the driver and the simulator. A message is read in one pass by the
 * repairing scanner (repair.ts), which builds a small, namespace-free tree (`XNode`): element and attribute
 * names are reduced to their folded local names (names.ts) and the order of children is kept.
 *
 * Lenient by default (the driver faces real vendors). With `strict`, a message that is not well-formed XML
 * (fast-xml-parser's validator), or that carries a DOCTYPE, is refused with an XmlParseError instead of
 * being repaired (the simulator answers such a request with an error response). Either way no DTD is read
 * and no entity it declares is expanded; of the references only the five predefined entities are decoded.
 */
import { XMLValidator } from 'fast-xml-parser';
import { localName } from './names.js';
import { scanXml } from './repair.js';
import { ownString } from '../../../shared/xml/own-string.js';

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

/** The five predefined entities, decoded in one pass; other references are kept as they are. */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (raw: string) =>
  raw.includes('&') ? raw.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!) : raw;

interface Building {
  node: XNode;
  /** Trimmed text runs and CDATA contents, in order. */
  parts: string[];
  /** The text run being read (between two elements or CDATA sections), as on the wire. */
  run: string | null;
}

/** Ends the element's current text run: kept trimmed (whitespace between elements is dropped). */
function endRun(b: Building) {
  if (b.run === null) return;
  const t = decode(b.run).trim();
  if (t) b.parts.push(t);
  b.run = null;
}

/**
 * Builds the tree straight from the scanner (`scanXml`): element and attribute names folded, namespace
 * declarations dropped, the five predefined entities decoded, an element's text its trimmed runs and
 * CDATA contents joined.
 */
function buildTree(text: string): { root: XNode | null; repaired: boolean } {
  let root: XNode | null = null;
  const stack: Building[] = [];
  const finish = (b: Building) => {
    endRun(b);
    const { parts } = b;
    // (most elements hold one run of text or none)
    b.node.text =
      parts.length === 0 ? '' : ownString((parts.length === 1 ? parts[0]! : parts.join('')).trim());
  };
  const repaired = scanXml(text, {
    declaration() {},
    open(raw, attrList, selfClosing) {
      const attrs: Record<string, string> = {};
      for (const [k, v] of attrList) {
        if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
        attrs[localName(k)] = ownString(decode(v).trim());
      }
      const node: XNode = { name: localName(raw), raw, attrs, text: '', children: [] };
      const parent = stack[stack.length - 1];
      if (parent) {
        endRun(parent);
        parent.node.children.push(node);
      } else root ??= node;
      const b: Building = { node, parts: [], run: null };
      if (selfClosing) finish(b);
      else stack.push(b);
    },
    close() {
      finish(stack.pop()!);
    },
    text(raw) {
      const b = stack[stack.length - 1]!;
      b.run = b.run === null ? raw : b.run + raw;
    },
    cdata(content) {
      const b = stack[stack.length - 1]!;
      endRun(b);
      b.parts.push(content);
    },
  });
  return { root, repaired };
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
 *
 * @example
 * parseXml('<xsi:Event><xsi:eventID>e1</xsi:eventID></xsi:Event>').root.children[0]; // { name: 'eventid', text: 'e1', ... }
 */
export function parseXml(text: string, options: ParseOptions = {}): { root: XNode; repaired: boolean } {
  if (options.strict) checkWellFormed(text);
  const { root, repaired } = buildTree(text);
  if (!root) throw new XmlParseError('no root element');
  return { root, repaired };
}
