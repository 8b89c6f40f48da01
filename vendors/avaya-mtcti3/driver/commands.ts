/**
 * The unified call-control API over MTCTI-3: every command runs as a SubscribeCmd on the user's (or
 * hunt group's) subscription, opened on demand. Call functions are gated on the call's
 * `featuresavailable`; a dial is settled by the CallInfo that carries its referencecallid.
 */
import {
  LinkUnavailableError,
  NotSupportedError,
  VendorError,
  type CallCommand,
  type DirectoryUser,
} from '../../driver-kit/seam.js';
import type { AvayaMtcti3Options } from '../manifest.js';
import {
  RESULT,
  hasFeature,
  kindOf,
  messageFromJson,
  messageToJson,
  resultName,
  type CallFunction,
  type Message,
  type Notify,
  type SubscribeCmd,
} from '../wire/codec.js';
import type { Mtcti3Client } from './client.js';
import type { Directory } from './directory.js';
import { mtcti3Error, resultError } from './errors.js';
import { VENDOR, gcidHex, type Mtcti3Mapper } from './mapper.js';
import { setAgentState, setForwarding, agentExtension, getForwarding } from './settings.js';
import type { Mtcti3Subscriptions, SubView } from './subscriptions.js';

export interface CommandDeps {
  client: Mtcti3Client;
  options: AvayaMtcti3Options;
  directory: Directory;
  mapper: Mtcti3Mapper;
  subs: Mtcti3Subscriptions;
}

interface PendingDial {
  resolve: (r: { callId: string; correlationId: string }) => void;
  reject: (e: Error) => void;
  user: string;
}

/**
 * @example
 * const commands = new Commands(deps);
 * await commands.run({ kind: 'hold', user: 'alice', call: '17' });
 */
export class Commands {
  private readonly dials = new Map<number, PendingDial>();
  private nextRef = 1;

  constructor(readonly deps: CommandDeps) {}

  requireReady(): void {
    const { client } = this.deps;
    if (client.state !== 'ready') throw new LinkUnavailableError(`avaya-mtcti3 link is ${client.state}`);
  }

  /** The user's subscription (opened on demand for users nobody watches), with its first snapshots in. */
  async userSub(id: string): Promise<SubView> {
    this.requireReady();
    const { directory, subs, options } = this.deps;
    const entry = directory.resolveUser(id);
    if (!entry)
      throw mtcti3Error(404, `MTCTI-3: no IP Office user ${id}`, RESULT.USERNOTFOUND, 'USERNOTFOUND');
    const key = `user:${entry.name}`;
    if (!subs.active(key)) {
      subs.pin(entry.name);
      await subs.apply();
    }
    const view = subs.active(key);
    if (!view)
      throw new VendorError(502, `MTCTI-3: cannot subscribe to user ${entry.name}`, { name: VENDOR });
    await view.waitFor((v) => (v.gotObject && v.gotCalls) || !v.active, options.requestTimeoutMs);
    return view;
  }

  /** One SubscribeCmd on the subscription; a non-zero result is a VendorError. */
  async cmd(
    view: SubView,
    body: Omit<SubscribeCmd, 'subscribe_id' | 'requestid'>,
    what: string,
  ): Promise<void> {
    const r = await this.deps.client.request({ subscribecmd: { subscribe_id: view.subscribeId, ...body } });
    if (r.result !== RESULT.SUCCESS) throw resultError(r.result, r.additional, what);
  }

