/**
 * What every part of the delivery service shares (`./index.ts` creates one of each and hands it to the
 * parts it wires): the service's lifecycle flags with the work `stop` waits for, and the map key of a
 * tenant's channel or link.
 */

/** `tenant#id`: the key of a channel's or a link's entry in the per-service maps. */
export const key = (t: string, c: string) => `${t}#${c}`;

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
