/** Which subscriptions an event matches, and the per-call ordering key of an event. */
import { familyOf, type BridgeEvent } from './model.js';
import type { SubscriptionRecord } from '../repos/subscriptions.js';
import { VENDOR_MANIFESTS } from '../../vendors/index.js';

/** Vendors whose events are per-subscription copies, tagged with the subscription's target. */
const COPIES = new Set<string>(VENDOR_MANIFESTS.filter((m) => m.eventsPerSubscription).map((m) => m.id));

/**
 * A subscription matches an event of its tenant and link when the event's family is selected and the
 * target matches: `system` matches every event of the link, `group` every user event (and group
 * events), any other type matches the same type and id.
 *
 * Where the vendor sends each subscription its own copy (`eventsPerSubscription`, BroadWorks CTI),
 * `system` and `group` match only the copies tagged with their own target:
 * a user's copy of the same occurrence would be a duplicate for them.
 */
export function matches(sub: SubscriptionRecord, event: BridgeEvent): boolean {
  if (sub.tenant !== event.tenant || sub.link !== event.link) return false;
  if (!sub.events.includes(familyOf(event.type))) return false;
  const t = sub.target;
  if (COPIES.has(event.vendor.name) && (t.type === 'system' || t.type === 'group')) {
    if (t.type === 'system') return event.target.type === 'system';
    return event.target.type === 'group' && (!t.id || t.id === event.target.id);
  }
  if (t.type === 'system') return true;
  if (t.type === 'group')
    return (
      event.target.type === 'user' || (event.target.type === 'group' && (!t.id || t.id === event.target.id))
    );
  return t.type === event.target.type && t.id === event.target.id;
}

/** The channels an event goes to: one entry per channel, however many subscriptions match. */
export function matchChannels(subs: SubscriptionRecord[], event: BridgeEvent): string[] {
  const out = new Set<string>();
  for (const s of subs) if (matches(s, event)) out.add(s.channel);
  return [...out];
}

/** Events with the same key are delivered in order: the call's correlation id, else the event's target. */
export function orderKeyOf(event: BridgeEvent): string {
  const data = event.data as { call?: { correlationId?: unknown } };
  const corr = data.call?.correlationId;
  if (typeof corr === 'string' && corr) return `${event.link}#call#${corr}`;
  return `${event.link}#${event.target.type}#${event.target.id ?? ''}`;
}

/**
 * Subscriptions of one link indexed by target, so matching an event looks only at the subscriptions
 * that can match it (`system` and `group` ones, and those of the event's own target), not at all of them.
 */
export class SubscriptionIndex {
  private readonly wide: SubscriptionRecord[] = [];
  private readonly byTarget = new Map<string, SubscriptionRecord[]>();

  constructor(subs: SubscriptionRecord[]) {
    for (const s of subs) {
      if (s.target.type === 'system' || s.target.type === 'group') this.wide.push(s);
      else {
        const k = `${s.target.type}#${s.target.id ?? ''}`;
        const list = this.byTarget.get(k);
        if (list) list.push(s);
        else this.byTarget.set(k, [s]);
      }
    }
  }

  /** Same result as `matchChannels` over all the subscriptions. */
  channelsFor(event: BridgeEvent): string[] {
    const own = this.byTarget.get(`${event.target.type}#${event.target.id ?? ''}`);
    if (!this.wide.length) {
      if (!own) return [];
      if (own.length === 1) return matches(own[0]!, event) ? [own[0]!.channel] : [];
    }
    return matchChannels(own ? [...this.wide, ...own] : this.wide, event);
  }
}
