/**
 * The BroadWorks XML serializer shared by the driver and the simulator: escaping, an element tree that
 * renders itself, and the message framing (XML declaration, document, one LF).
 */
import { XML_DECLARATION, XSI_NS } from './namespaces.js';

/** Escapes character data. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (quotes and whitespace characters too, so they survive normalisation). */
export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Markup that is already well-formed and escaped (a raw request payload), written as it is. */
export class RawXml {
  constructor(readonly xml: string) {}

  render(): string {
    return this.xml;
  }
}

/** A child of an element: an element, raw markup, or null/undefined/false to skip. */
export type XChild = XmlNode | RawXml | null | undefined | false;

/** An element to be written: a name, attributes (undefined values skipped), and children or text. */
export class XmlNode {
  constructor(
    readonly name: string,
    readonly attrs: Record<string, string | undefined>,
    readonly children: (XmlNode | RawXml)[],
    readonly text?: string,
  ) {}

  /** Same element with a default namespace declared (response payload roots). */
  withNs(ns: string = XSI_NS): XmlNode {
    return new XmlNode(this.name, { xmlns: ns, ...this.attrs }, this.children, this.text);
  }

  /** Same element under another name. */
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
  const flat = children
    .flat()
    .filter((c): c is XmlNode | RawXml => c instanceof XmlNode || c instanceof RawXml);
  return new XmlNode(name, attrs ?? {}, flat);
}

/** Element with text content; skipped (undefined) when the value is undefined or null. */
export function tx(
  name: string,
  value: string | number | boolean | undefined | null,
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
  return `${XML_DECLARATION}${root.render()}\n`;
}
