/**
 * Unified call control: validate and authorize here, then forward the command to the connector that
 * owns the link (found through its lease) and return the vendor's answer synchronously.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import type * as S from '../../shared/api/schemas.js';
import { sendCommand } from '../../shared/connector-client.js';
import type { Deps } from '../../shared/deps.js';
import { Problem } from '../../shared/http/problem.js';
import type { CallCommand } from '../../vendors/driver-kit/seam.js';
import type { Operation, OperationRequest } from './middleware.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

type P = { link: string; user: string; call: string; agent: string; type: 'always' | 'busy' | 'no-answer' };

/** Connector tokens read from Secrets Manager, per deps (container), re-read after 5 minutes (rotation). */
const tokenCache = new WeakMap<Deps, { token: Promise<string>; until: number }>();
const TOKEN_CACHE_MS = 300_000;

/** The connector token: given directly (local stack) or read from Secrets Manager by ARN (AWS, BRIDGE_CONNECTOR_TOKEN_SECRET_ARN). */
function connectorToken(deps: Deps): Promise<string> {
  const { connectorToken: direct, connectorTokenSecretArn: arn, region } = deps.config;
  if (direct) return Promise.resolve(direct);
  if (!arn) throw new Problem(500, 'Internal Server Error', 'connector token is not configured');
  const hit = tokenCache.get(deps);
  if (hit && hit.until > Date.now()) return hit.token;
  const token = new SecretsManagerClient({ region })
    .send(new GetSecretValueCommand({ SecretId: arn }))
    .then((out) => {
      if (!out.SecretString) throw new Error('connector token secret has no string value');
      return out.SecretString;
    });
  tokenCache.set(deps, { token, until: Date.now() + TOKEN_CACHE_MS });
  token.catch(() => tokenCache.delete(deps));
  return token;
}

async function run(req: OperationRequest, command: CallCommand) {
  const token = await connectorToken(req.deps);
  return sendCommand(req.deps, { token }, req.tenant, (req.params as P).link, command);
}

/** Operation that sends a command built from the request and answers with `status` and the result. */
const op =
  <B, R = unknown>(
    status: number,
    build: (p: P, body: B) => CallCommand,
    shape: (result: R) => unknown = (r) => r,
  ): Operation =>
  async (req) => {
    const result = (await run(req, build(req.params as P, req.body as B))) as R;
    return status === 204 ? { status } : { status, body: shape(result) };
  };

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'calls',
    {
      listLinkUsers: op(
        200,
        () => ({ kind: 'listUsers' }),
        (r: { users: unknown[] }) => ({ items: r.users, nextCursor: null }),
      ),
      listCalls: op(
        200,
        (p) => ({ kind: 'listCalls', user: p.user }),
        (r: { calls: unknown[] }) => ({ items: r.calls }),
      ),
      getCall: op(
        200,
        (p) => ({ kind: 'getCall', user: p.user, call: p.call }),
        (r: { call: unknown }) => r.call,
      ),
      dial: op(201, (p, b: z.infer<typeof S.DialBody>) => ({ kind: 'dial', user: p.user, to: b.to })),
      answerCall: op(204, (p) => ({ kind: 'answer', user: p.user, call: p.call })),
      holdCall: op(204, (p) => ({ kind: 'hold', user: p.user, call: p.call })),
      retrieveCall: op(204, (p) => ({ kind: 'retrieve', user: p.user, call: p.call })),
      releaseCall: op(204, (p) => ({ kind: 'release', user: p.user, call: p.call })),
      sendDtmf: op(204, (p, b: z.infer<typeof S.DtmfBody>) => ({
        kind: 'dtmf',
        user: p.user,
        call: p.call,
        digits: b.digits,
      })),
      transferCall: op(204, (p, b: z.infer<typeof S.TransferBody>) =>
        b.mode === 'blind'
          ? { kind: 'blindTransfer', user: p.user, call: p.call, to: b.to }
          : { kind: 'consultTransfer', user: p.user, call: p.call, withCall: b.withCall },
      ),
      conferenceCall: op(204, (p, b: z.infer<typeof S.ConferenceBody>) => ({
        kind: 'conference',
        user: p.user,
        call: p.call,
        withCall: b.withCall,
      })),
      getAgentState: op(200, (p) => ({ kind: 'getAgentState', agent: p.agent })),
      setAgentState: op(200, (p, b: z.infer<typeof S.AgentStateBody>) => ({
        kind: 'setAgentState',
        agent: p.agent,
        state: b.state,
        ...(b.reason ? { reason: b.reason } : {}),
      })),
      getDnd: op(200, (p) => ({ kind: 'getDnd', user: p.user })),
      setDnd: op(200, (p, b: z.infer<typeof S.DndBody>) => ({
        kind: 'setDnd',
        user: p.user,
        enabled: b.enabled,
      })),
      getForwarding: op(200, (p) => ({ kind: 'getForwarding', user: p.user, type: p.type })),
      setForwarding: op(200, (p, b: z.infer<typeof S.ForwardingBody>) => ({
        kind: 'setForwarding',
        user: p.user,
        type: p.type,
        enabled: b.enabled,
        ...(b.to ? { to: b.to } : {}),
      })),
      rawRequest: op(200, (_p, b: Record<string, unknown>) => ({ kind: 'raw', request: b })),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
