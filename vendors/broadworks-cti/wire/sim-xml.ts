/**
 * Small XML toolkit for the BroadWorks CTI front-end: an escaping serializer and lenient, namespace-blind
 * accessors over fast-xml-parser output (elements by local name, case-insensitive, any order).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XSP_NS = 'http://schema.broadsoft.com/XspXMLInterface';
export const XSI_NS = 'http://schema.broadsoft.com/xsi';
export const XSI1_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const ENVELOPE_VERSION = '17.0';

// ------------------------------------------------------------------ serializer

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** A child of an element: a rendered element, or null/undefined/false to skip. */
export type XChild = XmlNode | null | undefined | false;

export class XmlNode {
  constructor(
    readonly name: string,
    readonly attrs: Record<string, string | undefined>,
    readonly children: XmlNode[],
    readonly text?: string,
  ) {}

  /** Same element with a default namespace declared (response payload roots). */
  withNs(ns: string = XSI_NS): XmlNode {
    return new XmlNode(this.name, { xmlns: ns, ...this.attrs }, this.children, this.text);
  }

  rename(name: string): XmlNode {
    return new XmlNode(name, this.attrs, this.children, this.text);
  }

  render(): string {
    const attrs = Object.entries(this.attrs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${escapeAttr(v!)}"`)
      .join('');
    if (this.text !== undefined) return `<${this.name}${attrs}>${escapeText(this.text)}</${this.name}>`;
    if (!this.children.length) return `<${this.name}${attrs}/>`;
    return `<${this.name}${attrs}>${this.children.map((c) => c.render()).join('')}</${this.name}>`;
  }
}

/** Element with child elements. */
export function el(
  name: string,
  attrs: Record<string, string | undefined> | null,
  ...children: (XChild | XChild[])[]
): XmlNode {
  const flat = children.flat().filter((c): c is XmlNode => c instanceof XmlNode);
  return new XmlNode(name, attrs ?? {}, flat);
}

/** Element with text content; skipped (undefined) when the value is undefined. */
export function tx(
  name: string,
  value: string | number | undefined | null,
  attrs: Record<string, string | undefined> = {},
): XmlNode | undefined {
  if (value === undefined || value === null) return undefined;
  return new XmlNode(name, attrs, [], String(value));
}

/** Empty element (EmptyContent flags such as allowAnswer). */
export function empty(name: string, present = true): XmlNode | undefined {
  return present ? new XmlNode(name, {}, []) : undefined;
}

/** A full message: XML declaration, document, trailing LF (the framing rule). */
export function message(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${root.render()}\n`;
}

// ------------------------------------------------------------------ lenient parsing

export type XObj = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

export interface ParsedMessage {
  /** Local name of the root element (request, eventResponse, keepalive, keepaliveResponse, ...). */
  root: string;
  body: XObj;
}

export class XmlParseError extends Error {}

export function parseMessage(xml: string): ParsedMessage {
  const v = XMLValidator.validate(xml);
  if (v !== true) throw new XmlParseError(v.err.msg);
  const doc = parser.parse(xml) as XObj;
  const root = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('@_') && k !== '#text');
  if (!root) throw new XmlParseError('no root element');
  const body = doc[root];
  return {
    root,
    body: typeof body === 'object' && body !== null ? (body as XObj) : { '#text': String(body ?? '') },
  };
}

function localKey(obj: XObj, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => !k.startsWith('@_') && k.toLowerCase() === lower);
}

/** Direct child by local name (case-insensitive); the first when repeated. */
export function child(obj: unknown, ...names: string[]): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  for (const name of names) {
    const k = localKey(obj as XObj, name);
    if (k !== undefined) {
      const v = (obj as XObj)[k];
      return Array.isArray(v) ? v[0] : v;
    }
  }
  return undefined;
}

/** Every direct child with that local name. */
export function children(obj: unknown, name: string): unknown[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  const k = localKey(obj as XObj, name);
  if (k === undefined) return [];
  const v = (obj as XObj)[k];
  return Array.isArray(v) ? v : [v];
}

/** Depth-first search for the first element with one of these local names. */
export function find(obj: unknown, ...names: string[]): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  if (Array.isArray(obj)) {
    for (const item of obj) {
      const r = find(item, ...names);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  const direct = child(obj, ...names);
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(obj as XObj)) {
    if (k.startsWith('@_') || k === '#text') continue;
    const r = find(v, ...names);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Text content of a value returned by child()/find(). EmptyContent elements give ''. */
export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    const t = (v as XObj)['#text'];
    if (t !== undefined) return String(t).trim();
    return '';
  }
  return undefined;
}

export function childText(obj: unknown, ...names: string[]): string | undefined {
  return text(child(obj, ...names));
}

/** Attribute by local name (namespace prefixes are already removed by the parser). */
export function attr(obj: unknown, name: string): string | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const lower = `@_${name}`.toLowerCase();
  const k = Object.keys(obj as XObj).find((x) => x.toLowerCase() === lower);
  return k ? String((obj as XObj)[k]) : undefined;
}

/** Element names present as children, excluding attributes and text. */
export function elementNames(obj: unknown): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  return Object.keys(obj as XObj).filter((k) => !k.startsWith('@_') && k !== '#text');
}

/** Parse a boolean the way xsd:boolean does ("true"/"1"). */
export function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return undefined;
}
