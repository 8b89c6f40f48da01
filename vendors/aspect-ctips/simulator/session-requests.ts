/**
 * The session and system requests (digest §4): OpenConnection (credentials, one tenant, callback URL,
 * the 10-connection limit; StartSession is called on the client right after the answer), CloseConnection,
 * OnLine/OffLine, Add/DeleteMessageClass, Add/DeleteFilter and Snapshot (one SnapShotUpdate per agent,
 * call or service, the last with SnapShotComplete, L1882).
 */
import { timingSafeEqual } from 'node:crypto';
import { CTI_ENTITY_TYPES, CTI_MESSAGE_CLASSES } from '../wire/enums.js';
import { Args } from './args.js';
import { makeEvent, RequestFault, type SimContext } from './context.js';
import type { CtipsSession } from './session.js';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * OpenConnection: returns the SessionObject fields. Faults for bad credentials, tenant, URL or a full
 * server (checked in that order, credentials first).
 *
 * @example
 * openConnection(ctx, args); // { SessionId: '…', status: 0 }
 */
export function openConnection(ctx: SimContext, a: Args): { SessionId: string; status: number } {
  const creds = a.node.children.find((c) => c.name === 'UserCredentials' || c.name === 'UserInfo');
  const user = creds?.children.find((c) => c.name === 'UserName')?.text ?? '';
  const pass = creds?.children.find((c) => c.name === 'Password')?.text ?? '';
  const admins = ctx.opts.credentials.filter((c) => c.admin);
  const allowed = admins.length ? admins : ctx.opts.credentials;
  if (!allowed.some((c) => same(c.username, user) && same(c.password, pass))) {
    throw new RequestFault('invalid user name or password');
  }
  const tenants = a.list('TenantIds') ?? a.list('TenantId') ?? [];
  if (tenants.length !== 1) throw new RequestFault('TenantIds must hold exactly one tenant id');
  if (Number(tenants[0]) !== ctx.opts.tenantId) throw new RequestFault(`unknown tenant ${tenants[0]}`);
  const url = a.optStr('ClientCallbackURL') ?? '';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new RequestFault('ClientCallbackURL must be an http(s) URL');
  }
  const s = ctx.sessions.open(parsed.toString());
  if (!s) throw new RequestFault('The maximum number of connections has been reached');
  setImmediate(
    () => void s.callback.send('StartSession', { UserName: user, Password: pass, SessionId: s.id }),
  );
  return { SessionId: s.id, status: 0 };
}

/** The session-scoped requests other than OpenConnection; returns the int result. */
export function sessionRequest(ctx: SimContext, s: CtipsSession, op: string, a: Args): number {
  switch (op) {
    case 'CloseConnection':
      ctx.sessions.close(s.id);
      return 0;
    case 'OnLine':
      if (!s.state.is('online')) s.online();
      return 0;
    case 'OffLine':
      if (!s.state.is('offline')) s.offline();
      return 0;
    case 'AddMessageClass':
      s.classes.add(a.enum('MessageClass', CTI_MESSAGE_CLASSES));
      return 0;
    case 'DeleteMessageClass':
      s.classes.delete(a.enum('MessageClass', CTI_MESSAGE_CLASSES));
      return 0;
    case 'AddFilter':
    case 'DeleteFilter': {
      const type = a.enum('FieldType', ['FT_AGENT_ID', 'FT_SERVICE_ID', 'FT_SWITCH_ID'] as const);
      const value = a.str('FieldValue');
      if (op === 'AddFilter') s.addFilter(type, value);
      else if (!s.deleteFilter(type, value)) throw new RequestFault(`no filter ${type}=${value}`);
      return 0;
    }
    case 'Snapshot':
      return snapshot(ctx, s, a);
    default:
      throw new RequestFault(`${op} is not a session request`);
  }
}

function snapshot(ctx: SimContext, s: CtipsSession, a: Args): number {
  if (!s.state.is('online')) throw new RequestFault('Snapshot needs an ONLINE session');
  const types = (a.list('EntityType') ?? []).map((t) => {
    const m = CTI_ENTITY_TYPES.find((x, i) => x === t.trim() || String(i + 1) === t.trim());
    if (!m) throw new RequestFault(`EntityType must be ${CTI_ENTITY_TYPES.join(', ')}`);
    return m;
  });
  if (types.length === 0) throw new RequestFault('EntityType is required');
  const updates: Record<string, unknown>[] = [];
  if (types.includes('AgentInfo')) {
    for (const ag of ctx.agents.list()) {
      updates.push({
        SnapShotType: 'AgentInfo',
        AgentData: {
          AgentId: ag.agentId,
          AgentLoginName: ag.loginName,
          AgentState: ag.state,
          AgentStationAddress: ag.station,
          AgentWorkGroupId: 1,
          Services: ctx.agents.serviceIds(ag.userId).map((id) => ({ ServiceId: id, ServiceState: 'Active' })),
          SwitchId: ctx.opts.switchId,
        },
      });
    }
  }
  if (types.includes('CallInfo')) {
    for (const c of ctx.calls.list()) {
      updates.push({
        SnapShotType: 'CallInfo',
        CallData: {
          ANI: c.ani,
          CallId: c.callId,
          CallSequenceId: c.sequenceId,
          CallState: c.established ? 'CallEstablished' : 'CallDelivered',
          DNIS: c.dnis,
          ServiceId: c.serviceId,
          SwitchId: ctx.opts.switchId,
        },
      });
    }
  }
  if (types.includes('ServiceInfo')) {
    for (const q of ctx.core.listQueues()) {
      updates.push({
        SnapShotType: 'ServiceInfo',
        ServiceData: {
          ExternalRoutingEnabled: q.kind === 'route-point',
          ServiceId: Number(q.extension),
          ServiceState: 'Active',
        },
      });
    }
  }
  const requestId = ctx.requestId;
  setImmediate(() => {
    updates.forEach((u, i) => {
      ctx.sessions.publish(
        makeEvent(ctx.opts, requestId, 'SnapShotUpdate', {
          ...u,
          SnapShotComplete: i === updates.length - 1,
        }),
        s,
      );
    });
  });
  return 0;
}
