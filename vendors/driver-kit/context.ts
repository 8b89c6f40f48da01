/**
 * Builds a `DriverContext` for a driver run outside the connector (driver tests, tools): timers of its
 * own, the link's credentials as the secret, and hooks whose `onEvent` may return nothing (then the
 * event counts as durable at once).
 */
import type { EventDraft } from '../../shared/events/model.js';
import type { DriverCallbacks, DriverContext, DriverHooks, DriverLogger, LinkConfig } from './seam.js';
import { DriverTimers } from './util.js';

export type LooseHooks = Omit<DriverHooks, 'onEvent'> & {
  onEvent(event: EventDraft): void | Promise<void>;
};

/**
 * @example
 * const driver = createBroadWorksCtiDriver(standaloneContext(link, { onEvent, onDown, onGarbage }, console));
 */
export function standaloneContext(
  link: LinkConfig,
  hooks: LooseHooks,
  logger: DriverLogger,
  extra: { callbacks?: DriverCallbacks } = {},
): DriverContext {
  return {
    link,
    hooks: { ...hooks, onEvent: async (event) => hooks.onEvent(event) },
    logger,
    timers: new DriverTimers(),
    secrets: { read: async () => ({ ...link.credentials }) },
    ...extra,
  };
}
