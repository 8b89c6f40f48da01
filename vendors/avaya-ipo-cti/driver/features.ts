/**
 * The device commands (logical device services, L4655-5019): agent state, do-not-disturb and
 * forwarding. getAgentState is answered synchronously with a `GetAgentStateResponse` (L4746-4764);
 * setAgentState is "Currently not supported" (L4661) and answers 501. The DND and forwarding requests
 * are accepted with 202 (setForwarding's answer is "None") and their result is the DoNotDisturbEvent /
 * ForwardingEvent of the device (L5023, L5064), which the command waits for.
 */
import type { AgentStateValue } from '../../../shared/events/model.js';
import type { ForwardingType } from '../../../shared/commands/contract.js';
import { NotSupportedError, VendorError, type CallCommand } from '../../driver-kit/seam.js';
import type { WireEvent } from '../wire/events.js';
import {
  buildGetAgentState,
  buildGetDoNotDisturb,
  buildGetForwarding,
  buildSetDoNotDisturb,
  buildSetForwarding,
} from '../wire/requests.js';
import { IpoXmlError, child, childrenOf, parseXml, textOf, type XmlNode } from '../wire/xml.js';
import { VENDOR, badRequest } from './errors.js';
import type { Match, Outcomes } from './outcomes.js';
import { post, type RequestLimits, type Route, type RouteOf } from './route.js';

export interface FeatureDeps extends RequestLimits {
  outcomes: Outcomes;
  routeOf: RouteOf;
  /** The last agent state the events reported (the mapper's). */
  lastAgentState?(agent: string): AgentStateValue | undefined;
}

/** The CSTA forwardingType of each bridge forwarding type (ECMA-323; the doc shows forwardImmediate, L4800). */
export const FORWARDING_TYPES: Readonly<Record<ForwardingType, string>> = {
  always: 'forwardImmediate',
  busy: 'forwardBusy',
  'no-answer': 'forwardNoAns',
};

/** GetAgentStateResponse `agentState` → bridge state (ECMA-323 AgentState). */
const AGENT_STATES: Readonly<Record<string, AgentStateValue>> = {
  agentready: 'available',
  agentbusy: 'available',
  agentnotready: 'unavailable',
  agentworkingaftercall: 'wrap-up',
  agentnull: 'sign-out',
};

const bool = (v: string | undefined) => v?.trim().toLowerCase() === 'true';
const numberOf = (node: XmlNode | undefined): string | undefined =>
  node ? (textOf(node, 'deviceIdentifier') ?? node.text) || undefined : undefined;

/** A device event of `name` about the route's device. */
function deviceEvent<T>(route: Route, name: string, read: (node: XmlNode) => T | undefined): Match<T> {
  return (ev: WireEvent, device) => {
    if (ev.name !== name) return undefined;
    const about = numberOf(child(ev.node, 'device')) ?? device;
    if (about !== undefined && about !== route.device.extension) return undefined;
    return read(ev.node);
  };
}

/**
 * Reads a GetAgentStateResponse: signed out unless `loggedOnState` is true, else the state of the
 * first hunt group entry.
 *
 * @example
 * readAgentState(parseXml(responseXml)); // { state: 'available' }
 */
export function readAgentState(root: XmlNode): { state: AgentStateValue; reason?: string } | undefined {
  if (root.name !== 'GetAgentStateResponse') return undefined;
  const entry = child(root, 'agentStateList', 'agentStateEntry');
  if (!entry) return undefined;
  if (!bool(textOf(entry, 'loggedOnState'))) return { state: 'sign-out' };
  const items = childrenOf(child(entry, 'agentInfo'), 'agentInfoItem');
  const raw = items.map((i) => textOf(i, 'agentState')).find(Boolean);
  if (!raw) return { state: 'sign-in' };
  const state = AGENT_STATES[raw.trim().toLowerCase()];
  return state ? { state } : undefined;
}

/**
 * @example
 * const features = new DeviceFeatures(deps);
 * await features.run({ kind: 'setDnd', user: '1001', enabled: true }); // { enabled: true } once DoNotDisturbEvent arrived
 */
