/**
 * Structural repair of damaged BroadWorks XML. It fixes the tag damage the specification's own samples
 * show: missing closing tags, closing tags with another prefix, a second open tag where a self-closing one
 * was meant (`<reason>OK<reason/>`), junk attributes, text outside the root. A DOCTYPE or any other
 * declaration is always dropped (no entity expansion from the wire).
 *
 * One scanner (`scanXml`) walks the damaged text once and reports a well-nested document to a sink:
 * `repairXml` writes it back as XML text, the lenient parser (parse.ts) builds its tree from it directly.
 */
import { localName } from './names.js';
import { isWhiteSpace } from '../../../shared/xml/chars.js';

/** What `scanXml` reports, in document order: one well-nested root element. */
export interface XmlSink {
  /** The XML declaration, when the document starts with one. */
  declaration(raw: string): void;
  /** A start tag: its name as on the wire, its attributes (name, value as on the wire, unquoted). */
  open(raw: string, attrs: readonly (readonly [string, string])[], selfClosing: boolean): void;
  /** The end of the innermost open element. */
  close(raw: string): void;
  /** Character data as on the wire (entity references not decoded; may hold a stray `&`, `<` or `>`). */
  text(raw: string): void;
  /** The content of a CDATA section. */
  cdata(content: string): void;
}

const ATTR_RE = /([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*')/g;

// The scanner reads characters by code (no regular expression or substring per tag on the common path):
// an event message is dozens of elements, most of them without attributes.
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** `[A-Za-z_]`: what a name starts with. */
const isNameStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
/** `[A-Za-z0-9_.:-]`: what a name goes on with. */
const isNameChar = (c: number) =>
  isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x3a;
/** `[A-Za-z0-9]` */
const isAlnum = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);

function hasAlnum(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (isAlnum(text.charCodeAt(k))) return true;
  return false;
}

/** The end of the name at the start of `body` (0: no name there): `[A-Za-z_]` then `[\w.\-:]` repeated. */
function nameEnd(body: string): number {
  if (!isNameStart(body.charCodeAt(0))) return 0;
  let k = 1;
  while (k < body.length && isNameChar(body.charCodeAt(k))) k++;
  return k;
}

/** The index of the last character of `s` that is not white space (-1: none). */
function lastNonSpace(s: string): number {
  let e = s.length - 1;
  while (e >= 0 && isWhiteSpace(s.charCodeAt(e))) e--;
  return e;
}

/** Whether `s` holds nothing but white space from `from` up to `to` (exclusive). */
function blank(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isWhiteSpace(s.charCodeAt(k))) return false;
  return true;
}

interface Open {
  local: string;
  raw: string;
  hasText: boolean;
  hasChild: boolean;
}

/**
 * Walks damaged XML once and reports a well-nested document to `sink`; returns whether anything needed
 * repair. BroadWorks XML never has mixed content, so an element that already holds text when another
 * element starts is treated as a leaf whose closing tag is missing.
 */
