/**
 * Conferences of the IP Office mapper. A ConferencedEvent is re-sent on every change of a conference
 * (L2920-3336): the first one with connections starts it, later ones add parties or drop them (the
 * dropped connection comes alone with `flowDirection` `none`), and one without `conferenceConnections`
 * ends it; later ones for the same conference are ignored (L3241-3243). The application user gets each
 * once, with `Event@device="conference"` (L8690-8692).
 *
 * The conference id is the decoded `correlatorData` ("has the conference Id in bytes", L3330), else
 * the decoded `userData` (`Conf 100`). The events go to the conferencing device's user (the
 * controller), as the reference sequence has them; `calls` are the controller's cached legs to the
 * parties (the participants' own callIDs when none is cached).
 *
 * IP Office does send the ending Conferenced (L3239-3243), but a link has no replay: the end of a
 * conference while the link was down is lost, and a conference with none of the controller's legs cached
 * (an application link sees every controller's conferences, watched or not) has nothing else to end it.
 * So a conference not updated for `CONF_MAX_IDLE_MS` is dropped silently at the next ConferencedEvent,
 * without a tombstone: if it still runs, its next event starts it anew.
 */
import type { XmlNode } from '../wire/xml.js';
import type { IpoCallBook, Mapped } from './mapper-calls.js';
import { sameDevice } from './mapper-codes.js';
import {
  additionalInfoOf,
  deviceOf,
  hexField,
  kid,
  listedConnections,
  type ListedConnection,
  type Participant,
} from './mapper-csta.js';

/** A ConferencedEvent, read. */
export interface ConferencedRead {
  id?: string;
  controller?: string;
  connections: ListedConnection[];
  participants: Participant[];
}

/**
 * Reads a ConferencedEvent.
 *
 * @example
 * readConferenced(node).id; // '5abfcdb9-a430-4a08-a332-eef9ae7723e7'
 */
export function readConferenced(node: XmlNode): ConferencedRead {
  const out: ConferencedRead = {
    connections: listedConnections(kid(node, 'conferenceConnections')),
    participants: additionalInfoOf(node).participants,
  };
  const id = hexField(node, 'correlatorData') ?? hexField(node, 'userData');
  if (id) out.id = id;
  const controller = deviceOf(node, 'conferencingDevice');
  if (controller) out.controller = controller;
  return out;
}

type Party = { address: string; name?: string };

interface Conf {
  id: string;
  controller: string;
  /** The controller's cached legs in the conference. */
  legs: string[];
  /** The participants' callIDs, used as `calls` while no leg of the controller is known. */
  others: string[];
  parties: Map<string, Party>;
  /** When an event last changed or repeated it (ms, the mapper's clock). */
  at: number;
}

const TOMBSTONES = 1024;
/** No conference goes this long without a party joining or leaving: an older one ended unseen. */
export const CONF_MAX_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * The conferences of an IP Office link, by conference id.
 *
 * @example
 * const confs = new IpoConferenceBook(callBook);
 * confs.conferenced(readConferenced(node), undefined); // { user: '1002', events: [{ type: 'conference.started', ... }] }
 */
export class IpoConferenceBook {
  private readonly confs = new Map<string, Conf>();
  private readonly ended = new Set<string>();

