/**
 * CAP-C registration on the simulated OCS (docs/protocols/broadworks-cap.md, "Session"):
 * registerAuthentication → responseAuthentication (nonce, MD5) → registerRequest (securePassword) →
 * registerResponse, duplicate logins (ForceLogoutD), and the initial updates sent once the client has
 * acknowledged the registerResponse.
 */
import { randomInt } from 'node:crypto';
import { securePassword, type CapMessage, type CapUser, type FailureCause } from '../wire/index.js';
import { capCall } from './calls.js';
import { directoryId, identity, monitoredIds, uidOf, type CapHub, type Conn } from './hub.js';
import { fullList } from './queues.js';

export function onRegisterAuthentication(hub: CapHub, conn: Conn, user: CapUser): void {
  const s = conn.session;
  const loginId = user.id ?? '';
  const dirId = directoryId(hub, loginId);
  const base = {
    userType: user.userType ?? 'CallClient',
    id: loginId,
    applicationId: user.applicationId ?? '',
    supervisorId: user.supervisorId,
  };
  if (!dirId) {
    hub.send(conn, { type: 'responseAuthentication', user: base, failure: 'UnknownID' });
    s.state = s.state === 'loggedOut' ? 'loggedOut' : 'awaitingAuthentication';
    return;
  }
  s.nonce = String(Date.now()) + String(randomInt(100, 999));
  s.pending = {
    directoryId: dirId,
    loginId,
    kind: hub.core.getQueue(dirId) ? 'queue' : 'user',
    userType: user.userType === 'AttendantConsole' ? 'AttendantConsole' : 'CallClient',
    applicationId: user.applicationId ?? '',
  };
  s.state = 'awaitingRegisterRequest';
  hub.send(conn, { type: 'responseAuthentication', user: base, nonce: s.nonce, algorithm: 'MD5' });
}

export function passwordOf(hub: CapHub, directoryId: string): string {
  const own =
    hub.opts.passwords?.[directoryId] ??
    hub.opts.credentials.find((c) => c.username === directoryId)?.password;
  return own ?? hub.opts.credentials[0]?.password ?? 'bridge-secret';
}

export function onRegisterRequest(hub: CapHub, conn: Conn, user: CapUser, digest: string | undefined): void {
  const s = conn.session;
  const p = s.pending;
  const reply = (
    failure?: FailureCause,
    extra: { numMonitoredUsers?: number; callDetailsEnabled?: boolean } = {},
  ) => {
    const base: CapUser = {
      userType: p?.userType ?? user.userType ?? 'CallClient',
      id: user.id ?? p?.loginId,
      applicationId: p?.applicationId ?? user.applicationId ?? '',
    };
    if (!failure && p) base.userUid = uidOf(hub, p.directoryId);
    hub.send(
      conn,
      failure
        ? { type: 'registerResponse', user: base, failure }
        : { type: 'registerResponse', user: base, ...extra },
    );
  };
  const fail = (cause: FailureCause) => {
    reply(cause);
    s.state = 'awaitingAuthentication';
    s.pending = undefined;
    s.nonce = undefined;
  };
  if (!p || !s.nonce || (user.id !== undefined && directoryId(hub, user.id) !== p.directoryId))
    return fail('UnknownID');
  const forced = hub.loginFailures.findIndex((f) => !f.id || directoryId(hub, f.id) === p.directoryId);
  if (forced >= 0) return fail(hub.loginFailures.splice(forced, 1)[0]!.cause);
  if (!digest || digest.toLowerCase() !== securePassword(s.nonce, passwordOf(hub, p.directoryId)))
    return fail('IncorrectPassword');
  if (p.userType === 'AttendantConsole' && p.kind === 'queue') return fail('UnauthorizedAttendantConsole');
  // one login per user and userType: the older one is logged out (ForceLogoutD, rule 12)
  for (const other of hub.conns) {
    const ol = other.session.login;
    if (
      other !== conn &&
      ol &&
      ol.directoryId === p.directoryId &&
      ol.userType === p.userType &&
      other.session.state !== 'loggedOut'
    ) {
      hub.send(other, {
        type: 'unRegister',
        user: identity(hub, other, ol.directoryId),
        reason: 'ForceLogoutD',
      });
      other.session.logout();
    }
  }
  const monitored =
    p.userType === 'AttendantConsole'
      ? (hub.opts.monitors?.[p.directoryId] ??
        hub.core.directory.users.map((u) => u.userId).filter((u) => u !== p.directoryId))
      : [];
  const callDetailsEnabled = hub.opts.callDetailsEnabled ?? true;
  s.login = { ...p, userUid: uidOf(hub, p.directoryId), monitored, callDetailsEnabled };
  s.pending = undefined;
  s.nonce = undefined;
  s.state = 'awaitingAcknowledgement';
  reply(
    undefined,
    p.userType === 'AttendantConsole' ? { numMonitoredUsers: monitored.length, callDetailsEnabled } : {},
  );
}

