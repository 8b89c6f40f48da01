/**
 * Where the CLI finds its bridge: `--api` / `--key`, else `CTI_BRIDGE_API` / `CTI_BRIDGE_KEY`, else the
 * local stack's own (`npm start` writes `.bridge-data/local.json` with its URLs and admin key; the data
 * dir is `BRIDGE_DATA_DIR` as for `npm start`), else `http://127.0.0.1:3000` without a key.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBridgeClient, type BridgeClient } from '../client/index.js';

/** What `npm start` writes into its data dir for the CLI (`local.json`). */
export interface LocalStackInfo {
  httpUrl: string;
  wsUrl: string;
  adminKey: string;
  simulatorUrl?: string;
}

const LOCAL_INFO_FILE = 'local.json';

/** Where `npm start` with this data dir (`BRIDGE_DATA_DIR`, as it reads it) keeps `local.json`; null in memory. */
export function localInfoPath(dataDir = process.env.BRIDGE_DATA_DIR || './.bridge-data'): string | null {
  return dataDir === 'memory' ? null : join(resolve(dataDir), LOCAL_INFO_FILE);
}

export function localStackInfo(): LocalStackInfo | null {
  const file = localInfoPath();
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalStackInfo;
  } catch {
    return null;
  }
}

export interface Target {
  api: string;
  key: string | undefined;
  simulatorUrl: string;
  client: BridgeClient;
}

export function targetOf(opts: { api?: string; key?: string; simulator?: string }): Target {
  const local = localStackInfo();
  const api = opts.api ?? process.env.CTI_BRIDGE_API ?? local?.httpUrl ?? 'http://127.0.0.1:3000';
  const key = opts.key ?? process.env.CTI_BRIDGE_KEY ?? local?.adminKey;
  const simulatorUrl =
    opts.simulator ?? process.env.CTI_BRIDGE_SIMULATOR ?? local?.simulatorUrl ?? 'http://127.0.0.1:3010';
  return { api, key, simulatorUrl, client: createBridgeClient({ api, key }) };
}
