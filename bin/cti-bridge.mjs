#!/usr/bin/env node
// The `cti-bridge` command (cli/main.ts), run from the TypeScript sources.
import process from 'node:process';
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
await main();
