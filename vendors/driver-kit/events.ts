/**
 * How a driver hands normalized drafts to the connector: each draft's promise resolves once it is durable
 * (in the event log), so the driver acknowledges the vendor event only then. A draft emitted after
 * `close()` is refused; a hook that throws is logged and counts as handled (nothing to wait for).
 */
import type { EventDraft } from '../../shared/events/model.js';
import type { DriverContext } from './seam.js';

/** A settled promise whose rejection nobody has to observe (drafts emitted outside a vendor event). */
export function settled(err?: Error): Promise<void> {
  const p = err ? Promise.reject(err) : Promise.resolve();
  p.catch(() => undefined);
  return p;
}

/** A pending durability: settled once an event is stored (or failed to be); see `durable()`. */
export interface Durable {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * A promise with its settle functions; an unobserved rejection is not reported as unhandled.
 *
 * @example
 * const d = durable();
 * writeToLog().then(d.resolve, d.reject);
 * await d.promise; // then acknowledge the vendor
 */
export function durable(): Durable {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface DraftSink {
  /** One draft; resolves once durable. */
  emit(draft: EventDraft): Promise<void>;
  /** The drafts of one vendor event; resolves once all are durable (none: at once). */
  emitAll(drafts: EventDraft[]): Promise<void>;
}

/**
 * @example
 * const sink = draftSink(context, () => this.closed);
 * await sink.emitAll(mapper.map(vendorEvent)); // then acknowledge the vendor event
 */
export function draftSink(context: DriverContext, isClosed: () => boolean): DraftSink {
  const { hooks, logger } = context;
  const vendor = context.link.vendor;
  const emit = (draft: EventDraft): Promise<void> => {
    if (isClosed()) return settled(new Error('driver closed'));
    try {
      const durable: unknown = hooks.onEvent(draft);
      return durable instanceof Promise ? (durable as Promise<void>) : settled();
    } catch (err) {
      logger.warn(`${vendor} onEvent hook failed`, { error: (err as Error).message });
      return settled();
    }
  };
  return {
    emit,
    emitAll: (drafts) =>
      drafts.length === 1 ? emit(drafts[0]!) : Promise.all(drafts.map(emit)).then(() => undefined),
  };
}
