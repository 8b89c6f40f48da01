/**
 * The unified call commands as IP Office call-control requests (docs/protocols/avaya-ipo-cti.md,
 * "Driver"). The server accepts each with 202 and an empty body; the result is the event it causes
 * (L331-346), so each command registers its wait (outcomes.ts), sends, and answers once the event
 * arrived, or with 504 after `outcomeTimeoutMs`. A FailedEvent for the call fails the command (409).
 * Reads (listCalls, getCall) come from the mapper's calls.
 */
import { randomUUID } from 'node:crypto';
import type { Call } from '../../../shared/events/model.js';
import type { CallCommand } from '../../driver-kit/seam.js';
import { hexToAscii } from '../wire/hex.js';
import {
  buildAnswerCall,
  buildClearConnection,
  buildConferenceCall,
  buildGenerateDigits,
  buildHoldCall,
  buildMakeCall,
  buildRetrieveCall,
  buildSingleStepTransferCall,
  buildTransferCall,
} from '../wire/requests.js';
import type { WireEvent } from '../wire/events.js';
import { textOf, type XmlNode } from '../wire/xml.js';
import { badRequest, failed, unknownCall } from './errors.js';
import { callIdsOf, type Match, type Outcomes } from './outcomes.js';
import { post, type RequestLimits, type Route, type RouteOf } from './route.js';

/** What the commands read of the mapper (keyed by extension). */
export interface CallBook {
  callsOf(user: string): Call[];
  call(user: string, callId: string): Call | undefined;
}

export interface CommandDeps extends RequestLimits {
  mapper: CallBook;
  outcomes: Outcomes;
  routeOf: RouteOf;
  /** The correlatorData of a new call (default: a random UUID, unique per request, L715-717). */
  newCorrelator?: () => string;
}

type Empty = Record<string, never>;

/** Whether an event of device `device` may be about `route`'s device (events of other devices are not). */
const ours = (route: Route, device: string | undefined) =>
  device === undefined || device === 'conference' || device === route.device.extension;

