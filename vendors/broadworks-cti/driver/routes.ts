/**
 * Route points (§5.4): a call queued at a route point is `route.request` (RoutePointCallAddedEvent);
 * the application routes it with the model's route select, carried out as Route Point Distribute Call
 * (§5.4.2: to an agent, `agentId`) or Route Point Blind Transfer (§5.4.10: to any address, a service or
 * an external number). BroadWorks answers 200 once it carried the request out (the outcome), an error
 * otherwise. A route point has no "default routing" a client can ask for, and no deadline: while the
 * call waits, the route point's own policies (treatments, overflow) apply; `default` is 400.
 */
import type { RouteChoice } from '../../../shared/events/model.js';
import { VendorError, type CommandResult } from '../../driver-kit/seam.js';
import type { Response } from './client.js';
import { VENDOR } from './mapper.js';
import type { BwEvent, RequestSpec } from './messages.js';
import type { Requests } from './requests.js';

/** Route point events after which a call no longer waits there. */
const LEFT = new Set([
  'RoutePointCallReleasedEvent',
  'RoutePointCallTransferredEvent',
  'RoutePointCallFailedEvent',
  'RoutePointCallAbandonedEvent',
  'RoutePointCallOverflowedEvent',
  'RoutePointCallAnsweredByAgentEvent',
]);

/** Calls remembered at once (the oldest are forgotten first). */
const KEPT = 2000;

export interface RoutePointDeps {
  requests: Requests;
  call(spec: RequestSpec): Promise<Response>;
}

/**
 * @example
 * const routes = new RoutePointRoutes(deps);
 * routes.observe(routePointCallAddedEvent, 'route@sim.example');
 * await routes.select('callhalf-9:0', { type: 'agent', destination: 'carol@sim.example' });
 */
export class RoutePointRoutes {
  /** callId → the route point it waits at. */
  private readonly waiting = new Map<string, string>();

  constructor(private readonly deps: RoutePointDeps) {}

  /** Every event with the subscription's target: learns where calls wait. */
  observe(ev: BwEvent, target: string | undefined): void {
    if (!ev.type?.startsWith('RoutePointCall')) return;
    const rp = ev.targetId ?? ev.userId ?? target;
    for (const q of ev.queueEntries) {
      if (ev.type === 'RoutePointCallAddedEvent' && rp) {
        this.waiting.set(q.callId, rp);
        if (this.waiting.size > KEPT) this.waiting.delete(this.waiting.keys().next().value!);
      } else if (LEFT.has(ev.type)) this.waiting.delete(q.callId);
    }
  }

  async select(call: string, route: RouteChoice): Promise<CommandResult<'routeSelect'>> {
    const rp = this.waiting.get(call);
    if (!rp)
      throw new VendorError(409, `broadworks-cti: call ${call} is not waiting at a route point`, {
        name: VENDOR,
        code: 'route-not-pending',
      });
    if (route.type === 'default' || !route.destination)
      throw new VendorError(
        400,
        'broadworks-cti: a route point has no default routing to ask for; its own policy applies while the call waits',
        { name: VENDOR },
      );
    const rq = this.deps.requests;
    await this.deps.call(
      route.type === 'agent'
        ? rq.rpDistribute(rp, call, route.destination)
        : rq.rpBlindTransfer(rp, call, route.destination),
    );
    this.waiting.delete(call);
    return { outcome: 'used', route };
  }
}
