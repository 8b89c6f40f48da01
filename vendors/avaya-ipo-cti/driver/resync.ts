/**
 * Resynchronising after a (re-)login: `GET /inyama/service/snapshot` (L5241-5280) is answered 200 and
 * followed by one CallInformationEvent per call on the WebSocket (L5282-5317), with no marker for the
 * last one. The driver therefore collects the callIDs of the CallInformationEvents that arrive within
 * `snapshotWaitMs` of the 200, per device, and then releases every call of the device the snapshot did
 * not report (`mapper.releaseStale`). A 200 with a body is read too: an `Events` document is fed through
 * the event pipeline like a frame, any other document is handed to the mapper as the device's snapshot.
 */
import type { DriverTimers } from '../../driver-kit/util.js';
import { parseEventsFrame, type EventsFrame, type WireEvent } from '../wire/events.js';
import { PATHS, SERVICE_BASE } from '../wire/requests.js';
import { IpoXmlError, parseXml, type XmlNode } from '../wire/xml.js';
import { vendorErrorOf } from './errors.js';
import { callIdsOf } from './outcomes.js';
import type { Requester } from './route.js';
import { errorsOf } from './session.js';

/** The callIDs a snapshot reported, per extension. */
export type SnapshotCalls = Map<string, Set<string>>;

export interface ResyncDeps {
  timers: DriverTimers;
  waitMs: number;
  maxBytes: number;
  /** A 200 body that is an `Events` document of the snapshot of `devices`: its events go through the pipeline. */
  onFrame(frame: EventsFrame, devices: readonly string[]): void;
  /** A 200 body of another kind: the snapshot document of `devices`. */
  onDocument(node: XmlNode, devices: readonly string[]): void;
  onGarbage(kind: string, detail: string): void;
}

/**
 * @example
 * const resync = new Snapshots(deps);
 * const live = await resync.take(session, ['1001', '1002']); // Map { '1001' => Set { 'da0ead04-…' }, '1002' => Set {} }
 * // meanwhile every event is offered: resync.observe(ev, device)
 */
export class Snapshots {
  /** Open collections (one per running snapshot). */
  private readonly windows = new Set<{ devices: ReadonlySet<string>; calls: SnapshotCalls }>();

  constructor(private readonly deps: ResyncDeps) {}

  /** One event of the pipeline (with the extension it concerns). */
  observe(ev: WireEvent, device: string | undefined): void {
    if (ev.name !== 'CallInformationEvent' || !this.windows.size) return;
    const about = device ?? deviceOfInfo(ev.node);
    if (!about) return;
    const ids = callIdsOf(ev.node);
    for (const w of this.windows) {
      if (!w.devices.has(about)) continue;
      const set = w.calls.get(about)!;
      for (const id of ids) set.add(id);
    }
  }

  /**
   * GET snapshot on `session` and collect for `waitMs`; resolves with the calls per device of
   * `devices`. Rejects (LinkUnavailableError, VendorError) when the snapshot was refused.
   */
  async take(session: Requester, devices: readonly string[]): Promise<SnapshotCalls> {
    const calls: SnapshotCalls = new Map(devices.map((d) => [d, new Set<string>()]));
    const window = { devices: new Set(devices), calls };
    this.windows.add(window);
    try {
      const answer = await session.request('GET', `${SERVICE_BASE}${PATHS.snapshot}`);
      if (answer.status < 200 || answer.status >= 300)
        throw vendorErrorOf(answer.status, errorsOf(answer, this.deps.maxBytes), 'snapshot');
      this.readBody(answer.body, devices);
      if (this.deps.waitMs > 0)
        await new Promise<void>((resolve) => this.deps.timers.later(this.deps.waitMs, resolve));
      return calls;
    } finally {
      this.windows.delete(window);
    }
  }

  private readBody(body: string, devices: readonly string[]): void {
    const text = body.trim();
    if (!text) return;
    try {
      const root = parseXml(text, { maxBytes: this.deps.maxBytes });
      if (root.name === 'Events')
        this.deps.onFrame(parseEventsFrame(text, { maxBytes: this.deps.maxBytes }), devices);
      else this.deps.onDocument(root, devices);
    } catch (err) {
      if (!(err instanceof IpoXmlError)) throw err;
      this.deps.onGarbage('unparseable', `snapshot answer: ${err.message}`);
    }
  }
}

/** The `device` of a CallInformationEvent (device users' frames carry no `Event@device`). */
function deviceOfInfo(node: XmlNode): string | undefined {
  const dev = node.children.find((c) => c.name === 'device');
  const id = dev?.children.find((c) => c.name === 'deviceIdentifier');
  return (id?.text ?? dev?.text)?.trim() || undefined;
}
