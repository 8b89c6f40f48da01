/**
 * Who is calling. The Lambda authorizer identifies the caller and hands this to API Gateway as its
 * context; handlers enforce (functions/http/middleware.ts), so every 401/403 has the same problem body.
 */
import type { TenantRepo } from '../repos/tenants.js';
import { sameDigest, sha256Hex } from './keys.js';

export type Principal =
  | { role: 'admin'; tenant: string; keyId: 'admin' }
  | { role: 'tenant'; tenant: string; keyId: string }
  | { role: 'anonymous'; tenant: ''; keyId: ''; reason: string };

/** Authorizer context values must be strings/numbers/booleans (API Gateway rule). */
export type PrincipalContext = { role: string; tenant: string; keyId: string; reason?: string };

export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? m[1]! : null;
}

export async function identify(
  authorization: string | undefined,
  opts: { adminKeySha256?: string; adminTenant?: string; tenants: TenantRepo },
): Promise<Principal> {
  const token = bearerToken(authorization);
  if (!token) return { role: 'anonymous', tenant: '', keyId: '', reason: 'missing bearer token' };
  const digest = sha256Hex(token);
  if (opts.adminKeySha256 && sameDigest(digest, opts.adminKeySha256)) {
    return { role: 'admin', tenant: opts.adminTenant ?? '', keyId: 'admin' };
  }
  if (token.startsWith('cbk_')) {
    const found = await opts.tenants.resolveKeyHash(digest);
    if (found) return { role: 'tenant', tenant: found.tenant, keyId: found.keyId };
  }
  return { role: 'anonymous', tenant: '', keyId: '', reason: 'unknown API key' };
}

export function principalFromContext(ctx: Partial<PrincipalContext> | undefined): Principal {
  if (ctx?.role === 'admin') return { role: 'admin', tenant: ctx.tenant ?? '', keyId: 'admin' };
  if (ctx?.role === 'tenant' && ctx.tenant)
    return { role: 'tenant', tenant: ctx.tenant, keyId: ctx.keyId ?? '' };
  return { role: 'anonymous', tenant: '', keyId: '', reason: ctx?.reason ?? 'not authenticated' };
}
