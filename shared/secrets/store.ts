/**
 * Link credentials live behind this interface: never in the table, never returned, never logged.
 * AWS: one Secrets Manager secret per link. Local: one file per link, mode 0600, under the data dir.
 */
export interface LinkCredentials {
  username: string;
  password: string;
  [extra: string]: string;
}

export interface SecretStore {
  put(tenant: string, link: string, credentials: LinkCredentials): Promise<void>;
  get(tenant: string, link: string): Promise<LinkCredentials | null>;
  delete(tenant: string, link: string): Promise<void>;
}
