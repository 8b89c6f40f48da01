/**
 * Streaming XML message framer.
 *
 * The socket framing of the XML-over-TCP vendors (decided per vendor in docs/protocols/): every message is one UTF-8 XML
 * document (optional XML declaration) followed by one LF. Readers never rely on the LF: a message ends
 * where its root element closes. This framer accepts several messages in one chunk, one message split
 * over many chunks (including inside a multi-byte UTF-8 sequence), and any whitespace between messages.
 *
 * It is an explicit state machine over bytes; it does not validate XML, it only finds boundaries.
 */

type State =
  | 'between' // outside any document, skipping whitespace
  | 'text' // inside the root element, in character data
  | 'tagOpen' // just read '<'
  | 'startTag' // inside <name ...
  | 'endTag' // inside </name ...
  | 'attrQuote' // inside a quoted attribute value
  | 'pi' // inside <? ... ?>
  | 'markupDecl' // inside <! ... (comment, CDATA or doctype)
  | 'comment' // inside <!-- ... -->
  | 'cdata'; // inside <![CDATA[ ... ]]>

export class XmlFramingError extends Error {
  constructor(
    message: string,
    readonly garbage: string,
  ) {
    super(message);
    this.name = 'XmlFramingError';
  }
}

export interface XmlFramerOptions {
  /** Largest accepted message in bytes; a longer one is dropped and reported. Default 4 MiB. */
  maxMessageBytes?: number;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QMARK = 0x3f;
const BANG = 0x21;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const DASH = 0x2d;
const RBRACKET = 0x5d;
const LBRACKET = 0x5b;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export class XmlFramer {
  private state: State = 'between';
  private depth = 0;
  private quote = 0;
  private prev1 = 0; // last byte seen in the current construct
  private prev2 = 0;
  private lastSlash = false; // last non-space byte in a start tag was '/'
  private markupBytes: number[] = [];
  private returnTo: State = 'between';
  private start = -1; // start offset of the current message inside the pending buffer
  private pending: Buffer = Buffer.alloc(0);
  /** Skipping the rest of an over-long message (its bytes are not kept). */
  private discarding = false;
  private readonly maxBytes: number;

  constructor(options: XmlFramerOptions = {}) {
    this.maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Feed bytes; returns the complete messages (as strings) found so far and any garbage that was skipped.
   * Garbage is non-whitespace outside a document (e.g. a stray byte) or an over-long message.
   */
  push(chunk: Buffer | string): { messages: string[]; errors: XmlFramingError[] } {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const messages: string[] = [];
    const errors: XmlFramingError[] = [];
    const buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    let i = this.pending.length;
    let garbageStart = -1;

    const flushGarbage = (end: number) => {
      if (garbageStart >= 0) {
        const g = buf.subarray(garbageStart, end).toString('utf8');
        errors.push(new XmlFramingError('non-XML bytes between messages', g));
        garbageStart = -1;
      }
    };

    for (; i < buf.length; i++) {
      const b = buf[i]!;
      switch (this.state) {
        case 'between':
          if (b === LT) {
            flushGarbage(i);
            this.discarding = false;
            if (this.start < 0) this.start = i; // keep an XML declaration with its document
            this.depth = 0;
            this.state = 'tagOpen';
            this.returnTo = 'between';
          } else if (!isSpace(b) && garbageStart < 0) {
            garbageStart = i;
          }
          break;
        case 'text': {
          // Character data: jump to the next '<' instead of looking at every byte.
          const lt = b === LT ? i : buf.indexOf(LT, i);
          if (lt < 0) {
            i = buf.length - 1;
            break;
          }
          i = lt;
          this.state = 'tagOpen';
          this.returnTo = 'text';
          break;
        }
        case 'tagOpen':
          if (b === QMARK) {
            this.state = 'pi';
            this.prev1 = 0;
          } else if (b === BANG) {
            this.state = 'markupDecl';
            this.markupBytes = [];
          } else if (b === SLASH) {
            this.state = 'endTag';
          } else {
            this.state = 'startTag';
            this.lastSlash = false;
          }
          break;
        case 'pi':
          if (b === GT && this.prev1 === QMARK) this.state = this.returnTo;
          this.prev1 = b;
          break;
        case 'markupDecl':
          this.markupBytes.push(b);
          if (this.markupBytes.length === 2 && this.markupBytes[0] === DASH && b === DASH) {
            this.state = 'comment';
            this.prev1 = this.prev2 = 0;
          } else if (this.markupBytes.length === 7 && this.markupBytes[0] === LBRACKET && b === LBRACKET) {
            this.state = 'cdata';
            this.prev1 = this.prev2 = 0;
          } else if (b === GT) {
            this.state = this.returnTo; // <!DOCTYPE ...> without internal subset
          }
          break;
        case 'comment':
          if (b === GT && this.prev1 === DASH && this.prev2 === DASH) this.state = this.returnTo;
          this.prev2 = this.prev1;
          this.prev1 = b;
          break;
        case 'cdata':
          if (b === GT && this.prev1 === RBRACKET && this.prev2 === RBRACKET) this.state = this.returnTo;
          this.prev2 = this.prev1;
          this.prev1 = b;
          break;
        case 'startTag':
          if (b === DQUOTE || b === SQUOTE) {
            this.quote = b;
            this.state = 'attrQuote';
            this.lastSlash = false;
          } else if (b === GT) {
            if (!this.lastSlash) this.depth++;
            if (this.depth === 0) {
              this.emit(buf, i, messages);
            } else {
              this.state = 'text';
            }
          } else if (!isSpace(b)) {
            this.lastSlash = b === SLASH;
          }
          break;
        case 'attrQuote': {
          const q = b === this.quote ? i : buf.indexOf(this.quote, i);
          if (q < 0) {
            i = buf.length - 1;
            break;
          }
          i = q;
          this.state = 'startTag';
          break;
        }
        case 'endTag':
          if (b === GT) {
            if (this.depth === 0) {
              // an end tag with no open element: garbage, not a message
              if (!this.discarding)
                errors.push(
                  new XmlFramingError(
                    'end tag outside any document',
                    buf.subarray(this.start, i + 1).toString('utf8'),
                  ),
                );
              this.discarding = false;
              this.start = -1;
              this.state = 'between';
              break;
            }
            this.depth--;
            if (this.depth === 0) {
              this.emit(buf, i, messages);
            } else {
              this.state = 'text';
            }
          }
          break;
      }
      if (this.start >= 0 && !this.discarding && i - this.start + 1 > this.maxBytes) {
        errors.push(
          new XmlFramingError(
            `message exceeds ${this.maxBytes} bytes`,
            buf.subarray(this.start, this.start + 200).toString('utf8'),
          ),
        );
        // Keep following the structure to find where the message ends, but keep none of its bytes.
        this.discarding = true;
        this.start = -1;
      }
    }
    flushGarbage(buf.length);
    this.pending = this.start >= 0 ? buf.subarray(this.start) : Buffer.alloc(0);
    if (this.start >= 0) this.start = 0;
    return { messages, errors };
  }

  /** Bytes held for an unfinished message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  reset(): void {
    this.discarding = false;
    this.state = 'between';
    this.depth = 0;
    this.start = -1;
    this.pending = Buffer.alloc(0);
  }

  private emit(buf: Buffer, end: number, messages: string[]): void {
    if (this.discarding) this.discarding = false;
    else messages.push(buf.subarray(this.start, end + 1).toString('utf8'));
    this.start = -1;
    this.depth = 0;
    this.state = 'between';
  }
}
