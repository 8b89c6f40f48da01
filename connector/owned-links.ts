/**
 * The links this process owns and until when, by its own clock: the expiry of each lease as last stored
 * by the connector (acquire, renew). The connector records; the event log writer and the delivery ask,
 * so that a process whose lease ran out (a stall, a partition) neither writes a link's log nor delivers
 * its events: the new owner does, once.
 *
 * @example
 * const owned = new OwnedLinks();
 * const delivery = startDelivery({ deps, owns: owned.owns });
 * const connector = await startConnector({ deps, drivers, commandToken, owned, onEvent: delivery.onEvent });
 */
export class OwnedLinks {
  private readonly until = new Map<string, number>();

  /** The lease of `tenant/link` is this process's until `untilMs`. */
  set(tenant: string, link: string, untilMs: number): void {
    this.until.set(`${tenant}/${link}`, untilMs);
  }

  delete(tenant: string, link: string): void {
    this.until.delete(`${tenant}/${link}`);
  }

  /** Whether the link's lease is this process's now. */
  readonly owns = (tenant: string, link: string): boolean =>
    (this.until.get(`${tenant}/${link}`) ?? 0) > Date.now();
}