  constructor(
    private readonly calls: IpoCallBook,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * One ConferencedEvent. `subject`: the device user whose session carried it (or the `Event@device`
   * extension); undefined for the application user's `device="conference"` form. Only the controller's
   * view gives events, so a conference reported on every participant's session is reported once.
   */
  conferenced(
    ev: ConferencedRead,
    subject: string | undefined,
  ): { user: string; events: Mapped[] } | undefined {
    this.expire();
    const known = ev.id ? this.confs.get(ev.id) : undefined;
    const controller = ev.controller ?? known?.controller ?? subject;
    if (!controller) return undefined;
    const id = ev.id ?? `${controller}#conference`;
    if (this.ended.has(id)) return undefined;
    const conf = this.confs.get(id);
    if (subject && !sameDevice(subject, controller)) return undefined;
    if (!ev.connections.length) {
      this.end(id);
      if (!conf) return undefined;
      return { user: conf.controller, events: [this.event('conference.released', conf, 'released')] };
    }
    const parties = new Map(conf?.parties ?? []);
    for (const c of ev.connections) {
      if (!c.endpoint || sameDevice(c.endpoint, controller)) continue;
      if ((c.flow ?? '').toLowerCase() === 'none') {
        parties.delete(c.endpoint);
        continue;
      }
      const p = ev.participants.find((x) => (c.id && x.id === c.id) || sameDevice(x.number, c.endpoint));
      parties.set(c.endpoint, p?.name ? { address: c.endpoint, name: p.name } : { address: c.endpoint });
    }
    const alive = (conf?.legs ?? []).filter((cid) => this.calls.callOf(controller, cid));
    const found = this.calls
      .callsOf(controller)
      .filter((c) => [...parties.keys()].some((a) => sameDevice(a, c.remote.address)))
      .map((c) => c.id);
    const legs = [...new Set([...alive, ...found])];
    const dropped = new Set(
      ev.connections.filter((c) => (c.flow ?? '').toLowerCase() === 'none').map((c) => c.id),
    );
    const added = ev.connections
      .filter((c) => c.id && c.endpoint && !sameDevice(c.endpoint, controller) && !dropped.has(c.id))
      .map((c) => c.id!);
    const others = [...new Set([...(conf?.others ?? []).filter((o) => !dropped.has(o)), ...added])];
    const next: Conf = { id, controller, legs, others, parties, at: this.now().getTime() };
    this.confs.set(id, next);
    if (!conf) {
      const events = [
        this.event('conference.started', next, 'active'),
        ...this.calls.join(controller, legs, id),
      ];
      return { user: controller, events };
    }
    const same =
      callsOf(conf).join('\n') === callsOf(next).join('\n') &&
      [...conf.parties.keys()].sort().join('\n') === [...parties.keys()].sort().join('\n');
    if (same) return { user: controller, events: [] };
    return {
      user: controller,
      events: [this.event('conference.updated', next, 'active'), ...this.calls.join(controller, legs, id)],
    };
  }

  /**
   * After a leg of `user` in conference `conf` was released: a conference left with fewer than two of
   * the controller's calls is over for the controller (`conference.released`); later Conferenced events
   * for it are ignored.
   */
  legReleased(user: string, conf: string | undefined): Mapped[] {
    const c = conf ? this.confs.get(conf) : undefined;
    if (!c || !sameDevice(c.controller, user)) return [];
    const left = c.legs.filter((id) => this.calls.callOf(user, id));
    if (left.length >= 2) {
      c.legs = left;
      return [];
    }
    this.end(c.id);
    return [this.event('conference.released', c, 'released')];
  }

  /** Drops the conferences idle for over `CONF_MAX_IDLE_MS`, untombstoned (their end was lost). */
  private expire(): void {
    const oldest = this.now().getTime() - CONF_MAX_IDLE_MS;
    for (const c of [...this.confs.values()]) {
      if (c.at >= oldest) continue;
      this.confs.delete(c.id);
      this.calls.leave(c.id);
    }
  }

  private end(id: string): void {
    this.confs.delete(id);
    this.calls.leave(id);
    this.ended.add(id);
    if (this.ended.size > TOMBSTONES) {
      const first = this.ended.values().next().value;
      if (first !== undefined) this.ended.delete(first);
    }
  }

  private event(type: Mapped['type'], c: Conf, state: 'active' | 'released'): Mapped {
    const parties = [...c.parties.values()].map((p) => ({ ...p }));
    return {
      type,
      data: {
        conference: { id: c.id, state, calls: callsOf(c), ...(parties.length ? { parties } : {}) },
        local: { user: c.controller },
      },
    };
  }
}

/** The `calls` of a conference: the controller's legs, else the participants' callIDs. */
function callsOf(c: Conf): string[] {
  return c.legs.length ? [...c.legs] : [...c.others];
}
