/**
 * Loads a vendor's driver by its id, from the vendor's home (`vendors/<id>/driver/index.ts`, default
 * export a `DriverFactory`). The path is a pattern, so a bundler includes every vendor's driver; only the
 * connector (and tests) import this file, never a Lambda handler. The simulator loads its front-ends
 * the same way (`simulator/vendors.ts`).
 */
import type { DriverFactory } from './driver-kit/seam.js';
import { VENDOR_MANIFESTS, type VendorId } from './index.js';

export type DriverRegistry = Partial<Record<string, DriverFactory>>;

/** Every registered vendor's driver factory. */
export async function defaultDrivers(): Promise<DriverRegistry> {
  const entries = await Promise.all(
    VENDOR_MANIFESTS.map(async (m) => [m.id, await loadDriver(m.id)] as const),
  );
  return Object.fromEntries(entries);
}

export async function loadDriver(id: VendorId): Promise<DriverFactory> {
  const mod = (await import(`./${id}/driver/index.ts`)) as { default: DriverFactory };
  return mod.default;
}
