/**
 * BRIDGE_DATA_DIR: data (DynamoDB Local's file and link credentials) survives a restart; table creation
 * is idempotent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack } from '../../local/stack.js';
import { ensureTable } from '../../shared/db/client.js';
import { api } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'cti-bridge-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistent data dir', () => {
  it('keeps tenants, keys, links and credentials across restarts', async () => {
    const opts = {
      httpPort: 0,
      wsPort: 0,
      dataDir: dir,
      adminKey: 'cba_persistent-admin-key',
      logLevel: 'SILENT',
      connector: false,
    } as const;
    const first = await startStack(opts);
    let tenantKey: string;
    try {
      const admin = api(first, first.adminKey);
      expect((await admin.post('/v1/tenants', { id: 'keep' })).status).toBe(201);
      tenantKey = (await admin.post('/v1/tenants/keep/keys', {})).body.key;
      const link = await api(first, tenantKey).post('/v1/links', {
        id: 'pbx',
        vendor: 'broadworks-cti',
        endpoint: 'tcp://127.0.0.1:9',
        credentials: { username: 'u', password: 'p' },
      });
      expect(link.status).toBe(201);
      await ensureTable(first.deps.db); // a second creation is a no-op
    } finally {
      await first.stop();
    }
    const second = await startStack(opts);
    try {
      const tenant = api(second, tenantKey);
      expect((await tenant.get('/v1/links/pbx')).status).toBe(200);
      expect(await second.deps.secrets.get('keep', 'pbx')).toEqual({ username: 'u', password: 'p' });
      const tenants = (await api(second, second.adminKey).get('/v1/tenants')).body.items.map(
        (t: { id: string }) => t.id,
      );
      expect(tenants).toEqual(expect.arrayContaining(['default', 'keep']));
    } finally {
      await second.stop();
    }
  }, 90_000);
});
