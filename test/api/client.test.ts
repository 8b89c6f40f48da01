/**
 * The typed client (`client/`): its types are generated from the OpenAPI document the API serves and
 * the committed file is that generation (regenerate with `npm run client:gen`); it reaches a running
 * stack, and an error comes back as the API's problem.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeClient, describeProblem } from '../../client/index.js';
import type { LocalStack } from '../../local/stack.js';
import { clientSchemaSource } from '../../scripts/gen-client.js';
import { api, testStack } from '../support/stack.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

describe('typed client', () => {
  it('is generated from the served OpenAPI document, and the committed file is up to date', async () => {
    const served = (await api(stack).get('/v1/openapi.json')).body;
    const committed = readFileSync(new URL('../../client/schema.ts', import.meta.url), 'utf8');
    expect(await clientSchemaSource(served)).toBe(committed);
  });

  it('talks to the API: data on success, the problem on an error', async () => {
    const bridge = createBridgeClient({ api: stack.httpUrl, key: stack.adminKey });
    const health = await bridge.GET('/v1/health');
    expect(health.data?.status).toBe('ok');
    const created = await bridge.POST('/v1/tenants', { body: { id: 'typed-client' } });
    expect(created.response.status).toBe(201);
    expect(created.data?.id).toBe('typed-client');
    const missing = await bridge.GET('/v1/links/{link}', { params: { path: { link: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.title).toBe('Not Found');
    expect(describeProblem(missing.response.status, missing.error)).toMatch(/^404 Not Found/);
  });
});
