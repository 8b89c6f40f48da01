/**
 * `POST /v1/sessions/sync` on the connector's command endpoint (behind the connector token): the API
 * asks the owner of a session's link to act on the session record now and answers with the outcome.
 */
import { commandError } from '../../shared/commands/errors.js';
import { SESSION_SYNC_PATH, type SessionSyncRequest } from '../../shared/sessions/sync.js';
import type { CommandServerRoute } from '../command-server.js';
import type { SessionManager } from './manager.js';

/**
 * The route, keyed for `startCommandServer({routes})`.
 *
 * @example
 * startCommandServer({ ..., routes: sessionRoutes(manager) });
 */
export function sessionRoutes(manager: SessionManager): Record<string, CommandServerRoute> {
  const sync: CommandServerRoute = async ({ body }) => {
    const req = (body ?? {}) as Partial<SessionSyncRequest>;
    if (typeof req.tenant !== 'string' || typeof req.session !== 'string') {
      const err = commandError('invalid', 'tenant and session are required');
      return { status: err.error.status, body: err };
    }
    const answer = await manager.sync(req.tenant, req.session);
    if (!answer) {
      const err = commandError('not-owner', 'this connector does not own the link of this session');
      return { status: err.error.status, body: err };
    }
    return { status: 200, body: answer };
  };
  return { [`POST ${SESSION_SYNC_PATH}`]: sync };
}
