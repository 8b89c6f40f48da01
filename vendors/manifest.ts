/**
 * What a vendor declares about itself, in one small module (`vendors/<vendor>/manifest.ts`) that imports
 * nothing heavier than zod: the control API, the OpenAPI document, the docs, the connector, the
 * simulator and the local stack all read it, so a Lambda bundle that validates a link stays small.
 *
 * The driver (`vendors/<vendor>/driver/index.ts`, default export a `DriverFactory`) and the simulator
 * front-end (`vendors/<vendor>/simulator/index.ts`, default export a `SimVendor`) are found from the
 * manifest's id by `vendors/load.ts`, so they are loaded only where they run.
 */
import { z } from 'zod';

export interface VendorManifest<Id extends string = string> {
  /** The id links are created with (`"vendor"` in `POST /v1/links`). */
  readonly id: Id;
  /** One line for docs and the OpenAPI description. */
  readonly title: string;
  /** Endpoint URL schemes, without `:` (e.g. `["tcp", "tls"]`). */
  readonly schemes: readonly string[];
  /** What the endpoint points at, for the docs. */
  readonly endpointHint: string;
  /** Link credentials (write-only); strict: unknown fields rejected. */
  readonly credentials: z.ZodObject;
  /** The driver's options, with their defaults (the API validates them strictly, without defaults). */
  readonly options: z.ZodObject;
  /** What `POST /v1/links/{link}/raw` takes for this vendor (one line, for the docs). */
  readonly raw: string;
  /**
   * Per-user login (`POST /v1/sessions`): the credentials and options a session carries. Absent: the
   * vendor has no per-user login and session creation is refused with a problem saying so.
   */
  readonly sessions?: {
    credentials: z.ZodObject;
    options?: z.ZodObject;
    /**
     * True when, on a link with these options, the vendor sends a user's events only while that user
     * is logged in: a subscription to a user without an active session is then refused (409).
     */
    requiredForUserTargets?: (linkOptions: Record<string, unknown>) => boolean;
  };
  /**
   * The subscription target types this vendor's driver delivers events for (absent: all of them). A
   * subscription to another type is refused with 422 naming `target.type`, instead of being accepted
   * and staying silent.
   */
  readonly targets?: readonly ('user' | 'group' | 'queue' | 'routePoint' | 'system')[];
  /**
   * True when the vendor sends every subscription its own copy of an event (BroadWorks CTI: a `system`
   * subscription and a user's both get the user's call events). The driver tags each copy with the
   * bridge target of the subscription that carried it, and a `system` or `group` subscription matches
   * only the copies tagged with its own target: it then gets each occurrence once, whatever other
   * channels subscribe to (shared/events/matching.ts). Absent: one event per occurrence, tagged with
   * what it is about, and `system` matches every event of the link.
   */
  readonly eventsPerSubscription?: boolean;
  /** The protocol document of this vendor (decisions, gaps, mapping table). */
  readonly doc: string;
}

/**
 * Declares a vendor; keeps the literal id type.
 *
 * @example
 * export default defineVendor({ id: 'acme-cti', title: 'ACME CTI', schemes: ['tcp'], ... });
 */
export function defineVendor<const Id extends string>(manifest: VendorManifest<Id>): VendorManifest<Id> {
  return manifest;
}

/** Username/password, the credentials most vendors take. */
export const UsernamePassword = {
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
};
