/**
 * Conference tracking for the simulator (digest §3 "Conference id", §5 Conferenced, rules 14-16): a core
 * conference (a controller's legs) becomes an IPO conference with an id (the joining call's
 * correlatorData), a name ("Conf 100"), and one participant id per party (22-character base64). Each
 * change re-sends a ConferencedEvent: all connections when the conference starts or grows, only the
 * leaving party's item with `flowDirection=none` when one leaves, and no connections at the end.
 */
import type { PbxCore } from '../../../simulator/core/index.js';
import type { ConferenceSnapshot } from '../../../simulator/core/types.js';
import type { ConferenceParticipant } from '../wire/csta.js';
import { conferencedEvent, type ConnectionListItem } from '../wire/csta-events.js';
import type { XmlNode } from '../wire/xml.js';
import { IpoIds } from './ids.js';

interface Participant {
  participantId: string;
  number: string;
  name?: string;
  external: boolean;
  /** The participant's own extension when it is a directory user (its monitor reports the conference). */
  userExt?: string;
}

interface ConfState {
  coreId: string;
  conferenceId: string;
  name: string;
  controllerUserId: string;
  controller: Participant;
  /** By the controller's leg id. */
  parties: Map<string, Participant>;
}

export interface ConferenceOut {
  node: XmlNode;
  exts: string[];
}

/**
 * @example
 * tracker.expect(userId, activeCallId); core.startConference(userId, [held, active]);
 */
export class ConferenceTracker {
  private readonly byCore = new Map<string, ConfState>();
  private readonly expected = new Map<string, string>();
  private counter = 99;

  constructor(
    private readonly core: PbxCore,
    private readonly ids: IpoIds,
    private readonly switchIp: string,
    private readonly zone: string,
  ) {}

  /** The next conference `userId` starts takes this id (the conferenceCall's activeCall). */
  expect(userId: string, conferenceId: string): void {
    this.expected.set(userId, conferenceId);
  }

  cancel(userId: string): void {
    this.expected.delete(userId);
  }

  /** The live conference with this id: its controller and the leg (or `controller`) of a participant. */
  find(
    conferenceId: string,
  ): { controllerUserId: string; legOf(participantId: string): string | undefined } | undefined {
    const s = [...this.byCore.values()].find((c) => c.conferenceId === conferenceId);
    if (!s) return undefined;
    return {
      controllerUserId: s.controllerUserId,
      legOf: (pid) =>
        pid === s.controller.participantId
          ? 'controller'
          : [...s.parties].find(([, p]) => p.participantId === pid)?.[0],
    };
  }

  /** The conference a controller's leg belongs to, if any. */
  ofLeg(legId: string): string | undefined {
    return [...this.byCore.values()].find((s) => s.parties.has(legId))?.conferenceId;
  }

  translate(
    type: 'conference.started' | 'conference.updated' | 'conference.released',
    conf: ConferenceSnapshot,
  ): ConferenceOut[] {
    let s = this.byCore.get(conf.id);
    if (!s) {
      if (type === 'conference.released') return [];
      s = this.create(conf);
    }
    const out: ConferenceOut[] = [];
    const live = new Set(
      conf.legIds.filter((id) => (this.core.getLeg(id)?.state ?? 'released') !== 'released'),
    );
    const gone = [...s.parties].filter(([id]) => !live.has(id) || type === 'conference.released');
    const added = conf.legIds.filter((id) => !s.parties.has(id));
    for (const id of added) this.addParty(s, id);
    const exts = this.exts(s);
    const leaving = gone.filter(([id]) => !live.has(id));
    if (leaving.length > 0) {
      out.push({
        node: this.event(
          s,
          leaving.map(([, p]) => this.item(p, 'none')),
        ),
        exts,
      });
      for (const [id] of leaving) s.parties.delete(id);
    }
    if (type === 'conference.released') {
      out.push({ node: this.event(s, undefined), exts });
      this.byCore.delete(conf.id);
    } else if (type === 'conference.started' || added.length > 0) {
      out.push({ node: this.event(s, this.items(s)), exts });
    }
    return out;
  }

  private create(conf: ConferenceSnapshot): ConfState {
    const controller = this.core.getUser(conf.controller);
    const lastLeg = conf.legIds[conf.legIds.length - 1] ?? conf.id;
    const conferenceId = this.expected.get(conf.controller) ?? this.ids.callId(lastLeg, controller?.userId);
    this.expected.delete(conf.controller);
    const s: ConfState = {
      coreId: conf.id,
      conferenceId,
      name: `Conf ${++this.counter}`,
      controllerUserId: conf.controller,
      controller: {
        participantId: IpoIds.participantId(),
        number: controller?.extension ?? conf.controller,
        name: controller?.name,
        external: false,
        userExt: controller?.extension,
      },
      parties: new Map(),
    };
    this.byCore.set(conf.id, s);
    return s;
  }

  private addParty(s: ConfState, legId: string): void {
    const leg = this.core.getLeg(legId);
    if (!leg) return;
    const r = leg.remote;
    const p: Participant = {
      participantId: IpoIds.participantId(),
      number: r.number,
      external: r.kind === 'external',
    };
    if (r.name) p.name = r.name;
    if (r.kind === 'user') p.userExt = r.number;
    s.parties.set(legId, p);
  }

  private exts(s: ConfState): string[] {
    const all = [s.controller, ...s.parties.values()].map((p) => p.userExt).filter((x): x is string => !!x);
    return [...new Set(all)];
  }

  private item(p: Participant, flow: 'transmitAndReceive' | 'none'): ConnectionListItem {
    const i: ConnectionListItem = { newCall: p.participantId, device: p.number, flowDirection: flow };
    if (p.name && !p.external) i.mediaSessionInfo = p.name;
    return i;
  }

  private items(s: ConfState): ConnectionListItem[] {
    return [s.controller, ...s.parties.values()].map((p) => this.item(p, 'transmitAndReceive'));
  }

  private event(s: ConfState, connections: ConnectionListItem[] | undefined): XmlNode {
    const participants: ConferenceParticipant[] = connections
      ? [s.controller, ...s.parties.values()].map((p) => {
          const c: ConferenceParticipant = {
            participantId: p.participantId,
            participantNumber: p.number,
            isExternal: p.external,
            isOnHook: false,
            callState: 'ACTIVE',
          };
          if (p.name) c.participantFullName = p.name;
          return c;
        })
      : [];
    const last = [...s.parties.values()].at(-1);
    return conferencedEvent({
      monitorCrossRefID: this.ids.monitor(s.controller.number),
      switchIp: this.switchIp,
      conferenceId: s.conferenceId,
      conferenceName: s.name,
      conferencingDevice: connections ? { number: s.controller.number, switchIp: this.switchIp } : undefined,
      addedParty:
        connections && last
          ? { number: last.number, switchIp: this.switchIp, connectionRate: '0' }
          : undefined,
      connections,
      additional: {
        ...(connections ? { conference: { participants } } : {}),
        eventInfo: { timestamp: Date.now(), zone: this.zone },
      },
    });
  }
}
