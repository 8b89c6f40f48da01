import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes.js';
import { Problem } from '../../shared/api/schemas.js';
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

  it('has an example for every answer: each 2xx one valid against its zod schema, each problem built for its status', async () => {
    const doc = (await api(stack).get('/v1/openapi.json')).body;
    let answers = 0;
    let problemsSeen = 0;
    for (const r of ROUTES) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
        const where = `${r.operationId} ${status}`;
        const json = res.content?.['application/json'];
        if (json) {
          expect(json.example, where).toBeDefined();
          const schema = r.responses[Number(status)]?.schema;
          expect(schema, where).toBeDefined();
          const parsed = schema!.safeParse(json.example);
          expect(parsed.success, `${where}: ${parsed.error?.message}`).toBe(true);
          answers++;
        }
        const problem = res.content?.['application/problem+json'];
        if (problem) {
          const parsed = Problem.safeParse(problem.example);
          expect(parsed.success, `${where}: ${parsed.error?.message}`).toBe(true);
          expect(problem.example.status, where).toBe(Number(status));
          problemsSeen++;
        }
        expect(json || problem || Number(status) === 204 || Number(status) === 202, where).toBeTruthy();
      }
    }
    expect(answers).toBeGreaterThan(40);
    expect(problemsSeen).toBeGreaterThan(300);
    // a validation problem names the failing field of the route's own schema
    const bad =
      doc.paths['/v1/links/{link}/users/{user}/calls'].post.responses['400'].content[
        'application/problem+json'
      ].example;
    expect(bad.errors.map((e: { field: string }) => e.field)).toContain('to');
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
