/**
 * The writer of xml-tree.ts: escapes text and attributes and declares each namespace on the element where
 * it first differs from its parent's, with the caller's preferred prefixes (others get `nsN`).
 */
import type { XmlNode } from './xml-tree.js';

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) =>
  escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/**
 * Writes a tree as XML. A namespace is declared (`xmlns:nsN`) on each element whose `ns` differs from
 * its parent's and is not declared above; elements without `ns` are written unqualified.
 *
 * @example
 * writeXml(el('Events', 'urn:x', {}, [el('x', undefined, {}, 'a&b')]), { prefixes: { 'urn:x': 'ns2' } });
 * // '<ns2:Events xmlns:ns2="urn:x"><x>a&amp;b</x></ns2:Events>'
 */
export function writeXml(
  node: XmlNode,
  opts: { declaration?: boolean; prefixes?: Readonly<Record<string, string>> } = {},
): string {
  const out: string[] = [];
  if (opts.declaration) out.push('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>');
  let counter = 20;
  const assigned = new Map<string, string>();
  const taken = new Set<string>();
  const prefixFor = (uri: string): string => {
    const known = assigned.get(uri);
    if (known) return known;
    let p = opts.prefixes?.[uri];
    if (!p || taken.has(p)) {
      do p = `ns${counter++}`;
      while (taken.has(p));
    }
    assigned.set(uri, p);
    taken.add(p);
    return p;
  };
  const walk = (n: XmlNode, scope: ReadonlySet<string>) => {
    let qname = n.name;
    let decl = '';
    let inner = scope;
    if (n.ns) {
      const prefix = prefixFor(n.ns);
      if (!scope.has(n.ns)) {
        inner = new Set(scope).add(n.ns);
        decl = ` xmlns:${prefix}="${escAttr(n.ns)}"`;
      }
      qname = `${prefix}:${n.name}`;
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
    for (const c of n.children) walk(c, inner);
    out.push(`</${qname}>`);
  };
  walk(node, new Set());
  return out.join('');
}
