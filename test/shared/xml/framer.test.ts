import { describe, expect, it } from 'vitest';
import { XmlFramer } from '../../../shared/xml/framer.js';

const A =
  '<?xml version="1.0" encoding="UTF-8"?>\n<xsp:Event xmlns:xsp="http://schema.broadsoft.com/xsp" a="1>2"><x/><!-- <not/> --><y><![CDATA[</y> <z>]]></y>é 電話</xsp:Event>';
const B =
  '<xsp:KeepAlive xmlns:xsp="http://schema.broadsoft.com/xsp"><xsp:requestId>7</xsp:requestId></xsp:KeepAlive>';

describe('XmlFramer (boundaries from the XML, never from the LF)', () => {
  it('splits several messages in one read, keeping each XML declaration', () => {
    const r = new XmlFramer().push(`${A}\n${B}\n`);
    expect(r.messages).toEqual([A, B]);
    expect(r.errors).toEqual([]);
  });

  it('assembles one message over many reads, including splits inside multi-byte characters', () => {
    const f = new XmlFramer();
    const bytes = Buffer.from(`${A}\n${B}\n`);
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...f.push(bytes.subarray(i, i + 3)).messages);
    expect(out).toEqual([A, B]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('needs no LF at all and accepts any whitespace between messages', () => {
    expect(new XmlFramer().push(`${B}${B}`).messages).toEqual([B, B]);
    expect(new XmlFramer().push(` \r\n\t${B} \n\n ${B}`).messages).toEqual([B, B]);
  });

  it('does not end a message at a ">" inside an attribute, comment or CDATA', () => {
    const f = new XmlFramer();
    const first = f.push(A.slice(0, A.indexOf(']]>')));
    expect(first.messages).toEqual([]);
    expect(f.push(A.slice(A.indexOf(']]>'))).messages).toEqual([A]);
  });

  it('reports bytes outside any document as garbage and keeps going', () => {
    const r = new XmlFramer().push(`junk${B}\n`);
    expect(r.messages).toEqual([B]);
    expect(r.errors.map((e) => e.garbage).join('')).toBe('junk');
  });

  it('drops an over-long message, reports it, and frames the next one', () => {
    const f = new XmlFramer({ maxMessageBytes: 150 });
    const big = `<a>${'x'.repeat(200)}</a>`;
    const r1 = f.push(big);
    expect(r1.messages).toEqual([]);
    expect(r1.errors.some((e) => /exceeds 150 bytes/.test(e.message))).toBe(true);
    const r2 = f.push(`\n${B.slice(0, 40)}`);
    expect(r2.messages).toEqual([]);
    expect(f.push(B.slice(40)).messages).toEqual([B]);
  });

  it('treats a stray end tag as garbage, not as a message', () => {
    const r = new XmlFramer().push(`</oops>${B}`);
    expect(r.messages).toEqual([B]);
    expect(r.errors).toHaveLength(1);
  });
});
