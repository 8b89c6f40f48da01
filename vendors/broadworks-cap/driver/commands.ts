/**
 * The unified call commands as CAP callActions (docs/protocols/broadworks-cap.md, "Driver"). CAP
 * answers a callAction with nothing but the callUpdate (or sessionUpdate) it causes, so each command
 * waits for that outcome (outcomes.ts) and answers once it arrived, or with 504 after
 * `requestTimeoutMs`. TagCallWithDispositionCode is sent with `responseRequested` and an action id and
 * answered by its callActionResponse. Reads (listCalls, getCall, agent state, DND, forwarding) come from
 * what the server reported (the mapper's calls, the last profileUpdate): CAP has no query for them.
 */
import type { Call } from '../../../shared/events/model.js';
import { NotSupportedError, VendorError, type CallCommand } from '../../driver-kit/seam.js';
import { SerialQueue } from '../../driver-kit/util.js';
import { callAction, sendOn, type ChannelFor } from './channel.js';
import { VENDOR, actionRefused, badRequest, unknownCall } from './errors.js';
import type { CapMapper } from './mapper.js';
import { agentStateOf, type Observed } from './observed.js';
import type { Match, Outcomes } from './outcomes.js';

/** callUpdate states (L1425) the outcomes wait for. */
const ACTIVE = [2];
const HELD = [3];
const GONE = [5, 6];

export interface CommandDeps {
  mapper: Pick<CapMapper, 'callsOf'>;
  outcomes: Outcomes;
  observed: Observed;
  channelFor: ChannelFor;
  /** The link's `dtmfActionType`: CAP has none, so `dtmf` is 501 without it. */
  dtmfActionType?: string;
}

/** A callUpdate about `user` putting `callId` into one of `states`. */
function callReaches(user: string, callIds: readonly string[], states: readonly number[]): Match<true> {
  return (m, subject) =>
    m.type === 'callUpdate' &&
    subject === user &&
    m.calls.some((c) => callIds.includes(c.callId) && c.state !== undefined && states.includes(c.state))
      ? true
      : undefined;
}

/**
 * @example
 * const commands = new CallCommands(deps);
 * await commands.run({ kind: 'hold', user: 'alice@sim.example', call: 'c1' }); // {} once the call is held
 */
export class CallCommands {
  /** Each user's dials, one at a time, and how many are waiting or running (the entry goes at 0). */
  private readonly dials = new Map<string, { queue: SerialQueue; pending: number }>();
  private nextActionId = 1;

  constructor(private readonly deps: CommandDeps) {}

  /** Users with a dial waiting or running (tests and diagnostics). */
  get dialing(): number {
    return this.dials.size;
  }

