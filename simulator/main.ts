import { startSimulator } from './index.js';

const sim = await startSimulator({
  controlPort: Number(process.env['SIM_CONTROL_PORT'] ?? 3010),
  broadworksPort: Number(process.env['SIM_BROADWORKS_PORT'] ?? 3011),
  mtcti3Port: Number(process.env['SIM_MTCTI3_PORT'] ?? 3012),
});
console.log(`PBX simulator running`);
console.log(`  control API:     ${sim.controlUrl}`);
console.log(`  BroadWorks CTI:  ${sim.broadworksUrl}`);
console.log(`  IPO MTCTI-3:     ${sim.mtcti3Url}`);
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