export class DeviceFeatures {
  constructor(private readonly deps: FeatureDeps) {}

  /** Runs a device command; undefined for other kinds. */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'getAgentState':
        return this.agentState(cmd.agent);
      case 'setAgentState':
        throw new NotSupportedError(
          VENDOR,
          'setAgentState (the server does not support SetAgentState, L4661)',
        );
      case 'getDnd':
        return this.dnd(cmd.user, undefined);
      case 'setDnd':
        return this.dnd(cmd.user, cmd.enabled);
      case 'getForwarding':
        return this.forwarding(cmd.user, cmd.type, undefined);
      case 'setForwarding':
        if (cmd.enabled && !cmd.to?.trim()) throw badRequest('setForwarding needs `to` to enable forwarding');
        return this.forwarding(cmd.user, cmd.type, {
          enabled: cmd.enabled,
          ...(cmd.to ? { to: cmd.to.trim() } : {}),
        });
      default:
        return undefined;
    }
  }

  private async agentState(agent: string): Promise<{ state: AgentStateValue; reason?: string }> {
    const route = this.deps.routeOf(agent);
    const answer = await post(
      route,
      'getAgentState',
      buildGetAgentState({ device: route.device.extension }),
      this.deps,
    );
    let state: { state: AgentStateValue; reason?: string } | undefined;
    try {
      state = answer.body.trim()
        ? readAgentState(parseXml(answer.body, { maxBytes: this.deps.maxBytes }))
        : undefined;
    } catch (err) {
      if (!(err instanceof IpoXmlError)) throw err;
    }
    if (!state)
      throw new VendorError(502, `avaya-ipo-cti: unreadable GetAgentStateResponse (HTTP ${answer.status})`, {
        name: VENDOR,
        status: answer.status,
      });
    // CSTA has no "signed in, not yet ready": a logged-on agent reads agentNotReady. When the last
    // agent event was AgentLoggedOn, that is the more precise answer.
    if (state.state === 'unavailable' && !state.reason && this.deps.lastAgentState?.(agent) === 'sign-in')
      return { state: 'sign-in' };
    return state;
  }

  private async dnd(user: string, enabled: boolean | undefined): Promise<{ enabled: boolean }> {
    const route = this.deps.routeOf(user);
    const device = route.device.extension;
    const wait = this.deps.outcomes.expect(
      deviceEvent(route, 'DoNotDisturbEvent', (n) => {
        const on = textOf(n, 'doNotDisturbOn');
        return on === undefined ? undefined : { enabled: bool(on) };
      }),
      `DoNotDisturbEvent for ${device}`,
    );
    try {
      if (enabled === undefined)
        await post(route, 'getDoNotDisturb', buildGetDoNotDisturb({ device }), this.deps);
      else
        await post(
          route,
          'setDoNotDisturb',
          buildSetDoNotDisturb({ device, doNotDisturbOn: enabled }),
          this.deps,
        );
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  private async forwarding(
    user: string,
    type: ForwardingType,
    change: { enabled: boolean; to?: string } | undefined,
  ): Promise<{ enabled: boolean; to?: string }> {
    const route = this.deps.routeOf(user);
    const device = route.device.extension;
    const forwardingType = FORWARDING_TYPES[type];
    const wait = this.deps.outcomes.expect(
      deviceEvent(route, 'ForwardingEvent', (n) => {
        const t = textOf(n, 'forwardingType')?.trim().toLowerCase() ?? '';
        if (!t.startsWith(forwardingType.toLowerCase())) return undefined;
        const enabled = bool(textOf(n, 'forwardStatus'));
        const to = numberOf(child(n, 'forwardTo'));
        return { enabled, ...(enabled && to ? { to } : {}) };
      }),
      `ForwardingEvent ${forwardingType} for ${device}`,
    );
    try {
      if (!change) await post(route, 'getForwarding', buildGetForwarding({ device }), this.deps);
      else
        await post(
          route,
          'setForwarding',
          buildSetForwarding({
            device,
            forwardingType,
            activateForward: change.enabled,
            ...(change.to ? { forwardDN: change.to } : {}),
          }),
          this.deps,
        );
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }
}
