/**
 * What the parts of the CAP front-end share: its options, a connection, and the hub (the front-end
 * itself) through which registration, actions and core events reach the connections. Also the
 * identities the server writes: a stable numeric uid per directory entry, and the `<user>` attributes.
 */
import type net from 'node:net';
import type { PbxCore } from '../../../simulator/core/index.js';
import type { SimCredential } from '../../../simulator/frontends/types.js';
import type { CapFramer, CapMessage, CapUser, FailureCause } from '../wire/index.js';
import type { Priorities } from './queues.js';
import type { CapSession } from './session.js';

/** How documents are put on the wire (each shape a client must read, rule 29). */
export interface CapFraming {
  /** Start each document with the XML declaration. Default true. */
  prolog: boolean;
  /** Written after each document: '' (back to back), '\n', '\r\n' or '\0'. Default '\n'. */
  separator: string;
  /** Write each document in chunks of this many bytes, one socket write per event-loop turn. 0 = whole. */
  splitBytes: number;
  /** Gather the documents of one event-loop turn into a single write. */
  coalesce: boolean;
}

export interface BroadWorksCapSimOptions {
  host: string;
  /** CAP-C port; 0 = any. The CCC2 listener takes the next port. */
  port: number;
  credentials: SimCredential[];
  /** Per-user passwords by directory id; others use the password of a credential named after the user, else the first credential's. */
  passwords?: Record<string, string>;
  framing?: Partial<CapFraming>;
  /** serverStatusRequest to every connection this often; 0 = never. Default 60000. */
  pingIntervalMs?: number;
  /** Attendant Console monitored users by directory id. Default: every other directory user. */
  monitors?: Record<string, string[]>;
  /** Users whose phone-status privacy refuses monitoring (monitoringUsersResponse PrivateUser). */
  privateUsers?: string[];
  /** callDetailsEnabled of Attendant Console logins. Default true. */
  callDetailsEnabled?: boolean;
  /** Send callControlInfo Answer=True for incoming calls, which enables callAction Answer. Default true. */
  answerControl?: boolean;
  /** Valid TagCallWithDispositionCode codes. Default 100, 200, Sale, NoSale. */
  dispositionCodes?: string[];
  /** infoResponse versions. Default ['17.0']. */
  capVersions?: string[];
  log?: (line: string) => void;
}

/** One TCP connection, CAP-C or CCC2. */
export interface Conn {
  id: number;
  mode: 'cap-c' | 'ccc2';
  socket: net.Socket;
  framer: CapFramer;
  session: CapSession;
  /** Documents of this event-loop turn (coalesce) and chunks still to write (split). */
  batch: string[];
  chunks: Buffer[];
  writing: boolean;
}

/** The front-end as its parts see it. */
export interface CapHub {
  readonly core: PbxCore;
  readonly opts: BroadWorksCapSimOptions;
  readonly conns: ReadonlySet<Conn>;
  /** Priorities set by queueAction Promote (the core has none). */
  readonly priorities: Priorities;
  /** The last ACD call of each agent (the default CallId of TagCallWithDispositionCode). */
  readonly lastAcd: Map<string, string>;
  /** Queue entries answered by an agent (their removal is not a transfer). */
  readonly answeredEntries: Set<string>;
  /** Forced registerResponse failures, consumed in order (the login-failure fault). */
  readonly loginFailures: { id?: string; cause: FailureCause }[];
  send(conn: Conn, m: CapMessage): void;
  /** Sends to every registered CAP-C CallClient session of `userId`, and to the next CCC2 connection. */
  toUser(userId: string, build: (c: Conn) => CapMessage): void;
}

/** The directory id of a login id (user id, extension, queue id or its local part), if any. */
export function directoryId(hub: CapHub, loginId: string): string | undefined {
  return (
    hub.core.getUser(loginId)?.userId ??
    hub.core.getQueue(loginId)?.id ??
    hub.core.getQueue(loginId.split('@')[0] ?? '')?.id
  );
}

/** A stable numeric unique id per directory entry (the registerResponse userId). */
export function uidOf(hub: CapHub, directoryId: string): string {
  const all = [
    ...hub.core.directory.users.map((u) => u.userId),
    ...hub.core.directory.queues.map((q) => q.userId),
  ];
  const i = all.indexOf(directoryId);
  return String(169_729_000 + (i < 0 ? 999 : i));
}

/** The server-side `<user>` identity for a directory id on this connection. */
export function identity(hub: CapHub, conn: Conn, directoryId: string): CapUser {
  const login = conn.session.login;
  const mine = conn.mode === 'cap-c' && login?.directoryId === directoryId;
  return {
    id: mine ? login.loginId : directoryId,
    userType: mine ? login.userType : 'CallClient',
    userUid: uidOf(hub, directoryId),
    applicationId: conn.mode === 'ccc2' ? '' : (login?.applicationId ?? ''),
  };
}

export function monitoredIds(
  hub: CapHub,
  directoryId: string,
): { monitoredUserUid: string; monitoredUserId: string } {
  return { monitoredUserUid: uidOf(hub, directoryId), monitoredUserId: directoryId };
}
