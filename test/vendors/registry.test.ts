/**
 * The vendor registry: every registered manifest has a driver and a simulator front-end in its home,
 * the API accepts exactly the registered vendors, and the docs' vendor table is the manifests' own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LinkCreate, VENDOR_SCHEMAS } from '../../shared/api/schemas.js';
import { VENDORS } from '../../shared/events/model.js';
import { VENDOR_IDS, VENDOR_MANIFESTS, manifestOf } from '../../vendors/index.js';
import { defaultDrivers } from '../../vendors/load.js';
import { simulatorVendors } from '../../simulator/vendors.js';
import { API_DOC, renderApiDoc } from '../../scripts/docs-vendors.js';

describe('vendor registry', () => {
  it('has unique ids and a manifest per id', () => {
    expect(new Set(VENDOR_IDS).size).toBe(VENDOR_IDS.length);
    for (const id of VENDOR_IDS) expect(manifestOf(id)?.id).toBe(id);
    expect(manifestOf('no-such-vendor')).toBeUndefined();
  });

  it('loads a driver factory and a simulator front-end from every vendor home', async () => {
    const drivers = await defaultDrivers();
    expect(Object.keys(drivers).sort()).toEqual([...VENDOR_IDS].sort());
    for (const id of VENDOR_IDS) expect(typeof drivers[id]).toBe('function');
    const sims = await simulatorVendors();
    expect(sims.map((s) => s.id)).toEqual([...VENDOR_IDS]);
    for (const s of sims) {
      expect(typeof s.create).toBe('function');
      expect(s.control).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('derives the event model vendor names and the API schemas from the manifests', () => {
    expect([...VENDORS]).toEqual([...VENDOR_IDS]);
    expect(Object.keys(VENDOR_SCHEMAS)).toEqual([...VENDOR_IDS]);
    for (const m of VENDOR_MANIFESTS) {
      const ok = LinkCreate.safeParse({
        id: 'x',
        vendor: m.id,
        endpoint: `${m.schemes[0]}://127.0.0.1:9`,
        credentials: { username: 'u', password: 'p' },
      });
      expect(ok.success, m.id).toBe(true);
      const badScheme = LinkCreate.safeParse({
        id: 'x',
        vendor: m.id,
        endpoint: 'gopher://127.0.0.1:9',
        credentials: { username: 'u', password: 'p' },
      });
      expect(badScheme.success).toBe(false);
    }
  });

  it('docs/api.md carries the vendor table generated from the manifests (npm run docs:vendors)', () => {
    const doc = readFileSync(API_DOC, 'utf8');
    expect(renderApiDoc(doc)).toBe(doc);
    for (const id of VENDOR_IDS) expect(doc).toContain(`| \`${id}\` |`);
  });
});