export function sendInitialUpdates(hub: CapHub, conn: Conn): void {
  const login = conn.session.login!;
  const id = login.directoryId;
  if (login.kind === 'queue') {
    hub.send(conn, {
      type: 'queueProfileUpdate',
      user: identity(hub, conn, id),
      initialUpdate: true,
      nightService: 'Off',
      holidayService: 'Off',
      forcedForwarding: 'Off',
    });
    const q = hub.core.getQueue(id)!;
    if (q.entries.length)
      hub.send(conn, {
        type: 'queueUpdate',
        user: identity(hub, conn, id),
        updateReason: 'Initial',
        calls: fullList(q, hub.priorities),
      });
    return;
  }
  if (login.userType === 'AttendantConsole') {
    for (const m of login.monitored) hub.send(conn, acProfile(hub, conn, m, true));
    for (const m of login.monitored)
      hub.send(conn, {
        type: 'sessionUpdate',
        user: identity(hub, conn, id),
        ...monitoredIds(hub, m),
        offHook: hub.core.getUser(m)?.offHook ?? false,
      });
    return;
  }
  const legs = hub.core.listLegs({ userId: id });
  const conf = hub.core.getConference(id);
  hub.send(conn, {
    type: 'sessionUpdate',
    user: identity(hub, conn, id),
    offHook: hub.core.getUser(id)?.offHook ?? false,
    numCalls: legs.length,
    maxCalls: -1,
    epControl: true,
    ...(conf
      ? {
          conference: {
            state: conf.state === 'held' ? 'Held' : 'Active',
            callIds: conf.legIds,
            appearances: ['1'],
          },
        }
      : {}),
  });
  for (const l of legs)
    hub.send(conn, { type: 'callUpdate', user: identity(hub, conn, id), calls: [capCall(l)] });
  const u = hub.core.getUser(id)!;
  const [first = '', ...rest] = u.name.split(' ');
  const fields: Record<string, string> = {
    firstName: first,
    lastName: rest.join(' '),
    phone: u.phone.replace(/^\+1/, ''),
    extension: u.extension,
    locationCode: '',
    countryCode: '1',
    nationalPrefix: '',
    enterpriseUser: 'On',
    email: `${id}`,
    groupName: u.groupId,
    serviceProviderName: u.enterpriseId,
    supportEmail: '',
    threeWayCall: 'On',
    nWayCall: '',
    callTransfer: 'On',
    cfa: u.forwarding.always.active ? 'On' : 'Off',
    cpe: '',
    cwt: u.callWaiting ? 'On' : 'Off',
    dnd: u.dnd ? 'On' : 'Off',
    lnrd: '',
    oi: '',
    ro: '',
    li: '',
    simring: '',
    voiceMessaging: '',
    voiceMessagingGroup: '',
    thirdPartyVoiceMessaging: '',
    thirdPartyVMGroup: '',
    callLogs: 'On',
  };
  if (u.agent) {
    fields['acdState'] = acdState(u.agent.state);
    fields['acdStateTime'] = String(u.agent.stateSince);
  }
  hub.send(conn, {
    type: 'profileUpdate',
    user: identity(hub, conn, id),
    initialUpdate: true,
    fields,
    callCenters: (u.agent?.queues ?? []).map((q) => ({ id: q, joinCallCenter: 'True' })),
  });
}

export function acProfile(hub: CapHub, conn: Conn, m: string, initial: boolean): CapMessage {
  const u = hub.core.getUser(m);
  const [first = '', ...rest] = (u?.name ?? '').split(' ');
  const fields: Record<string, string> = initial
    ? {
        firstName: first,
        lastName: rest.join(' '),
        phone: (u?.phone ?? '').replace(/^\+1/, ''),
        extension: u?.extension ?? '',
        locationCode: '',
        countryCode: '1',
        nationalPrefix: '',
        mobile: '',
        pager: '',
        email: m,
        department: '',
        title: '',
        voiceMessaging: '',
        voiceMessagingGroup: '',
        thirdPartyVoiceMessaging: '',
        thirdPartyVMGroup: '',
      }
    : { dnd: u?.dnd ? 'On' : 'Off' };
  return {
    type: 'profileUpdate',
    user: identity(hub, conn, conn.session.login!.directoryId),
    initialUpdate: initial,
    ...monitoredIds(hub, m),
    fields,
    callCenters: [],
  };
}

/** The CAP ACD state name of a core agent state. */
export function acdState(s: string): string {
  return s === 'sign-in'
    ? 'Sign-in'
    : s === 'sign-out'
      ? 'Sign-out'
      : s === 'available'
        ? 'Available'
        : s === 'unavailable'
          ? 'Unavailable'
          : 'Wrap-up';
}
