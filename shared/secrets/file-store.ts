import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinkCredentials, SecretStore } from './store.js';

/** Local secret store: `<dir>/<tenant>/<link>.json`, files 0600, folders 0700. */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {}

  private path(tenant: string, link: string) {
    return join(this.dir, encodeURIComponent(tenant), `${encodeURIComponent(link)}.json`);
  }

  async put(tenant: string, link: string, credentials: LinkCredentials): Promise<void> {
    const file = this.path(tenant, link);
    await mkdir(join(this.dir, encodeURIComponent(tenant)), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(credentials), { mode: 0o600 });
    await rename(tmp, file);
  }

  async get(tenant: string, link: string): Promise<LinkCredentials | null> {
    try {
      return JSON.parse(await readFile(this.path(tenant, link), 'utf8')) as LinkCredentials;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(tenant: string, link: string): Promise<void> {
    await rm(this.path(tenant, link), { force: true });
  }
}
