/**
 * Lenient XML layer for the BroadWorks CTI driver.
 *
 * BroadWorks messages are parsed with fast-xml-parser into a small, namespace-free tree (`XNode`):
 * element names are reduced to their lower-cased local name (prefixes vary, are OCR-damaged like `rsi:`,
 * or are missing), a few known misspellings from the specification are folded onto the real names, and
 * the order of children is kept. Before parsing, `repairXml` fixes the tag structure damage the
 * specification's own samples show: missing closing tags, closing tags with another prefix, a second
 * open tag where a self-closing one was meant (`<reason>OK<reason/>`), junk attributes. A DOCTYPE is
 * always dropped (no entity expansion from the wire).
 */
import { XMLParser } from 'fast-xml-parser';

export interface XNode {
  /** Lower-cased local name, with known misspellings folded (see ALIASES). */
  name: string;
  /** The element name as it appeared on the wire. */
  raw: string;
  /** Attributes by lower-cased local name (namespace declarations dropped). */
  attrs: Record<string, string>;
  /** Concatenated, trimmed character data of this element (not of its children). */
  text: string;
  children: XNode[];
}

/** OCR damage and spelling drift in the specification, folded onto the names the parser looks for. */
const ALIASES: Record<string, string> = {
  userld: 'userid',
  callld: 'callid',
  calld: 'callid',
  channelld: 'channelid',
  eventide: 'eventid',
  targeted: 'targetid',
  targetld: 'targetid',
  subscriptionld: 'subscriptionid',
  subscriberld: 'subscriberid',
  requestld: 'requestid',
  sessionld: 'sessionid',
  isactive: 'active',
  ccagentjoinupdatedata: 'joinupdatedata',
  credentials: 'credential',
};

/** Names seen on the wire are a small vocabulary: their local names are computed once. */
const localNames = new Map<string, string>();

