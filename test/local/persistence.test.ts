/**
 * BRIDGE_DATA_DIR: data (DynamoDB Local's file and link credentials) survives a restart; table creation
 * is idempotent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startStack, type StackOptions } from '../../local/stack.js';
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

  it('starts the simulator ids past the earlier run: two calls never share an id in a kept log', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'cti-bridge-ids-'));
    const opts = {
      httpPort: 0,
      wsPort: 0,
      dataDir: keep,
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `t-${randomBytes(6).toString('hex')}`,
      logLevel: 'SILENT',
      connector: false,
      simulator: { only: ['broadworks-cti'] },
    } satisfies StackOptions;
    const ids: { leg: string; correlation: string }[] = [];
    try {
      for (let run = 0; run < 2; run++) {
        const s = await startStack(opts);
        try {
          const leg = s.simulator!.core.dial('+15559876543', '1001');
          ids.push({ leg: leg.id, correlation: leg.correlationId });
        } finally {
          await s.stop();
        }
      }
    } finally {
      rmSync(keep, { recursive: true, force: true });
    }
    const n = (id: string) => Number(/(\d+)/.exec(id)![1]);
    expect(ids[1]!.correlation).not.toBe(ids[0]!.correlation);
    expect(n(ids[1]!.correlation)).toBeGreaterThan(n(ids[0]!.correlation));
    expect(n(ids[1]!.leg)).toBeGreaterThan(n(ids[0]!.leg));
    // without a kept data dir nothing outlives the run: ids start at 1
    const memory = await startStack({ ...opts, dataDir: 'memory' });
    try {
      expect(memory.simulator!.core.dial('+15559876543', '1001').correlationId).toBe('1:1');
    } finally {
      await memory.stop();
    }
  }, 60_000);
});
