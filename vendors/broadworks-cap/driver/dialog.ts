/**
 * One user's CAP-C dialog: that user's own connection to the Open Client Server and its registration,
 * as an explicit state machine (spec §7, digest F1):
 *
 *   connecting ─socket up→ authenticating ─responseAuthentication (nonce)→ registering
 *     ─registerResponse ok, acknowledgement sent→ acknowledging ─initial updates in→ registered
 *     ─unRegister sent (logout) or received / socket lost→ closing → closed
 *
 * Every refusal (responseAuthentication failure, registerResponse failure) ends the dialog; so does a
 * lost socket or a timeout. Every registerResponse is acknowledged, a refused one too (rule 5: the
 * acknowledgement "acknowledg[es] message reception, whether successful or unsuccessful", L863; the
 * server needs it for a successful one before it sends anything else). One dialog is one login
 * attempt: a re-login opens a new dialog (sessions.ts decides when).
 */
import type { DriverLogger } from '../../driver-kit/seam.js';
import { LinkUnavailableError, SessionRefusedError } from '../../driver-kit/seam.js';
import { StateMachine, type TransitionTable } from '../../driver-kit/state-machine.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import {
  securePassword,
  type CapMessage,
  type CapMessageOf,
  type CapUser,
  type CommandType,
  type UserType,
} from '../wire/index.js';
import type { CapConnection, ConnectionHandlers } from './connection.js';
import { refusal } from './errors.js';
import { InitialSnapshot, type SnapshotResult } from './snapshot.js';

export type DialogState =
  'connecting' | 'authenticating' | 'registering' | 'acknowledging' | 'registered' | 'closing' | 'closed';

