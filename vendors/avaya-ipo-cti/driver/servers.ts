/**
 * Which one-X server the next login goes to (resiliency, L8097-8453). The link's endpoint names the
 * first server. A login response with `haConfiguration{primaryServer, secondaryServer}` makes the
 * deployment resilient; the configuration is kept for the whole life of the driver (L8162-8171):
 *
 * - a failure (WebSocket closed, heartbeat failed, login or connect failed) → the other server, after
 *   `failoverDelayMs` (L8274-8283: "alternately till connection is successful", with a delay);
 * - `SERVICE_REDIRECTED` or `HASwitchEvent{primaryServerActive=true}` → the primary (or the
 *   `activeServer` the event names) (L8345-8384).
 *
 * Without `haConfiguration` (standalone, L8103-8110) the endpoint is always used. A server is a host
 * (the configuration names hosts only) and takes the endpoint's scheme and port.
 */
import type { HaConfiguration } from '../wire/session.js';

/**
 * @example
 * const servers = new Servers('https://onex1:9443');
 * servers.learn({ primaryServer: 'onex1', secondaryServer: 'onex2' });
 * servers.failed(); // next: https://onex2:9443
 * servers.redirect(); // next: https://onex1:9443
 */
export class Servers {
  private readonly endpoint: URL;
  private ha: HaConfiguration | undefined;
  /** The host the next login goes to. */
  private host: string;

  constructor(endpoint: string) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(`invalid endpoint ${endpoint}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`unsupported endpoint scheme ${url.protocol} (http:// or https://)`);
    this.endpoint = url;
    this.host = url.hostname;
  }

  /** Whether the endpoint is https (then the WebSocket is wss). */
  get secure(): boolean {
    return this.endpoint.protocol === 'https:';
  }

  /** The HA configuration learnt from a login response, if any. */
  get configuration(): HaConfiguration | undefined {
    return this.ha;
  }

  /** `http(s)://host:port` of the server the next login goes to. */
  get current(): string {
    return this.urlOf(this.host);
  }

  /** A login succeeded: remember the HA configuration it carried (kept when a later one has none). */
  learn(ha: HaConfiguration | undefined): void {
    if (ha?.primaryServer && ha.secondaryServer) this.ha = { ...ha };
  }

  /** The current server failed: the next login tries the other one (HA) or the same (standalone). */
  failed(): void {
    const ha = this.ha;
    if (!ha) return;
    this.host = sameHost(this.host, ha.primaryServer) ? ha.secondaryServer : ha.primaryServer;
  }

  /** The primary is back (SERVICE_REDIRECTED, HASwitchEvent): the next login goes there. */
  redirect(activeServer?: string): void {
    const target = activeServer?.trim() || this.ha?.primaryServer;
    if (target) this.host = target;
  }

  private urlOf(host: string): string {
    const u = new URL(this.endpoint.toString());
    // a configuration entry may carry its own port (host:port, [v6]:port)
    let name = host;
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
    if (bracketed) [, name = host, port] = bracketed;
    else if (host.split(':').length === 2) [name = host, port] = host.split(':');
    u.hostname = name.includes(':') ? `[${name}]` : name;
    if (port) u.port = port;
    return `${u.protocol}//${u.host}`;
  }
}

const sameHost = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