export function scanXml(src: string, sink: XmlSink): boolean {
  let started = false;
  const stack: Open[] = [];
  let repaired = false;
  let rootClosed = false;
  let i = 0;
  const n = src.length;

  const closeTop = () => {
    const top = stack.pop()!;
    sink.close(top.raw);
    if (stack.length === 0) rootClosed = true;
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const text = src.slice(i, textEnd);
      if (stack.length > 0) {
        sink.text(text);
        const top = stack[stack.length - 1]!;
        if (!top.hasChild && !top.hasText && hasAlnum(text)) top.hasText = true;
      } else if (text.trim()) {
        repaired = true; // text outside the root element
      }
      i = textEnd;
      continue;
    }
    // at '<'
    const next = src.charCodeAt(i + 1);
    if (next === QUESTION) {
      const end = src.indexOf('?>', i + 2);
      const stop = end < 0 ? n : end + 2;
      if (stack.length === 0 && !rootClosed && !started) {
        sink.declaration(src.slice(i, stop));
        started = true;
      }
      i = stop;
      continue;
    }
    if (next === BANG && src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (next === BANG && src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      const stop = end < 0 ? n : end + 3;
      if (stack.length > 0) {
        sink.cdata(src.slice(i + 9, end < 0 ? n : end));
        const top = stack[stack.length - 1]!;
        if (!top.hasChild) top.hasText = true;
      }
      i = stop;
      continue;
    }
    if (next === BANG) {
      // DOCTYPE or other declaration: dropped (no entity expansion from the wire)
      const end = src.indexOf('>', i + 2);
      i = end < 0 ? n : end + 1;
      repaired = true;
      continue;
    }
    if (next === SLASH) {
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
    if (!isNameStart(next)) {
      // a lone '<' in text
      if (stack.length > 0) sink.text('<');
      repaired = true;
      i += 1;
      continue;
    }
    // start tag: scan to '>' outside quotes (fast path: the first '>' when the quotes before it pair up)
    let j = src.indexOf('>', i + 1);
    if (j < 0) j = n;
    else {
      let dq = 0;
      let sq = false;
      for (let k = i + 1; k < j; k++) {
        const c = src.charCodeAt(k);
        if (c === DQUOTE) dq++;
        else if (c === SQUOTE) sq = true;
      }
      if (dq % 2 !== 0 || sq) {
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
    // `<a/>`, `<a />`: the body's last character that is not white space is its `/`
    const last = lastNonSpace(body);
    const selfClosing = last >= 0 && body.charCodeAt(last) === SLASH;
    const end = nameEnd(body);
    if (end === 0) {
      repaired = true;
      continue;
    }
    const raw = end === body.length ? body : body.slice(0, end);
    const attrs: [string, string][] = [];
    // (the common case: nothing but white space between the name and the end or the `/`)
    if (!blank(body, end, selfClosing ? last : last + 1)) {
      const attrsSrc = body.slice(end).replace(/\/\s*$/, '');
      const seen = new Set<string>();
      for (const m of attrsSrc.matchAll(ATTR_RE)) {
        const an = m[1]!;
        if (nameEnd(an) !== an.length || seen.has(an)) {
          repaired = true;
          continue;
        }
        seen.add(an);
        attrs.push([an, m[2]!.slice(1, -1)]);
      }
      if (attrsSrc.replace(ATTR_RE, '').trim()) repaired = true; // junk between attributes
    }
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
    started = true;
    sink.open(raw, attrs, selfClosing);
    if (selfClosing) {
      if (stack.length === 0) rootClosed = true;
    } else {
      stack.push({ local: localName(raw), raw, hasText: false, hasChild: false });
    }
  }
  if (stack.length > 0) repaired = true;
  while (stack.length > 0) closeTop();
  return repaired;
}

/** Character data as XML text: a stray `&` (not starting a reference), `<` and `>` escaped. */
const escapeText = (text: string) =>
  /[&<>]/.test(text)
    ? text
        .replace(/&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
    : text;

/**
 * Rebuilds a well-nested document from damaged XML (see `scanXml`), as XML text.
 *
 * @example
 * repairXml('<a><b>1<b/></a>'); // { xml: '<a><b>1</b></a>', repaired: true }
 */
export function repairXml(src: string): { xml: string; repaired: boolean } {
  const out: string[] = [];
  const repaired = scanXml(src, {
    declaration: (raw) => out.push(raw),
    open(raw, attrs, selfClosing) {
      let tag = `<${raw}`;
      for (const [name, value] of attrs)
        tag += ` ${name}=${value.includes('"') ? `'${value.replace(/</g, '&lt;')}'` : `"${value.replace(/</g, '&lt;')}"`}`;
      out.push(selfClosing ? `${tag}/>` : `${tag}>`);
    },
    close: (raw) => out.push(`</${raw}>`),
    text: (raw) => out.push(escapeText(raw)),
    cdata: (content) => out.push(`<![CDATA[${content}]]>`),
  });
  return { xml: out.join(''), repaired };
}
