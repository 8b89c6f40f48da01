/** Shapes every driver's vendor → normalized event mapping shares. */
import {
  familyOf,
  type EventDraft,
  type EventFamily,
  type EventType,
  type Target,
} from '../../shared/events/model.js';

/**
 * One string per bridge target (`user:alice`, `system:`): the key of maps by target.
 *
 * @example
 * targetKey({ type: 'queue', id: 'sales' }); // 'queue:sales'
 */
export const targetKey = (t: Target): string => `${t.type}:${t.id ?? ''}`;

/**
 * Where a mapped event goes and which families the bridge asked for there.
 *
 * @example
 * const ctx: MapContext = { target: { type: 'user', id: 'alice' }, families: new Set(['call']) };
 */
export interface MapContext {
  /** Bridge target the events go to (from the subscription that delivered the event). */
  target: Target;
  /** Families the bridge asked for on that target; events of other families are not emitted. */
  families: ReadonlySet<EventFamily>;
}

/**
 * The draft of one mapped event for `ctx`, or undefined when the bridge did not ask for the event's
 * family there (`subscription.terminated` always goes).
 *
 * @example
 * draftFor(ctx, 'call.received', { call }, { name: 'avaya-mtcti3', event: 'NotifyCallControl' });
 */
export function draftFor(
  ctx: MapContext,
  type: EventType,
  data: unknown,
  vendor: EventDraft['vendor'],
): EventDraft | undefined {
  if (type !== 'subscription.terminated' && !ctx.families.has(familyOf(type))) return undefined;
  return { type, target: ctx.target, data, vendor } as EventDraft;
}
