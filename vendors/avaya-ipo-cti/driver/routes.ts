/**
 * Which login carries a user's requests: on an application link the application user's (for every
 * device its login listed, L1111-1191), on a device link the user's own. Also the two commands that
 * need nothing but that: listUsers (the login's stations, or the logged-in device users) and raw.
 */
import type { DirectoryUser } from '../../../shared/commands/contract.js';
import { LinkUnavailableError } from '../../driver-kit/seam.js';
import { noSession, unknownDevice } from './errors.js';
import { readRaw } from './raw.js';
import type { Route } from './route.js';
import type { IpoSession } from './session.js';
import type { DeviceSessions } from './sessions.js';
import type { Devices } from './targets.js';

export interface RoutesDeps {
  devices: Devices;
  /** Present on device-user links. */
  sessions: DeviceSessions | undefined;
  /** The application login (application links). */
  app(): IpoSession | undefined;
}

/**
 * @example
 * const routes = new Routes({ devices, sessions: undefined, app: () => appSession });
 * routes.routeOf('1001'); // { user: '1001', device: { extension: '1001', switchIp: '127.0.0.1' }, session: appSession }
 */
export class Routes {
  constructor(private readonly deps: RoutesDeps) {}

  /** The route of `user`: 409 without a session (device links), 404 for an unlisted device, 503 while logging in. */
  routeOf(user: string): Route {
    const { devices, sessions } = this.deps;
    if (sessions) {
      const session = sessions.sessionOf(user);
      const device = devices.deviceOf(user);
      if (!device) throw noSession(user);
      return { user, device, session };
    }
    const app = this.deps.app();
    if (!app?.isOpen) throw new LinkUnavailableError('avaya-ipo-cti: the application login is not open');
    const device = devices.deviceOf(user);
    if (!device) throw unknownDevice(user);
    return { user, device, session: app };
  }

  /** The directory: the application login's stations (id = extension), or the logged-in device users. */
  listUsers(): DirectoryUser[] {
    const { devices, sessions } = this.deps;
    const entries = sessions
      ? sessions.open().flatMap(({ user }) => {
          const d = devices.deviceOf(user);
          return d ? [{ id: user, ...d }] : [];
        })
      : devices.directory().map((d) => ({ id: d.extension, ...d }));
    return entries.map((d) => ({
      id: d.id,
      extension: d.extension,
      ...(d.fullName || d.userName ? { name: d.fullName || d.userName } : {}),
    }));
  }

  /** A raw request on the link's login (device links: `user`'s, else the first logged-in user's). */
  async raw(request: unknown): Promise<{ status: number; body: unknown }> {
    const r = readRaw(request);
    const sessions = this.deps.sessions;
    const session = sessions ? sessions.sessionOf(r.user ?? sessions.open()[0]?.user ?? '') : this.deps.app();
    if (!session?.isOpen) throw new LinkUnavailableError('avaya-ipo-cti: no open login for the raw request');
    const answer = await session.request(r.method, r.path, r.body);
    return { status: answer.status, body: answer.body };
  }
}
