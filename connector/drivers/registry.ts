/** Vendor → driver factory. A vendor without a driver leaves its links `down` with a clear lastError. */
import type { Vendor } from '../../shared/events/model.js';
import type { DriverFactory } from '../driver.js';

export type DriverRegistry = Partial<Record<Vendor, DriverFactory>>;

export async function defaultDrivers(): Promise<DriverRegistry> {
  const { createBroadWorksCtiDriver } = await import('./broadworks-cti/index.js');
  const { createAvayaMtcti3Driver } = await import('./avaya-mtcti3/index.js');
  return { 'broadworks-cti': createBroadWorksCtiDriver, 'avaya-mtcti3': createAvayaMtcti3Driver };
}
