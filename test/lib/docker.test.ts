/**
 * The connector image without a Docker engine: the Dockerfile is parsed, its esbuild step is run here with
 * the same arguments (so a broken entry or import fails `npm test`, not a customer's `cdk deploy`), and the
 * entry it builds is checked to be the module that starts the connector the local stack (`npm start`) runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHCHECK_SCRIPT, STOP_TIMEOUT_SECONDS } from '../../lib/constructs/connector-service.js';
import { RUNTIME } from '../../lib/constructs/functions.js';
import { CONNECTOR_PORT } from '../../lib/constructs/network.js';
import { PROJECT_ROOT } from '../../lib/paths.js';

const read = (rel: string) => readFileSync(join(PROJECT_ROOT, rel), 'utf8');

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions (continuation lines joined, comments dropped), with the stage index. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2]!.trim(), stage });
  }
  return out;
}

/** Shell-like words of a RUN line (double quotes only, as the Dockerfile uses). */
const words = (s: string) => [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

const dockerfile = parseDockerfile(read('Dockerfile'));
const last = Math.max(...dockerfile.map((i) => i.stage));
const final = dockerfile.filter((i) => i.stage === last);
const cmd = JSON.parse(final.find((i) => i.op === 'CMD')!.args) as string[];
const esbuildRun = dockerfile.find((i) => i.op === 'RUN' && /\besbuild\b/.test(i.args))!;
const esbuildArgs = words(esbuildRun.args).slice(words(esbuildRun.args).indexOf('esbuild') + 1);
const entry = esbuildArgs.find((a) => !a.startsWith('-'))!;
const outfile = esbuildArgs.find((a) => a.startsWith('--outfile='))!.slice('--outfile='.length);

describe('Dockerfile', () => {
  it('is multi-stage: the final stage copies only the build output and runs as the non-root node user', () => {
    expect(last).toBeGreaterThanOrEqual(1);
    expect(final.filter((i) => i.op === 'COPY').map((i) => i.args)).toEqual([
      expect.stringMatching(/^--from=build \/src\/dist\/ \.\/$/),
    ]);
    expect(final.find((i) => i.op === 'USER')?.args).toBe('node');
    expect(final.some((i) => i.op === 'RUN' && /npm|npx/.test(i.args))).toBe(false);
  });

  it('builds connector/main.ts, the connector process entry, and its CMD runs that bundle', () => {
    expect(entry).toBe('connector/main.ts');
    expect(cmd[0]).toBe('node');
    const workdir = final.find((i) => i.op === 'WORKDIR')!.args;
    // COPY /src/dist/ -> WORKDIR: dist/connector.mjs runs as <WORKDIR>/connector.mjs.
    expect(outfile).toBe(`dist/${cmd[1]}`);
    expect(workdir).toBe('/app');
  });

  it('uses the Node.js major of the Lambda runtime and the same health check and port as the task', () => {
    const nodeMajor = RUNTIME.name.replace(/^nodejs(\d+)\.x$/, '$1');
    expect(dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))?.args).toMatch(
      new RegExp(`^NODE_IMAGE=node:${nodeMajor}-`),
    );
    expect(esbuildArgs).toContain(`--target=node${nodeMajor}`);
    const hc = final.find((i) => i.op === 'HEALTHCHECK')!.args;
    expect(JSON.parse(hc.slice(hc.indexOf('CMD') + 3).trim())).toEqual(['node', '-e', HEALTHCHECK_SCRIPT]);
    expect(final.find((i) => i.op === 'EXPOSE')?.args).toBe(String(CONNECTOR_PORT));
    expect(final.find((i) => i.op === 'STOPSIGNAL')?.args).toBe('SIGTERM');
    expect(STOP_TIMEOUT_SECONDS).toBeGreaterThan(30);
  });

  it('sends only what the build copies (.dockerignore allow-list)', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const copied = dockerfile
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => words(i.args).slice(0, -1));
    for (const src of copied)
      expect(ignore, src).toContain(`!${src.replace(/\/?$/, src.includes('.') ? '' : '/')}`);
  });
});

describe('connector entry point', () => {
  it('connector/main.ts and the local stack (npm start) both run startConnector() from connector/connector.ts', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    // Plain node with the tsx loader: no tsx CLI in between to escalate a slow Ctrl-C to SIGKILL.
    expect(pkg.scripts.start).toBe('node --import tsx local/start.ts');
    expect(read('local/start.ts')).toMatch(/import \{[^}]*\bstartStack\b[^}]*\} from '\.\/stack\.js'/);
    const local = read('local/stack.ts');
    expect(local).toMatch(/import \{[^}]*\bstartConnector\b[^}]*\} from '\.\.\/connector\/connector\.js'/);
    expect(local).toMatch(/\bstartConnector\(/);
    const main = read('connector/main.ts');
    expect(main).toMatch(/import \{[^}]*\bstartConnector\b[^}]*\} from '\.\/connector\.js'/);
    expect(main).toMatch(/await startConnector\(/);
    expect(main).toMatch(/process\.on\('SIGTERM'/);
    expect(main).toMatch(/connector\.stop\(\)/);
  });

  describe('the Dockerfile esbuild step, run here', () => {
    let dir: string;
    let meta: { inputs: Record<string, unknown> };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cti-bridge-image-'));
      const args = esbuildArgs
        .filter((a) => !a.startsWith('--outfile='))
        .concat(
          `--outfile=${join(dir, outfile)}`,
          `--metafile=${join(dir, 'meta.json')}`,
          '--log-level=warning',
        );
      // `npx esbuild` in the image: the package's bin (a native executable once installed).
      const res = spawnSync(join(PROJECT_ROOT, 'node_modules/.bin/esbuild'), args, {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (res.status !== 0) throw new Error(`esbuild failed: ${res.stderr}`);
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as typeof meta;
    }, 60_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('bundles connector/main.ts and startConnector from sources the image copies (shared/, connector/, vendors/)', () => {
      expect(existsSync(join(dir, outfile))).toBe(true);
      const sources = Object.keys(meta.inputs).filter((k) => !k.startsWith('node_modules/'));
      expect(sources).toContain('connector/main.ts');
      expect(sources).toContain('connector/connector.ts');
      for (const s of sources) expect(s).toMatch(/^(connector|shared|vendors)\//);
      // every registered vendor's driver is in the bundle, and no simulator code
      expect(sources.filter((s) => /^vendors\/[^/]+\/driver\/index\.ts$/.test(s)).length).toBeGreaterThan(1);
      expect(sources.filter((s) => s.includes('/simulator/'))).toEqual([]);
    });

    it('produces a module Node.js parses', () => {
      const res = spawnSync(process.execPath, ['--check', join(dir, outfile)], { encoding: 'utf8' });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    });
  });
});
