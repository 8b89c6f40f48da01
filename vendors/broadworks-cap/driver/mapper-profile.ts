/**
 * The profile half of the CAP mapper: profileUpdate leaves (L1077-1400) as `agent.state`
 * (`acdState`, `unavailabilityCode`), `service.dnd` (`dnd`) and `service.forwarding` (`cfa`,
 * `cfaDestination`). The initial update carries every assigned item and later ones only what changed
 * (L1189), so each value is reported when it differs from the last one seen: the initial values once,
 * then the changes, as the CTI mapper reports its subscription states.
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { Mapped } from './mapper-calls.js';
import { agentState, flag } from './mapper-codes.js';

/**
 * Per-user profile state of a CAP link.
 *
 * @example
 * const book = new CapProfileBook();
 * book.update('dave@sim.example', { acdState: 'Available' });
 * // → [{ type: 'agent.state', data: { agent: { id: 'dave@sim.example', state: 'available' } } }]
 */
export class CapProfileBook {
  /** Last reported value per `user\nitem`. */
  private readonly last = new Map<string, string>();
  private readonly agents = new Map<string, AgentStateValue>();
  private readonly codes = new Map<string, string>();
  private readonly addresses = new Map<string, string>();

  /** The user's own number from its initial profile (`phone`, else `extension`), for `local.address`. */
  localAddress(user: string): string | undefined {
    return this.addresses.get(user);
  }

  forget(user: string): void {
    for (const k of [...this.last.keys()]) if (k.startsWith(`${user}\n`)) this.last.delete(k);
    this.agents.delete(user);
    this.codes.delete(user);
    this.addresses.delete(user);
  }

  /** The leaves of one profileUpdate of `user` (ProfileUpdate.fields). */
  update(user: string, fields: Readonly<Record<string, string>>): Mapped[] {
    const out: Mapped[] = [];
    const own = fields['phone']?.trim() || fields['extension']?.trim();
    if (own) this.addresses.set(user, own);

    const code = fields['unavailabilityCode'];
    if (code !== undefined) this.codes.set(user, code.trim());
    const state = fields['acdState'] !== undefined ? agentState(fields['acdState']) : this.agents.get(user);
    if (state && (fields['acdState'] !== undefined || code !== undefined)) {
      this.agents.set(user, state);
      const reason = state === 'unavailable' ? this.codes.get(user) || undefined : undefined;
      if (this.changed(user, 'agent', `${state}\n${reason ?? ''}`))
        out.push({
          type: 'agent.state',
          data: { agent: { id: user, state, ...(reason ? { reason } : {}) } },
        });
    }

    const dnd = this.service(user, 'dnd', fields['dnd'], '');
    if (dnd !== undefined) out.push({ type: 'service.dnd', data: { user, enabled: dnd } });

    const to = fields['cfaDestination']?.trim() || undefined;
    const cfa = this.service(user, 'cfa', fields['cfa'], to ?? '');
    if (cfa !== undefined)
      out.push({
        type: 'service.forwarding',
        data: { user, kind: 'always', enabled: cfa, ...(to ? { to } : {}) },
      });
    return out;
  }

  /**
   * A service flag to report, or undefined: absent, unreadable, unchanged, or empty (not assigned, L1119)
   * before anything was reported for it.
   */
  private service(user: string, item: string, raw: string | undefined, detail: string): boolean | undefined {
    const on = flag(raw);
    if (on === undefined) return undefined;
    if (raw!.trim() === '' && !this.last.has(`${user}\n${item}`)) return undefined;
    return this.changed(user, item, `${on}\n${detail}`) ? on : undefined;
  }

  private changed(user: string, item: string, value: string): boolean {
    const key = `${user}\n${item}`;
    if (this.last.get(key) === value) return false;
    this.last.set(key, value);
    return true;
  }
}
