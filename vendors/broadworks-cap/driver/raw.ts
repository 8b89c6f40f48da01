/**
 * The raw request (manifest: `{xml}`): one CAP document, a `BroadsoftDocument`, written as it is. With
 * `user` it goes on that user's registered dialog (CAP-C: the server accepts a user's messages only
 * there); without, on the link's own connection (CAP-C: the unregistered one, where only infoRequest
 * and serverStatusRequest mean anything; CCC2: any connection). CAP answers most documents with
 * nothing, so the answer is `202 {sent: true}`: whatever the server sends back arrives as events.
 */
import { z } from 'zod';
import { CapXmlError, parseCapDocument } from '../wire/index.js';
import { badRequest } from './errors.js';

export const RawRequest = z.strictObject({
  /** One BroadsoftDocument (an XML declaration before it is allowed). */
  xml: z.string().min(1),
  /** CAP-C: the user whose dialog carries it. */
  user: z.string().min(1).max(256).optional(),
});
export type RawRequest = z.infer<typeof RawRequest>;

/**
 * Checks a raw request: one readable CAP document, nothing after its end tag, within `maxBytes`.
 * Returns the document and its commandType; throws a 400 VendorError otherwise.
 *
 * @example
 * readRaw({ xml: '<BroadsoftDocument protocol="CAP" version="17.0"><command commandType="infoRequest"><commandData><capVersionRequest/></commandData></command></BroadsoftDocument>' }, 1 << 20);
 * // { document: '<BroadsoftDocument ...', commandType: 'infoRequest', user: undefined }
 */
export function readRaw(
  request: unknown,
  maxBytes: number,
): { document: string; commandType: string; user?: string } {
  const parsed = RawRequest.safeParse(request);
  if (!parsed.success)
    throw badRequest(
      `invalid raw request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  const document = parsed.data.xml.trim();
  if (Buffer.byteLength(document, 'utf8') > maxBytes)
    throw badRequest(`raw document exceeds ${maxBytes} bytes`);
  const ends = document.match(/<\/\s*BroadsoftDocument\s*>/g) ?? [];
  if (ends.length !== 1 || !/<\/\s*BroadsoftDocument\s*>$/.test(document))
    throw badRequest('raw xml must be exactly one BroadsoftDocument');
  let commandType: string;
  try {
    commandType = parseCapDocument(document, { maxChars: maxBytes }).type;
  } catch (err) {
    if (err instanceof CapXmlError) throw badRequest(`raw xml is not a CAP document: ${err.message}`);
    throw err;
  }
  return { document, commandType, ...(parsed.data.user ? { user: parsed.data.user } : {}) };
}
