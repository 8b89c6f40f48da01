/**
 * The CAP XML reader and writer.
 *
 * The reader is a small, lenient tokenizer written for this protocol rather than a general XML parser:
 * the specification's own samples are not well-formed (docs/protocols/broadworks-cap.md, "Damaged
 * samples"), and a client must still read them. It builds a tree of elements by canonical local name
 * (names.ts), keeps the order of children and absorbs these defects:
 * - a close tag naming an element that is not open closes the current element when that element holds
 *   only text (`<DNISNumber>7034556766</localAltType>`), and otherwise opens an element of that name
 *   (`</applicationId>broadSoftExample</applicationId>`);
 * - an attribute value whose quote is never closed ends before the next `<`, and a trailing `>` or `/>`
 *   in it ends the tag (`callId="localhost3234:0 />`);
 * - white space after `<` and `</` (`< numCallsInQueue >`);
 * - elements left open at the end of the input are closed there.
 *
 * It refuses what an internet-facing reader must not accept: any `<!DOCTYPE`, `<!ENTITY` or other
 * markup declaration (no DTD is read and no entity is defined; only the five predefined entities and
 * character references are decoded), and input beyond the size, depth and element-count limits.
 */
import { foldName } from './names.js';
import { ownString } from '../../../shared/xml/own-string.js';
import { endsXmlName } from '../../driver-kit/xml-tree.js';

/** One element of a CAP document. */
export interface CapNode {
  /** Canonical local name (names.ts). */
  name: string;
  /** Attributes by canonical local name; namespace declarations dropped. */
  attrs: Record<string, string>;
  /** The element's own character data, entity-decoded and trimmed. */
  text: string;
  children: CapNode[];
}

/** A document the reader refuses (declaration, limits, or no element at all). */
export class CapXmlError extends Error {
  override readonly name = 'CapXmlError';
}

export interface ReadLimits {
  /** Largest document, in UTF-16 code units of the decoded text. Default 1 MiB. */
  maxChars?: number;
  /** Deepest element nesting. Default 32. */
  maxDepth?: number;
  /** Most elements in one document. Default 10000. */
  maxElements?: number;
}

export const DEFAULT_READ_LIMITS: Required<ReadLimits> = {
  maxChars: 1024 * 1024,
  maxDepth: 32,
  maxElements: 10_000,
};

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; anything else is kept as written. */
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

