/**
 * One parsed request → its handler, after the checks every request gets: a known SessionId (the
 * session is the credential, checked before anything else), the one TenantId (L450-456), and the
 * session state (OFFLINE accepts only OnLine and CloseConnection, L1890). The RequestId of agent,
 * call and route requests is echoed in the events they cause.
 */
import type { CtipsOperation } from '../wire/operations.js';
import type { XmlNode } from '../wire/xml.js';
import { agentRequest } from './agent-requests.js';
import { Args } from './args.js';
import { callRequest } from './call-requests.js';
import { RequestFault, withRequest, type SimContext } from './context.js';
import { openConnection, sessionRequest } from './session-requests.js';
import { CTI_ROUTE_TYPES } from '../wire/enums.js';

const SESSION_OPS = new Set([
  'CloseConnection',
  'OnLine',
  'OffLine',
  'AddMessageClass',
  'DeleteMessageClass',
  'AddFilter',
  'DeleteFilter',
  'Snapshot',
]);
const AGENT_OPS = new Set([
  'LoginAgent',
  'LogoutAgent',
  'PanicLogout',
  'SetAgentState',
  'GetAgentState',
  'SetDisposition',
]);

/**
 * @example
 * dispatch(ctx, 'OnLine', params); // { result: 0 }
 */
export function dispatch(ctx: SimContext, op: CtipsOperation, params: XmlNode): Record<string, unknown> {
  const a = new Args(params);
  if (op === 'OpenConnection') return openConnection(ctx, a);
  const session = ctx.sessions.get(a.optStr('SessionId'));
  if (!session) throw new RequestFault('unknown SessionId');
  if (op !== 'CloseConnection') {
    if (a.optInt('TenantId') !== ctx.opts.tenantId) throw new RequestFault('TenantId is missing or unknown');
    if (session.state.is('offline') && op !== 'OnLine') throw new RequestFault('the session is OFFLINE');
  }
  if (SESSION_OPS.has(op)) {
    return {
      result: withRequest(ctx, a.optInt('RequestId') ?? 0, () => sessionRequest(ctx, session, op, a)),
    };
  }
  const requestId = a.int('RequestId');
  return {
    result: withRequest(ctx, requestId, () => {
      if (AGENT_OPS.has(op)) return agentRequest(ctx, op, a);
      if (op === 'RouteSelect') {
        const type = a.enum('RouteActionType', CTI_ROUTE_TYPES);
        if (!['RouteToAgent', 'RouteToService', 'RouteToExternal', 'RouteToDefault'].includes(type)) {
          throw new RequestFault(`RouteActionType ${type} cannot be selected`);
        }
        const dest = a.optStr('RouteDestination') ?? '';
        if (type !== 'RouteToDefault' && !dest.trim()) throw new RequestFault('RouteDestination is required');
        const userData = a.list('UserData') ?? [];
        if (userData.length > 20) throw new RequestFault('UserData holds at most 20 fields');
        ctx.routes.select(a.int('CallId'), type, dest, userData);
        return 0;
      }
      return callRequest(ctx, op, a);
    }),
  };
}
