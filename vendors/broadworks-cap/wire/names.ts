/**
 * Name drift of the CAP specification (docs/protocols/broadworks-cap.md, "Name drift"): the spellings
 * that occur in its samples, tables and DTDs, folded to one canonical spelling when a document is read.
 * The writer always uses the canonical spelling.
 */

/** Element and attribute names folded on read (key: lower-cased wire spelling). */
const NAME_FOLD: Readonly<Record<string, string>> = {
  // the unique user id: `userId` (CAP-C DTD), `userUid` (CCC2 DTD), `userUId` (samples)
  userid: 'userUid',
  useruid: 'userUid',
  hasvmessages: 'hasVMMessages',
  hasvmmessages: 'hasVMMessages',
  hasthirdpartyvmessages: 'hasThirdPartyVMMessages',
  hasthirdpartyvmmessages: 'hasThirdPartyVMMessages',
  lnrd: 'lnrd',
  lnrnd: 'lnrd',
  lnr: 'lnrd',
  servicename: 'serviceProviderName',
  serviceprovidername: 'serviceProviderName',
  longestcallwaittime: 'longestWaitTime',
  longestwaittime: 'longestWaitTime',
  redirecttonumber: 'redirectToNum',
  redirecttonum: 'redirectToNum',
  callcenter: 'callCenter',
};

/** The canonical spelling of an element or attribute name (namespace prefix dropped). */
export function foldName(raw: string): string {
  const colon = raw.lastIndexOf(':');
  const local = colon >= 0 ? raw.slice(colon + 1) : raw;
  return NAME_FOLD[local.toLowerCase()] ?? local;
}

/** Every commandType of either DTD, in its wire spelling. */
export const COMMAND_TYPES = [
  'registerAuthentication',
  'responseAuthentication',
  'registerRequest',
  'registerResponse',
  'acknowledgement',
  'unRegister',
  'sessionUpdate',
  'profileUpdate',
  'callUpdate',
  'callAction',
  'callActionResponse',
  'callControlInfo',
  'externalNotify',
  'infoRequest',
  'infoResponse',
  'serverStatusRequest',
  'monitoringUsersRequest',
  'monitoringUsersResponse',
  'queueUpdate',
  'queueAction',
  'queueProfileUpdate',
  'queueInfoRequest',
  'queueInfoResponse',
  'datagram',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

const COMMAND_FOLD = new Map<string, CommandType>(COMMAND_TYPES.map((t) => [t.toLowerCase(), t]));
// the section heading's spelling (L2442) next to the wire's `callControlInfo`
COMMAND_FOLD.set('callcontrollinfo', 'callControlInfo');

/** The canonical commandType for a wire value (case-insensitive: `unRegister` = `unregister`), or undefined. */
export function foldCommandType(raw: string): CommandType | undefined {
  return COMMAND_FOLD.get(raw.trim().toLowerCase());
}

/** ACD state values: the table's `Wrap-up` and the sample's `WrapUp` are one state. */
export function foldAcdState(raw: string): string {
  const v = raw.trim();
  return /^wrap-?up$/i.test(v) ? 'Wrap-up' : v;
}

/** queueAction types: the DTD's `Remove` is the table's `Transfer`. */
export function foldQueueActionType(raw: string): string {
  const v = raw.trim();
  return /^remove$/i.test(v) ? 'Transfer' : v;
}
