/**
 * BroadWorks CTI request catalogue: every request the driver sends, as (type, uri, method, params,
 * payload). URIs come from the §9 flows where the specification has them; the others are marked
 * (inf) in docs/protocols/broadworks-cti.md.
 */
import { BROADWORKS_DEFAULT_PREFIXES } from '../manifest.js';
import type { AgentStateValue } from '../../../shared/events/model.js';
import { xsiElement, type RequestSpec } from './messages.js';
import { el, tx } from '../wire/index.js';
import { bwAgentState } from './mapper.js';

export interface Prefixes {
  /** Xsi-Actions prefix for call and service requests. */
  actions: string;
  /** Prefix for channel and subscription requests (not in the specification: inferred). */
  events: string;
}

export const DEFAULT_PREFIXES: Prefixes = BROADWORKS_DEFAULT_PREFIXES;

export type ForwardKind = 'always' | 'busy' | 'no-answer';

const FORWARD_SERVICE: Record<ForwardKind, string> = {
  always: 'CallForwardingAlways',
  busy: 'CallForwardingBusy',
  'no-answer': 'CallForwardingNoAnswer',
};

export function forwardingService(kind: ForwardKind): string {
  return FORWARD_SERVICE[kind];
}

/** Subscription target as BroadWorks sees it. */
export type BwTarget =
  | { kind: 'user'; id: string }
  | { kind: 'group'; serviceProviderId: string; groupId: string }
  | { kind: 'system' };

export class Requests {
  constructor(private readonly p: Prefixes = DEFAULT_PREFIXES) {}

  // ---- channels (§5.10)
  getChannelSet(channelSetId: string): RequestSpec {
    return {
      type: 'GetChannelSetRequest',
      method: 'GET',
      uri: `${this.p.events}/channelset/%channelSetId%`,
      params: [['channelSetId', channelSetId]],
    };
  }
  addChannel(c: {
    channelSetId: string;
    priority: number;
    weight: number;
    expires: number;
    applicationId: string;
  }): RequestSpec {
    return {
      type: 'AddChannelRequest',
      method: 'POST',
      uri: `${this.p.events}/channel`,
      params: [],
      payloadXml: xsiElement('Channel', [
        ['channelSetId', c.channelSetId],
        ['priority', c.priority],
        ['weight', c.weight],
        ['expires', c.expires],
        ['applicationId', c.applicationId],
      ]),
    };
  }
  updateChannel(channelId: string, expires: number): RequestSpec {
    return {
      type: 'UpdateChannelRequest',
      method: 'PUT',
      uri: `${this.p.events}/channel/%channelId%`,
      params: [['channelId', channelId]],
      payloadXml: xsiElement('Channel', [
        ['channelId', channelId],
        ['expires', expires],
      ]),
    };
  }
  deleteChannel(channelId: string): RequestSpec {
    return {
      type: 'DeleteChannelRequest',
      method: 'DELETE',
      uri: `${this.p.events}/channel/%channelId%`,
      params: [['channelId', channelId]],
    };
  }

  // ---- subscriptions (§5.11)
  addSubscription(
    target: BwTarget,
    s: { event: string; expires: number; channelSetId: string; applicationId: string },
  ): RequestSpec {
    const payloadXml = xsiElement('Subscription', [
      ['event', s.event],
      ['expires', s.expires],
      ['channelSetId', s.channelSetId],
      ['applicationId', s.applicationId],
    ]);
    switch (target.kind) {
      case 'user':
        return {
          type: 'AddUserSubscriptionRequest',
          method: 'POST',
          uri: `${this.p.events}/user/%subscriberId%`,
          params: [['subscriberId', target.id]],
          payloadXml,
        };
      case 'group':
        return {
          type: 'AddGroupSubscriptionRequest',
          method: 'POST',
          uri: `${this.p.events}/serviceprovider/%serviceProviderId%/group/%groupId%`,
          params: [
            ['serviceProviderId', target.serviceProviderId],
            ['groupId', target.groupId],
          ],
          payloadXml,
        };
      case 'system':
        return {
          type: 'AddSystemSubscriptionRequest',
          method: 'POST',
          uri: `${this.p.events}/system`,
          params: [],
          payloadXml,
        };
    }
  }
  updateSubscription(subscriptionId: string, expires: number): RequestSpec {
    return {
      type: 'UpdateSubscriptionRequest',
      method: 'PUT',
      uri: `${this.p.events}/subscription/%subscriptionId%`,
      params: [['subscriptionId', subscriptionId]],
      payloadXml: xsiElement('Subscription', [['expires', expires]]),
    };
  }
  deleteSubscription(subscriptionId: string): RequestSpec {
    return {
      type: 'DeleteSubscriptionRequest',
      method: 'DELETE',
      uri: `${this.p.events}/subscription/%subscriptionId%`,
      params: [['subscriptionId', subscriptionId]],
    };
  }

