import { buildOpenApi } from '../../shared/api/openapi.js';
import { schemaDocument } from '../../shared/events/model.js';
import type { Deps } from '../../shared/deps.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

export const VERSION = '0.1.0';

let openapi: unknown;
let eventSchema: unknown;

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'meta',
    {
      getHealth: async ({ now }) => ({
        status: 200,
        body: { status: 'ok', version: VERSION, time: now.toISOString() },
      }),
      getOpenApi: async () => ({ status: 200, body: (openapi ??= buildOpenApi(VERSION)) }),
      getEventSchema: async () => ({ status: 200, body: (eventSchema ??= schemaDocument()) }),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
