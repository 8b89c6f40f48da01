/**
 * The CSTA codes the IP Office mapper reads (event causes, agent events, forwarding types, connection
 * information, epoch times) and what each becomes in the event model. Pure functions: the tables of
 * docs/protocols/avaya-ipo-cti.md ("Mapping (CSTA → event model)") in code.
 */
import type { AgentStateValue, CallState, EventDraft, Vendor } from '../../../shared/events/model.js';

/** The vendor name drafts carry (`vendor.name`). */
export const IPO_VENDOR: Vendor = 'avaya-ipo-cti';

/**
 * The `vendor` of a draft: the CSTA event's element name (IP Office events carry no event id).
 *
 * @example
 * vendorInfo('DeliveredEvent'); // { name: 'avaya-ipo-cti', event: 'DeliveredEvent' }
 */
export function vendorInfo(event: string): EventDraft['vendor'] {
  return { name: IPO_VENDOR, event };
}

const kebab = (s: string) =>
  s
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();

/** Causes that say a connection left because it was transferred (ECMA-269 EventCause). */
const TRANSFER_CAUSES = new Set(['transfer', 'singlesteptransfer', 'explicittransfer', 'transferred']);
/** Causes that say a ringing connection was redirected elsewhere. */
const FORWARD_CAUSES = new Set([
  'callforward',
  'callforwardimmediate',
  'callforwardalways',
  'callforwardbusy',
  'callforwardnoanswer',
  'redirected',
  'deflected',
  'calldeflection',
  'divertedtoforward',
  'pickup',
  'callpickup',
]);

/** How a cause reads for the mapper: what ended the connection. */
export type CauseClass = 'transfer' | 'forward' | 'park' | 'conference' | 'other';

/**
 * The class of a CSTA `cause` (case-insensitive).
 *
 * @example
 * causeClass('singleStepTransfer'); // 'transfer'
 * causeClass('callForwardImmediate'); // 'forward'
 */
export function causeClass(cause: string | undefined): CauseClass {
  const c = (cause ?? '').trim().toLowerCase();
  if (TRANSFER_CAUSES.has(c)) return 'transfer';
  if (FORWARD_CAUSES.has(c)) return 'forward';
  if (c === 'park') return 'park';
  if (c === 'conference') return 'conference';
  return 'other';
}

/**
 * The bridge `releaseCause` of a CSTA cause: its name in kebab case (`callCancelled` →
 * `call-cancelled`, `numberUnallocated` → `number-unallocated`), `normal` when absent.
 *
 * @example
 * releaseCauseName('callCancelled'); // 'call-cancelled'
 * releaseCauseName(undefined); // 'normal'
 */
export function releaseCauseName(cause: string | undefined): string {
  const c = cause?.trim();
  if (!c || c.toLowerCase() === 'null') return 'normal';
  return kebab(c);
}

/** The agent event names (LogicalDeviceFeaturesEvents, L801-972) and the bridge state each reports. */
const AGENT_EVENTS: Readonly<Record<string, AgentStateValue | undefined>> = {
  AgentLoggedOnEvent: 'sign-in',
  AgentReadyEvent: 'available',
  AgentNotReadyEvent: 'unavailable',
  AgentWorkingAfterCallEvent: 'wrap-up',
  AgentLoggedOffEvent: 'sign-out',
};

/**
 * The bridge agent state an agent event reports; undefined for AgentBusy (the model has no busy
 * state: the agent stays in its state while on a call) and anything else.
 *
 * @example
 * agentStateOf('AgentWorkingAfterCallEvent'); // 'wrap-up'
 */
export function agentStateOf(event: string): AgentStateValue | undefined {
  return AGENT_EVENTS[event];
}

/**
 * ForwardingEvent `forwardingType` → the model's kind; the internal/external variants fold into their
 * base kind, and forwardDND has no kind (undefined).
 *
 * @example
 * forwardingKind('forwardImmediate'); // 'always'
 * forwardingKind('forwardNoAnsExt'); // 'no-answer'
 */
export function forwardingKind(type: string | undefined): 'always' | 'busy' | 'no-answer' | undefined {
  const t = (type ?? '').trim().toLowerCase();
  if (t.startsWith('forwardimmediate')) return 'always';
  if (t.startsWith('forwardbusy')) return 'busy';
  if (t.startsWith('forwardnoans')) return 'no-answer';
  return undefined;
}

/** A CSTA boolean (`true`/`false`, case-insensitive); undefined otherwise. */
export function cstaBool(v: string | undefined): boolean | undefined {
  const t = v?.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

/**
 * The bridge state of a `localConnectionInfo` / snapshot connection state; undefined when it says
 * nothing (`connected` on a ringing call, for instance, is read with the service flags).
 *
 * @example
 * connectionState('hold'); // 'held'
 */
export function connectionState(v: string | undefined): CallState | undefined {
  switch ((v ?? '').trim().toLowerCase()) {
    case 'initiated':
      return 'dialing';
    case 'alerting':
    case 'queued':
      return 'alerting';
    case 'hold':
    case 'held':
      return 'held';
    case 'null':
    case 'cleared':
      return 'released';
    default:
      return undefined;
  }
}

/**
 * An epoch-milliseconds text (ADDITIONALEVENTINFO `@timestamp`) as ISO 8601, or undefined.
 *
 * @example
 * isoFromMs('1355129111283'); // '2012-12-10T08:45:11.283Z'
 */
export function isoFromMs(ms: string | undefined): string | undefined {
  if (ms === undefined || !/^\s*\d{1,15}\s*$/.test(ms)) return undefined;
  const n = Number(ms);
  if (n <= 0) return undefined;
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * Whether two device numbers name the same device: equal after trimming, or the same digits when both
 * have some (`tel:1001` = `1001`).
 *
 * @example
 * sameDevice('tel:1001', '1001'); // true
 */
export function sameDevice(a: string | undefined, b: string | undefined): boolean {
  const x = a?.trim();
  const y = b?.trim();
  if (!x || !y) return false;
  if (x === y) return true;
  const dx = x.replace(/^tel:/i, '');
  const dy = y.replace(/^tel:/i, '');
  return dx === dy;
}
