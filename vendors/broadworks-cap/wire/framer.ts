/**
 * CAP stream framing. The specification names no delimiter and no length prefix
 * (docs/protocols/broadworks-cap.md, "Framing"); every CAP message is one XML document whose root is
 * `BroadsoftDocument`, so a document ends with its `</BroadsoftDocument>` close tag (white space allowed
 * before the `>`). Between documents the framer skips white space and NUL bytes; anything else before a
 * document's first `<` is reported as garbage. An XML prolog stays with the document it precedes. A
 * document may arrive split over any number of reads (also inside a multi-byte UTF-8 sequence), and
 * several may arrive in one read.
 *
 * States: `between` (skipping separators) → `document` (collecting until the end tag) → `between`; a
 * document longer than the limit switches to `discarding` until its end tag, keeping none of its bytes.
 */

type FramerState = 'between' | 'document' | 'discarding';

const END_TAG = Buffer.from('</BroadsoftDocument', 'latin1');
const LT = 0x3c;
const GT = 0x3e;

const isSeparator = (b: number) => b === 0x00 || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

export interface FramerOutput {
  /** Complete documents, decoded as UTF-8. */
  documents: string[];
  /** Problems: garbage between documents, over-long documents. */
  errors: string[];
}

export class CapFramer {
  private state: FramerState = 'between';
  private buf: Buffer = Buffer.alloc(0);
  /** Where to resume looking for the end tag inside `buf`. */
  private scanFrom = 0;
  readonly maxDocumentBytes: number;

  /** @param maxDocumentBytes largest accepted document (default 1 MiB). */
  constructor(maxDocumentBytes = 1024 * 1024) {
    this.maxDocumentBytes = maxDocumentBytes;
  }

  /** Bytes held for an unfinished document. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Buffer | string): FramerOutput {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: FramerOutput = { documents: [], errors: [] };
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    for (;;) {
      if (this.state === 'between') {
        let i = 0;
        let garbage = -1;
        while (i < this.buf.length && this.buf[i] !== LT) {
          if (!isSeparator(this.buf[i]!) && garbage < 0) garbage = i;
          i++;
        }
        if (garbage >= 0) out.errors.push(`garbage between documents: ${this.preview(garbage, i)}`);
        this.buf = this.buf.subarray(i);
        this.scanFrom = 0;
        if (!this.buf.length) return out;
        this.state = 'document';
      }
      const end = this.findEnd();
      if (end < 0) {
        if (this.buf.length > this.maxDocumentBytes) {
          if (this.state === 'document')
            out.errors.push(`document exceeds ${this.maxDocumentBytes} bytes: ${this.preview(0, 80)}`);
          this.state = 'discarding';
          // keep only a tail long enough to hold a split end tag
          const keep = END_TAG.length + 64;
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - keep));
          this.scanFrom = 0;
        }
        return out;
      }
      if (this.state === 'document') {
        if (end > this.maxDocumentBytes)
          out.errors.push(`document exceeds ${this.maxDocumentBytes} bytes: ${this.preview(0, 80)}`);
        else out.documents.push(this.buf.subarray(0, end).toString('utf8'));
      }
      this.buf = this.buf.subarray(end);
      this.state = 'between';
    }
  }

  /** Drops any buffered bytes. */
  reset(): void {
    this.state = 'between';
    this.buf = Buffer.alloc(0);
    this.scanFrom = 0;
  }

  /** Offset just past the `>` of the end tag, or -1 while it has not arrived. */
  private findEnd(): number {
    let from = this.scanFrom;
    for (;;) {
      const at = this.buf.indexOf(END_TAG, from);
      if (at < 0) {
        this.scanFrom = Math.max(0, this.buf.length - END_TAG.length);
        return -1;
      }
      let p = at + END_TAG.length;
      while (p < this.buf.length && isSpace(this.buf[p]!)) p++;
      if (p >= this.buf.length) {
        this.scanFrom = at;
        return -1;
      }
      if (this.buf[p] === GT) {
        this.scanFrom = 0;
        return p + 1;
      }
      from = at + 1; // `</BroadsoftDocumentX`: not the end tag
    }
  }

  private preview(from: number, to: number): string {
    return JSON.stringify(this.buf.subarray(from, Math.min(to, from + 80)).toString('utf8'));
  }
}
