/**
 * Drives per-user sessions of the links this connector owns through the driver seam
 * (`Driver.sessions`): the session record says what is wanted, this module makes the vendor match it
 * and records the outcome (`shared/repos/sessions.ts` has the state machine).
 *
 * It acts on a session when the API asks (`sync`, through the command endpoint), when a link comes up
 * (every session still wanted logs in again: after a reconnect the vendor has forgotten them), when the
 * driver reports a session ended by the vendor (`ended`), and on a timer (`reconcile`: expired sessions
 * are logged out and `ended`, deleted ones logged out and removed, `logging-in` ones of up links logged
 * in). Work on one session is serialised, so these never interleave.
 */
import type { Deps } from '../../shared/deps.js';
import {
  sessionExpired,
  type SessionFailure,
  type SessionRecord,
  type SessionState,
} from '../../shared/repos/sessions.js';
import { sessionSecrets } from '../../shared/secrets/sessions.js';
import type { SessionSyncAnswer } from '../../shared/sessions/sync.js';
import {
  LinkUnavailableError,
  SessionRefusedError,
  VendorError,
  type SessionEndOutcome,
} from '../../vendors/driver-kit/seam.js';
import type { LinkRunner } from '../link-runner.js';

export interface SessionManagerOptions {
  deps: Deps;
  /** The runner of a link this connector owns. */
  runner(tenant: string, link: string): LinkRunner | undefined;
  runners(): LinkRunner[];
}

/** The reason recorded when a link's vendor has no per-user login. */
export const notSupportedReason = (vendor: string) => `${vendor} has no per-user login`;

export class SessionManager {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly secrets;

  constructor(private readonly opts: SessionManagerOptions) {
    this.secrets = sessionSecrets(opts.deps.secrets);
  }

  /**
   * Acts on the session record now; resolves with what it is afterwards, or `undefined` when this
   * connector does not own its link.
   *
   * @example
   * const answer = await manager.sync('acme', 'ses_1'); // { state: 'active', reason: null }
   */
  sync(tenant: string, id: string): Promise<SessionSyncAnswer | undefined> {
    return this.serial(tenant, id, () => this.step(tenant, id));
  }

  /** The link came up (first time or after a reconnect): logs in again every session still wanted. */
  async linkUp(runner: LinkRunner): Promise<void> {
    const { tenant, id: link } = runner.link;
    for (const s of await this.sessionsOf(tenant, link)) {
      if (s.deleteRequested || sessionExpired(s, this.now()) || !wanted(s.state)) continue;
      await this.serial(tenant, s.id, async () => {
        const fresh = await this.opts.deps.repos.sessions.read(tenant, s.id);
        if (fresh?.state === 'active') await this.record(fresh, 'logging-in', null);
        return this.step(tenant, s.id);
      });
    }
  }

  /** The vendor ended a user's session (`DriverHooks.onSessionEnded`): recorded on its live sessions. */
  async ended(
    runner: LinkRunner,
    user: string,
    outcome: Pick<SessionEndOutcome, 'state' | 'reason'>,
  ): Promise<void> {
    const { tenant, id: link } = runner.link;
    for (const s of await this.sessionsOf(tenant, link)) {
      if (s.user !== user || s.deleteRequested || !wanted(s.state)) continue;
      await this.serial(tenant, s.id, async () => {
        const fresh = await this.opts.deps.repos.sessions.read(tenant, s.id);
        if (fresh && wanted(fresh.state)) await this.record(fresh, outcome.state, outcome.reason);
      });
    }
  }

  /** One pass over the sessions of every owned link (on a timer). */
  async reconcile(): Promise<void> {
    for (const runner of this.opts.runners()) {
      const { tenant, id: link } = runner.link;
      let sessions: SessionRecord[];
      try {
        sessions = await this.sessionsOf(tenant, link);
      } catch (err) {
        this.opts.deps.logger.warn('session reconcile: listing failed', {
          link: runner.key,
          error: err as Error,
        });
        continue;
      }
      for (const s of sessions) {
        const due =
          s.deleteRequested ||
          (sessionExpired(s, this.now()) && s.state !== 'ended') ||
          (s.state === 'logging-in' && runner.state === 'up') ||
          (s.state === 'active' && runner.state !== 'up');
        if (due) await this.sync(tenant, s.id).catch(() => undefined);
      }
    }
  }

  /** Resolves when no session work is in flight (graceful stop, tests). */
  async idle(): Promise<void> {
    while (this.chains.size)
      await Promise.all([...this.chains.values()].map((c) => c.catch(() => undefined)));
  }