export function localName(qname: string): string {
  const hit = localNames.get(qname);
  if (hit !== undefined) return hit;
  const i = qname.lastIndexOf(':');
  const lower = (i >= 0 ? qname.slice(i + 1) : qname).toLowerCase();
  const local = ALIASES[lower] ?? lower;
  if (localNames.size > 10_000) localNames.clear(); // garbage names cannot grow it without bound
  localNames.set(qname, local);
  return local;
}

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const NAME_START = /[A-Za-z_]/;
const ATTR_RE = /([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*')/g;

interface Open {
  local: string;
  raw: string;
  hasText: boolean;
  hasChild: boolean;
}

/**
 * Rebuilds a well-nested document from damaged XML. BroadWorks XML never has mixed content, so an element
 * that already holds text when another element starts is treated as a leaf whose closing tag is missing.
 */
export function repairXml(src: string): { xml: string; repaired: boolean } {
  const out: string[] = [];
  const stack: Open[] = [];
  let repaired = false;
  let rootClosed = false;
  let i = 0;
  const n = src.length;

  const closeTop = () => {
    const top = stack.pop()!;
    out.push(`</${top.raw}>`);
    if (stack.length === 0) rootClosed = true;
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const text = src.slice(i, textEnd);
      if (stack.length > 0) {
        out.push(
          text.includes('&') || text.includes('>')
            ? text.replace(/&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/g, '&amp;').replace(/>/g, '&gt;')
            : text,
        );
        const top = stack[stack.length - 1]!;
        if (/[A-Za-z0-9]/.test(text) && !top.hasChild) top.hasText = true;
      } else if (text.trim()) {
        repaired = true; // text outside the root element
      }
      i = textEnd;
      continue;
    }
    // at '<'
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      const stop = end < 0 ? n : end + 2;
      if (stack.length === 0 && !rootClosed && out.length === 0) out.push(src.slice(i, stop));
      i = stop;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      const stop = end < 0 ? n : end + 3;
      if (stack.length > 0) {
        out.push(end < 0 ? `${src.slice(i)}]]>` : src.slice(i, stop));
        const top = stack[stack.length - 1]!;
        if (!top.hasChild) top.hasText = true;
      }
      i = stop;
      continue;
    }
    if (src.startsWith('<!', i)) {
      // DOCTYPE or other declaration: dropped (no entity expansion from the wire)
      const end = src.indexOf('>', i + 2);
      i = end < 0 ? n : end + 1;
      repaired = true;
      continue;
    }
    if (src[i + 1] === '/') {
      const end = src.indexOf('>', i + 2);
      const stop = end < 0 ? n : end + 1;
      const name = src.slice(i + 2, end < 0 ? n : end).trim();
      i = stop;
      const local = localName(name);
      let k = stack.length - 1;
      while (k >= 0 && stack[k]!.local !== local) k--;
      if (k < 0 || !name) {
        repaired = true; // stray closing tag
        continue;
      }
      if (k < stack.length - 1) repaired = true;
      while (stack.length - 1 > k) closeTop();
      if (stack[k]!.raw !== name) repaired = true;
      closeTop();
      continue;
    }
    if (!NAME_START.test(src[i + 1] ?? '')) {
      // a lone '<' in text
      if (stack.length > 0) out.push('&lt;');
      repaired = true;
      i += 1;
      continue;
    }
    // start tag: scan to '>' outside quotes (fast path: the first '>' when the quotes before it pair up)
    let j = src.indexOf('>', i + 1);
    if (j < 0) j = n;
    else {
      const seg = src.slice(i + 1, j);
      let dq = 0;
      for (let q = seg.indexOf('"'); q >= 0; q = seg.indexOf('"', q + 1)) dq++;
      if (dq % 2 !== 0 || seg.includes("'")) {
        j = i + 1;
        let quote = '';
        while (j < n) {
          const c = src[j]!;
          if (quote) {
            if (c === quote) quote = '';
          } else if (c === '"' || c === "'") quote = c;
          else if (c === '>') break;
          j++;
        }
      }
    }
    const body = src.slice(i + 1, j);
    i = j < n ? j + 1 : n;
    if (j >= n) repaired = true;
    const selfClosing = body.trimEnd().endsWith('/');
    const nameMatch = /^[A-Za-z_][\w.\-:]*/.exec(body);
    if (!nameMatch) {
      repaired = true;
      continue;
    }
    const raw = nameMatch[0];
    const attrsSrc = body.slice(raw.length).replace(/\/\s*$/, '');
    const attrs: string[] = [];
    const seen = new Set<string>();
    for (const m of attrsSrc.matchAll(ATTR_RE)) {
      const an = m[1]!;
      if (!/^[A-Za-z_][\w.\-:]*$/.test(an) || seen.has(an)) {
        repaired = true;
        continue;
      }
      seen.add(an);
      attrs.push(`${an}=${m[2]!.replace(/</g, '&lt;')}`);
    }
    if (attrsSrc.replace(ATTR_RE, '').trim()) repaired = true; // junk between attributes
    if (rootClosed) {
      repaired = true; // a second root: ignored
      continue;
    }
    if (stack.length > 1) {
      // (never the root: junk text right after the root start tag is OCR debris, not a leaf value)
      const top = stack[stack.length - 1]!;
      if (top.hasText && !top.hasChild) {
        closeTop(); // leaf whose closing tag is missing
        repaired = true;
      }
    }
    if (rootClosed) {
      repaired = true;
      continue;
    }
    if (stack.length > 0) stack[stack.length - 1]!.hasChild = true;
    const tag = `<${raw}${attrs.length ? ' ' + attrs.join(' ') : ''}`;
    if (selfClosing) {
      out.push(`${tag}/>`);
      if (stack.length === 0) rootClosed = true;
    } else {
      out.push(`${tag}>`);
      stack.push({ local: localName(raw), raw, hasText: false, hasChild: false });
    }
  }
  if (stack.length > 0) repaired = true;
  while (stack.length > 0) closeTop();
  return { xml: out.join(''), repaired };
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

/** Parses one message (repairing it first). Throws XmlParseError when nothing element-like is left. */
export function parseXml(text: string): { root: XNode; repaired: boolean } {
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

// ---------------------------------------------------------------------------------------------------
// tree helpers

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Depth-first search for the first descendant named `name`, not descending into elements named in `skip`. */
export function find(node: XNode | undefined, name: string, skip: readonly string[] = []): XNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) {
    if (c.name === name) return c;
    if (skip.includes(c.name)) continue;
    const hit = find(c, name, skip);
    if (hit) return hit;
  }
  return undefined;
}

export function findAll(node: XNode | undefined, name: string, out: XNode[] = []): XNode[] {
  if (!node) return out;
  for (const c of node.children) {
    if (c.name === name) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}

/** Text of a direct child, else of the first descendant with that name. Empty strings become undefined. */
export function textOf(
  node: XNode | undefined,
  name: string,
  skip: readonly string[] = [],
): string | undefined {
  const c = child(node, name) ?? find(node, name, skip);
  const t = c?.text.trim();
  return t ? t : undefined;
}

export function intOf(
  node: XNode | undefined,
  name: string,
  skip: readonly string[] = [],
): number | undefined {
  const t = textOf(node, name, skip);
  if (t === undefined) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** `true`/`false` text, or an EmptyContent flag (present = true). */
export function flagOf(node: XNode | undefined, name: string): boolean | undefined {
  const c = child(node, name) ?? find(node, name);
  if (!c) return undefined;
  const t = c.text.trim().toLowerCase();
  if (t === 'false' || t === '0') return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// building

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A plain-object view of a subtree (used for raw command results). Repeated names become arrays. */
export function toPlain(node: XNode): unknown {
  if (node.children.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const c of node.children) {
    const key = c.raw.includes(':') ? c.raw.slice(c.raw.indexOf(':') + 1) : c.raw;
    const v = toPlain(c);
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[key] = [prev, v];
  }
  return out;
}
