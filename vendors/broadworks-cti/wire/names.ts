/**
 * Element and attribute name folding: the parser and the tree accessors compare names by their lower-cased
 * local name (prefixes vary, are OCR-damaged like `rsi:`, or are missing), with the known misspellings of the
 * specification folded onto the real names.
 */
import { ownString } from '../../../shared/xml/own-string.js';

/** OCR damage and spelling drift in the specification, folded onto the names the readers look for. */
const ALIASES: Record<string, string> = {
  userld: 'userid',
  callld: 'callid',
  calld: 'callid',
  channelld: 'channelid',
  eventide: 'eventid',
  targeted: 'targetid',
  targetld: 'targetid',
  subscriptionld: 'subscriptionid',
  subscriberld: 'subscriberid',
  requestld: 'requestid',
  sessionld: 'sessionid',
  isactive: 'active',
  ccagentjoinupdatedata: 'joinupdatedata',
  credentials: 'credential',
};

/** Names seen on the wire are a small vocabulary: their local names are computed once. */
const localNames = new Map<string, string>();

/** Lower-cased local name of a qualified name, with known misspellings folded (see ALIASES). */
export function localName(qname: string): string {
  const hit = localNames.get(qname);
  if (hit !== undefined) return hit;
  const i = qname.lastIndexOf(':');
  const lower = (i >= 0 ? qname.slice(i + 1) : qname).toLowerCase();
  const local = ALIASES[lower] ?? lower;
  if (localNames.size > 10_000) localNames.clear(); // garbage names cannot grow it without bound
  localNames.set(ownString(qname), ownString(local));
  return local;
}
