/**
 * The XML readers keep nothing of a message in the values they return (shared/xml/own-string.ts): 2,000
 * distinct 20 KB messages are parsed and one id of each is kept. Were the ids views into their messages
 * (V8's sliced strings), the messages would stay in the heap: 40 MB. Measured after full collections.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { parseXml as parseBroadWorks } from '../../../vendors/broadworks-cti/wire/parse.js';
import { readXml as readCap } from '../../../vendors/broadworks-cap/wire/xml.js';
import { parseXml as parseTree } from '../../../vendors/driver-kit/xml-tree.js';
import { ownString } from '../../../shared/xml/own-string.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MESSAGES = 2_000;
const PAD = 20_000;

/** Heap growth (bytes) while `keep` collects one value from each of MESSAGES distinct messages. */
function retainedBy(read: (xml: string) => string): number {
  const kept: string[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < MESSAGES; i++) {
    const pad = String(i).padStart(PAD, 'x'); // distinct per message
    const xml = `<?xml version="1.0"?><event id="attr-${i}-0123456789"><eventID>event-id-${i}-0123456789abcdef</eventID><pad>${pad}</pad></event>`;
    kept.push(read(xml));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  expect(kept.at(-1)).toMatch(/-1999-0123456789/);
  return grown;
}

it('ownString gives a copy that equals its input, and short strings as they are', () => {
  const src = 'x'.repeat(100) + 'event-id-0123456789';
  expect(ownString(src.slice(100))).toBe('event-id-0123456789');
  expect(ownString('short')).toBe('short');
});

it('a slice of each message, kept, holds every message (the effect the readers avoid)', () => {
  expect(retainedBy((xml) => xml.slice(50, 90))).toBeGreaterThan(MESSAGES * PAD * 0.8);
});

it.each([
  ['BroadWorks CTI (text)', (xml: string) => parseBroadWorks(xml).root.children[0]!.text],
  ['BroadWorks CTI (attribute)', (xml: string) => parseBroadWorks(xml).root.attrs.id!],
  ['BroadWorks CAP (text)', (xml: string) => readCap(xml).children[0]!.text],
  ['BroadWorks CAP (attribute)', (xml: string) => readCap(xml).attrs.id!],
  ['driver-kit tree (text)', (xml: string) => parseTree(xml).children[0]!.text],
  ['driver-kit tree (attribute)', (xml: string) => parseTree(xml).attrs.id!],
])('%s: the values kept hold no message', (_name, read) => {
  expect(retainedBy(read)).toBeLessThan(MESSAGES * PAD * 0.1);
});
