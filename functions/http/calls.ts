/**
 * Unified call control (calls, agents, DND, forwarding, disposition codes, call-center queues, raw
 * requests): validate and authorize here, then forward the command to the connector that owns the link
 * (found through its lease) and return the vendor's answer synchronously. Queue control lives here too:
 * it needs the same path to the connector (lease, token, the function's place in the VPC) and nothing
 * else.
 */
import type { z } from 'zod';
import * as S from '../../shared/api/schemas.js';
import type { CallCommand, CommandKind, CommandResult } from '../../shared/commands/contract.js';
import { connectorTokenOf, sendCommand } from '../../shared/connector-client.js';
import type { Deps } from '../../shared/deps.js';
import type { Operation, OperationSchemas } from './middleware.js';
import { operation, type TypedRequest } from './operation.js';
import { lambdaEntry, makeHttpFunction } from './runtime.js';

type Built<K extends CommandKind> = Extract<CallCommand, { kind: K }>;

/**
 * An operation that sends the command `build` makes from the request to the link's connector and
 * answers `status` with the result (`shape`d), or no body for 204.
 */
function command<
  const Sc extends OperationSchemas & { params: z.ZodType<{ link: string }> },
  K extends CommandKind,
>(
  schemas: Sc,
  status: number,
  build: (req: TypedRequest<Sc>) => Built<K>,
  shape: (result: CommandResult<K>) => unknown = (r) => r,
): Operation {
  return operation(schemas, async (req) => {
    const token = await connectorTokenOf(req.deps);
    const result = await sendCommand(req.deps, { token }, req.tenant, req.params.link, build(req));
    return status === 204 ? { status } : { status, body: shape(result) };
  });
}

