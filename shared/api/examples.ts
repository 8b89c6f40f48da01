/**
 * Examples for the OpenAPI document: one per response schema of the route manifest, and one problem per
 * error status of each route. The answers are written once per schema here and checked against that
 * schema by test/api/openapi.test.ts. The problems are built by the code that answers them
 * (`problems`, `commandProblem`, a real validation failure of the route's own schema), so an example
 * cannot drift from what the API sends.
 *
 * @example
 * exampleFor(S.LinkView); // {id: 'pbx-east', vendor: 'broadworks-cti', status: 'up', ...}
 * problemExample(route, 404); // {type: 'about:blank', title: 'Not Found', status: 404, ...}
 */
import { z } from 'zod';
import { MAX_BODY_BYTES } from '../http/limits.js';
import { commandProblem } from '../commands/problems.js';
import { COMMAND_ERRORS } from '../commands/errors.js';
import { EXAMPLES as EVENT_EXAMPLES } from '../events/examples.js';
import { problems, type ProblemBody } from '../http/problem.js';
import type { RouteDef } from './routes.js';
import * as S from './schemas.js';
import { Call } from '../events/model.js';

const T0 = '2026-12-06T10:15:00.000Z';
const LATER = '2026-12-07T10:15:00.000Z';

const call: z.infer<typeof Call> = {
  id: 'callhalf-7721:0',
  correlationId: '1f1c8d6e-7b7a-4a25-9d1e-2c4b5f1e9a10',
  state: 'active',
  direction: 'inbound',
  local: { user: 'alice@example.com', address: 'tel:+15551001' },
  remote: { address: 'tel:+15559876', name: 'Customer' },
  startedAt: T0,
  answeredAt: '2026-12-06T10:15:04.000Z',
};

const link: z.infer<typeof S.LinkView> = {
  id: 'pbx-east',
  vendor: 'broadworks-cti',
  endpoint: 'tls://cti.pbx.example.com:8012',
  options: { callPackage: 'Advanced Call' },
  status: 'up',
  since: T0,
  lastError: null,
  lastEventAt: '2026-12-06T10:20:31.412Z',
  createdAt: T0,
  updatedAt: T0,
};

const channel: z.infer<typeof S.ChannelView> = {
  id: 'ch_01JEXAMPLE4W5Z',
  type: 'webhook',
  url: 'https://crm.example.com/cti/webhook',
  ttlSeconds: 86_400,
  expiresAt: LATER,
  createdAt: T0,
  status: 'active',
  disabledReason: null,
  routing: false,
};

const subscription: z.infer<typeof S.SubscriptionView> = {
  id: 'sub_01JEXAMPLE9K2M',
  channel: channel.id,
  link: link.id,
  target: { type: 'user', id: 'alice@example.com' },
  events: ['call', 'agent'],
  ttlSeconds: 86_400,
  expiresAt: LATER,
  createdAt: T0,
  state: 'active',
  stateReason: null,
};

const session: z.infer<typeof S.SessionView> = {
  id: 'ses_01JEXAMPLE3Q7T',
  link: 'ccc2-west',
  user: 'carol@example.com',
  options: {},
  state: 'active',
  reason: null,
  stateAt: T0,
  ttlSeconds: 3_600,
  expiresAt: '2026-12-06T11:15:00.000Z',
  createdAt: T0,
};

const event = { ...EVENT_EXAMPLES['call.answered'], id: 'evt_pbx-east_1042', seq: 1042 };

