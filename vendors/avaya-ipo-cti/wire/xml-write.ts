/**
 * The IP Office CTI WebServices XML writer: escapes text and attributes and declares each namespace on the
 * element where it first differs from its parent's, with the samples' prefixes (`ns2` openapi, `ns3`
 * CSTA). Re-exported by xml.ts.
 */
import type { XmlNode } from './xml.js';
/** Prefixes the writer uses for the namespaces the vendor's samples use (others get `nsN`). */
const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  'http://openapi.common.avaya.com/': 'ns2',
  'http://www.ecma-international.org/standards/ecma-323/csta/ed4': 'ns3',
  'http://conferencing.common.avaya.com/': 'ns11',
  'http://conferencing.avaya.com/': 'ns12',
  'http://calllog.common.avaya.com/': 'ns14',
};

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) =>
  escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/**
 * Writes a tree as XML. A namespace is declared (`xmlns:nsN`) on each element whose `ns` differs from
 * its parent's and is not declared above; elements without `ns` are written unqualified.
 *
 * @example
 * writeXml(el('Events', OPENAPI_NS, {}, [el('x', undefined, {}, 'a&b')]));
 * // '<ns2:Events xmlns:ns2="http://openapi.common.avaya.com/"><x>a&amp;b</x></ns2:Events>'
 */
export function writeXml(node: XmlNode, opts: { declaration?: boolean } = {}): string {
  const out: string[] = [];
  if (opts.declaration) out.push('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>');
  let counter = 20;
  const assigned = new Map<string, string>();
  const taken = new Set<string>();
  const prefixFor = (uri: string): string => {
    const known = assigned.get(uri);
    if (known) return known;
    let p = PREFERRED_PREFIX[uri];
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
