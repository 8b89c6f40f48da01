/**
 * RFC 9457 problem details. Every error the API returns is one of these, as application/problem+json,
 * naming the failing field(s) in `errors[].pointer` (a JSON Pointer into the request) and `errors[].field`.
 */
import type { ZodError, ZodType } from 'zod';

export interface FieldError {
  /** JSON pointer into the request part, e.g. `#/target/type` (body), `#/query/limit`, `#/path/link`. */
  pointer: string;
  field: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extras: {
      type?: string;
      errors?: FieldError[];
      headers?: Record<string, string>;
      [k: string]: unknown;
    } = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }

  /**
   * The problem as an HTTP answer (API Gateway's proxy result shape): its status, `application/problem+json`
   * with the problem's own headers (e.g. `Allow`, `Retry-After`), and its body.
   *
   * @example
   * new Problem(503, 'Service Unavailable', 'starting', { headers: { 'retry-after': '1' } }).response();
   */
  response(instance?: string): { statusCode: number; headers: Record<string, string>; body: string } {
    return {
      statusCode: this.status,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...(this.extras.headers ?? {}) },
      body: JSON.stringify(this.body(instance)),
    };
  }

  body(instance?: string): ProblemBody {
    const { type, headers: _headers, ...rest } = this.extras;
    return {
      type: type ?? 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...rest,
    };
  }
}

const t = (name: string) => `urn:cti-bridge:problem:${name}`;

export const problems = {
  validation: (part: 'body' | 'query' | 'path', err: ZodError) =>
    new Problem(400, 'Request validation failed', summarize(err), {
      type: t('validation'),
      errors: err.issues.map((i) => {
        const path = i.path.map(String);
        const prefix = part === 'body' ? '#' : `#/${part}`;
        return {
          pointer: `${prefix}/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
          field: path.join('.') || part,
          detail: i.message,
        };
      }),
    }),
  malformedJson: (detail: string) =>
    new Problem(400, 'Malformed JSON', detail, {
      type: t('malformed-json'),
      errors: [{ pointer: '#', field: 'body', detail }],
    }),
  unsupportedMediaType: () =>
    new Problem(415, 'Unsupported Media Type', 'send the body as application/json', {
      type: t('unsupported-media-type'),
      errors: [
        { pointer: '#/headers/content-type', field: 'content-type', detail: 'must be application/json' },
      ],
    }),
  tooLarge: (limit: number) =>
    new Problem(413, 'Content Too Large', `the body must be at most ${limit} bytes`, {
      type: t('too-large'),
      errors: [{ pointer: '#', field: 'body', detail: `at most ${limit} bytes` }],
    }),
  unauthorized: (detail = 'missing or invalid API key') =>
    new Problem(401, 'Unauthorized', detail, {
      headers: { 'www-authenticate': 'Bearer realm="cti-bridge"' },
    }),
  forbidden: (detail: string) => new Problem(403, 'Forbidden', detail),
  notFound: (what: string, field?: string) =>
    new Problem(
      404,
      'Not Found',
      `no such ${what}`,
      field ? { errors: [{ pointer: `#/path/${field}`, field, detail: `no such ${what}` }] } : {},
    ),
  conflict: (detail: string, field: string) =>
    new Problem(409, 'Conflict', detail, {
      type: t('conflict'),
      errors: [{ pointer: `#/${field}`, field, detail }],
    }),
  unprocessable: (detail: string, field: string) =>
    new Problem(422, 'Unprocessable Content', detail, {
      type: t('invalid-reference'),
      errors: [{ pointer: `#/${field}`, field, detail }],
    }),
  invalidCursor: () =>
    new Problem(400, 'Invalid cursor', 'the cursor is invalid or belongs to another listing', {
      type: t('invalid-cursor'),
      errors: [{ pointer: '#/query/cursor', field: 'cursor', detail: 'invalid cursor' }],
    }),
  internal: () =>
    new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'),
};

function summarize(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * One field of a request body checked against a schema chosen at run time (e.g. by the link's vendor):
 * the value, or a 400 validation problem whose failing fields are named below `field`.
 *
 * @example
 * const options = checkBodyField(manifest.options, body.options, 'options');
 */
export function checkBodyField<T>(schema: ZodType<T>, value: unknown, field: string): T {
  const res = schema.safeParse(value);
  if (!res.success) {
    for (const i of res.error.issues) i.path.unshift(field);
    throw problems.validation('body', res.error);
  }
  return res.data;
}
