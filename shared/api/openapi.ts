/**
 * Generates the OpenAPI 3.1 document from the route manifest and its zod schemas (JSON Schema 2020-12,
 * which is OpenAPI 3.1's dialect). Served at GET /v1/openapi.json.
 */
import { z } from 'zod';
import { ROUTES, type RouteDef } from './routes.js';
import { Problem } from './schemas.js';
import { exampleFor, problemExample } from './examples.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(route: RouteDef): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const js = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = prop as Json;
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add('path', route.params);
  add('query', route.query);
  return out;
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } as Json },
});

export function buildOpenApi(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const responses: Json = {};
    for (const [status, def] of Object.entries(route.responses)) {
      responses[status] =
        Number(status) >= 400
          ? problemResponse(def.description)
          : def.schema
            ? {
                description: def.description,
                content: {
                  'application/json': {
                    schema: schemaOf(def.schema, 'output'),
                    example: exampleFor(def.schema, route),
                  },
                },
              }
            : { description: def.description };
    }
    if (route.body || route.query || route.params) responses['400'] = problemResponse('Invalid request');
    if (route.auth !== 'none') {
      responses['401'] = problemResponse('Missing or invalid API key');
      responses['403'] = problemResponse('The key may not use this route');
    }
    if (route.params) responses['404'] = problemResponse('Not found');
    if (route.fn === 'calls') {
      // through the connector that owns the link to the vendor (shared/commands/errors.ts)
      responses['409'] ??= problemResponse('The vendor refused: the call or user is not in a state for this');
      responses['422'] ??= problemResponse('The vendor refused the request as invalid');
      responses['502'] = problemResponse('The vendor or the connector failed (problem `vendor-error`)');
      responses['503'] = problemResponse('The link is not up or moving to another connector (`Retry-After`)');
      responses['504'] = problemResponse("The vendor's outcome did not arrive in time");
    } else if (route.method === 'POST' && route.body) {
      responses['409'] ??= problemResponse('Already exists');
      responses['422'] ??= problemResponse('Refers to something that does not exist');
    }
    if (route.body) {
      responses['413'] = problemResponse('The body is larger than 1 MiB');
      responses['415'] = problemResponse('The body is not application/json');
    }
    responses['500'] = problemResponse('Unexpected error');
    // every problem answer with an example built by the code that answers it
    for (const [status, res] of Object.entries(responses)) {
      const media = (res as { content?: Record<string, Json> }).content?.['application/problem+json'];
      if (media) media.example = problemExample(route, Number(status));
    }
    const op: Json = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route),
      responses,
      security: route.auth === 'none' ? [] : [{ bearer: [] }],
      'x-cti-bridge-auth': route.auth,
    };
    if (route.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    const method = route.method.toLowerCase();
    paths[route.path] = { ...(paths[route.path] ?? {}), [method]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cti-bridge control API',
      version,
      description:
        'One HTTP API over every PBX vendor: tenants, links, sessions, channels, subscriptions, events and call control. Errors are RFC 9457 problems (application/problem+json) naming the failing fields.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: schemaOf(Problem, 'output') },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Admin key (manages tenants) or tenant API key (acts inside its tenant)',
        },
      },
    },
  };
}
