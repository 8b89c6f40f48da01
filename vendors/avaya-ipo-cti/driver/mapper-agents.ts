/**
 * The logical-device half of the IP Office mapper (LogicalDeviceFeaturesEvents, L5023-5240): agent
 * events as `agent.state`, DoNotDisturbEvent as `service.dnd`, ForwardingEvent as
 * `service.forwarding`. IP Office sends these on request (get*) as well as on change (L5023, L5064), and
 * an agent in several hunt groups gets one AgentReady per group, so each value is reported when it
 * differs from the last one seen: the first value once, then the changes.
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { XmlNode } from '../wire/xml.js';
import type { Mapped } from './mapper-calls.js';
import { agentStateOf, cstaBool, forwardingKind, releaseCauseName } from './mapper-codes.js';
import { deviceOf, text } from './mapper-csta.js';

/**
 * Per-user agent and service state of an IP Office link.
 *
 * @example
 * const book = new IpoAgentBook();
 * book.agent('AgentReadyEvent', node, '1201');
 * // → [{ type: 'agent.state', data: { agent: { id: '1201', state: 'available' } } }]
 */
export class IpoAgentBook {
  private readonly last = new Map<string, string>();

  /** Forgets what was reported for `user` (the next value is reported again). */
  forget(user: string): void {
    for (const k of [...this.last.keys()]) if (k.startsWith(`${user}\n`)) this.last.delete(k);
  }

  /**
   * An agent event. The agent is `subject` (the session's device or `Event@device`), else the
   * `agentDevice`. `reason`: a NotReady cause other than `normal`. AgentBusy gives nothing.
   */
  agent(
    event: string,
    node: XmlNode,
    subject: string | undefined,
  ): { user: string; events: Mapped[] } | undefined {
    const state: AgentStateValue | undefined = agentStateOf(event);
    const user = subject ?? deviceOf(node, 'agentDevice') ?? deviceOf(node, 'device');
    if (!state || !user) return undefined;
    const cause = text(node, 'cause');
    const reason =
      state === 'unavailable' && cause && cause.toLowerCase() !== 'normal'
        ? releaseCauseName(cause)
        : undefined;
    if (!this.changed(user, 'agent', `${state}\n${reason ?? ''}`)) return { user, events: [] };
    return {
      user,
      events: [{ type: 'agent.state', data: { agent: { id: user, state, ...(reason ? { reason } : {}) } } }],
    };
  }

  /** DoNotDisturbEvent (`doNotDisturbOn`). */
  dnd(node: XmlNode, subject: string | undefined): { user: string; events: Mapped[] } | undefined {
    const user = subject ?? deviceOf(node, 'device');
    const on = cstaBool(text(node, 'doNotDisturbOn'));
    if (!user || on === undefined) return undefined;
    if (!this.changed(user, 'dnd', String(on))) return { user, events: [] };
    return { user, events: [{ type: 'service.dnd', data: { user, enabled: on } }] };
  }

  /** ForwardingEvent (`forwardingType`, `forwardStatus`, `forwardTo`). */
  forwarding(node: XmlNode, subject: string | undefined): { user: string; events: Mapped[] } | undefined {
    const user = subject ?? deviceOf(node, 'device');
    const kind = forwardingKind(text(node, 'forwardingType'));
    const on = cstaBool(text(node, 'forwardStatus'));
    if (!user || !kind || on === undefined) return undefined;
    const to = text(node, 'forwardTo');
    if (!this.changed(user, `fwd:${kind}`, `${on}\n${to ?? ''}`)) return { user, events: [] };
    return {
      user,
      events: [{ type: 'service.forwarding', data: { user, kind, enabled: on, ...(to ? { to } : {}) } }],
    };
  }

  /** The last agent state an event reported for `user`. */
  agentState(user: string): AgentStateValue | undefined {
    return this.last.get(`${user}\nagent`)?.split('\n')[0] as AgentStateValue | undefined;
  }

  private changed(user: string, item: string, value: string): boolean {
    const key = `${user}\n${item}`;
    if (this.last.get(key) === value) return false;
    this.last.set(key, value);
    return true;
  }
}
