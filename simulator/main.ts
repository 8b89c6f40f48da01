import { startSimulator } from './index.js';

/** SIM_CONTROL_PORT, and SIM_PORTS as `vendor=port,...` (e.g. `broadworks-cti=3011`); free ports otherwise. */
const ports = Object.fromEntries(
  (process.env['SIM_PORTS'] ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string])
    .map(([k, v]) => [k.trim(), Number(v)]),
);
const sim = await startSimulator({ controlPort: Number(process.env['SIM_CONTROL_PORT'] ?? 3010), ports });
console.log(`PBX simulator running`);
console.log(`  control API:     ${sim.controlUrl}`);
for (const r of sim.frontEnds) console.log(`  ${`${r.vendor.label}:`.padEnd(16)} ${r.url}`);
for (const c of sim.credentials) console.log(`  credentials:     ${c.username} / ${c.password}`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  sim.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
