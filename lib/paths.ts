/** Absolute paths the CDK app needs (the repository root and handler entry files). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (lib/ lives directly under it). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of a handler entry, given relative to the repository root (e.g. `functions/authorizer.ts`). */
export const entryPath = (relative: string) => join(PROJECT_ROOT, relative);
