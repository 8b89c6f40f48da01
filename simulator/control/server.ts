/**
 * HTTP control API of the simulator: act as phones and as the outside world, change services and agent
 * states, inspect state, inject faults into a protocol front-end (`/faults/<front-end control name>/...`).
 */
import http from 'node:http';
import type { PbxCore } from '../core/index.js';
import { PbxError, type AgentState, type ForwardType } from '../core/types.js';
import { SimFaultError, type SimFrontEnd } from '../frontends/types.js';

export interface ControlApiOptions {
  host?: string;
  port?: number;
  /** Running front-ends by their control name (faults and `GET /state`). */
  frontEnds?: Record<string, SimFrontEnd>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

const PBX_STATUS: Record<string, number> = {
  USER_NOT_FOUND: 404,
  CALL_NOT_FOUND: 404,
  NO_CONFERENCE: 404,
  NOT_A_QUEUE: 404,
};
const AGENT_STATES: AgentState[] = ['sign-in', 'available', 'unavailable', 'wrap-up', 'sign-out'];
const FORWARD_TYPES: ForwardType[] = ['always', 'busy', 'no-answer'];

function str(b: Body, k: string, required = true): string | undefined {
  const v = b[k];
  if (v === undefined || v === null || v === '') {
    if (required) throw new HttpError(400, `${k} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new HttpError(400, `${k} must be a string`);
  return String(v);
}

function boolField(b: Body, k: string): boolean | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new HttpError(400, `${k} must be a boolean`);
  return v;
}

export class ControlApi {
  private server?: http.Server;

  constructor(
    private readonly core: PbxCore,
    private readonly options: ControlApiOptions = {},
  ) {}

  async start(): Promise<{ port: number; url: string }> {
    const host = this.options.host ?? '127.0.0.1';
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const addr = server.address();
    const port = addr && typeof addr === 'object' ? addr.port : 0;
    return { port, url: `http://${host}:${port}` };
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      let body: Body = {};
      if (method === 'POST' || method === 'PUT') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks).toString('utf8');
        if (raw.trim()) {
          try {
            const parsed = JSON.parse(raw) as unknown;
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
              throw new Error('not an object');
            body = parsed as Body;
          } catch {
            throw new HttpError(400, 'body must be a JSON object');
          }
        }
      }
      const result = this.route(
        method,
        url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
        body,
      );
      const out = await result;
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.body));
    } catch (err) {
      let status = 500;
      let payload: Record<string, unknown> = { error: (err as Error).message };
      if (err instanceof HttpError) {
        status = err.status;
        payload = { error: err.message, code: err.code };
      } else if (err instanceof PbxError) {
        status = PBX_STATUS[err.code] ?? 409;
        payload = { error: err.message, code: err.code };
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    }
  }

  private user(id: string): string {
    const u = this.core.getUser(id);
    if (!u) throw new HttpError(404, `user ${id} not found`, 'USER_NOT_FOUND');
    return u.userId;
  }

  private async route(method: string, p: string[], b: Body): Promise<{ status?: number; body: unknown }> {
    const core = this.core;
    const [a, id, action] = p;
    const key = `${method} /${a ?? ''}${id !== undefined ? '/:id' : ''}${action !== undefined ? '/' + action : ''}`;
    switch (key) {
      case 'GET /state':
        return { body: { ...core.state(), ...this.snapshots() } };
      case 'GET /users':
        return { body: core.listUsers() };
      case 'GET /users/:id':
        return { body: core.getUser(this.user(id!)) };
      case 'GET /queues':
        return { body: core.listQueues() };
      case 'GET /calls':
        return { body: core.listLegs() };
      case 'GET /calls/:id': {
        const leg = core.getLeg(id!);
        if (!leg) throw new HttpError(404, `call ${id} not found`, 'CALL_NOT_FOUND');
        return { body: leg };
      }
      case 'POST /calls':
        return { status: 201, body: core.dial(str(b, 'from')!, str(b, 'to')!) };
      case 'POST /calls/:id/answer':
        return { body: core.answer(id!) };
      case 'POST /calls/:id/release':
      case 'DELETE /calls/:id':
        return { body: core.release(id!, { decline: boolField(b, 'decline') ?? true }) };
      case 'POST /calls/:id/hold':
        return { body: core.hold(id!) };
      case 'POST /calls/:id/retrieve':
        return { body: core.retrieve(id!) };
      case 'POST /calls/:id/dtmf':
        return { body: core.dtmf(id!, str(b, 'digits')!) };
      case 'POST /calls/:id/transfer':
        return { body: core.blindTransfer(id!, str(b, 'to')!) };
      case 'POST /calls/:id/consult-transfer':
        return { body: core.consultTransfer(id!, str(b, 'withCall')!) };
      case 'POST /calls/:id/conference': {
        const leg = core.getLeg(id!);
        if (!leg?.userId) throw new HttpError(404, `call ${id} not found`, 'CALL_NOT_FOUND');
        return { body: core.startConference(leg.userId, [id!, str(b, 'withCall')!]) };
      }
      case 'PUT /users/:id/dnd':
        return { body: core.setDnd(this.user(id!), boolField(b, 'enabled') ?? true) };
      case 'PUT /users/:id/call-waiting':
        return { body: core.setCallWaiting(this.user(id!), boolField(b, 'enabled') ?? true) };
      case 'PUT /users/:id/forwarding': {
        const type = str(b, 'type') as ForwardType;
        if (!FORWARD_TYPES.includes(type))
          throw new HttpError(400, `type must be one of ${FORWARD_TYPES.join(', ')}`);
        const rings = b['numberOfRings'];
        return {
          body: core.setForwarding(this.user(id!), type, {
            active: boolField(b, 'enabled'),
            to: str(b, 'to', false),
            numberOfRings: typeof rings === 'number' ? rings : undefined,
          }),
        };
      }
      case 'PUT /users/:id/agent-state': {
        const state = str(b, 'state') as AgentState;
        if (!AGENT_STATES.includes(state))
          throw new HttpError(400, `state must be one of ${AGENT_STATES.join(', ')}`);
        return { body: core.setAgentState(this.user(id!), state, str(b, 'reason', false)) };
      }
      case 'POST /queues/:id/distribute':
        return { body: core.distribute(core.getQueue(id!)?.id ?? id!, str(b, 'call')!, str(b, 'to')!) };
      case 'PUT /settings':
        if (typeof b['ringDurationMs'] === 'number') core.setRingDuration(b['ringDurationMs']);
        return { body: { ok: true } };
    }
    if (a === 'faults' && id !== undefined) return this.fault(method, id, action, b);
    throw new HttpError(404, `no route ${method} /${p.join('/')}`);
  }

  private snapshots(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, fe] of Object.entries(this.options.frontEnds ?? {}))
      if (fe.snapshot) out[name] = fe.snapshot();
    return out;
  }

  private async fault(
    method: string,
    name: string,
    action: string | undefined,
    b: Body,
  ): Promise<{ status?: number; body: unknown }> {
    const fe = this.options.frontEnds?.[name];
    if (!fe?.fault) throw new HttpError(404, `front-end ${name} not running or without faults`);
    let body: unknown;
    try {
      body = await fe.fault(method, action ?? '', b);
    } catch (err) {
      if (err instanceof SimFaultError) throw new HttpError(400, err.message);
      throw err;
    }
    if (body === undefined) throw new HttpError(404, `no fault ${method} ${action ?? ''}`);
    return { body };
  }
}
