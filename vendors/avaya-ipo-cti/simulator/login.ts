/**
 * Session requests of the simulator (digest §2.1-§2.2): login (`POST /inyama/service/session`) for the
 * application user and for device users, logout (`DELETE`) and the REST heartbeat. A login answers 200
 * with `loginFailureCode=NONE` (rule 1); a failed one answers a `userLoginResponse` with blank fields
 * and the failure code: 401 INVALID_CREDENTIALS, 503 + Retry-After while starting or while IP Office
 * fails over, 503 SERVICE_REDIRECTED on a redirected secondary; invalid XML or fields give 400 `<Errors>`.
 */
import { IpoXmlError } from '../wire/xml.js';
import {
  logoutEvent,
  loginResponse,
  parseLoginRequest,
  validateLoginRequest,
  type LoginResponse,
} from '../wire/session.js';
import { authenticate, devicesOf, huntGroupsOf, shortName } from './directory.js';
import type { HaControl } from './ha.js';
import { WS_PATH } from './hub.js';
import { errorReply, XML_TYPE, type Reply, type ServiceContext } from './reply.js';
import type { IpoSession, SessionRegistry } from './sessions.js';

export interface LoginContext extends ServiceContext {
  sessions: SessionRegistry;
  ha: HaControl;
}

/** A failed login: blank fields and the failure code (L1071). */
function failure(status: number, code: string, headers: Record<string, string> = {}): Reply {
  const body = loginResponse({
    kind: 'application',
    clientSessionID: '',
    loginFailureCode: code,
    devices: [],
  });
  return { status, body, headers: { 'content-type': XML_TYPE, ...headers } };
}

/** The reply every request gets on a redirected secondary (rule 27). */
export function redirectedReply(ha: HaControl): Reply {
  return errorReply(503, [
    {
      code: 'SERVICE_REDIRECTED',
      errorValue: ha.activeServer ?? '',
      description: 'the primary server is active again',
    },
  ]);
}

/**
 * @example
 * login(ctx, xmlBody, '127.0.0.1:8080'); // { status: 200, body: '<ns2:userLoginResponse …' }
 */
export function login(ctx: LoginContext, body: string, hostHeader: string): Reply {
  const retry = { 'retry-after': String(ctx.opts.retryAfterSec) };
  if (ctx.ha.phase.is('starting')) return failure(503, 'SYSTEM_STARTUP_IN_PROGRESS', retry);
  if (ctx.ha.phase.is('ipo-down')) return failure(503, 'SYSTEM_DOWN', retry);
  if (ctx.ha.phase.is('redirected')) return redirectedReply(ctx.ha);
  let req;
  try {
    req = parseLoginRequest(body, { maxBytes: ctx.opts.maxBodyBytes });
  } catch (err) {
    const description = err instanceof IpoXmlError ? err.message : 'unreadable body';
    return errorReply(400, [{ code: 'INVALID_INPUT_XML_DATA', errorValue: 'body', description }]);
  }
  if (!req)
    return errorReply(400, [
      { code: 'INVALID_INPUT_XML_DATA', errorValue: 'body', description: 'expected userLoginRequest' },
    ]);
  const invalid = validateLoginRequest(req);
  if (invalid.length) return errorReply(400, invalid);
  const who = authenticate(ctx.core, ctx.opts, req.userName, req.userPassword);
  if (!who) return failure(401, 'INVALID_CREDENTIALS');
  if (who.kind === 'device' && ctx.sessions.deviceSessionCount() >= ctx.opts.maxDeviceSessions) {
    return failure(503, 'CSTA_RESOURCE_NOT_AVAILABLE', retry);
  }
  const { session, replaced } = ctx.sessions.create({
    kind: who.kind,
    userName: req.userName,
    applicationName: req.applicationName,
    eventTypes: req.eventTypes,
    ...(who.kind === 'device' ? { userId: who.user.userId, extension: who.user.extension } : {}),
  });
  if (replaced) {
    // the same client logged in again: the older session ends, told so if it subscribed (rule 6)
    if (replaced.receives('logoutEvent'))
      ctx.hub.send(replaced, [{ name: 'logoutEvent', node: logoutEvent() }]);
    ctx.sessions.end(replaced, 'replaced');
  }
  const host = hostHeader || `${ctx.opts.host}:${ctx.opts.port}`;
  const common = {
    applicationVersion: ctx.opts.applicationVersion,
    clientSessionID: session.id,
    loginFailureCode: 'NONE',
    subscriptionUrl: `ws://${host}/`,
    webSocketWsUrl: `ws://${host}${WS_PATH}${session.id}`,
    webSocketWssUrl: `wss://${host}${WS_PATH}${session.id}`,
    xmppDomain: ctx.opts.switchIp,
    ...(ctx.ha.configuration() ? { haConfiguration: ctx.ha.configuration()! } : {}),
  };
  const ip = ctx.opts.switchIp;
  const response: LoginResponse =
    who.kind === 'application'
      ? {
          kind: 'application',
          ...common,
          devices: devicesOf(ctx.core, ctx.ids, ip),
          ipOfficeTimestamp: Date.now(),
          ipOfficeTimezone: ctx.opts.timezone,
        }
      : {
          kind: 'device',
          ...common,
          userName: shortName(who.user.userId),
          userExtension: who.user.extension,
          userSwitchDevice: ip,
          userParkSlots: [1, 2, 3, 4].map((n) => `${n}@${ip}`),
          userHuntGroups: huntGroupsOf(ctx.core, who.user),
          stationMonitorEnabled: true,
          inService: true,
          userMonitorID: ctx.ids.monitorId(who.user.extension),
          xmppConnectionFailureCode: 'NONE',
          userLicensePackage: 'PowerUserPackage',
        };
  return { status: 200, body: loginResponse(response), headers: { 'content-type': XML_TYPE } };
}

/** `DELETE /inyama/service/session`: 200; other sessions of the user stay (rule 5). */
export function logout(ctx: LoginContext, s: IpoSession): Reply {
  ctx.sessions.end(s, 'logout');
  return { status: 200 };
}

/** `POST /inyama/service/session/heartbeat`: 202 (rule 7), reactivating a deactivated session. */
export function heartbeat(ctx: LoginContext, s: IpoSession): Reply {
  ctx.sessions.heartbeat(s);
  return { status: 202 };
}
