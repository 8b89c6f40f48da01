/**
 * The one REST client of the driver: one request to the one-X server with a connect timeout, a whole
 * request timeout and a size limit on the answer. It speaks `node:http`/`node:https` rather than the
 * global fetch because a link's own CA (`ca`) and `rejectUnauthorized` need a TLS agent, which fetch
 * takes only through undici's dispatcher (not a dependency here). What a status means is the caller's
 * business; transport failures reject with `LinkUnavailableError`.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { LinkUnavailableError } from '../../driver-kit/seam.js';

export interface HttpConfig {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Largest answer body accepted, bytes. */
  maxBytes: number;
  rejectUnauthorized: boolean;
  ca?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An absolute URL (`http(s)://host:port/inyama/service/...`). */
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * @example
 * const client = new HttpClient({ connectTimeoutMs: 5000, requestTimeoutMs: 10000, maxBytes: 1 << 20, rejectUnauthorized: true });
 * const answer = await client.send({ method: 'POST', url: 'http://onex:8080/inyama/service/session/heartbeat', headers: { ClientSessionId: id } });
 * answer.status; // 202
 */
export class HttpClient {
  constructor(private readonly cfg: HttpConfig) {}

  send(req: HttpRequest): Promise<HttpAnswer> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return Promise.reject(new Error(`invalid URL ${req.url}`));
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:')
      return Promise.reject(new Error(`unsupported scheme ${url.protocol}`));
    const { connectTimeoutMs, requestTimeoutMs, maxBytes, rejectUnauthorized, ca } = this.cfg;
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const headers: Record<string, string> = {
      accept: 'application/xml, text/xml, */*',
      ...(body
        ? { 'content-type': 'application/xml; charset=UTF-8', 'content-length': String(body.length) }
        : {}),
      ...req.headers,
    };
    const options: https.RequestOptions = {
      method: req.method,
      host,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false,
      ...(secure
        ? { rejectUnauthorized, ...(ca ? { ca } : {}), ...(net.isIP(host) ? {} : { servername: host }) }
        : {}),
    };
    const what = `${req.method} ${url.pathname}`;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const done = (err: Error | undefined, answer?: HttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(whole);
        clearTimeout(connecting);
        if (err) {
          request.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const request = (secure ? https : http).request(options, (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.destroy();
          done(
            new LinkUnavailableError(
              `avaya-ipo-cti ${what}: answer of ${declared} bytes exceeds ${maxBytes}`,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            done(new LinkUnavailableError(`avaya-ipo-cti ${what}: answer exceeds ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          done(undefined, {
            status: res.statusCode ?? 0,
            headers: flatHeaders(res.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => done(new LinkUnavailableError(`avaya-ipo-cti ${what}: ${err.message}`)));
      });
      const connecting = setTimeout(
        () =>
          done(
            new LinkUnavailableError(`avaya-ipo-cti ${what}: connect timed out after ${connectTimeoutMs} ms`),
          ),
        connectTimeoutMs,
      );
      const whole = setTimeout(
        () =>
          done(new LinkUnavailableError(`avaya-ipo-cti ${what}: no answer within ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
      connecting.unref?.();
      whole.unref?.();
      request.on('socket', (sock) => {
        const connected = () => clearTimeout(connecting);
        if (!sock.connecting) connected();
        else sock.once(secure ? 'secureConnect' : 'connect', connected);
      });
      request.on('error', (err) =>
        done(new LinkUnavailableError(`avaya-ipo-cti ${what} failed: ${err.message}`)),
      );
      request.end(body);
    });
  }
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
