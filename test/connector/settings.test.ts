/**
 * The connector's own environment variables: every one is checked at start, a malformed value is named
 * with the variable, and an empty one counts as unset.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorSettingsError, connectorSettingsFromEnv } from '../../connector/settings.js';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    connectorSettingsFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorSettingsError);
    return (err as ConnectorSettingsError).problems;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('connectorSettingsFromEnv', () => {
  it('gives the documented defaults when nothing is set, and reads what is set', () => {
    expect(connectorSettingsFromEnv({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      advertiseUrl: undefined,
      id: undefined,
      leaseMs: 15_000,
      managementEndpoint: undefined,
      allowedWebhookNetworks: [],
      webhookConnectionsPerOrigin: undefined,
      shutdownDeadlineMs: 50_000,
      channelLogWrites: 'put',
      logLingerMs: undefined,
    });
    expect(
      connectorSettingsFromEnv({
        BRIDGE_CONNECTOR_PORT: '9090',
        BRIDGE_CONNECTOR_HOST: '127.0.0.1',
        BRIDGE_CONNECTOR_ADVERTISE: 'http://10.0.3.7:9090',
        BRIDGE_CONNECTOR_ID: 'task-7f3a',
        BRIDGE_LEASE_MS: '3000',
        BRIDGE_WEBSOCKET_MANAGEMENT_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/live',
        BRIDGE_WEBHOOK_ALLOW_CIDRS: ' 10.20.0.0/16, fd00::/8 ,127.0.0.1',
        BRIDGE_WEBHOOK_CONNECTIONS_PER_ORIGIN: '16',
        BRIDGE_SHUTDOWN_DEADLINE_MS: '20000',
        BRIDGE_CHANNEL_LOG_WRITES: 'transaction',
        BRIDGE_LOG_LINGER_MS: '0',
      }),
    ).toEqual({
      port: 9090,
      host: '127.0.0.1',
      advertiseUrl: 'http://10.0.3.7:9090',
      id: 'task-7f3a',
      leaseMs: 3000,
      managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/live',
      allowedWebhookNetworks: ['10.20.0.0/16', 'fd00::/8', '127.0.0.1'],
      webhookConnectionsPerOrigin: 16,
      shutdownDeadlineMs: 20_000,
      channelLogWrites: 'transaction',
      logLingerMs: 0,
    });
  });

  it('treats an empty variable as unset', () => {
    const s = connectorSettingsFromEnv({ BRIDGE_LEASE_MS: '', BRIDGE_CHANNEL_LOG_WRITES: '' });
    expect(s.leaseMs).toBe(15_000);
    expect(s.channelLogWrites).toBe('put');
  });

  it('names the variable and its value for each malformed number', () => {
    for (const bad of ['soon', '0', '-3', '1.5', '2e4', ' 15000', '999']) {
      expect(problems({ BRIDGE_LEASE_MS: bad })).toEqual([
        `BRIDGE_LEASE_MS must be a whole number from 1000 to 600000: ${bad}`,
      ]);
    }
    expect(problems({ BRIDGE_CONNECTOR_PORT: '65536' })).toEqual([
      'BRIDGE_CONNECTOR_PORT must be a whole number from 1 to 65535: 65536',
    ]);
    expect(problems({ BRIDGE_LOG_LINGER_MS: '5000' })).toEqual([
      'BRIDGE_LOG_LINGER_MS must be a whole number from 0 to 1000: 5000',
    ]);
  });

  it('refuses a value that used to fall back silently: an unknown write mode, a bad URL, a bad network', () => {
    expect(
      problems({
        BRIDGE_CHANNEL_LOG_WRITES: 'batch',
        BRIDGE_WEBSOCKET_MANAGEMENT_URL: 'localhost:3001',
        BRIDGE_WEBHOOK_ALLOW_CIDRS: '10.0.0.0/8,intranet,1.2.3.4/40',
        BRIDGE_CONNECTOR_ID: 'two words',
      }),
    ).toEqual([
      'BRIDGE_CONNECTOR_ID must be 1 to 128 letters, digits or . _ : @ -: two words',
      'BRIDGE_WEBSOCKET_MANAGEMENT_URL must be an http(s) or ws(s) URL: localhost:3001',
      'BRIDGE_WEBHOOK_ALLOW_CIDRS must list IP addresses or CIDR blocks, comma-separated; not one: intranet',
      'BRIDGE_WEBHOOK_ALLOW_CIDRS must list IP addresses or CIDR blocks, comma-separated; not one: 1.2.3.4/40',
      'BRIDGE_CHANNEL_LOG_WRITES must be put or transaction: batch',
    ]);
  });
});
