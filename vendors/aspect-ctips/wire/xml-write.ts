/**
 * The CTIPS XML writer, in the style of WCF's DataContractSerializer: a namespace given a prefix in
 * `prefixes` is written `prefix:Name` and declared once on the written root; any other namespace is
 * written as a default namespace (`xmlns="..."`) where it changes. Attribute keys are written as given
 * (`i:nil`, `i:type`), so callers declare the `i` prefix through `prefixes`. Re-exported by xml.ts.
 */
import type { XmlNode } from './xml.js';

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) =>
  escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

export interface WriteOptions {
  /** Namespace URI → prefix; all of them are declared on the root element. */
  prefixes?: Readonly<Record<string, string>>;
  /** Prepend `<?xml version="1.0" encoding="utf-8"?>`. */
  declaration?: boolean;
  /** The default namespace in scope where the node is written (no redeclaration for it). */
  inheritedDefault?: string;
}

/**
 * Writes a tree as XML.
 *
 * @example
 * writeXml({ name: 'OnLine', ns: 'http://tempuri.org/', attrs: {}, children: [], text: '' });
 * // '<OnLine xmlns="http://tempuri.org/"/>'
 */
export function writeXml(node: XmlNode, opts: WriteOptions = {}): string {
  const prefixes = opts.prefixes ?? {};
  const out: string[] = [];
  if (opts.declaration) out.push('<?xml version="1.0" encoding="utf-8"?>');
  const walk = (n: XmlNode, defaultNs: string, root: boolean) => {
    let qname = n.name;
    let decl = '';
    let inner = defaultNs;
    const prefix = n.ns !== undefined ? prefixes[n.ns] : undefined;
    if (prefix) qname = `${prefix}:${n.name}`;
    else if ((n.ns ?? '') !== defaultNs) {
      decl = ` xmlns="${escAttr(n.ns ?? '')}"`;
      inner = n.ns ?? '';
    }
    if (root) {
      for (const [uri, p] of Object.entries(prefixes)) decl += ` xmlns:${p}="${escAttr(uri)}"`;
    }
    const attrs = Object.entries(n.attrs)
      .map(([k, v]) => ` ${k}="${escAttr(v)}"`)
      .join('');
    if (!n.text && n.children.length === 0) {
      out.push(`<${qname}${decl}${attrs}/>`);
      return;
    }
    out.push(`<${qname}${decl}${attrs}>`);
    if (n.text) out.push(escText(n.text));
    for (const c of n.children) walk(c, inner, false);
    out.push(`</${qname}>`);
  };
  walk(node, opts.inheritedDefault ?? '', true);
  return out.join('');
}