  // ---- calls (§5.2, §5.3)
  private userCall(
    type: string,
    method: RequestSpec['method'],
    user: string,
    call: string,
    suffix: string,
    extra: [string, string][] = [],
  ): RequestSpec {
    return {
      type,
      method,
      uri: `${this.p.actions}/user/%subscriberId%/calls/%callId%${suffix}`,
      params: [['subscriberId', user], ['callId', call], ...extra],
    };
  }
  dial(user: string, address: string): RequestSpec {
    return {
      type: 'DialRequest',
      method: 'POST',
      uri: `${this.p.actions}/user/%subscriberId%/calls/new?%address%`,
      params: [
        ['subscriberId', user],
        ['address', address],
      ],
    };
  }
  talk(user: string, call: string): RequestSpec {
    return this.userCall('TalkRequest', 'PUT', user, call, '/talk');
  }
  hold(user: string, call: string): RequestSpec {
    return this.userCall('HoldRequest', 'PUT', user, call, '/hold');
  }
  release(user: string, call: string): RequestSpec {
    return this.userCall('ReleaseRequest', 'DELETE', user, call, '');
  }
  dtmf(user: string, call: string, digits: string): RequestSpec {
    return this.userCall('TransmitDTMFRequest', 'PUT', user, call, '/transmitdtmf?%playDTMF%', [
      ['playDTMF', digits],
    ]);
  }
  blindTransfer(user: string, call: string, address: string): RequestSpec {
    return this.userCall('BlindTransferRequest', 'PUT', user, call, '/blindtransfer?%address%', [
      ['address', address],
    ]);
  }
  consultTransfer(user: string, call1: string, call2: string): RequestSpec {
    return {
      type: 'ConsultativeTransferRequest',
      method: 'PUT',
      uri: `${this.p.actions}/user/%subscriberId%/calls/%callId1%/consulttransfer/%callId2%`,
      params: [
        ['subscriberId', user],
        ['callId1', call1],
        ['callId2', call2],
      ],
    };
  }
  conferenceStart(user: string, calls: string[]): RequestSpec {
    return {
      type: 'ConferenceStartRequest',
      method: 'POST',
      uri: `${this.p.actions}/user/%subscriberId%/calls/conference`,
      params: [['subscriberId', user]],
      payloadXml: xsiElement(
        'Conference',
        [],
        el(
          'conferenceParticipantList',
          null,
          calls.map((c) => el('conferenceParticipant', null, tx('callId', c))),
        ),
      ),
    };
  }
  callList(user: string): RequestSpec {
    return {
      type: 'RetrieveCallInfoListRequest',
      method: 'GET',
      uri: `${this.p.actions}/user/%subscriberId%/calls`,
      params: [['subscriberId', user]],
    };
  }
  callDetails(user: string, call: string): RequestSpec {
    return this.userCall('RetrieveCallDetailsRequest', 'GET', user, call, '');
  }

