/**
 * User settings over MTCTI-3: agent state (hunt group membership) and call forwarding. Each change is
 * a SubscribeCmd, then a wait for the notify that shows it.
 */
import { NotSupportedError } from '../../driver-kit/seam.js';
import { RESULT } from '../wire/codec.js';
import type { Commands } from './commands.js';
import { mtcti3Error } from './errors.js';
import { VENDOR } from './mapper.js';
import type { SubView } from './subscriptions.js';

type ForwardType = 'always' | 'busy' | 'no-answer';

/** Queue subscriptions with the member lists (opened on demand), then the agent's extension. */
export async function agentExtension(commands: Commands, agent: string): Promise<string> {
  commands.requireReady();
  const { directory, subs, options } = commands.deps;
  const u = directory.resolveUser(agent);
  if (!u) throw mtcti3Error(404, `MTCTI-3: no IP Office user ${agent}`, RESULT.USERNOTFOUND);
  const missing = [...directory.queues.keys()].filter((q) => !subs.active(`queue:${q}`));
  if (missing.length) await subs.watch([...subs.watched.specs, { target: { type: 'queue' }, families: [] }]);
  await Promise.all(
    [...directory.queues.keys()].map((q) => {
      const view = subs.view(`queue:${q}`);
      return view
        ? view.waitFor((v) => v.gotObject || !v.active, options.requestTimeoutMs)
        : Promise.resolve(true);
    }),
  );
  return u.extn;
}

/**
 * Agent state = hunt group membership: available enables it, sign-out disables it.
 *
 * @example
 * await setAgentState(commands, 'carol', 'sign-out'); // { state: 'sign-out' }
 */
export async function setAgentState(
  commands: Commands,
  agent: string,
  state: string,
): Promise<{ state: string }> {
  let disabled: boolean;
  if (state === 'available' || state === 'sign-in') disabled = false;
  else if (state === 'sign-out') disabled = true;
  else throw new NotSupportedError(VENDOR, `setAgentState ${state}`);
  const ext = await agentExtension(commands, agent);
  const { mapper, subs, options } = commands.deps;
  const queues = mapper.queuesOf(ext);
  if (!queues.length)
    throw mtcti3Error(404, `MTCTI-3: ${agent} is not a member of any hunt group`, RESULT.NOTFOUND);
  for (const q of queues) {
    const view = subs.active(`queue:${q}`);
    if (!view) continue;
    await commands.cmd(view, { queue: { addmember: [{ extn: ext, disabled }] } }, 'UpdateQueue addmember');
  }
  const want = disabled ? 'sign-out' : 'available';
  const views = queues.map((q) => subs.view(`queue:${q}`)).filter((v): v is SubView => !!v);
  await Promise.all(
    views.map((v) => v.waitFor(() => mapper.agentState(ext) === want, options.requestTimeoutMs)),
  );
  return { state: want };
}

export async function getForwarding(
  commands: Commands,
  user: string,
  type: ForwardType,
): Promise<{ enabled: boolean; to?: string }> {
  const view = await commands.userSub(user);
  const u = commands.deps.mapper.user(view.name) ?? {};
  const [enabled, to] =
    type === 'always'
      ? [u.fwdu, u.fwdunumber]
      : type === 'busy'
        ? [u.fwdb, u.fwdbnumber]
        : [u.fwdna, u.fwdbnumber];
  return { enabled: !!enabled, ...(to ? { to } : {}) };
}

/** Forward always through UpdateUser; busy / no answer through short codes (both use one number). */
export async function setForwarding(
  commands: Commands,
  user: string,
  type: ForwardType,
  enabled: boolean,
  to: string | undefined,
): Promise<{ enabled: boolean; to?: string }> {
  const view = await commands.userSub(user);
  const { mapper, options } = commands.deps;
  const current = mapper.user(view.name) ?? {};
  const numberRequired = () =>
    mtcti3Error(400, 'MTCTI-3: a forward-to number is required', RESULT.CALLCONTROL_BADFORMATTING);
  if (type === 'always') {
    if (enabled && !to && !current.fwdunumber) throw numberRequired();
    await commands.cmd(
      view,
      { user: { fwdu: { set: enabled, ...(to ? { fwdu_number: to } : {}) } } },
      'UpdateUser fwdu',
    );
    await view.waitFor(() => !!mapper.user(view.name)?.fwdu === enabled, options.requestTimeoutMs);
  } else {
    // busy / no answer through short codes; both use the forward-on-busy number (short code 114)
    if (enabled && !to && !current.fwdbnumber) throw numberRequired();
    const on = type === 'busy' ? 2 : 4;
    const shortcodedata = [...(to ? [{ code: 114, val: to }] : []), { code: enabled ? on : on + 1, val: '' }];
    await commands.cmd(view, { user: { shortcodedata } }, 'UpdateUser shortcode');
    await view.waitFor(
      () => !!(type === 'busy' ? mapper.user(view.name)?.fwdb : mapper.user(view.name)?.fwdna) === enabled,
      options.requestTimeoutMs,
    );
  }
  const u = mapper.user(view.name) ?? {};
  const number = type === 'always' ? u.fwdunumber : u.fwdbnumber;
  return { enabled, ...((number ?? to) ? { to: number ?? to } : {}) };
}
