import type { PbxCore } from '../core/index.js';
import type { SeedDirectory } from '../directory.js';

/** Every protocol front-end of the simulator implements this. */
export interface SimFrontEnd {
  readonly name: string;
  start(): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
  /** Front-end state shown by the control API's `GET /state` under the front-end's `control` name. */
  snapshot?(): unknown;
  /**
   * Fault injection through the control API: `METHOD /faults/<control name>/<action>`. Returns the
   * answer body, or `undefined` for an unknown action (404).
   */
  fault?(method: string, action: string, body: Record<string, unknown>): Promise<unknown>;
}

export type SimFrontEndFactory<O> = (core: PbxCore, options: O) => SimFrontEnd;

/** Credentials every front-end of one simulator accepts (the first one is the local stack's). */
export interface SimCredential {
  username: string;
  password: string;
  admin?: boolean;
}

/**
 * A per-user session the local stack keeps on a link (vendors whose users log in one by one): created
 * when the user has no live session there, so the README's examples work without a login step.
 */
export interface SimSessionSeed {
  user: string;
  credentials: Record<string, string>;
  options?: Record<string, unknown>;
}

/** What the local stack creates for a running front-end: one link (id, endpoint, options). */
export interface SimLinkSeed {
  id: string;
  endpoint: string;
  options: Record<string, unknown>;
  /** Sessions the local stack keeps on the link (see `SimSessionSeed`). */
  sessions?: SimSessionSeed[];
}

/**
 * A vendor's simulator front-end as the simulator loads it (`vendors/<id>/simulator/index.ts`, default
 * export): how to build it on the shared core, and which links the local stack points at it.
 */
export interface SimVendor<O extends object = object> {
  /** The vendor id (the manifest's). */
  readonly id: string;
  /** The path segment of its control API faults and its key in `GET /state` (e.g. `broadworks`). */
  readonly control: string;
  /** A short label for start-up output. */
  readonly label: string;
  /**
   * How many consecutive ports the front-end listens on, from its own (default 1); the local stack's
   * fixed ports leave room for them (CAP: CAP-C and, on the next port, CCC2).
   */
  readonly ports?: number;
  create(
    core: PbxCore,
    options: Partial<O> & { host: string; port: number; credentials: SimCredential[] },
  ): SimFrontEnd;
  /** The links `npm start` creates for this front-end, pointed at the running one. */
  localLinks(
    running: { port: number; url: string },
    directory: SeedDirectory,
    credentials: readonly SimCredential[],
  ): SimLinkSeed[];
}

/** A fault request the front-end refuses (the control API answers 400 with the message). */
export class SimFaultError extends Error {
  override readonly name = 'SimFaultError';
}
