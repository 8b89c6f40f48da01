/**
 * A lenient, internet-safe XML reader for vendor protocols whose documents are matched by local name
 * (CSTA, SOAP): a small namespace-aware tokenizer that builds a tree of elements by local name, each with
 * its namespace URI resolved from the `xmlns` declarations in scope (prefixes vary between vendors'
 * samples, so callers match on the URI or on the local name only). Vendor homes re-export it from their
 * own `wire/xml.ts` under their error's name. It is lenient where vendors' samples are damaged:
 * - white space after `<` and `</` (`< /errorValue >`);
 * - a close tag naming an element that is not open is ignored; one naming an ancestor closes up to it;
 * - elements left open at the end of the input are closed there;
 * - curly quotes around attribute values (`device=”1009”`);
 * - an undeclared prefix leaves the element without a namespace.
 *
 * It refuses what an internet-facing reader must not accept, always with `XmlTreeError`: any
 * `<!DOCTYPE`, `<!ENTITY` or other markup declaration (no DTD is read and no entity is defined; only the
 * five predefined entities and numeric character references are decoded, anything else stays as
 * written), input beyond the size, depth and element-count limits, and input without any element.
 * The writer is xml-tree-write.ts, re-exported here.
 */
import { ownString } from '../../shared/xml/own-string.js';
import { isWhiteSpace } from '../../shared/xml/chars.js';

/** One element of a document. */
export interface XmlNode {
  /** Local name, prefix stripped. */
  name: string;
  /** Namespace URI, if the element is qualified. */
  ns?: string;
  /** Attributes by local name; namespace declarations dropped. */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The element's own character data (direct text only), entity-decoded and trimmed. */
  text: string;
}

export type XmlTreeErrorKind = 'oversized' | 'doctype' | 'malformed' | 'depth';

/**
 * A document the reader refuses.
 *
 * @example
 * try { parseXml('<!DOCTYPE x []><x/>'); } catch (e) { (e as XmlTreeError).kind; } // 'doctype'
 */
export class XmlTreeError extends Error {
  override readonly name = 'XmlTreeError';
  constructor(
    readonly kind: XmlTreeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface XmlLimits {
  /** Largest document in UTF-8 bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Deepest element nesting. Default 64. */
  maxDepth?: number;
  /** Most elements in one document. Default 20000. */
  maxElements?: number;
}

export const DEFAULT_XML_LIMITS: Required<XmlLimits> = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 20_000,
};

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined entities and numeric character references; anything else is kept.
 *
 * @example
 * decodeEntities('a &lt; b &#x41; &foo;'); // 'a < b A &foo;'
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,4});/g, (m, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
    }
    return PREDEFINED[ref] ?? m;
  });
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\r' || c === '\t';
/**
 * Whether the UTF-16 code unit `c` ends an XML name as the vendor readers scan it: white space (as `\s`
 * sees it), `/`, `>`, `=`, `<` or a quote. Read by code, not with a regular expression per character:
 * names are most of what a CSTA, SOAP or CAP document is.
 *
 * @example
 * endsXmlName('>'.charCodeAt(0)); // true
 */
export function endsXmlName(c: number): boolean {
  return isWhiteSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x3c || c === 0x22 || c === 0x27;
}
/** Whether `c` may stand in a name here: not a name's end, nor a curly quote. */
const isNameCode = (c: number) => c !== 0x201c && c !== 0x201d && !endsXmlName(c);
/** The end of the name that starts at `i` (`i` itself when none does). */
function nameEndAt(xml: string, i: number): number {
  const n = xml.length;
  while (i < n && isNameCode(xml.charCodeAt(i))) i++;
  return i;
}
/** Where an attribute value opened by `quote` at `i` closes (-1: it does not). */
function closingQuote(xml: string, quote: string, i: number): number {
  if (quote !== '”') return xml.indexOf(quote, i);
  for (let k = i; k < xml.length; k++) {
    const c = xml.charCodeAt(k);
    if (c === 0x201d || c === 0x201c || c === 0x22) return k;
  }
  return -1;
}
const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '”': '”' };
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

