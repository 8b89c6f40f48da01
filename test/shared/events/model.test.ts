import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../shared/events/examples.js';
import { BridgeEvent, EVENT_TYPES, familyOf, schemaDocument } from '../../../shared/events/model.js';

describe('normalized event model', () => {
  it('has one valid example per type', () => {
    for (const t of EVENT_TYPES) {
      const ev = { id: 'evt_x', seq: 1, ...EXAMPLES[t] };
      const res = BridgeEvent.safeParse(ev);
      expect(res.success, `${t}: ${JSON.stringify(res.error?.issues)}`).toBe(true);
    }
  });

  it('rejects an event whose data does not fit its type', () => {
    const bad = { id: 'evt_x', seq: 1, ...EXAMPLES['call.received'], data: { user: 'bob', enabled: true } };
    expect(BridgeEvent.safeParse(bad).success).toBe(false);
  });

  it('maps types to subscription families', () => {
    expect(familyOf('queue.call.offered')).toBe('queue');
    expect(familyOf('link.down')).toBe('link');
    expect(familyOf('subscription.terminated')).toBe('link');
    expect(familyOf('service.dnd')).toBe('service');
  });

  it('publishes a JSON Schema naming every type, and docs/events.md documents every type', () => {
    const schema = JSON.stringify(schemaDocument());
    const doc = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
    for (const t of EVENT_TYPES) {
      expect(schema).toContain(`"${t}"`);
      expect(doc).toContain(`### ${t}`);
    }
  });
});
