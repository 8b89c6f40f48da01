/**
 * Client commands of a registered (CAP-C) or trusted (CCC2) connection: callAction on the core (with
 * callActionResponse for the two types that may request one), queueAction, monitoringUsersRequest and
 * queueInfoRequest.
 */
import type { CallAction, QueueAction, CapUser } from '../wire/index.js';
import { RESPONDING_ACTIONS, runCallAction } from './calls.js';
import { directoryId, identity, uidOf, type CapHub, type Conn } from './hub.js';
import { fullList, queueCall } from './queues.js';

/** The directory id a client message acts for: its own login (CAP-C) or its id/uid (CCC2). */
export function actor(hub: CapHub, conn: Conn, user: CapUser): string | undefined {
  if (conn.mode === 'cap-c') return conn.session.login?.directoryId;
  if (user.id) return directoryId(hub, user.id);
  const all = [
    ...hub.core.directory.users.map((u) => u.userId),
    ...hub.core.directory.queues.map((q) => q.userId),
  ];
  return all.find((id) => uidOf(hub, id) === user.userUid);
}

export function onCallAction(hub: CapHub, conn: Conn, m: CallAction): void {
  const userId = actor(hub, conn, m.user);
  if (!userId) return;
  const login = conn.session.login;
  const ctx = {
    core: hub.core,
    userId,
    answerEnabled: () => hub.opts.answerControl ?? true,
    lastDialled: login?.lastDialled,
    lastAcdCallId: login?.lastAcdCallId ?? hub.lastAcd.get(userId),
    dispositionCodes: new Set(hub.opts.dispositionCodes ?? ['100', '200', 'Sale', 'NoSale']),
  };
  let outcome;
  try {
    outcome = runCallAction(ctx, m);
  } finally {
    if (login && ctx.lastDialled) login.lastDialled = ctx.lastDialled;
  }
  if (m.responseRequested && RESPONDING_ACTIONS.has(m.actionType)) {
    hub.send(conn, {
      type: 'callActionResponse',
      user: identity(hub, conn, userId),
      actionType: m.actionType,
      ...(m.actionId !== undefined ? { actionId: m.actionId } : {}),
      success: outcome.ok,
      ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    });
  }
}

export function onQueueAction(hub: CapHub, conn: Conn, m: QueueAction): void {
  const queueId = actor(hub, conn, m.user);
  const q = queueId ? hub.core.getQueue(queueId) : undefined;
  if (!q) return;
  const callId = m.call?.callId ?? '';
  const user = identity(hub, conn, q.id);
  switch (m.actionType) {
    case 'Refresh':
      hub.send(conn, {
        type: 'queueUpdate',
        user,
        updateReason: 'Refresh',
        calls: fullList(q, hub.priorities),
      });
      return;
    case 'Reorder': {
      const nq = hub.core.reorderQueue(q.id, callId, m.call?.position ?? 1);
      hub.toUser(q.id, (c) => ({
        type: 'queueUpdate',
        user: identity(hub, c, q.id),
        updateReason: 'CallReordered',
        calls: fullList(nq, hub.priorities, callId),
      }));
      return;
    }
    case 'Promote': {
      const p = m.call?.priority;
      const entry = q.entries.find((e) => e.callerLegId === callId);
      if (!entry || p === undefined || p < 0 || p > 3) return;
      hub.priorities.set(callId, p);
      hub.toUser(q.id, (c) => ({
        type: 'queueUpdate',
        user: identity(hub, c, q.id),
        updateReason: 'CallPromoted',
        calls: [queueCall(entry, hub.priorities, true)],
      }));
      return;
    }
    case 'Transfer':
      if (!m.call?.destination) return;
      hub.core.distribute(q.id, callId, m.call.destination);
      return;
  }
}

export function onMonitoring(hub: CapHub, conn: Conn, monType: string, users: string[]): void {
  const login = conn.session.login!;
  if (login.userType !== 'AttendantConsole') return;
  const failed: { id: string; reason: string }[] = [];
  const ok: string[] = [];
  for (const id of users) {
    const d = hub.core.getUser(id)?.userId;
    if (!d) failed.push({ id, reason: 'UnknownUser' });
    else if (hub.opts.privateUsers?.includes(d)) failed.push({ id, reason: 'PrivateUser' });
    else ok.push(d);
  }
  if (monType === 'Replace') login.monitored = ok;
  else if (monType === 'Delete') login.monitored = login.monitored.filter((m) => !ok.includes(m));
  else login.monitored = [...new Set([...login.monitored, ...ok])];
  hub.send(conn, {
    type: 'monitoringUsersResponse',
    user: identity(hub, conn, login.directoryId),
    success: failed.length === 0,
    failedUsers: failed,
  });
}
