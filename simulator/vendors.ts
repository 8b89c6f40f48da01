/**
 * The simulator's protocol front-ends: one per registered vendor, loaded from the vendor's home
 * (`vendors/<id>/simulator/index.ts`, default export a `SimVendor`).
 */
import { VENDOR_MANIFESTS } from '../vendors/index.js';
import type { SimVendor } from './frontends/types.js';

/** Every registered vendor's simulator front-end, in registration order. */
export async function simulatorVendors(): Promise<SimVendor[]> {
  return Promise.all(
    VENDOR_MANIFESTS.map(async (m) => {
      const mod = (await import(`../vendors/${m.id}/simulator/index.ts`)) as { default: SimVendor };
      return mod.default;
    }),
  );
}
