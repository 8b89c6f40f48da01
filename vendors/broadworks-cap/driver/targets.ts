/**
 * Who a CAP message is about. CAP has no vendor-side subscriptions: a CAP-C user's events flow once that
 * user is registered, a CCC2 farm receives every user's events always, so what the bridge watches is
 * only recorded (`vendors/driver-kit/watches.ts`). Every recorded spec is active at once (there is
 * nothing to refuse it); in CAP-C a user target delivers nothing until the user has a session, which the
 * API requires before it accepts the subscription (manifest `requiredForUserTargets`).
 */
import type { CapMessage, CapUser } from '../wire/index.js';

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
