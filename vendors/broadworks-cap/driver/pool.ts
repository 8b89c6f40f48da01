/**
 * The link's own connections, which decide whether the link is up:
 *
 * - **CAP-C**: one connection to the Open Client Server that logs nobody in (users log in on their own
 *   dialogs, sessions.ts). Opening it proves the OCS reachable; an `infoRequest` is sent and its
 *   infoResponse (the CAP versions) awaited up to `requestTimeoutMs`, which proves the peer speaks CAP
 *   (no answer is logged and tolerated: the specification does not say an OCS answers before a
 *   login). It stays open, pinged like any connection, as the link's heartbeat: its loss is the link's
 *   loss (`onLost`), after which the connector reconnects and logs every session in again.
 * - **CCC2**: `connections` (default 2) connections to the Application Server, no login at all; the
 *   server spreads its messages round-robin over them (L526), so they all feed one pipeline. The loss of
 *   any one is the link's loss: the server would keep sending part of the traffic to a connection we
 *   no longer read.
 */
import type { DriverLogger } from '../../driver-kit/seam.js';
import { LinkUnavailableError } from '../../driver-kit/seam.js';
import type { CapMessage } from '../wire/index.js';
import type { CapConnection, ConnectionHandlers } from './connection.js';

export interface PoolDeps {
  mode: 'cap-c' | 'ccc2';
  /** How many connections CCC2 opens (CAP-C: always one). */
  connections: number;
  requestTimeoutMs: number;
  logger: DriverLogger;
  newConnection(handlers: ConnectionHandlers, label: string): CapConnection;
  onMessage(m: CapMessage, conn: CapConnection): void;
  onGarbage(kind: string, detail: string): void;
  /** A connection of the link was lost (once per open). */
  onLost(reason: string): void;
}

/**
 * @example
 * const pool = new LinkConnections(deps);
 * await pool.open();
 * pool.any().send({ type: 'infoRequest' });
 */
export class LinkConnections {
  private conns: CapConnection[] = [];
  private next = 0;
  /** Bumped by each open(): a loss reported by an older set is ignored. */
  private epoch = 0;
  private versionWait: ((versions: string[]) => void) | undefined;
  /** The CAP versions the server named in its last infoResponse. */
  versions: string[] = [];

  constructor(private readonly deps: PoolDeps) {}

  /** The open connections, in order. */
  get all(): readonly CapConnection[] {
    return this.conns;
  }

  get up(): boolean {
    return this.conns.length > 0 && this.conns.every((c) => c.isOpen);
  }

  async open(): Promise<void> {
    await this.close();
    const epoch = ++this.epoch;
    const n = this.deps.mode === 'ccc2' ? this.deps.connections : 1;
    const conns = Array.from({ length: n }, (_, i) =>
      this.deps.newConnection(
        {
          onMessage: (m, conn) => this.onMessage(m, conn),
          onGarbage: (kind, detail) => this.deps.onGarbage(kind, detail),
          onLost: (reason, conn) => {
            if (epoch === this.epoch) this.deps.onLost(`${conn.config.label}: ${reason}`);
          },
        },
        this.deps.mode === 'ccc2' ? `ccc2#${i + 1}` : 'cap-c link',
      ),
    );
    this.conns = conns;
    const opened = await Promise.allSettled(conns.map((c) => c.open()));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason as Error;
    }
    await this.probeVersions(conns[0]!);
    if (epoch !== this.epoch || !this.up) {
      await this.close();
      throw new LinkUnavailableError('broadworks-cap: a connection closed while the link was opening');
    }
  }

  /** An open connection, round-robin; LinkUnavailableError when none is. */
  any(): CapConnection {
    const open = this.conns.filter((c) => c.isOpen);
    if (!open.length) throw new LinkUnavailableError('broadworks-cap link is not up');
    return open[this.next++ % open.length]!;
  }

  async close(): Promise<void> {
    this.epoch++;
    const conns = this.conns;
    this.conns = [];
    await Promise.allSettled(conns.map((c) => c.close()));
  }

  private onMessage(m: CapMessage, conn: CapConnection): void {
    if (m.type === 'infoResponse') {
      this.versions = m.versions;
      const wait = this.versionWait;
      this.versionWait = undefined;
      wait?.(m.versions);
      return;
    }
    this.deps.onMessage(m, conn);
  }

  /** infoRequest → infoResponse (rule 15): logs the versions; a missing answer is tolerated. */
  private async probeVersions(conn: CapConnection): Promise<void> {
    const { logger, requestTimeoutMs } = this.deps;
    const versions = await new Promise<string[] | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.versionWait = undefined;
        resolve(undefined);
      }, requestTimeoutMs);
      timer.unref?.();
      this.versionWait = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      conn.send({ type: 'infoRequest' });
    });
    if (!versions)
      logger.warn('broadworks-cap: no infoResponse to infoRequest; going on', { requestTimeoutMs });
    else if (!versions.includes('17.0'))
      logger.warn('broadworks-cap: the server does not list CAP 17.0', { versions });
    else logger.debug('broadworks-cap server versions', { versions });
  }
}
