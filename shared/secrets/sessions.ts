/**
 * Session credentials (`POST /v1/sessions`), stored like link credentials: one entry per session in
 * the link secret store, never in the table, never returned, never logged. The entry is named
 * `sessions/<session id>` inside the tenant, a name no link id can take (link ids have no `/`).
 */
import type { LinkCredentials, SecretStore } from './store.js';

/** The store entry name of a session's credentials. */
export const sessionSecretName = (session: string): string => `sessions/${session}`;

/**
 * Per-session entries over a `SecretStore`.
 *
 * @example
 * const secrets = sessionSecrets(deps.secrets);
 * await secrets.put('acme', 'ses_1', { password: 'pin-1234' });
 * await secrets.get('acme', 'ses_1'); // { password: 'pin-1234' }
 * await secrets.delete('acme', 'ses_1');
 */
export function sessionSecrets(store: SecretStore) {
  return {
    put: (tenant: string, session: string, credentials: Record<string, string>): Promise<void> =>
      // the store is typed for link credentials; a session entry holds whatever its vendor declares
      store.put(tenant, sessionSecretName(session), credentials as LinkCredentials),
    /** The session's credentials; `{}` when it was created without any. */
    get: async (tenant: string, session: string): Promise<Record<string, string>> =>
      ((await store.get(tenant, sessionSecretName(session))) as Record<string, string> | null) ?? {},
    delete: (tenant: string, session: string): Promise<void> =>
      store.delete(tenant, sessionSecretName(session)),
  };
}
export type SessionSecrets = ReturnType<typeof sessionSecrets>;
