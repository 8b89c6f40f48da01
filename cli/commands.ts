/**
 * The CLI's request commands: `links`, `events [--follow]`, `call <action>`, `deliveries <channel>`.
 * Each is one typed client call (`client/`), printed for people or, with `--json`, as JSON.
 */
import type { Target } from './config.js';
import { eventLine, must, printJson } from './format.js';

export async function links(t: Target, json: boolean): Promise<void> {
  const page = must('listing links', await t.client.GET('/v1/links'));
  if (json) return printJson(page.items);
  if (!page.items.length) console.log('no links');
  for (const l of page.items)
    console.log(
      `${l.id.padEnd(18)} ${l.vendor.padEnd(16)} ${l.status.padEnd(8)} ${l.endpoint}${l.lastError ? `  (${l.lastError})` : ''}`,
    );
}

export async function events(
  t: Target,
  opts: { link: string; after?: number; limit?: number; follow?: boolean; json: boolean },
): Promise<void> {
  let after = opts.after ?? 0;
  let stopped = false;
  process.once('SIGINT', () => (stopped = true));
  for (;;) {
    const page = must(
      'listing events',
      await t.client.GET('/v1/events', {
        params: { query: { link: opts.link, after, limit: opts.limit ?? 100 } },
      }),
    );
    for (const e of page.items) {
      if (opts.json) printJson(e);
      else console.log(eventLine(e));
      after = Math.max(after, e.seq);
    }
    if (page.items.length && page.nextCursor) continue;
    if (!opts.follow || stopped) return;
    await new Promise((r) => setTimeout(r, 500));
    if (stopped) return;
  }
}

export const CALL_ACTIONS = [
  'dial',
  'answer',
  'hold',
  'retrieve',
  'release',
  'transfer',
  'conference',
] as const;
export type CallAction = (typeof CALL_ACTIONS)[number];

export async function call(
  t: Target,
  action: CallAction,
  opts: { link: string; user: string; call?: string; to?: string; withCall?: string; json: boolean },
): Promise<void> {
  const c = t.client;
  const { link, user } = opts;
  const needCall = () => {
    if (!opts.call) throw new Error(`${action} needs --call <id> (the call id from the events)`);
    return { link, user, call: opts.call };
  };
  const need = (v: string | undefined, flag: string) => {
    if (!v) throw new Error(`${action} needs ${flag}`);
    return v;
  };
  let result: unknown;
  switch (action) {
    case 'dial':
      result = must(
        'dial',
        await c.POST('/v1/links/{link}/users/{user}/calls', {
          params: { path: { link, user } },
          body: { to: need(opts.to, '--to <address>') },
        }),
      );
      break;
    case 'answer':
    case 'hold':
    case 'retrieve':
    case 'release':
      // the four commands without a body: one path shape, the action its last segment
      must(
        action,
        await c.POST(`/v1/links/{link}/users/{user}/calls/{call}/${action}`, {
          params: { path: needCall() },
        }),
      );
      break;
    case 'transfer':
      must(
        'transfer',
        await c.POST('/v1/links/{link}/users/{user}/calls/{call}/transfer', {
          params: { path: needCall() },
          body: opts.withCall
            ? { mode: 'consult', withCall: opts.withCall }
            : { mode: 'blind', to: need(opts.to, '--to <address> (blind) or --with-call <id> (consult)') },
        }),
      );
      break;
    case 'conference':
      must(
        'conference',
        await c.POST('/v1/links/{link}/users/{user}/calls/{call}/conference', {
          params: { path: needCall() },
          body: { withCall: need(opts.withCall, '--with-call <id>') },
        }),
      );
      break;
  }
  if (opts.json) printJson(result ?? { ok: true, action });
  else if (result) {
    const r = result as { callId: string; correlationId: string };
    console.log(`dialled: call ${r.callId} (correlation ${r.correlationId})`);
  } else console.log(`${action}: done`);
}

export async function deliveries(
  t: Target,
  channel: string,
  opts: { replay?: number; status?: string; json: boolean },
): Promise<void> {
  const c = t.client;
  if (opts.replay !== undefined) {
    const r = must(
      'replay',
      await c.POST('/v1/channels/{id}/replay', {
        params: { path: { id: channel } },
        body: { after: opts.replay },
      }),
    );
    if (opts.json) return printJson(r);
    const links = r.links.map((l) => `${l.link} up to ${l.lastSeq ?? '-'}`).join(', ');
    console.log(
      `replay queued: ${r.queued} event(s)${links ? ` (${links})` : ''}${r.truncated ? '; more remain' : ''}`,
    );
    return;
  }
  const page = must(
    'listing deliveries',
    await c.GET('/v1/channels/{id}/deliveries', {
      params: { path: { id: channel }, query: opts.status ? { status: opts.status as never } : {} },
    }),
  );
  if (opts.json) return printJson(page.items);
  if (!page.items.length) console.log('no deliveries');
  for (const d of page.items) {
    const last = d.attempts.at(-1);
    const attempt = last
      ? ` last ${last.statusCode ?? last.error ?? '-'} in ${last.latencyMs} ms at ${last.at}`
      : '';
    console.log(
      `${String(d.seq).padStart(5)} ${d.status.padEnd(9)} ${d.eventType.padEnd(22)} ${d.link}#${d.eventSeq} attempts ${d.attemptCount}${attempt}`,
    );
  }
}
