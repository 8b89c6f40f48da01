/**
 * BroadWorks subscriptions: which event packages a watch spec needs (one subscription per BroadWorks
 * target and package), and the Add/Update/DeleteSubscription requests behind the driver kit's
 * subscription lifecycle (`vendors/driver-kit/subscriptions.ts`).
 */
import type { EventDraft, EventFamily, Target } from '../../../shared/events/model.js';
import type { DriverLogger, WatchSpec } from '../../driver-kit/seam.js';
import type { AddOutcome, RefreshOutcome, SubscriptionAdapter } from '../../driver-kit/subscriptions.js';
import type { BroadWorksCtiOptions } from '../manifest.js';
import { intOf, textOf } from '../wire/index.js';
import type { BwClient, Response } from './client.js';
import { VENDOR } from './mapper.js';
import type { BwTarget, Requests } from './requests.js';

export const SERVICE_PACKAGES = [
  'Do Not Disturb',
  'Call Forwarding Always',
  'Call Forwarding Busy',
  'Call Forwarding No Answer',
] as const;

/**
 * BroadWorks event packages for one bridge target type and family (empty: nothing to subscribe).
 *
 * @example
 * packagesFor('user', 'call', 'Advanced Call'); // ['Advanced Call']
 * packagesFor('queue', 'queue', 'Advanced Call'); // ['Call Center Queue']
 */
export function packagesFor(targetType: Target['type'], family: EventFamily, callPackage: string): string[] {
  switch (family) {
    case 'call':
    case 'conference':
      return targetType === 'queue' || targetType === 'routePoint' ? [] : [callPackage];
    case 'agent':
      return targetType === 'user' || targetType === 'group' || targetType === 'system'
        ? ['Call Center Agent']
        : [];
    case 'queue':
      return targetType === 'queue'
        ? ['Call Center Queue']
        : targetType === 'routePoint'
          ? ['Route Point Queue']
          : [];
    case 'route':
      return targetType === 'routePoint' ? ['Route Point Queue'] : [];
    case 'service':
      return targetType === 'queue' || targetType === 'routePoint' ? [] : [...SERVICE_PACKAGES];
    case 'link':
      return [];
  }
}

/** One BroadWorks subscription: a BroadWorks target and an event package, for a bridge target. */
export interface BwSubscription {
  /** The bridge target the events go to. */
  target: Target;
  bwTarget: BwTarget;
  pkg: string;
  families: Set<EventFamily>;
}

export interface BwSubscriptionDeps {
  client: BwClient;
  requests: Requests;
  options: BroadWorksCtiOptions;
  channelSetId: string;
  applicationId: string;
  logger: DriverLogger;
  emit(draft: EventDraft): void;
}

export function bwTargetKey(t: BwTarget): string {
  return t.kind === 'user'
    ? `user:${t.id}`
    : t.kind === 'group'
      ? `group:${t.serviceProviderId}/${t.groupId}`
      : 'system';
}

/**
 * The kit's vendor side for BroadWorks.
 *
 * @example
 * const subs = new Subscriptions(new BwSubscriptionAdapter(deps), { refreshRatio: 0.8 });
 */
export class BwSubscriptionAdapter implements SubscriptionAdapter<BwSubscription, string> {
  constructor(private readonly deps: BwSubscriptionDeps) {}

  ready(): boolean {
    return this.deps.client.state === 'ready';
  }

  *expand(spec: WatchSpec): Iterable<readonly [string, BwSubscription]> {
    for (const bwTarget of this.bwTargets(spec.target)) {
      for (const family of spec.families) {
        for (const pkg of packagesFor(spec.target.type, family, this.deps.options.callPackage)) {
          const key = `${bwTargetKey(bwTarget)}|${pkg}`;
          yield [key, { target: spec.target, bwTarget, pkg, families: new Set([family]) }];
        }
      }
    }
  }

  merge(first: BwSubscription, next: BwSubscription): BwSubscription {
    return { ...first, families: new Set([...first.families, ...next.families]) };
  }

