/**
 * One example per event type: validated by the tests against the model and rendered into
 * docs/events.md by `npm run docs:events`, so the documentation cannot drift from the schema.
 */
import type { BridgeEvent, EventType } from './model.js';

const base = {
  specversion: '1' as const,
  tenant: 'acme',
  link: 'sim-broadworks',
  time: '2026-11-21T10:15:02.120Z',
};
const aliceCall = {
  id: 'callhalf-722:0',
  correlationId: '2719:1',
  direction: 'outbound' as const,
  local: { user: 'alice@sim.example', address: 'tel:1001' },
  remote: { address: 'tel:1002', name: 'Bob Brown' },
  startedAt: '2026-11-21T10:15:01.000Z',
};
const bobCall = {
  id: 'callhalf-723:0',
  correlationId: '2719:1',
  direction: 'inbound' as const,
  local: { user: 'bob@sim.example', address: 'tel:1002' },
  remote: { address: 'tel:1001', name: 'Alice Anders' },
  startedAt: '2026-11-21T10:15:01.300Z',
};
const alice = { type: 'user' as const, id: 'alice@sim.example' };
const bob = { type: 'user' as const, id: 'bob@sim.example' };
const queue = { type: 'queue' as const, id: 'sales@sim.example' };
const queueCall = { id: 'callhalf-900:0', correlationId: '3001:1', remote: { address: 'tel:+15550100' } };
const bw = (event: string) => ({ name: 'broadworks-cti' as const, event });
const ctips = (event: string) => ({ name: 'aspect-ctips' as const, event });
const routePoint = { type: 'routePoint' as const, id: '7' };
const routedCall = { id: '4711', correlationId: '1:4711:1' };