  /** One step of the state machine for one session (serialised by the caller). */
  private async step(tenant: string, id: string): Promise<SessionSyncAnswer | undefined> {
    const { repos, logger } = this.opts.deps;
    const s = await repos.sessions.read(tenant, id);
    if (!s) return { state: 'removed', reason: null };
    const runner = this.opts.runner(tenant, s.link);
    if (!runner) return undefined;
    const driver = runner.activeDriver;
    const vendorSessions = driver?.sessions;

    if (s.deleteRequested) {
      if (vendorSessions && s.state === 'active') await this.logout(runner, s);
      await repos.sessions.remove(tenant, id);
      await this.secrets.delete(tenant, id);
      logger.info('session removed', { tenant, session: id, link: s.link });
      return { state: 'removed', reason: null };
    }
    if (sessionExpired(s, this.now())) {
      if (s.state === 'ended') return answer(s);
      if (vendorSessions && s.state === 'active') await this.logout(runner, s);
      await this.secrets.delete(tenant, id);
      return answer(await this.record(s, 'ended', 'expired'));
    }
    if (s.state === 'active' && runner.state !== 'up')
      return answer(await this.record(s, 'logging-in', `link ${s.link} is ${runner.state}`));
    if (s.state !== 'logging-in') return answer(s);
    if (!vendorSessions) {
      return answer(await this.record(s, 'failed', notSupportedReason(runner.link.vendor), 'not-supported'));
    }
    if (runner.state !== 'up') return answer(s); // logged in when the link comes up
    try {
      await vendorSessions.login({
        session: s.id,
        user: s.user,
        credentials: await this.secrets.get(tenant, id),
        options: s.options,
      });
    } catch (err) {
      if (err instanceof LinkUnavailableError) return answer(s);
      const reason =
        err instanceof SessionRefusedError
          ? err.reason
          : err instanceof VendorError
            ? (err.vendor.code ?? err.message)
            : (err as Error).message;
      if (!(err instanceof SessionRefusedError))
        logger.warn('session login failed', {
          tenant,
          session: id,
          link: s.link,
          error: (err as Error).message,
        });
      return answer(await this.record(s, 'failed', reason, 'refused'));
    }
    // the API may have asked for the delete while the vendor answered: record the login, then act on it
    const after = await repos.sessions.read(tenant, id);
    if (!after) {
      await this.logout(runner, s);
      return { state: 'removed', reason: null };
    }
    const active = await this.record(after, 'active', null);
    if (after.deleteRequested) return this.step(tenant, id);
    logger.info('session active', { tenant, session: id, link: s.link });
    return answer(active);
  }

  private async logout(runner: LinkRunner, s: SessionRecord): Promise<void> {
    try {
      await runner.activeDriver?.sessions?.logout(s.user, s.id);
    } catch (err) {
      this.opts.deps.logger.warn('session logout failed', {
        tenant: s.tenant,
        session: s.id,
        link: s.link,
        error: (err as Error).message,
      });
    }
  }

  private async record(
    s: SessionRecord,
    state: SessionState,
    reason: string | null,
    cause: SessionFailure | null = null,
  ): Promise<SessionRecord> {
    return (
      (await this.opts.deps.repos.sessions.setState(
        s.tenant,
        s.id,
        { state, reason, cause },
        this.now(),
      )) ?? {
        ...s,
        state,
        reason,
        cause,
      }
    );
  }

  private sessionsOf(tenant: string, link: string): Promise<SessionRecord[]> {
    return this.opts.deps.repos.sessions.listByLink(tenant, link);
  }

  private now(): Date {
    return this.opts.deps.now();
  }

  private serial<T>(tenant: string, id: string, work: () => Promise<T>): Promise<T> {
    const k = `${tenant}/${id}`;
    const run = (this.chains.get(k) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.chains.set(k, run);
    void run
      .finally(() => {
        if (this.chains.get(k) === run) this.chains.delete(k);
      })
      .catch(() => undefined);
    return run;
  }
}

/** States in which the user should be logged in. */
const wanted = (state: SessionState) => state === 'active' || state === 'logging-in';

/** The answer to the API: the record's state, and why it failed. */
const answer = (s: SessionRecord): SessionSyncAnswer => ({
  state: s.state,
  reason: s.reason,
  ...(s.state === 'failed' && s.cause ? { cause: s.cause } : {}),
});