interface Open {
  node: XmlNode;
  texts: string[];
  /** The qualified name as written, to match the close tag. */
  qname: string;
  scope: Map<string, string>;
}

interface Tag {
  qname: string;
  rawAttrs: [string, string][];
  selfClosing: boolean;
  end: number;
}

function splitName(qname: string): [string | undefined, string] {
  const c = qname.indexOf(':');
  return c < 0 ? [undefined, qname] : [qname.slice(0, c), qname.slice(c + 1)];
}

/** Reads the attributes and the end of a start tag whose name ends at `i`. */
function readTag(xml: string, i: number, qname: string): Tag {
  const n = xml.length;
  const rawAttrs: [string, string][] = [];
  for (;;) {
    while (i < n && isSpace(xml[i])) i++;
    if (i >= n) throw new XmlTreeError('malformed', `unterminated start tag <${qname}`);
    const c = xml[i]!;
    if (c === '>') return { qname, rawAttrs, selfClosing: false, end: i + 1 };
    if (c === '/' && xml[i + 1] === '>') return { qname, rawAttrs, selfClosing: true, end: i + 2 };
    if (c === '<') throw new XmlTreeError('malformed', `unterminated start tag <${qname}`);
    const start = i;
    i = nameEndAt(xml, i);
    const name = xml.slice(start, i);
    if (!name) {
      i++; // a stray character: skipped
      continue;
    }
    while (i < n && isSpace(xml[i])) i++;
    if (xml[i] !== '=') {
      rawAttrs.push([name, '']);
      continue;
    }
    i++;
    while (i < n && isSpace(xml[i])) i++;
    const q = QUOTES[xml[i] ?? ''];
    let value: string;
    if (q) {
      const close = closingQuote(xml, q, i + 1);
      if (close < 0) throw new XmlTreeError('malformed', `unterminated attribute ${name}`);
      value = xml.slice(i + 1, close);
      i = close + 1;
    } else {
      const s = i;
      while (i < n && !isSpace(xml[i]) && xml[i] !== '>' && !(xml[i] === '/' && xml[i + 1] === '>')) i++;
      value = xml.slice(s, i);
    }
    if (value.includes('<')) throw new XmlTreeError('malformed', `'<' in attribute ${name}`);
    rawAttrs.push([name, decodeEntities(value)]);
  }
}

