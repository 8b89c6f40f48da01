/**
 * The vendors the bridge supports: one registration line each. Everything else (the API's `vendor`
 * enum, the event model's vendor names, the driver registry, the simulator's front-ends, the local
 * stack's links, the docs' vendor table) is derived from this list.
 */
import type { VendorManifest } from './manifest.js';
import aspectCtips from './aspect-ctips/manifest.js';
import avayaIpoCti from './avaya-ipo-cti/manifest.js';
import avayaMtcti3 from './avaya-mtcti3/manifest.js';
import broadworksCap from './broadworks-cap/manifest.js';
import broadworksCti from './broadworks-cti/manifest.js';

export const VENDOR_MANIFESTS = [
  broadworksCti,
  avayaMtcti3,
  broadworksCap,
  avayaIpoCti,
  aspectCtips,
] as const;

export type VendorId = (typeof VENDOR_MANIFESTS)[number]['id'];

/** The registered ids, in registration order (a non-empty tuple for `z.enum`). */
export const VENDOR_IDS = VENDOR_MANIFESTS.map((m) => m.id) as unknown as readonly [VendorId, ...VendorId[]];

export function manifestOf(id: string): VendorManifest | undefined {
  return VENDOR_MANIFESTS.find((m) => m.id === id);
}
