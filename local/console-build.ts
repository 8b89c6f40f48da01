/**
 * Builds the console page (`console/` → `console/dist`, Vite) when the build is missing or older than
 * its sources, so that `npm start` on a fresh checkout serves it without a separate step. `npm run
 * console:build` builds it unconditionally; the CDK app builds it while bundling the `console` function.
 *
 * @example
 * await ensureConsoleBuilt(); // a no-op when console/dist is up to date
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONSOLE_ROOT = fileURLToPath(new URL('../console/', import.meta.url));
const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** True when `console/dist` is missing or older than a source of the page. */
function consoleStale(): boolean {
  const built = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts'].map((n) => join(CONSOLE_ROOT, n));
  const client = fileURLToPath(new URL('../client/', import.meta.url));
  return Math.max(...[...sources, client].map(newest)) > statSync(built).mtimeMs;
}

/** Builds the console when stale (calling `onBuild` first); resolves with whether it built. */
export async function ensureConsoleBuilt(onBuild?: () => void): Promise<boolean> {
  if (!consoleStale()) return false;
  onBuild?.();
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
