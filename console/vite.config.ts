/**
 * The console page's build: `npm run console:build` (and `npm start` when the build is missing or older
 * than its sources) writes `console/dist`, served by the HTTP API at `/console/` (functions/console.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // one small page: no inline data URLs (the page's CSP allows scripts and styles from itself only)
    assetsInlineLimit: 0,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
