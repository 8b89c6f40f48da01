/**
 * A small driver for connector tests: it connects at once, logs users in and out through the seam's
 * `sessions` (refusing the users it is told to), answers callbacks with an echo, runs commands through
 * the test's `execute` (without one, every command is not supported, as a vendor that cannot do it),
 * and lets the test drop the link or end a user's session from the vendor's side. Every call is
 * recorded, and a test can await the next one instead of sleeping.
 */
import {
  NotSupportedError,
  SessionRefusedError,
  type CallCommand,
  type CallbackRequest,
  type Driver,
  type DriverContext,
  type DriverFactory,
  type SessionLogin,
} from '../../vendors/driver-kit/seam.js';

export type Seen =
  | { kind: 'connect' }
  | { kind: 'login'; login: SessionLogin }
  | { kind: 'logout'; user: string; session: string }
  | { kind: 'callback'; request: CallbackRequest }
  | { kind: 'command'; command: CallCommand };

export interface TestDriverOptions {
  /** Give the driver per-user sessions (default true). */
  sessions?: boolean;
  /** Give the driver `handleCallback` (default true). */
  callbacks?: boolean;
  /**
   * Runs the commands the connector sends (`link` is `tenant/link`); its result is the command's
   * result, what it throws the command's error. Absent: every command throws `NotSupportedError`.
   */
  execute?: (command: CallCommand, link: string) => Promise<unknown>;
}

/** The driver instances a factory made, and what they saw, across links. */
export class TestVendor {
  readonly seen: (Seen & { link: string })[] = [];
  /** user → the vendor's refusal reason. */
  readonly refuse = new Map<string, string>();
  readonly contexts = new Map<string, DriverContext>();
  private waiters: { ok: (s: Seen & { link: string }) => boolean; resolve: () => void }[] = [];

  constructor(private readonly opts: TestDriverOptions = {}) {}

  /** Resolves once something matching `ok` has been seen (already, or later); rejects after `ms`. */
  until(ok: (s: Seen & { link: string }) => boolean, what: string, ms = 10_000): Promise<void> {
    if (this.seen.some(ok)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not seen in ${ms} ms: ${what}`)), ms);
      this.waiters.push({
        ok,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  count(ok: (s: Seen & { link: string }) => boolean): number {
    return this.seen.filter(ok).length;
  }

  /** The link drops (the connector reconnects). */
  drop(link: string, reason = 'socket closed'): void {
    this.context(link).hooks.onDown(reason);
  }

  /** The vendor ends a user's session. */
  endSession(
    link: string,
    user: string,
    reason: string,
    extra: { detail?: string; vendorEvent?: string } = {},
  ): void {
    this.context(link).hooks.onSessionEnded?.(user, { state: 'ended', reason, ...extra });
  }

  context(link: string): DriverContext {
    const c = this.contexts.get(link);
    if (!c) throw new Error(`no driver for ${link}`);
    return c;
  }

  readonly factory: DriverFactory = (ctx) => {
    const link = `${ctx.link.tenant}/${ctx.link.id}`;
    this.contexts.set(link, ctx);
    const see = (s: Seen) => {
      const entry = { ...s, link };
      this.seen.push(entry);
      const due = this.waiters.filter((w) => w.ok(entry));
      this.waiters = this.waiters.filter((w) => !due.includes(w));
      for (const w of due) w.resolve();
    };
    const driver: Driver = {
      vendor: ctx.link.vendor,
      connect: async () => see({ kind: 'connect' }),
      watch: async () => undefined,
      resync: async () => undefined,
      execute: async (command) => {
        see({ kind: 'command', command });
        if (!this.opts.execute) throw new NotSupportedError(ctx.link.vendor, command.kind);
        return (await this.opts.execute(command, link)) as never;
      },
      close: async () => undefined,
      ...(this.opts.sessions === false
        ? {}
        : {
            sessions: {
              login: async (login: SessionLogin) => {
                see({ kind: 'login', login });
                const reason = this.refuse.get(login.user);
                if (reason) throw new SessionRefusedError(reason);
              },
              logout: async (user: string, session: string) => see({ kind: 'logout', user, session }),
            },
          }),
      ...(this.opts.callbacks === false
        ? {}
        : {
            handleCallback: async (request: CallbackRequest) => {
              see({ kind: 'callback', request });
              return {
                status: 202,
                headers: { 'content-type': 'application/json', 'x-test-driver': link },
                body: JSON.stringify({
                  method: request.method,
                  path: request.path,
                  body: request.body.toString('utf8'),
                  publicUrl: ctx.callbacks?.publicUrl,
                }),
              };
            },
          }),
    };
    return driver;
  };
}
