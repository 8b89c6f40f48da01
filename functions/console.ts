/**
 * The console page's files (`console/`, built by Vite to `console/dist`), served by the HTTP API itself
 * at `/console/`: the page then talks to the API on its own origin, so no CORS is needed, in AWS as
 * locally. No authorizer: the files hold no data; the page asks for an API key and sends it with every
 * API request.
 *
 * Only the files found in the directory when the function starts are served (a fixed listing, so no
 * path from a request ever reaches the file system), with their media type, a cache policy (the hashed
 * assets for a year, the page itself never), and headers that keep the page out of frames and limit
 * what it may load (`Content-Security-Policy`).
 *
 * @example
 * // GET /console (or /console/) → index.html (its assets are addressed as /console/assets/...)
 * // GET /console/assets/index-3f2a9c.js → the script, cached for a year
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Problem } from '../shared/http/problem.js';

/** Route keys of the console (HTTP API), outside the API's manifest: they serve files, not resources. */
export const CONSOLE_ROUTES = ['GET /console', 'GET /console/{file+}'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: string;
  type: string;
  cache: string;
}

/** Where the built files are: `CONSOLE_DIR`, else `console/` beside the bundle (AWS), else the build output. */
export function consoleDir(): string {
  if (process.env.CONSOLE_DIR) return process.env.CONSOLE_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'console');
  if (existsSync(join(bundled, 'index.html'))) return bundled;
  return join(here, '..', 'console', 'dist');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** Every servable file of `dir`, by its path under `/console/` (read once). */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const full of listFiles(dir)) {
    const type = TYPES[extname(full)];
    if (!type || full.endsWith('.map')) continue;
    const name = relative(dir, full).split(sep).join('/');
    assets.set(name, {
      body: readFileSync(full).toString('base64'),
      type,
      cache: name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return assets;
}

let assets: Map<string, Asset> | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  assets ??= loadAssets(consoleDir());
  const file = event.pathParameters?.file ?? '';
  const asset = assets.get(file === '' ? 'index.html' : file);
  if (!asset) {
    const problem = assets.size
      ? new Problem(404, 'Not Found', `the console has no file ${JSON.stringify(file)}`)
      : new Problem(
          503,
          'Service Unavailable',
          'the console is not built: run `npm run console:build` (npm start builds it when missing)',
        );
    return problem.response();
  }
  return {
    statusCode: 200,
    headers: { 'content-type': asset.type, 'cache-control': asset.cache, ...SECURITY_HEADERS },
    body: asset.body,
    isBase64Encoded: true,
  };
}
