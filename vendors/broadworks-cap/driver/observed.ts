/**
 * The little vendor state the commands read that is not a call: the last profile fields of each user
 * (profileUpdate: the initial one has them all, later ones only what changed; `dnd`, `cfa`,
 * `acdState`, `unavailabilityCode`) and, per call, whether the server enabled `Answer` by callControlInfo
 * (spec §12: Answer on an alerting call works only after callControlInfo Answer=True). CAP has no request
 * for either: what was last reported is all there is.
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { CapMessage } from '../wire/index.js';

/** How many calls' controls are remembered (oldest forgotten first). */
const MAX_CONTROLLED_CALLS = 4096;

/** CAP acdState → the bridge's agent state (L1129; `WrapUp` is folded to `Wrap-up` on read). */
const ACD_STATES: Readonly<Record<string, AgentStateValue>> = {
  'sign-in': 'sign-in',
  'sign-out': 'sign-out',
  available: 'available',
  unavailable: 'unavailable',
  'wrap-up': 'wrap-up',
};

/**
 * @example
 * agentStateOf('Wrap-up'); // 'wrap-up'
 * agentStateOf('Lunch'); // undefined
 */
export function agentStateOf(acdState: string | undefined): AgentStateValue | undefined {
  return acdState === undefined ? undefined : ACD_STATES[acdState.trim().toLowerCase()];
}

/**
 * @example
 * const observed = new Observed();
 * observed.observe(profileUpdate, 'alice@sim.example');
 * observed.profile('alice@sim.example')?.['dnd']; // 'Off'
 */
export class Observed {
  private readonly profiles = new Map<string, Record<string, string>>();
  private readonly controls = new Map<string, Map<string, boolean>>();

  /** Reads one server message about `subject` (the user it concerns). */
  observe(m: CapMessage, subject: string | undefined): void {
    if (m.type === 'profileUpdate' && subject) {
      const known = m.initialUpdate ? {} : (this.profiles.get(subject) ?? {});
      this.profiles.set(subject, { ...known, ...m.fields });
    } else if (m.type === 'callControlInfo' && m.callId) {
      const c = this.controls.get(m.callId) ?? new Map<string, boolean>();
      for (const { type, enabled } of m.controls) c.set(type.toLowerCase(), enabled);
      this.controls.delete(m.callId);
      this.controls.set(m.callId, c);
      if (this.controls.size > MAX_CONTROLLED_CALLS) this.controls.delete(this.controls.keys().next().value!);
    } else if (m.type === 'callUpdate') {
      for (const c of m.calls) if (c.state === 5) this.controls.delete(c.callId);
    }
  }

  /** The user's profile fields as last reported (undefined: no profileUpdate seen). */
  profile(user: string): Readonly<Record<string, string>> | undefined {
    return this.profiles.get(user);
  }

  /** Whether callControlInfo last said `control` (Answer, Hold, Retrieve) is enabled for the call. */
  enabled(callId: string, control: string): boolean | undefined {
    return this.controls.get(callId)?.get(control.toLowerCase());
  }

  forget(user: string): void {
    this.profiles.delete(user);
  }
}
