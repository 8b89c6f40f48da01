/**
 * `npm run bench -- --cpu-prof <dir>`: a V8 CPU profile of the connector process, and one of the simulator
 * process (`<name>-simulator`), over each delivery or vendor phase's load and drain only (set-up and
 * floors left out), one `.cpuprofile` file per process and phase. Open it in
 * Chrome DevTools (Performance → Load profile) or any tool that reads V8 profiles.
 *
 * @example
 * const prof = await PhaseProfiler.start('/tmp/prof');
 * // ... the phase's load and drain ...
 * const file = await prof.stop('phase-3-100-system');
 */
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class PhaseProfiler {
  private constructor(
    private readonly session: Session,
    private readonly dir: string,
  ) {}

  /** Starts sampling this process (every 1 ms, V8's default). */
  static async start(dir: string): Promise<PhaseProfiler> {
    await mkdir(dir, { recursive: true });
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return new PhaseProfiler(session, dir);
  }

  /** Stops sampling and writes `<dir>/<name>.cpuprofile`; returns its path. */
  async stop(name: string): Promise<string> {
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    const file = join(this.dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    return file;
  }
}