  // ---- ACD (§5.5) and disposition codes (§5.6.4)
  private acdCall(
    type: string,
    method: RequestSpec['method'],
    idName: 'callcenterId' | 'subscriberId',
    queue: string,
    call: string,
    suffix: string,
    extra: [string, string][] = [],
  ): RequestSpec {
    return {
      type,
      method,
      uri: `${this.p.actions}/callcenter/%${idName}%/calls/%callId%${suffix}`,
      params: [[idName, queue], ['callId', call], ...extra],
    };
  }
  /** Route Point Distribute Call (§5.4.2, sample F13 at L24399): the call to an agent. */
  rpDistribute(routePoint: string, call: string, agentId: string): RequestSpec {
    return {
      type: 'RoutePointDistributeCallRequest',
      method: 'PUT',
      uri: `${this.p.actions}/routepoint/%subscriberId%/calls/%callId%/distribute`,
      params: [
        ['subscriberId', routePoint],
        ['callId', call],
      ],
      payloadXml: xsiElement('RoutePointDistribute', [['agentId', agentId]]),
    };
  }
  /** Route Point Blind Transfer (§5.4.10, sample at L24738): the call to any address. */
  rpBlindTransfer(routePoint: string, call: string, address: string): RequestSpec {
    return {
      type: 'RoutePointBlindTransferRequest',
      method: 'PUT',
      uri: `${this.p.actions}/routepoint/%routepointid%/calls/%callid%/BlindTransfer?address=%address%`,
      params: [
        ['routepointid', routePoint],
        ['callid', call],
        ['address', address],
      ],
    };
  }
  /** Get ACD (§5.5.1): the calls in the ACD queue. The specification gives no URI (inf). */
  getAcd(queue: string): RequestSpec {
    return {
      type: 'GetACDRequest',
      method: 'GET',
      uri: `${this.p.actions}/callcenter/%callcenterId%/calls`,
      params: [['callcenterId', queue]],
    };
  }
  acdBlindTransfer(queue: string, call: string, address: string): RequestSpec {
    return this.acdCall(
      'ACDBlindTransferRequest',
      'PUT',
      'callcenterId',
      queue,
      call,
      '/blindtransfer?%phoneno%',
      [['phoneno', address]],
    );
  }
  acdPromote(queue: string, call: string, priority: string): RequestSpec {
    return {
      ...this.acdCall('ACDPromoteCallRequest', 'PUT', 'subscriberId', queue, call, '/promote'),
      payloadXml: xsiElement('ACDPromote', [['priority', priority]]),
    };
  }
  acdReorder(queue: string, call: string, index: number): RequestSpec {
    return this.acdCall('ACDReorderCallRequest', 'PUT', 'subscriberId', queue, call, '/reorder?%index%', [
      ['index', String(index)],
    ]);
  }
  /** ACD Release Call (§5.5.5): no URI in the specification; the route point's release (L25301) (inf). */
  acdRelease(queue: string, call: string): RequestSpec {
    return this.acdCall('ACDReleaseCallRequest', 'DELETE', 'callcenterId', queue, call, '');
  }
  tagDisposition(user: string, call: string, code: string): RequestSpec {
    return this.userCall('TagDispositionCodeRequest', 'PUT', user, call, '/adddispositioncode/%codename%', [
      ['codename', code],
    ]);
  }

  // ---- agent (§5.6) and services (§5.9)
  getAgentState(agent: string): RequestSpec {
    return {
      type: 'GetAgentStateRequest',
      method: 'GET',
      uri: `${this.p.actions}/user/%subscriberId%/services/callcenter`,
      params: [['subscriberId', agent]],
    };
  }
  setAgentState(agent: string, state: AgentStateValue, reason?: string): RequestSpec {
    return {
      type: 'SetAgentStateRequest',
      method: 'PUT',
      uri: `${this.p.actions}/user/%subscriberId%/services/callcenter`,
      params: [['subscriberId', agent]],
      payloadXml: xsiElement('CallCenter', [
        ['agentACDState', bwAgentState(state)],
        ['unavailableCode', reason],
      ]),
    };
  }
  getDnd(user: string): RequestSpec {
    return {
      type: 'GetDoNotDisturbRequest',
      method: 'GET',
      uri: `${this.p.actions}/user/%subscriberId%/services/donotdisturb`,
      params: [['subscriberId', user]],
    };
  }
  setDnd(user: string, enabled: boolean): RequestSpec {
    return {
      type: 'ModifyDoNotDisturbRequest',
      method: 'PUT',
      uri: `${this.p.actions}/user/%subscriberId%/services/donotdisturb`,
      params: [['subscriberId', user]],
      payloadXml: xsiElement('DoNotDisturb', [['active', enabled]]),
    };
  }
  getForwarding(user: string, kind: ForwardKind): RequestSpec {
    const svc = FORWARD_SERVICE[kind];
    return {
      type: `Get${svc}Request`,
      method: 'GET',
      uri: `${this.p.actions}/user/%subscriberId%/services/${svc}`,
      params: [['subscriberId', user]],
    };
  }
  setForwarding(user: string, kind: ForwardKind, enabled: boolean, to?: string): RequestSpec {
    const svc = FORWARD_SERVICE[kind];
    return {
      type: `Modify${svc}Request`,
      method: 'PUT',
      uri: `${this.p.actions}/user/%subscriberId%/services/${svc}`,
      params: [['subscriberId', user]],
      payloadXml: xsiElement(svc, [
        ['active', enabled],
        ['forwardToPhoneNumber', to],
      ]),
    };
  }
}

/** Expands `%wildcard%`s for logs and raw requests (the wire keeps the template). */
export function expandUri(spec: RequestSpec): string {
  let uri = spec.uri;
  for (const [k, v] of spec.params) uri = uri.split(`%${k}%`).join(v);
  return uri;
}
