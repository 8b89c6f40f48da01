/** The aspect-ctips manifest: options with defaults and limits, the API's strict view, the credentials, no sessions. */
import { describe, expect, it } from 'vitest';
import manifest, {
  AspectCtipsLinkOptions,
  AspectCtipsOptions,
} from '../../../vendors/aspect-ctips/manifest.js';

describe('aspect-ctips manifest', () => {
  it('declares the vendor, no per-user sessions, and applies the option defaults', () => {
    expect(manifest).toMatchObject({
      id: 'aspect-ctips',
      schemes: ['http', 'https'],
      doc: 'docs/protocols/aspect-ctips.md',
    });
    expect(manifest.sessions).toBeUndefined();
    expect(AspectCtipsOptions.parse({})).toMatchObject({
      failover: [],
      tenantId: 1,
      messageClasses: [
        'EventCategoryAgent',
        'EventCategoryCall',
        'EventCategoryRoute',
        'EventCategorySystem',
      ],
      filters: [],
      heartbeatTimeoutMs: 120_000,
      outcomeTimeoutMs: 10_000,
      routeDeadlineMs: 8_000,
      namespaces: {},
      rejectUnauthorized: true,
      maxBodyBytes: 1024 * 1024,
    });
  });

  it('failover URLs are http(s) service URLs; filters take the allowed field types; message classes are the four categories', () => {
    expect(AspectCtipsOptions.parse({ failover: ['https://ctips2:8170/svc'] }).failover).toEqual([
      'https://ctips2:8170/svc',
    ]);
    expect(() => AspectCtipsOptions.parse({ failover: ['tcp://ctips2:8170'] })).toThrow();
    expect(() =>
      AspectCtipsOptions.parse({ filters: [{ fieldType: 'FT_TENANT_ID', value: '1' }] }),
    ).toThrow();
    expect(() => AspectCtipsOptions.parse({ messageClasses: ['EventCategoryFoo'] })).toThrow();
    expect(() => AspectCtipsOptions.parse({ messageClasses: [] })).toThrow();
  });

  it('the API view has no defaults and rejects unknown fields; credentials are the AD account', () => {
    expect(AspectCtipsLinkOptions.parse({})).toEqual({});
    expect(() => AspectCtipsLinkOptions.parse({ nope: 1 })).toThrow();
    expect(manifest.credentials.parse({ username: 'svc-cti', password: 'x' })).toEqual({
      username: 'svc-cti',
      password: 'x',
    });
    expect(() => manifest.credentials.parse({ username: 'svc-cti' })).toThrow();
  });
});
