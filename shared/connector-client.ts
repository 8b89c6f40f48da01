/**
 * How the API Lambdas reach the connector that owns a link: read the lease (owner + private command
 * endpoint), POST the command, map the answer to a result or a problem (`shared/commands/problems.ts`).
 */
import {
  COMMAND_PATH,
  type CallCommand,
  type CommandKind,
  type CommandRequest,
  type CommandResult,
} from './commands/contract.js';
import { commandError, parseCommandError } from './commands/errors.js';
import { commandProblem, type CommandLink } from './commands/problems.js';
import type { Deps } from './deps.js';
import { Problem } from './http/problem.js';
import { secretReader } from './secrets/reader.js';

/**
 * The connector token: given directly (local stack) or read by ARN (AWS,
 * BRIDGE_CONNECTOR_TOKEN_SECRET_ARN) through the cached secret reader, so a rotation is seen.
 *
 * @example
 * const token = await connectorTokenOf(deps);
 */
export function connectorTokenOf(deps: Deps): Promise<string> {
  const { connectorToken: direct, connectorTokenSecretArn: arn, region } = deps.config;
  if (direct) return Promise.resolve(direct);
  if (!arn) throw new Problem(500, 'Internal Server Error', 'connector token is not configured');
  return secretReader(region).read(arn);
}

/** How a request to a link's owning connector went. */
export type OwnerPost =
  | { kind: 'answered'; status: number; body: Record<string, unknown> }
  /** No connector holds the link's lease (or the one asked answered that it no longer owns it). */
  | { kind: 'no-owner' }
  /** The owner did not answer; what the request asked for happens on its next periodic pass. */
  | { kind: 'unreachable'; detail: string };

/**
 * POSTs `body` to `path` on the connector that owns `tenant`/`link` (with the connector token): how the
 * API has the owner act on a change now instead of on its next periodic pass.
 *
 * @example
 * const r = await postToOwner(deps, 'acme', 'pbx', '/v1/subscriptions/sync', { tenant: 'acme', link: 'pbx' });
 * if (r.kind === 'answered' && r.status === 200) ...
 */
export async function postToOwner(
  deps: Deps,
  tenant: string,
  link: string,
  path: string,
  body: unknown,
  opts: { timeoutMs?: number } = {},
): Promise<OwnerPost> {
  const lease = await deps.repos.leases.get(tenant, link, Date.now());
  if (!lease) return { kind: 'no-owner' };
  const token = await connectorTokenOf(deps);
  let res: Response;
  try {
    res = await fetch(`${lease.endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    return { kind: 'unreachable', detail: (err as Error).message };
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown> & {
    error?: { kind?: string; message?: string };
  };
  if (answer.error?.kind === 'not-owner') return { kind: 'no-owner' };
  if (!res.ok)
    return { kind: 'unreachable', detail: answer.error?.message ?? `connector answered ${res.status}` };
  return { kind: 'answered', status: res.status, body: answer };
}

/** Links asked at most about one channel (a channel subscribing to more is answered for these). */
export const MAX_CHANNEL_LINKS = 10;

/**
 * POSTs `body` to `path` on the owners of the links `channel` subscribes to (the first
 * `MAX_CHANNEL_LINKS`), at once: how the API asks about a channel (attention, latest successes).
 * Returns each link's answer.
 *
 * @example
 * const answers = await postToChannelOwners(deps, 'acme', 'ch_3KpV9', '/v1/channels/attention', { tenant: 'acme', channel: 'ch_3KpV9' }, 2_000);
 */
export async function postToChannelOwners(
  deps: Deps,
  tenant: string,
  channel: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ link: string; answer: OwnerPost }[]> {
  const subs = await deps.repos.subscriptions.listByChannel(tenant, channel, deps.now());
  const links = [...new Set(subs.map((s) => s.link))].slice(0, MAX_CHANNEL_LINKS);
  return Promise.all(
    links.map(async (link) => ({
      link,
      answer: await postToOwner(deps, tenant, link, path, body, { timeoutMs }),
    })),
  );
}

export interface CommandClientOptions {
  /** The bearer token the connector's command endpoint expects. */
  token: string;
  timeoutMs?: number;
}

/**
 * Sends `command` to the connector owning `tenant`/`link` and resolves with its result; throws a
 * `Problem` (404 no such link, 503 link unavailable, 501 not supported, the vendor's error, 502).
 *
 * @example
 * const { users } = await sendCommand(deps, { token }, 't1', 'pbx', { kind: 'listUsers' });
 */
export async function sendCommand<K extends CommandKind>(
  deps: Deps,
  opts: CommandClientOptions,
  tenant: string,
  link: string,
  command: Extract<CallCommand, { kind: K }>,
): Promise<CommandResult<K>> {
  const linkRec = await deps.repos.links.get(tenant, link);
  if (!linkRec) {
    throw new Problem(404, 'Not Found', 'no such link', {
      errors: [{ pointer: '#/path/link', field: 'link', detail: 'no such link' }],
    });
  }
  const target: CommandLink = {
    id: link,
    vendor: linkRec.vendor,
    status: linkRec.status,
    lastError: linkRec.lastError,
  };
  const unavailable = (detail: string) => commandProblem(commandError('unavailable', detail).error, target);
  const lease = await deps.repos.leases.get(tenant, link, Date.now());
  if (!lease) throw unavailable('no connector owns this link right now');
  let res: Response;
  try {
    res = await fetch(`${lease.endpoint}${COMMAND_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify({ tenant, link, command } satisfies CommandRequest),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw unavailable(`the connector did not answer: ${(err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => ({}));
  // The connector answers with what the link's driver returned for this command kind.
  if (res.ok) return (body as { result: CommandResult<K> }).result;
  throw commandProblem(parseCommandError(res.status, body), target);
}
