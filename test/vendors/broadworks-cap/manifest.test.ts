/** The broadworks-cap manifest: options with defaults, the API's strict view, link and session credentials. */
import { describe, expect, it } from 'vitest';
import manifest, {
  BroadWorksCapLinkOptions,
  BroadWorksCapOptions,
} from '../../../vendors/broadworks-cap/manifest.js';
import simVendor from '../../../vendors/broadworks-cap/simulator/index.js';
import { defaultDirectory } from '../../../simulator/directory.js';

describe('broadworks-cap manifest', () => {
  it('declares the vendor and applies the option defaults', () => {
    expect(manifest).toMatchObject({
      id: 'broadworks-cap',
      schemes: ['tcp', 'tls'],
      doc: 'docs/protocols/broadworks-cap.md',
    });
    expect(BroadWorksCapOptions.parse({})).toMatchObject({
      mode: 'cap-c',
      connections: 2,
      silenceTimeoutMs: 120_000,
      rejectUnauthorized: true,
    });
    expect(BroadWorksCapOptions.parse({ mode: 'ccc2', connections: 4 })).toMatchObject({
      mode: 'ccc2',
      connections: 4,
    });
    expect(() => BroadWorksCapOptions.parse({ mode: 'cap' })).toThrow();
  });

  it('the API view has no defaults and rejects unknown fields', () => {
    expect(BroadWorksCapLinkOptions.parse({})).toEqual({});
    expect(() => BroadWorksCapLinkOptions.parse({ nope: 1 })).toThrow();
  });

  it('links need no credentials; sessions carry a password and optional userType and monitor list', () => {
    expect(manifest.credentials.parse({})).toEqual({});
    expect(() => manifest.credentials.parse({ token: 'x' })).toThrow();
    const sessions = manifest.sessions!;
    expect(sessions.credentials.parse({ password: 'pw' })).toEqual({ password: 'pw' });
    expect(() => sessions.credentials.parse({})).toThrow();
    expect(sessions.options!.parse({ userType: 'AttendantConsole', monitor: ['bob'] })).toEqual({
      userType: 'AttendantConsole',
      monitor: ['bob'],
    });
    expect(() => sessions.options!.parse({ userType: 'Supervisor' })).toThrow();
  });

  it('the simulator front-end offers a CAP-C link (a session per seed user and queue) and a CCC2 link on the next port', () => {
    expect(simVendor).toMatchObject({ id: 'broadworks-cap', control: 'cap' });
    const dir = defaultDirectory();
    const links = simVendor.localLinks({ port: 4000, url: 'tcp://127.0.0.1:4000' }, dir, [
      { username: 'bridge', password: 'pw-1' },
    ]);
    expect(links).toEqual([
      {
        id: 'sim-cap',
        endpoint: 'tcp://127.0.0.1:4000',
        options: { mode: 'cap-c', applicationId: 'cti-bridge-local', dtmfActionType: 'TransmitDTMF' },
        sessions: [...dir.users, ...dir.queues].map((u) => ({
          user: u.userId,
          credentials: { password: 'pw-1' },
        })),
      },
      {
        id: 'sim-ccc2',
        endpoint: 'tcp://127.0.0.1:4001',
        options: { mode: 'ccc2', dtmfActionType: 'TransmitDTMF' },
      },
    ]);
    for (const l of links) expect(() => BroadWorksCapLinkOptions.parse(l.options)).not.toThrow();
  });
});
