/**
 * BroadWorks CTI over TLS: the simulator front-end given a certificate, the driver verifying it against
 * the link's `ca` option (and refusing it without).
 */
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import type { Driver } from '../../../../vendors/driver-kit/seam.js';
import { startSimulator, type RunningSimulator } from '../../../../simulator/index.js';
import { Recorder, linkConfig } from './helpers.js';

const cert = readFileSync(new URL('../../../fixtures/tls/cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('../../../fixtures/tls/key.pem', import.meta.url), 'utf8');

let sim: RunningSimulator;
let driver: Driver | undefined;
beforeEach(async () => {
  sim = await startSimulator({ frontEnds: { 'broadworks-cti': { tls: { cert, key } } } });
});
afterEach(async () => {
  await driver?.close();
  driver = undefined;
  await sim.stop();
});

describe('broadworks-cti over TLS', () => {
  it('connects with the CA given, subscribes and carries a call', async () => {
    expect(sim.frontEnd('broadworks-cti').url).toMatch(/^tls:\/\//);
    const rec = new Recorder();
    driver = createBroadWorksCtiDriver(
      standaloneContext(
        linkConfig(`tls://127.0.0.1:${sim.frontEnd('broadworks-cti').port}`, {
          keepaliveIntervalMs: 0,
          ca: cert,
        }),
        rec.hooks,
        rec.logger,
      ),
    );
    await driver.connect();
    await driver.watch([{ target: { type: 'user', id: 'bob@sim.example' }, families: ['call'] }]);
    await driver.execute({ kind: 'dial', user: 'alice@sim.example', to: 'bob@sim.example' });
    await rec.waitFor(() => rec.events.find((e) => e.type === 'call.received'), 'call.received over TLS');
    expect(rec.downs).toEqual([]);
  });

  it('refuses a certificate it cannot verify', async () => {
    const rec = new Recorder();
    driver = createBroadWorksCtiDriver(
      standaloneContext(
        linkConfig(`tls://127.0.0.1:${sim.frontEnd('broadworks-cti').port}`, { keepaliveIntervalMs: 0 }),
        rec.hooks,
        rec.logger,
      ),
    );
    await expect(driver.connect()).rejects.toThrow(/certificate|self[- ]signed/i);
  });
});
