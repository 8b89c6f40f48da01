import { startSimulator } from './index.js';

const sim = await startSimulator({
  controlPort: Number(process.env['SIM_CONTROL_PORT'] ?? 3010),
  broadworksPort: Number(process.env['SIM_BROADWORKS_PORT'] ?? 3011),
});
console.log(`PBX simulator running`);
console.log(`  control API:     ${sim.controlUrl}`);
console.log(`  BroadWorks CTI:  ${sim.broadworksUrl}`);
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
