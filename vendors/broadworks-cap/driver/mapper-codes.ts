/**
 * The CAP codes the mapper reads (callUpdate `state`, `personality`, `releaseCause`, profileUpdate
 * `acdState`, party numbers and epoch times) and what each becomes in the event model. Pure functions:
 * the tables of docs/protocols/broadworks-cap.md ("Mapping (CAP → event model)") in code.
 */
import type { AgentStateValue, CallState, EventDraft } from '../../../shared/events/model.js';
import { CALL_STATE, PERSONALITY, RELEASE_CAUSE } from '../wire/index.js';

/** The vendor name drafts carry (`vendor.name`). */
export const CAP_VENDOR = 'broadworks-cap';

/**
 * The `vendor` of a draft: CAP has no event ids, so only the commandType names the source.
 *
 * @example
 * vendorInfo('callUpdate'); // { name: 'broadworks-cap', event: 'callUpdate' }
 */
export function vendorInfo(event: string): EventDraft['vendor'] {
  return { name: CAP_VENDOR, event };
}

/**
 * CAP call state + personality → bridge call state (L1425, L1427). An alerting BroadWorks Originator
 * call (personality 0) is BroadWorks ringing the user's own phone for a click-to-dial: from the bridge's
 * view the call is still being set up, as CTI's `Alerting` + `Click-to-Dial`. Remote held (4) keeps the
 * call active for `local.user`, as the CTI mapper does. Client alerting (7) is read as alerting (inf: the
 * specification gives only the name). An unknown value keeps `fallback`.
 *
 * @example
 * bridgeCallState(1, 0, 'alerting'); // 'dialing'
 * bridgeCallState(4, 2, 'alerting'); // 'active'
 */
export function bridgeCallState(
  state: number | undefined,
  personality: number | undefined,
  fallback: CallState,
): CallState {
  switch (state) {
    case CALL_STATE.idle:
      return 'dialing';
    case CALL_STATE.alerting:
    case CALL_STATE.clientAlerting:
      return personality === PERSONALITY.broadWorksOriginator ? 'dialing' : 'alerting';
    case CALL_STATE.active:
    case CALL_STATE.remoteHeld:
      return 'active';
    case CALL_STATE.held:
      return 'held';
    case CALL_STATE.released:
    case CALL_STATE.detached:
      return 'released';
    default:
      return fallback;
  }
}

/** `releaseCause` codes by their kebab-case names (L1677-1693). */
const CAUSE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(RELEASE_CAUSE).map(([name, code]) => [
    code,
    name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  ]),
);

/**
 * The bridge `releaseCause` of a CAP code: its name in kebab case (`3` → `busy`, `11` →
 * `user-not-found`), `normal` when absent (the field is "0" until the release, L1431), and
 * `cause-<n>` for a code the specification does not list.
 *
 * @example
 * releaseCauseName(10); // 'temporarily-unavailable'
 * releaseCauseName(99); // 'cause-99'
 */
export function releaseCauseName(code: number | undefined): string {
  if (code === undefined) return 'normal';
  return CAUSE_NAMES.get(code) ?? `cause-${code}`;
}

const AGENT_STATES: Readonly<Record<string, AgentStateValue>> = {
  signin: 'sign-in',
  signout: 'sign-out',
  available: 'available',
  unavailable: 'unavailable',
  wrapup: 'wrap-up',
};

/**
 * profileUpdate `acdState` → bridge agent state; spelling-insensitive (`Wrap-up`, `WrapUp`, `Sign-in`).
 *
 * @example
 * agentState('WrapUp'); // 'wrap-up'
 */
export function agentState(acd: string | undefined): AgentStateValue | undefined {
  return AGENT_STATES[(acd ?? '').toLowerCase().replace(/[^a-z]/g, '')];
}

/**
 * A party number as the bridge reports it. `Private` (privacy) becomes `anonymous`, as in the CTI
 * mapper; `Unavailable` and empty values are no number (undefined), so the cached one stays.
 *
 * @example
 * partyAddress('Private'); // 'anonymous'
 * partyAddress('Unavailable'); // undefined
 */
export function partyAddress(number: string | undefined): string | undefined {
  const v = number?.trim();
  if (!v || /^unavailable$/i.test(v)) return undefined;
  return /^private$/i.test(v) ? 'anonymous' : v;
}

/**
 * An epoch-milliseconds text (`callStartTime`, `timeAdded`) as ISO 8601, or undefined when it is not a
 * plausible time.
 *
 * @example
 * isoFromMs('1235684031000'); // '2009-02-26T21:33:51.000Z'
 */
export function isoFromMs(ms: string | undefined): string | undefined {
  if (ms === undefined || !/^\s*\d{1,15}\s*$/.test(ms)) return undefined;
  const n = Number(ms);
  if (n <= 0) return undefined;
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** profileUpdate flags: `On` is on, `Off` and empty (not assigned) are off; anything else is unknown. */
export function flag(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false' || v === '') return false;
  return undefined;
}