export const DIALOG_TRANSITIONS: TransitionTable<DialogState> = {
  connecting: ['authenticating', 'closing', 'closed'],
  authenticating: ['registering', 'closing', 'closed'],
  registering: ['acknowledging', 'closing', 'closed'],
  acknowledging: ['registered', 'closing', 'closed'],
  registered: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** What a user logs in with (the session's credentials and options). */
export interface DialogLogin {
  user: string;
  /** The bridge session id. */
  session: string;
  password: string;
  userType: UserType;
  /** AttendantConsole: users to add to the monitored list after registration. */
  monitor: readonly string[];
}

/** How a registered dialog ended on the server's side. */
export type DialogEnd = { kind: 'unregistered'; reason: string } | { kind: 'lost'; reason: string };

export interface DialogDeps {
  newConnection(handlers: ConnectionHandlers, label: string): CapConnection;
  applicationId: string;
  requestTimeoutMs: number;
  timers: DriverTimers;
  logger: DriverLogger;
  /** Every inbound document of the dialog (registration ones too), in arrival order. */
  onMessage(m: CapMessage, dialog: UserDialog): void;
  onGarbage(kind: string, detail: string): void;
  /** The initial updates after the acknowledgement are in (or their wait ran out). */
  onSnapshot(dialog: UserDialog, snapshot: SnapshotResult): void;
  /** A registered dialog ended without `logout()`. */
  onEnded(dialog: UserDialog, end: DialogEnd): void;
}

interface Waiter {
  type: CommandType;
  resolve(m: CapMessage): void;
  reject(err: Error): void;
}

/**
 * @example
 * const dialog = new UserDialog({ user: 'alice@sim.example', session: 's1', password, userType: 'CallClient', monitor: [] }, deps);
 * await dialog.open(); // registered; rejects with SessionRefusedError('IncorrectPassword'), ...
 * await dialog.logout(); // unRegister ClientLogout
 */
export class UserDialog {
  private readonly phase: StateMachine<DialogState>;
  private conn: CapConnection | undefined;
  private waiting: Waiter | undefined;
  private snapshot: InitialSnapshot | undefined;
  private snapshotSettled: (() => void) | undefined;
  /** The unique id registerResponse gave (the session's uid, L777). */
  userUid: string | undefined;

  constructor(
    readonly login: DialogLogin,
    private readonly deps: DialogDeps,
  ) {
    this.phase = new StateMachine<DialogState>('connecting', DIALOG_TRANSITIONS, (from, to) =>
      deps.logger.debug('broadworks-cap dialog', { user: login.user, from, to }),
    );
  }

  get user(): string {
    return this.login.user;
  }

  get state(): DialogState {
    return this.phase.state;
  }

  get registered(): boolean {
    return this.phase.is('registered');
  }

  /** The dialog's connection (for raw documents and commands). */
  get connection(): CapConnection | undefined {
    return this.conn;
  }

  /** The `<user>` of the messages this dialog sends: userType, `id` (never the uid, rule 9), applicationId. */
  identity(userType: UserType = this.login.userType): CapUser {
    return { userType, id: this.login.user, applicationId: this.deps.applicationId };
  }

  /** Sends one message on a registered dialog; false when it is not registered. */
  send(m: CapMessage): boolean {
    return this.phase.is('registered') && !!this.conn?.send(m);
  }

  /**
   * The whole login. Resolves once registered with the initial updates in; rejects with
   * `SessionRefusedError` (the vendor's cause) or `LinkUnavailableError` (socket, timeout, transient
   * cause), after which the dialog is closed.
   */
  async open(): Promise<void> {
    const conn = this.deps.newConnection(
      {
        onMessage: (m) => this.onMessage(m),
        onGarbage: (kind, detail) => this.deps.onGarbage(kind, detail),
        onLost: (reason) => this.onLost(reason),
      },
      this.login.user,
    );
    this.conn = conn;
    try {
      await conn.open();
      await this.register(conn);
    } catch (err) {
      await this.shut();
      if (err instanceof SessionRefusedError || err instanceof LinkUnavailableError) throw err;
      throw new LinkUnavailableError(`broadworks-cap login of ${this.login.user}: ${(err as Error).message}`);
    }
    if (this.login.userType === 'AttendantConsole' && this.login.monitor.length) await this.monitor();
  }

  /** Logs out (unRegister ClientLogout, no reply: rule 11) and closes; no `onEnded`. */
  async logout(): Promise<void> {
    if (this.phase.is('registered', 'acknowledging')) {
      this.conn?.send({
        type: 'unRegister',
        user: this.identity(),
        reason: 'ClientLogout',
      });
    }
    await this.shut();
  }

  // ------------------------------------------------------------------------------------ login steps

  private async register(conn: CapConnection): Promise<void> {
    const { user, password, userType } = this.login;
    this.phase.to('authenticating');
    const challenge = this.expect('responseAuthentication');
    conn.send({ type: 'registerAuthentication', user: this.identity() });
    const auth = await challenge;
    if (auth.failure) throw refusal(auth.failure);
    if (auth.algorithm !== undefined && !/^md5$/i.test(auth.algorithm.trim()))
      throw new SessionRefusedError(`UnsupportedAlgorithm:${auth.algorithm}`);
    if (!auth.nonce) throw new SessionRefusedError('NoNonce', 'responseAuthentication without a nonce');

    this.phase.to('registering');
    const answer = this.expect('registerResponse');
    conn.send({
      type: 'registerRequest',
      user: this.identity(),
      securePassword: securePassword(auth.nonce, password),
    });
    const reg = await answer;
    const ack: CapMessage = {
      type: 'acknowledgement',
      user: this.identity(),
      messageName: 'registerResponse',
      failed: false,
    };
    if (reg.failure) {
      conn.send(ack);
      throw refusal(reg.failure);
    }
    this.userUid = reg.user.userUid;
    this.snapshot = new InitialSnapshot(userType, reg.numMonitoredUsers ?? 0);
    const settled = new Promise<void>((resolve) => (this.snapshotSettled = resolve));
    this.phase.to('acknowledging');
    conn.send(ack);
    if (this.snapshot.complete) this.finishSnapshot();
    else this.deps.timers.later(this.deps.requestTimeoutMs, () => this.finishSnapshot());
    await settled;
    if (!this.phase.is('registered'))
      throw new LinkUnavailableError(`broadworks-cap: ${user} was ${this.phase.state} before registering`);
  }

  private async monitor(): Promise<void> {
    const response = this.expect('monitoringUsersResponse');
    this.send({
      type: 'monitoringUsersRequest',
      user: this.identity('AttendantConsole'),
      monType: 'Add',
      monUsers: [...this.login.monitor],
    });
    try {
      const r = await response;
      if (!r.success)
        this.deps.logger.warn('broadworks-cap: some users cannot be monitored', {
          user: this.login.user,
          failed: r.failedUsers,
        });
    } catch (err) {
      this.deps.logger.warn('broadworks-cap: monitoringUsersRequest unanswered', {
        user: this.login.user,
        error: (err as Error).message,
      });
    }
  }

  /** The next message of `type` on this dialog, or LinkUnavailableError after requestTimeoutMs. */
  private expect<T extends CommandType>(type: T): Promise<CapMessageOf<T>> {
    const ms = this.deps.requestTimeoutMs;
    return new Promise<CapMessageOf<T>>((resolve, reject) => {
      const w: Waiter = { type, resolve: (m) => resolve(m as CapMessageOf<T>), reject };
      this.waiting = w;
      this.deps.timers.later(ms, () => {
        if (this.waiting !== w) return;
        this.waiting = undefined;
        reject(new LinkUnavailableError(`broadworks-cap: no ${type} for ${this.login.user} within ${ms} ms`));
      });
    });
  }

  private finishSnapshot(): void {
    const snap = this.snapshot;
    if (!snap || !this.snapshotSettled) return;
    const settle = this.snapshotSettled;
    this.snapshotSettled = undefined;
    if (this.phase.is('acknowledging')) {
      this.phase.to('registered');
      this.deps.onSnapshot(this, snap.result());
    }
    settle();
  }

  // ------------------------------------------------------------------------------------ inbound

  private onMessage(m: CapMessage): void {
    this.deps.onMessage(m, this);
    const w = this.waiting;
    if (w && w.type === m.type) {
      this.waiting = undefined;
      w.resolve(m);
    }
    if (this.phase.is('acknowledging') && this.snapshot?.observe(m)) this.finishSnapshot();
    if (m.type === 'unRegister' && this.phase.is('registered', 'acknowledging')) {
      const wasRegistered = this.phase.is('registered');
      this.phase.to('closing');
      this.finishSnapshot();
      void this.shut();
      if (wasRegistered) this.deps.onEnded(this, { kind: 'unregistered', reason: m.reason ?? 'unknown' });
    }
  }

  private onLost(reason: string): void {
    const wasRegistered = this.phase.is('registered');
    if (!this.phase.is('closed')) this.phase.to('closed');
    this.waiting?.reject(new LinkUnavailableError(`broadworks-cap: ${this.login.user}: ${reason}`));
    this.waiting = undefined;
    this.finishSnapshot();
    if (wasRegistered) this.deps.onEnded(this, { kind: 'lost', reason });
  }

  /** Closes the connection; any wait still pending fails. */
  private async shut(): Promise<void> {
    if (!this.phase.is('closing', 'closed')) this.phase.to('closing');
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(new LinkUnavailableError(`broadworks-cap: the dialog of ${this.login.user} closed`));
    this.finishSnapshot();
    await this.conn?.close();
    if (!this.phase.is('closed')) this.phase.to('closed');
  }
}
