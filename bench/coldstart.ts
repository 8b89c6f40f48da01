/**
 * Cold-start budget of the Lambda handlers (`npm run bench:coldstart`): bundles every handler exactly as
 * lib/ does (esbuild, ESM, minified, the same externals and banner), then imports each bundle in fresh
 * Node.js processes and reports the module initialization time (`await import()` of the bundle: parse,
 * compile and top-level code; the Node.js process start itself is not counted). No network, no AWS.
 *
 *   npm run bench:coldstart                 # 7 runs per handler, budget 150 ms
 *   npm run bench:coldstart -- --runs 15 --budget 120
 *
 * Exits 1 when a handler's median is over the budget. Figures: docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { FUNCTIONS } from '../shared/api/routes.js';
import { ESM_REQUIRE_BANNER, RUNTIME, UNUSED_CREDENTIAL_PROVIDERS } from '../lib/constructs/functions.js';
import { PROJECT_ROOT } from '../lib/paths.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    budget: { type: 'string', default: '150' },
    keep: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const budgetMs = Number(values.budget);

const entries: Record<string, string> = {
  ...Object.fromEntries(FUNCTIONS.map((fn) => [`http/${fn}`, `functions/http/${fn}.ts`])),
  authorizer: 'functions/authorizer.ts',
  'ws/connect': 'functions/ws/connect.ts',
  'ws/disconnect': 'functions/ws/disconnect.ts',
  'ws/default': 'functions/ws/default.ts',
};

/** A plausible Lambda environment (what lib/ sets, with made-up values); nothing is called at init. */
const lambdaEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  BRIDGE_TABLE: 'cti-bridge-bench',
  BRIDGE_WEBSOCKET_URL: 'wss://abc.execute-api.us-east-1.amazonaws.com/live',
  BRIDGE_SECRETS_KIND: 'secretsmanager',
  BRIDGE_SECRETS_PREFIX: 'cti-bridge/CtiBridge/links/',
  BRIDGE_EVENT_TTL_DAYS: '7',
  BRIDGE_WEBHOOK_SCHEMES: 'https',
  BRIDGE_LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'cti-bridge',
  POWERTOOLS_METRICS_NAMESPACE: 'CtiBridge',
  NODE_OPTIONS: '--enable-source-maps',
};

const outdir = mkdtempSync(join(tmpdir(), 'cti-bridge-coldstart-'));
try {
  const nodeTarget = RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');
  await Promise.all(
    Object.entries(entries).map(([name, entry]) =>
      build({
        entryPoints: [join(PROJECT_ROOT, entry)],
        outfile: join(outdir, name, 'index.mjs'),
        bundle: true,
        platform: 'node',
        target: nodeTarget,
        format: 'esm',
        mainFields: ['module', 'main'],
        banner: { js: ESM_REQUIRE_BANNER },
        minify: true,
        sourcemap: 'external',
        sourcesContent: false,
        external: [...UNUSED_CREDENTIAL_PROVIDERS],
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
        logLevel: 'error',
      }),
    ),
  );

  const probe = (file: string) =>
    `const t0 = performance.now(); const m = await import(${JSON.stringify(file)});
     const ms = performance.now() - t0;
     if (typeof m.handler !== 'function') throw new Error('no handler export');
     process.stdout.write(String(ms));`;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  console.log(`cold start: module init per handler, ${runs} fresh processes each, budget ${budgetMs} ms`);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
  console.log(
    `${'handler'.padEnd(20)}${'bundle'.padStart(10)}${'median'.padStart(10)}${'min'.padStart(9)}${'max'.padStart(9)}`,
  );
  let over = 0;
  for (const name of Object.keys(entries)) {
    const file = join(outdir, name, 'index.mjs');
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const res = spawnSync(
        process.execPath,
        ['--enable-source-maps', '--input-type=module', '-e', probe(file)],
        {
          env: lambdaEnv,
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      if (res.status !== 0) throw new Error(`${name}: ${res.stderr}`);
      times.push(Number(res.stdout));
    }
    const med = median(times);
    if (med > budgetMs) over++;
    console.log(
      `${name.padEnd(20)}${`${(statSync(file).size / 1024).toFixed(0)} KB`.padStart(10)}${`${med.toFixed(1)} ms`.padStart(10)}` +
        `${Math.min(...times)
          .toFixed(1)
          .padStart(9)}${Math.max(...times)
          .toFixed(1)
          .padStart(9)}${med > budgetMs ? '  OVER BUDGET' : ''}`,
    );
  }
  if (over) {
    console.error(`\n${over} handler(s) over the ${budgetMs} ms budget`);
    process.exitCode = 1;
  }
} finally {
  if (!values.keep) rmSync(outdir, { recursive: true, force: true });
  else console.log(`\nbundles kept in ${outdir}`);
}
