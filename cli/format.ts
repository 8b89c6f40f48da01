/** How the CLI prints: one line per event for people, JSON for scripts, errors as the API's problem. */
import { describeProblem } from '../client/index.js';

/** An answer of the typed client: the data, or an error naming the step, the status and the problem. */
/** Where a key comes from, said when the API refuses the one sent (or none). */
const KEY_HINT =
  'pass --key or set CTI_BRIDGE_KEY; `npm start` leaves its admin key in .bridge-data/local.json (not with BRIDGE_DATA_DIR=memory)';

export function must<T>(what: string, r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || !r.response.ok) {
    const hint = r.response.status === 401 ? ` (${KEY_HINT})` : '';
    throw new Error(`${what}: ${describeProblem(r.response.status, r.error)}${hint}`);
  }
  return r.data as T;
}

interface EventLike {
  id: string;
  type: string;
  seq: number;
  time: string;
  link: string;
  target: { type: string; id?: string };
  data: Record<string, unknown>;
}

/**
 * `time  seq  [link]  type  target  call state`, e.g.
 * `14:02:07.412  12 call.received   user alice@sim.example  callhalf-3:0 alerting`; with `showLink`,
 * `14:02:07.412  12 sim-broadworks call.received ...`. A subscription or link event ends with its
 * reason, when it has one.
 */
export function eventLine(e: EventLike, channelSeq?: number, showLink = false): string {
  const call = (e.data as { call?: { id?: string; state?: string; local?: { user?: string } } }).call;
  const time = e.time.slice(11, 23);
  const seq = String(channelSeq ?? e.seq).padStart(4);
  // a system or group copy (BroadWorks CTI) names its target only: say whose call it is
  const whose = !e.target.id && call?.local?.user ? ` (${call.local.user})` : '';
  const target = `${e.target.type}${e.target.id ? ` ${e.target.id}` : ''}${whose}`;
  const extra = call ? `  ${call.id ?? ''} ${call.state ?? ''}` : agentOrQueue(e.data);
  const link = showLink ? ` ${e.link.padEnd(14)}` : '';
  return `${time} ${seq}${link} ${e.type.padEnd(23)} ${target}${extra}`;
}

function agentOrQueue(data: Record<string, unknown>): string {
  const agent = data.agent as { state?: string } | undefined;
  if (agent?.state) return `  ${agent.state}`;
  if (typeof data.reason === 'string') return `  (${data.reason})`;
  return '';
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value));
}
