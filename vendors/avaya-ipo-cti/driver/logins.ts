/**
 * How the driver reaches the one-X servers: the sessions it opens (one per login, on the server
 * `servers.ts` names), the login request of the application user and of device users, the device
 * link's reachability probe, and the HA retry of a connect: one attempt on the current server and,
 * when it fails on a resilient deployment (not for a refusal of the credentials), one more on the other
 * server after `failoverDelayMs` (L8274-8283). The next connect starts where the last one left off, so
 * the servers alternate "till connection is successful".
 */
import type { DriverLogger } from '../../driver-kit/seam.js';
import { LinkUnavailableError, SessionRefusedError } from '../../driver-kit/seam.js';
import type { DriverTimers } from '../../driver-kit/util.js';
import type { AvayaIpoCtiOptions } from '../manifest.js';
import type { LoginRequest } from '../wire/session.js';
import type { HttpClient } from './http.js';
import type { Servers } from './servers.js';
import { HEARTBEAT_PATH, IpoSession, SUBSCRIBED_EVENT_TYPES, type SessionHandlers } from './session.js';

export interface LoginsDeps {
  options: AvayaIpoCtiOptions;
  servers: Servers;
  http: HttpClient;
  timers: DriverTimers;
  logger: DriverLogger;
}

/**
 * @example
 * const logins = new Logins(deps);
 * const app = logins.session('application', logins.request('ctiapp', 'pw'), handlers);
 * await logins.withFailover(() => app.open().then(() => undefined), () => connecting);
 */
export class Logins {
  constructor(private readonly deps: LoginsDeps) {}

  /** The login request of `userName` with the link's application name and the subscribed categories. */
  request(userName: string, userPassword: string): LoginRequest {
    const o = this.deps.options;
    return {
      userName,
      userPassword,
      applicationName: o.applicationName,
      ...(o.applicationVersion ? { applicationVersion: o.applicationVersion } : {}),
      eventTypes: [...SUBSCRIBED_EVENT_TYPES],
    };
  }

  /**
   * A new (unopened) login on the current server, with the REST heartbeat every `heartbeatIntervalMs`:
   * device users need it to stay active (L1372); application users do not (L1380-1383), but a failed
   * heartbeat is the failover trigger the document names (L8266-8272), so it is their liveness probe.
   */
  session(label: string, login: LoginRequest, handlers: SessionHandlers): IpoSession {
    const { options: o, servers, http, timers, logger } = this.deps;
    return new IpoSession(
      {
        baseUrl: servers.current,
        label,
        login,
        heartbeatMs: o.heartbeatIntervalMs,
        secure: servers.secure,
        maxBytes: o.maxFrameBytes,
        socket: {
          keepaliveMs: o.wsKeepaliveMs,
          clientName: o.applicationName,
          clientVersion: o.applicationVersion ?? '1.0',
          connectTimeoutMs: o.connectTimeoutMs,
          maxFrameBytes: o.maxFrameBytes,
          rejectUnauthorized: o.rejectUnauthorized,
          ...(o.ca ? { ca: o.ca } : {}),
        },
      },
      handlers,
      { http, timers, logger },
    );
  }

  /** Device links: the server answers (a heartbeat without a session is refused, which proves it up). */
  async probe(): Promise<void> {
    const answer = await this.deps.http.send({
      method: 'POST',
      url: `${this.deps.servers.current}${HEARTBEAT_PATH}`,
    });
    if (answer.status >= 500)
      throw new LinkUnavailableError(`avaya-ipo-cti: the server answered ${answer.status}`);
  }

  /** `attempt` on the current server, then (HA, not after a refusal) once on the other one. */
  async withFailover(attempt: () => Promise<void>, stillConnecting: () => boolean): Promise<void> {
    const { servers, logger, options } = this.deps;
    try {
      return await attempt();
    } catch (err) {
      if (!servers.configuration || err instanceof SessionRefusedError || !stillConnecting()) throw err;
      logger.warn('avaya-ipo-cti: server failed, trying the other one', { error: (err as Error).message });
      servers.failed();
    }
    if (options.failoverDelayMs > 0)
      await new Promise<void>((resolve) => this.deps.timers.later(options.failoverDelayMs, resolve));
    if (!stillConnecting()) throw new LinkUnavailableError('avaya-ipo-cti link closed while connecting');
    try {
      await attempt();
    } catch (err) {
      if (!(err instanceof SessionRefusedError)) servers.failed();
      throw err;
    }
  }
}
