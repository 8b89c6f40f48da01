/**
 * Hex-ASCII fields of the IP Office CTI WebServices (digest §3): `switchingSubDomainInformationElements`
 * and the `string` inside `correlatorData`, `userData` and `privateData` carry the uppercase hex of the
 * ASCII text (`127.0.0.1` ↔ `3132372E302E302E31`). The vendor's samples wrap these strings across lines,
 * so the reader ignores white space inside them.
 */

/**
 * Uppercase hex of the text's bytes (UTF-8; the same as ASCII for ASCII text).
 *
 * @example
 * asciiToHex('127.0.0.1'); // '3132372E302E302E31'
 */
export function asciiToHex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex').toUpperCase();
}

/**
 * The text a hex field carries; undefined when it is not even-length hex (white space is ignored).
 *
 * @example
 * hexToAscii('3132372E302E302E31'); // '127.0.0.1'
 * hexToAscii('313'); // undefined
 */
export function hexToAscii(h: string): string | undefined {
  const compact = h.replace(/\s+/g, '');
  if (compact.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(compact)) return undefined;
  return Buffer.from(compact, 'hex').toString('utf8');
}
