import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  cachedSecretReader,
  secretsManagerSource,
  SecretValueMissingError,
  type SecretReader,
} from './reader.js';
import type { LinkCredentials, SecretStore } from './store.js';

/** AWS secret store: one secret per link named `<prefix><tenant>/<link>` (IAM is scoped to the prefix). */
export class SecretsManagerStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly kmsKeyId?: string,
    /**
     * Reads link credentials. Default: no TTL, only concurrent reads shared, so the connector sees
     * credentials changed through the API at the link's next start.
     */
    private readonly reader: SecretReader = cachedSecretReader(secretsManagerSource(client), { ttlMs: 0 }),
  ) {}

  private name(tenant: string, link: string) {
    return `${this.prefix}${tenant}/${link}`;
  }

  async put(tenant: string, link: string, credentials: LinkCredentials): Promise<void> {
    const SecretString = JSON.stringify(credentials);
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.name(tenant, link),
          SecretString,
          KmsKeyId: this.kmsKeyId,
          Tags: [
            { Key: 'cti-bridge:tenant', Value: tenant },
            { Key: 'cti-bridge:link', Value: link },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceExistsException)) throw err;
      await this.client.send(new PutSecretValueCommand({ SecretId: this.name(tenant, link), SecretString }));
    } finally {
      this.reader.forget(this.name(tenant, link));
    }
  }

  async get(tenant: string, link: string): Promise<LinkCredentials | null> {
    try {
      const value = await this.reader.read(this.name(tenant, link));
      return value ? (JSON.parse(value) as LinkCredentials) : null;
    } catch (err) {
      if (err instanceof ResourceNotFoundException || err instanceof SecretValueMissingError) return null;
      throw err;
    }
  }

  async delete(tenant: string, link: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.name(tenant, link), ForceDeleteWithoutRecovery: true }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    } finally {
      this.reader.forget(this.name(tenant, link));
    }
  }
}
