/**
 * The simulator's directory as IP Office CTI WebServices presents it: device users log in with their
 * short name (the directory id's local part, ≤15 characters) and the simulator's credential password;
 * the application user is the simulator's admin credential. Devices are addressed by extension; the
 * application user's login lists every station (user) and group (ACD queue) (L1111-1191).
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import type { UserSnapshot } from '../../../simulator/core/types.js';
import type { SimCredential } from '../../../simulator/frontends/types.js';
import type { IpoDevice } from '../wire/session.js';
import type { IpoIds } from './ids.js';

/** The login name of a directory user: `alice@sim.example` → `alice`. */
export function shortName(userId: string): string {
  return (userId.split('@')[0] ?? userId).slice(0, 15);
}

export function userByShortName(core: PbxCore, name: string): UserSnapshot | undefined {
  return core.listUsers().find((u) => shortName(u.userId) === name);
}

export function userByExtension(core: PbxCore, ext: string): UserSnapshot | undefined {
  return core.listUsers().find((u) => u.extension === ext.trim());
}

/** A device user's password: own entry, a credential of that name, or the simulator's first password. */
export function passwordOf(
  opts: { passwords?: Record<string, string>; credentials: SimCredential[] },
  name: string,
): string {
  return (
    opts.passwords?.[name] ??
    opts.credentials.find((c) => c.username === name)?.password ??
    opts.credentials[0]?.password ??
    'bridge-secret'
  );
}

/**
 * Which login this is: the application user (an admin credential) or a device user.
 *
 * @example
 * authenticate(core, opts, 'alice', 'bridge-secret'); // { kind: 'device', user }
 */
export function authenticate(
  core: PbxCore,
  opts: { passwords?: Record<string, string>; credentials: SimCredential[] },
  userName: string,
  password: string,
): { kind: 'application' } | { kind: 'device'; user: UserSnapshot } | undefined {
  const admin = opts.credentials.find((c) => c.admin && c.username === userName);
  if (admin) return admin.password === password ? { kind: 'application' } : undefined;
  const user = userByShortName(core, userName);
  if (!user || passwordOf(opts, userName) !== password) return undefined;
  return { kind: 'device', user };
}

/** The hunt groups (queues) a user is an agent of, by name. */
export function huntGroupsOf(core: PbxCore, u: UserSnapshot): string[] {
  return core
    .listQueues()
    .filter((q) => q.kind === 'queue' && q.agents.includes(u.userId))
    .map((q) => q.name);
}

/** The application user's `devices` entries: stations, then groups. */
export function devicesOf(core: PbxCore, ids: IpoIds, switchIp: string): IpoDevice[] {
  const guid = (s: string) => Buffer.from(s).toString('hex').toUpperCase().padEnd(32, '0').slice(0, 32);
  const stations: IpoDevice[] = core.listUsers().map((u) => ({
    switchingSubdomain: switchIp,
    userExtension: u.extension,
    physicalExtension: u.extension,
    guid: guid(u.userId),
    userName: shortName(u.userId),
    fullName: u.name,
    monitorID: ids.monitorId(u.extension),
    deviceCategory: 'STATION',
    inService: true,
    loginTime: 0,
    logoutTime: 0,
    wrapupTime: 0,
    exDirectory: false,
    accountStatus: true,
    members: huntGroupsOf(core, u).map((g) => ({ enabled: true, username: g })),
  }));
  const groups: IpoDevice[] = core
    .listQueues()
    .filter((q) => q.kind === 'queue')
    .map((q) => ({
      switchingSubdomain: switchIp,
      userExtension: q.extension,
      physicalExtension: q.extension,
      guid: guid(q.id),
      userName: q.name,
      fullName: '',
      monitorID: ids.monitorId(q.extension),
      deviceCategory: 'GROUP',
      inService: true,
      callDistributionMode: 'Longest Waiting',
      members: q.agents.map((a) => ({ enabled: true, username: shortName(a) })),
    }));
  return [...stations, ...groups];
}