  /** Runs a call command; undefined for kinds that are not call commands (queue, raw). */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'listCalls':
        this.deps.channelFor(cmd.user);
        return Promise.resolve({ calls: this.deps.mapper.callsOf(cmd.user) });
      case 'getCall':
        this.deps.channelFor(cmd.user);
        return Promise.resolve({ call: this.call(cmd.user, cmd.call) });
      case 'dial':
        return this.oneDialAtATime(cmd.user, () => this.dial(cmd.user, cmd.to));
      case 'answer':
        return this.answer(cmd.user, cmd.call);
      case 'retrieve':
        return this.simple(cmd.user, cmd.call, 'Answer', ACTIVE, ['held'], 'active');
      case 'hold':
        return this.simple(cmd.user, cmd.call, 'Hold', HELD, ['active'], 'held');
      case 'release':
        return this.simple(cmd.user, cmd.call, 'Release', GONE, undefined, 'released');
      case 'dtmf':
        return this.dtmf(cmd.user, cmd.call, cmd.digits);
      case 'blindTransfer':
        return this.act(
          cmd.user,
          'Xfer',
          [
            ['CallId', this.call(cmd.user, cmd.call).id],
            ['Number', cmd.to],
          ],
          {
            match: callReaches(cmd.user, [cmd.call], GONE),
            what: `callUpdate releasing call ${cmd.call} after Xfer`,
          },
        );
      case 'consultTransfer':
        return this.twoCalls(cmd.user, 'XferConsult', cmd.call, cmd.withCall, {
          match: callReaches(cmd.user, [cmd.call, cmd.withCall], GONE),
          what: `callUpdate releasing call ${cmd.call} or ${cmd.withCall} after XferConsult`,
        });
      case 'conference':
        return this.twoCalls(cmd.user, 'ConfStart', cmd.call, cmd.withCall, {
          match: (m, subject) =>
            m.type === 'sessionUpdate' && subject === cmd.user && /^active$/i.test(m.conference?.state ?? '')
              ? true
              : undefined,
          what: 'sessionUpdate with conferenceState Active after ConfStart',
        });
      case 'tagDisposition':
        return this.tag(cmd.user, cmd.call, cmd.code);
      case 'getAgentState':
        return Promise.resolve(this.agentState(cmd.agent));
      case 'getDnd':
        return Promise.resolve({ enabled: this.flag(cmd.user, 'dnd') });
      case 'getForwarding':
        if (cmd.type !== 'always') throw new NotSupportedError(VENDOR, `getForwarding (${cmd.type})`);
        return Promise.resolve(this.forwarding(cmd.user));
      default:
        return undefined;
    }
  }

  // ------------------------------------------------------------------------------------ actions

  /** Sends one callAction for `user` and waits for `outcome` (none: answers once written). */
  private async act(
    user: string,
    actionType: string,
    params: readonly (readonly [string, string])[],
    outcome?: { match: Match<unknown>; what: string },
    responseId?: string,
  ): Promise<Record<string, never>> {
    const channel = this.deps.channelFor(user);
    const wait = outcome && this.deps.outcomes.expect(outcome.match, outcome.what);
    try {
      sendOn(channel, callAction(channel.user, actionType, params, responseId));
    } catch (err) {
      wait?.cancel();
      throw err;
    }
    await wait?.promise;
    return {};
  }

  /** Hold / retrieve / release: nothing to do when the call is in `done` already. */
  private async simple(
    user: string,
    callId: string,
    actionType: string,
    states: readonly number[],
    from: readonly Call['state'][] | undefined,
    done: Call['state'],
  ): Promise<Record<string, never>> {
    const call = this.call(user, callId);
    if (call.state === done) return {};
    if (from && !from.includes(call.state))
      throw new VendorError(
        409,
        `broadworks-cap: call ${callId} is ${call.state}, not ${from.join(' or ')}`,
        {
          name: VENDOR,
        },
      );
    return this.act(user, actionType, [['CallId', callId]], {
      match: callReaches(user, [callId], states),
      what: `callUpdate state ${states.join('/')} for call ${callId} after ${actionType}`,
    });
  }

  /**
   * Answer works on an alerting call only once the server enabled it by callControlInfo (spec §12:
   * otherwise the user has to pick up the phone and the action neither answers nor stops the ringing).
   */
  private async answer(user: string, callId: string): Promise<Record<string, never>> {
    const call = this.call(user, callId);
    if (call.state === 'active') return {};
    if (
      call.direction === 'inbound' &&
      call.state === 'alerting' &&
      this.deps.observed.enabled(callId, 'Answer') !== true
    )
      throw new VendorError(
        409,
        `broadworks-cap: Answer is not enabled for call ${callId} (no callControlInfo Answer=True: the user answers on the phone)`,
        { name: VENDOR },
      );
    return this.act(user, 'Answer', [['CallId', callId]], {
      match: callReaches(user, [callId], ACTIVE),
      what: `callUpdate state 2 for call ${callId} after Answer`,
    });
  }

  private async dial(user: string, to: string): Promise<{ callId: string; correlationId: string }> {
    if (!to.trim()) throw badRequest('dial needs a number');
    const channel = this.deps.channelFor(user);
    const known = new Set(this.deps.mapper.callsOf(user).map((c) => c.id));
    // the new call is the first call of the user's the server reports after the Dial that is not incoming
    const wait = this.deps.outcomes.expect((m, subject) => {
      if (m.type !== 'callUpdate' || subject !== user) return undefined;
      const c = m.calls.find((x) => x.callId && !known.has(x.callId) && x.personality !== 2);
      return c && { callId: c.callId, correlationId: c.extTrackingId || c.callId };
    }, `callUpdate of a new call after Dial ${to}`);
    try {
      sendOn(channel, callAction(channel.user, 'Dial', [['Number', to]]));
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  /**
   * DTMF is not among CAP 17.0's action types: without the link's `dtmfActionType` it is 501. With it,
   * that action (CallId, Number = the digits) is sent; no update reports digits, so the command answers
   * once the action is written.
   */
  private dtmf(user: string, callId: string, digits: string): Promise<Record<string, never>> {
    const actionType = this.deps.dtmfActionType;
    if (!actionType)
      throw new NotSupportedError(VENDOR, 'dtmf (CAP has no DTMF action; see option dtmfActionType)');
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw badRequest(`invalid DTMF digits ${JSON.stringify(digits)}`);
    this.call(user, callId);
    return this.act(user, actionType, [
      ['CallId', callId],
      ['Number', digits],
    ]);
  }

  private twoCalls(
    user: string,
    actionType: string,
    a: string,
    b: string,
    outcome: { match: Match<unknown>; what: string },
  ): Promise<Record<string, never>> {
    this.call(user, a);
    this.call(user, b);
    return this.act(
      user,
      actionType,
      [
        ['CallId', a],
        ['CallId', b],
      ],
      outcome,
    );
  }

  /** TagCallWithDispositionCode with responseRequested (rules 16, 17); the call may be over already. */
  private tag(user: string, callId: string, code: string): Promise<Record<string, never>> {
    if (!code.trim()) throw badRequest('a disposition code is required');
    const id = String(this.nextActionId++);
    const actionType = 'TagCallWithDispositionCode';
    return this.act(
      user,
      actionType,
      [
        ['CallId', callId],
        ['DispositionCode', code],
      ],
      {
        match: (m, subject) => {
          if (m.type !== 'callActionResponse' || m.actionId !== id) return undefined;
          if (subject !== undefined && subject !== user) return undefined;
          if (!m.success) throw actionRefused(actionType, m.message);
          return true;
        },
        what: `callActionResponse for ${actionType} id ${id}`,
      },
      id,
    );
  }

  // ------------------------------------------------------------------------------------ reads

  /** The user's call as the mapper knows it; 404 when it is not one of the user's calls. */
  private call(user: string, callId: string): Call {
    this.deps.channelFor(user);
    const call = this.deps.mapper.callsOf(user).find((c) => c.id === callId);
    if (!call) throw unknownCall(user, callId);
    return call;
  }

  private profileField(user: string, field: string, what: string): string {
    this.deps.channelFor(user);
    const v = this.deps.observed.profile(user)?.[field];
    if (v === undefined)
      throw new VendorError(404, `broadworks-cap: no profileUpdate has reported ${what} of ${user} yet`, {
        name: VENDOR,
      });
    return v;
  }

  /** A profile flag: `On` is set; `Off` and empty (not assigned, L1105) are not. */
  private flag(user: string, field: string): boolean {
    return /^on$/i.test(this.profileField(user, field, field));
  }

  private agentState(agent: string) {
    const raw = this.profileField(agent, 'acdState', 'the ACD state');
    const state = agentStateOf(raw);
    if (!state)
      throw new VendorError(502, `broadworks-cap: unknown acdState ${JSON.stringify(raw)}`, { name: VENDOR });
    const reason = this.deps.observed.profile(agent)?.['unavailabilityCode'];
    return { state, ...(state === 'unavailable' && reason ? { reason } : {}) };
  }

  private forwarding(user: string): { enabled: boolean; to?: string } {
    const enabled = this.flag(user, 'cfa');
    const to = this.deps.observed.profile(user)?.['cfaDestination'];
    return { enabled, ...(enabled && to ? { to } : {}) };
  }

  /**
   * Runs `user`'s dials one at a time (a dial's new call is the first one not known when it started).
   * The user's queue lives only while a dial is waiting or running: kept after, every user id a dial
   * ever named would stay for the life of the process, a refused one (no session in CAP-C) or, in
   * CCC2, where any id is sent as it is, one the server does not know.
   */
  private oneDialAtATime<T>(user: string, fn: () => Promise<T>): Promise<T> {
    const d = this.dials.get(user) ?? { queue: new SerialQueue(), pending: 0 };
    this.dials.set(user, d);
    d.pending++;
    return d.queue.run(fn).finally(() => {
      if (--d.pending === 0) this.dials.delete(user);
    });
  }
}
