/**
 * Per-user CAP-C sessions (`DriverSessions`): one dialog (dialog.ts) per logged-in user or call-centre
 * queue, and what happens when a dialog ends on the server's side:
 *
 * | end | what the driver does |
 * |---|---|
 * | unRegister `ForceLogoutC` (OCS ↔ AS link lost), `ForceLogoutR` (user moved to another AS) | log in again |
 * | the user's socket lost or silent | log in again |
 * | unRegister `ForceLogoutD` (logged in elsewhere), `ForceLogoutU`, `ForceLogoutL`, anything else | `onSessionEnded(user, {state: 'ended', reason, vendorEvent: 'unRegister'})`, no re-login |
 *
 * A re-login runs the whole sequence again on a new connection; its initial updates release the calls
 * that vanished meanwhile (`onSnapshot` → `CapMapper.releaseStale`). It is tried up to
 * `RELOGIN_ATTEMPTS` times with a growing delay while the cause is transient (socket, timeout,
 * NetworkServerConnectivityFailure, WAS*); a refusal for the user's own sake (IncorrectPassword,
 * UnknownID, Unauthorized*, ...) or running out of attempts ends the session as `failed`. The link itself
 * (its own connection, pool.ts) going down ends every dialog at once: the connector then reconnects and
 * logs every wanted session in again (`SessionManager.linkUp`).
 */
import {
  LinkUnavailableError,
  SessionRefusedError,
  type DriverHooks,
  type DriverLogger,
  type DriverSessions,
  type SessionLogin,
} from '../../driver-kit/seam.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import { LOGOUT_MEANING, type LogoutReason, type UserType } from '../wire/index.js';
import { UserDialog, type DialogDeps, type DialogEnd, type DialogLogin } from './dialog.js';
import { noSession, notRegistered } from './errors.js';

/** Re-login attempts after a dialog ended for a transient reason. */
export const RELOGIN_ATTEMPTS = 5;
/** Delay before re-login attempt n (n ≥ 2): min(RELOGIN_BASE_MS × 2^(n-2), RELOGIN_MAX_MS). */
export const RELOGIN_BASE_MS = 1000;
export const RELOGIN_MAX_MS = 15_000;

/** unRegister reasons after which the user is logged in again. */
const RELOGIN_REASONS: ReadonlySet<string> = new Set(['ForceLogoutC', 'ForceLogoutR']);

export interface SessionsDeps {
  /** Builds a dialog's dependencies (connection factory, timers, message sink). */
  dialogDeps: Omit<DialogDeps, 'onEnded'>;
  hooks: Pick<DriverHooks, 'onSessionEnded'>;
  timers: DriverTimers;
  logger: DriverLogger;
  /** Whether the link is up (logins are refused with LinkUnavailableError otherwise). */
  linkUp(): boolean;
  /** The session was deleted (`logout`): what the driver keeps about the user can go. */
  onLoggedOut(user: string): void;
}

interface Entry {
  login: DialogLogin;
  dialog: UserDialog;
}

/** The session's credentials and options as the manifest describes them. */
function loginOf(l: SessionLogin): DialogLogin {
  const password = l.credentials['password'];
  if (!password) throw new SessionRefusedError('NoPassword', 'broadworks-cap sessions need a password');
  const userType: UserType = l.options['userType'] === 'AttendantConsole' ? 'AttendantConsole' : 'CallClient';
  const monitor = Array.isArray(l.options['monitor'])
    ? l.options['monitor'].filter((u): u is string => typeof u === 'string')
    : [];
  return { user: l.user, session: l.session, password, userType, monitor };
}

/**
 * @example
 * const sessions = new CapSessions(deps);
 * await sessions.login({ session: 's1', user: 'alice@sim.example', credentials: { password }, options: {} });
 * sessions.dialogOf('alice@sim.example').send(callAction);
 */
