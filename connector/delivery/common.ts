/**
 * What every part of the delivery service shares (`./index.ts` creates one of each and hands it to the
 * parts it wires): the service's lifecycle flags with the work `stop` waits for, the map key of a
 * tenant's channel or link, and the one serialisation of a logged event.
 */
import type { BridgeEvent } from '../../shared/events/model.js';

/** `tenant#id`: the key of a channel's or a link's entry in the per-service maps. */
export const key = (t: string, c: string) => `${t}#${c}`;

const serialised = new WeakMap<BridgeEvent, string>();

/**
 * The JSON of a logged event, made once however many channels it goes to: every webhook body and every
 * WebSocket frame of one event object embeds the same text (logged events are not changed afterwards).
 *
 * @example
 * const frame = `{"type":"event","channelSeq":${seq},"event":${eventJson(event)}}`;
 */
export function eventJson(event: BridgeEvent): string {
  let json = serialised.get(event);
  if (json === undefined) serialised.set(event, (json = JSON.stringify(event)));
  return json;
}

/**
 * The running state of one delivery service, read by every part: new work starts only while it is not
 * `stopped`, and a `killed` (crashed) service records and sends nothing more.
 */
export interface Lifecycle {
  /** `stop` or `kill` was called: timers are cleared, no new work starts. */
  stopped: boolean;
  /** `kill` was called (a simulated crash): work in flight ends without recording or posting anything. */
  killed: boolean;
  /** Webhook attempts and watermark writes in flight: `stop` waits for them. */
  readonly inFlight: Set<Promise<void>>;
  /** Adds `p` to `inFlight` until it settles. */
  track(p: Promise<void>): void;
}

export function createLifecycle(): Lifecycle {
  const inFlight = new Set<Promise<void>>();
  return {
    stopped: false,
    killed: false,
    inFlight,
    track(p) {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
  };
}