  private bwTargets(target: Target): BwTarget[] {
    const { options, logger } = this.deps;
    switch (target.type) {
      case 'system':
        return [{ kind: 'system' }];
      case 'group': {
        if (!target.id) return [];
        const [a, b] = target.id.includes('/')
          ? target.id.split('/', 2)
          : [options.serviceProviderId, target.id];
        if (!a || !b) {
          logger.warn(
            'broadworks-cti: group target needs "serviceProvider/group" or options.serviceProviderId',
            {
              target: target.id,
            },
          );
          return [];
        }
        return [{ kind: 'group', serviceProviderId: a, groupId: b }];
      }
      default:
        if (target.id) return [{ kind: 'user', id: target.id }];
        // a user target without id: every configured user
        if (target.type === 'user' && options.users)
          return options.users.map((u) => ({ kind: 'user' as const, id: u.id }));
        logger.warn('broadworks-cti: target without id cannot be subscribed', { target: target.type });
        return [];
    }
  }

  async add(_key: string, sub: BwSubscription, bind: (id: string) => void): Promise<AddOutcome<string>> {
    const { client, requests, options, logger } = this.deps;
    const spec = requests.addSubscription(sub.bwTarget, {
      event: sub.pkg,
      expires: options.subscriptionExpires,
      channelSetId: this.deps.channelSetId,
      applicationId: this.deps.applicationId,
    });
    let id: string | undefined;
    let r: Response;
    try {
      r = await client.request(spec, {
        // runs before the initial event that follows the response is handled
        onResponse: (resp) => {
          if (resp.statusCode !== 200) return;
          id = textOf(resp.payload ?? resp.root, 'subscriptionid');
          if (id) bind(id);
        },
      });
    } catch (err) {
      logger.warn('broadworks-cti subscription failed', {
        target: bwTargetKey(sub.bwTarget),
        event: sub.pkg,
        error: (err as Error).message,
      });
      return { ok: false, reason: (err as Error).message };
    }
    if (r.statusCode !== 200 || !id) {
      const why =
        `${r.statusCode}${r.errorInfo?.errorCode ? `/${r.errorInfo.errorCode}` : ''} ${r.errorInfo?.summaryEnglish ?? r.errorInfo?.summary ?? r.reason ?? ''}`.trim();
      logger.warn('broadworks-cti subscription refused', {
        target: bwTargetKey(sub.bwTarget),
        event: sub.pkg,
        why,
      });
      this.deps.emit({
        type: 'subscription.terminated',
        target: sub.target,
        data: { reason: `${sub.pkg} subscription refused: ${why}` },
        vendor: { name: VENDOR, event: 'AddSubscriptionResponse' },
      });
      // a client error (unknown user, no such service) does not go away by asking again
      return { ok: false, reason: why, permanent: r.statusCode >= 400 && r.statusCode < 500 };
    }
    return { ok: true, vendorId: id, expiresSec: expiresOf(r) ?? options.subscriptionExpires };
  }

  async refresh(id: string): Promise<RefreshOutcome> {
    const { client, requests, options, logger } = this.deps;
    let r: Response;
    try {
      r = await client.request(requests.updateSubscription(id, options.subscriptionExpires));
    } catch (err) {
      logger.warn('broadworks-cti subscription refresh failed', { error: (err as Error).message });
      throw err;
    }
    if (r.statusCode === 200) return { ok: true, expiresSec: expiresOf(r) ?? options.subscriptionExpires };
    logger.warn('broadworks-cti subscription refresh refused; re-adding', { status: r.statusCode, id });
    return { ok: false, reason: `refresh refused (${r.statusCode})` };
  }

  /** The id is no longer live here (deleted, terminated, refused, or the channel lost): no more collating. */
  dropped(id: string): void {
    this.deps.client.forget(id);
  }

  async delete(id: string, _sub: BwSubscription, closing: boolean): Promise<void> {
    const { client, requests, options, logger } = this.deps;
    if (closing) {
      await client.request(requests.deleteSubscription(id), {
        timeoutMs: Math.min(2000, options.requestTimeoutMs),
      });
      return;
    }
    try {
      const r = await client.request(requests.deleteSubscription(id));
      if (r.statusCode !== 200 && r.statusCode !== 403)
        logger.warn('broadworks-cti DeleteSubscription refused', { id, status: r.statusCode });
    } catch (err) {
      logger.warn('broadworks-cti DeleteSubscription failed', { id, error: (err as Error).message });
    }
  }
}

function expiresOf(r: Response): number | undefined {
  return intOf(r.payload ?? r.root, 'expires');
}
