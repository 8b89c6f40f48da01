/**
 * The connector process refuses malformed settings at start (exit 2, every failing variable named)
 * instead of running with them. The value rules themselves: test/connector/settings.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('exits 2 and names each malformed variable', () => {
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../connector/main.ts', import.meta.url))],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        BRIDGE_LOCAL_MODE: 'true',
        BRIDGE_CONNECTOR_TOKEN: 'token',
        BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN: '1.5',
        BRIDGE_LEASE_MS: 'soon',
      },
    },
  );
  expect(res.status, res.stderr).toBe(2);
  expect(res.stderr).toContain('BRIDGE_LEASE_MS must be a whole number from 1000 to 600000: soon');
  expect(res.stderr).toContain(
    'BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN must be a whole number from 1 to 99999: 1.5',
  );
});
