/**
 * The events that concern a login or the link rather than a call or a device, recognised before the
 * mapper sees anything: `logoutEvent` (L1478-1513), `HASwitchEvent` (the primary one-X server is back,
 * L8345-8378) and the OutOfServiceEvent of an IP Office failover (L8386-8447).
 *
 * An IP Office failover and a phone logoff both send OutOfServiceEvent with `cause=numberUnallocated`
 * (L1555-1564, L8409-8425). The failover sample differs in two ways the reader uses: its
 * `monitorCrossRefID` has the monitor-ID form `<n>-<ipo>-<ext>` (the phone-logoff sample has a UUID),
 * and on an application login it arrives bare, not wrapped in `Event@device` as every application
 * event is (L8568). Either makes it a failover.
 */
import type { WireEvent } from '../wire/events.js';
import { parseHaSwitchEvent, parseLogoutEvent } from '../wire/session.js';
import { textOf } from '../wire/xml.js';

export type LinkEvent =
  | { kind: 'logout'; reason: string }
  | { kind: 'primary-back'; activeServer?: string }
  | { kind: 'ipo-failover'; device?: string };

/** `<n>-<ipo>-<ext>`, as `userMonitorID`/`monitorID` (L1010, L8418). */
const MONITOR_ID = /^-?\d+-[^-]+-[^-]+$/;

/**
 * What a link-level event asks for; undefined for every other event. `applicationFrame`: the event
 * came on the application user's WebSocket.
 *
 * @example
 * linkEventOf({ name: 'HASwitchEvent', node }, true); // { kind: 'primary-back', activeServer: '148.147.216.234' }
 */
export function linkEventOf(ev: WireEvent, applicationFrame: boolean): LinkEvent | undefined {
  switch (ev.name) {
    case 'logoutEvent':
      return { kind: 'logout', reason: parseLogoutEvent(ev.node).logoutReason || 'UNKNOWN' };
    case 'HASwitchEvent': {
      const s = parseHaSwitchEvent(ev.node);
      if (!s.primaryServerActive) return undefined;
      return s.activeServer
        ? { kind: 'primary-back', activeServer: s.activeServer }
        : { kind: 'primary-back' };
    }
    case 'OutOfServiceEvent': {
      if (textOf(ev.node, 'cause')?.trim() !== 'numberUnallocated') return undefined;
      const monitor = (textOf(ev.node, 'monitorCrossRefID') ?? '').replace(/\s+/g, '');
      if (!MONITOR_ID.test(monitor) && !(applicationFrame && ev.device === undefined)) return undefined;
      const device = textOf(ev.node, 'device', 'deviceIdentifier')?.trim();
      return device ? { kind: 'ipo-failover', device } : { kind: 'ipo-failover' };
    }
    default:
      return undefined;
  }
}
