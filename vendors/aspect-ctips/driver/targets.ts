/**
 * What the bridge watches on a CTIPS link. CTIPS has no per-target subscription (message classes and
 * filters are the link's, resubmitted after each reconnect), so `watch(specs)` only records which
 * targets, and which event families there, the mapper may emit for. Users are station extensions.
 */
import type { EventFamily, Target } from '../../../shared/events/model.js';
import type { MapContext } from '../../driver-kit/mapping.js';
import type { WatchSpec } from '../../driver-kit/seam.js';

const keyOf = (t: Target) => `${t.type}:${t.id ?? ''}`;

/**
 * @example
 * const watches = new Watches();
 * watches.set([{ target: { type: 'user', id: '4001' }, families: ['call'] }]);
 * watches.contextOf({ type: 'user', id: '4001' })?.families.has('call'); // true
 */
export class Watches {
  private readonly byKey = new Map<string, MapContext>();

  /** Replaces the watched specs (merging the families of one target). */
  set(specs: readonly WatchSpec[]): void {
    this.byKey.clear();
    for (const s of specs) {
      const key = keyOf(s.target);
      const families = new Set<EventFamily>(this.byKey.get(key)?.families ?? []);
      for (const f of s.families) families.add(f);
      this.byKey.set(key, { target: { ...s.target }, families });
    }
  }

  contextOf(target: Target): MapContext | undefined {
    return this.byKey.get(keyOf(target));
  }

  /** Ids of the watched targets of `type`. */
  ids(type: Target['type']): string[] {
    return [...this.byKey.values()].flatMap((c) =>
      c.target.type === type && c.target.id ? [c.target.id] : [],
    );
  }
}
