/**
 * Where a user's request goes and how its synchronous answer reads: the login that carries it (the
 * application user's for every device, or the device user's own) and the user's wire device. The
 * server answers a service request 202 with an empty body (L1706) or 200 with a synchronous document
 * (getAgentState, snapshot); anything else is refused with its `<Error>`/`<Errors>` (Appendix B).
 */
import type { CallCommand } from '../../driver-kit/seam.js';
import { PATHS, SERVICE_BASE } from '../wire/requests.js';
import { vendorErrorOf } from './errors.js';
import type { HttpAnswer, HttpRequest } from './http.js';
import { errorsOf } from './session.js';
import type { WireDevice } from './targets.js';

/** Sends one request with a login's session header (`IpoSession.request`). */
export interface Requester {
  request(method: HttpRequest['method'], path: string, body?: string): Promise<HttpAnswer>;
}

/** A user's way to the server. */
export interface Route {
  /** The bridge user (an extension on application links). */
  user: string;
  device: WireDevice;
  session: Requester;
}

/** The route of a user; throws the command's error (no session, unknown device, link down). */
export type RouteOf = (user: string) => Route;

/** What the commands need besides the route: the size limit of error bodies. */
export interface RequestLimits {
  maxBytes: number;
}

/**
 * POSTs one service request; resolves with a 2xx answer, rejects with the server's refusal as a
 * `VendorError` (or `LinkUnavailableError` from the session for 401/503/redirects).
 *
 * @example
 * await post(route, 'holdCall', buildHoldCall({ callID }), { maxBytes: 1 << 20 }); // 202
 */
export async function post(
  route: Route,
  kind: keyof typeof PATHS,
  body: string,
  limits: RequestLimits,
): Promise<HttpAnswer> {
  const answer = await route.session.request('POST', `${SERVICE_BASE}${PATHS[kind]}`, body);
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw vendorErrorOf(answer.status, errorsOf(answer, limits.maxBytes), kind);
}

/** The user a command acts for (undefined for link-level commands). */
export function userOfCommand(cmd: CallCommand): string | undefined {
  if ('user' in cmd) return cmd.user;
  if ('agent' in cmd) return cmd.agent;
  return undefined;
}
