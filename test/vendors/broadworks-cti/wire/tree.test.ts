/**
 * The lenient parser builds its tree straight from the repairing scanner. Until 2026-12-07 it wrote the
 * repaired document out as text and parsed that again with fast-xml-parser; that pipeline is kept here as
 * the reference, and both must give the same tree (and the same `repaired`) for the specification's
 * samples, for edge cases of text, entities, CDATA and attributes, and for thousands of seeded damages of
 * the samples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { localName, parseXml, repairXml, type XNode } from '../../../../vendors/broadworks-cti/wire/index.js';

const reference = new XMLParser({
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
  const raw = Object.keys(entry).filter((k) => k !== ':@')[0];
  if (!raw || raw === '#text' || raw === '#cdata') return null;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((entry[':@'] ?? {}) as Ordered)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attrs[localName(k)] = String(v);
  }
  const node: XNode = { name: localName(raw), raw, attrs, text: '', children: [] };
  const texts: string[] = [];
  for (const k of (entry[raw] ?? []) as Ordered[]) {
    if ('#text' in k) texts.push(String(k['#text']));
    else if ('#cdata' in k) for (const t of k['#cdata'] as Ordered[]) texts.push(String(t['#text'] ?? ''));
    else {
      const c = convert(k);
      if (c) node.children.push(c);
    }
  }
  node.text = texts.join('').trim();
  return node;
}

/** The pipeline before 2026-12-07: repair to text, parse the text with fast-xml-parser. */
/** The pipeline before 2026-12-07: repair to text, parse the text with fast-xml-parser (null: no root). */
function viaText(src: string): { root: XNode; repaired: boolean } | null {
  const { xml, repaired } = repairXml(src);
  for (const e of reference.parse(xml) as Ordered[]) {
    const root = convert(e);
    if (root) return { root, repaired };
  }
  return null;
}

/** The parser as it is (null: it refused the message, 'no root element'). */
function direct(src: string): { root: XNode; repaired: boolean } | null {
  try {
    return parseXml(src);
  } catch {
    return null;
  }
}

const fixtureDir = fileURLToPath(new URL('../driver/fixtures/', import.meta.url));
const samples = readdirSync(fixtureDir).map((f) => readFileSync(fixtureDir + f, 'utf8'));

const edges = [
  '<a b="x&amp;y&lt;&quot;&apos;&gt;&nbsp;">t&amp;&lt;&gt;&quot;&apos;&nbsp;&copy; z</a>',
  '<a>  one <!-- c --> two <b/> three </a>',
  '<a><![CDATA[ x<y ]]> t</a>',
  '<a><![CDATA[ open',
  '<a b="">x</a>',
  '<a>&amp;lt;</a>',
  "<a b='q\"q'/>",
  '<a b="1" b2="2"  />',
  '<a>\n\t</a>',
  '<a>x & y > z</a>',
  '<a>x < y</a>',
  '<a b="1" b="2">dup</a>',
  '<a xmlns="u" xmlns:p="v" p:c="3"><p:d>4</p:d></a>',
  'junk<a>1</a>junk<b>2</b>',
  '<?xml version="1.0"?><a><b>1<c>2</c></b></a>',
  '<a><b>1<b/></a>',
  '<a><b>1</c></a>',
  '<!DOCTYPE x [<!ENTITY e "boom">]><a>&e;</a>',
  '<a><b>text<c>child</c>more</b></a>',
  '<a att=unquoted>v</a>',
  '<a>1</a  >',
  '<A:B><c:D>x</e:D></A:B>',
  '<a><b x="<">1</b></a>',
  '<a>&#65;&#x42;</a>',
];

/** Seeded damage: cut, duplicate or insert, a few times. */
function damaged(src: string, seed: number): string {
  let x = seed >>> 0 || 1;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % Math.max(1, n);
  };
  const bits = [
    '<',
    '>',
    '&',
    '"',
    "'",
    '/',
    '</x>',
    '<y>',
    '<![CDATA[c]]>',
    '<!-- k -->',
    '&amp;',
    ' ',
    'z',
    '=',
  ];
  let s = src;
  for (let k = 1 + rnd(3); k > 0; k--) {
    const at = rnd(s.length);
    switch (rnd(3)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + rnd(12));
        break;
      case 1: {
        const from = rnd(s.length);
        s = s.slice(0, at) + s.slice(from, from + 1 + rnd(20)) + s.slice(at);
        break;
      }
      default:
        s = s.slice(0, at) + bits[rnd(bits.length)] + s.slice(at);
    }
  }
  return s;
}

describe('the tree built from the scanner equals the tree of the repaired text', () => {
  it('for the specification samples and the edge cases', () => {
    for (const src of [...samples, ...edges]) expect(direct(src), src).toEqual(viaText(src));
  });

  it('for 5,000 seeded damages of the samples', () => {
    let checked = 0;
    for (let seed = 1; checked < 5000; seed++) {
      const src = damaged(samples[seed % samples.length]!, seed);
      expect(direct(src), `seed ${seed}: ${src}`).toEqual(viaText(src));
      checked++;
    }
  });
});
