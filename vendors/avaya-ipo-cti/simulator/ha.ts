/**
 * The simulated one-X server's availability (digest §2.4, §1 "503"), as one state machine:
 *
 *   starting ──▶ serving ──(ha-switch: HASwitchEvent sent)──▶ redirected ──(ha-reset)──▶ serving
 *                serving ──(ipo-failover: OutOfServiceEvent to everyone)──▶ ipo-down ──(ipo-fallback)──▶ serving
 *
 * - starting: logins get 503 + Retry-After with SYSTEM_STARTUP_IN_PROGRESS;
 * - redirected (a secondary after the primary came back): every request gets SERVICE_REDIRECTED;
 * - ipo-down (IP Office failover): logins are refused (503 SYSTEM_DOWN); existing sessions stay.
 */
import { StateMachine } from '../../driver-kit/state-machine.js';
import { serviceStateEvent } from '../wire/csta-device.js';
import type { WireEvent } from '../wire/events.js';
import { haSwitchEvent } from '../wire/session.js';
import type { PbxCore } from '../../../simulator/core/index.js';
import { shortName } from './directory.js';
import type { IpoIds } from './ids.js';
import type { Outbound } from './translate.js';
import type { IpoHaOptions } from './options.js';

export type ServerPhase = 'starting' | 'serving' | 'redirected' | 'ipo-down';

const TRANSITIONS = {
  starting: ['serving'],
  serving: ['starting', 'redirected', 'ipo-down'],
  redirected: ['serving'],
  'ipo-down': ['serving'],
} as const satisfies Record<ServerPhase, readonly ServerPhase[]>;

/**
 * @example
 * const ha = new HaControl(false, undefined);
 * ha.phase.is('serving'); // true
 */
export class HaControl {
  readonly phase: StateMachine<ServerPhase>;
  /** The server clients should use after a switch (HASwitchEvent/activeServer). */
  activeServer: string | undefined;

  constructor(
    starting: boolean,
    readonly ha: IpoHaOptions | undefined,
  ) {
    this.phase = new StateMachine<ServerPhase>(starting ? 'starting' : 'serving', TRANSITIONS);
  }

  /** haConfiguration for login responses, when configured. */
  configuration(): { primaryServer: string; secondaryServer: string } | undefined {
    return this.ha
      ? { primaryServer: this.ha.primaryServer, secondaryServer: this.ha.secondaryServer }
      : undefined;
  }

  /** The HASwitchEvent of a fallback to the primary (sent bare to every session); moves to `redirected`. */
  switchToPrimary(activeServer?: string): WireEvent {
    const server = activeServer ?? this.ha?.primaryServer ?? '';
    this.activeServer = server;
    this.phase.to('redirected');
    return {
      name: 'HASwitchEvent',
      node: haSwitchEvent({ primaryServerActive: true, activeServer: server }),
    };
  }

  /** OutOfServiceEvent (or BackInServiceEvent) for every station; moves to `ipo-down` (or back). */
  ipoEvents(core: PbxCore, ids: IpoIds, switchIp: string, down: boolean): Outbound[] {
    this.phase.to(down ? 'ipo-down' : 'serving');
    const name = down ? 'OutOfServiceEvent' : 'BackInServiceEvent';
    return core.listUsers().map((u) => ({
      name,
      node: serviceStateEvent(name, {
        monitorCrossRefID: ids.monitorId(u.extension),
        device: { number: u.extension, switchIp },
        user: {
          fullname: u.name,
          username: shortName(u.userId),
          userExtension: u.extension,
          physicalExtension: u.extension,
        },
        timestamp: Date.now(),
        zone: '0:0',
      }),
      category: 'DeviceMaintenanceEvents',
      exts: [u.extension],
    }));
  }
}
