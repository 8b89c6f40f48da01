/**
 * The connector process refuses a malformed setting at start (exit 2, the variable named) instead of
 * running with it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('exits 2 and names BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN when it is not a whole number', () => {
  for (const bad of ['many', '0', '-3', '1.5']) {
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
          BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN: bad,
        },
      },
    );
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain(
      `BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN must be a whole number from 1 to 99999: ${bad}`,
    );
  }
});
