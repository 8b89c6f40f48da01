/**
 * What the bridge watches on a CAP link. CAP has no vendor-side subscriptions: a CAP-C user's events
 * flow once that user is registered, a CCC2 farm receives every user's events always. `watch(specs)`
 * therefore only records which targets, and which event families there, the mapper may emit for; the
 * mapper keeps the state of everything else without emitting. Every recorded spec is active at once
 * (there is nothing to refuse it); in CAP-C a user target delivers nothing until the user has a
 * session, which the API requires before it accepts the subscription (manifest
 * `requiredForUserTargets`).
 */
import type { EventFamily, Target } from '../../../shared/events/model.js';
import type { MapContext } from '../../driver-kit/mapping.js';
import type { WatchSpec } from '../../driver-kit/seam.js';
import type { CapMessage, CapUser } from '../wire/index.js';

const keyOf = (t: Target) => `${t.type}:${t.id ?? ''}`;

/**
 * @example
 * const watches = new Watches();
 * watches.set([{ target: { type: 'user', id: 'alice@sim.example' }, families: ['call'] }]);
 * watches.contextOf({ type: 'user', id: 'alice@sim.example' })?.families.has('call'); // true
 */
export class Watches {
  private readonly byKey = new Map<string, MapContext>();

  /** Replaces the watched specs (the link runner merges specs of one target already; merged again here). */
  set(specs: readonly WatchSpec[]): void {
    this.byKey.clear();
    for (const s of specs) {
      const key = keyOf(s.target);
      const families = new Set<EventFamily>(this.byKey.get(key)?.families ?? []);
      for (const f of s.families) families.add(f);
      this.byKey.set(key, { target: { ...s.target }, families });
    }
  }

  /** The MapContext of a watched target, or undefined (the mapper then tracks state but emits nothing). */
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

/**
 * Who a server message is about: the monitored user of an Attendant Console form, else the dialog's
 * user (CAP-C), else the message's `id`, else the login id last seen with its unique id (rule 9: a
 * message may carry only `userId`/`userUid`).
 *
 * @example
 * const ids = new Identities();
 * ids.subjectOf({ type: 'callUpdate', user: { id: 'alice@sim.example', userUid: '17' }, calls: [] }); // 'alice@sim.example'
 * ids.subjectOf({ type: 'callUpdate', user: { userUid: '17' }, calls: [] }); // 'alice@sim.example'
 */
export class Identities {
  private readonly byUid = new Map<string, string>();

  subjectOf(m: CapMessage, owner?: string): string | undefined {
    const user: CapUser | undefined = m.user;
    if (user?.id && user.userUid) this.byUid.set(user.userUid, user.id);
    if ('monitoredUserId' in m && m.monitoredUserId) return m.monitoredUserId;
    if (owner) return owner;
    if (user?.id) return user.id;
    return user?.userUid ? this.byUid.get(user.userUid) : undefined;
  }
}
