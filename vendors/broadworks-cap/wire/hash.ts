/**
 * The CAP-C secured-password login hash (specification Appendix A, L3773-3784):
 *
 *   S1 = lowercase hex of SHA-1(password)              (40 characters)
 *   S2 = nonce + SEPARATOR + S1                         (nonce exactly as received)
 *   securePassword = lowercase hex of MD5(S2)           (32 characters)
 *
 * The prose gives the separator as "." but the document's worked example only chains with ":"
 * (nonce 1051713840192, S1 f7a9e24777ec23212c54d7a350bc5bea5477fdbb gives
 * dc70779bf8461b5a1e6aea58f636d5c0); the example wins. The password is hashed as UTF-8.
 */
import { createHash } from 'node:crypto';

/** Between the nonce and S1 (docs/protocols/broadworks-cap.md, "Login hash"). */
export const LOGIN_HASH_SEPARATOR = ':';

export function sha1Hex(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('hex');
}

/** securePassword from S1 (the password's SHA-1 hex) and the nonce. */
export function securePasswordFromS1(nonce: string, s1: string): string {
  return createHash('md5').update(`${nonce}${LOGIN_HASH_SEPARATOR}${s1}`, 'utf8').digest('hex');
}

/** securePassword for a plaintext password and the nonce of responseAuthentication. */
export function securePassword(nonce: string, password: string): string {
  return securePasswordFromS1(nonce, sha1Hex(password));
}

/** True when `candidate` has the shape of a securePassword (32 lowercase hex digits). */
export function isSecurePasswordShape(candidate: string): boolean {
  return /^[0-9a-f]{32}$/.test(candidate);
}