/** One example per response schema of the manifest (pages and lists are derived from their items). */
const BY_SCHEMA = new Map<z.ZodType, unknown>([
  [S.Health, { status: 'ok', version: '0.1.0', time: T0 }],
  [S.TenantView, { id: 'acme', name: 'ACME Contact Centre', createdAt: T0 }],
  [
    S.KeyCreated,
    {
      id: 'key_01JEXAMPLE',
      tenant: 'acme',
      name: 'crm',
      createdAt: T0,
      key: 'ctb_acme_9f8e7d6c5b4a39281706',
    },
  ],
  [S.LinkView, link],
  [S.SessionView, session],
  [S.ChannelView, channel],
  [S.ChannelCreated, { ...channel, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  [
    S.SecretRotated,
    {
      secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
      previousSecretValidUntil: '2026-12-07T10:15:00.000Z',
    },
  ],
  [
    S.DeliveryView,
    {
      seq: 17,
      eventId: event.id,
      eventType: event.type,
      link: link.id,
      eventSeq: event.seq,
      status: 'delivered',
      attempts: [
        { at: '2026-12-06T10:15:04.120Z', statusCode: 503, latencyMs: 212, error: null },
        { at: '2026-12-06T10:15:09.400Z', statusCode: 204, latencyMs: 38, error: null },
      ],
      attemptCount: 2,
      nextAttemptAt: null,
      createdAt: '2026-12-06T10:15:04.050Z',
      settledAt: '2026-12-06T10:15:09.438Z',
    },
  ],
  [S.ReplayResult, { queued: 120, links: [{ link: link.id, lastSeq: 1162 }], truncated: false }],
  [S.SubscriptionView, subscription],
  [
    S.DirectoryUserView,
    { id: 'alice@example.com', extension: '1001', name: 'Alice Smith', number: '+15551001' },
  ],
  [Call, call],
  [S.Dialed, { callId: 'callhalf-7730:0', correlationId: '8d0c3f5a-51b0-4a8e-9a4c-2f1d1b6c7e21' }],
  [S.AgentStateView, { state: 'unavailable', reason: 'Lunch' }],
  [S.DndView, { enabled: true }],
  [S.ForwardingView, { enabled: true, to: '+15557000' }],
  [
    S.QueuedCalls,
    {
      items: [
        {
          id: 'q-88121',
          position: 1,
          from: '+15559876',
          fromName: 'Customer',
          dnis: '+15552000',
          enteredAt: T0,
        },
        { id: 'q-88125', position: 2, from: '+15554321', enteredAt: '2026-12-06T10:15:20.000Z', priority: 1 },
      ],
    },
  ],
  [S.CallDataView, { userData: { '1': 'ACC-20931', '2': 'gold' } }],
  [S.RouteSelectView, { outcome: 'used', route: { type: 'agent', destination: 'carol' } }],
  [
    S.RawResult,
    {
      status: 200,
      body: '<CallStartInfo xmlns="http://schema.broadsoft.com/xsi"><callId>callhalf-7730:0</callId></CallStartInfo>',
    },
  ],
]);

const OPENAPI_EXAMPLE = {
  openapi: '3.1.0',
  info: { title: 'cti-bridge control API', version: '0.1.0' },
  paths: {},
};
const JSON_SCHEMA_EXAMPLE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'cti-bridge event',
  oneOf: [],
};

/** The example of a response schema: its own, or one built from its items (pages, lists). */
export function exampleFor(schema: z.ZodType, route?: Pick<RouteDef, 'operationId'>): unknown {
  if (BY_SCHEMA.has(schema)) return BY_SCHEMA.get(schema);
  if (route?.operationId === 'getOpenApi') return OPENAPI_EXAMPLE;
  if (route?.operationId === 'getEventSchema') return JSON_SCHEMA_EXAMPLE;
  if (route?.operationId === 'listEvents') return { items: [event], nextCursor: '1042' };
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>;
    const items = shape.items;
    if (items instanceof z.ZodArray) {
      const item = exampleFor(items.element as z.ZodType);
      if (item === undefined) return undefined;
      return 'nextCursor' in shape ? { items: [item], nextCursor: null } : { items: [item] };
    }
  }
  return undefined;
}

/** A 400 from a real validation failure of the route's own schema (body, else query, else path). */
function badRequest(route: RouteDef): ProblemBody {
  const tries: ['body' | 'query' | 'path', z.ZodType | undefined, unknown][] = [
    ['body', route.body, {}],
    ['query', route.query, { limit: '0' }],
    ['path', route.params, {}],
  ];
  for (const [part, schema, input] of tries) {
    const r = schema?.safeParse(input);
    if (r && !r.success) return problems.validation(part, r.error).body();
  }
  return problems.malformedJson('Unexpected token } in JSON at position 12').body();
}

const exampleLink = { id: link.id, vendor: link.vendor, status: 'down', lastError: 'connect ECONNREFUSED' };

/**
 * A command error as the API answers it (`commandProblem`), on the example link: the table's status for
 * its kind unless `status` is given; a `vendor` error keeps the vendor's own code and text.
 */
const commandExample = (
  kind: keyof typeof COMMAND_ERRORS,
  message: string,
  status: number = COMMAND_ERRORS[kind].status,
  vendor: { code?: string; text?: string } = {},
) =>
  commandProblem(
    {
      kind,
      message,
      status,
      ...(kind === 'vendor' ? { vendor: { name: 'broadworks-cti', ...vendor } } : {}),
    },
    exampleLink,
  ).body();

/** The problem a route answers with `status`, built by the code that answers it. */
export function problemExample(route: RouteDef, status: number): ProblemBody {
  const calls = route.fn === 'calls';
  const resource = route.tag.replace(/s$/, '');
  switch (status) {
    case 400:
      return badRequest(route);
    case 401:
      return problems.unauthorized().body();
    case 403:
      return problems.forbidden('a tenant key cannot use the admin routes').body();
    case 404:
      return problems.notFound(resource, route.path.match(/\{(\w+)\}/)?.[1]).body();
    case 409:
      return calls
        ? commandExample('vendor', 'the call is not in a state for this request', 409, {
            code: '110864',
            text: 'Invalid call state',
          })
        : problems.conflict(`the ${resource} already exists`, 'id').body();
    case 422:
      return calls
        ? commandExample('vendor', 'the vendor refused the request as invalid', 422, {
            code: '4008',
            text: 'Invalid destination',
          })
        : problems.unprocessable('no such link', 'link').body();
    case 413:
      return problems.tooLarge(MAX_BODY_BYTES).body();
    case 415:
      return problems.unsupportedMediaType().body();
    case 501:
      return commandExample('not-supported', 'the vendor has no request for this');
    case 502:
      return commandExample('vendor', 'the vendor answered 500 Internal Server Error', 502);
    case 503:
      return commandExample('unavailable', 'the link is not up');
    case 504:
      return commandExample('vendor', "the vendor's outcome did not arrive within 10 s", 504);
    default:
      return problems.internal().body();
  }
}
