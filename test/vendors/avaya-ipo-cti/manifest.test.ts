/** The avaya-ipo-cti manifest: options with defaults and limits, the API's strict view, link and session credentials. */
import { describe, expect, it } from 'vitest';
import manifest, {
  AvayaIpoCtiLinkOptions,
  AvayaIpoCtiOptions,
} from '../../../vendors/avaya-ipo-cti/manifest.js';

describe('avaya-ipo-cti manifest', () => {
  it('declares the vendor and applies the option defaults', () => {
    expect(manifest).toMatchObject({
      id: 'avaya-ipo-cti',
      schemes: ['http', 'https'],
      doc: 'docs/protocols/avaya-ipo-cti.md',
    });
    expect(AvayaIpoCtiOptions.parse({})).toMatchObject({
      user: 'application',
      applicationName: 'cti-bridge',
      heartbeatIntervalMs: 60_000,
      wsKeepaliveMs: 20_000,
      outcomeTimeoutMs: 10_000,
      rejectUnauthorized: true,
    });
    expect(AvayaIpoCtiOptions.parse({ user: 'device', wsKeepaliveMs: 0 })).toMatchObject({
      user: 'device',
      wsKeepaliveMs: 0,
    });
  });

  it('rule 8, rule 10: the heartbeat must stay under 4 min and the WebSocket keepalive under 30 s; applicationName ≤ 50', () => {
    expect(() => AvayaIpoCtiOptions.parse({ heartbeatIntervalMs: 4 * 60_000 })).toThrow();
    expect(() => AvayaIpoCtiOptions.parse({ wsKeepaliveMs: 30_000 })).toThrow();
    expect(() => AvayaIpoCtiOptions.parse({ applicationName: 'x'.repeat(51) })).toThrow();
    expect(() => AvayaIpoCtiOptions.parse({ user: 'admin' })).toThrow();
  });

  it('the API view has no defaults and rejects unknown fields', () => {
    expect(AvayaIpoCtiLinkOptions.parse({})).toEqual({});
    expect(() => AvayaIpoCtiLinkOptions.parse({ nope: 1 })).toThrow();
  });

  it('link credentials are the application user (≤ 15 characters, L790-795); sessions carry a password and an optional userName', () => {
    expect(manifest.credentials.parse({ username: 'ctiapp', password: 'pw' })).toEqual({
      username: 'ctiapp',
      password: 'pw',
    });
    expect(manifest.credentials.parse({})).toEqual({});
    expect(() => manifest.credentials.parse({ username: 'x'.repeat(16) })).toThrow();
    const sessions = manifest.sessions!;
    expect(sessions.credentials.parse({ password: '' })).toEqual({ password: '' });
    expect(() => sessions.credentials.parse({})).toThrow();
    expect(sessions.options!.parse({ userName: 'Extn201' })).toEqual({ userName: 'Extn201' });
    expect(() => sessions.options!.parse({ userName: 'x'.repeat(16) })).toThrow();
    expect(sessions.requiredForUserTargets!({ user: 'device' })).toBe(true);
    expect(sessions.requiredForUserTargets!({})).toBe(false);
  });
});
