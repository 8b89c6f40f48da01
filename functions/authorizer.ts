/**
 * HTTP API Lambda authorizer (REQUEST, payload 2.0, simple responses, no identity source).
 * It identifies the caller and always answers isAuthorized=true with the principal as context; the
 * handlers' auth middleware enforces the route's level, so a missing, wrong or misplaced key always gets
 * the same RFC 9457 problem body (API Gateway's own 401/403 bodies cannot be customised on HTTP APIs).
 * Principals are cached in memory for `authCacheSeconds` per warm container (API Gateway's own cache
 * needs an identity source, which would turn a missing key into a non-problem 401); a revoked key keeps
 * working that long in AWS. The local stack sets it to 0.
 */
import { secretReader } from '../shared/secrets/reader.js';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { sha256Hex } from '../shared/auth/keys.js';
import { identify, type Principal, type PrincipalContext } from '../shared/auth/principal.js';
import { lazyEnvDeps, type Deps } from '../shared/deps.js';

export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<APIGatewaySimpleAuthorizerWithContextResult<PrincipalContext>>;

const CACHE_MAX = 1_000;

export function build(
  getDeps: () => Deps,
  adminKeySha256: () => Promise<string | undefined>,
): AuthorizerHandler {
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async (event) => {
    const deps = getDeps();
    const header = event.headers?.authorization ?? event.headers?.Authorization;
    const cacheKey = header ? sha256Hex(header) : '';
    const now = Date.now();
    const cacheMs = deps.config.authCacheSeconds * 1000;
    let principal = cacheKey && cacheMs > 0 ? cache.get(cacheKey) : undefined;
    if (!principal || principal.until < now) {
      const p = await identify(header, {
        adminKeySha256: await adminKeySha256(),
        adminTenant: deps.config.localMode ? deps.config.adminTenant : undefined,
        tenants: deps.repos.tenants,
      });
      principal = { principal: p, until: now + cacheMs };
      if (cacheKey && cacheMs > 0 && p.role !== 'anonymous') {
        if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
        cache.set(cacheKey, principal);
      }
    }
    const p = principal.principal;
    return {
      isAuthorized: true,
      context: {
        role: p.role,
        tenant: p.tenant,
        keyId: p.keyId,
        ...(p.role === 'anonymous' ? { reason: p.reason } : {}),
      },
    };
  };
}

/**
 * AWS: the admin key lives in a Secrets Manager secret created by the stack, read through the shared
 * cached reader (a rotation is seen within its TTL; a failed read is retried on the next request).
 */
function adminKeyFromEnv(getDeps: () => Deps): () => Promise<string | undefined> {
  return async () => {
    const { adminKeySha256, region } = getDeps().config;
    if (adminKeySha256) return adminKeySha256;
    const arn = process.env.BRIDGE_ADMIN_KEY_SECRET_ARN;
    if (!arn) return undefined;
    const value = await secretReader(region).read(arn);
    return value ? sha256Hex(value.trim()) : undefined;
  };
}

const envDeps = lazyEnvDeps();
export const handler = build(envDeps, adminKeyFromEnv(envDeps));
