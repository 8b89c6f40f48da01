/**
 * One `CallMapper` per bridge target. BroadWorks sends every subscription its own copy of an event, so
 * overlapping subscriptions on one link (a `system` one and a user's, say) each see the same call halves.
 * Each target's sequence must be what that target alone would get: `call.received` for the user whose
 * phone rings, even when the system copy of the same event was mapped first. The per-call cache is
 * therefore kept per target, never shared between them.
 *
 * Events that name no known subscription share one fallback mapper, so vendor data cannot make the map
 * grow: only targets the bridge watches get a mapper of their own, and `keep` drops the others.
 *
 * @example
 * const mappers = new TargetMappers();
 * mappers.for({ type: 'user', id: 'alice@sim.example' }).map(event, ctx);
 * mappers.keep([{ type: 'system' }]); // alice is no longer watched: her cache goes
 */
import type { Target } from '../../../shared/events/model.js';
import { targetKey as keyOf } from '../../driver-kit/mapping.js';
import { CallMapper } from './mapper.js';

export class TargetMappers {
  private readonly byTarget = new Map<string, CallMapper>();
  private readonly fallbackMapper: CallMapper;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.fallbackMapper = new CallMapper(now);
  }

  /** The mapper of a watched target (created on first use). */
  for(target: Target): CallMapper {
    const key = keyOf(target);
    let m = this.byTarget.get(key);
    if (!m) this.byTarget.set(key, (m = new CallMapper(this.now)));
    return m;
  }

  /** The mapper for events that name no subscription the driver knows. */
  fallback(): CallMapper {
    return this.fallbackMapper;
  }

  /** The mapper that has `callId` cached, preferring `target`'s own (for views outside events). */
  holding(callId: string, target: Target): CallMapper {
    const own = this.byTarget.get(keyOf(target));
    if (own?.has(callId)) return own;
    for (const m of this.byTarget.values()) if (m.has(callId)) return m;
    return own ?? this.fallbackMapper;
  }

  /** Forgets the caches of targets no longer watched. */
  keep(targets: Target[]): void {
    const wanted = new Set(targets.map(keyOf));
    for (const key of [...this.byTarget.keys()]) if (!wanted.has(key)) this.byTarget.delete(key);
  }
}
