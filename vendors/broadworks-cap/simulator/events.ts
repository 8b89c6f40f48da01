/**
 * Core events as CAP messages: callUpdate and callControlInfo for legs, sessionUpdate for hook and
 * conference changes, profileUpdate for DND and ACD state, queueUpdate for queue changes, and the
 * Attendant Console forms for monitored users.
 */
import type { CoreEvent, LegSnapshot } from '../../../simulator/core/types.js';
import { capCall } from './calls.js';
import { identity, monitoredIds, type CapHub, type Conn } from './hub.js';
import { queueCall } from './queues.js';
import { acProfile, acdState } from './registration.js';

/** Attendant Console sessions monitoring `userId`. */
export function monitorsOf(hub: CapHub, userId: string): Conn[] {
  return [...hub.conns].filter(
    (c) =>
      c.session.registered &&
      c.session.login?.userType === 'AttendantConsole' &&
      c.session.login.monitored.includes(userId),
  );
}

export function onLeg(hub: CapHub, leg: LegSnapshot, received: boolean): void {
  const u = leg.userId;
  if (!u) return;
  if (leg.queue && leg.state === 'active') hub.lastAcd.set(u, leg.id);
  hub.toUser(u, (c) => ({ type: 'callUpdate', user: identity(hub, c, u), calls: [capCall(leg)] }));
  if (received && leg.state === 'alerting' && leg.direction === 'terminator') {
    const enabled = hub.opts.answerControl ?? true;
    hub.toUser(u, (c) => ({
      type: 'callControlInfo',
      user: identity(hub, c, u),
      callId: leg.id,
      extTrackingId: leg.correlationId,
      controls: [
        { type: 'Answer', enabled },
        { type: 'Hold', enabled: false },
        { type: 'Retrieve', enabled: false },
      ],
    }));
  }
  const state = leg.state === 'active' ? 2 : leg.state === 'released' ? 5 : undefined;
  if (state === undefined) return;
  for (const c of monitorsOf(hub, u)) {
    if (!c.session.login!.callDetailsEnabled) continue;
    hub.send(c, {
      type: 'callUpdate',
      user: identity(hub, c, c.session.login!.directoryId),
      ...monitoredIds(hub, u),
      calls: [
        {
          callId: leg.id,
          extTrackingId: leg.correlationId,
          state,
          remoteNumber: leg.remote.number,
          remoteName: leg.remote.name ?? '',
          callStartTime: String(leg.startTime),
        },
      ],
    });
  }
}

export function onCoreEvent(hub: CapHub, ev: CoreEvent): void {
  switch (ev.type) {
    case 'leg.redirected':
      for (const l of ev.legs) onLeg(hub, l, false);
      return;
    case 'leg.dtmf':
      return;
    case 'hook':
      hub.toUser(ev.userId, (c) => ({
        type: 'sessionUpdate',
        user: identity(hub, c, ev.userId),
        offHook: ev.offHook,
      }));
      for (const c of monitorsOf(hub, ev.userId))
        hub.send(c, {
          type: 'sessionUpdate',
          user: identity(hub, c, c.session.login!.directoryId),
          ...monitoredIds(hub, ev.userId),
          offHook: ev.offHook,
        });
      return;
    case 'conference.started':
    case 'conference.updated':
    case 'conference.held':
    case 'conference.retrieved':
    case 'conference.released': {
      const conf = ev.conference;
      const state = conf.state === 'held' ? 'Held' : conf.state === 'released' ? 'Released' : 'Active';
      hub.toUser(conf.controller, (c) => ({
        type: 'sessionUpdate',
        user: identity(hub, c, conf.controller),
        conference: { state, callIds: conf.legIds, appearances: conf.legIds.length ? ['1'] : [] },
      }));
      return;
    }
    case 'user.dnd':
      hub.toUser(ev.user.userId, (c) => ({
        type: 'profileUpdate',
        user: identity(hub, c, ev.user.userId),
        initialUpdate: false,
        fields: { dnd: ev.user.dnd ? 'On' : 'Off' },
        callCenters: [],
      }));
      for (const c of monitorsOf(hub, ev.user.userId)) hub.send(c, acProfile(hub, c, ev.user.userId, false));
      return;
    case 'agent.state':
      hub.toUser(ev.user.userId, (c) => ({
        type: 'profileUpdate',
        user: identity(hub, c, ev.user.userId),
        initialUpdate: false,
        fields: {
          acdState: acdState(ev.user.agent?.state ?? 'sign-out'),
          acdStateTime: String(ev.user.agent?.stateSince ?? Date.now()),
        },
        callCenters: [],
      }));
      return;
    case 'queue.added':
    case 'queue.answered':
    case 'queue.abandoned':
    case 'queue.removed': {
      const e = ev.entry;
      if (e.kind !== 'queue') return;
      let reason: string | undefined;
      if (ev.type === 'queue.added') reason = 'CallAdded';
      else if (ev.type === 'queue.answered') {
        hub.answeredEntries.add(e.id);
        reason = 'CallAnswered';
      } else if (ev.type === 'queue.abandoned') reason = 'CallAbandoned';
      else if (ev.reason === 'distributed' && !hub.answeredEntries.delete(e.id)) reason = 'CallTransferred';
      if (ev.type === 'queue.removed') hub.priorities.delete(e.callerLegId);
      if (!reason) return;
      const r = reason;
      hub.toUser(e.queueId, (c) => ({
        type: 'queueUpdate',
        user: identity(hub, c, e.queueId),
        updateReason: r,
        calls: [queueCall(e, hub.priorities, r === 'CallAdded')],
      }));
      return;
    }
    case 'queue.offered':
    case 'user.forwarding':
      return;
    default:
      onLeg(hub, ev.leg, ev.type === 'leg.received');
  }
}
