import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { LinkCredentials, SecretStore } from './store.js';

/** AWS secret store: one secret per link named `<prefix><tenant>/<link>` (IAM is scoped to the prefix). */
export class SecretsManagerStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly kmsKeyId?: string,
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
    }
  }

  async get(tenant: string, link: string): Promise<LinkCredentials | null> {
    try {
      const res = await this.client.send(new GetSecretValueCommand({ SecretId: this.name(tenant, link) }));
      return res.SecretString ? (JSON.parse(res.SecretString) as LinkCredentials) : null;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return null;
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
    }
  }
}
