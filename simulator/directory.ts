/**
 * Default seed directory of the PBX simulator. Exported so documentation and tests can list it.
 */

export interface SeedUser {
  /** Directory user id (BroadWorks userId form: user@domain). */
  userId: string;
  extension: string;
  name: string;
  /** E.164 number of the user. */
  phone: string;
}

export interface SeedQueue {
  userId: string;
  extension: string;
  name: string;
  phone: string;
  agents: string[];
  /** Wrap-up after an ACD call, in ms; undefined = agents go straight back to Available. */
  wrapUpMs?: number;
}

export interface SeedRoutePoint {
  userId: string;
  extension: string;
  name: string;
  phone: string;
}

export interface SeedDirectory {
  enterpriseId: string;
  groupId: string;
  domain: string;
  users: SeedUser[];
  queues: SeedQueue[];
  routePoints: SeedRoutePoint[];
}

function user(first: string, last: string, extension: string): SeedUser {
  const id = first.toLowerCase();
  return { userId: `${id}@sim.example`, extension, name: `${first} ${last}`, phone: `+1555000${extension}` };
}

export const DEFAULT_DIRECTORY: SeedDirectory = {
  enterpriseId: 'sim-enterprise',
  groupId: 'sim-group',
  domain: 'sim.example',
  users: [
    user('Alice', 'Anders', '1001'),
    user('Bob', 'Brown', '1002'),
    user('Carol', 'Clark', '1003'),
    user('Dave', 'Davis', '1004'),
    user('Erin', 'Evans', '1005'),
  ],
  queues: [
    {
      userId: 'sales@sim.example',
      extension: '2001',
      name: 'Sales Queue',
      phone: '+15550002001',
      agents: ['carol@sim.example', 'dave@sim.example'],
    },
  ],
  routePoints: [
    { userId: 'route@sim.example', extension: '3001', name: 'Route Point', phone: '+15550003001' },
  ],
};

/** A deep copy of the default directory, safe to mutate. */
export function defaultDirectory(): SeedDirectory {
  return structuredClone(DEFAULT_DIRECTORY);
}