export class CapSessions implements DriverSessions {
  /** By user; an entry replaced or removed makes the late outcomes of its dialog moot. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: SessionsDeps) {}

  async login(l: SessionLogin): Promise<void> {
    if (!this.deps.linkUp()) throw new LinkUnavailableError('broadworks-cap link is not up');
    const login = loginOf(l);
    const known = this.entries.get(l.user);
    if (known?.dialog.registered && sameLogin(known.login, login)) {
      known.login = login;
      return;
    }
    if (known) await this.drop(l.user, known);
    const entry = this.start(login);
    try {
      await entry.dialog.open();
    } catch (err) {
      if (this.entries.get(l.user) === entry) this.entries.delete(l.user);
      throw err;
    }
    if (this.entries.get(l.user) !== entry) throw new LinkUnavailableError('broadworks-cap login superseded');
  }

  async logout(user: string): Promise<void> {
    const entry = this.entries.get(user);
    if (entry) await this.drop(user, entry);
    this.deps.onLoggedOut(user);
  }

  /**
   * The registered dialog of `user`, for commands: 409 without a session, 503 while it logs in (again).
   *
   * @example
   * sessions.dialogOf('alice@sim.example').identity(); // { userType: 'CallClient', id: 'alice@sim.example', ... }
   */
  dialogOf(user: string): UserDialog {
    const entry = this.entries.get(user);
    if (!entry) throw noSession(user);
    if (!entry.dialog.registered) throw notRegistered(user, entry.dialog.state);
    return entry.dialog;
  }

  /** The users with a session (registered or logging in). */
  users(): string[] {
    return [...this.entries.keys()];
  }

  /** The link is gone: every dialog ends now (the connector logs the wanted sessions in again). */
  dropAll(): void {
    for (const [user, entry] of [...this.entries]) {
      this.entries.delete(user);
      void entry.dialog.logout().catch(() => undefined);
    }
  }

  /** Logs every user out politely (link closing). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.entries].map(([user, entry]) => this.drop(user, entry)));
  }

  // ------------------------------------------------------------------------------------ internals

  private start(login: DialogLogin): Entry {
    const dialog = new UserDialog(login, {
      ...this.deps.dialogDeps,
      onEnded: (d, end) => this.ended(d, end),
    });
    const entry: Entry = { login, dialog };
    this.entries.set(login.user, entry);
    return entry;
  }

  private async drop(user: string, entry: Entry): Promise<void> {
    if (this.entries.get(user) === entry) this.entries.delete(user);
    await entry.dialog.logout();
  }

  private ended(dialog: UserDialog, end: DialogEnd): void {
    const user = dialog.user;
    const entry = this.entries.get(user);
    if (!entry || entry.dialog !== dialog) return;
    const why = end.kind === 'lost' ? `connection lost: ${end.reason}` : end.reason;
    if (end.kind === 'unregistered' && !RELOGIN_REASONS.has(end.reason)) {
      this.entries.delete(user);
      this.deps.logger.info('broadworks-cap session ended by the server', { user, reason: end.reason });
      const detail = LOGOUT_MEANING[end.reason as LogoutReason];
      this.deps.hooks.onSessionEnded?.(user, {
        state: 'ended',
        reason: end.reason,
        vendorEvent: 'unRegister',
        ...(detail ? { detail } : {}),
      });
      return;
    }
    this.deps.logger.info('broadworks-cap logging in again', { user, reason: why });
    void this.relogin(entry.login, 1, why);
  }

  /** Attempt `attempt` of a re-login after `why`; gives up (session failed) after RELOGIN_ATTEMPTS. */
  private async relogin(login: DialogLogin, attempt: number, why: string): Promise<void> {
    const user = login.user;
    if (!this.deps.linkUp()) {
      this.entries.delete(user);
      return; // the link is down: the connector logs the session in again when it is back
    }
    const entry = this.start(login);
    try {
      await entry.dialog.open();
      return;
    } catch (err) {
      if (this.entries.get(user) !== entry) return; // logged out (or the link dropped) meanwhile
      const reason = err instanceof SessionRefusedError ? err.reason : (err as Error).message;
      const retry = !(err instanceof SessionRefusedError) && attempt < RELOGIN_ATTEMPTS;
      if (!retry) {
        this.entries.delete(user);
        this.deps.logger.warn('broadworks-cap re-login failed', { user, attempt, reason, after: why });
        this.deps.hooks.onSessionEnded?.(user, { state: 'failed', reason });
        return;
      }
      const delay = Math.min(RELOGIN_BASE_MS * 2 ** (attempt - 1), RELOGIN_MAX_MS);
      this.deps.timers.later(delay, () => {
        if (this.entries.get(user) === entry) void this.relogin(login, attempt + 1, why);
      });
    }
  }
}

function sameLogin(a: DialogLogin, b: DialogLogin): boolean {
  return (
    a.password === b.password &&
    a.userType === b.userType &&
    a.monitor.length === b.monitor.length &&
    a.monitor.every((u, i) => u === b.monitor[i])
  );
}
