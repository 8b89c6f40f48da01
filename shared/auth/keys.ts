/** API key material: generated once, shown once, stored only as SHA-256 (keys are 256-bit random). */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function generateTenantKey(): { keyId: string; key: string; hash: string } {
  const keyId = `key_${randomBytes(6).toString('base64url')}`;
  const key = `cbk_${keyId.slice(4)}_${randomBytes(32).toString('base64url')}`;
  return { keyId, key, hash: sha256Hex(key) };
}

export function generateAdminKey(): string {
  return `cba_${randomBytes(32).toString('base64url')}`;
}

export function generateToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
