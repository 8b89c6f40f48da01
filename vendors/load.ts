/**
 * Loads a vendor's driver or simulator front-end by its id, from the vendor's home
 * (`vendors/<id>/driver/index.ts`, `vendors/<id>/simulator/index.ts`, each with a default export). The
 * paths are patterns, so a bundler includes every vendor's module; only the connector and the local
 * stack import this file, never a Lambda handler.
 */
import type { DriverFactory } from './driver-kit/seam.js';
import { VENDOR_MANIFESTS, type VendorId } from './index.js';
import type { SimVendor } from '../simulator/frontends/types.js';

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

/** Every registered vendor's simulator front-end, in registration order. */
export async function simulatorVendors(): Promise<SimVendor[]> {
  return Promise.all(
    VENDOR_MANIFESTS.map(async (m) => {
      const mod = (await import(`./${m.id}/simulator/index.ts`)) as { default: SimVendor };
      return mod.default;
    }),
  );
}