  async run(cmd: CallCommand): Promise<unknown> {
    const { mapper, directory, options } = this.deps;
    switch (cmd.kind) {
      case 'listUsers': {
        if (!directory.users.size && options.users) return { users: options.users.map((u) => ({ ...u })) };
        this.requireReady();
        const users: DirectoryUser[] = [...directory.users.values()].map((u) => {
          const full = mapper.user(u.name)?.fullname;
          return { id: u.name, extension: u.extn, ...(full ? { name: full } : {}) };
        });
        return { users };
      }
      case 'listCalls': {
        const view = await this.userSub(cmd.user);
        return { calls: mapper.callsOf(view.name) };
      }
      case 'getCall': {
        const view = await this.userSub(cmd.user);
        const c = mapper.call(view.name, cmd.call);
        if (!c)
          throw mtcti3Error(
            404,
            `MTCTI-3: call ${cmd.call} not found for ${view.name}`,
            RESULT.CALLCONTROL_CALLNOTFOUND,
          );
        return { call: c.call };
      }
      case 'dial':
        return this.dial(cmd.user, cmd.to);
      case 'answer':
        await this.callFunction(cmd.user, cmd.call, { action: 'AnswerCall' }, 'AnswerCall');
        return {};
      case 'hold':
        await this.callFunction(cmd.user, cmd.call, { action: 'HoldCall' }, 'HoldCall');
        return {};
      case 'retrieve':
        await this.callFunction(cmd.user, cmd.call, { action: 'UnHoldCall' }, 'UnHoldCall');
        return {};
      case 'release':
        await this.callFunction(cmd.user, cmd.call, { action: 'DropCall' }, 'DropCall');
        return {};
      case 'dtmf':
        if (!/^[0-9*#]{1,32}$/.test(cmd.digits)) {
          throw mtcti3Error(
            400,
            'MTCTI-3 GenerateDigits takes 1 to 32 of 0-9 * #',
            RESULT.CALLCONTROL_BADFORMATTING,
            'CALLCONTROL_BADFORMATTING',
          );
        }
        await this.callFunction(
          cmd.user,
          cmd.call,
          { action: 'GenerateDigits', arg1: cmd.digits },
          'GenerateDigits',
        );
        return {};
      case 'blindTransfer': {
        const view = await this.userSub(cmd.user);
        const c = mapper.call(view.name, cmd.call);
        // a ringing call is redirected (deflected), an answered one transferred
        const action =
          c && c.state === 'RINGING' && !hasFeature(c.featuresavailable, 'BlindTransfer')
            ? 'Redirect'
            : 'BlindTransfer';
        mapper.expectTransfer(view.name, cmd.call, 'blind', cmd.to);
        try {
          await this.callFunction(cmd.user, cmd.call, { action, arg1: cmd.to }, action);
        } catch (err) {
          mapper.cancelTransfer(view.name, cmd.call);
          throw err;
        }
        return {};
      }
      case 'consultTransfer': {
        const view = await this.userSub(cmd.user);
        mapper.expectTransfer(view.name, cmd.call, 'consult');
        mapper.expectTransfer(view.name, cmd.withCall, 'consult');
        try {
          await this.callFunction(
            cmd.user,
            cmd.call,
            { action: 'CompleteTransfer', callinst: [{ callid: Number(cmd.withCall) }] },
            'CompleteTransfer',
          );
        } catch (err) {
          mapper.cancelTransfer(view.name, cmd.call);
          mapper.cancelTransfer(view.name, cmd.withCall);
          throw err;
        }
        return {};
      }
      case 'conference':
        await this.callFunction(
          cmd.user,
          cmd.call,
          { action: 'CompleteConf', callinst: [{ callid: Number(cmd.withCall) }] },
          'CompleteConf',
        );
        return {};
      case 'getAgentState': {
        const ext = await agentExtension(this, cmd.agent);
        const state = mapper.agentState(ext);
        if (!state)
          throw mtcti3Error(404, `MTCTI-3: ${cmd.agent} is not a member of any hunt group`, RESULT.NOTFOUND);
        return { state };
      }
      case 'setAgentState':
        return setAgentState(this, cmd.agent, cmd.state);
      case 'getDnd': {
        const view = await this.userSub(cmd.user);
        return { enabled: !!mapper.user(view.name)?.dnd };
      }
      case 'setDnd': {
        const view = await this.userSub(cmd.user);
        await this.cmd(view, { user: { sac: { set: cmd.enabled ? 1 : 0 } } }, 'UpdateUser sac');
        await view.waitFor(() => !!mapper.user(view.name)?.dnd === cmd.enabled, options.requestTimeoutMs);
        return { enabled: cmd.enabled };
      }
      case 'getForwarding':
        return getForwarding(this, cmd.user, cmd.type);
      case 'setForwarding':
        return setForwarding(this, cmd.user, cmd.type, cmd.enabled, cmd.to);
      case 'raw':
        return this.raw(cmd.request);
      default:
        throw new NotSupportedError(VENDOR, (cmd as { kind: string }).kind);
    }
  }

  /** A call function on a call, gated on its featuresavailable as the document asks. */
  private async callFunction(user: string, callId: string, fn: CallFunction, what: string): Promise<void> {
    const view = await this.userSub(user);
    const c = this.deps.mapper.call(view.name, callId);
    if (!c)
      throw mtcti3Error(
        404,
        `MTCTI-3: call ${callId} not found for ${view.name}`,
        RESULT.CALLCONTROL_CALLNOTFOUND,
        'CALLCONTROL_CALLNOTFOUND',
      );
    if (!hasFeature(c.featuresavailable, fn.action!)) {
      throw mtcti3Error(
        409,
        `MTCTI-3: ${fn.action} is not available on call ${callId} in state ${c.state}`,
        RESULT.CALLCONTROL_INVALIDCALLSTATE,
        `CALLCONTROL_INVALIDCALLSTATE (featuresavailable 0x${c.featuresavailable.toString(16)})`,
      );
    }
    await this.cmd(view, { callcontrol: { callid: Number(callId), callfunction: fn } }, what);
  }

  private async dial(user: string, to: string): Promise<{ callId: string; correlationId: string }> {
    const view = await this.userSub(user);
    const ref = this.nextRef;
    this.nextRef = this.nextRef >= 0x7fffffff ? 1 : this.nextRef + 1;
    const { dialTimeoutMs } = this.deps.options;
    const result = new Promise<{ callId: string; correlationId: string }>((resolve, reject) => {
      const t = setTimeout(() => {
        this.dials.delete(ref);
        reject(
          new VendorError(
            504,
            `MTCTI-3: no call appeared for MakeCall (referencecallid ${ref}) within ${dialTimeoutMs} ms`,
            { name: VENDOR },
          ),
        );
      }, dialTimeoutMs);
      t.unref?.();
      this.dials.set(ref, {
        user: view.name,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
    result.catch(() => undefined);
    try {
      await this.cmd(view, { callcontrol: { referencecallid: ref, makecall: { target: to } } }, 'MakeCall');
    } catch (err) {
      this.dials.get(ref)?.reject(err as Error);
      this.dials.delete(ref);
      throw err;
    }
    return result;
  }

  /** A user's callcontrol notify: the dials whose referencecallid it carries are settled. */
  settleDials(cc: NonNullable<Notify['callcontrol']>): void {
    for (const info of cc.callinfo ?? []) {
      const d = info.referencecallid ? this.dials.get(info.referencecallid) : undefined;
      if (!d || info.callid === undefined) continue;
      this.dials.delete(info.referencecallid!);
      d.resolve({
        callId: String(info.callid),
        correlationId: gcidHex(info.gcid) ?? `${d.user}:${info.callid}`,
      });
    }
    for (const lost of cc.calllost ?? []) {
      const d = lost.referencecallid ? this.dials.get(lost.referencecallid) : undefined;
      if (!d) continue;
      this.dials.delete(lost.referencecallid!);
      d.reject(
        new VendorError(
          409,
          `MTCTI-3 MakeCall failed at once${lost.description ? `: ${lost.description}` : ''}`,
          {
            name: VENDOR,
            code: String(lost.reason ?? ''),
            ...(lost.description ? { text: lost.description } : {}),
          },
        ),
      );
    }
  }

  /** The link is gone: dials still waiting fail. */
  abortDials(): void {
    for (const [, d] of this.dials) d.reject(new LinkUnavailableError('link lost while dialling'));
    this.dials.clear();
  }

  /** One Message in protobuf JSON form; the answer (RequestResponse or GeneralData) back as JSON. */
  private async raw(request: unknown): Promise<{ status: number; body: unknown }> {
    this.requireReady();
    let m: Message;
    try {
      m = messageFromJson(request);
    } catch (err) {
      throw new VendorError(400, `invalid raw MTCTI-3 Message: ${(err as Error).message}`, { name: VENDOR });
    }
    const kind = kindOf(m)!;
    if (kind === 'generalcmd' || kind === 'subscribe' || kind === 'subscribecmd' || kind === 'subscribeend') {
      const original = (m[kind] as { requestid?: number }).requestid;
      const reply = await this.deps.client.request(m);
      const json = messageToJson(reply.message);
      // show the caller its own requestid back
      const r = (json.response ?? json.generaldata) as Record<string, unknown> | undefined;
      if (r && original !== undefined) {
        if ('requestid' in r || json.response) r.requestid = original;
        if (json.generaldata) r.responseid = original;
      }
      return {
        status: 200,
        body: {
          result: reply.result,
          ...(json.response ? { resultName: resultName(reply.result) } : {}),
          message: json,
        },
      };
    }
    if (kind === 'notifyack') {
      this.deps.client.send(m);
      return { status: 202, body: {} };
    }
    throw new VendorError(400, `a raw ${kind} is sent by IP Office, not by the bridge`, { name: VENDOR });
  }
}
