import type { PbxCore } from '../core/index.js';

/** Every protocol front-end of the simulator implements this. */
export interface SimFrontEnd {
  readonly name: string;
  start(): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

export type SimFrontEndFactory<O> = (core: PbxCore, options: O) => SimFrontEnd;
