/**
 * The one SOAP client of the driver: a POST of one request envelope to a CTIPS service URL with a
 * connect timeout, a whole-request timeout and a size limit on the answer (`node:http`/`node:https`,
 * so that a link's own CA and `rejectUnauthorized` apply). Transport failures reject with
 * `LinkUnavailableError`; a SOAP fault with `CtipsFault` (from the wire's parseResponse); anything
 * else that is not an envelope with `SoapGarbageError`.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { LinkUnavailableError } from '../../driver-kit/seam.js';

export interface SoapHttpConfig {
  requestTimeoutMs: number;
  maxBytes: number;
  rejectUnauthorized: boolean;
  ca?: string;
}

export interface SoapAnswer {
  status: number;
  body: string;
}

/**
 * @example
 * const client = new SoapHttp({ requestTimeoutMs: 10000, maxBytes: 1 << 20, rejectUnauthorized: true });
 * const answer = await client.post('http://ctips:8170/svc', 'http://tempuri.org/AgentCallService/OnLine', xml);
 */
export class SoapHttp {
  constructor(private readonly cfg: SoapHttpConfig) {}

  post(target: string, soapAction: string, xml: string): Promise<SoapAnswer> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return Promise.reject(new LinkUnavailableError(`aspect-ctips: invalid URL ${target}`));
    }
    const secure = url.protocol === 'https:';
    const { requestTimeoutMs, maxBytes, rejectUnauthorized, ca } = this.cfg;
    const body = Buffer.from(xml, 'utf8');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const options: https.RequestOptions = {
      method: 'POST',
      host,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        'content-length': String(body.length),
        soapaction: `"${soapAction}"`,
      },
      agent: false,
      ...(secure
        ? { rejectUnauthorized, ...(ca ? { ca } : {}), ...(net.isIP(host) ? {} : { servername: host }) }
        : {}),
    };
    const what = `${url.host}${url.pathname}`;
    return new Promise<SoapAnswer>((resolve, reject) => {
      let settled = false;
      const done = (err: Error | undefined, answer?: SoapAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const req = (secure ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            done(new LinkUnavailableError(`aspect-ctips ${what}: answer exceeds ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          done(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => done(new LinkUnavailableError(`aspect-ctips ${what}: ${err.message}`)));
      });
      const timer = setTimeout(
        () => done(new LinkUnavailableError(`aspect-ctips ${what}: no answer within ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
      timer.unref?.();
      req.on('error', (err) => done(new LinkUnavailableError(`aspect-ctips ${what} failed: ${err.message}`)));
      req.end(body);
    });
  }
}
