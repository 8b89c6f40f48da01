/**
 * HTTP routing of the simulator: `/inyama/service/...` (the doc's `/service/inyama/...` order too, L498).
 * Order of checks, cheapest first, so nothing unauthenticated is parsed (internet-facing hygiene):
 * 1. the route (404) and its method (405 with `Allow`);
 * 2. login aside, the `ClientSessionId` header names a live session (401, rule 4), before any body is read;
 * 3. a redirected secondary answers SERVICE_REDIRECTED (rule 27), except to logout;
 * 4. `Content-Type: text/json` is refused (415: JSON is not simulated, rule 26);
 * 5. the body is read up to `maxBodyBytes` (413), then parsed by the wire codec (no DTDs);
 * 6. the `server-errors` fault answers 500 to service requests (rule 11).
 * Events a request causes are held back until its reply is written (only while its handler runs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRequest, requestKindOf } from '../wire/requests.js';
import { handleCall } from './calls.js';
import { handleDevice, handleSnapshot } from './devices.js';
import { heartbeat, login, logout, redirectedReply, type LoginContext } from './login.js';
import { errorReply, guarded, type Reply } from './reply.js';
import type { IpoSession } from './sessions.js';

export interface HttpContext extends LoginContext {
  /** Service requests still to fail with 500 (fault). */
  serverErrors: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, r: Reply): void {
  const headers = { ...r.headers };
  if (r.body === undefined) headers['content-length'] = '0';
  res.writeHead(r.status, headers);
  res.end(r.body);
}

type Route = 'session' | 'heartbeat' | 'snapshot' | 'service';

function routeOf(pathname: string): Route | undefined {
  const m = /^\/(?:inyama\/service|service\/inyama)\/(.+?)\/?$/i.exec(pathname);
  if (!m) return undefined;
  const tail = m[1]!.toLowerCase();
  if (tail === 'session') return 'session';
  if (tail === 'session/heartbeat') return 'heartbeat';
  if (tail === 'snapshot') return 'snapshot';
  return requestKindOf(tail) ? 'service' : undefined;
}

const ALLOWED: Readonly<Record<Route, string[]>> = {
  session: ['POST', 'DELETE'],
  heartbeat: ['POST'],
  snapshot: ['GET'],
  service: ['POST'],
};

/**
 * Answers one HTTP request.
 *
 * @example
 * createServer((req, res) => void route(ctx, req, res));
 */
export async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let release = () => {};
  try {
    const answered = await answer(ctx, req);
    // events the handler causes wait for its reply (only the synchronous handler is held, never a body upload)
    release = ctx.hub.hold();
    const reply = typeof answered === 'function' ? answered() : answered;
    write(res, reply);
    release();
    reply.after?.();
  } catch {
    if (!res.headersSent)
      write(
        res,
        errorReply(500, [{ code: 'SERVER_PROBLEM', errorValue: '', description: 'internal error' }]),
      );
  } finally {
    release();
  }
}

/** The checks up to the body; then the handler, to run once the body is in. */
async function answer(ctx: HttpContext, req: IncomingMessage): Promise<Reply | (() => Reply)> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const method = req.method ?? 'GET';
  const r = routeOf(url.pathname);
  if (!r) {
    req.resume();
    return errorReply(404, [{ code: 'UNKNOWN', errorValue: url.pathname, description: 'not found' }]);
  }
  if (!ALLOWED[r].includes(method)) {
    req.resume();
    return errorReply(405, [{ code: 'UNKNOWN', errorValue: method, description: 'method not allowed' }], {
      allow: ALLOWED[r].join(', '),
    });
  }
  const isLogin = r === 'session' && method === 'POST';
  const session = isLogin ? undefined : ctx.sessions.get(String(req.headers.clientsessionid ?? ''));
  if (!isLogin && !session) {
    req.resume();
    return errorReply(401, [
      {
        code: 'UNAUTHORIZED',
        errorValue: 'ClientSessionId',
        description: 'unknown or missing ClientSessionId',
      },
    ]);
  }
  if (session && ctx.ha.phase.is('redirected') && !(r === 'session' && method === 'DELETE')) {
    req.resume();
    return redirectedReply(ctx.ha);
  }
  if (/^text\/json/i.test(String(req.headers['content-type'] ?? ''))) {
    req.resume();
    return errorReply(415, [
      { code: 'INVALID_INPUT_XML_DATA', errorValue: 'Content-Type', description: 'JSON is not supported' },
    ]);
  }
  let body: string;
  try {
    body = await readBody(req, ctx.opts.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      return errorReply(413, [
        { code: 'INVALID_INPUT_XML_DATA', errorValue: 'body', description: 'request body too large' },
      ]);
    }
    throw err;
  }
  const host = String(req.headers.host ?? '');
  return () => (isLogin ? login(ctx, body, host) : dispatch(ctx, r, session!, url.pathname, body));
}

function dispatch(ctx: HttpContext, r: Route, s: IpoSession, pathname: string, body: string): Reply {
  if (r === 'session') return logout(ctx, s);
  if (r === 'heartbeat') return heartbeat(ctx, s);
  if (ctx.serverErrors > 0) {
    ctx.serverErrors--;
    return errorReply(500, [
      { code: 'SERVER_PROBLEM', errorValue: '', description: 'injected server fault' },
    ]);
  }
  if (r === 'snapshot') return guarded(() => handleSnapshot(ctx, s));
  const parsed = parseRequest(pathname, body, { maxBytes: ctx.opts.maxBodyBytes });
  if (!parsed.ok) return errorReply(parsed.status, parsed.errors);
  const request = parsed.request;
  return guarded(() => {
    switch (request.kind) {
      case 'setAgentState':
      case 'getAgentState':
      case 'setForwarding':
      case 'getForwarding':
      case 'setDoNotDisturb':
      case 'getDoNotDisturb':
        return handleDevice(ctx, s, request);
      default:
        return handleCall(ctx, s, request);
    }
  });
}
