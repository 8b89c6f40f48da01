/**
 * How connectors share the links (docs/connector.md, "Sharing the links"). Every connector announces
 * itself and how many links it runs at each reconcile; from the announcements each computes the same
 * fair share, `ceil(links / connectors)`, and
 *
 * - takes a free link only while it runs fewer than its fair share (or no peer has room: a link never
 *   stays unowned because every connector is "full");
 * - gives one link back per reconcile while it runs more than its fair share and a peer runs fewer (the
 *   peer takes it at its next reconcile). One at a time, so a scale-out moves links gradually and two
 *   connectors never hand the same links back and forth.
 *
 * A dead connector's announcement lapses with its leases (both last `leaseMs`), so the survivors' share
 * grows just as its links become free.
 */

/** A connector as the plan sees it. */
export interface Peer {
  id: string;
  links: number;
}

export interface BalancePlan {
  /** `ceil(links / connectors)`. */
  fair: number;
  /** A peer runs fewer links than its fair share. */
  roomElsewhere: boolean;
  /** Links to give back now (0 or 1). */
  giveBack: number;
}

/** Whether a connector running `mine` links may take another free one. */
export const mayTake = (plan: BalancePlan, mine: number): boolean => mine < plan.fair || !plan.roomElsewhere;

/**
 * The plan of connector `self` running `mine` links, with `peers` announced (itself included or not)
 * and `links` links to run in all.
 *
 * @example
 * balance({ self: 'a', mine: 4, links: 4, peers: [{ id: 'a', links: 4 }, { id: 'b', links: 0 }] });
 * // { fair: 2, roomElsewhere: true, giveBack: 1 }
 */
export function balance(opts: { self: string; mine: number; links: number; peers: Peer[] }): BalancePlan {
  const others = opts.peers.filter((p) => p.id !== opts.self);
  const connectors = others.length + 1;
  const fair = Math.max(1, Math.ceil(opts.links / connectors));
  const roomElsewhere = others.some((p) => p.links < fair);
  return { fair, roomElsewhere, giveBack: opts.mine > fair && roomElsewhere ? 1 : 0 };
}