export const build = (getDeps: () => Deps) =>
  makeHttpFunction(
    'calls',
    {
      listLinkUsers: command(
        { params: S.LinkParams },
        200,
        () => ({ kind: 'listUsers' }),
        (r) => ({ items: r.users, nextCursor: null }),
      ),
      listCalls: command(
        { params: S.LinkUserParams },
        200,
        ({ params }) => ({ kind: 'listCalls', user: params.user }),
        (r) => ({ items: r.calls }),
      ),
      getCall: command(
        { params: S.CallParams },
        200,
        ({ params: p }) => ({ kind: 'getCall', user: p.user, call: p.call }),
        (r) => r.call,
      ),
      dial: command({ params: S.LinkUserParams, body: S.DialBody }, 201, ({ params, body }) => ({
        kind: 'dial',
        user: params.user,
        to: body.to,
      })),
      answerCall: command({ params: S.CallParams }, 204, ({ params: p }) => ({
        kind: 'answer',
        user: p.user,
        call: p.call,
      })),
      holdCall: command({ params: S.CallParams }, 204, ({ params: p }) => ({
        kind: 'hold',
        user: p.user,
        call: p.call,
      })),
      retrieveCall: command({ params: S.CallParams }, 204, ({ params: p }) => ({
        kind: 'retrieve',
        user: p.user,
        call: p.call,
      })),
      releaseCall: command({ params: S.CallParams }, 204, ({ params: p }) => ({
        kind: 'release',
        user: p.user,
        call: p.call,
      })),
      sendDtmf: command({ params: S.CallParams, body: S.DtmfBody }, 204, ({ params: p, body }) => ({
        kind: 'dtmf',
        user: p.user,
        call: p.call,
        digits: body.digits,
      })),
      transferCall: command(
        { params: S.CallParams, body: S.TransferBody },
        204,
        ({ params: p, body }): Built<'blindTransfer' | 'consultTransfer'> =>
          body.mode === 'blind'
            ? { kind: 'blindTransfer', user: p.user, call: p.call, to: body.to }
            : { kind: 'consultTransfer', user: p.user, call: p.call, withCall: body.withCall },
      ),
      conferenceCall: command(
        { params: S.CallParams, body: S.ConferenceBody },
        204,
        ({ params: p, body }) => ({
          kind: 'conference',
          user: p.user,
          call: p.call,
          withCall: body.withCall,
        }),
      ),
      tagDisposition: command(
        { params: S.CallParams, body: S.DispositionBody },
        204,
        ({ params: p, body }) => ({ kind: 'tagDisposition', user: p.user, call: p.call, code: body.code }),
      ),
      getAgentState: command({ params: S.AgentParams }, 200, ({ params }) => ({
        kind: 'getAgentState',
        agent: params.agent,
      })),
      setAgentState: command({ params: S.AgentParams, body: S.AgentStateBody }, 200, ({ params, body }) => ({
        kind: 'setAgentState',
        agent: params.agent,
        state: body.state,
        ...(body.reason ? { reason: body.reason } : {}),
      })),
      getDnd: command({ params: S.LinkUserParams }, 200, ({ params }) => ({
        kind: 'getDnd',
        user: params.user,
      })),
      setDnd: command({ params: S.LinkUserParams, body: S.DndBody }, 200, ({ params, body }) => ({
        kind: 'setDnd',
        user: params.user,
        enabled: body.enabled,
      })),
      getForwarding: command({ params: S.ForwardingParams }, 200, ({ params: p }) => ({
        kind: 'getForwarding',
        user: p.user,
        type: p.type,
      })),
      setForwarding: command(
        { params: S.ForwardingParams, body: S.ForwardingBody },
        200,
        ({ params: p, body }) => ({
          kind: 'setForwarding',
          user: p.user,
          type: p.type,
          enabled: body.enabled,
          ...(body.to ? { to: body.to } : {}),
        }),
      ),
      // Queue control. The queue is live vendor data: one answer, in queue order, no cursor.
      listQueueCalls: command(
        { params: S.QueueParams },
        200,
        ({ params }) => ({ kind: 'listQueueCalls', queue: params.queue }),
        (r) => ({ items: [...r.calls].sort((a, b) => a.position - b.position) }),
      ),
      reorderQueueCall: command(
        { params: S.QueueCallParams, body: S.ReorderBody },
        204,
        ({ params: p, body }) => ({
          kind: 'reorderQueueCall',
          queue: p.queue,
          call: p.call,
          position: body.position,
        }),
      ),
      promoteQueueCall: command({ params: S.QueueCallParams }, 204, ({ params: p }) => ({
        kind: 'promoteQueueCall',
        queue: p.queue,
        call: p.call,
      })),
      // DELETE: the call leaves the queue resource whatever becomes of it; `?to=` says where it goes
      // (the vendors' removals: CAP queueAction Transfer/Remove; BroadWorks CTI's ACD Blind Transfer or
      // ACD Release Call).
      removeQueueCall: command(
        { params: S.QueueCallParams, query: S.QueueCallRemoveQuery },
        204,
        ({ params: p, query }) => ({
          kind: 'removeQueueCall',
          queue: p.queue,
          call: p.call,
          ...(query.to ? { to: query.to } : {}),
        }),
      ),
      getCallData: command({ params: S.CallParams }, 200, ({ params: p }) => ({
        kind: 'getCallData',
        user: p.user,
        call: p.call,
      })),
      setCallData: command({ params: S.CallParams, body: S.CallDataBody }, 200, ({ params: p, body }) => ({
        kind: 'setCallData',
        user: p.user,
        call: p.call,
        userData: body.userData,
      })),
      selectRoute: command(
        { params: S.RouteParams, body: S.RouteSelectBody },
        200,
        ({ params: p, body }) => ({
          kind: 'routeSelect',
          call: p.call,
          route: body,
          by: 'api',
        }),
      ),
      rawRequest: command({ params: S.LinkParams, body: S.RawBody }, 200, ({ body }) => ({
        kind: 'raw',
        request: body,
      })),
    },
    getDeps,
  );

export const handler = lambdaEntry(build);