/** Reads one CAP document into a tree. Throws CapXmlError; never throws anything else. */
export function readXml(xml: string, limits: ReadLimits = {}): CapNode {
  const lim = { ...DEFAULT_READ_LIMITS, ...limits };
  if (xml.length > lim.maxChars) throw new CapXmlError(`document exceeds ${lim.maxChars} characters`);
  const stack: { node: CapNode; texts: string[] }[] = [];
  let root: CapNode | undefined;
  let elements = 0;
  let i = 0;
  const n = xml.length;

  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top && t) top.texts.push(t);
  };
  const finish = (entry: { node: CapNode; texts: string[] }) => {
    entry.node.text = ownString(decodeEntities(entry.texts.join('')).trim());
  };
  const open = (name: string, attrs: Record<string, string>, selfClosing: boolean) => {
    if (++elements > lim.maxElements) throw new CapXmlError(`more than ${lim.maxElements} elements`);
    const node: CapNode = { name, attrs, text: '', children: [] };
    const top = stack[stack.length - 1];
    if (top) top.node.children.push(node);
    else if (!root) root = node;
    else return; // a second top-level element: ignored
    if (!selfClosing) {
      if (stack.length >= lim.maxDepth) throw new CapXmlError(`nesting deeper than ${lim.maxDepth}`);
      stack.push({ node, texts: [] });
    }
  };
  const close = (name: string) => {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]!.node.name === name) {
        while (stack.length > k) finish(stack.pop()!);
        return;
      }
    }
    const top = stack[stack.length - 1];
    if (!top) return;
    if (top.node.children.length === 0 && stack.length > 1) finish(stack.pop()!);
    else open(name, {}, false);
  };

  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      addText(xml.slice(i));
      break;
    }
    if (lt > i) addText(xml.slice(i, lt));
    i = lt + 1;
    if (xml.startsWith('?', i)) {
      const end = xml.indexOf('?>', i);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (xml.startsWith('!--', i)) {
      const end = xml.indexOf('-->', i + 3);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      // CDATA is kept verbatim: escape its '&' so the decoder leaves it alone
      addText(xml.slice(i + 8, end < 0 ? n : end).replace(/&/g, '&amp;'));
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('!', i)) throw new CapXmlError('DOCTYPE and other markup declarations are refused');
    let closing = false;
    let j = i;
    while (isSpace(xml[j])) j++;
    if (xml[j] === '/') {
      closing = true;
      j++;
      while (isSpace(xml[j])) j++;
    }
    let k = j;
    while (k < n && !endsXmlName(xml.charCodeAt(k))) k++;
    if (k === j) {
      // not a tag: a bare '<' in text
      addText('<');
      continue;
    }
    const name = foldName(xml.slice(j, k));
    if (closing) {
      const gt = xml.indexOf('>', k);
      i = gt < 0 ? n : gt + 1;
      close(name);
      continue;
    }
    // attributes
    const attrs: Record<string, string> = {};
    let selfClosing = false;
    let ended = false;
    let p = k;
    let count = 0;
    while (p < n) {
      while (isSpace(xml[p])) p++;
      const c = xml[p];
      if (c === undefined) break;
      if (c === '>') {
        p++;
        ended = true;
        break;
      }
      if (c === '/' && xml[p + 1] === '>') {
        p += 2;
        selfClosing = ended = true;
        break;
      }
      if (c === '<') break; // a tag cut short: end it here
      let q = p;
      while (q < n && !endsXmlName(xml.charCodeAt(q))) q++;
      if (q === p) {
        p++; // a stray character inside the tag
        continue;
      }
      const attrName = xml.slice(p, q);
      p = q;
      while (isSpace(xml[p])) p++;
      let value = '';
      if (xml[p] === '=') {
        p++;
        while (isSpace(xml[p])) p++;
        const quote = xml[p];
        if (quote === '"' || quote === "'") {
          const endQ = xml.indexOf(quote, p + 1);
          const nextLt = xml.indexOf('<', p + 1);
          if (endQ >= 0 && (nextLt < 0 || endQ < nextLt)) {
            value = xml.slice(p + 1, endQ);
            p = endQ + 1;
          } else {
            // unclosed quote: the value ends before the next '<'; a trailing '>' or '/>' ends the tag
            const stop = nextLt < 0 ? n : nextLt;
            let v = xml.slice(p + 1, stop).trimEnd();
            if (v.endsWith('/>')) {
              selfClosing = true;
              v = v.slice(0, -2);
            } else if (v.endsWith('>')) v = v.slice(0, -1);
            value = v.trim();
            p = stop;
            ended = true;
          }
        } else {
          let q2 = p;
          while (q2 < n && !isSpace(xml[q2]) && xml[q2] !== '>' && xml[q2] !== '<') {
            if (xml[q2] === '/' && xml[q2 + 1] === '>') break;
            q2++;
          }
          value = xml.slice(p, q2);
          p = q2;
        }
      }
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
      if (++count > 64) throw new CapXmlError('more than 64 attributes on one element');
      attrs[foldName(attrName)] = ownString(decodeEntities(value));
      if (ended) break;
    }
    i = p;
    open(name, attrs, selfClosing);
    void ended;
  }
  while (stack.length) finish(stack.pop()!);
  if (!root) throw new CapXmlError('no element');
  return root;
}

// ------------------------------------------------------------------ writer

/** An element to write: text (`''` writes `<x></x>`), children, or neither (`<x/>`). */
export interface OutNode {
  name: string;
  attrs?: ReadonlyArray<readonly [string, string | undefined]>;
  text?: string;
  children?: ReadonlyArray<OutNode | undefined>;
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/** Writes an element tree indented by two spaces per level, as the specification's samples are. */
export function writeXml(node: OutNode, indent = 0, out: string[] = []): string[] {
  const pad = ' '.repeat(indent);
  const attrs = (node.attrs ?? [])
    .filter((a): a is readonly [string, string] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  const kids = (node.children ?? []).filter((c): c is OutNode => c !== undefined);
  if (kids.length) {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const c of kids) writeXml(c, indent + 2, out);
    out.push(`${pad}</${node.name}>`);
  } else if (node.text !== undefined) {
    out.push(`${pad}<${node.name}${attrs}>${escapeText(node.text)}</${node.name}>`);
  } else {
    out.push(`${pad}<${node.name}${attrs}/>`);
  }
  return out;
}

// ------------------------------------------------------------------ tree lookups

/** The first child of that canonical name. */
export function child(node: CapNode | undefined, name: string): CapNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: CapNode | undefined, name: string): CapNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Text of the first child of that name; undefined when the child is absent. */
export function childText(node: CapNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}