/**
 * Reads one document into a tree of elements. Throws `XmlTreeError`, never anything else.
 *
 * @example
 * const root = parseXml('<a:Events xmlns:a="http://openapi.common.avaya.com/"><x>1</x></a:Events>');
 * root.name; // 'Events'
 * root.ns; // 'http://openapi.common.avaya.com/'
 * root.children[0]!.text; // '1'
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlNode {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  if (typeof text !== 'string') throw new XmlTreeError('malformed', 'not a string');
  if (text.length > lim.maxBytes || Buffer.byteLength(text, 'utf8') > lim.maxBytes) {
    throw new XmlTreeError('oversized', `document exceeds ${lim.maxBytes} bytes`);
  }
  const xml = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = xml.length;
  const stack: Open[] = [];
  const rootScope = new Map<string, string>([['xml', XML_NS]]);
  let root: XmlNode | undefined;
  let done = false;
  let elements = 0;
  let i = 0;

  const finish = (o: Open) => {
    o.node.text = ownString(decodeEntities(o.texts.join('')).trim());
  };
  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top && t) top.texts.push(t);
  };

  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      addText(xml.slice(i));
      break;
    }
    if (lt > i) addText(xml.slice(i, lt));
    i = lt + 1;
    if (xml.startsWith('!--', i)) {
      const end = xml.indexOf('-->', i + 3);
      if (end < 0) throw new XmlTreeError('malformed', 'unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 8);
      if (end < 0) throw new XmlTreeError('malformed', 'unterminated CDATA section');
      const top = stack[stack.length - 1];
      if (top) top.texts.push(xml.slice(i + 8, end).replace(/&/g, '&amp;'));
      i = end + 3;
      continue;
    }
    if (xml[i] === '!')
      throw new XmlTreeError('doctype', 'markup declarations (DOCTYPE, ENTITY) are refused');
    if (xml[i] === '?') {
      const end = xml.indexOf('?>', i + 1);
      if (end < 0) throw new XmlTreeError('malformed', 'unterminated processing instruction');
      i = end + 2;
      continue;
    }
    while (i < n && isSpace(xml[i])) i++;
    const closing = xml[i] === '/';
    if (closing) {
      i++;
      while (i < n && isSpace(xml[i])) i++;
    }
    const start = i;
    i = nameEndAt(xml, i);
    const qname = xml.slice(start, i);
    if (!qname) throw new XmlTreeError('malformed', `bad markup at offset ${lt}`);
    if (closing) {
      const gt = xml.indexOf('>', i);
      if (gt < 0) throw new XmlTreeError('malformed', `unterminated close tag </${qname}`);
      i = gt + 1;
      for (let k = stack.length - 1; k >= 0; k--) {
        if (stack[k]!.qname === qname) {
          while (stack.length > k) finish(stack.pop()!);
          break;
        }
      }
      if (stack.length === 0 && root) done = true;
      continue;
    }
    const tag = readTag(xml, i, qname);
    i = tag.end;
    if (done) continue; // content after the root element: ignored
    if (++elements > lim.maxElements)
      throw new XmlTreeError('oversized', `more than ${lim.maxElements} elements`);
    const parentScope = stack[stack.length - 1]?.scope ?? rootScope;
    let scope = parentScope;
    const attrs: Record<string, string> = {};
    for (const [an, av] of tag.rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        scope.set(an === 'xmlns' ? '' : an.slice(6), av);
      }
    }
    for (const [an, av] of tag.rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
      const local = splitName(an)[1];
      if (local && !(local in attrs)) attrs[local] = ownString(av);
    }
    const [prefix, local] = splitName(qname);
    const uri = scope.get(prefix ?? '');
    const node: XmlNode = { name: local || qname, attrs, children: [], text: '' };
    if (uri) node.ns = uri;
    const top = stack[stack.length - 1];
    if (top) top.node.children.push(node);
    else root = node;
    if (tag.selfClosing) {
      if (!top) done = true;
      continue;
    }
    if (stack.length >= lim.maxDepth) throw new XmlTreeError('depth', `nesting deeper than ${lim.maxDepth}`);
    stack.push({ node, texts: [], qname, scope });
  }
  while (stack.length) finish(stack.pop()!);
  if (!root) throw new XmlTreeError('malformed', 'no element');
  return root;
}

// ------------------------------------------------------------------ navigation

/**
 * The first descendant along a path of local names (exact, case-sensitive), one level per name.
 *
 * @example
 * child(parseXml('<a><b><c>1</c></b></a>'), 'b', 'c')?.text; // '1'
 */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) {
    if (!cur) return undefined;
    cur = cur.children.find((c) => c.name === name);
  }
  return cur;
}

/**
 * Every direct child of `node` with this local name.
 *
 * @example
 * childrenOf(parseXml('<a><b/><c/><b/></a>'), 'b').length; // 2
 */
export function childrenOf(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/**
 * The text of the element at `path` below `node` (of `node` itself with no path); undefined when absent.
 *
 * @example
 * textOf(parseXml('<a><b>x</b></a>'), 'b'); // 'x'
 */
export function textOf(node: XmlNode | undefined, ...path: string[]): string | undefined {
  return child(node, ...path)?.text;
}

/**
 * A node for building documents.
 *
 * @example
 * el('callID', CSTA_NS, {}, 'abc'); // { name: 'callID', ns: CSTA_NS, attrs: {}, children: [], text: 'abc' }
 */
export function el(
  name: string,
  ns: string | undefined,
  attrs: Record<string, string | undefined> = {},
  content: string | (XmlNode | undefined)[] = [],
): XmlNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = v;
  const node: XmlNode = {
    name,
    attrs: a,
    children: typeof content === 'string' ? [] : content.filter((c): c is XmlNode => c !== undefined),
    text: typeof content === 'string' ? content : '',
  };
  if (ns) node.ns = ns;
  return node;
}

export { writeXml } from './xml-tree-write.js';
