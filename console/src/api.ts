/**
 * The console's way to the API: the package's typed client (`client/`), on the page's own origin, with
 * the key the user signed in with. `must` turns an answer into its data or an `Error` a person can read
 * (the problem's title, detail and failing fields).
 */
import { createBridgeClient, describeProblem, type BridgeClient } from '../../client/index.js';
import type { operations } from '../../client/schema.js';
import type { BridgeEvent, Call, EventFamily } from '../../shared/events/model.js';

/** The JSON body of an operation's 200 answer. */
type Ok<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: { content: { 'application/json': infer B } };
}
  ? B
  : never;
type Item<Op extends keyof operations> = Ok<Op> extends { items: (infer I)[] } ? I : never;

export type Link = Item<'listLinks'>;
export type Channel = Item<'listChannels'>;
export type Delivery = Item<'listChannelDeliveries'>;
export type DirectoryUser = Item<'listLinkUsers'>;
export type CallView = Item<'listCalls'>;
export type { BridgeClient };

/** The API the console was served by (the HTTP API serves the console at /console/). */
export const apiBase = (): string => window.location.origin;

export function clientFor(key: string): BridgeClient {
  return createBridgeClient({ api: apiBase(), key });
}

/** The data of a successful answer, or an Error naming what failed. */
export function must<T>(what: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || (answer.data === undefined && answer.response.status >= 400))
    throw new Error(`${what}: ${describeProblem(answer.response.status, answer.error)}`);
  return answer.data as T;
}

const KEY_ITEM = 'cti-bridge.console.key';

/** The key lives in this tab's session storage only: closing the tab signs out. */
export const savedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const saveKey = (key: string | null): void =>
  key ? sessionStorage.setItem(KEY_ITEM, key) : sessionStorage.removeItem(KEY_ITEM);

/** Every event family (written out: the page does not bundle the zod model for one list). */
export const FAMILIES = [
  'call',
  'conference',
  'agent',
  'queue',
  'route',
  'service',
  'link',
] as const satisfies readonly EventFamily[];

/** The call leg an event carries, if any. */
export const callOf = (e: BridgeEvent): Call | undefined => (e.data as { call?: Call }).call;
