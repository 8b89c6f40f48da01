/**
 * How the API Lambdas reach the connector that owns a link: read the lease (owner + private command
 * endpoint), POST the command, map the answer to a result or a problem.
 */
import type { CallCommand } from '../vendors/driver-kit/seam.js';
import type { Deps } from './deps.js';
import { Problem } from './http/problem.js';

export interface CommandClientOptions {
  token: string;
  timeoutMs?: number;
}

const t = (name: string) => `urn:cti-bridge:problem:${name}`;

export async function sendCommand(
  deps: Deps,
  opts: CommandClientOptions,
  tenant: string,
  link: string,
  command: CallCommand,
): Promise<unknown> {
  const linkRec = await deps.repos.links.get(tenant, link);
  if (!linkRec) {
    throw new Problem(404, 'Not Found', 'no such link', {
      errors: [{ pointer: '#/path/link', field: 'link', detail: 'no such link' }],
    });
  }
  const unavailable = (detail: string) =>
    new Problem(503, 'Link Unavailable', detail, {
      type: t('link-unavailable'),
      headers: { 'retry-after': '5' },
      link: { id: link, status: linkRec.status, lastError: linkRec.lastError },
    });
  const lease = await deps.repos.leases.get(tenant, link, Date.now());
  if (!lease) throw unavailable('no connector owns this link right now');
  let res: Response;
  try {
    res = await fetch(`${lease.endpoint}/v1/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify({ tenant, link, command }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw unavailable(`the connector did not answer: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    result?: unknown;
    error?: {
      kind: string;
      message: string;
      status: number;
      vendor?: { name: string; code?: string; text?: string; status?: number };
    };
  };
  if (res.ok) return body.result;
  const e = body.error ?? { kind: 'internal', message: `connector answered ${res.status}`, status: 502 };
  switch (e.kind) {
    case 'unavailable':
    case 'not-owner':
      throw unavailable(e.message);
    case 'not-supported':
      throw new Problem(501, 'Not Implemented', `${linkRec.vendor} cannot do this: ${e.message}`, {
        type: t('not-supported-by-vendor'),
        vendor: linkRec.vendor,
      });
    case 'vendor':
      throw new Problem(e.status, 'Vendor Error', e.message, {
        type: t('vendor-error'),
        vendor: { name: linkRec.vendor, ...(e.vendor ?? {}) },
      });
    default:
      throw new Problem(502, 'Bad Gateway', e.message, { type: t('connector-error') });
  }
}
