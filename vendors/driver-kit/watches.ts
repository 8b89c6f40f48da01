/**
 * What the bridge watches on a link whose vendor has no per-target subscription (the link receives
 * every event it may see: Aspect CTIPS, BroadWorks CAP, IP Office CTI WebServices). `watch(specs)` only
 * records which targets, and which event families there, the mapper may emit for; the mapper keeps the
 * state of everything else without emitting.
 *
 * A `system` watch asks for every event of the link: each is emitted tagged with what it is about (the
 * user, the queue), which the `system` subscription matches (docs/delivery.md, Matching), and with the
 * families of the system watch added to that target's own.
 *
 * @example
 * const watches = new Watches();
 * watches.set([{ target: { type: 'user', id: '4001' }, families: ['call'] }]);
 * watches.contextOf({ type: 'user', id: '4001' })?.families.has('call'); // true
 * watches.set([{ target: { type: 'system' }, families: ['call'] }]);
 * watches.contextOf({ type: 'user', id: '4002' })?.target; // { type: 'user', id: '4002' }
 */
import type { EventFamily, Target } from '../../shared/events/model.js';
import { targetKey as keyOf, type MapContext } from './mapping.js';
import type { WatchSpec } from './seam.js';

const SYSTEM = keyOf({ type: 'system' });

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

  /** The MapContext of a watched target (or of any target, under a `system` watch), else undefined. */
  contextOf(target: Target): MapContext | undefined {
    const own = this.byKey.get(keyOf(target));
    const system = target.type === 'system' ? undefined : this.byKey.get(SYSTEM);
    if (!system) return own;
    if (!own) return { target: { ...target }, families: system.families };
    return { target: own.target, families: new Set([...own.families, ...system.families]) };
  }

  /** Ids of the watched targets of `type` (those named by a watch; a `system` watch names none). */
  ids(type: Target['type']): string[] {
    return [...this.byKey.values()].flatMap((c) =>
      c.target.type === type && c.target.id ? [c.target.id] : [],
    );
  }
}