export const EXAMPLES: { [T in EventType]: Omit<BridgeEvent<T>, 'id' | 'seq'> } = {
  'call.originated': {
    ...base,
    type: 'call.originated',
    target: alice,
    data: { call: { ...aliceCall, state: 'dialing' } },
    vendor: bw('CallOriginatedEvent'),
  },
  'call.received': {
    ...base,
    type: 'call.received',
    target: bob,
    data: { call: { ...bobCall, state: 'alerting' } },
    vendor: bw('CallReceivedEvent'),
  },
  'call.answered': {
    ...base,
    type: 'call.answered',
    target: bob,
    data: { call: { ...bobCall, state: 'active', answeredAt: '2026-11-21T10:15:04.000Z' } },
    vendor: bw('CallAnsweredEvent'),
  },
  'call.held': {
    ...base,
    type: 'call.held',
    target: bob,
    data: { call: { ...bobCall, state: 'held', answeredAt: '2026-11-21T10:15:04.000Z' } },
    vendor: bw('CallHeldEvent'),
  },
  'call.retrieved': {
    ...base,
    type: 'call.retrieved',
    target: bob,
    data: { call: { ...bobCall, state: 'active', answeredAt: '2026-11-21T10:15:04.000Z' } },
    vendor: bw('CallRetrievedEvent'),
  },
  'call.transferred': {
    ...base,
    type: 'call.transferred',
    target: bob,
    data: {
      call: {
        ...bobCall,
        state: 'released',
        releasedAt: '2026-11-21T10:16:00.000Z',
        releaseCause: 'transferred',
      },
      transfer: { mode: 'blind', to: 'tel:1003' },
    },
    vendor: bw('CallTransferredEvent'),
  },
  'call.forwarded': {
    ...base,
    type: 'call.forwarded',
    target: bob,
    data: {
      call: {
        ...bobCall,
        state: 'released',
        releaseCause: 'forwarded',
        releasedAt: '2026-11-21T10:15:02.000Z',
      },
      forwardedTo: 'tel:1004',
      reason: 'always',
    },
    vendor: bw('CallForwardedEvent'),
  },
  'call.updated': {
    ...base,
    type: 'call.updated',
    target: alice,
    data: { call: { ...aliceCall, state: 'alerting' } },
    vendor: bw('CallUpdatedEvent'),
  },
  'call.released': {
    ...base,
    type: 'call.released',
    target: alice,
    data: {
      call: {
        ...aliceCall,
        state: 'released',
        answeredAt: '2026-11-21T10:15:04.000Z',
        releasedAt: '2026-11-21T10:17:00.000Z',
        releaseCause: 'normal',
      },
    },
    vendor: bw('CallReleasedEvent'),
  },
  'conference.started': {
    ...base,
    type: 'conference.started',
    target: alice,
    data: {
      conference: {
        id: 'conf-1',
        state: 'active',
        calls: ['callhalf-722:0', 'callhalf-724:0'],
        parties: [{ address: 'tel:1002' }, { address: 'tel:1003' }],
      },
      local: { user: 'alice@sim.example' },
    },
    vendor: bw('ConferenceStartedEvent'),
  },
  'conference.updated': {
    ...base,
    type: 'conference.updated',
    target: alice,
    data: {
      conference: { id: 'conf-1', state: 'held', calls: ['callhalf-722:0', 'callhalf-724:0'] },
      local: { user: 'alice@sim.example' },
    },
    vendor: bw('ConferenceHeldEvent'),
  },
  'conference.released': {
    ...base,
    type: 'conference.released',
    target: alice,
    data: {
      conference: { id: 'conf-1', state: 'released', calls: [] },
      local: { user: 'alice@sim.example' },
    },
    vendor: bw('ConferenceReleasedEvent'),
  },
  'agent.state': {
    ...base,
    type: 'agent.state',
    target: { type: 'user', id: 'carol@sim.example' },
    data: { agent: { id: 'carol@sim.example', state: 'available' } },
    vendor: bw('ACDAgentStateEvent'),
  },
  'queue.call.added': {
    ...base,
    type: 'queue.call.added',
    target: queue,
    data: { queue: { id: 'sales@sim.example' }, call: { ...queueCall, position: 1 } },
    vendor: bw('ACDCallAddedEvent'),
  },
  'queue.call.offered': {
    ...base,
    type: 'queue.call.offered',
    target: queue,
    data: { queue: { id: 'sales@sim.example' }, call: { ...queueCall, agent: 'carol@sim.example' } },
    vendor: bw('ACDCallOfferedToAgentEvent'),
  },
  'queue.call.answered': {
    ...base,
    type: 'queue.call.answered',
    target: queue,
    data: { queue: { id: 'sales@sim.example' }, call: { ...queueCall, agent: 'carol@sim.example' } },
    vendor: bw('ACDCallAnsweredByAgentEvent'),
  },
  'queue.call.abandoned': {
    ...base,
    type: 'queue.call.abandoned',
    target: queue,
    data: { queue: { id: 'sales@sim.example' }, call: { ...queueCall, reason: 'caller hung up' } },
    vendor: bw('ACDCallAbandonedEvent'),
  },
  'queue.call.removed': {
    ...base,
    type: 'queue.call.removed',
    target: queue,
    data: { queue: { id: 'sales@sim.example' }, call: { ...queueCall } },
    vendor: bw('ACDCallReleasedEvent'),
  },
  'route.request': {
    ...base,
    type: 'route.request',
    target: { type: 'routePoint', id: 'route@sim.example' },
    data: {
      routePoint: { id: 'route@sim.example' },
      call: { id: 'callhalf-950:0', correlationId: '3100:1', remote: { address: 'tel:+15550199' } },
    },
    vendor: bw('RoutePointCallAddedEvent'),
  },
  'route.used': {
    ...base,
    type: 'route.used',
    target: routePoint,
    data: {
      routePoint: { id: '7' },
      call: routedCall,
      route: { type: 'agent', destination: '1003' },
      by: 'api',
    },
    vendor: ctips('RouteUsed'),
  },
  'route.rejected': {
    ...base,
    type: 'route.rejected',
    target: routePoint,
    data: {
      routePoint: { id: '7' },
      call: routedCall,
      route: { type: 'agent', destination: '1009' },
      by: 'webhook',
      reason: 'invalid-destination',
    },
    vendor: ctips('RouteRejected'),
  },
  'route.failed': {
    ...base,
    type: 'route.failed',
    target: routePoint,
    data: {
      routePoint: { id: '7' },
      call: routedCall,
      route: { type: 'service', destination: '99' },
      by: 'api',
      reason: 'DestinationInvalidServiceIdentifier',
    },
    vendor: ctips('RouteRequestFailed'),
  },
  'route.defaulted': {
    ...base,
    type: 'route.defaulted',
    target: routePoint,
    data: { routePoint: { id: '7' }, call: routedCall, route: { type: 'default' }, by: 'timeout' },
    vendor: ctips('RouteUsed'),
  },
  'service.dnd': {
    ...base,
    type: 'service.dnd',
    target: bob,
    data: { user: 'bob@sim.example', enabled: true },
    vendor: bw('DoNotDisturbEvent'),
  },
  'service.forwarding': {
    ...base,
    type: 'service.forwarding',
    target: bob,
    data: { user: 'bob@sim.example', kind: 'always', enabled: true, to: '1004' },
    vendor: bw('CallForwardingAlwaysEvent'),
  },
  'link.up': {
    ...base,
    type: 'link.up',
    target: { type: 'system' },
    data: { status: 'up', resynced: true },
    vendor: bw('connected'),
  },
  'link.down': {
    ...base,
    type: 'link.down',
    target: { type: 'system' },
    data: { status: 'down', reason: 'socket closed by peer' },
    vendor: bw('disconnected'),
  },
  'subscription.terminated': {
    ...base,
    type: 'subscription.terminated',
    target: alice,
    data: { subscription: 'sub_3KpV9', reason: 'SubscriptionTerminatedEvent from the server' },
    vendor: bw('SubscriptionTerminatedEvent'),
  },
  'session.ended': {
    ...base,
    link: 'sim-cap',
    type: 'session.ended',
    target: alice,
    data: { state: 'ended', reason: 'ForceLogoutD', detail: 'the user logged in again on another terminal' },
    vendor: { name: 'broadworks-cap', event: 'unRegister' },
  },
};
