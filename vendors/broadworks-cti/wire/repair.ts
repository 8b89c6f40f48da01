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

const NAME_START = /[A-Za-z_]/;
const ATTR_RE = /([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*')/g;

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
      if (stack.length === 0 && !rootClosed && !started) {
        sink.declaration(src.slice(i, stop));
        started = true;
      }
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
        sink.cdata(src.slice(i + 9, end < 0 ? n : end));
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
      if (stack.length > 0) sink.text('<');
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
    const attrs: [string, string][] = [];
    const seen = new Set<string>();
    for (const m of attrsSrc.matchAll(ATTR_RE)) {
      const an = m[1]!;
      if (!/^[A-Za-z_][\w.\-:]*$/.test(an) || seen.has(an)) {
        repaired = true;
        continue;
      }
      seen.add(an);
      attrs.push([an, m[2]!.slice(1, -1)]);
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
