/**
 * The per-connection CAP state machine of the simulated server (docs/protocols/broadworks-cap.md,
 * "Session"). A CAP-C connection carries one login at a time:
 *
 *   awaitingAuthentication --registerAuthentication--> awaitingRegisterRequest
 *   awaitingRegisterRequest --registerRequest--> awaitingAcknowledgement (success) | awaitingAuthentication (failure)
 *   awaitingAcknowledgement --acknowledgement--> registered   (nothing is sent before this, rule 5)
 *   registered --unRegister / ForceLogoutD / ForceLogoutC--> loggedOut --registerAuthentication--> ...
 *
 * A CCC2 connection is `trusted` from the start and stays so. infoRequest and serverStatusRequest are
 * accepted in every state (the server handles them before this table). Any other message that the
 * table does not list for the current state is ignored and counted.
 */
import type { CommandType } from '../wire/index.js';

export type SessionState =
  | 'awaitingAuthentication'
  | 'awaitingRegisterRequest'
  | 'awaitingAcknowledgement'
  | 'registered'
  | 'loggedOut'
  | 'trusted';

const REGISTERED_COMMANDS = [
  'callAction',
  'queueAction',
  'externalNotify',
  'monitoringUsersRequest',
  'queueInfoRequest',
] as const;

/** Which commands each state accepts, and the state it moves to on success. */
export const TRANSITIONS: Readonly<Record<SessionState, Partial<Record<CommandType, SessionState>>>> = {
  awaitingAuthentication: { registerAuthentication: 'awaitingRegisterRequest' },
  awaitingRegisterRequest: {
    registerAuthentication: 'awaitingRegisterRequest',
    registerRequest: 'awaitingAcknowledgement',
  },
  awaitingAcknowledgement: { acknowledgement: 'registered', unRegister: 'loggedOut' },
  registered: {
    ...Object.fromEntries(REGISTERED_COMMANDS.map((c) => [c, 'registered'])),
    unRegister: 'loggedOut',
  },
  loggedOut: { registerAuthentication: 'awaitingRegisterRequest' },
  trusted: Object.fromEntries(
    REGISTERED_COMMANDS.filter((c) => c !== 'monitoringUsersRequest').map((c) => [c, 'trusted']),
  ),
};

/** What a successful login established. */
export interface Login {
  /** The directory id (user or call-centre queue). */
  directoryId: string;
  /** The id as the client wrote it (echoed back). */
  loginId: string;
  kind: 'user' | 'queue';
  userType: 'CallClient' | 'AttendantConsole';
  applicationId: string;
  userUid: string;
  /** Attendant Console: the monitored directory ids. */
  monitored: string[];
  callDetailsEnabled: boolean;
  lastDialled?: string;
  lastAcdCallId?: string;
}

export class CapSession {
  state: SessionState;
  /** Set between responseAuthentication and registerRequest. */
  nonce?: string;
  pending?: Omit<Login, 'userUid' | 'monitored' | 'callDetailsEnabled'>;
  login?: Login;
  /** Messages ignored because the state did not accept them. */
  ignored = 0;

  constructor(readonly mode: 'cap-c' | 'ccc2') {
    this.state = mode === 'ccc2' ? 'trusted' : 'awaitingAuthentication';
  }

  /** The state `type` leads to, or undefined when the current state does not accept it. */
  accepts(type: CommandType): SessionState | undefined {
    return TRANSITIONS[this.state][type];
  }

  get registered(): boolean {
    return this.state === 'registered';
  }

  logout(): void {
    this.state = 'loggedOut';
    this.login = undefined;
    this.pending = undefined;
    this.nonce = undefined;
  }
}
