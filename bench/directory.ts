/**
 * The delivery benchmark's PBX directory, shared by the benchmark (bench/delivery.ts: the link's user
 * list, the subscriptions) and the simulator process (bench/simulator-process.ts). Kept apart from
 * bench/delivery.ts so the simulator process does not load the stack.
 */
import { defaultDirectory, type SeedDirectory } from '../simulator/directory.js';

/** Agents of the benchmark directory. */
export const BENCH_USERS = 100;

/** The benchmark's directory: 100 agent users (agent001@sim.example, extensions 5001-5100), no queues. */
export function benchDirectory(): SeedDirectory {
  const base = defaultDirectory();
  return {
    ...base,
    users: Array.from({ length: BENCH_USERS }, (_, i) => {
      const n = String(i + 1).padStart(3, '0');
      const extension = String(5001 + i);
      return {
        userId: `agent${n}@${base.domain}`,
        extension,
        name: `Agent ${n}`,
        phone: `+1555000${extension}`,
      };
    }),
    queues: [],
    routePoints: [],
  };
}