/** Every device number an event names (deviceIdentifier, deviceID). */
function devicesIn(node: XmlNode): string[] {
  const out: string[] = [];
  const walk = (n: XmlNode) => {
    if ((n.name === 'deviceIdentifier' || n.name === 'deviceID') && n.text) out.push(n.text.trim());
    for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}

/** The decoded `correlatorData/string` of an event, if any. */
const correlatorOf = (node: XmlNode): string | undefined => {
  const hex = textOf(node, 'correlatorData', 'string');
  return hex ? hexToAscii(hex) : undefined;
};

/**
 * An event named one of `names` naming one of `callIds` on the route's device; a FailedEvent naming
 * one of them fails the wait.
 */
function callEvent(
  route: Route,
  names: readonly string[],
  callIds: readonly string[],
  what: string,
): Match<true> {
  return (ev: WireEvent, device) => {
    if (!ours(route, device)) return undefined;
    const ids = callIdsOf(ev.node);
    if (!ids.some((id) => callIds.includes(id))) return undefined;
    if (ev.name === 'FailedEvent') throw failed(what, textOf(ev.node, 'cause'));
    return names.includes(ev.name) ? true : undefined;
  };
}

/**
 * @example
 * const commands = new CallCommands(deps);
 * await commands.run({ kind: 'hold', user: '1001', call: 'a5bba1cb-…' }); // {} once HeldEvent arrived
 */
export class CallCommands {
  constructor(private readonly deps: CommandDeps) {}

  /** Runs a call command; undefined for kinds that are not call commands. */
  run(cmd: CallCommand): Promise<unknown> | undefined {
    switch (cmd.kind) {
      case 'listCalls': {
        const route = this.deps.routeOf(cmd.user);
        return Promise.resolve({ calls: this.deps.mapper.callsOf(route.device.extension) });
      }
      case 'getCall': {
        const route = this.deps.routeOf(cmd.user);
        return Promise.resolve({ call: this.call(route, cmd.call) });
      }
      case 'dial':
        return this.dial(cmd.user, cmd.to);
      case 'answer':
        return this.simple(cmd.user, cmd.call, 'answerCall', ['EstablishedEvent'], 'active');
      case 'hold':
        return this.simple(cmd.user, cmd.call, 'holdCall', ['HeldEvent'], 'held');
      case 'retrieve':
        return this.simple(cmd.user, cmd.call, 'retrieveCall', ['RetrievedEvent'], 'active');
      case 'release':
        return this.simple(
          cmd.user,
          cmd.call,
          'clearConnection',
          ['ConnectionClearedEvent', 'CallClearedEvent'],
          'released',
        );
      case 'dtmf':
        return this.dtmf(cmd.user, cmd.call, cmd.digits);
      case 'blindTransfer':
        return this.blindTransfer(cmd.user, cmd.call, cmd.to);
      case 'consultTransfer':
        return this.twoCalls(cmd.user, cmd.call, cmd.withCall, 'transferCall');
      case 'conference':
        return this.twoCalls(cmd.user, cmd.call, cmd.withCall, 'conferenceCall');
      default:
        return undefined;
    }
  }

  // ------------------------------------------------------------------------------------ requests

  /** Registers `match`, sends, and waits for the match (the wait is dropped when the request fails). */
  private async act<T>(
    route: Route,
    kind: Parameters<typeof post>[1],
    body: string,
    match: Match<T>,
    what: string,
  ): Promise<T> {
    const wait = this.deps.outcomes.expect(match, what);
    try {
      await post(route, kind, body, this.deps);
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  /**
   * makeCall with a fresh correlatorData: the server reuses it as the callID of the new leg (L2203 vs
   * L3539), so the first event naming it (ServiceInitiated, Originated, Delivered) answers; an event
   * whose correlatorData carries it answers with that event's callID, in case a server does not reuse it.
   */
  private async dial(user: string, to: string): Promise<{ callId: string; correlationId: string }> {
    const number = to.trim();
    if (!number) throw badRequest('dial needs a number');
    const route = this.deps.routeOf(user);
    const correlator = (this.deps.newCorrelator ?? randomUUID)();
    const body = buildMakeCall({
      callingDevice: route.device.extension,
      calledDirectoryNumber: number,
      correlatorData: correlator,
      ...(route.device.switchIp ? { switchingSubDomain: route.device.switchIp } : {}),
    });
    return this.act(
      route,
      'makeCall',
      body,
      (ev, device) => {
        if (!ours(route, device)) return undefined;
        const ids = callIdsOf(ev.node);
        const named = ids.includes(correlator);
        const carried = !named && correlatorOf(ev.node) === correlator;
        if (!named && !carried) return undefined;
        if (ev.name === 'FailedEvent') throw failed(`makeCall to ${number}`, textOf(ev.node, 'cause'));
        const callId = named ? correlator : ids.find(Boolean);
        return callId ? { callId, correlationId: correlator } : undefined;
      },
      `event of the new call (correlatorData ${correlator}) after makeCall`,
    );
  }

  /** answer / hold / retrieve / release: nothing to do when the call is in `done` already. */
  private async simple(
    user: string,
    callId: string,
    kind: 'answerCall' | 'holdCall' | 'retrieveCall' | 'clearConnection',
    names: readonly string[],
    done: Call['state'],
  ): Promise<Empty> {
    const route = this.deps.routeOf(user);
    const call = this.call(route, callId);
    if (call.state === done) return {};
    const body =
      kind === 'answerCall'
        ? buildAnswerCall({ callID: callId })
        : kind === 'holdCall'
          ? buildHoldCall({ callID: callId })
          : kind === 'retrieveCall'
            ? buildRetrieveCall({ callID: callId })
            : buildClearConnection({ callID: callId });
    const what = `${names.join(' or ')} for call ${callId} after ${kind}`;
    await this.act(route, kind, body, callEvent(route, names, [callId], kind), what);
    return {};
  }

  /** GenerateDigits: the server lists no event for it (L2700-2759): answered on the 202. */
  private async dtmf(user: string, callId: string, digits: string): Promise<Empty> {
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw badRequest(`invalid DTMF digits ${JSON.stringify(digits)}`);
    const route = this.deps.routeOf(user);
    this.call(route, callId);
    await post(
      route,
      'generateDigits',
      buildGenerateDigits({ callID: callId, charactersToSend: digits }),
      this.deps,
    );
    return {};
  }

  /** singleStepTransferCall: done once the user's leg is cleared (or a Transfered event names it). */
  private async blindTransfer(user: string, callId: string, to: string): Promise<Empty> {
    const number = to.trim();
    if (!number) throw badRequest('blindTransfer needs a number');
    const route = this.deps.routeOf(user);
    this.call(route, callId);
    const body = buildSingleStepTransferCall({ activeCall: callId, transferredTo: number });
    const names = ['ConnectionClearedEvent', 'TransferedEvent', 'TransferredEvent'];
    await this.act(
      route,
      'singleStepTransferCall',
      body,
      callEvent(route, names, [callId], 'singleStepTransferCall'),
      `ConnectionCleared of call ${callId} after singleStepTransferCall`,
    );
    return {};
  }

  /**
   * transferCall / conferenceCall {heldCall, activeCall}: the held one of the two is `heldCall` (as the
   * mapper knows them; `call` when neither is held). Transfer is done once either leg is cleared;
   * conference once a Conferenced event names either call or the user's device (the server reports the
   * conference with new participant ids, L2920-2995).
   */
  private async twoCalls(
    user: string,
    a: string,
    b: string,
    kind: 'transferCall' | 'conferenceCall',
  ): Promise<Empty> {
    const route = this.deps.routeOf(user);
    const first = this.call(route, a);
    const second = this.call(route, b);
    const [held, active] = second.state === 'held' && first.state !== 'held' ? [b, a] : [a, b];
    const params = { heldCall: held, activeCall: active };
    if (kind === 'transferCall') {
      await this.act(
        route,
        kind,
        buildTransferCall(params),
        callEvent(route, ['ConnectionClearedEvent', 'TransferedEvent', 'TransferredEvent'], [a, b], kind),
        `ConnectionCleared of call ${a} or ${b} after transferCall`,
      );
      return {};
    }
    const ext = route.device.extension;
    await this.act(
      route,
      kind,
      buildConferenceCall(params),
      (ev, device) => {
        if (!ours(route, device)) return undefined;
        const ids = callIdsOf(ev.node);
        const named = ids.includes(a) || ids.includes(b);
        if (ev.name === 'FailedEvent' && named) throw failed(kind, textOf(ev.node, 'cause'));
        if (ev.name !== 'ConferencedEvent') return undefined;
        return named || devicesIn(ev.node).includes(ext) ? true : undefined;
      },
      `ConferencedEvent for call ${a} or ${b} after conferenceCall`,
    );
    return {};
  }

  // ------------------------------------------------------------------------------------ reads

  /** The user's call as the mapper knows it; 404 when it is not one of the user's calls. */
  private call(route: Route, callId: string): Call {
    const call = this.deps.mapper.call(route.device.extension, callId);
    if (!call) throw unknownCall(route.user, callId);
    return call;
  }
}
