/**
 * Character classes of the vendor XML readers, by UTF-16 code unit: they scan documents one character at
 * a time, and a regular expression per character costs more than the rest of the reading.
 */

/**
 * Whether the code unit `c` is white space as `\s` and `String.prototype.trim` see it.
 *
 * @example
 * isWhiteSpace(' '.charCodeAt(0)); // true
 * isWhiteSpace(0x00a0); // true (no-break space)
 */
export function isWhiteSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && /\s/.test(String.fromCharCode(c)));
}
