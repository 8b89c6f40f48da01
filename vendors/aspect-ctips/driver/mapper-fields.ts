/**
 * Reading CTIPS event fields for the mapper. A `CTIEvent` is a header (EventCategory, EventType,
 * RequestId, TenantId, SiteId, SwitchId, ServiceId, AgentId; absent data is 0, L1116) followed by the
 * event's own fields (Chapter 4, L1075-1811). The document has no XML sample, so fields are found by
 * local name, case-insensitively, and enumerations are read by member name (WCF writes names) or by
 * their ordinal (Appendix A order).
 */
import type { XmlNode } from '../wire/xml.js';

/** The first child of `node` named `name` (local name, case-insensitive). */
export function kid(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  const want = name.toLowerCase();
  return node.children.find((c) => c.name.toLowerCase() === want);
}

/** Every child of `node` named `name` (local name, case-insensitive). */
export function kids(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!node) return [];
  const want = name.toLowerCase();
  return node.children.filter((c) => c.name.toLowerCase() === want);
}

/**
 * The trimmed text of the field at `path` below `node`; undefined when absent, empty or nil.
 *
 * @example
 * field(ev.node, 'CallInfo', 'ANI'); // '+15550100'
 */
export function field(node: XmlNode | undefined, ...path: string[]): string | undefined {
  let n = node;
  for (const p of path) n = kid(n, p);
  if (!n || n.children.length) return undefined;
  const nil = Object.entries(n.attrs).find(([k]) => k.toLowerCase().endsWith('nil'))?.[1];
  if (nil?.trim().toLowerCase() === 'true') return undefined;
  const t = n.text.trim();
  return t === '' ? undefined : t;
}

/**
 * An Int field; 0 or absent gives undefined (the header's "no data" value, L1116); -1 (MakeCall's
 * "no call", L982; AgentWorkGroupId when logged out, L1169) gives undefined too.
 *
 * @example
 * idField(ev.node, 'CallId'); // '4711'
 */
export function idField(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const t = field(node, ...path);
  if (t === undefined) return undefined;
  if (/^[+-]?\d+$/.test(t)) {
    const n = BigInt(t);
    return n > 0n ? n.toString() : undefined;
  }
  return undefined;
}

/** A Bool field (`true`/`false`, `1`/`0`); undefined otherwise. */
export function boolField(node: XmlNode | undefined, ...path: string[]): boolean | undefined {
  const t = field(node, ...path)?.toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
}

/**
 * An enumeration field by member name (case-insensitive, spaces ignored) or ordinal in `members`
 * (Appendix A declaration order); undefined when absent or not a member.
 *
 * @example
 * enumField(ev.node, 'AgentState', AGENT_STATES); // 'Idle'
 */
export function enumField<T extends string>(
  node: XmlNode | undefined,
  name: string,
  members: readonly T[],
): T | undefined {
  const t = field(node, name);
  if (t === undefined) return undefined;
  if (/^\d+$/.test(t)) return members[Number(t)];
  const want = t.replace(/\s+/g, '').toLowerCase();
  return members.find((m) => m.toLowerCase() === want);
}

/** The CC block (CallId, CallSequenceId, CallOriginatingSiteId) every call event carries (L1119-1126). */
export interface CallKey {
  callId?: string;
  sequenceId?: string;
  siteId?: string;
}

/** The CC block of `node` (an event, or a CTISnapShotCallData). */
export function callKeyOf(node: XmlNode): CallKey {
  const k: CallKey = {};
  const callId = idField(node, 'CallId');
  const sequenceId = idField(node, 'CallSequenceId');
  const siteId = idField(node, 'CallOriginatingSiteId');
  if (callId) k.callId = callId;
  if (sequenceId) k.sequenceId = sequenceId;
  if (siteId) k.siteId = siteId;
  return k;
}

/**
 * The correlation a call key gives: the "cradle to grave" CallSequenceId (with the originating site
 * when given), else the CallId (docs/protocols/aspect-ctips.md, "Correlation").
 *
 * @example
 * correlationOf({ callId: '7', sequenceId: '900', siteId: '1' }); // '1:900'
 */
export function correlationOf(k: CallKey): string | undefined {
  if (k.sequenceId) return k.siteId ? `${k.siteId}:${k.sequenceId}` : k.sequenceId;
  return k.callId;
}

/** The caller data of CTICallInfo (L2302-2314), as far as the event model has room for it. */
export interface CallerInfo {
  ani?: string;
  dnis?: string;
  name?: string;
  number?: string;
}

/**
 * The first CTICallInfo of `node` (`CallInfo` is documented as an array, L1376, and used as one object
 * by other clients, digest §12: both are read).
 */
export function callerInfoOf(node: XmlNode): CallerInfo {
  const ci = kid(node, 'CallInfo');
  const item = ci && (kid(ci, 'CTICallInfo') ?? (kid(ci, 'ANI') || kid(ci, 'DNIS') ? ci : ci.children[0]));
  const out: CallerInfo = {};
  const ani = field(item, 'ANI') ?? field(node, 'ANI');
  const dnis = field(item, 'DNIS') ?? field(node, 'DNIS');
  const number = field(item, 'PhoneNumber') ?? field(item, 'CallerId');
  const name = [field(item, 'FirstName'), field(item, 'LastName')].filter(Boolean).join(' ');
  if (ani) out.ani = ani;
  if (dnis) out.dnis = dnis;
  if (number) out.number = number;
  if (name) out.name = name;
  return out;
}

/** Most call data items read from one event (CTIPS has 20 user fields; a little room for more keys). */
const MAX_CALL_DATA = 64;

/**
 * The call data of an event (`CallData`: CTICallDataItem key/value pairs, L2317-2326), directly on the
 * event (CallDataUpdate, CallEnd) or inside its CallInfo (CallConnected, RouteRequest); undefined when
 * the event carries none. Items without a key, and values over 4 KiB, are left out.
 *
 * @example
 * callDataOf(ev.node); // { '1': 'ACME-4711', '2': 'gold' }
 */
export function callDataOf(node: XmlNode | undefined): Record<string, string> | undefined {
  const ci = kid(node, 'CallInfo');
  const info = ci && (kid(ci, 'CTICallInfo') ?? ci);
  const list = kid(node, 'CallData') ?? kid(info, 'CallData');
  if (!list) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const item of list.children) {
    const key = field(item, 'key') ?? field(item, 'Key');
    const value = kid(item, 'value')?.text ?? '';
    if (!key || key.length > 64 || value.length > 4096 || ++n > MAX_CALL_DATA) continue;
    out[key] = value;
  }
  return out;
}
