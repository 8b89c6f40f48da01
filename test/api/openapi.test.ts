import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes.js';
import { EVENT_TYPES } from '../../shared/events/model.js';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/stack.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document covering every route', async () => {
    const res = await api(stack).get('/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op.operationId).toBe(r.operationId);
      const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        op.parameters
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name)
          .sort(),
      ).toEqual(pathParams.sort());
    }
    // Every (path, method) in the document is a real route.
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('publishes request schemas from the zod source (unknown fields rejected, ranges documented)', async () => {
    const doc = (await api(stack).get('/v1/openapi.json')).body;
    const session = doc.paths['/v1/sessions'].post.requestBody.content['application/json'].schema;
    expect(session.additionalProperties).toBe(false);
    expect(session.properties.ttlSeconds).toMatchObject({ minimum: 60, maximum: 86400 });
    const link = doc.paths['/v1/links'].post.requestBody.content['application/json'].schema;
    const vendors = link.oneOf.map(
      (b: { properties: { vendor: { const: string } } }) => b.properties.vendor.const,
    );
    // Only vendors with a driver are accepted (vendors/index.ts registers them).
    expect(vendors).toEqual([
      'broadworks-cti',
      'avaya-mtcti3',
      'broadworks-cap',
      'avaya-ipo-cti',
      'aspect-ctips',
    ]);
  });

  it('serves the event JSON Schema with every event type', async () => {
    const res = await api(stack).get('/v1/schemas/event.json');
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const t of EVENT_TYPES) expect(text).toContain(`"${t}"`);
  });
});
